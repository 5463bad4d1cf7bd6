"""The deployment engine: SimPy force generation that turns missions into an activity schedule.

A mission is a process. For each rotation it asks allies' pools of deployable units for the
detachments, contingents or ships the rotation needs; a unit that deploys is away for the
rotation and its transit, then recovers before it can deploy again. Recorded contributors fill
their slots while they have a unit free; open slots go to a volunteer, drawn with weights
that fall with what one more deployment costs the ally under the policy (the elasticity); a
slot nobody can fill is a gap. Clock: days from 1 January of the year before the horizon
(a warm-up year, so that pools carry units deployed before it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd
import simpy
import xarray as xr

from .baseline import DATA_DIR, Baseline
from .errors import DataError
from .scenario import Deployment, Scenario, UnitKind
from .yaml_lines import load_yaml_with_lines

CATALOGUE_DIR = DATA_DIR / "catalogue"
PLATFORMS = ("f16", "f15", "typhoon", "gripen", "f18", "mirage2000", "rafale", "f35", "mig29")
# activity: what one unit of it is (the cost category of the same name prices it)
ACTIVITIES: dict[str, str] = {
    "person_day": "person-days deployed, in theatre and in transit (ship crews excluded)",
    "person_move": "persons moved into theatre, one per person and deployment",
    "hns_day": "days of host-nation support for one hosted detachment or contingent",
    **{f"flight_hour_{p}": f"flight hours flown by {p}" for p in PLATFORMS},
    "ship_day_frigate": "days a frigate or destroyer is attached to a group, crew included",
    "ship_day_mcm": "days a mine-countermeasures vessel is attached to a group, crew included",
}
CATEGORIES: tuple[str, ...] = tuple(ACTIVITIES)
OPEN = -1  # a slot without a recorded ally


@dataclass(frozen=True)
class MissionSpec:
    """The structure of one mission (catalogue/missions.yaml)."""

    id: str
    name: str
    kind: str  # air_policing | land | maritime | exercise
    unit: UnitKind
    hosts: tuple[str, ...]
    since: date
    interval_days: float
    duration_days: float
    transit_days: float
    host_support: bool = False
    aircraft: float = 0.0
    personnel: float = 0.0
    ships: float = 0.0
    flight_hours_per_aircraft_day: float = 0.0
    participant_days: float = 0.0
    detachments: tuple[tuple[date, int], ...] = ()


@dataclass(frozen=True)
class Catalogue:
    missions: dict[str, MissionSpec]
    recovery_days: dict[str, float]
    pools: dict[str, int | str]
    air: pd.DataFrame
    land: pd.DataFrame
    land_plans: pd.DataFrame  # announced changes past the record (the move to brigades)
    maritime: pd.DataFrame
    exercises: pd.DataFrame
    platform_of: dict[str, str]  # aircraft type as recorded -> platform


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The shipped mission catalogue and its records."""
    path = CATALOGUE_DIR / "missions.yaml"
    data, _ = load_yaml_with_lines(path)
    missions = {}
    for i, m in enumerate(data["missions"]):
        try:
            spec = dict(m)
            spec["hosts"] = tuple(spec.get("hosts", ()))
            spec["detachments"] = tuple((d["from"], int(d["count"]))
                                        for d in spec.get("detachments", ()))
            missions[m["id"]] = MissionSpec(**spec)
        except (TypeError, KeyError) as exc:
            raise DataError(path, f"mission {i}: {exc}") from None
    read = {name: pd.read_csv(CATALOGUE_DIR / f"{name}.csv", keep_default_na=False)
            for name in ("air_policing", "land", "land_plans", "maritime", "exercises",
                         "aircraft")}
    for name in ("air_policing", "land", "land_plans", "exercises"):
        for col in ("start", "end"):
            read[name][col] = pd.to_datetime(read[name][col]).dt.date
    return Catalogue(
        missions=missions,
        recovery_days={k: float(v) for k, v in data["recovery_days"].items()},
        pools=dict(data["pools"]),
        air=read["air_policing"],
        land=read["land"],
        land_plans=read["land_plans"],
        maritime=read["maritime"],
        exercises=read["exercises"],
        platform_of=dict(zip(read["aircraft"].aircraft_type, read["aircraft"].platform,
                             strict=True)),
    )


