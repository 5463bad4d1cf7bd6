"""The deployment plan: every rotation's slots over the horizon, before anyone is assigned,
from the catalogue's record and structure and the scenario's surges, joins and withdrawals; the
allies' pools of units; and the weights with which allies volunteer for open slots."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ..inputs.baseline import Baseline
from ..inputs.schema import Deployment, Scenario, UnitKind
from .catalogue import Catalogue, MissionSpec

OPEN = -1  # a slot without a recorded ally


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
class DeploymentPlan:
    """What each mission's rotations need, before anyone is assigned: slots by start time."""

    origin: date
    missions: list[MissionSpec]
    slots: list[Slot] = field(default_factory=list)
    propensity: np.ndarray | None = None  # [mission, ally] base weights of volunteering
    platform_of_ally: dict[int, str] = field(default_factory=dict)  # for open fighter slots
    hour_scale: float = 1.0  # the catalogue's fitted cost factor on the flight hours


def clock_day(d: date, origin: date) -> float:
    """Days from ``origin`` on the engine clock."""
    return float((d - origin).days)


def _platform(catalogue: Catalogue, aircraft_type: str) -> str:
    return catalogue.platform_of[aircraft_type]


def _surge_pieces(deployment: Deployment, mission: str, lo: float, hi: float,
                  origin: date) -> list[tuple[float, float, float]]:
    """The span [lo, hi) on the engine clock cut where a surge of the mission starts or ends:
    (from, to, the product of the factors of the surges covering it)."""
    windows = [(clock_day(s.start, origin), clock_day(s.start, origin) + s.days, s.factor)
               for s in deployment.surges if s.mission == mission]
    cuts = sorted({lo, hi, *(t for a, b, _ in windows for t in (a, b) if lo < t < hi)})
    pieces = []
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        factor = 1.0
        for first, last, f in windows:
            if first <= a < last:
                factor *= f
        pieces.append((a, b, factor))
    return pieces


def _mean_surge(deployment: Deployment, mission: str, lo: float, hi: float,
                origin: date) -> float:
    """The surge factor averaged over [lo, hi): 1 + (factor - 1) x the share of the span's
    days inside a surge (troop strengths)."""
    pieces = _surge_pieces(deployment, mission, lo, hi, origin)
    if hi <= lo or all(f == 1.0 for _, _, f in pieces):
        return 1.0
    return sum((b - a) * f for a, b, f in pieces) / (hi - lo)


def _surge_layers(deployment: Deployment, mission: str, lo: float, hi: float, origin: date,
                  count: int, first: int) -> list[tuple[int, float, float]]:
    """Detachments or ships a rotation over [lo, hi) needs, ``count`` of them times the surge
    factor of each day (rounded up), as slots: (layer, from, to) for the layers from ``first``
    on (1 is the first unit), each over the days that need it."""
    pieces = _surge_pieces(deployment, mission, lo, hi, origin)
    needed = [(a, b, int(np.ceil(count * f))) for a, b, f in pieces]
    layers = []
    for j in range(first, max((n for _, _, n in needed), default=0) + 1):
        open_from = None
        for a, _, n in needed:
            if n >= j and open_from is None:
                open_from = a
            elif n < j and open_from is not None:
                layers.append((j, open_from, a))
                open_from = None
        if open_from is not None:
            layers.append((j, open_from, hi))
    return layers


def interval_of(deployment: Deployment, spec: MissionSpec) -> tuple[float, float, float]:
    """Days between rotations, their duration and transit, as the scenario sets them."""
    return (deployment.interval_days.get(spec.id, spec.interval_days),
            deployment.duration_days.get(spec.id, spec.duration_days),
            deployment.transit_days.get(spec.id, spec.transit_days))


def _detachments(spec: MissionSpec, when: date) -> int:
    count = 0
    for start, n in spec.detachments:
        if start <= when:
            count = n
    return count


@dataclass(frozen=True)
class MissionContext:
    """What the builders of one mission's slots read: the mission, the scenario's deployment
    block, the baseline, and the horizon on the engine clock (days from ``origin``)."""

    m: int  # the mission's position in the plan
    spec: MissionSpec
    catalogue: Catalogue
    deployment: Deployment
    baseline: Baseline
    origin: date  # day 0 of the clock, also where the builders start (the warm-up year)
    end: date  # the first day after the horizon
    interval: float  # days between rotations
    duration: float  # days a rotation lasts


