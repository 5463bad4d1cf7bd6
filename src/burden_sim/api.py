"""The public API: validate a scenario against the baseline and simulate it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from . import costs, policies
from .baseline import DATA_DIR, DEFAULT_EDITION, Baseline, load_baseline
from .errors import BurdenSimError, ScenarioError
from .keys import funding_key
from .results import build_dataset
from .scenario import Scenario, UnitCost, load_scenario


def default_unit_costs(data_dir: Path = DATA_DIR) -> dict[str, UnitCost]:
    """Shipped central/low/high unit costs (data/unit_costs.csv), in EUR."""
    table = pd.read_csv(data_dir / "unit_costs.csv")
    return {
        row.category: UnitCost(central=row.central, low=row.low, high=row.high,
                               currency=row.currency, source=row.source_id)
        for row in table.itertuples()
    }


def check_scenario(scenario: Scenario, baseline: Baseline, file: str = "<scenario>") -> None:
    """Reject what the structure allows but the baseline cannot answer."""
    known = set(baseline.allies)
    with_gdp = baseline.years[~np.isnan(baseline.gdp_usd).any(axis=0)].tolist()
    for field, year in (("years.start", scenario.years.start), ("years.end", scenario.years.end)):
        if year not in baseline.years:
            raise ScenarioError(file, field, f"no data for {year} in edition {baseline.edition} "
                                f"(it covers {baseline.years[0]}-{baseline.years[-1]})")
        if year not in with_gdp:
            raise ScenarioError(file, field, f"no GDP figures for {year} (gdp.csv covers "
                                f"{with_gdp[0]}-{with_gdp[-1]})")
    mission_ids = [m.id for m in scenario.missions]
    if len(set(mission_ids)) != len(mission_ids):
        raise ScenarioError(file, "missions", "two missions share an id")
    for i, mission in enumerate(scenario.missions):
        for j, host in enumerate(mission.hosts):
            if host not in known:
                raise ScenarioError(file, f"missions[{i}].hosts[{j}]", _unknown_ally(host))
        for j, c in enumerate(mission.contributions):
            where = f"missions[{i}].contributions[{j}]"
            if c.ally not in known:
                raise ScenarioError(file, f"{where}.ally", _unknown_ally(c.ally))
            joined = int(baseline.accession_year[baseline.index(c.ally)])
            if c.start < joined:
                raise ScenarioError(file, f"{where}.start", f"{c.ally} joined NATO in {joined}, "
                                    f"after {c.start}")
    for j, mission_id in enumerate(scenario.policy.eligible_missions or []):
        if mission_id not in mission_ids:
            raise ScenarioError(file, f"policy.eligible_missions[{j}]",
                                f"no mission {mission_id!r} (missions: {', '.join(mission_ids)})")


def _unknown_ally(code: str) -> str:
    return f"unknown ally {code!r} (use ISO3 codes of the 32 allies, e.g. GBR, USA, DEU)"


def load(path: str | Path) -> tuple[Scenario, Baseline]:
    """Parse a scenario file and check it against the edition it names."""
    scenario = load_scenario(path)
    try:
        baseline = load_baseline(scenario.edition or DEFAULT_EDITION)
    except BurdenSimError as exc:
        raise ScenarioError(path, "edition", str(exc)) from None
    check_scenario(scenario, baseline, str(path))
    return scenario, baseline


def simulate(scenario: str | Path | Scenario, baseline: Baseline | None = None) -> xr.Dataset:
    """Run a scenario; returns an xarray Dataset over (sample,) ally and year."""
    if isinstance(scenario, Scenario):
        baseline = baseline or load_baseline(scenario.edition or DEFAULT_EDITION)
        check_scenario(scenario, baseline)
    else:
        scenario, baseline = load(scenario)
    years = scenario.year_list
    activity = costs.activity_tensor(scenario, baseline)
    prices = costs.unit_prices(default_unit_costs(), scenario.unit_costs)
    drawn = costs.draw_prices(prices, scenario.samples, scenario.seed)
    gross = costs.gross_cost(activity, drawn, costs.usd_factor(prices, baseline, years))

    policy = scenario.policy
    key = funding_key(baseline, policy.key, years)
    if policy.rule == "deploying_nation_pays":
        transfers = policies.deploying_nation_pays(gross)
    else:
        eligible_ids = policy.eligible_missions or [m.id for m in scenario.missions]
        eligible = np.array([m.id in eligible_ids for m in scenario.missions])
        transfers = policies.common_fund(gross, eligible, policy.fraction, key.shares)
    net = policies.net_cost(gross, transfers)

    return build_dataset(
        scenario=scenario.name,
        allies=baseline.allies,
        missions=[m.id for m in scenario.missions],
        years=years,
        gross=gross,
        reimbursed=transfers.reimbursed,
        contributed=transfers.contributed,
        net=net,
        gdp_usd=baseline.gdp_usd[:, baseline.year_positions(years)],
        key=key.shares,
        member=baseline.members(np.asarray(years)),
        with_samples=scenario.samples > 0,
        attrs={
            "edition": baseline.edition,
            "rule": policy.rule,
            "fraction": policy.fraction if policy.rule == "common_fund" else 0.0,
            "funding_key": policy.key,
            "funding_key_method": key.method,
            "funding_key_excluded": ", ".join(key.excluded) or "none",
            "samples": scenario.samples,
            "seed": scenario.seed,
        },
    )
