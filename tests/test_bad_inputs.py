"""The bad-input catalogue (issue 13): every bad input gets one line.

Each case runs a command in-process on files written to a fresh folder, and asserts the
promise of docs/errors.md: exit code 2, exactly one line on stderr (``error: ...``) that names
the file, line and field where they apply, no traceback, nothing on stdout, and nothing left
behind (the folder holds the same files afterwards: no output, no ``.part``, no half-made store).

A case is one row: what it is, the command (run in the case's folder), what the line must
contain, and the files (default: ``s.yaml`` holding ``TINY``). ``T``, ``E`` and ``W`` edit the
base scenarios (``TINY``: written-out missions, ``ENGINE``: the deployment engine, ``SWEEP``:
TINY with parameters) by exact replacement, so line numbers can be read off the bases below.
"""

from __future__ import annotations

import os
import shlex
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burden_sim.cli import app

TINY = """\
name: tiny
years:
  start: 2022
  end: 2023
policy:
  rule: common_fund
  fraction: 0.5
  key: equal
missions:
  - id: m1
    name: Test mission
    hosts: [EST]
    contributions:
      - ally: GBR
        role: framework
        start: 2022
        end: 2023
        troops: 100
      - {ally: FRA, role: contributor, start: 2022, troops: 50, months: 6}
"""
# lines: 2 years, 3 start, 4 end, 5 policy, 6 rule, 7 fraction, 8 key, 9 missions, 10 id,
# 12 hosts, 13 contributions, 14 ally GBR, 15 role, 16 start, 17 end, 18 troops, 19 FRA

ENGINE = """\
name: eng
years:
  start: 2023
  end: 2024
policy:
  rule: common_fund
  fraction: 1.0
  key: nato_derived
deployment:
  missions: [baltic_air_policing, efp_lithuania]
  seed: 0
"""
# lines: 9 deployment, 10 missions, 11 seed; additions go to line 12

SWEEP = TINY + """\
parameters:
  unit_costs.person_year: {distribution: pert}
  policy.fraction: {distribution: uniform, low: 0.2, high: 1.0}
"""
# lines: 20 parameters, 21 person_year, 22 fraction

OTHER = TINY.replace("name: tiny", "name: other").replace("rule: common_fund",
                                                          "rule: deploying_nation_pays")
SENS = "sensitivity w.yaml --samples 16 --output-var"
SWEEP_ARGS = "--samples 10 --chunk-size 5 --workers 1 -o out.zarr"


def _edit(base: str, pairs: tuple[str, ...]) -> str:
    assert len(pairs) % 2 == 0
    for old, new in zip(pairs[::2], pairs[1::2], strict=True):
        assert base.count(old) == 1, old
        base = base.replace(old, new)
    return base


def T(*pairs: str) -> dict[str, str | bytes | None]:  # noqa: N802
    """s.yaml: TINY with each ``old, new`` replaced once."""
    return {"s.yaml": _edit(TINY, pairs)}


def E(*pairs: str) -> dict[str, str | bytes | None]:  # noqa: N802
    """s.yaml: ENGINE edited."""
    return {"s.yaml": _edit(ENGINE, pairs)}


def W(*pairs: str) -> dict[str, str | bytes | None]:  # noqa: N802
    """w.yaml: SWEEP edited."""
    return {"w.yaml": _edit(SWEEP, pairs)}


def pol(line: str) -> dict[str, str | bytes | None]:
    """TINY with one more line in the policy block (line 9)."""
    return T("  key: equal\n", f"  key: equal\n  {line}\n")


def dep(line: str) -> dict[str, str | bytes | None]:
    """ENGINE with one more line in the deployment block (line 12)."""
    return E("  seed: 0\n", f"  seed: 0\n  {line}\n")


def key(text: str) -> dict[str, str | bytes | None]:
    """TINY whose key (line 8) is ``text``."""
    return T("  key: equal\n", f"  key: {text}\n")


def gbr(line: str, replaces: str = "troops: 100") -> dict[str, str | bytes | None]:
    """TINY with GBR's ``troops: 100`` (line 18) replaced."""
    return T(replaces, line)


ALL_ALLIES = ("ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC",
              "HUN", "ISL", "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR", "POL", "PRT",
              "ROU", "SVK", "SVN", "ESP", "SWE", "TUR", "GBR", "USA")
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(5)) + TINY.replace("name: tiny\n", "")
# six levels of ten: a million strings from 700 bytes


class Link(str):
    """A symbolic link to this target."""


@dataclass(frozen=True)
class Case:
    name: str
    argv: str
    expect: str | tuple[str, ...]
    files: dict[str, str | bytes | None] = field(default_factory=lambda: {"s.yaml": TINY})
    xfail: str | None = None
    root_ok: bool = True  # False: root can write anywhere, so the case cannot fail as root


C = Case
_POINTS = (Path(__file__).resolve().parents[1] / "src" / "burden_sim" / "data"
           / "calibration_points.csv").read_text(encoding="utf-8").splitlines()
