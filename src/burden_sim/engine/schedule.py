"""The schedule: what the engine produced, as an activity tensor U[ally, mission, year,
category] with its record of deployments and gaps; and the cache that runs it once per
structure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..inputs.baseline import Baseline
from ..inputs.schema import Scenario
from .catalogue import ACTIVITIES, CATEGORIES, Catalogue, MissionSpec, load_catalogue
from .plan import (
    OPEN,
    DeploymentPlan,
    Slot,
    build_plan,
    clock_day,
    interval_of,
    pool_sizes,
    volunteer_weights,
)
from .simulation import Engine

if TYPE_CHECKING:
    import xarray as xr  # imported where a schedule is built: validate needs none


@dataclass(frozen=True)
class Schedule:
    """What the engine produced: activity U[ally, mission, year, activity] and its record."""

    activity: xr.DataArray
    deployments: pd.DataFrame  # one row per filled slot
    gaps: pd.DataFrame  # one row per slot nobody could fill
    pools: dict[str, np.ndarray]
    events: int

    @property
    def missions(self) -> list[str]:
        """The missions of the schedule, in its order."""
        return self.activity.mission.values.tolist()

    def counts(self) -> dict[str, np.ndarray]:
        """Participation [ally, year]; distinct contributors, unfilled slots and rotations with
        an unfilled slot [mission, year]."""
        allies, missions = self.activity.ally.values.tolist(), self.missions
        years = self.activity.year.values.tolist()

        def table(frame: pd.DataFrame, rows: str, labels: list, how: str) -> np.ndarray:
            if not len(frame):
                return np.zeros((len(labels), len(years)))
            grouped = frame[frame.year.isin(years)].groupby([rows, "year"])
            counted = {"distinct": lambda: grouped.ally.nunique(), "size": grouped.size,
                       "rotations": lambda: grouped.rotation.nunique()}[how]()
            return (counted.unstack("year").reindex(index=labels, columns=years)
                    .fillna(0).to_numpy(float))

        return {
            "deployments": table(self.deployments, "ally", allies, "size"),
            "distinct_contributors": table(self.deployments, "mission", missions, "distinct"),
            "unfilled_slots": table(self.gaps, "mission", missions, "size"),
            "unfilled_rotations": table(self.gaps, "mission", missions, "rotations"),
        }


class ScheduleCache:
    """Plans and schedules already built, by structure: the caller owns one and passes it on,
    so that validating and simulating a scenario build its plan once, and unit costs, sweeps'
    vectorised parameters and Monte Carlo samples never rerun SimPy."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.runs = 0  # how many times SimPy ran for this cache
        self._plans: dict[str, DeploymentPlan] = {}
        self._schedules: dict[str, Schedule] = {}

    def plan(self, scenario: Scenario, baseline: Baseline,
             catalogue: Catalogue | None = None) -> DeploymentPlan:
        """The scenario's deployment plan, built once per structure."""
        key = _structure(scenario, baseline, with_policy=False)
        if key not in self._plans:
            self._keep(self._plans, key,
                       build_plan(scenario, baseline, catalogue or load_catalogue()))
        return self._plans[key]

    def schedule(self, scenario: Scenario, baseline: Baseline, key_shares: np.ndarray,
                 fraction: np.ndarray, eligible: np.ndarray) -> Schedule:
        """The activity schedule of a scenario with a ``deployment:`` block: SimPy runs once
        per distinct structure (and policy, when volunteering responds to it)."""
        key = _structure(scenario, baseline,
                         with_policy=scenario.deployment.elasticity > 0)
        if key not in self._schedules:
            self.runs += 1
            plan = self.plan(scenario, baseline)
            self._keep(self._schedules, key,
                       run_schedule(scenario, baseline, plan, key_shares, fraction, eligible))
        return self._schedules[key]

    def _keep(self, table: dict, key: str, value) -> None:
        if len(table) >= self.size:
            table.pop(next(iter(table)))
        table[key] = value