@dataclass(frozen=True)
class Slot:
    """One detachment, contingent or ship a rotation needs."""

    mission: int
    role: str
    unit: UnitKind
    ally: int  # recorded ally, or OPEN
    start: float  # days on the engine clock, in theatre
    end: float
    personnel: float = 0.0
    aircraft: float = 0.0
    platform: str = ""
    ships: float = 0.0
    rotation: int = 0
    recorded: int = OPEN  # who held the slot in the record (sizes pools and propensities)
    barred: int = OPEN  # an ally that withdrew from the slot


@dataclass
class Plan:
    """What each mission's rotations need, before anyone is assigned: slots by start time."""

    origin: date
    missions: list[MissionSpec]
    slots: list[Slot] = field(default_factory=list)
    propensity: np.ndarray | None = None  # [mission, ally] base weights of volunteering
    platform_of_ally: dict[int, str] = field(default_factory=dict)  # for open fighter slots


def _day(d: date, origin: date) -> float:
    return float((d - origin).days)


def _platform(catalogue: Catalogue, aircraft_type: str) -> str:
    return catalogue.platform_of[aircraft_type]


def _surge_factor(deployment: Deployment, mission: str, when: date) -> float:
    factor = 1.0
    for s in deployment.surges:
        if s.mission == mission and s.start <= when < s.start + timedelta(days=s.days):
            factor *= s.factor
    return factor


def _interval(deployment: Deployment, spec: MissionSpec) -> tuple[float, float, float]:
    return (deployment.interval_days.get(spec.id, spec.interval_days),
            deployment.duration_days.get(spec.id, spec.duration_days),
            deployment.transit_days.get(spec.id, spec.transit_days))


def _detachments(spec: MissionSpec, when: date) -> int:
    count = 0
    for start, n in spec.detachments:
        if start <= when:
            count = n
    return count


def build_plan(scenario: Scenario, baseline: Baseline, catalogue: Catalogue) -> Plan:
    """Rotations and their slots over the horizon, from the record and the structure."""
    deployment = scenario.deployment
    assert deployment is not None
    last = date(scenario.years.end + 1, 1, 1)
    origin = date(scenario.years.start - 1, 1, 1)
    ids = deployment.missions or list(catalogue.missions)
    specs = [catalogue.missions[m] for m in ids]
    plan = Plan(origin, specs)
    index = baseline.index
    counts = np.zeros((len(specs), len(baseline.allies)))
    for m, spec in enumerate(specs):
        interval, duration, _ = _interval(deployment, spec)
        builder = {"air_policing": _air_slots, "land": _land_slots,
                   "maritime": _maritime_slots, "exercise": _exercise_slots}[spec.kind]
        slots = builder(m, spec, catalogue, deployment, baseline, origin, origin, last,
                        interval, duration)
        slots = _apply_changes(slots, m, spec, deployment, baseline, catalogue, origin, last)
        plan.slots.extend(slots)
        for s in slots:
            if s.recorded != OPEN:
                counts[m, s.recorded] += 1
        if spec.kind == "maritime":
            seen = catalogue.maritime[catalogue.maritime.mission == spec.id]
            np.add.at(counts[m], [index(a) for a in seen.ally], 1)
    plan.slots.sort(key=lambda s: (s.start, s.mission, s.rotation))
    for row in catalogue.air.itertuples():
        plan.platform_of_ally[index(row.ally)] = _platform(catalogue, row.aircraft_type)
    for c in deployment.changes:
        if c.aircraft_type:
            plan.platform_of_ally[index(c.ally)] = _platform(catalogue, c.aircraft_type)
    plan.propensity = counts
    return plan