POINTS_HEAD, POINT = _POINTS[0], _POINTS[1]
FAILS = "fails today (issue 13)"
CASES: list[Case] = [
    # --- files ----------------------------------------------------------------------------
    C("missing file", "validate nope.yaml", "nope.yaml: file: cannot read it"),
    C("missing file, run", "run nope.yaml -o out.csv", "nope.yaml: file: cannot read it"),
    C("a folder", "validate d", "d: file: cannot read it", {"d/": None}),
    C("empty file", "validate s.yaml", "s.yaml:1: (top level): expected a mapping",
      {"s.yaml": ""}),
    C("a list", "validate s.yaml", "s.yaml:1: (top level): expected a mapping",
      {"s.yaml": "- name: tiny\n"}),
    C("a scalar", "validate s.yaml", "s.yaml:1: (top level): expected a mapping",
      {"s.yaml": "hello\n"}),
    C("binary file", "validate s.yaml", ("s.yaml", "not UTF-8"),
      {"s.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"}),
    C("Latin-1 text", "validate s.yaml", ("s.yaml:2: file: not UTF-8",),
      {"s.yaml": TINY.replace("years:", "description: d\xe9fense\nyears:").encode("latin-1")}),
    C("UTF-16 text", "validate s.yaml", ("s.yaml", "not UTF-8"),
      {"s.yaml": TINY.encode("utf-16")}),
    C("Latin-1 missions file", "validate s.yaml", ("m.yaml:3: file: not UTF-8",),
      {"s.yaml": TINY.split("missions:")[0] + "missions: m.yaml\n",
       "m.yaml": ("missions:" + TINY.split("missions:")[1]).replace(
           "name: Test mission", "name: Mission d\xe9fense").encode("latin-1")}),
    C("NUL byte", "validate s.yaml", "s.yaml:2: yaml: not valid YAML",
      {"s.yaml": TINY.replace("years:", "description: a\x00b\nyears:")}),
    C("tab indentation", "validate s.yaml", "s.yaml:3: yaml: not valid YAML",
      T("years:\n  start: 2022", "years:\n\tstart: 2022")),
    C("two documents", "validate s.yaml", "s.yaml", {"s.yaml": TINY + "---\n" + TINY}),
    C("python tag", "validate s.yaml", "s.yaml:1: yaml: not valid YAML",
      {"s.yaml": "!!python/object:os.system {}\n"}),
    C("report: missing file", "report s.yaml nope.yaml -o r.html",
      "nope.yaml: file: cannot read it"),
    C("compare: a folder", "compare s.yaml d", "d: file: cannot read it", {"s.yaml": TINY,
                                                                         "d/": None}),
    # --- YAML -----------------------------------------------------------------------------
    C("unclosed bracket", "run s.yaml -o out.csv", "s.yaml:13: yaml: not valid YAML",
      T("hosts: [EST]", "hosts: [EST")),
    C("bad indentation", "validate s.yaml", "s.yaml:4: yaml: not valid YAML",
      T("\n  end: 2023", "\n   end: 2023")),
    C("duplicate top-level key", "validate s.yaml", "s.yaml:2: name: duplicate key (first on "
      "line 1)", T("name: tiny\n", "name: tiny\nname: other\n")),
    C("duplicate nested key", "run s.yaml -o out.csv", "s.yaml:8: policy.fraction: duplicate "
      "key (first on line 7)", T("  fraction: 0.5\n", "  fraction: 1.0\n  fraction: 0.2\n")),
    C("duplicate key in a flow mapping", "validate s.yaml", "s.yaml:19: missions[0]."
      "contributions[1].ally: duplicate key", T("{ally: FRA,", "{ally: FRA, ally: DEU,")),
    C("a missions file validated as a scenario", "validate m.yaml", "error: m.yaml:1: (top "
      "level): this is a missions file (missions: only); a scenario names it in its missions: "
      "field", {"m.yaml": "missions:" + TINY.split("missions:")[1]}),
    C("an empty list in a missions file", "validate s.yaml", "error: m.yaml:1: missions: the "
      "list is empty: give at least one mission",  # it was blamed on the scenario's line
      {"s.yaml": TINY.split("missions:")[0] + "missions: m.yaml\n", "m.yaml": "missions: []\n"}),
    C("duplicate key in a missions file", "validate s.yaml", "m.yaml:3: missions[0].id: "
      "duplicate key", {"s.yaml": TINY.split("missions:")[0] + "missions: m.yaml\n",
                        "m.yaml": "missions:\n  - id: m1\n    id: m2\n" + TINY.split(
                            "- id: m1\n")[1]}),
    C("alias bomb", "validate s.yaml", ("s.yaml", "yaml:", "alias"), {"s.yaml": BOMB}),
    C("alias bomb, run", "run s.yaml -o out.csv", ("s.yaml", "yaml:", "alias"),
      {"s.yaml": BOMB}),
    C("alias cycle", "validate s.yaml", "s.yaml:1: yaml: an alias refers to a node that "
      "holds it (a cycle)", {"s.yaml": "description: &a [*a]\n" + TINY}),
    C("alias cycle in a missions file, run", "run s.yaml", "m.yaml:1: yaml: an alias refers",
      {"s.yaml": TINY.split("missions:")[0] + "missions: m.yaml\n",
       "m.yaml": "missions: [&m {id: m1, name: M, hosts: [LTU], contributions: [*m]}]\n"}),
    C("alias bomb, nine levels", "validate s.yaml", ("s.yaml", "yaml:", "alias"),
      {"s.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
          f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
          for i in range(8)) + TINY}),
    C("unhashable key", "validate s.yaml", "s.yaml:1: yaml: not valid YAML",
      {"s.yaml": "? [a, b]\n: c\n" + TINY}),
    C("impossible date in a surge", "validate s.yaml", ("s.yaml:12: deployment.surges[0].start:",
                                                        "2022-13-45"),
      dep("surges: [{mission: efp_lithuania, start: 2022-13-45, days: 30, factor: 2}]")),
    C("impossible date in a change", "run s.yaml", ("s.yaml:12: deployment.changes[0].start:",
                                                    "2023-02-30"),
      dep("changes: [{mission: efp_lithuania, ally: NOR, action: join, start: 2023-02-30, "
          "personnel: 100}]")),
    C("date that is not a date", "validate s.yaml", "s.yaml:12: deployment.surges[0].start:",
      dep("surges: [{mission: efp_lithuania, start: soon, days: 30, factor: 2}]")),
    # --- types ----------------------------------------------------------------------------
    C("troops a word", "run s.yaml -o out.csv", "s.yaml:18: missions[0].contributions[0].troops: "
      "Input should be a valid number", gbr("troops: many")),
    C("years a number", "validate s.yaml", "s.yaml:2: years:",
      T("years:\n  start: 2022\n  end: 2023\n", "years: 2022\n")),
    C("missions a number", "validate s.yaml", "s.yaml:9: missions:",
      {"s.yaml": TINY.split("missions:")[0] + "missions: 5\n"}),
    C("hosts a string", "validate s.yaml", "s.yaml:12: missions[0].hosts: Input should be a "
      "valid list", T("hosts: [EST]", "hosts: EST")),
    C("fraction a word", "validate s.yaml", "s.yaml:7: policy.fraction:",
      T("fraction: 0.5", "fraction: half")),
    C("name with spaces", "validate s.yaml", "s.yaml:1: name: String should match pattern",
      T("name: tiny", "name: my run")),
    C("samples a fraction", "validate s.yaml", "s.yaml:20: samples:",
      {"s.yaml": TINY + "samples: 2.5\n"}),
    C("seed negative", "validate s.yaml", "s.yaml:20: seed:", {"s.yaml": TINY + "seed: -1\n"}),
    C("key a list", "validate s.yaml", "s.yaml:8: policy.key", key("[equal]")),
    C("contributions a mapping", "validate s.yaml", "s.yaml:13: missions[0].contributions:",
      {"s.yaml": TINY.split("contributions:")[0] + "contributions: {}\n"}),
    C("policy null", "validate s.yaml", "s.yaml:5: policy:",
      {"s.yaml": TINY.split("policy:")[0] + "policy:\nmissions:" + TINY.split("missions:")[1]}),
    C("name missing", "validate s.yaml", "s.yaml:1: name: Field required",
      T("name: tiny\n", "")),
    C("policy missing", "run s.yaml", "policy: Field required",
      T("policy:\n  rule: common_fund\n  fraction: 0.5\n  key: equal\n", "")),
    C("end missing", "validate s.yaml", "s.yaml:2: years.end: Field required",
      T("\n  end: 2023\n", "\n")),
    C("misspelt top-level field", "validate s.yaml", "s.yaml:5: polcy: unknown field (did you "
      "mean 'policy'?)", T("policy:", "polcy:")),
    C("misspelt contribution field", "validate s.yaml", "s.yaml:18: missions[0].contributions[0]"
      ".troop: unknown field (did you mean 'troops'?)", gbr("troop: 100")),
    C("unknown role", "validate s.yaml", "s.yaml:15: missions[0].contributions[0].role: Input "
      "should be", T("role: framework", "role: commander")),
    C("unknown rule", "validate s.yaml", "s.yaml:6: policy.rule:", T("rule: common_fund",
                                                                     "rule: fund")),
    C("unknown accounting", "validate s.yaml", "s.yaml:9: policy.accounting:",
      pol("accounting: creative")),
    C("months zero", "validate s.yaml", "s.yaml:19: missions[0].contributions[1].months:",
      T("months: 6", "months: 0")),
    C("months thirteen", "validate s.yaml", "s.yaml:19: missions[0].contributions[1].months:",
      T("months: 6", "months: 13")),
    C("unit cost a word", "validate s.yaml", "s.yaml:21: unit_costs.person_year.central:",
      {"s.yaml": TINY + "unit_costs:\n  person_year: {central: abc}\n"}),
    C("phase-in above one", "validate s.yaml", "s.yaml:9: policy.phase_in[2022]:",
      pol("phase_in: {2022: 2}")),
    C("phase-in year a word", "validate s.yaml", "s.yaml:9: policy.phase_in", pol("phase_in: "
                                                                                 "{soon: 1}")),
    C("phase-in after the years", "validate s.yaml", "s.yaml:9: policy.phase_in: starts in "
      "2030, after the scenario's years (2022-2023): the fund would never pay",
      pol("phase_in: {2030: 0.5}")),
    C("top-level key a number", "validate s.yaml", ("s.yaml:20: [7]:", "Keys should be strings"),
      {"s.yaml": TINY + "7: 8\n"}),
    C("long wrong value is cut short", "validate s.yaml", ("s.yaml:15: missions[0].contributions"
                                                           "[0].role:", "..."),
      T("role: framework", "role: " + "x" * 5000)),
    # --- numbers --------------------------------------------------------------------------
    C("troops negative", "run s.yaml -o out.csv", "s.yaml:18: missions[0].contributions[0]."
      "troops: Input should be greater than or equal to 0", gbr("troops: -100")),
    C("troops 1e308", "run s.yaml -o out.csv", "s.yaml:18: missions[0].contributions[0].troops:",
      gbr("troops: 1e308")),
    C("troops .inf", "run s.yaml -o out.csv", "s.yaml:18: missions[0].contributions[0].troops:",
      gbr("troops: .inf")),
    C("troops true", "validate s.yaml", "s.yaml:18: missions[0].contributions[0].troops: "
      "expected a number, got true", gbr("troops: true")),  # was read as 1 troop
    C("phase-in yes", "validate s.yaml", "policy.phase_in: expected a number, got true",
      T("  fraction: 0.5\n", "  fraction: 0.5\n  phase_in: {2021: yes}\n")),  # in a mapping
    C("fraction yes", "validate s.yaml", "policy.fraction: expected a number, got true",
      T("fraction: 0.5", "fraction: yes")),
    C("troops .nan", "run s.yaml -o out.csv", "s.yaml:18: missions[0].contributions[0].troops:",
      gbr("troops: .nan")),
    C("aircraft .inf", "run s.yaml", "s.yaml:18: missions[0].contributions[0].aircraft:",
      gbr("aircraft: .inf")),
    C("host support 1e308", "run s.yaml", "s.yaml:18: missions[0].contributions[0]."
      "host_support_eur:", gbr("host_support_eur: 1e308")),
    C("unit cost .inf", "run s.yaml -o out.csv", "s.yaml:21: unit_costs.person_year.central:",
      {"s.yaml": TINY + "unit_costs:\n  person_year: {central: .inf}\n"}),
    C("unit cost 1e308", "run s.yaml -o out.csv", "s.yaml:21: unit_costs.person_year.central:",
      {"s.yaml": TINY + "unit_costs:\n  person_year: {central: 1e308}\n"}),
    C("unit cost high .inf", "run s.yaml", "s.yaml:21: unit_costs.person_year.high:",
      {"s.yaml": TINY + "unit_costs:\n  person_year: {central: 1, high: .inf}\n"}),
    C("unit cost low above central", "validate s.yaml", "s.yaml:21: unit_costs.person_year: "
      "need low <= central <= high", {"s.yaml": TINY + "unit_costs:\n  person_year: "
                                      "{central: 1, low: 2}\n"}),
    C("unit cost beyond the shipped range", "validate s.yaml", "s.yaml:21: unit_costs.person_year: "
      "need low <= central <= high, got 38386, 250000, 200000 (low and high not given are the "
      "shipped range's", {"s.yaml": TINY + "unit_costs:\n  person_year: {central: 250000}\n"}),
    C("a unit cost's currency alone", "run s.yaml --set unit_costs.person_year.currency=USD",
      "unit_costs.person_year: currency USD: the shipped range is in EUR; give low and high in "
      "USD too", {"s.yaml": TINY}),  # the EUR range was read as USD (a review)
    C("unit cost negative", "validate s.yaml", "s.yaml:21: unit_costs.person_year.central:",
      {"s.yaml": TINY + "unit_costs:\n  person_year: {central: -1}\n"}),
    C("cost level beta above 1", "run s.yaml -o out.csv", "s.yaml:21: cost_level.beta: Input "
      "should be less than or equal to 1", {"s.yaml": TINY + "cost_level:\n  beta: 1.5\n"}),
    C("cost level beta negative", "validate s.yaml", "s.yaml:20: cost_level.beta: Input "
      "should be greater than or equal to 0", {"s.yaml": TINY + "cost_level: {beta: -0.1}\n"}),
    C("cost level beta a word", "validate s.yaml", "s.yaml:20: cost_level.beta:",
      {"s.yaml": TINY + "cost_level: {beta: high}\n"}),
    C("cost level beta .nan", "run s.yaml", "s.yaml:20: cost_level.beta:",
      {"s.yaml": TINY + "cost_level: {beta: .nan}\n"}),
    C("cost level misspelt", "validate s.yaml", ("s.yaml:20: cost_level.betta: unknown field",
                                                  "did you mean 'beta'"),
      {"s.yaml": TINY + "cost_level: {betta: 0.5}\n"}),
    C("annual cap .inf", "run s.yaml", "s.yaml:9: policy.annual_cap_usd:",
      pol("annual_cap_usd: .inf")),
    C("annual cap negative", "run s.yaml -o out.csv", "s.yaml:9: policy.annual_cap_usd: Input "
      "should be greater than or equal to 0", pol("annual_cap_usd: -5")),
    C("fraction .nan", "run s.yaml", "s.yaml:7: policy.fraction:", T("fraction: 0.5",
                                                                     "fraction: .nan")),
    C("fraction negative", "run s.yaml", "s.yaml:7: policy.fraction: Input should be greater",
      T("fraction: 0.5", "fraction: -0.1")),
    C("fraction above one", "run s.yaml -o out.csv", "s.yaml:7: policy.fraction: Input should "
      "be less than or equal to 1", T("fraction: 0.5", "fraction: 1.5")),
    C("key weight .inf", "run s.yaml", "s.yaml:8: policy.key.weights.GBR:",
      key("{name: custom, weights: {" + ", ".join(f"{a}: {'.inf' if a == 'GBR' else 1}"
                                                  for a in ALL_ALLIES) + "}}")),
    C("key weights 1e308", "run s.yaml", "s.yaml:8: policy.key.weights",
      key("{name: custom, weights: {" + ", ".join(f"{a}: 1e308" for a in ALL_ALLIES) + "}}")),
    C("key weight negative", "validate s.yaml", "s.yaml:8: policy.key.weights.GBR:",
      key("{name: custom, weights: {GBR: -1}}")),
    C("prior_slots .inf", "run s.yaml", "s.yaml:12: deployment.prior_slots:",
      dep("prior_slots: .inf")),
    C("prior_slots 1e308", "run s.yaml", "s.yaml:12: deployment.prior_slots:",
      dep("prior_slots: 1e308")),
    C("elasticity 21", "validate s.yaml", "s.yaml:12: deployment.elasticity:",
      dep("elasticity: 21")),
    C("growth 25 %", "validate s.yaml", "s.yaml:21: projection.gdp_growth_pct:",
      {"s.yaml": TINY + "projection:\n  gdp_growth_pct: 25\n"}),
    C("target .nan", "validate s.yaml", "s.yaml:21: projection.defence_target_pct:",
      {"s.yaml": TINY + "projection:\n  defence_target_pct: .nan\n  target_year: 2030\n"}),
    C("target year within the data", "validate s.yaml", "s.yaml:22: projection.target_year: "
      "2020: the path to the target starts after the last year with data (2024)",
      {"s.yaml": TINY + "projection:\n  defence_target_pct: 3.5\n  target_year: 2020\n"}),
    C("growth .nan", "run s.yaml", "s.yaml:21: projection.gdp_growth_pct:",
      {"s.yaml": TINY + "projection:\n  gdp_growth_pct: .nan\n"}),
    C("samples two million", "validate s.yaml", "s.yaml:20: samples: Input should be less",
      {"s.yaml": TINY + "samples: 2000000\n"}),
    # hunt2 #14: a million draws exhausted memory (MemoryError traceback, or the OOM killer)
    C("samples a million", "validate s.yaml", "s.yaml:20: samples: 1,000,000 draws need about 32.8 "
      "GB of memory, more than the 4 GB a run may take (at most 122,070 draws over 2 years); "
      "use burden-sim sweep for large Monte Carlo", {"s.yaml": TINY + "samples: 1000000\n"}),
    C("samples a million by --set", "run s.yaml --set samples=1000000 -o out.nc",
      "s.yaml with samples=1000000: samples: 1,000,000 draws need about 32.8 GB"),
    C("samples over the budget, engine", "validate e.yaml", "e.yaml:12: samples: 40,000 draws "
      "need about 5.2 GB", {"e.yaml": ENGINE.replace("years:\n  start: 2023", "years:\n  start: "
                                               "2017") + "samples: 40000\n"}),
    C("rotations thirteen", "validate s.yaml", "s.yaml:19: missions[0].contributions[1]."
      "rotations_per_year:", T("months: 6", "months: 6, rotations_per_year: 13")),
    C("surge factor zero", "validate s.yaml", "s.yaml:12: deployment.surges[0].factor:",
      dep("surges: [{mission: efp_lithuania, start: 2023-03-01, days: 30, factor: 0}]")),
    C("surge factor 21", "validate s.yaml", "s.yaml:12: deployment.surges[0].factor:",
      dep("surges: [{mission: efp_lithuania, start: 2023-03-01, days: 30, factor: 21}]")),
    C("surge days zero", "validate s.yaml", "s.yaml:12: deployment.surges[0].days:",
      dep("surges: [{mission: efp_lithuania, start: 2023-03-01, days: 0, factor: 2}]")),
    C("join personnel .inf", "run s.yaml", "s.yaml:12: deployment.changes[0].personnel:",
      dep("changes: [{mission: efp_lithuania, ally: NOR, action: join, start: 2023-03-01, "
          "personnel: .inf}]")),
    C("seed 1e30", "validate s.yaml", "s.yaml:20: seed:", {"s.yaml": TINY + "seed: 1.5e30\n"}),
    # --- years ----------------------------------------------------------------------------
    C("reversed years", "validate s.yaml", "s.yaml:4: years.end: end 2021 is before start 2022",
      T("end: 2023\npolicy", "end: 2021\npolicy")),
    C("reversed contribution years", "validate s.yaml", "s.yaml:17: missions[0].contributions[0]"
      ".end: end 2021 is before start 2022", T("    end: 2023", "    end: 2021")),
    C("start before NATO", "validate s.yaml", "s.yaml:3: years.start: Input should be greater",
      T("start: 2022\n  end", "start: 1940\n  end")),
    C("start before the data", "run s.yaml", "s.yaml:3: years.start: no data for 2010 (the "
      "data start in 2014)", T("start: 2022\n  end", "start: 2010\n  end")),
    C("end without data", "run s.yaml -o out.csv", "s.yaml:4: years.end: no GDP figures for "
      "2030", T("end: 2023\npolicy", "end: 2030\npolicy")),
    C("start after the data", "validate s.yaml", "s.yaml:3: years.start: a scenario must start "
      "by 2024", {"s.yaml": _edit(TINY, ("start: 2022\n  end: 2023", "start: 2026\n  end: 2028"))
                  + "projection: {gdp_growth_pct: 1}\n"}),
    C("end after 2100", "validate s.yaml", "s.yaml:4: years.end: Input should be less",
      T("end: 2023\npolicy", "end: 2101\npolicy")),
    C("run --year outside", "run s.yaml --year 1990 -o out.csv", "--year 1990: not in the "
      "scenario's years"),
    C("compare --year outside", "compare o.yaml s.yaml --year 1990 -o c.csv", "--year 1990: "
      "not in the scenarios' years", {"s.yaml": TINY, "o.yaml": OTHER}),
    C("compare different years", "compare o.yaml s.yaml -o c.csv", "scenarios cover different "
      "years: other 2022-2022, tiny 2022-2023", {"s.yaml": TINY, "o.yaml": OTHER.replace(
          "end: 2023\npolicy", "end: 2022\npolicy")}),
    C("contribution before accession", "validate s.yaml", "s.yaml:19: missions[0].contributions"
      "[1].start: MKD joined NATO in 2020, after 2019", T("ally: FRA, role: contributor, start: "
                                                          "2022", "ally: MKD, role: contributor, "
                                                          "start: 2019")),
    C("contribution start 1900", "validate s.yaml", "s.yaml:16: missions[0].contributions[0]."
      "start:", T("    start: 2022\n        end", "    start: 1900\n        end")),
    # --- allies ---------------------------------------------------------------------------
    C("unknown ally", "run s.yaml -o out.csv", "s.yaml:14: missions[0].contributions[0].ally: "
      "unknown ally 'GBX'", T("ally: GBR", "ally: GBX")),
    C("lower-case ally", "validate s.yaml", "s.yaml:14: missions[0].contributions[0].ally: "
      "unknown ally 'gbr'", T("ally: GBR", "ally: gbr")),
    C("ally a number", "validate s.yaml", "s.yaml:14: missions[0].contributions[0].ally:",
      T("ally: GBR", "ally: 826")),
    C("unknown host", "validate s.yaml", "s.yaml:12: missions[0].hosts[0]: unknown ally 'ESZ'",
      T("hosts: [EST]", "hosts: [ESZ]")),
    C("unknown capped ally", "validate s.yaml", "s.yaml:8: policy.key.caps[0].ally: unknown "
      "ally 'USX'", key("{name: equal, caps: [{ally: USX, max_share: 0.2}]}")),
    C("unknown at_share_of", "run s.yaml -o out.csv", "s.yaml:8: policy.key.caps[0].at_share_of:"
      " unknown ally 'GER'", key("{name: equal, caps: [{ally: USA, at_share_of: GER}]}")),
    C("unknown weight ally", "validate s.yaml", "s.yaml:8: policy.key.weights.XXX: unknown ally",
      key("{name: custom, weights: {" + ", ".join(f"{a}: 1" for a in ALL_ALLIES) + ", XXX: 1}}")),
    C("unknown pool ally", "validate s.yaml", "s.yaml:12: deployment.pools.ZZZ: unknown ally",
      dep("pools: {ZZZ: {land: 2}}")),
    C("unknown joining ally", "validate s.yaml", "s.yaml:12: deployment.changes[0].ally: "
      "unknown ally", dep("changes: [{mission: efp_lithuania, ally: RUS, action: join, start: "
                          "2023-03-01, personnel: 100}]")),
    C("non-member contributes", "validate s.yaml", "s.yaml:19: missions[0].contributions[1]."
      "start: FIN joined NATO in 2023", T("ally: FRA", "ally: FIN")),
    C("non-member hosts", "validate s.yaml", ("s.yaml:12: missions[0].hosts[0]:", "SWE"),
      T("hosts: [EST]", "hosts: [SWE]")),
    # --- keys -----------------------------------------------------------------------------
    C("custom without weights", "validate s.yaml", "s.yaml:8: policy.key: name: custom needs "
      "weights (ISO3 -> weight)", key("custom")),
    C("weights without custom", "validate s.yaml", "s.yaml:8: policy.key: weights go with name: "
      "custom, not gdp (whose shares come from the data)", key("{name: gdp, weights: {GBR: 1}}")),
    C("weights missing allies", "run s.yaml -o out.csv", "s.yaml:8: policy.key.weights: the key "
      "does not cover every ally: no weight for BEL, CAN", key("{name: custom, weights: "
                                                               "{GBR: 1, FRA: 1}}")),
    C("weights all zero", "validate s.yaml", "s.yaml:8: policy.key.weights: weights must not all"
      " be zero", key("{name: custom, weights: {" + ", ".join(f"{a}: 0" for a in ALL_ALLIES)
                     + "}}")),
    C("weights zero in a year", "run s.yaml -o out.csv", ("s.yaml:8: policy.key.weights:",
                                                          "2022"),
      key("{name: custom, weights: {" + ", ".join(f"{a}: {1 if a == 'FIN' else 0}"
                                                  for a in ALL_ALLIES) + "}}")),
    C("unknown key name", "validate s.yaml", "s.yaml:8: policy.key.name: Input should be "
      "'nato', 'nato_derived', 'gdp', 'population', 'un_regular', 'equal' or 'custom', got "
      "'natto'", key("natto")),
    C("key a number", "validate s.yaml", "s.yaml:8: policy.key", key("7")),
    C("weights not a mapping", "validate s.yaml", "s.yaml:8: policy.key.weights:",
      key("{name: custom, weights: [1, 2]}")),
    # --- caps -----------------------------------------------------------------------------
    C("cap with both rules", "validate s.yaml", "s.yaml:8: policy.key.caps[0]: give exactly one",
      key("{name: equal, caps: [{ally: USA, at_share_of: DEU, max_share: 0.1}]}")),
    C("cap with no rule", "validate s.yaml", "s.yaml:8: policy.key.caps[0]: give exactly one",
      key("{name: equal, caps: [{ally: USA}]}")),
    C("cap zero", "validate s.yaml", "s.yaml:8: policy.key.caps[0].max_share: Input should be "
      "greater than 0", key("{name: equal, caps: [{ally: USA, max_share: 0}]}")),
    C("cap above one", "run s.yaml -o out.csv", "s.yaml:8: policy.key.caps[0].max_share: Input "
      "should be less than or equal to 1", key("{name: equal, caps: [{ally: USA, max_share: "
                                               "1.5}]}")),
    C("caps that cannot all hold", "run s.yaml -o out.csv", ("s.yaml:8: policy.key.caps:",
                                                             "cannot all hold"),
      key("{name: gdp, caps: [" + ", ".join(f"{{ally: {a}, max_share: 0.01}}" for a in ALL_ALLIES)
          + "]}")),
    C("cap at a non-member's share", "run s.yaml -o out.csv", ("s.yaml:8: policy.key.caps[0]."
                                                               "at_share_of:", "SWE"),
      key("{name: gdp, caps: [{ally: FIN, at_share_of: SWE}]}")),
    C("cap at its own share", "validate s.yaml", "s.yaml:8: policy.key.caps[0].at_share_of:",
      key("{name: gdp, caps: [{ally: USA, at_share_of: USA}]}")),
    C("caps a mapping", "validate s.yaml", "s.yaml:8: policy.key.caps:",
      key("{name: gdp, caps: {ally: USA, max_share: 0.2}}")),
    # --- eligibility ----------------------------------------------------------------------
    C("no eligible missions", "run s.yaml -o out.csv", "s.yaml:9: policy.eligible_missions:",
      pol("eligible_missions: []")),
    C("no eligible categories", "run s.yaml -o out.csv", "s.yaml:9: policy.eligible_categories:",
      pol("eligible_categories: []")),
    C("no eligible missions, engine", "run s.yaml", "s.yaml:9: policy.eligible_missions:",
      E("  key: nato_derived\n", "  key: nato_derived\n  eligible_missions: []\n")),
    C("unknown eligible mission", "run s.yaml -o out.csv", "s.yaml:9: policy.eligible_missions"
      "[0]: no mission 'm2' (missions: m1)", pol("eligible_missions: [m2]")),
    C("unknown eligible category", "run s.yaml -o out.csv", "s.yaml:9: policy."
      "eligible_categories[0]: unknown cost category 'fuel' (allowed here: person_year, "
      "aircraft_month, host_support, person_move)", pol("eligible_categories: [fuel]")),
    C("written-out category in the engine", "validate s.yaml", "s.yaml:9: policy."
      "eligible_categories[0]: unknown cost category 'person_year'",
      E("  key: nato_derived\n", "  key: nato_derived\n  eligible_categories: [person_year]\n")),
    C("eligible missions a string", "validate s.yaml", "s.yaml:9: policy.eligible_missions:",
      pol("eligible_missions: m1")),
    C("unknown unit cost category", "validate s.yaml", "s.yaml:21: unit_costs.fuel: unknown cost"
      " category 'fuel'", {"s.yaml": TINY + "unit_costs:\n  fuel: {central: 1}\n"}),
    # --- missions files -------------------------------------------------------------------
    C("missions path escapes", "validate s/s.yaml", "s/s.yaml:9: missions: ",
      {"s/s.yaml": TINY.split("missions:")[0] + "missions: ../../../../../../etc/passwd\n"}),
    C("missions path absolute", "validate s.yaml", "s.yaml:9: missions: ",
      {"s.yaml": TINY.split("missions:")[0] + "missions: /etc/hostname\n"}),
    C("missions path through a link", "validate s.yaml", "s.yaml:9: missions: ",
      {"s.yaml": TINY.split("missions:")[0] + "missions: link.yaml\n",
       "link.yaml": Link("/etc/hostname")}),
    C("missions file's text not echoed", "validate s/s.yaml", ("s/s.yaml:9: missions: ",),
      {"s/s.yaml": TINY.split("missions:")[0] + "missions: ../secret.yaml\n",
       "secret.yaml": "missions:\n  - id: m1\n    name: x\n    hosts: [EST]\n    contributions:"
                      "\n      - {ally: GBR, role: hunter2-password, start: 2022, troops: 1}\n"}),
    C("missions file a folder", "validate s.yaml", "s.yaml:9: missions: no missions file 'm'",
      {"s.yaml": TINY.split("missions:")[0] + "missions: m\n", "m/": None}),
    C("missions file missing", "run s.yaml -o out.csv", "s.yaml:9: missions: no missions file "
      "'m.yaml'", {"s.yaml": TINY.split("missions:")[0] + "missions: m.yaml\n"}),
    C("missions file a list", "validate s.yaml", "m.yaml:1: (top level): a missions file holds "
      "one key", {"s.yaml": TINY.split("missions:")[0] + "missions: m.yaml\n",
                  "m.yaml": "- id: m1\n"}),
    C("missions file with another key", "validate s.yaml", "m.yaml:1: (top level): a missions "
      "file holds one key", {"s.yaml": TINY.split("missions:")[0] + "missions: m.yaml\n",
                             "m.yaml": "name: x\nmissions:" + TINY.split("missions:")[1]}),
    C("bad value in a missions file", "run s.yaml", "m.yaml:10: missions[0].contributions[0]."
      "troops: Input should be greater", {"s.yaml": TINY.split("missions:")[0]
                                          + "missions: m.yaml\n", "m.yaml": "missions:" +
                                          TINY.split("missions:")[1].replace("troops: 100",
                                                                             "troops: -1")}),
    C("duplicate mission id", "validate s.yaml", "s.yaml:20: missions[1].id: a second mission "
      "'m1'", {"s.yaml": TINY + TINY.split("missions:\n")[1]}),
    C("mission id in capitals", "validate s.yaml", "s.yaml:10: missions[0].id: String should",
      T("id: m1", "id: M1")),
    C("no missions", "validate s.yaml", "give missions: or deployment:",
      {"s.yaml": TINY.split("missions:")[0]}),
    C("missions and deployment", "validate s.yaml", "not both",
      {"s.yaml": TINY + "deployment: {missions: [efp_lithuania]}\n"}),
    C("contribution of nothing", "validate s.yaml", "s.yaml:14: missions[0].contributions[0]: "
      "give troops, aircraft or host_support_eur", gbr("months: 12")),
    C("identical overlapping contributions", "run s.yaml -o out.csv", ("s.yaml:20: missions[0]."
                                                                      "contributions[2]:",
                                                                      "contributions[1]"),
      T("months: 6}\n", "months: 6}\n      - {ally: FRA, role: contributor, start: 2022, "
        "troops: 50, months: 6}\n")),
    C("no contributions", "validate s.yaml", "s.yaml:13: missions[0].contributions: List should",
      {"s.yaml": TINY.split("contributions:")[0] + "contributions: []\n"}),
    C("no hosts", "validate s.yaml", "s.yaml:12: missions[0].hosts:",
      T("hosts: [EST]", "hosts: []")),
    # --- deployment blocks ----------------------------------------------------------------
    C("unknown catalogue mission", "run s.yaml", "s.yaml:10: deployment.missions[1]: no mission "
      "'efp_litvania'", E("efp_lithuania]", "efp_litvania]")),
    C("no catalogue mission", "run s.yaml", "s.yaml:10: deployment.missions: List should have "
      "at least 1 item", E("[baltic_air_policing, efp_lithuania]", "[]")),  # was every mission
    C("interval tiny", "validate s.yaml", "s.yaml:12: deployment.interval_days.efp_lithuania:",
      dep("interval_days: {efp_lithuania: 0.001}")),
    C("interval tiny, run", "run s.yaml -o out.csv", "s.yaml:12: deployment.interval_days."
      "efp_lithuania:", dep("interval_days: {efp_lithuania: 0.01}")),
    C("interval zero", "validate s.yaml", "s.yaml:12: deployment.interval_days.efp_lithuania: "
      "Input should be greater", dep("interval_days: {efp_lithuania: 0}")),
    C("interval of an unknown mission", "validate s.yaml", "s.yaml:12: deployment.interval_days"
      ".efp_latvija: no mission", dep("interval_days: {efp_latvija: 100}")),
    C("duration negative", "validate s.yaml", "s.yaml:12: deployment.duration_days.efp_lithuania:",
      dep("duration_days: {efp_lithuania: -1}")),
    C("transit .inf", "run s.yaml", "s.yaml:12: deployment.transit_days.efp_lithuania:",
      dep("transit_days: {efp_lithuania: .inf}")),
    C("recovery of an unknown kind", "validate s.yaml", "s.yaml:12: deployment.recovery_days."
      "tank:", dep("recovery_days: {tank: 10}")),
    C("pool negative", "validate s.yaml", "s.yaml:12: deployment.pools.NOR.land:",
      dep("pools: {NOR: {land: -1}}")),
    C("every pool empty", "validate s.yaml", "s.yaml:12: deployment.pools: no ally can "
      "contribute", dep("pools: {" + ", ".join(f"{a}: {{land: 0, fighter: 0}}"
                                                for a in ALL_ALLIES) + "}")),
    C("surge outside the horizon", "validate s.yaml", "s.yaml:12: deployment.surges[0].start: "
      "2030-01-01 is outside the horizon", dep("surges: [{mission: efp_lithuania, start: "
                                               "2030-01-01, days: 30, factor: 2}]")),
    C("surge of an unknown mission", "validate s.yaml", "s.yaml:12: deployment.surges[0]."
      "mission: no mission", dep("surges: [{mission: efp, start: 2023-03-01, days: 3, "
                                 "factor: 2}]")),
    C("join of nothing", "validate s.yaml", "s.yaml:12: deployment.changes[0]: a join needs",
      dep("changes: [{mission: efp_lithuania, ally: NOR, action: join, start: 2023-03-01}]")),
    C("change ends before it starts", "validate s.yaml", "s.yaml:12: deployment.changes[0]",
      dep("changes: [{mission: efp_lithuania, ally: NOR, action: withdraw, start: 2023-03-01, "
          "end: 2023-01-01}]")),
    C("unknown aircraft type", "validate s.yaml", "s.yaml:12: deployment.changes[0]."
      "aircraft_type: unknown aircraft type 'F-99'", dep("changes: [{mission: "
                                                         "baltic_air_policing, ally: NOR, action:"
                                                         " join, start: 2023-03-01, aircraft: 4, "
                                                         "aircraft_type: F-99}]")),
    C("air join without aircraft", "validate s.yaml", "s.yaml:12: deployment.changes[0]: joining"
      " baltic_air_policing needs aircraft", dep("changes: [{mission: baltic_air_policing, ally:"
                                                 " NOR, action: join, start: 2023-03-01, "
                                                 "personnel: 80}]")),
    C("surge of a mission not deployed", "validate s.yaml", "s.yaml:12: deployment.surges[0]."
      "mission: efp_latvia is not among deployment.missions (baltic_air_policing, "
      "efp_lithuania), so this would change nothing", dep("surges: [{mission: efp_latvia, "
                                                          "start: 2023-03-01, days: 3, "
                                                          "factor: 2}]")),
    C("interval of a mission not deployed", "validate s.yaml", "s.yaml:12: deployment."
      "interval_days.snmg1: snmg1 is not among deployment.missions",
      dep("interval_days: {snmg1: 30}")),
    C("join of a mission not deployed", "validate s.yaml", "s.yaml:12: deployment.changes[0]."
      "mission: efp_latvia is not among", dep("changes: [{mission: efp_latvia, ally: ISL, "
                                              "action: join, start: 2023-03-01, "
                                              "personnel: 100}]")),
    C("withdrawal of an ally with no slot", "validate s.yaml", "s.yaml:12: deployment."
      "changes[0].ally: USA holds no slot of efp_lithuania from 2023-03-01 when it applies, "
      "so withdrawing changes nothing (changes apply in their order",
      dep("changes: [{mission: efp_lithuania, ally: USA, action: withdraw, "
          "start: 2023-03-01}]")),
    C("withdrawal listed before the join it ends", "validate s.yaml", "s.yaml:12: deployment."
      "changes[0].ally: ISL holds no slot of efp_lithuania from 2023-06-01 when it applies, so "
      "withdrawing changes nothing (changes apply in their order: a withdrawal from a join "
      "comes after the join)", dep("changes: [{mission: efp_lithuania, ally: ISL, action: "
                                   "withdraw, start: 2023-06-01}, {mission: efp_lithuania, "
                                   "ally: ISL, action: join, start: 2023-01-01, personnel: 50}]")),
    C("unknown plan", "validate s.yaml", "s.yaml:12: deployment.plan:", dep("plan: closed")),
    C("deployment a list", "validate s.yaml", "s.yaml:9: deployment:",
      E("deployment:\n  missions: [baltic_air_policing, efp_lithuania]\n  seed: 0\n",
        "deployment: [efp_lithuania]\n")),
    C("misspelt deployment field", "validate s.yaml", "s.yaml:12: deployment.intervals: unknown "
      "field", dep("intervals: {efp_lithuania: 100}")),
    # --- sweeps ---------------------------------------------------------------------------
    C("validate: a parameter a sweep refuses", "validate w.yaml", "error: w.yaml: "
      "projection.gdp_growth_pct: the scenario has no projection: block; add one to set it",
      W("  policy.fraction: {", "  projection.gdp_growth_pct: {distribution: normal, mean: 3, "
        "sd: 1}\n  policy.fraction: {")),  # validate passed it, and the sweep failed
    C("validate: a parameter out of its field's bounds", "validate w.yaml", "error: w.yaml: "
      "parameters.policy.fraction:", W("low: 0.2, high: 1.0", "low: 0.2, high: 3.0")),
    C("--set without =", f"sweep w.yaml --set policy.fraction {SWEEP_ARGS}",
      "--set policy.fraction: expected PATH=VALUES", W()),
    C("--set unknown path", f"sweep w.yaml --set policy.nothing=1,2 {SWEEP_ARGS}",
      ("w.yaml with --set policy.nothing=1,2: policy.nothing: names no field of the "
       "scenario",), W()),  # the file and the --set named, as run's errors name them
    C("--set a block the scenario lacks", f"sweep w.yaml --set projection.gdp_growth_pct=0,1 "
      f"{SWEEP_ARGS}", "projection.gdp_growth_pct: the scenario has no projection: block; add "
      "one to set it", W()),  # it suggested the very path it refused
    C("nothing to vary", "sweep s.yaml --samples 4 -o out.zarr", "s.yaml: nothing varies: "
      "declare parameters: in the scenario, or give some to vary (--set PATH=VALUES"),
    C("run --set a block the scenario lacks", "run s.yaml --set projection.gdp_growth_pct=1",
      "s.yaml with projection.gdp_growth_pct=1: the scenario has no projection: block",
      {"s.yaml": TINY}),
    C("--set words", f"sweep w.yaml --set policy.fraction=a,b {SWEEP_ARGS}",
      "--set policy.fraction=a,b: expected PATH=VALUES", W()),
    C("--set bad range", f"sweep w.yaml --set policy.fraction=0:1:x {SWEEP_ARGS}",
      "--set policy.fraction=0:1:x: expected", W()),
    C("--set empty range", f"sweep w.yaml --set policy.fraction=0:1:0 {SWEEP_ARGS}",
      "--set policy.fraction=0:1:0:", W()),
    C("--set .inf", f"sweep w.yaml --set unit_costs.person_year=1,inf {SWEEP_ARGS}",
      "--set unit_costs.person_year=1,inf:", W()),
    C("--set fraction out of range", f"sweep w.yaml --set policy.fraction=2,3 {SWEEP_ARGS}",
      "policy.fraction", W()),
    C("--set troops negative", "sweep w.yaml --set missions.m1.contributions.0.troops=-5,5 "
      f"{SWEEP_ARGS}", "missions.m1.contributions.0.troops", W()),
    C("--set a text field", f"sweep w.yaml --set name=1,2 {SWEEP_ARGS}", "name: is not a number",
      W()),
    C("grid values without the grid design", "sweep s.yaml --set policy.fraction=0:1:5 "
      "-o out.zarr", "--samples: give a number of samples for the mc design, or choose the "
      "grid design to run every listed value"),
    C("--samples zero", "sweep w.yaml --samples 0 -o out.zarr", "--samples 0: give a positive",
      W()),
    C("--samples negative", "sweep w.yaml --samples -5 -o out.zarr", "--samples -5: give a "
      "positive", W()),
    C("--design unknown", f"sweep w.yaml --design magic {SWEEP_ARGS}", "--design magic: not one "
      "of grid, lhs, sobol, mc", W()),
    C("--chunk-size zero", "sweep w.yaml --samples 10 --chunk-size 0 -o out.zarr",
      "--chunk-size 0: must be at least 1", W()),
    C("--variables unknown", f"sweep w.yaml --variables net,wealth {SWEEP_ARGS}",
      "--variables wealth: not a sampled result", W()),
    C("--scheduler malformed", f"sweep w.yaml --scheduler magic {SWEEP_ARGS}",
      "--scheduler magic: use local or tcp://HOST:PORT", W()),
    C("--scheduler unreachable", f"sweep w.yaml --scheduler tcp://127.0.0.1:9 {SWEEP_ARGS}",
      "--scheduler tcp://127.0.0.1:9: cannot reach", W()),
    C("lognormal sigma 50", f"sweep w.yaml {SWEEP_ARGS}", ("unit_costs.person_year",),
      W("{distribution: pert}", "{distribution: lognormal, median: 50000, sigma: 50}")),
    C("normal fraction", f"sweep w.yaml {SWEEP_ARGS}", "policy.fraction",
      W("{distribution: uniform, low: 0.2, high: 1.0}", "{distribution: normal, mean: 0.5, "
        "sd: 2}")),
    C("parameter of no field", f"sweep w.yaml {SWEEP_ARGS}", "policy.fractoin: names no field",
      W("  policy.fraction:", "  policy.fractoin:")),
    C("uniform reversed", f"sweep w.yaml {SWEEP_ARGS}", "w.yaml:22: parameters.policy.fraction: "
      "low 1.0 must be below high 0.2", W("low: 0.2, high: 1.0", "low: 1.0, high: 0.2")),
    C("distribution and values", "validate w.yaml", "w.yaml:22: parameters.policy.fraction: give"
      " a distribution or values", W("high: 1.0}", "high: 1.0, values: [1]}")),
    C("pert fraction without range", f"sweep w.yaml {SWEEP_ARGS}", "policy.fraction: pert "
      "without low, mode and high works for unit costs only", W("{distribution: uniform, low: "
                                                                "0.2, high: 1.0}",
                                                                "{distribution: pert}")),
    C("unknown distribution", "validate w.yaml", "w.yaml:22: parameters.policy.fraction."
      "distribution:", W("distribution: uniform", "distribution: gamma")),
    C("sigma .inf", f"sweep w.yaml {SWEEP_ARGS}", "w.yaml:21: parameters.unit_costs.person_year"
      ".sigma:", W("{distribution: pert}", "{distribution: lognormal, median: 5, sigma: .inf}")),
    C("nothing varies", "sweep s.yaml --samples 10 -o out.zarr", "nothing varies: declare "
      "parameters"),
    C("store exists", f"sweep w.yaml {SWEEP_ARGS}", "out.zarr: already exists",
      W() | {"out.zarr/": None}),
    C("--resume on a stranger", f"sweep w.yaml {SWEEP_ARGS} --resume", "out.zarr: is not a "
      "burden-sim sweep", W() | {"out.zarr/": None, "out.zarr/x": "x"}),
    C("store named as a table", "sweep w.yaml --samples 10 --workers 1 -o out.csv",
      "out.csv: a sweep writes a Zarr store (a folder): name it with .zarr, not .csv", W()),
    C("store onto a file", "sweep w.yaml --samples 10 --workers 1 -o out.zarr",
      "out.zarr: is a file; a sweep writes a Zarr store (a folder)", W() | {"out.zarr": "x"}),
    C("store's folder missing", "sweep w.yaml --samples 10 --workers 1 -o no/out.zarr",
      "no/out.zarr: folder no does not exist", W()),
    C("store under a file", "sweep w.yaml --samples 10 --workers 1 -o f/out.zarr",
      "f/out.zarr:", W() | {"f": "x"}),
    C("store in a system folder", "sweep w.yaml --samples 10 --workers 1 -o /proc/out.zarr",
      "/proc/out.zarr:", W()),
    C("elastic engine with swept fraction", "sweep s.yaml --set policy.fraction=0,1 --samples 2 "
      "--workers 1 -o out.zarr", "policy.fraction: with deployment.elasticity > 0",
      dep("elasticity: 1")),
    # --- sensitivity ----------------------------------------------------------------------
    C("unknown output variable", f"{SENS} wealth --ally GBR", "--output-var wealth: not a "
      "sampled result", W()),
    C("per-ally output without ally", f"{SENS} net", "--output-var net: a per-ally result: "
      "give an ally", W()),
    C("sensitivity: unknown ally", f"{SENS} net --ally GBX", "--ally GBX: unknown ally", W()),
    C("year outside", f"{SENS} net --ally GBR --year 1990", "--year 1990: not in the "
      "scenario's years", W()),
    C("one parameter", f"{SENS} net --ally GBR", "sensitivity needs at least two parameters",
      W("  unit_costs.person_year: {distribution: pert}\n", "")),
    C("output that does not vary", f"{SENS} allies_at_3_5pct", "--output-var allies_at_3_5pct: "
      "allies_at_3_5pct does not vary", W()),
    C("an ally whose output does not vary", f"{SENS} gross --ally SWE", "--output-var gross: "
      "gross of SWE does not vary", W()),  # it did not name the ally, which is the reason
    C("plot format unknown", f"{SENS} net --ally GBR --plot x.pdf", "x.pdf: unknown output "
      "format '.pdf' (allowed: .png, .svg)", W()),
    C("table format unknown", f"{SENS} net --ally GBR -o x.txt", "x.txt: unknown output format",
      W()),
    C("table onto a folder", f"{SENS} net --ally GBR -o x.csv", "x.csv:", W() | {"x.csv/": None}),
    C("plot under a file", f"{SENS} net --ally GBR --plot f/x.png", "f/x.png:", W() | {"f": "x"}),
    C("bad scenario", f"{SENS} net --ally GBR", "w.yaml:7: policy.fraction:",
      W("fraction: 0.5", "fraction: 2")),
    # --- outputs --------------------------------------------------------------------------
    C("run: unknown format", "run s.yaml -o out.xlsx", "out.xlsx: unknown output format '.xlsx' "
      "(allowed: .csv, .nc)"),
    C("run: no such folder", "run s.yaml -o no/out.csv", "no/out.csv: folder no does not exist"),
    C("run: under a file", "run s.yaml -o f/out.csv", "f/out.csv:", {"s.yaml": TINY, "f": "x"}),
    C("run: onto a folder", "run s.yaml -o out.csv", "out.csv:", {"s.yaml": TINY,
                                                                  "out.csv/": None}),
    C("run: system folder", "run s.yaml -o /proc/out.csv", "/proc/out.csv:"),
    C("run: read-only folder", "run s.yaml -o ro/out.csv", "ro/out.csv:",
      {"s.yaml": TINY, "ro/": "read-only"}, root_ok=False),
    C("run: no suffix", "run s.yaml -o out", "out: unknown output format ''"),
    C("compare: unknown format", "compare o.yaml s.yaml -o c.xlsx", "c.xlsx: unknown output "
      "format", {"s.yaml": TINY, "o.yaml": OTHER}),
    C("compare: under a file", "compare o.yaml s.yaml -o f/c.csv", "f/c.csv:",
      {"s.yaml": TINY, "o.yaml": OTHER, "f": "x"}),
    C("compare: onto a folder", "compare o.yaml s.yaml -o c.parquet", "c.parquet:",
      {"s.yaml": TINY, "o.yaml": OTHER, "c.parquet/": None}),
    C("compare: system folder", "compare o.yaml s.yaml -o /proc/c.nc", "/proc/c.nc:",
      {"s.yaml": TINY, "o.yaml": OTHER}),
    C("report: unknown format", "report o.yaml s.yaml -o r.pdf", "r.pdf: unknown output format",
      {"s.yaml": TINY, "o.yaml": OTHER}),
    C("report: onto a folder", "report o.yaml s.yaml -o r.html", "r.html:",
      {"s.yaml": TINY, "o.yaml": OTHER, "r.html/": None}),
    C("report: no such folder", "report o.yaml s.yaml -o no/r.html", "no/r.html: folder no "
      "does not exist", {"s.yaml": TINY, "o.yaml": OTHER}),
    C("plot: onto a folder", "plot s.yaml --kind timeline -o t.png", "t.png:",
      {"s.yaml": TINY, "t.png/": None}),
    C("plot: system folder", "plot s.yaml --kind timeline -o /proc/t.png", "/proc/t.png:"),
    # --- plots ----------------------------------------------------------------------------
    C("plot: unknown kind", "plot s.yaml --kind pie -o x.png", "--kind pie: not one of change, "
      "spending, sweep, sobol, timeline"),
    C("plot: no results", "plot nope.nc --kind spending -o x.png", "nope.nc: no such file"),
    C("plot: unknown format", "plot {made}/run.nc --kind spending -o x.jpg", "x.jpg: unknown "
      "output format '.jpg' (allowed: .png, .svg)"),
    C("plot: change of one run", "plot {made}/run.nc --kind change -o x.png", "--kind change "
      "needs a comparison"),
    C("plot: spending in 1990", "plot {made}/run.nc --kind spending --year 1990 -o x.png",
      "--year 1990: not in the results' years (2022-2023)"),
    C("plot: spending of a comparison in 1990", "plot {made}/cmp.nc --kind spending --year 1990 "
      "-o x.png", "--year 1990: not in the results' years"),
    C("plot: sweep of a run", "plot {made}/run.nc --kind sweep --ally GBR -o x.png", "--kind "
      "sweep needs a sweep store"),
    C("plot: sweep without ally", "plot {made}/s.zarr --kind sweep -o x.png", "--ally: give one "
      "of the results' allies"),
    C("plot: sweep, unknown ally", "plot {made}/s.zarr --kind sweep --ally XXX -o x.png",
      "--ally XXX: give one of the results' allies"),
    C("plot: sweep, unknown parameter", "plot {made}/s.zarr --kind sweep --ally GBR --parameter "
      "policy.cap -o x.png", "--parameter policy.cap: not in policy.fraction"),
    C("plot: sobol of a .nc", "plot {made}/run.nc --kind sobol -o x.png", "--kind sobol reads a "
      ".csv file"),
    C("plot: sobol of another table", "plot t.csv --kind sobol -o x.png", "t.csv: --kind sobol "
      "reads the indices written by burden-sim sensitivity --output",
      {"t.csv": "parameter,a\nx,1\n"}),
    C("plot: sobol of a comparison's table", "plot t.csv --kind sobol -o x.png", "t.csv: --kind "
      "sobol reads the indices", {"t.csv": "ally,net_usd_m\nGBR,1\n"}),  # was a KeyError
    C("plot: sobol of an empty table", "plot t.csv --kind sobol -o x.png", "t.csv:",
      {"t.csv": ""}),
    C("plot: timeline of results", "plot {made}/run.nc --kind timeline -o x.png", "run.nc: "
      "--kind timeline reads a scenario file (.yaml)"),  # was 'not UTF-8 text'
    C("plot: timeline of a bad scenario", "plot s.yaml --kind timeline -o x.png", "s.yaml:14: "
      "missions[0].contributions[0].ally: unknown ally", T("ally: GBR", "ally: GBX")),
    C("plot: corrupt results", "plot r.nc --kind spending -o x.png", "r.nc:",
      {"r.nc": b"CDF\x01garbage"}),
    C("plot: a scenario as results", "plot s.yaml --kind spending -o x.png", "s.yaml: cannot "
      "read it as results"),
    C("plot: unknown scenario of a comparison", "plot {made}/cmp.nc --kind change --scenario "
      "nope -o x.png", "--scenario nope: not one of tiny"),
    C("sweep: no workers", "sweep s.yaml --samples 4 --workers 0 -o s.zarr",
      "--workers 0: must be at least 1", {"s.yaml": SWEEP}),  # ran serially, silently
    C("plot: change against the reference itself", "plot {made}/cmp.nc --kind change --scenario "
      "other -o x.png", "--scenario other: not one of tiny (other is the reference each is "
      "set against)"),  # drew an empty chart of zeros
    C("plot: an option the kind does not read", "plot {made}/cmp.nc --kind change --ally XXX "
      "-o x.png", "--ally XXX: --kind change takes --scenario"),  # was ignored
    C("plot: a year the change chart does not read", "plot {made}/cmp.nc --kind change --year "
      "2016 -o x.png", "--year 2016: --kind change takes --scenario"),
    C("plot: spending, unknown scenario", "plot {made}/cmp.nc --kind spending --scenario nope "
      "-o x.png", "--scenario nope: not in other, tiny"),
    C("plot: sweep store that is not one", "plot z.zarr --kind sweep --ally GBR -o x.png",
      "z.zarr: cannot read it", {"z.zarr/": None}),
    # --- reports --------------------------------------------------------------------------
    C("report: one scenario", "report s.yaml -o r.html", "report needs at least two scenario "
      "files"),
    C("report: different years", "report o.yaml s.yaml -o r.html", "scenarios cover different "
      "years", {"s.yaml": TINY, "o.yaml": OTHER.replace("end: 2023\npolicy", "end: 2022\npolicy"
                                                        )}),
    C("report: a bad scenario", "report o.yaml s.yaml -o r.html", "s.yaml:7: policy.fraction:",
      {"s.yaml": _edit(TINY, ("fraction: 0.5", "fraction: 7")), "o.yaml": OTHER}),
    C("report: same names", "report s.yaml t.yaml -o r.html", "two scenarios share a name",
      {"s.yaml": TINY, "t.yaml": TINY}),
    C("report: no output", "report o.yaml s.yaml", "Missing option '--output'",
      {"s.yaml": TINY, "o.yaml": OTHER}),
    # --- the explorer ---------------------------------------------------------------------
    C("explore: different years", "explore o.yaml s.yaml -o e.html", "scenarios cover different "
      "years: other 2022-2022, tiny 2022-2023", {"s.yaml": TINY, "o.yaml": OTHER.replace(
          "end: 2023\npolicy", "end: 2022\npolicy")}),
    C("explore: same names", "explore s.yaml t.yaml -o e.html", "two scenarios share a name",
      {"s.yaml": TINY, "t.yaml": TINY}),
    C("explore: a bad scenario", "explore o.yaml s.yaml -o e.html", "s.yaml:7: "
      "policy.fraction:", {"s.yaml": _edit(TINY, ("fraction: 0.5", "fraction: 7")),
                           "o.yaml": OTHER}),
    C("explore: missing file", "explore s.yaml nope.yaml -o e.html",
      "nope.yaml: file: cannot read it"),
    C("explore: unknown format", "explore s.yaml -o e.htm", "e.htm: unknown output format "
      "'.htm' (allowed: .html)"),
    C("explore: no such folder", "explore s.yaml -o no/e.html", "no/e.html: folder no does "
      "not exist"),
    C("explore: onto a folder", "explore s.yaml -o e.html", "e.html: is a folder",
      {"s.yaml": TINY, "e.html/": None}),
    C("explore: under a file", "explore s.yaml -o f/e.html", "f/e.html: f is a file, not a folder",
      {"s.yaml": TINY, "f": "x"}),
    C("explore: system folder", "explore s.yaml -o /proc/e.html", "/proc/e.html: cannot "
      "write in /proc"),
    C("explore: read-only folder", "explore s.yaml -o ro/e.html", "ro/e.html: cannot write "
      "in ro", {"s.yaml": TINY, "ro/": "read-only"}, root_ok=False),
    # --- list and calibrate ----------------------------------------------------------------
    C("list: unknown kind", "list ships", "list ships: not one of scenarios, keys, missions"),
    C("list: no such folder", "list scenarios --dir nope", "--dir nope: no such folder"),
    C("list: a file for a folder", "list scenarios --dir s.yaml", "--dir s.yaml: is a file (list "
      "scenarios reads the YAML files of a folder", {"s.yaml": TINY}),
    C("years before NATO's cost-share tables", "run s.yaml --set years.start=2015",
      "s.yaml with years.start=2015: years.start: the nato key (policy.key, its default) has "
      "NATO's cost-share tables from 2016 on", T("  key: equal\n", "  key: nato\n")),
    C("an impossible date in --set", "run s.yaml --set description=2022-02-30",
      "--set description=2022-02-30: the value is not a valid date (day is out of range for "
      "month); quote it to give it as text", {"s.yaml": TINY}),
    C("list: unknown format", "list keys --format xml", "--format xml: not one of table"),
    C("list: --dir with another kind", "list keys --dir elsewhere", "error: --dir elsewhere: "
      "applies to list scenarios only, not list keys"),  # it was silently ignored
    C("output: an existing folder without a suffix", "run s.yaml -o d", "error: d: is a "
      "folder; give the name of a file to write", {"s.yaml": TINY, "d/": None}),
    C("calibrate: missing points", "calibrate --points nope.csv -o c.md",
      "nope.csv: file is missing"),
    C("calibrate: empty points", "calibrate --points p.csv -o c.md",
      "p.csv: cannot read it: empty", {"p.csv": ""}),
    C("calibrate: points not UTF-8", "calibrate --points p.csv -o c.md",
      "p.csv: cannot read it: not UTF-8", {"p.csv": b"id,ally\n\xff\xfe,1\n"}),
    C("calibrate: points a folder", "calibrate --points p.csv -o c.md",
      "p.csv: cannot read it: Is a directory", {"p.csv/": None}),
    C("calibrate: a row with a field too many", "calibrate --points p.csv -o c.md",
      f"p.csv: cannot read it: line 3: expected {POINTS_HEAD.count(',') + 1} fields, "
      f"saw {POINTS_HEAD.count(',') + 2}",
      {"p.csv": f"{POINTS_HEAD}\n{POINT}\n{POINT},extra\n"}),
    C("calibrate: a quote never closed", "calibrate --points p.csv -o c.md",
      "p.csv: cannot read it: line 3: a quoted field is never closed",
      {"p.csv": f'{POINTS_HEAD}\n{POINT}\nX,"CZE\n'}),
    C("calibrate: a column missing", "calibrate --points p.csv -o c.md",
      "p.csv: missing column(s)", {"p.csv": "id,ally\nX,CZE\n"}),
    C("calibrate: a point without source", "calibrate --points p.csv -o c.md",
      "p.csv:2: source_id: empty", {"p.csv": POINTS_HEAD + "\n"
                                         + POINT.replace(",UC_CZ_BAP_2012,", ",,") + "\n"}),
    C("calibrate: a user's points file is named as given, not by its base name",
      "calibrate --points d/p.csv -o c.md", "error: d/p.csv:2: source_id: empty",
      {"d/p.csv": POINTS_HEAD + "\n" + POINT.replace(",UC_CZ_BAP_2012,", ",,") + "\n"}),
    C("calibrate: too few points to fit", "calibrate --points p.csv -o c.md",
      "error: p.csv: use: 1 point to fit, not held out; the fit of person_year, person_move, "
      "aircraft_month and beta needs more than 4", {"p.csv": f"{POINTS_HEAD}\n{POINT}\n"}),
    C("calibrate: a use the holdout rule does not give", "calibrate --points p.csv -o c.md",
      "error: p.csv:2: use: 'holdout', but the rule (a third of each kind's usable points, "
      "drawn by numpy.random.default_rng(0)) makes CZE_BAP_2012 a fit point",
      {"p.csv": f"{POINTS_HEAD}\n{POINT.replace(',fit,', ',holdout,')}\n"}),
    C("calibrate: the figure's name is a folder", "calibrate -o c.md",
      "error: calibration.png: is a folder; calibrate writes its figure beside the page under "
      "this name", {"calibration.png/": None}),
    C("calibrate: not markdown", "calibrate -o c.txt", "c.txt: unknown output format"),
    # --- command line usage ---------------------------------------------------------------
    C("unknown command", "bogus", "No such command 'bogus'"),
    C("run without a file", "run", "Missing argument 'file'"),
    C("unknown option", "run s.yaml --colour", "No such option: --colour"),
    C("--year a word", "run s.yaml --year soon", "Invalid value for '--year'"),
    C("sweep without output", "sweep w.yaml --samples 10", "Missing option '--output'", W()),
    C("--workers a word", "sweep w.yaml --workers two -o out.zarr", "Invalid value for "
      "'--workers'", W()),
    C("plot without --kind", "plot s.yaml -o x.png", "Missing option '--kind'"),
    C("compare one file", "compare s.yaml", "compare needs at least two scenarios"),
    C("compare a file with itself", "compare s.yaml s.yaml", "two scenarios share a name"),
    C("validate two files", "validate s.yaml s.yaml", "Got unexpected extra argument"),
]


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Turn a hang into a failure (a hang is one of the things this file guards against)."""
    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def write_files(folder: Path, files: dict[str, str | bytes | None]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("/"):
            path.mkdir(exist_ok=True)
            if content == "read-only":
                path.chmod(0o555)
        elif isinstance(content, Link):
            path.symlink_to(str(content))
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def snapshot(folder: Path) -> dict[str, int]:
    """Every path under the folder with its size (folders: -1)."""
    return {str(p.relative_to(folder)): (-1 if p.is_dir() else p.lstat().st_size)
            for p in folder.rglob("*")}


def invoke(argv: list[str], seconds: float = 60):
    with time_limit(seconds):
        return CliRunner().invoke(app, argv, catch_exceptions=True)


def assert_one_clean_line(result, expect: tuple[str, ...]) -> str:
    """Exit 2, one line ``error: ...`` holding every fragment, no traceback, nothing on stdout."""
    assert not (result.exception and not isinstance(result.exception, SystemExit)), \
        f"{type(result.exception).__name__}: {result.exception}"
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == "", result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for fragment in expect:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """Results the plot cases read: a run, a comparison and a small sweep store."""
    folder = tmp_path_factory.mktemp("made")
    write_files(folder, {"s.yaml": TINY, "o.yaml": OTHER, "w.yaml": SWEEP})
    for argv in (f"run {folder}/s.yaml -o {folder}/run.nc",
                 f"compare {folder}/o.yaml {folder}/s.yaml -o {folder}/cmp.nc",
                 f"sweep {folder}/w.yaml --samples 8 --workers 1 -o {folder}/s.zarr"):
        assert invoke(shlex.split(argv)).exit_code == 0, argv
    return folder


def _param(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


def test_the_catalogue_is_large_and_names_each_case_once():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 150
    commands = {c.argv.split()[0] for c in CASES}
    assert {"run", "validate", "compare", "sweep", "sensitivity", "plot", "report",
            "explore"} <= commands


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input_gets_one_line(case: Case, tmp_path, monkeypatch, request):
    if not case.root_ok and os.geteuid() == 0:
        pytest.skip("root can write into a read-only folder")
    write_files(tmp_path, case.files)
    argv = case.argv
    if "{made}" in argv:
        argv = argv.format(made=request.getfixturevalue("made"))
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    result = invoke(shlex.split(argv), seconds=10)
    expect = (case.expect,) if isinstance(case.expect, str) else case.expect
    assert_one_clean_line(result, expect)
    assert snapshot(tmp_path) == before, "something was left behind"


def test_library_errors_name_options_and_the_command_line_names_flags(tmp_path):
    import burden_sim

    path = tmp_path / "s.yaml"
    path.write_text(TINY)
    with pytest.raises(burden_sim.BurdenSimError) as caught:
        burden_sim.simulate(path, set={"policy.fracton": 0.5})
    # a change is the file's: named with it (compare changes every file)
    assert str(caught.value).startswith(f"{path} with policy.fracton=0.5: names no field")
    result = invoke(["run", str(path), "--set", "policy.fracton=0.5"])
    assert_one_clean_line(result, (f"error: {path} with policy.fracton=0.5: names no field",))
    result = invoke(["run", str(path), "--set", "policy.fraction"])  # no file read yet
    assert_one_clean_line(result, ("error: --set policy.fraction: expected PATH=VALUE",))


def test_a_change_the_data_cannot_answer_names_the_file_and_the_change(tmp_path):
    """Valid for the schema, refused by the data: the file and the change, not '<scenario>'."""
    path = tmp_path / "s.yaml"
    path.write_text(TINY)
    result = invoke(["run", str(path), "--set", "years.end=2030"])
    assert_one_clean_line(result, (f"error: {path} with years.end=2030: years.end: no GDP "
                                   "figures for 2030",))
    # a value is shown as typed (YAML on one line, its keys in the order typed), in these
    # errors and the schema's, whose fields are named as a file's are
    result = invoke(["run", str(path), "--set", "policy.key={name: gdpx}"])
    assert_one_clean_line(result, (f"error: {path} with policy.key={{name: gdpx}}: ",))
    result = invoke(["run", str(path), "--set",
                     "policy.key={name: gdp, caps: [{ally: USA, max_share: 1.5}]}"])
    assert_one_clean_line(result, (f"error: {path} with policy.key={{name: gdp, caps: [{{ally: "
                                   "USA, max_share: 1.5}]}: policy.key.caps[0].max_share: ",))
    result = invoke(["run", str(path), "--set", "policy.eligible_missions=[mü]"])
    assert_one_clean_line(result, (f"error: {path} with policy.eligible_missions=[mü]: ",))


def test_the_second_of_two_sweeps_into_one_new_store_gets_one_line(tmp_path, monkeypatch):
    """Both saw no folder; the first moves its own into place, the second finds it taken."""
    import tempfile

    from burden_sim.api import load
    from burden_sim.errors import BurdenSimError
    from burden_sim.explore import store
    from burden_sim.explore.sweep import plan_sweep

    path = tmp_path / "w.yaml"
    path.write_text(SWEEP)
    scenario, baseline = load(path)
    sweep = plan_sweep(scenario, baseline, samples=4)
    target = tmp_path / "out.zarr"
    real = tempfile.mkdtemp

    def first_sweep_wins(*args, **kwargs):
        made = real(*args, **kwargs)
        if not target.exists():  # the other sweep moves its store into place meanwhile
            target.mkdir()
            (target / store.MANIFEST).write_text("{}")
        return made

    monkeypatch.setattr(tempfile, "mkdtemp", first_sweep_wins)
    with pytest.raises(BurdenSimError, match="out.zarr: already exists"):
        store.open_store(sweep, target, resume=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.zarr", "w.yaml"]  # no staging


@pytest.mark.parametrize(("pandas_says", "line"), [
    ("Error tokenizing data. C error: Expected 5 fields in line 30, saw 6\n",
     "line 30: expected 5 fields, saw 6"),
    ("Error tokenizing data. C error: EOF inside string starting at row 29",
     "line 30: a quoted field is never closed"),  # pandas' rows count the header as 0
    ("Error tokenizing data. C error: Buffer overflow caught\n",
     "not a CSV table (Buffer overflow caught)"),
])
def test_a_csv_parser_error_keeps_its_line(pandas_says, line):
    from burden_sim.inputs.tables import parser_problem

    assert parser_problem(pandas_says) == line


def test_a_whole_unit_cost_can_be_set_by_its_path(tmp_path):
    """unit_costs.X=VALUE sets the central value; a mapping sets the whole cost (it was read as
    a central value: 'Input should be a valid number')."""
    import burden_sim

    path = tmp_path / "s.yaml"
    path.write_text(TINY)
    cost = {"central": 50000, "low": 40000, "high": 120000}
    by_path = burden_sim.load_scenario(path, set={"unit_costs.person_year": cost})
    by_block = burden_sim.load_scenario(path, set={"unit_costs": {"person_year": cost}})
    assert by_path.unit_costs == by_block.unit_costs
    assert by_path.unit_costs["person_year"].high == 120000
    central = burden_sim.load_scenario(path, set={"unit_costs.person_year": 50000})
    assert central.unit_costs["person_year"].central == 50000


def test_a_unit_cost_keeps_the_shipped_fields_it_does_not_give():
    """{central: X} changes the central value only: the currency and range stay the shipped
    ones (a USD flight hour became EUR and lost its range, found by a review)."""
    import burden_sim
    from burden_sim.inputs.baseline import load_baseline
    from burden_sim.model.costs import merged_cost, unit_prices

    shipped = load_baseline().unit_costs
    scenario = burden_sim.load_scenario(Path(burden_sim.__file__).parents[2] / "scenarios"
                                        / "engine_history.yaml", set={
        "unit_costs.flight_hour_f16": {"central": 19321}})
    given = scenario.unit_costs["flight_hour_f16"]
    cost = merged_cost(shipped["flight_hour_f16"], given)
    assert (cost.currency, cost.low, cost.high) == ("USD", 7000, 26927) == (
        shipped["flight_hour_f16"].currency, shipped["flight_hour_f16"].low,
        shipped["flight_hour_f16"].high)
    prices = unit_prices(shipped, {"flight_hour_f16": given}, ("flight_hour_f16",))
    assert prices.currency == ("USD",) and (prices.low[0], prices.high[0]) == (7000, 26927)


def test_a_partial_unit_cost_survives_a_change_and_a_sweep(tmp_path):
    """A scenario changed after loading (--set, a sweep's point) wrote its partial unit cost
    out whole, the schema's EUR and empty range with it (a second review): USD 15.5 m on
    engine_history."""
    import burden_sim
    from burden_sim.inputs.baseline import load_baseline
    from burden_sim.inputs.paths import with_unit_costs
    from burden_sim.model.costs import unit_prices

    shipped = load_baseline().unit_costs
    path = tmp_path / "e.yaml"
    path.write_text((Path(burden_sim.__file__).parents[2] / "scenarios" / "engine_history.yaml")
                    .read_text() + "unit_costs:\n  flight_hour_f16: {central: 19321}\n")
    changed = burden_sim.load_scenario(path, set={"description": "the same"})
    prices = unit_prices(shipped, changed.unit_costs, ("flight_hour_f16",))
    assert prices.currency == ("USD",) and (prices.low[0], prices.high[0]) == (7000, 26927)
    swept = with_unit_costs(burden_sim.load_scenario(path), shipped)["unit_costs"]
    assert swept["flight_hour_f16"]["currency"] == "USD" and swept["flight_hour_f16"]["low"] == 7000
    # another currency needs its own range: the shipped one is in USD
    euros = tmp_path / "eur.yaml"
    euros.write_text(path.read_text().replace("{central: 19321}",
                                              "{central: 19321, currency: EUR}"))
    with pytest.raises(burden_sim.BurdenSimError, match="currency EUR: the shipped range is in "
                       "USD; give low and high in EUR too"):
        burden_sim.load_scenario(euros)
