"""The public API: validate a scenario against the baseline, simulate it, compare scenarios."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from . import core, costs, deploy, metrics, policies
from .baseline import DATA_DIR, DEFAULT_EDITION, Baseline, load_baseline
from .errors import BurdenSimError
from .keys import KeyShares, funding_key
from .projection import extend
from .results import build_dataset
from .scenario import Origin, Policy, Scenario, UnitCost, load_scenario


def categories_for(scenario: Scenario) -> tuple[str, ...]:
    """The cost categories of a scenario: the engine's, or those of written-out missions."""
    return costs.CATEGORIES if scenario.deployment is None else deploy.CATEGORIES


def default_unit_costs(scenario: Scenario | None = None,
                       data_dir: Path = DATA_DIR) -> dict[str, UnitCost]:
    """Shipped central/low/high unit costs (data/unit_costs.csv), for a scenario's categories
    (all of them without one)."""
    table = pd.read_csv(data_dir / "unit_costs.csv")
    wanted = None if scenario is None else categories_for(scenario)
    return {
        row.category: UnitCost(central=row.central, low=row.low, high=row.high,
                               currency=row.currency, source=row.source_id)
        for row in table.itertuples() if wanted is None or row.category in wanted
    }


def check_scenario(scenario: Scenario, baseline: Baseline, origin: Origin | None = None) -> None:
    """Reject what the structure allows but the baseline cannot answer."""
    origin = origin or Origin()
    known = set(baseline.allies)

    def ally(code: str, *loc: str | int) -> None:
        if code not in known:
            raise origin.error(loc, f"unknown ally {code!r} (use ISO3 codes of the 32 allies, "
                               "e.g. GBR, USA, DEU)")

    first, last = int(baseline.years[0]), baseline.gdp_last_year
    for end in ("start", "end"):
        year = getattr(scenario.years, end)
        if year < first:
            raise origin.error(("years", end), f"no data for {year} (the data start in {first})")
        if year > last and scenario.projection is None:
            raise origin.error(("years", end), f"no GDP figures for {year} (gdp.csv covers "
                               f"{first}-{last}; add a projection: block to go further)")
        if year > last and end == "start":
            raise origin.error(("years", end), f"a scenario must start by {last}, the last "
                               "year with data, so that a projection has somewhere to start")
    categories = categories_for(scenario)
    if scenario.deployment is not None:
        deploy.check(scenario, baseline, origin)
        mission_ids = scenario.deployment.missions or list(deploy.load_catalogue().missions)
    else:
        mission_ids = [m.id for m in scenario.missions]
    for name in scenario.unit_costs:
        if name not in categories:
            raise origin.error(("unit_costs", name), f"unknown cost category {name!r} "
                               f"(allowed here: {', '.join(categories)})")
    for j, name in enumerate(scenario.policy.eligible_categories or []):
        if name not in categories:
            raise origin.error(("policy", "eligible_categories", j), f"unknown cost category "
                               f"{name!r} (allowed here: {', '.join(categories)})")
    if len(set(mission_ids)) != len(mission_ids):
        raise origin.error(("missions",), "two missions share an id")
    for i, mission in enumerate(scenario.missions):
        for j, host in enumerate(mission.hosts):
            ally(host, "missions", i, "hosts", j)
        for j, c in enumerate(mission.contributions):
            ally(c.ally, "missions", i, "contributions", j, "ally")
            joined = int(baseline.accession_year[baseline.index(c.ally)])
            if c.start < joined:
                raise origin.error(("missions", i, "contributions", j, "start"),
                                   f"{c.ally} joined NATO in {joined}, after {c.start}")
    policy = scenario.policy
    for j, mission_id in enumerate(policy.eligible_missions or []):
        if mission_id not in mission_ids:
            raise origin.error(("policy", "eligible_missions", j), f"no mission "
                               f"{mission_id!r} (missions: {', '.join(mission_ids)})")
    for j, cap in enumerate(policy.key.caps):
        ally(cap.ally, "policy", "key", "caps", j, "ally")
        if cap.at_share_of is not None:
            ally(cap.at_share_of, "policy", "key", "caps", j, "at_share_of")
    if policy.key.weights is not None:
        for code in policy.key.weights:
            ally(code, "policy", "key", "weights", code)
        members = baseline.members(np.asarray(scenario.year_list)).any(axis=1)
        lacking = [a for a, m in zip(baseline.allies, members, strict=True)
                   if m and a not in policy.key.weights]
        if lacking:
            raise origin.error(("policy", "key", "weights"), "the key does not cover every "
                               f"ally: no weight for {', '.join(lacking)}")
        if sum(policy.key.weights.values()) <= 0:
            raise origin.error(("policy", "key", "weights"), "weights must not all be zero")