def _air_slots(m, spec, catalogue, deployment, baseline, origin, start, end, interval,
               duration) -> list[Slot]:
    record = catalogue.air[catalogue.air.mission == spec.id]
    slots, rotation = [], 0
    opened = deployment.plan == "open"
    for rotation, rows in record.groupby("rotation", sort=True):
        lead = rows.start.min()
        if rows.end.max() <= start or lead >= end:
            continue
        factor = _surge_factor(deployment, spec.id, lead)
        for row in rows.itertuples():
            personnel = float(row.personnel) if row.personnel != "" else spec.personnel
            who = baseline.index(row.ally)
            slots.append(Slot(m, row.role, spec.unit, OPEN if opened else who,
                              _day(row.start, origin), _day(row.end, origin), personnel,
                              float(row.aircraft), _platform(catalogue, row.aircraft_type),
                              rotation=int(rotation), recorded=who))
        extra = int(np.ceil(len(rows) * factor)) - len(rows)
        slots += [Slot(m, "augmenting", spec.unit, OPEN, _day(lead, origin),
                       _day(lead, origin) + duration, spec.personnel, spec.aircraft,
                       rotation=int(rotation)) for _ in range(extra)]
    # Past (or before) the record: rotations every interval, as many detachments as needed.
    covered = (record.start.min(), record.end.max()) if len(record) else (end, end)
    when, k = max(spec.since, start), int(rotation) + 1
    while when < end:
        if covered[0] <= when < covered[1]:
            when = covered[1]
            continue
        count = int(np.ceil(_detachments(spec, when) * _surge_factor(deployment, spec.id, when)))
        day = _day(when, origin)
        slots += [Slot(m, "lead" if j == 0 else "augmenting", spec.unit, OPEN, day,
                       day + duration, spec.personnel, spec.aircraft, rotation=k)
                  for j in range(count)]
        when, k = when + timedelta(days=interval), k + 1
    return slots


def _land_slots(m, spec, catalogue, deployment, baseline, origin, start, end, interval,
                duration) -> list[Slot]:
    record = catalogue.land[(catalogue.land.mission == spec.id) & (catalogue.land.troops > 0)]
    plans = catalogue.land_plans[catalogue.land_plans.mission == spec.id]
    slots, k = [], 0
    last_start = record.start.max() if len(record) else None
    opened = deployment.plan == "open"
    for year in range(start.year, end.year):
        offsets = np.arange(max(1, round(365 / interval))) * interval
        for j, offset in enumerate(offsets):
            when = date(year, 1, 1) + timedelta(days=float(offset))
            if when < spec.since or when >= end:
                continue
            stop = (date(year, 1, 1) + timedelta(days=float(offsets[j + 1]))
                    if j + 1 < len(offsets) else date(year + 1, 1, 1))
            # Past the record, the last recorded contingents stay.
            at = min(when, last_start) if last_start is not None and when > record.end.max() \
                else when
            present = record[(record.start <= at) & (record.end >= at)]
            planned = plans[(plans.start <= when) & (plans.end >= when)]
            if len(planned):  # an announced contingent replaces the ally's recorded one
                present = pd.concat([present[~present.ally.isin(planned.ally)], planned])
            factor = _surge_factor(deployment, spec.id, when)
            day = _day(when, origin)
            until = min(day + duration, _day(stop, origin))
            for row in present.itertuples():
                who = baseline.index(row.ally)
                fixed = row.role == "framework" or not opened
                slots.append(Slot(m, row.role, spec.unit, who if fixed else OPEN, day, until,
                                  float(row.troops) * factor, rotation=k, recorded=who))
            k += 1
    return slots


