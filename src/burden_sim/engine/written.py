"""The schedule of missions written out in a scenario (``missions:``): each contribution's
forces, present in each year of its span, as an activity tensor U[ally, mission, year,
category]. Scenarios with a ``deployment:`` block get theirs from the engine instead."""

from __future__ import annotations

import numpy as np

from ..inputs.baseline import Baseline
from ..inputs.schema import Scenario

# Cost categories of written-out missions (the engine counts its own: catalogue.CATEGORIES).
CATEGORIES: tuple[str, ...] = ("person_year", "aircraft_month", "host_support", "person_move")


def activity_tensor(scenario: Scenario, baseline: Baseline) -> np.ndarray:
    """U[ally, mission, year, category] in the units of ``CATEGORIES``: person-years,
    aircraft-months, host support (EUR) and person-moves (troops x rotations a year)."""
    years = np.asarray(scenario.year_list)
    records = [
        (baseline.index(c.ally), m, c.start, c.last_year,
         (c.troops or 0.0) * c.months / 12, (c.aircraft or 0.0) * c.months,
         (c.host_support_eur or 0.0) * c.months / 12,
         (c.troops or 0.0) * c.rotations_per_year * c.months / 12)
        for m, mission in enumerate(scenario.missions)
        for c in mission.contributions
    ]
    ally, mission, start, end, *quantities = map(np.array, zip(*records, strict=True))
    present = (start[:, None] <= years) & (end[:, None] >= years)  # [record, year]
    quantity = np.stack(quantities, axis=1)  # [record, category]
    activity = np.zeros((len(baseline.allies), len(scenario.missions), len(years),
                         len(CATEGORIES)))
    np.add.at(activity, (ally, mission), present[:, :, None] * quantity[:, None, :])
    return activity