def load(path: str | Path) -> tuple[Scenario, Baseline]:
    """Parse a scenario file and check it against the edition it names."""
    scenario, origin = load_scenario(path)
    try:
        baseline = load_baseline(scenario.edition or DEFAULT_EDITION)
    except BurdenSimError as exc:
        raise origin.error(("edition",), str(exc)) from None
    check_scenario(scenario, baseline, origin)
    return scenario, baseline


@dataclass(frozen=True)
class Prepared:
    """Everything a scenario fixes before unit costs, the fraction or the cap vary."""

    scenario: Scenario
    baseline: Baseline
    years: list[int]
    gdp: np.ndarray  # [a, y]
    defence_pct: np.ndarray  # [a, y]
    member: np.ndarray  # [a, y]
    missions: list[str]
    categories: tuple[str, ...]
    activity: np.ndarray  # [a, m, y, c]
    schedule: deploy.Schedule | None  # what the deployment engine produced, if it ran
    prices: costs.UnitPrices
    factor: np.ndarray  # [c, y]
    key: KeyShares
    eligibility: np.ndarray  # [m, c]


def prepare(scenario: Scenario, baseline: Baseline,
            unit_costs: dict[str, UnitCost] | None = None) -> Prepared:
    """The deployment schedule and the data of a (checked) scenario, ready for the core."""
    years = scenario.year_list
    if scenario.projection is not None:
        baseline = extend(baseline, years[-1], scenario.projection)
    cols = baseline.year_positions(years)
    key = funding_key(baseline, scenario.policy.key, years)
    categories = categories_for(scenario)
    if scenario.deployment is None:
        missions = [m.id for m in scenario.missions]
        activity, schedule = costs.activity_tensor(scenario, baseline), None
    else:
        missions = scenario.deployment.missions or list(deploy.load_catalogue().missions)
        policy = scenario.policy
        fraction = (policies.fraction_by_year(policy.fraction, policy.phase_in, years)
                    if policy.rule == "common_fund" else np.zeros(len(years)))
        covered = np.array([policy.eligible_missions is None or m in policy.eligible_missions
                            for m in missions], dtype=float)
        schedule = deploy.schedule(scenario, baseline, key.shares, fraction, covered)
        activity = schedule.activity.values
    prices = costs.unit_prices(unit_costs or default_unit_costs(scenario), scenario.unit_costs,
                               categories)
    return Prepared(
        scenario=scenario,
        baseline=baseline,
        years=years,
        gdp=baseline.gdp_usd[:, cols],
        defence_pct=baseline.defence_pct_gdp[:, cols],
        member=baseline.members(np.asarray(years)),
        missions=missions,
        categories=categories,
        activity=activity,
        schedule=schedule,
        prices=prices,
        factor=costs.usd_factor(prices, np.array([baseline.usd_per_eur[y] for y in years])),
        key=key,
        eligibility=eligibility(scenario.policy, missions, categories),
    )


