"""The deployment engine's unit costs against the published national costs of recorded
rotations (docs/engine_costs.md).

For a point ``i`` with published cost ``C_i`` (euros, data/calibration_points.csv), the engine
counts the activity of its recorded rotations (engine.costed) and prices it at the shipped unit
costs: ``E_i = sum_c U[i, c] P[c] / fx_c``. The engine's central values are chosen so:

- **Flight hours.** Each aircraft type's central is the median of its sourced figures
  (data/engine_cost_figures.csv; low and high are their range): the sources set how types
  differ. The hours are levelled like personnel (they carry a detachment's people). One fitted
  cost factor ``sigma`` on the hours sets the level: ``log sigma = sum_i w_i log(C_i / E_i(1)) /
  sum_i w_i`` over the air-policing points (least squares on log ratios), ``w_i = 1 / (points of
  the same ally)``.
  It is a catch-all (the sources' scope, the people, the hours flown), not a share of hours.
- **Frigate ship-day.** One point holds ship-days, Canada's Op REASSURANCE in FY2015-16, and
  it also holds a Land Task Force (about two thirds of its cost) whose person-years the
  calibration prices: the frigate is fitted on it jointly with the calibration's categories and
  its national cost level (``model.calibration`` with ``ship_day_frigate`` among the fitted
  categories and its lower bound relaxed). That fit falls below the lowest sourced figure, so one
  mixed point cannot place the price inside its sourced range, and the central value is the
  median of the sourced figures; the page reports the fit.
- Categories no point constrains (the mine-countermeasures ship-day) take the median of their
  sourced figures.

The engine's cost of a point applies the deploying ally's national cost level to the levelled
categories (``model.costs.cost_level``), as the model does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine.catalogue import CATEGORIES
from ..inputs.schema import UnitCost
from ..inputs.sourced_figures import load_sourced_figures
from .calibration import weights

FITTED_SHIP = "ship_day_frigate"  # fitted jointly with the calibration, reported on the page
# The engine's central values before this fit, as shipped at commit 2146485 (issue 12): the
# lowest sourced figure for most flight hours and the frigate, the highest for the
# mine-countermeasures vessel; the person-day and move then charged for a detachment's people.
# There was no national cost level then, and every hour flown was charged.
BEFORE = {"flight_hour_f16": 7000, "flight_hour_f15": 17000, "flight_hour_typhoon": 18000,
          "flight_hour_gripen": 4700, "flight_hour_f18": 18000, "flight_hour_mirage2000": 10734,
          "flight_hour_rafale": 16500, "flight_hour_f35": 9100, "flight_hour_mig29": 9240,
          "ship_day_frigate": 36232, "ship_day_mcm": 9290, "person_day": 285.12,
          "person_move": 2297}


@dataclass(frozen=True)
class EngineFit:
    """Each point's published cost and the engine's, before and after, and the fitted values."""

    table: pd.DataFrame  # one row per point: id, ally, kind, published, before, after (EUR)
    scale: float  # the fitted cost factor on the flight hours (sigma)
    frigate: float  # the frigate ship-day fitted jointly with the calibration, EUR (not shipped)
    medians: dict[str, float]  # the median of each category's sourced figures
    leave_one_out: dict[str, float]  # air point -> ratio predicted by the scale fitted without it


def median_of_sources(category: str) -> float:
    """The median of a category's sourced figures."""
    return float(np.median([v for v, _ in load_sourced_figures().counted[category]]))


def fit_scale(published: np.ndarray, unscaled: np.ndarray, allies: np.ndarray) -> float:
    """The weighted least-squares scale on log ratios (closed form)."""
    w = weights(allies, np.zeros(len(allies)), np.ones(len(allies), dtype=bool))  # ally once
    return float(np.exp(np.sum(w * np.log(published / unscaled)) / w.sum()))


def euros(activity: np.ndarray, costs: dict[str, UnitCost], usd_per_eur: float,
          prices: dict[str, float] | None = None) -> np.ndarray:
    """Cost of each row's activity [row, category] in euros at the central prices (or
    ``prices`` where given), US-dollar prices at ``usd_per_eur``."""
    prices = prices or {}
    p = np.array([prices.get(c, costs[c].central) / (usd_per_eur if costs[c].currency == "USD"
                                                     else 1.0) for c in CATEGORIES])
    return activity @ p


def fit_engine_costs(points: pd.DataFrame, published_eur: np.ndarray, rotations: pd.DataFrame,
                     unscaled: np.ndarray, before_people: np.ndarray,
                     costs: dict[str, UnitCost], usd_per_eur: dict[int, float],
                     shipped_scale: float, frigate: float, level: np.ndarray) -> EngineFit:
    """Fit the flight hours' cost factor on the points that have costed air-policing rotations, and
    compare the engine with every costed point. ``unscaled`` is the rotations' activity at a
    scale of 1; ``before_people`` the person-days and moves [row, category] the engine charged
    a fighter detachment's people before; "before" is what the engine charged at commit 2146485
    (``BEFORE``: every hour flown, the people's person-days and moves, no level);
    ``frigate`` the jointly fitted frigate ship-day; ``level`` [row, category] each row's
    national cost level. "after" is the engine's cost at the shipped central values and
    ``shipped_scale``."""
    ids = list(dict.fromkeys(rotations["point"]))
    rows = points.set_index("id").loc[ids]
    published = np.array([published_eur[points.index[points["id"] == i][0]] for i in ids])
    medians = {c: median_of_sources(c) for c in load_sourced_figures().counted}
    flown = np.array([c.startswith("flight_hour_") for c in CATEGORIES])

    def per_point(activity: np.ndarray, prices: dict[str, float] | None = None,
                  levelled: bool = True) -> np.ndarray:
        out = np.zeros(len(ids))
        for k, i in enumerate(ids):
            mine = (rotations["point"] == i).to_numpy()
            rate = usd_per_eur[int(rows.loc[i, "fx_year"])]
            at = activity[mine] * level[mine] if levelled else activity[mine]
            out[k] = euros(at, costs, rate, prices).sum()
        return out

    air = unscaled[:, flown].any(axis=1)
    air_point = np.array([air[(rotations["point"] == i).to_numpy()].any() for i in ids])
    allies = rows["ally"].to_numpy()
    at_medians = dict(medians)
    hours_only = per_point(np.where(flown[None, :], unscaled, 0.0), at_medians)
    scale = fit_scale(published[air_point], hours_only[air_point], allies[air_point])
    loo = {}
    for k in np.flatnonzero(air_point):
        others = air_point.copy()
        others[k] = False
        s = fit_scale(published[others], hours_only[others], allies[others])
        loo[ids[k]] = s * hours_only[k] / published[k]

    old = per_point(unscaled + before_people, BEFORE, levelled=False)  # as at 2146485
    new = per_point(np.where(flown[None, :], unscaled * shipped_scale, unscaled))
    table = pd.DataFrame({"id": ids, "ally": allies, "kind": rows["kind"].to_numpy(),
                          "published": published, "before": old, "after": new})
    return EngineFit(table=table, scale=scale, frigate=frigate, medians=medians,
                     leave_one_out=loo)