def _maritime_slots(m, spec, catalogue, deployment, baseline, origin, start, end, interval,
                    duration) -> list[Slot]:
    """Flagships follow the recorded command terms (a long term is served by several ships in
    turn); escorts, and the flagship where no command is recorded, rotate on a fixed grid."""
    commands = catalogue.maritime[(catalogue.maritime.mission == spec.id)
                                  & (catalogue.maritime.role == "command")]
    terms = [(date.fromisoformat(r.start), date.fromisoformat(r.end), baseline.index(r.ally))
             for r in commands.itertuples()]
    slots, k = [], 0
    for first, last, who in terms:
        if last <= start or first >= end:
            continue
        pieces = int(np.ceil((last - first).days / interval))
        bounds = np.linspace(_day(first, origin), _day(last, origin), pieces + 1)
        slots += [Slot(m, "command", spec.unit, who, lo, hi, ships=1, rotation=k + j,
                       recorded=who)
                  for j, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))]
        k += pieces
    when = spec.since
    while when < end:
        if when + timedelta(days=duration) > start:
            day = _day(when, origin)
            ships = int(np.ceil(spec.ships * _surge_factor(deployment, spec.id, when)))
            if not any(first <= when < last for first, last, _ in terms):
                later = [first for first, _, _ in terms if first > when]
                stop = min([day + duration, *(_day(f, origin) for f in later)])
                slots.append(Slot(m, "command", spec.unit, OPEN, day, stop, ships=1,
                                  rotation=k))
            slots += [Slot(m, "contributor", spec.unit, OPEN, day, day + duration, ships=1,
                           rotation=k) for _ in range(ships - 1)]
        when, k = when + timedelta(days=interval), k + 1
    return slots


def _exercise_slots(m, spec, catalogue, deployment, baseline, origin, start, end, interval,
                    duration) -> list[Slot]:
    record = catalogue.exercises[catalogue.exercises.mission == spec.id]
    if not len(record) or record.start.min() >= end or record.end.max() < start:
        return []
    when = record.start.min()
    day = _day(when, origin)
    factor = _surge_factor(deployment, spec.id, when)
    named = [a for a in record.ally if a != "OTHERS"]
    member = baseline.members(np.array([when.year]))[:, 0]
    others = [a for a, is_member in zip(baseline.allies, member, strict=True)
              if is_member and a not in named and a != "ISL"]  # Iceland has no armed forces
    slots = []
    for row in record.itertuples():
        allies = others if row.ally == "OTHERS" else [row.ally]
        for ally in allies:
            who = baseline.index(ally)
            slots.append(Slot(m, "participant", spec.unit, who, day,
                              day + spec.participant_days,
                              float(row.personnel) / len(allies) * factor, recorded=who))
    return slots


def _apply_changes(slots, m, spec, deployment, baseline, catalogue, origin,
                   end) -> list[Slot]:
    """Withdrawals open an ally's slots; joins add the ally to each rotation in the span."""
    out = list(slots)
    for c in deployment.changes:
        if c.mission != spec.id:
            continue
        ally = baseline.index(c.ally)
        lo = _day(c.start, origin)
        hi = _day(c.end, origin) if c.end else _day(end, origin)
        if c.action == "withdraw":
            out = [Slot(**{**s.__dict__, "ally": OPEN, "barred": ally})
                   if ally in (s.ally, s.recorded) and lo <= s.start < hi else s for s in out]
            continue
        spans: dict[int, tuple[float, float]] = {}
        for s in slots:  # one slot per rotation, over the rotation's span
            if lo <= s.start < hi:
                first, last = spans.get(s.rotation, (s.start, s.end))
                spans[s.rotation] = (min(first, s.start), max(last, s.end))
        rotations = sorted((r, first, last) for r, (first, last) in spans.items())
        platform = _platform(catalogue, c.aircraft_type) if c.aircraft_type else ""
        out += [Slot(m, "contributor" if spec.kind != "air_policing" else "augmenting",
                     spec.unit, ally, s, e, c.personnel or 0.0, c.aircraft or 0.0, platform,
                     c.ships or 0.0, rotation=r, recorded=ally) for r, s, e in rotations]
    return out