def outcomes(p: Prepared, prices: np.ndarray, fraction: np.ndarray, annual_cap: policies.Cap,
             wanted: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """The core: unit prices [s, c], fraction [y] or [s, y], cap -> sampled results.

    ``wanted`` limits the metrics computed (the rank statistics cost the most).
    """
    eligibility = p.eligibility
    if p.scenario.policy.rule == "deploying_nation_pays":
        fraction, eligibility, annual_cap = np.zeros(len(p.years)), 0 * eligibility, None
    gross, reimbursed, contributed, net = core.cost_sharing(
        p.activity, prices, p.factor, eligibility, p.key.shares, fraction, annual_cap)
    transfers = policies.Transfers(reimbursed, contributed)
    out = {"gross": gross, "reimbursed": reimbursed, "contributed": contributed, "net": net,
           "net_pct_gdp": 100 * net / p.gdp[None]}

    def after_pct() -> np.ndarray:
        if "defence_pct_gdp_after" not in out:
            defence = p.defence_pct / 100 * p.gdp
            after = metrics.defence_after(defence, *transfers, p.scenario.policy.accounting)
            out["defence_pct_gdp_after"] = 100 * after / p.gdp[None]
        return out["defence_pct_gdp_after"]

    def ranks(test) -> tuple[np.ndarray, np.ndarray]:
        ranked = p.member & ~np.isnan(p.defence_pct)
        size = np.broadcast_to(p.gdp[None], after_pct().shape)
        return test(size, after_pct(), ranked)

    derived = {
        "defence_pct_gdp_after": after_pct,
        "fair_share": lambda: metrics.fair_share_ratio(net, p.gdp, p.member),
        "marginal_cost": lambda: policies.marginal_cost(
            costs.gross_cost(p.activity, prices, p.factor, eligibility), fraction, p.key.shares,
            annual_cap),
        "allies_at_2pct": lambda: metrics.count_at_or_above(after_pct(), 2.0, p.member),
        "allies_at_3_5pct": lambda: metrics.count_at_or_above(after_pct(), 3.5, p.member),
        "gini_net_pct_gdp": lambda: metrics.gini(out["net_pct_gdp"], p.member),
        ("spearman_rho", "spearman_p"): lambda: ranks(metrics.spearman),
        ("kendall_tau", "kendall_p"): lambda: ranks(metrics.kendall_tau_b),
    }
    for names, compute in derived.items():
        names = names if isinstance(names, tuple) else (names,)
        if wanted is None or any(n in wanted for n in names):
            values = compute()
            out.update(zip(names, values, strict=True) if len(names) > 1 else
                       {names[0]: values})
    return out


def simulate(scenario: str | Path | Scenario, baseline: Baseline | None = None) -> xr.Dataset:
    """Run a scenario; returns an xarray Dataset over (sample,) ally and year."""
    if isinstance(scenario, Scenario):
        baseline = baseline or load_baseline(scenario.edition or DEFAULT_EDITION)
        check_scenario(scenario, baseline)
    else:
        scenario, baseline = load(scenario)
    p = prepare(scenario, baseline)
    policy = scenario.policy
    arrays = outcomes(
        p,
        costs.draw_prices(p.prices, scenario.samples, scenario.seed),
        policies.fraction_by_year(policy.fraction, policy.phase_in, p.years),
        policy.annual_cap_usd,
    )
    arrays |= {
        "gross_by_mission": costs.gross_by_mission(p.activity, p.prices.central, p.factor),
        "gdp": p.gdp, "defence_pct_gdp": p.defence_pct, "key_share": p.key.shares,
        "member": p.member,
    }
    if p.schedule is not None:
        arrays |= p.schedule.counts() | {"activity": p.schedule.activity}
    return build_dataset(
        scenario=scenario.name, allies=p.baseline.allies,
        missions=p.missions, years=p.years, arrays=arrays,
        with_samples=scenario.samples > 0,
        attrs={
            "edition": p.baseline.edition,
            "rule": policy.rule,
            "fraction": policy.fraction if policy.rule == "common_fund" else 0.0,
            "funding_key": policy.key.name,
            "funding_key_method": p.key.method,
            "funding_key_excluded": ", ".join(p.key.excluded) or "none",
            "annual_cap_usd": -1.0 if policy.annual_cap_usd is None else policy.annual_cap_usd,
            "accounting": policy.accounting,
            "projected_from": p.baseline.gdp_last_year + 1 if scenario.projection else 0,
            "samples": scenario.samples,
            "seed": scenario.seed,
        },
    )


def deployments(scenario: Scenario, baseline: Baseline) -> pd.DataFrame | None:
    """The engine's dated deployments of a scenario with a deployment: block (else None)."""
    if scenario.deployment is None:
        return None
    return prepare(scenario, baseline).schedule.deployments


def eligibility(policy: Policy, missions: list[str], categories: tuple[str, ...]) -> np.ndarray:
    """e[mission, category]: 1 where the fund covers that mission's costs of that category."""
    covered_missions = policy.eligible_missions or missions
    covered_categories = policy.eligible_categories or categories
    by_mission = np.array([m in covered_missions for m in missions])
    by_category = np.array([c in covered_categories for c in categories])
    return (by_mission[:, None] & by_category[None, :]).astype(float)


def compare(*scenarios: str | Path | Scenario) -> xr.Dataset:
    """Simulate several scenarios over the same years; a ``scenario`` dimension, and
    ``net_change`` against the first (negative: the ally pays less)."""
    if len(scenarios) < 2:
        raise BurdenSimError("compare needs at least two scenarios")
    runs = [simulate(s) for s in scenarios]
    names = [ds.attrs["scenario"] for ds in runs]
    if len(set(names)) != len(names):
        raise BurdenSimError(f"two scenarios share a name ({', '.join(names)}): names label "
                             "the comparison")
    spans = {(int(ds.year[0]), int(ds.year[-1])) for ds in runs}
    if len(spans) > 1:
        raise BurdenSimError("scenarios cover different years: "
                             + ", ".join(f"{n} {int(d.year[0])}-{int(d.year[-1])}"
                                         for n, d in zip(names, runs, strict=True)))
    shared = set.intersection(*(set(ds.mission.values.tolist()) for ds in runs))
    keep = [m for m in runs[0].mission.values.tolist() if m in shared]
    per_run = [ds.sel(mission=keep).drop_attrs() for ds in runs]
    combined = xr.concat(per_run, dim=pd.Index(names, name="scenario"),
                         data_vars="all", coords="minimal", compat="override")
    combined["net_change"] = combined["net"] - combined["net"].isel(scenario=0)
    combined["net_change"].attrs = {"units": combined["net"].attrs.get("units", ""),
                                    "long_name": f"net cost minus {names[0]}'s"}
    combined.attrs = {"baseline_scenario": names[0], "scenarios": ", ".join(names)}
    for key in ("rule", "fraction", "funding_key", "funding_key_method", "accounting",
                "edition"):
        combined[f"{key}_by_scenario"] = ("scenario", [str(ds.attrs[key]) for ds in runs])
    return combined


def sweep(scenario: str | Path | Scenario, parameters: dict | None = None, *,
          design: str = "grid", samples: int | None = None, seed: int | None = None,
          variables: tuple[str, ...] = ("net", "net_pct_gdp", "reimbursed", "contributed",
                                        "allies_at_2pct", "allies_at_3_5pct")) -> xr.Dataset:
    """A sweep in memory, for notebooks: ``parameters`` maps dotted paths to values (a list)
    or to a distribution (a mapping, as in a scenario's ``parameters:`` block). Large sweeps
    belong in ``burden-sim sweep``, which streams to disk."""
    from . import sweeps
    from .scenario import Uncertain

    if not isinstance(scenario, Scenario):
        scenario, _ = load(scenario)
    specs = {path: Uncertain(values=list(spec)) if isinstance(spec, list | tuple | np.ndarray)
             else Uncertain.model_validate(spec) for path, spec in (parameters or {}).items()}
    plan = sweeps.make_plan(scenario, design=design, samples=samples, seed=seed,
                            overrides=specs, variables=variables)
    return sweeps.to_dataset(plan)
