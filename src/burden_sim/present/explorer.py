"""The explorer: one self-contained HTML page that recomputes a policy exactly as an analyst
moves the fraction repaid, the annual cap, the unit costs, the funding key and the years.

Every cost is linear in the unit prices, so the page embeds each scenario's costs at each
category's unit price ([category, ally, year], in USD per unit of the price), the shares of
every funding key, GDP, defence spending and membership, and applies the rules of
policies.common_fund and metrics.defence_after to them in JavaScript: the same arithmetic as
the Calculator, not an approximation (tests/test_explorer.py checks it in a real browser).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path

import numpy as np

from ..api import load
from ..engine.catalogue import ACTIVITIES
from ..engine.schedule import ScheduleCache
from ..errors import BurdenSimError
from ..inputs.baseline import Source
from ..inputs.rules import terms
from ..inputs.schema import FundingKey
from ..model import costs
from ..model.calculator import Calculator
from ..model.keys import KEY_METHODS, funding_key
from .files import check_output_path, write_atomically

TEMPLATE = Path(__file__).with_name("explorer.html")
DATA_MARK = "/*EXPLORER-DATA*/"
# What one unit of each written-out category is (the engine's are in deploy.ACTIVITIES).
UNITS = {
    "person_year": "person-years in theatre",
    "aircraft_month": "fighter-months on air policing",
    "host_support": "euros of host-nation support",
    "person_move": "person-moves (one person and a share of the equipment moved once)",
}


def write(paths: list[Path], output: Path) -> int:
    """Build the page for ``paths`` and write it to ``output`` (.html) whole or not at all;
    returns its size in bytes."""
    check_output_path(output, {".html": "HTML"})
    if output.is_dir():
        raise BurdenSimError(f"{output}: is a folder (give a file name ending in .html)")
    if not output.parent.is_dir() or not os.access(output.parent, os.W_OK):
        raise BurdenSimError(f"{output}: cannot write into {output.parent}")
    page = build(paths).encode("utf-8")
    try:
        write_atomically(output, lambda tmp: Path(tmp).write_bytes(page))
    except OSError as exc:
        raise BurdenSimError(f"{output}: cannot write it ({exc.strerror or exc})") from None
    return len(page)


def build(paths: list[str | Path]) -> str:
    """The page for scenario files that cover the same years."""
    if not paths:
        raise BurdenSimError("explore needs at least one scenario file")
    schedules = ScheduleCache()
    loaded = [load(path, schedules) for path in paths]
    names = [scenario.name for scenario, _ in loaded]
    if len(set(names)) != len(names):
        raise BurdenSimError(f"two scenarios share a name ({', '.join(names)}): names label "
                             "the page's scenario selector")
    spans = {(s.years.start, s.years.end) for s, _ in loaded}
    if len(spans) > 1:
        raise BurdenSimError("scenarios cover different years: " + ", ".join(
            f"{s.name} {s.years.start}-{s.years.end}" for s, _ in loaded)
            + " (the explorer's year selector is shared; explore them separately)")
    models = [Calculator.build(scenario, baseline, schedules) for scenario, baseline in loaded]
    return render(page_data(models))


def render(data: dict) -> str:
    """The template with the data inlined (``</`` escaped so the JSON cannot end the script)."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    return TEMPLATE.read_text(encoding="utf-8").replace(DATA_MARK, text)


class _Arrays:
    """Flat arrays stored once: scenarios that share a schedule or a key refer to one copy."""

    def __init__(self) -> None:
        self.arrays: list[list[float | None]] = []
        self._seen: dict[str, int] = {}

    def add(self, values: np.ndarray) -> int:
        flat = np.ascontiguousarray(values, dtype=float).ravel()
        digest = hashlib.sha1(flat.tobytes()).hexdigest()
        if digest not in self._seen:
            self._seen[digest] = len(self.arrays)
            self.arrays.append([None if math.isnan(v) else _number(v) for v in flat.tolist()])
        return self._seen[digest]


def _number(value: float) -> float | int:
    """Integers without '.0' (a smaller page); JSON keeps every other float exactly."""
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def page_data(models: list[Calculator]) -> dict:
    """Everything the page needs, for scenarios over the same years."""
    first = models[0]
    store = _Arrays()
    scenarios = [scenario_data(m, store) for m in models]
    used = sorted({s for sc in scenarios for cat in sc["categories"] for s in cat["sources"]})
    return {
        "allies": list(first.baseline.allies),
        "names": list(first.baseline.names),
        "years": [int(y) for y in first.years],
        "scenarios": scenarios,
        "arrays": store.arrays,
        "sources": _sources(used, first.baseline.sources),
    }


def key_options(p: Calculator) -> list[tuple[str, str, FundingKey]]:
    """(id, label, spec) of every key the model offers, and the scenario's own when it is not
    one of them (custom weights or extra caps)."""
    own = p.scenario.policy.key
    options = [(name, name, FundingKey(name=name)) for name in KEY_METHODS if name != "custom"]
    if own.name == "custom" or own.caps:
        options.insert(0, ("scenario", f"{own.name}, as in the scenario", own))
    return options