def pool_sizes(plan: Plan, catalogue: Catalogue, deployment: Deployment,
               baseline: Baseline) -> dict[str, np.ndarray]:
    """Units per ally and kind: the smallest that carry the recorded slots (``auto``), a fixed
    number for allies seen in the record, or the scenario's own numbers."""
    n = len(baseline.allies)
    transit = np.array([_interval(deployment, spec)[2] for spec in plan.missions])
    pools = {}
    for kind in sorted({spec.unit for spec in plan.missions}):
        rule = catalogue.pools[kind]
        recovery = deployment.recovery_days.get(kind, catalogue.recovery_days[kind])
        recorded = [s for s in plan.slots if s.unit == kind and s.recorded != OPEN]
        size = np.zeros(n)
        if rule == "unlimited":
            size[:] = np.inf
        elif rule == "auto" and recorded:
            size = _peak_busy(recorded, transit, recovery, n)
        elif isinstance(rule, int):
            of_kind = [m for m, spec in enumerate(plan.missions) if spec.unit == kind]
            size = np.where(plan.propensity[of_kind].sum(axis=0) > 0, rule, 0).astype(float)
        pools[kind] = size
    for code, given in deployment.pools.items():
        for kind, units in given.items():
            pools.setdefault(kind, np.zeros(n))[baseline.index(code)] = units
    return pools


def _peak_busy(slots: list[Slot], transit: np.ndarray, recovery: float, n: int) -> np.ndarray:
    """Per ally, the most units busy at once: from departure to the end of recovery."""
    ally = np.array([s.recorded for s in slots])
    mission = np.array([s.mission for s in slots])
    leave = np.array([s.start for s in slots]) - transit[mission]
    free_again = np.array([s.end for s in slots]) + transit[mission] + recovery
    times = np.concatenate([leave, free_again])
    step = np.concatenate([np.ones(len(ally)), -np.ones(len(ally))])
    who = np.concatenate([ally, ally])
    order = np.lexsort((step, times))  # at one instant, a return frees a unit first
    load = np.zeros((n, len(order)))
    load[who[order], np.arange(len(order))] = step[order]
    return np.maximum(np.cumsum(load, axis=1).max(axis=1), 0)


