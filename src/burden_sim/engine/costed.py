"""The engine's activity for recorded rotations with a published national cost
(data/catalogue/costed_rotations.csv): the equations of the schedule (``slot_rates``) over a
whole rotation, so that the engine's prices can be checked and fitted against those costs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import Catalogue, load_catalogue, load_costed
from .schedule import slot_rates


def rotation_activity(table: pd.DataFrame | None = None, catalogue: Catalogue | None = None,
                      hour_scale: float | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The costed rotations and the activity [row, category] the engine counts for each, on
    the deploying ally's side (host support is the host's): days away are the days in theatre
    plus the mission's transit each way, one move per person. ``hour_scale`` defaults to the
    catalogue's fitted cost factor on the flight hours."""
    catalogue = catalogue or load_catalogue()
    table = load_costed() if table is None else table
    specs = [catalogue.missions[m] for m in dict.fromkeys(table["mission"])]
    index = {s.id: i for i, s in enumerate(specs)}
    mission = np.array([index[m] for m in table["mission"]])
    personnel = np.array([float(p) if p != "" else specs[m].personnel
                          for p, m in zip(table["personnel"], mission, strict=True)])
    platform = [catalogue.platform_of[t] if t else "" for t in table["aircraft_type"]]
    scale = catalogue.flight_hour_scale if hour_scale is None else hour_scale
    away, theatre, move = slot_rates(specs, mission, personnel,
                                     table["aircraft"].to_numpy(float), platform,
                                     table["ships"].to_numpy(float), scale)
    days = np.array([(e - s).days for s, e in zip(table["start"], table["end"], strict=True)],
                    dtype=float)
    transit = np.array([specs[m].transit_days for m in mission])
    activity = (away * (days + 2 * transit)[:, None] + theatre * days[:, None] + move)
    return table.assign(personnel=personnel, platform=platform, days=days), activity