def _structure(scenario: Scenario, baseline: Baseline, with_policy: bool) -> str:
    """What fixes a schedule: the deployment block, the years and the edition; and the policy
    and projection when who volunteers depends on them."""
    deployment = scenario.deployment
    assert deployment is not None
    structure = {"deployment": deployment.model_dump(mode="json"),
                 "years": scenario.years.model_dump(), "edition": baseline.edition}
    if with_policy:
        structure["policy"] = scenario.policy.model_dump(mode="json")
        structure["projection"] = (scenario.projection.model_dump(mode="json")
                                   if scenario.projection else None)
    return json.dumps(structure, sort_keys=True)


def make_engine(scenario: Scenario, baseline: Baseline, plan: DeploymentPlan,
                key_shares: np.ndarray, fraction: np.ndarray,
                eligible: np.ndarray) -> tuple[Engine, dict[str, np.ndarray]]:
    """The engine, ready to run, and the pools it starts from: key shares [ally, year],
    fraction repaid [year] and covered missions [mission] set what volunteering costs."""
    deployment = scenario.deployment
    catalogue = load_catalogue()
    pools = pool_sizes(plan, catalogue, deployment, baseline)
    log_weight = volunteer_weights(plan, pools, deployment, baseline, key_shares, fraction,
                                   eligible)
    member_from = np.array([clock_day(date(int(y), 1, 1), plan.origin)
                            for y in baseline.accession_year])
    transit = np.array([interval_of(deployment, spec)[2] for spec in plan.missions])
    recovery = {k: deployment.recovery_days.get(k, v) for k, v in catalogue.recovery_days.items()}
    engine = Engine(plan, {k: v.copy() for k, v in pools.items()}, log_weight, member_from,
                    transit, recovery, deployment.seed)
    return engine, pools


def run_schedule(scenario: Scenario, baseline: Baseline, plan: DeploymentPlan,
                 key_shares: np.ndarray, fraction: np.ndarray,
                 eligible: np.ndarray) -> Schedule:
    """Run the engine on a plan and gather what it produced."""
    engine, pools = make_engine(scenario, baseline, plan, key_shares, fraction, eligible)
    engine.run()
    return Schedule(
        activity=activity_tensor(engine, baseline, scenario.year_list),
        deployments=_frame([s for s, _ in engine.filled], [a for _, a in engine.filled],
                           engine.plan, baseline),
        gaps=_frame(engine.gaps, [OPEN] * len(engine.gaps), engine.plan, baseline),
        pools=pools,
        events=engine.events,
    )


def _frame(slots: list[Slot], allies: list[int], plan: DeploymentPlan,
           baseline: Baseline) -> pd.DataFrame:
    origin = pd.Timestamp(plan.origin)
    frame = pd.DataFrame({
        "mission": [plan.missions[s.mission].id for s in slots],
        "rotation": [s.rotation for s in slots],
        "role": [s.role for s in slots],
        "ally": [baseline.allies[a] if a != OPEN else "" for a in allies],
        "recorded_ally": [baseline.allies[s.recorded] if s.recorded != OPEN else ""
                          for s in slots],
        "start": pd.to_datetime([origin + pd.Timedelta(days=s.start) for s in slots]),
        "end": pd.to_datetime([origin + pd.Timedelta(days=s.end) for s in slots]),
        "personnel": [s.personnel for s in slots],
        "aircraft": [s.aircraft for s in slots],
        "platform": [s.platform or plan.platform_of_ally.get(a, "") if s.aircraft else ""
                     for s, a in zip(slots, allies, strict=True)],
        "ships": [s.ships for s in slots],
    })
    frame["year"] = frame.start.dt.year
    order = {spec.id: m for m, spec in enumerate(plan.missions)}
    return frame.sort_values(["mission", "start"], key=lambda c: c.map(order)
                             if c.name == "mission" else c, kind="stable", ignore_index=True)