@dataclass
class Engine:
    """SimPy state: pools of free units, and the slots each mission filled or left open."""

    plan: Plan
    free: dict[str, np.ndarray]  # kind -> [ally] units free now
    log_weight: np.ndarray  # [mission, year, ally] of volunteering (-inf: cannot)
    member_from: np.ndarray  # [ally] first day of membership on the engine clock
    transit: np.ndarray  # [mission]
    recovery: dict[str, float]
    seed: int
    env: simpy.Environment = field(default_factory=simpy.Environment)
    filled: list[tuple[Slot, int]] = field(default_factory=list)
    gaps: list[Slot] = field(default_factory=list)
    events: int = 0

    def run(self) -> None:
        by_mission: dict[int, list[Slot]] = {}
        for s in self.plan.slots:
            by_mission.setdefault(s.mission, []).append(s)
        for m, slots in by_mission.items():
            # One stream per mission: a mission's draws do not depend on the others'.
            rng = np.random.default_rng(np.random.SeedSequence([self.seed, m]))
            self.env.process(self._mission(m, slots, rng))
        self.env.run()

    def _mission(self, m: int, slots: list[Slot], rng: np.random.Generator):
        for slot in slots:
            leave = max(slot.start - self.transit[m], 0.0)
            if leave > self.env.now:
                yield self.env.timeout(leave - self.env.now)
                self.events += 1
            ally = self._assign(slot, rng)
            if ally == OPEN:
                self.gaps.append(slot)
            else:
                self.free[slot.unit][ally] -= 1  # taken now, before any other slot is filled
                self.filled.append((slot, ally))
                self.env.process(self._recover(slot, ally))

    def _assign(self, slot: Slot, rng: np.random.Generator) -> int:
        free = self.free[slot.unit]
        if slot.ally != OPEN:  # a recorded deployment happened: it goes, pool or not
            return slot.ally
        year = int(np.clip(slot.start // 365.25, 0, self.log_weight.shape[1] - 1))
        weight = self.log_weight[slot.mission, year]
        can = (free >= 1) & np.isfinite(weight) & (self.member_from <= slot.start)
        if slot.barred != OPEN:
            can[slot.barred] = False
        if not can.any():
            return OPEN
        # Gumbel-max: a draw from the weights among the allies that can go.
        score = np.where(can, weight + rng.gumbel(size=len(can)), -np.inf)
        return int(np.argmax(score))

    def _recover(self, slot: Slot, ally: int):
        """The unit comes back after the rotation and its transit, then recovers."""
        back = slot.end + self.transit[slot.mission] + self.recovery[slot.unit]
        yield self.env.timeout(max(back - self.env.now, 0.0))
        self.events += 1
        self.free[slot.unit][ally] += 1


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


_CACHE: dict[str, Schedule] = {}
ENGINE_RUNS = [0]  # how many times SimPy ran in this process (the tests check the cache)


def schedule(scenario: Scenario, baseline: Baseline, key_shares: np.ndarray,
             fraction: np.ndarray, eligible: np.ndarray) -> Schedule:
    """The activity schedule of a scenario with a ``deployment:`` block, run once per
    distinct structure: unit costs and Monte Carlo samples never rerun SimPy."""
    deployment = scenario.deployment
    assert deployment is not None
    structure = {"deployment": deployment.model_dump(mode="json"),
                 "years": scenario.years.model_dump(), "edition": baseline.edition}
    if deployment.elasticity > 0:  # then who volunteers depends on the policy too
        structure["policy"] = scenario.policy.model_dump(mode="json")
        structure["projection"] = (scenario.projection.model_dump(mode="json")
                                   if scenario.projection else None)
    key = json.dumps(structure, sort_keys=True)
    if key not in _CACHE:
        if len(_CACHE) >= 32:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _run(scenario, baseline, key_shares, fraction, eligible)
    return _CACHE[key]


def _run(scenario: Scenario, baseline: Baseline, key_shares: np.ndarray,
         fraction: np.ndarray, eligible: np.ndarray) -> Schedule:
    ENGINE_RUNS[0] += 1
    engine, pools = make_engine(scenario, baseline, key_shares, fraction, eligible)
    engine.run()
    return Schedule(
        activity=activity_tensor(engine, baseline, scenario.year_list),
        deployments=_frame([s for s, _ in engine.filled], [a for _, a in engine.filled],
                           engine.plan, baseline),
        gaps=_frame(engine.gaps, [OPEN] * len(engine.gaps), engine.plan, baseline),
        pools=pools,
        events=engine.events,
    )


def make_engine(scenario: Scenario, baseline: Baseline, key_shares: np.ndarray,
                fraction: np.ndarray, eligible: np.ndarray) -> tuple[Engine, dict]:
    """The plan, the pools and the volunteering weights, ready to run."""
    deployment = scenario.deployment
    catalogue = load_catalogue()
    plan = build_plan(scenario, baseline, catalogue)
    pools = pool_sizes(plan, catalogue, deployment, baseline)
    share = np.concatenate([key_shares[:, :1], key_shares], axis=1)  # warm-up year first
    f = np.concatenate([fraction[:1], fraction])
    # What one more deployment costs the ally, as a share of its cost (no cap): 1 - f e + f e k.
    cost_share = 1 - (f[None, :, None] * eligible[:, None, None]) * (1 - share.T[None])
    propensity = plan.propensity + deployment.prior_slots
    hosts = np.zeros_like(propensity, dtype=bool)
    for m, spec in enumerate(plan.missions):
        hosts[m, [baseline.index(h) for h in spec.hosts]] = True
        has_pool = pools[spec.unit] > 0
        propensity[m, ~has_pool] = 0
    propensity[hosts] = 0
    with np.errstate(divide="ignore"):
        log_weight = np.where(propensity[:, None, :] > 0,
                              np.log(propensity)[:, None, :]
                              - deployment.elasticity * np.log(np.maximum(cost_share, 1e-12)),
                              -np.inf)
    origin = plan.origin
    member_from = np.array([_day(date(int(y), 1, 1), origin) for y in baseline.accession_year])
    transit = np.array([_interval(deployment, spec)[2] for spec in plan.missions])
    recovery = {k: deployment.recovery_days.get(k, v) for k, v in catalogue.recovery_days.items()}
    engine = Engine(plan, {k: v.copy() for k, v in pools.items()}, log_weight, member_from,
                    transit, recovery, deployment.seed)
    return engine, pools


def _frame(slots: list[Slot], allies: list[int], plan: Plan, baseline: Baseline) -> pd.DataFrame:
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
        personnel = np.array([s.personnel for s in slots])
        aircraft = np.array([s.aircraft for s in slots])
        ships = np.array([s.ships for s in slots])
        platform = [s.platform or plan.platform_of_ally.get(a, "")
                    for s, a in engine.filled]
        bounds = np.array([_day(date(y, 1, 1), plan.origin) for y in [*years, years[-1] + 1]])

        def overlap(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:  # [slot, year] in days
            return np.clip(np.minimum(hi[:, None], bounds[None, 1:])
                           - np.maximum(lo[:, None], bounds[None, :-1]), 0, None)

        in_theatre = overlap(start, end)
        column = {c: i for i, c in enumerate(CATEGORIES)}
        rate = np.array([spec.flight_hours_per_aircraft_day for spec in plan.missions])[mission]
        unit = [plan.missions[m].unit for m in mission]
        np.add.at(activity[..., column["person_day"]], (ally, mission),
                  personnel[:, None] * overlap(start - transit, end + transit))
        leaves = start - transit
        moved = (leaves[:, None] >= bounds[None, :-1]) & (leaves[:, None] < bounds[None, 1:])
        np.add.at(activity[..., column["person_move"]], (ally, mission), personnel[:, None] * moved)
        flown = np.array([column.get(f"flight_hour_{p}", -1) for p in platform])
        air = flown >= 0
        np.add.at(activity, (ally[air], mission[air], slice(None), flown[air]),
                  (aircraft * rate)[air, None] * in_theatre[air])
        ship_col = np.array([column.get(f"ship_day_{u}", -1) for u in unit])
        sea = ship_col >= 0
        np.add.at(activity, (ally[sea], mission[sea], slice(None), ship_col[sea]),
                  ships[sea, None] * in_theatre[sea])
        for m, spec in enumerate(plan.missions):
            if spec.host_support and spec.hosts:
                hosted = in_theatre[mission == m].sum(axis=0) / len(spec.hosts)
                for host in spec.hosts:
                    activity[baseline.index(host), m, :, column["hns_day"]] += hosted
    return xr.DataArray(
        activity, dims=("ally", "mission", "year", "category"),
        coords={"ally": list(baseline.allies), "mission": [s.id for s in plan.missions],
                "year": years, "category": list(CATEGORIES),
                "unit": ("category", list(ACTIVITIES.values()))},
        name="activity", attrs={"long_name": "deployment activity from the SimPy engine"},
    )


def check(scenario: Scenario, baseline: Baseline, origin) -> None:
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
    for table in ("interval_days", "duration_days", "transit_days"):
        for name in getattr(deployment, table):
            mission(name, table, name)
    for code in deployment.pools:
        ally(code, "pools", code)
    for i, s in enumerate(deployment.surges):
        mission(s.mission, "surges", i, "mission")
        within(s.start, "surges", i, "start")
    for i, c in enumerate(deployment.changes):
        mission(c.mission, "changes", i, "mission")
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
    plan = build_plan(scenario, baseline, catalogue)
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
