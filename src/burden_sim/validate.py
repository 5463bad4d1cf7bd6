"""Every cross-check of a scenario against the baseline and the mission catalogue: what the
schema alone cannot see (unknown allies, years without data, missions the catalogue lacks, a
mission no ally can fill). Errors are one line naming the file, line and field."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from .engine.catalogue import load_catalogue
from .engine.plan import pool_sizes
from .engine.schedule import ScheduleCache
from .inputs.baseline import Baseline
from .inputs.loading import Origin
from .inputs.schema import Scenario, merged_cost
from .model.calculator import categories_for, mission_ids
from .model.costs import SAMPLES_BUDGET, samples_memory


def check_scenario(scenario: Scenario, baseline: Baseline, origin: Origin | None = None,
                   schedules: ScheduleCache | None = None) -> None:
    """Reject what the schema allows but the baseline or the catalogue cannot answer: one
    line naming the file, line and field. A deployment block's plan is built once, in
    ``schedules`` (which the caller then passes on to the model)."""
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
    projection = scenario.projection
    if projection is not None and projection.target_year is not None \
            and projection.target_year <= last:
        raise origin.error(("projection", "target_year"), f"{projection.target_year}: the path "
                           f"to the target starts after the last year with data ({last}); "
                           "give a later year")
    periods = baseline.cost_shares.periods
    if scenario.policy.key.name == "nato" and periods and scenario.years.start < periods[0].start:
        raise origin.error(("years", "start"), f"the nato key (policy.key, its default) has "
                           f"NATO's cost-share tables from {periods[0].start} on "
                           "(nato_cost_share_periods.csv); start then, or set another "
                           "policy.key (e.g. gdp)")
    phase_in = scenario.policy.phase_in
    if phase_in and scenario.policy.rule == "common_fund" and min(phase_in) > scenario.years.end:
        raise origin.error(("policy", "phase_in"), f"starts in {min(phase_in)}, after the "
                           f"scenario's years ({scenario.years.start}-{scenario.years.end}): "
                           "the fund would never pay")

    _check_samples(scenario, baseline, origin)
    categories = categories_for(scenario)
    if scenario.deployment is not None:
        _check_deployment(scenario, baseline, origin, schedules or ScheduleCache())
    missions = mission_ids(scenario)
    for name, override in scenario.unit_costs.items():
        if name not in categories:
            raise origin.error(("unit_costs", name), f"unknown cost category {name!r} "
                               f"(allowed here: {', '.join(categories)})")
        shipped = baseline.unit_costs[name]
        cost = merged_cost(shipped, override)
        low, high = cost.bounds
        given = {"low", "high"} <= override.model_fields_set and (
            (cost.low, cost.high) != (shipped.low, shipped.high))  # not the shipped range again
        if cost.currency != shipped.currency and not given:
            raise origin.error(("unit_costs", name), f"currency {cost.currency}: the shipped "
                               f"range is in {shipped.currency}; give low and high in "
                               f"{cost.currency} too")
        if not low <= cost.central <= high:
            raise origin.error(("unit_costs", name), f"need low <= central <= high, got "
                               f"{low:.12g}, {cost.central:.12g}, {high:.12g} (low and high "
                               "not given are the shipped range's: give them too)")
    for j, name in enumerate(scenario.policy.eligible_categories or []):
        if name not in categories:
            raise origin.error(("policy", "eligible_categories", j), f"unknown cost category "
                               f"{name!r} (allowed here: {', '.join(categories)})")
    for i, name in enumerate(missions):
        if name in missions[:i]:
            loc = ("missions", i, "id") if scenario.deployment is None else \
                ("deployment", "missions", i)
            raise origin.error(loc, f"a second mission {name!r} (mission ids are unique)")
    for i, mission in enumerate(scenario.missions):
        for j, host in enumerate(mission.hosts):
            ally(host, "missions", i, "hosts", j)
            joined = int(baseline.accession_year[baseline.index(host)])
            if joined > scenario.years.end:
                raise origin.error(("missions", i, "hosts", j), f"{host} joined NATO in "
                                   f"{joined}, after the scenario's years")
        seen: dict[str, int] = {}
        for j, c in enumerate(mission.contributions):
            ally(c.ally, "missions", i, "contributions", j, "ally")
            joined = int(baseline.accession_year[baseline.index(c.ally)])
            if c.start < joined:
                raise origin.error(("missions", i, "contributions", j, "start"),
                                   f"{c.ally} joined NATO in {joined}, after {c.start}")
            same = c.model_dump_json(exclude={"source"})
            if same in seen:
                raise origin.error(("missions", i, "contributions", j), f"the same as "
                                   f"contributions[{seen[same]}] (ally, role, years and size): "
                                   "it would be counted twice")
            seen[same] = j
    policy = scenario.policy
    for j, mission_id in enumerate(policy.eligible_missions or []):
        if mission_id not in missions:
            raise origin.error(("policy", "eligible_missions", j), f"no mission "
                               f"{mission_id!r} (missions: {', '.join(missions)})")
    years = np.asarray(scenario.year_list)
    member = baseline.members(years)  # [ally, year]
    for j, cap in enumerate(policy.key.caps):
        ally(cap.ally, "policy", "key", "caps", j, "ally")
        if cap.at_share_of is not None:
            ally(cap.at_share_of, "policy", "key", "caps", j, "at_share_of")
            if cap.at_share_of == cap.ally:
                raise origin.error(("policy", "key", "caps", j, "at_share_of"), f"a cap of "
                                   f"{cap.ally} at its own share does nothing")
            lacking = member[baseline.index(cap.ally)] & ~member[
                baseline.index(cap.at_share_of)]
            if lacking.any():
                raise origin.error(("policy", "key", "caps", j, "at_share_of"), f"{cap.at_share_of}"
                                   f" is not a member in {_years(years[lacking])}, when "
                                   f"{cap.ally} is: its share there is 0")
    capped = {baseline.index(c.ally): c.max_share for c in policy.key.caps
              if c.max_share is not None}
    for y, year in enumerate(years):
        inside = np.flatnonzero(member[:, y])
        if all(a in capped for a in inside) and sum(capped[a] for a in inside) < 1 - 1e-12:
            raise origin.error(("policy", "key", "caps"), f"the caps cannot all hold in {year}: "
                               f"every member is capped and the caps add up to "
                               f"{sum(capped[a] for a in inside):.4g}, less than 1")
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
        weight = np.array([policy.key.weights.get(a, 0.0) for a in baseline.allies])
        empty = (weight[:, None] * member).sum(axis=0) <= 0
        if empty.any():
            raise origin.error(("policy", "key", "weights"), f"no member has a positive "
                               f"weight in {_years(years[empty])}: the fund would raise nothing")


def _years(years: np.ndarray) -> str:
    """2022 or 2022-2024 (the years are consecutive enough for a message)."""
    first, last = int(years.min()), int(years.max())
    return f"{first}" if first == last else f"{first}-{last}"


def _check_samples(scenario: Scenario, baseline: Baseline, origin: Origin) -> None:
    """Samples whose arrays would take more than a run's memory budget are refused before
    anything is allocated (a MemoryError, or the system killing the process, otherwise)."""
    if not scenario.samples:
        return
    shape = len(baseline.allies), len(scenario.year_list)
    need = samples_memory(scenario.samples, *shape)
    if need > SAMPLES_BUDGET:
        most = SAMPLES_BUDGET // samples_memory(1, *shape)
        raise origin.error(("samples",), f"{scenario.samples:,} draws need about "
                           f"{need / 1e9:,.1f} GB of memory, more than the "
                           f"{SAMPLES_BUDGET / 1e9:.0f} GB a run may take (at most {most:,} "
                           f"draws over {shape[1]} years); use burden-sim sweep for large "
                           "Monte Carlo")


def _check_deployment(scenario: Scenario, baseline: Baseline, origin: Origin,
                      schedules: ScheduleCache) -> None:
    """Reject a deployment block the catalogue or the horizon cannot answer (one line each)."""
    deployment = scenario.deployment
    assert deployment is not None
    catalogue = load_catalogue()
    known = list(catalogue.missions)
    first, last = date(scenario.years.start, 1, 1), date(scenario.years.end + 1, 1, 1)

    def mission(name: str, *loc) -> None:
        if name not in known:
            raise origin.error(("deployment", *loc), f"no mission {name!r} in the catalogue "
                               f"(missions: {', '.join(known)})")

    def ally(code: str, *loc) -> None:
        if code not in baseline.allies:
            raise origin.error(("deployment", *loc), f"unknown ally {code!r} (use ISO3 codes "
                               "of the 32 allies, e.g. GBR, USA, DEU)")

    def within(day: date, *loc) -> None:
        if not first <= day < last:
            raise origin.error(("deployment", *loc), f"{day} is outside the horizon "
                               f"({first} to {last - timedelta(days=1)})")

    for i, name in enumerate(deployment.missions or []):
        mission(name, "missions", i)
    used = deployment.missions or known

    def deployed(name: str, *loc) -> None:  # else the setting would silently change nothing
        mission(name, *loc)
        if name not in used:
            raise origin.error(("deployment", *loc), f"{name} is not among deployment.missions "
                               f"({', '.join(used)}), so this would change nothing")

    for table in ("interval_days", "duration_days", "transit_days"):
        for name in getattr(deployment, table):
            deployed(name, table, name)
    for code in deployment.pools:
        ally(code, "pools", code)
    for i, s in enumerate(deployment.surges):
        deployed(s.mission, "surges", i, "mission")
        within(s.start, "surges", i, "start")
    for i, c in enumerate(deployment.changes):
        deployed(c.mission, "changes", i, "mission")
        ally(c.ally, "changes", i, "ally")
        within(c.start, "changes", i, "start")
        air = catalogue.missions[c.mission].kind == "air_policing"
        if c.aircraft_type is not None and c.aircraft_type not in catalogue.platform_of:
            raise origin.error(("deployment", "changes", i, "aircraft_type"), "unknown aircraft "
                               f"type {c.aircraft_type!r} (known: "
                               f"{', '.join(sorted(catalogue.platform_of))})")
        if c.action == "join" and air and not (c.aircraft and c.aircraft_type):
            raise origin.error(("deployment", "changes", i), f"joining {c.mission} needs "
                               "aircraft and aircraft_type")
        if c.action == "join" and not air and (c.aircraft or c.aircraft_type):
            raise origin.error(("deployment", "changes", i, "aircraft"), f"{c.mission} is "
                               "not an air-policing mission: give personnel or ships")
    plan = schedules.plan(scenario, baseline, catalogue)
    ids = [spec.id for spec in plan.missions]
    for i, c in enumerate(deployment.changes):
        barred = baseline.index(c.ally)
        if c.action == "withdraw" and not any(
                s.barred == barred and s.mission == ids.index(c.mission) for s in plan.slots):
            raise origin.error(("deployment", "changes", i, "ally"), f"{c.ally} holds no slot "
                               f"of {c.mission} from {c.start}"
                               f"{f' to {c.end}' if c.end else ''} when it applies, so "
                               "withdrawing changes nothing (changes apply in their order: "
                               "a withdrawal from a join comes after the join)")
    pools = pool_sizes(plan, catalogue, deployment, baseline)
    for m, spec in enumerate(plan.missions):
        if not any(s.mission == m for s in plan.slots):
            continue
        able = pools[spec.unit] > 0
        able[[baseline.index(h) for h in spec.hosts]] = False
        if not able.any():
            where = ("pools",) if deployment.pools else ("missions", used.index(spec.id)) \
                if deployment.missions else ("missions",)
            raise origin.error(("deployment", *where), f"no ally can contribute to "
                               f"{spec.id}: every non-host ally's {spec.unit} pool is empty")
