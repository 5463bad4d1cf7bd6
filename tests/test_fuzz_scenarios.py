"""Mutated copies of the shipped scenarios: each is a valid run or one clean line (issue 13).

Hypothesis changes a number (to one huge, tiny, negative or not finite) or any value (to
strings, dates, nulls, lists, mappings), deletes a field or duplicates a line of the file.
Whatever comes out, ``simulate`` must either give finite results in which money is moved, never
made, or raise a ``BurdenSimError`` of one line; never another exception, never a hang.
"""

from __future__ import annotations

import functools
import json
import signal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

import burden_sim

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("deploying_nation_pays", "common_fund", "fund_capped", "fund_gdp_key",
           "fund_enablers_only", "hague_trajectory", "engine_history", "engine_open_common_fund")
NUMBERS = st.one_of(
    st.sampled_from([0, -1, 1e308, -1e308, 1e-300, float("inf"), float("nan"), 0.001, 1e9]),
    st.floats(allow_nan=True, allow_infinity=True),
)
VALUES = st.one_of(
    st.sampled_from([0, -1, 1e308, -1e308, 1e-300, float("inf"), float("nan"), "", "GBR", "xyz",
                     None, True, [], {}, "2022-13-45", "2023-02-30", 2101, 1900, 0.001]),
    st.integers(-10**9, 10**9),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a parsed YAML document."""
    found = [prefix] if prefix else []
    items = (node.items() if isinstance(node, dict) else
             enumerate(node) if isinstance(node, list) else ())
    for k, child in items:
        found += _paths(child, (*prefix, k))
    return found


def _at(data: Any, path: tuple) -> Any:
    for k in path:
        data = data[k]
    return data


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@functools.cache
def _shipped(name: str) -> str:
    """A shipped scenario with its missions inlined, as JSON (quick to copy)."""
    data = yaml.load((ROOT / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8"), LOADER)
    if isinstance(data.get("missions"), str):
        included = ROOT / "scenarios" / data["missions"]
        # a third of the missions keep each run short; the mutation is what matters
        missions = yaml.load(included.read_text(encoding="utf-8"), LOADER)["missions"]
        data["missions"] = missions[: max(1, len(missions) // 3)]
    return json.dumps(data, default=str)


@st.composite
def mutated(draw) -> str:
    """The text of a shipped scenario with one mutation."""
    data = json.loads(_shipped(draw(st.sampled_from(SHIPPED))))
    how = draw(st.sampled_from(["number"] * 4 + ["replace", "delete", "duplicate line"]))
    if how == "duplicate line":
        lines = yaml.dump(data, Dumper=DUMPER, sort_keys=False).splitlines(keepends=True)
        i = draw(st.integers(0, len(lines) - 1))
        return "".join(lines[: i + 1] + lines[i:])
    paths = _paths(data)
    if how == "number":
        paths = [p for p in paths if _is_number(_at(data, p))] or paths
    path = draw(st.sampled_from(paths))
    return _set(data, path, DELETE if how == "delete" else
                draw(NUMBERS if how == "number" else VALUES))


DELETE = object()


def _set(data: dict, path: tuple, value: Any) -> str:
    parent = _at(data, path[:-1])
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return yaml.dump(data, Dumper=DUMPER, sort_keys=False)


def shipped_with(name: str, path: tuple, value: Any) -> str:
    """A shipped scenario with one value set (the explicit examples)."""
    return _set(json.loads(_shipped(name)), path, value)


def _alarm(signum, frame):
    raise TimeoutError("a mutated scenario is still running after 20 s")


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],  # no shrinking: the failing text is shown
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=mutated())
@example(text=shipped_with("fund_capped", ("missions", 0, "contributions", 3, "aircraft"), 1e308))
@example(text=shipped_with("common_fund", ("policy", "fraction"), float("nan")))
@example(text=shipped_with("engine_history", ("deployment", "prior_slots"), float("inf")))
@example(text=shipped_with("fund_gdp_key", ("policy", "eligible_categories"), []))
@example(text=shipped_with("hague_trajectory", ("policy", "key"), "un_regular"))
def test_a_mutated_scenario_runs_or_fails_in_one_line(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, 20)
    try:
        ds = burden_sim.simulate(path)
    except burden_sim.BurdenSimError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 400, message
        event("one line")
        return
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    event("a run")
    money = ds[["gross", "reimbursed", "contributed", "net"]]
    for name, values in money.items():
        if not np.isfinite(values.values).all():
            pytest.fail(f"{name}: {int((~np.isfinite(values.values)).sum())} cells not finite")
    gross, net = ds["gross"].sum("ally").values, ds["net"].sum("ally").values
    if not np.allclose(net, gross, rtol=0, atol=1e-9 * max(1.0, np.abs(gross).max())):
        pytest.fail(f"net {net} does not add up to gross {gross}")


def test_the_fuzz_reads_every_shipped_scenario():
    shipped = {p.stem for p in (ROOT / "scenarios").glob("*.yaml")}
    assert set(SHIPPED) <= shipped