def slot_rates(specs: list[MissionSpec], mission: np.ndarray, personnel: np.ndarray,
               aircraft: np.ndarray, platform: list[str], ships: np.ndarray,
               hour_scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What each slot counts [slot, category] per day away (in theatre and in transit), per day
    in theatre and per move: the activity equations of methodology.md, section 7. A fighter
    detachment's people count no person-days or moves: the charged flight hours price the
    whole detachment (the published costs they are fitted on include its people)."""
    column = {c: i for i, c in enumerate(CATEGORIES)}
    away, theatre, move = (np.zeros((len(mission), len(CATEGORIES))) for _ in range(3))
    kind = np.array([specs[m].kind for m in mission])
    people = np.where(kind == "air_policing", 0.0, personnel)
    away[:, column["person_day"]] = people
    move[:, column["person_move"]] = people
    rate = np.array([s.flight_hours_per_aircraft_day for s in specs])[mission] * hour_scale
    flown = np.array([column.get(f"flight_hour_{p}", -1) for p in platform], dtype=int)
    air = np.flatnonzero(flown >= 0)
    theatre[air, flown[air]] = (aircraft * rate)[air]
    ship_col = np.array([column.get(f"ship_day_{specs[m].unit}", -1) for m in mission],
                        dtype=int)
    sea = np.flatnonzero(ship_col >= 0)
    theatre[sea, ship_col[sea]] = ships[sea]
    return away, theatre, move


def activity_tensor(engine: Engine, baseline: Baseline, years: list[int]) -> xr.DataArray:
    """U[ally, mission, year, category] from the filled slots: days split between years
    exactly; each category's unit is a coordinate, and the cost category of the same name
    prices it."""
    plan = engine.plan
    n_a, n_m, n_y = len(baseline.allies), len(plan.missions), len(years)
    activity = np.zeros((n_a, n_m, n_y, len(CATEGORIES)))
    if engine.filled:
        slots = [s for s, _ in engine.filled]
        ally = np.array([a for _, a in engine.filled])
        mission = np.array([s.mission for s in slots])
        start = np.array([s.start for s in slots])
        end = np.array([s.end for s in slots])
        transit = engine.transit[mission]
        platform = [s.platform or plan.platform_of_ally.get(a, "")
                    for s, a in engine.filled]
        bounds = np.array([clock_day(date(y, 1, 1), plan.origin) for y in [*years, years[-1] + 1]])

        def overlap(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:  # [slot, year] in days
            return np.clip(np.minimum(hi[:, None], bounds[None, 1:])
                           - np.maximum(lo[:, None], bounds[None, :-1]), 0, None)

        in_theatre = overlap(start, end)
        leaves = start - transit
        moved = (leaves[:, None] >= bounds[None, :-1]) & (leaves[:, None] < bounds[None, 1:])
        away, theatre, move = slot_rates(
            plan.missions, mission, np.array([s.personnel for s in slots]),
            np.array([s.aircraft for s in slots]), platform,
            np.array([s.ships for s in slots]), plan.hour_scale)
        per_year = (overlap(start - transit, end + transit)[:, :, None] * away[:, None, :]
                    + in_theatre[:, :, None] * theatre[:, None, :]
                    + moved[:, :, None] * move[:, None, :])
        np.add.at(activity, (ally, mission), per_year)
        column = CATEGORIES.index("hns_day")
        for m, spec in enumerate(plan.missions):
            if spec.host_support and spec.hosts:
                hosted = in_theatre[mission == m].sum(axis=0) / len(spec.hosts)
                for host in spec.hosts:
                    activity[baseline.index(host), m, :, column] += hosted
    import xarray as xr

    return xr.DataArray(
        activity, dims=("ally", "mission", "year", "category"),
        coords={"ally": list(baseline.allies), "mission": [s.id for s in plan.missions],
                "year": years, "category": list(CATEGORIES),
                "unit": ("category", list(ACTIVITIES.values()))},
        name="activity", attrs={"long_name": "deployment activity from the SimPy engine"},
    )
