"""The simulation: SimPy processes that fill a plan's slots from allies' pools of units.

A mission is a process. For each rotation it asks allies' pools of deployable units for the
detachments, contingents or ships the rotation needs; a unit that deploys is away for the
rotation and its transit, then recovers before it can deploy again. Recorded contributors fill
their slots while they have a unit free; open slots go to a volunteer, drawn with the plan's
weights; a slot nobody can fill is a gap. Clock: days from 1 January of the year before the
horizon (a warm-up year, so that pools carry units deployed before it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from .plan import OPEN, DeploymentPlan, Slot


@dataclass
class Engine:
    """SimPy state: pools of free units, and the slots each mission filled or left open."""

    plan: DeploymentPlan
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
        """Start one process per mission and run the clock until every slot is decided."""
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
