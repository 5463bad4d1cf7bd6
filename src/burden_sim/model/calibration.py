"""Calibrating the central unit costs on published national costs of these missions.

For points ``i`` with activity ``U[i, c]`` in model units and a published cost ``C_i`` in euros,
the model's cost is ``M_i = sum_c U[i, c] P[c]``. The fitted categories' prices minimise

    sum_i w_i (log M_i - log C_i)^2,   low_c <= P[c] <= high_c   (the sourced ranges)

with ``w_i = 1 / (points of the same ally and kind)``: an ally's figures for one kind of mission
count once, so one ally's several figures do not set an alliance-wide price. Categories no
point constrains keep their shipped values. The held-out points are chosen by a stated rule
(``holdout``) and predicted by a fit that does not see them; the shipped central values are the
fit on every usable point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..inputs.calibration import Points

FITTED = ("person_year", "person_move", "aircraft_month")
GOAL_MEDIAN = (0.8, 1.25)  # the median held-out ratio of model to published cost
GOAL_EACH = (0.5, 2.0)  # every point, or explained
SEED = 0


@dataclass(frozen=True)
class Fit:
    """Prices [category] after a fit, and each point's model/published ratio at them."""

    prices: np.ndarray
    ratios: np.ndarray
    used: np.ndarray  # bool [point]: the points the fit saw
    converged: bool


@dataclass(frozen=True)
class Calibration:
    """The points, the validation fit (without the held-out points), the final fit (every usable
    point: the shipped central values) and leave-one-out predictions."""

    points: Points
    shipped: np.ndarray  # [category] the prices before calibration (central values)
    low: np.ndarray  # [category] the sourced ranges (the fit's bounds)
    high: np.ndarray
    fitted: tuple[str, ...]
    held_out: np.ndarray  # bool [point]
    usable: np.ndarray  # bool [point]: not excluded
    validation: Fit
    final: Fit
    leave_one_out: np.ndarray  # [point] ratio predicted without the point (NaN if excluded)

    @property
    def held_out_median(self) -> float:
        """Median ratio of model to published cost over the held-out points."""
        return float(np.median(self.validation.ratios[self.held_out]))

    def outside(self, ratios: np.ndarray, mask: np.ndarray) -> list[str]:
        """Ids of the points in ``mask`` whose ratio lies outside ``GOAL_EACH``."""
        lo, hi = GOAL_EACH
        bad = mask & ((ratios < lo) | (ratios > hi))
        return list(self.points.table["id"][bad])

    @property
    def goal_met(self) -> bool:
        """Median held-out ratio within GOAL_MEDIAN and no held-out point outside GOAL_EACH."""
        lo, hi = GOAL_MEDIAN
        median_ok = lo <= self.held_out_median <= hi
        return median_ok and not self.outside(self.validation.ratios, self.held_out)


def holdout(ids: np.ndarray, kinds: np.ndarray, usable: np.ndarray,
            seed: int = SEED) -> np.ndarray:
    """The held-out points: for each kind of mission in alphabetical order, round(n / 3) of its
    n usable points, drawn from its points sorted by id by one ``numpy.random.default_rng(seed)``
    (a kind with none to hold out draws nothing)."""
    rng = np.random.default_rng(seed)
    held = np.zeros(len(ids), dtype=bool)
    for kind in sorted(set(kinds[usable])):
        members = sorted(np.flatnonzero(usable & (kinds == kind)), key=lambda i: ids[i])
        count = int(round(len(members) / 3))
        if count:
            held[[members[j] for j in rng.permutation(len(members))[:count]]] = True
    return held


def weights(allies: np.ndarray, kinds: np.ndarray, used: np.ndarray) -> np.ndarray:
    """``1 / (used points of the same ally and kind)`` for used points, 0 for the others."""
    same = (allies[:, None] == allies[None, :]) & (kinds[:, None] == kinds[None, :])
    count = (same & used[None, :]).sum(axis=1)
    return np.where(used, 1.0 / np.maximum(count, 1), 0.0)


def fit(activity: np.ndarray, published: np.ndarray, used: np.ndarray, w: np.ndarray,
        prices: np.ndarray, fitted: np.ndarray, low: np.ndarray, high: np.ndarray) -> Fit:
    """Least squares on weighted log ratios over the ``used`` points; ``fitted`` indexes the
    categories fitted within [low, high], the others stay at ``prices``."""
    from scipy.optimize import least_squares

    rows = np.flatnonzero(used)
    root_w = np.sqrt(w[rows])

    def with_(theta: np.ndarray) -> np.ndarray:
        p = prices.astype(float).copy()
        p[fitted] = np.exp(theta)
        return p

    def residuals(theta: np.ndarray) -> np.ndarray:
        return root_w * np.log(activity[rows] @ with_(theta) / published[rows])

    lo, hi = np.log(low[fitted]), np.log(high[fitted])
    result = least_squares(residuals, (lo + hi) / 2, bounds=(lo, hi), method="trf",
                           x_scale=1.0, xtol=1e-12, ftol=1e-12, gtol=1e-12)
    best = with_(result.x)
    return Fit(prices=best, ratios=activity @ best / published, used=used,
               converged=bool(result.success))


def calibrate(points: Points, shipped: np.ndarray, low: np.ndarray, high: np.ndarray,
              fitted: tuple[str, ...] = FITTED, seed: int = SEED) -> Calibration:
    """The validation fit, the final fit and leave-one-out predictions for ``points``, with
    the categories' shipped central values and sourced ranges (arrays over
    ``points.categories``)."""
    table = points.table
    ids, kinds, allies = (table[c].to_numpy() for c in ("id", "kind", "ally"))
    usable = (table["use"] != "excluded").to_numpy()
    held = holdout(ids, kinds, usable, seed)
    index = np.array([points.categories.index(c) for c in fitted])
    args = (points.activity, points.published_eur)

    def run(used: np.ndarray) -> Fit:
        return fit(*args, used, weights(allies, kinds, used), shipped, index, low, high)

    loo = np.full(len(table), np.nan)
    for i in np.flatnonzero(usable):
        without = usable.copy()
        without[i] = False
        loo[i] = run(without).ratios[i]
    return Calibration(points=points, shipped=shipped, low=low, high=high, fitted=fitted,
                       held_out=held, usable=usable, validation=run(usable & ~held),
                       final=run(usable), leave_one_out=loo)