def scenario_data(p: Calculator, store: _Arrays) -> dict:
    """One scenario's coefficients, data and defaults."""
    policy = p.scenario.policy
    # what a fund would cover, also where the scenario's own rule moves no money
    covered = terms(policy.model_copy(update={"rule": "common_fund"}), p.years).eligibility(
        p.missions, p.categories)
    unit = np.eye(len(p.categories))
    gross = costs.gross_cost(p.activity, unit, p.factor)  # [c, a, y] per unit price, USD
    eligible = costs.gross_cost(p.activity, unit, p.factor, covered)
    by_category = covered.max(axis=0)
    separable = np.array_equal(eligible, gross * by_category[:, None, None])
    own = policy.key
    keys = []
    for ident, label, spec in key_options(p):
        try:
            shares = p.key if spec == own else funding_key(p.baseline, spec, p.years)
        except BurdenSimError as exc:  # e.g. a key without figures for these years
            keys.append({"id": ident, "label": label, "unavailable": str(exc)})
            continue
        keys.append({"id": ident, "label": label, "method": shares.method,
                     "excluded": list(shares.excluded), "shares": store.add(shares.shares)})
    own_id = "scenario" if own.name == "custom" or own.caps else own.name
    fund = p.terms.moves_money
    high_claims = (p.prices.high[:, None, None] * eligible).sum(axis=(0, 1))  # [y], f = 1
    cap_max = max(_nice_ceiling(float(high_claims.max()) / 1e6),
                  (policy.annual_cap_usd or 0) / 1e6)
    elastic = p.scenario.deployment is not None and p.scenario.deployment.elasticity > 0
    return {
        "name": p.scenario.name,
        "description": " ".join(p.scenario.description.split()),
        "rule": policy.rule,
        "moves_money": fund,
        "edition": p.baseline.edition,
        "engine": p.scenario.deployment is not None,
        "elastic": elastic,
        "projected_from": (p.baseline.gdp_last_year + 1) if p.scenario.projection else None,
        "fraction": p.terms.fraction,
        "phase": p.terms.phase().tolist() if fund else [1.0] * len(p.years),
        "cap": p.terms.annual_cap_usd,
        "cap_max_musd": cap_max,
        "key": own_id,
        "accounting": policy.accounting,
        "eligible_missions": policy.eligible_missions,
        "eligible_categories": policy.eligible_categories,
        "missions": list(p.missions),
        "categories": _categories(p),
        "gross": store.add(gross),
        "eligible_mask": by_category.tolist() if separable else None,
        "eligible": None if separable else store.add(eligible),
        "keys": keys,
        "cost_level": _cost_level(p, store),
        "gdp": store.add(p.gdp),
        "defence_pct": store.add(p.defence_pct),
        "member": store.add(p.member.astype(float)),
    }


def _cost_level(p: Calculator, store: _Arrays) -> dict:
    """The national cost level's beta (the scenario's, and the fit's standard error and
    bounds), each ally's relative GDP per capita and which categories it applies to: the page
    rescales ``gross`` and ``eligible`` (built at the scenario's beta) when beta moves."""
    fit = p.baseline.cost_level
    return {"beta": p.beta, "fitted": fit.value, "se": fit.se, "low": fit.low,
            "high": fit.high, "source": fit.source, "relative": store.add(p.relative),
            "levelled": [bool(costs.levelled_category(c)) for c in p.categories]}


def _nice_ceiling(x: float) -> float:
    """The next 1, 2 or 5 times a power of ten above x (a slider's end), at least 10."""
    if x <= 10:
        return 10.0
    power = 10 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= x)


def _categories(p: Calculator) -> list[dict]:
    overrides = p.scenario.unit_costs
    out = []
    for i, name in enumerate(p.categories):
        if name in overrides:
            source, note = overrides[name].source or "the scenario file", "set in the scenario"
        else:
            source, note = p.baseline.unit_costs[name].source, p.baseline.unit_cost_notes[name]
        out.append({
            "name": name,
            "unit": UNITS.get(name) or ACTIVITIES.get(name, name),
            "currency": p.prices.currency[i],
            "central": float(p.prices.central[i]),
            "low": float(p.prices.low[i]),
            "high": float(p.prices.high[i]),
            "sources": [s.strip() for s in str(source).split(";") if s.strip()],
            "note": str(note),
        })
    return out


def _sources(ids: list[str], known: dict[str, Source]) -> dict[str, dict]:
    out = {}
    for ident in ids:
        if ident not in known:
            continue  # a scenario's own free-text source: shown as written
        row = known[ident]
        out[ident] = {"title": row.title, "publisher": row.publisher, "date": row.date,
                      "url": row.url if row.url.startswith(("http://", "https://")) else ""}
    return out