def build_plan(scenario: Scenario, baseline: Baseline, catalogue: Catalogue) -> DeploymentPlan:
    """Rotations and their slots over the horizon, from the record and the structure."""
    deployment = scenario.deployment
    assert deployment is not None
    last = date(scenario.years.end + 1, 1, 1)
    origin = date(scenario.years.start - 1, 1, 1)
    ids = deployment.missions or list(catalogue.missions)
    specs = [catalogue.missions[m] for m in ids]
    plan = DeploymentPlan(origin, specs, hour_scale=catalogue.flight_hour_scale)
    index = baseline.index
    counts = np.zeros((len(specs), len(baseline.allies)))
    for m, spec in enumerate(specs):
        interval, duration, _ = interval_of(deployment, spec)
        builder = {"air_policing": _air_slots, "land": _land_slots,
                   "maritime": _maritime_slots, "exercise": _exercise_slots}[spec.kind]
        where = MissionContext(m, spec, catalogue, deployment, baseline, origin, last, interval,
                               duration)
        built = builder(where)
        slots, joined = _apply_changes(built, where)
        plan.slots.extend(slots)
        for s in built + joined:  # a slot a withdrawal splits counts once
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


def _air_slots(x: MissionContext) -> list[Slot]:
    m, spec, catalogue, deployment = x.m, x.spec, x.catalogue, x.deployment
    baseline, origin = x.baseline, x.origin
    start, end, duration, interval = x.origin, x.end, x.duration, x.interval
    record = catalogue.air[catalogue.air.mission == spec.id]
    slots, rotation = [], 0
    opened = deployment.plan == "open"
    for rotation, rows in record.groupby("rotation", sort=True):
        lead = rows.start.min()
        if rows.end.max() <= start or lead >= end:
            continue
        for row in rows.itertuples():
            personnel = float(row.personnel) if row.personnel != "" else spec.personnel
            who = baseline.index(row.ally)
            slots.append(Slot(m, row.role, spec.unit, OPEN if opened else who,
                              clock_day(row.start, origin), clock_day(row.end, origin), personnel,
                              float(row.aircraft), _platform(catalogue, row.aircraft_type),
                              rotation=int(rotation), recorded=who))
        day = clock_day(lead, origin)  # surge slots: open, for the days of the surge
        slots += [Slot(m, "augmenting", spec.unit, OPEN, lo, hi, spec.personnel, spec.aircraft,
                       rotation=int(rotation))
                  for _, lo, hi in _surge_layers(deployment, spec.id, day, day + duration,
                                                 origin, len(rows), len(rows) + 1)]
    # Past (or before) the record: rotations every interval, as many detachments as needed.
    covered = (record.start.min(), record.end.max()) if len(record) else (end, end)
    when, k = max(spec.since, start), int(rotation) + 1
    while when < end:
        if covered[0] <= when < covered[1]:
            when = covered[1]
            continue
        day = clock_day(when, origin)
        slots += [Slot(m, "lead" if j == 1 else "augmenting", spec.unit, OPEN, lo, hi,
                       spec.personnel, spec.aircraft, rotation=k)
                  for j, lo, hi in _surge_layers(deployment, spec.id, day, day + duration,
                                                 origin, _detachments(spec, when), 1)]
        when, k = when + timedelta(days=interval), k + 1
    return slots


def _land_slots(x: MissionContext) -> list[Slot]:
    m, spec, catalogue, deployment = x.m, x.spec, x.catalogue, x.deployment
    baseline, origin = x.baseline, x.origin
    start, end, duration, interval = x.origin, x.end, x.duration, x.interval
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
            day = clock_day(when, origin)
            until = min(day + duration, clock_day(stop, origin))
            factor = _mean_surge(deployment, spec.id, day, until, origin)
            for row in present.itertuples():
                who = baseline.index(row.ally)
                fixed = row.role == "framework" or not opened
                slots.append(Slot(m, row.role, spec.unit, who if fixed else OPEN, day, until,
                                  float(row.troops) * factor, rotation=k, recorded=who))
            k += 1
    return slots


def _maritime_slots(x: MissionContext) -> list[Slot]:
    """Flagships follow the recorded command terms (a long term is served by several ships in
    turn); escorts, and the flagship where no command is recorded, rotate on a fixed grid."""
    m, spec, catalogue, deployment = x.m, x.spec, x.catalogue, x.deployment
    baseline, origin = x.baseline, x.origin
    start, end, duration, interval = x.origin, x.end, x.duration, x.interval
    commands = catalogue.maritime[(catalogue.maritime.mission == spec.id)
                                  & (catalogue.maritime.role == "command")]
    terms = [(date.fromisoformat(r.start), date.fromisoformat(r.end), baseline.index(r.ally))
             for r in commands.itertuples()]
    slots, k = [], 0
    for first, last, who in terms:
        if last <= start or first >= end:
            continue
        pieces = int(np.ceil((last - first).days / interval))
        bounds = np.linspace(clock_day(first, origin), clock_day(last, origin), pieces + 1)
        slots += [Slot(m, "command", spec.unit, who, lo, hi, ships=1, rotation=k + j,
                       recorded=who)
                  for j, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))]
        k += pieces
    when = spec.since
    while when < end:
        if when + timedelta(days=duration) > start:
            day = clock_day(when, origin)
            if not any(first <= when < last for first, last, _ in terms):
                later = [first for first, _, _ in terms if first > when]
                stop = min([day + duration, *(clock_day(f, origin) for f in later)])
                slots.append(Slot(m, "command", spec.unit, OPEN, day, stop, ships=1,
                                  rotation=k))
            slots += [Slot(m, "contributor", spec.unit, OPEN, lo, hi, ships=1, rotation=k)
                      for _, lo, hi in _surge_layers(deployment, spec.id, day, day + duration,
                                                     origin, spec.ships, 2)]
        when, k = when + timedelta(days=interval), k + 1
    return slots


def _exercise_slots(x: MissionContext) -> list[Slot]:
    m, spec, catalogue, deployment = x.m, x.spec, x.catalogue, x.deployment
    baseline, origin = x.baseline, x.origin
    start, end = x.origin, x.end
    record = catalogue.exercises[catalogue.exercises.mission == spec.id]
    if not len(record) or record.start.min() >= end or record.end.max() < start:
        return []
    when = record.start.min()
    day = clock_day(when, origin)
    factor = _mean_surge(deployment, spec.id, day, day + spec.participant_days, origin)
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


def _apply_changes(slots: list[Slot], x: MissionContext) -> tuple[list[Slot], list[Slot]]:
    """The slots after the scenario's changes, and the slots the joins added. A withdrawal
    opens the days its span shares with the ally's slots (the ally keeps the days outside
    it) and bars the ally from open slots that overlap it; a join adds the ally's unit to
    each rotation for the days the rotation shares with its span."""
    m, spec, catalogue, deployment = x.m, x.spec, x.catalogue, x.deployment
    baseline, origin, end = x.baseline, x.origin, x.end
    out, joined = list(slots), []
    for c in deployment.changes:
        if c.mission != spec.id:
            continue
        ally = baseline.index(c.ally)
        lo = clock_day(c.start, origin)
        hi = clock_day(c.end, origin) if c.end else clock_day(end, origin)
        if c.action == "withdraw":
            out = [piece for s in out for piece in _withdrawn(s, ally, lo, hi)]
            continue
        spans: dict[int, tuple[float, float]] = {}
        for s in slots:  # one slot per rotation, over the rotation's days in the span
            if spec.kind == "maritime" and s.role == "command" and s.recorded != OPEN:
                continue  # recorded command terms run beside the escorts' rotations
            first, last = spans.get(s.rotation, (s.start, s.end))
            spans[s.rotation] = (min(first, s.start), max(last, s.end))
        rotations = sorted((r, max(first, lo), min(last, hi))
                           for r, (first, last) in spans.items()
                           if max(first, lo) < min(last, hi))
        platform = _platform(catalogue, c.aircraft_type) if c.aircraft_type else ""
        joined += [Slot(m, "contributor" if spec.kind != "air_policing" else "augmenting",
                        spec.unit, ally, s, e, c.personnel or 0.0, c.aircraft or 0.0, platform,
                        c.ships or 0.0, rotation=r, recorded=ally) for r, s, e in rotations]
    return out + joined, joined


def _withdrawn(s: Slot, ally: int, lo: float, hi: float) -> list[Slot]:
    """A slot once ``ally`` withdraws over [lo, hi): its slot split, the days inside opened
    and barred to it; an open slot it was recorded in barred to it if they overlap."""
    if ally not in (s.ally, s.recorded) or not (s.start < hi and (lo < s.end or lo == s.start)):
        return [s]
    if s.ally != ally:
        return [replace(s, barred=ally)]
    inside = replace(s, start=max(s.start, lo), end=min(s.end, hi), ally=OPEN, barred=ally)
    return ([replace(s, end=lo)] if s.start < lo else []) + [inside] \
        + ([replace(s, start=hi)] if hi < s.end else [])


def pool_sizes(plan: DeploymentPlan, catalogue: Catalogue, deployment: Deployment,
               baseline: Baseline) -> dict[str, np.ndarray]:
    """Units per ally and kind: the smallest that carry the recorded slots (``auto``), a fixed
    number for allies seen in the record, or the scenario's own numbers."""
    n = len(baseline.allies)
    transit = np.array([interval_of(deployment, spec)[2] for spec in plan.missions])
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


def volunteer_weights(plan: DeploymentPlan, pools: dict[str, np.ndarray],
                      deployment: Deployment, baseline: Baseline, key_shares: np.ndarray,
                      fraction: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """log w[mission, year, ally] of volunteering for an open slot (-inf: cannot): the record
    times what one more deployment costs the ally, to the power -elasticity."""
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
        return np.where(propensity[:, None, :] > 0,
                        np.log(propensity)[:, None, :]
                        - deployment.elasticity * np.log(np.maximum(cost_share, 1e-12)),
                        -np.inf)

