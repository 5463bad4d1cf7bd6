"""Calibrating the central unit costs on published national costs of these missions.

For points ``i`` with activity ``U[i, c]`` in model units and a published cost ``C_i`` in euros,
the model's cost is ``M_i = sum_c U[i, c] L[i, c] P[c]``, where ``L[i, c] = r_i ** beta`` for
the levelled categories (``costs.LEVELLED``; ``r_i`` the deploying ally's GDP per capita over the
allies' combined) and 1 for the others. The fitted categories' prices and beta minimise

    sum_i w_i (log M_i - log C_i)^2,   low_c <= P[c] <= high_c (the sourced ranges), 0 <= beta <= 1

with ``w_i = 1 / (points of the same ally and kind)``: an ally's figures for one kind of mission
count once, so one ally's several figures do not set an alliance-wide price. Categories no
point constrains keep their shipped values. The held-out points are chosen by a stated rule
(``holdout``) and predicted by a fit that does not see them; the shipped central values are the
fit on every usable point. Beta's standard error is the larger of a delete-one-ally jackknife
and the Jacobian's (on points less parameters degrees of freedom): the Jacobian's ignores that
the weights make the points count as fewer, the jackknife collapses at a bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..inputs.baseline import Baseline
from ..inputs.calibration import Points
from .costs import levelled_category, price_level

FITTED = ("person_year", "person_move", "aircraft_month")
GOAL_MEDIAN = (0.8, 1.25)  # the median held-out ratio of model to published cost
GOAL_EACH = (0.5, 2.0)  # every point, or explained (the points file's outside_goal)
SEED = 0
BETA_BOUNDS = (0.0, 1.0)  # from no level to costs in proportion to GDP per capita


@dataclass(frozen=True)
class Fit:
    """Prices [category] after a fit, and each point's model/published ratio at them."""

    prices: np.ndarray
    ratios: np.ndarray
    used: np.ndarray  # bool [point]: the points the fit saw
    converged: bool
    beta: float = 0.0  # the national cost level's elasticity (0: no level)
    beta_se: float = float("nan")


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
    relative: np.ndarray | None = None  # [point] the ally's relative GDP per capita
    jackknife: dict[str, float] = field(default_factory=dict)  # ally -> beta fitted without it

    @property
    def jackknife_se(self) -> float:
        """Delete-one-ally jackknife standard error of the final fit's beta:
        sqrt((g - 1) / g * sum_a (beta_-a - mean)^2) over the g allies with usable points
        (NaN without a level)."""
        if not self.jackknife:
            return float("nan")
        b = np.array(list(self.jackknife.values()))
        g = len(b)
        return float(np.sqrt((g - 1) / g * np.sum((b - b.mean()) ** 2)))

    @property
    def beta_se(self) -> float:
        """The shipped standard error of beta: the larger of the jackknife's and the
        Jacobian's (either, where the other is NaN). The Jacobian's ignores that one ally's
        points move together; the jackknife collapses when beta sits at a bound that most of
        the delete-one fits also reach."""
        return float(np.fmax(self.jackknife_se, self.final.beta_se))

    @property
    def held_out_median(self) -> float:
        """Median ratio of model to published cost over the held-out points."""
        return float(np.median(self.validation.ratios[self.held_out]))

    def outside(self, ratios: np.ndarray, mask: np.ndarray) -> list[str]:
        """Ids of the points in ``mask`` whose ratio lies outside ``GOAL_EACH``."""
        return list(self.points.table["id"][mask & beyond(ratios)])

    @property
    def median_met(self) -> bool:
        """Median held-out ratio within GOAL_MEDIAN."""
        lo, hi = GOAL_MEDIAN
        return lo <= self.held_out_median <= hi

    @property
    def goal_met(self) -> bool:
        """The issue's goal: the median held-out ratio within GOAL_MEDIAN, and every point
        outside GOAL_EACH (held out, or at the shipped prices) explained."""
        return self.median_met and not self.unexplained()

    def to_explain(self) -> np.ndarray:
        """Usable points outside GOAL_EACH, held out (as predicted) or at the shipped prices."""
        return self.usable & (beyond(self.final.ratios) |
                              (self.held_out & beyond(self.validation.ratios)))

    def unexplained(self) -> list[str]:
        """Ids of the points to explain whose ``outside_goal`` is not "explained"."""
        goal = self.points.table["outside_goal"]
        return [self.points.table["id"][i] for i in np.flatnonzero(self.to_explain())
                if goal[i] != "explained"]


    def stale(self) -> list[str]:
        """Ids of the points whose ``outside_goal`` gives a verdict although they are not to
        explain (inside GOAL_EACH, or excluded): a verdict left from an earlier fit."""
        goal = self.points.table["outside_goal"].to_numpy()
        return [self.points.table["id"][i] for i in np.flatnonzero((goal != "") &
                                                                  ~self.to_explain())]


def beyond(ratios: np.ndarray) -> np.ndarray:
    """Boolean [point]: the ratio lies outside ``GOAL_EACH``."""
    lo, hi = GOAL_EACH
    return (ratios < lo) | (ratios > hi)


def point_relative_income(points: Points, baseline: Baseline) -> np.ndarray:
    """Each point's deploying ally's structural relative GDP per capita
    (``costs.price_level``: time-invariant, whatever the year of the amount)."""
    relative = price_level(baseline.gdp_usd, baseline.population)
    return relative[np.array([baseline.index(a) for a in points.table["ally"]])]


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
        prices: np.ndarray, fitted: np.ndarray, low: np.ndarray, high: np.ndarray,
        relative: np.ndarray | None = None, levelled: np.ndarray | None = None,
        beta_bounds: tuple[float, float] = BETA_BOUNDS) -> Fit:
    """Least squares on weighted log ratios over the ``used`` points; ``fitted`` indexes the
    categories fitted within [low, high], the others stay at ``prices``. With ``relative``
    [point] (the deploying ally's relative GDP per capita) and ``levelled`` [category], the
    levelled categories' activity is multiplied by ``relative ** beta`` and beta is fitted
    with the prices within ``beta_bounds``; without them there is no level (beta 0)."""
    from scipy.optimize import least_squares

    rows = np.flatnonzero(used)
    root_w = np.sqrt(w[rows])
    with_level = relative is not None and levelled is not None

    def with_(theta: np.ndarray) -> np.ndarray:
        p = prices.astype(float).copy()
        p[fitted] = np.exp(theta[:len(fitted)])
        return p

    def level(theta: np.ndarray) -> np.ndarray:
        if not with_level:
            return np.ones_like(activity)
        return np.where(levelled, relative[:, None] ** theta[-1], 1.0)

    def residuals(theta: np.ndarray) -> np.ndarray:
        model = (activity[rows] * level(theta)[rows]) @ with_(theta)
        return root_w * np.log(model / published[rows])

    lo, hi = np.log(low[fitted]), np.log(high[fitted])
    if with_level:
        lo, hi = np.append(lo, beta_bounds[0]), np.append(hi, beta_bounds[1])
    result = least_squares(residuals, (lo + hi) / 2, bounds=(lo, hi), method="trf",
                           x_scale=1.0, xtol=1e-12, ftol=1e-12, gtol=1e-12)
    best = with_(result.x)
    beta, beta_se = (float(result.x[-1]), _standard_error(result, len(rows))) if with_level \
        else (0.0, float("nan"))
    return Fit(prices=best, ratios=(activity * level(result.x)) @ best / published, used=used,
               converged=bool(result.success), beta=beta, beta_se=beta_se)


def _standard_error(result, points: int) -> float:
    """The last parameter's standard error from the Jacobian at the optimum: the residual
    variance on points - parameters degrees of freedom times (J'J)^-1 (an approximation: the
    weights are not inverse variances)."""
    jac = result.jac
    dof = points - jac.shape[1]
    if dof <= 0:
        return float("nan")
    covariance = np.linalg.pinv(jac.T @ jac) * (2 * result.cost / dof)
    return float(np.sqrt(covariance[-1, -1]))


def calibrate(points: Points, shipped: np.ndarray, low: np.ndarray, high: np.ndarray,
              relative: np.ndarray | None = None, fitted: tuple[str, ...] = FITTED,
              seed: int = SEED) -> Calibration:
    """The validation fit, the final fit and leave-one-out predictions for ``points``, with
    the categories' shipped central values and sourced ranges (arrays over
    ``points.categories``) and, if given, each point's relative GDP per capita (the level's
    beta is then fitted with the prices)."""
    table = points.table
    ids, kinds, allies = (table[c].to_numpy() for c in ("id", "kind", "ally"))
    usable = (table["use"] != "excluded").to_numpy()
    held = holdout(ids, kinds, usable, seed)
    index = np.array([points.categories.index(c) for c in fitted])
    args = (points.activity, points.published_eur)
    levelled = np.array([levelled_category(c) for c in points.categories])

    def run(used: np.ndarray) -> Fit:
        return fit(*args, used, weights(allies, kinds, used), shipped, index, low, high,
                   relative, None if relative is None else levelled)

    loo = np.full(len(table), np.nan)
    for i in np.flatnonzero(usable):
        without = usable.copy()
        without[i] = False
        loo[i] = run(without).ratios[i]
    jackknife = {} if relative is None else {
        ally: run(usable & (allies != ally)).beta for ally in sorted(set(allies[usable]))}
    return Calibration(points=points, shipped=shipped, low=low, high=high, fitted=fitted,
                       held_out=held, usable=usable, validation=run(usable & ~held),
                       final=run(usable), leave_one_out=loo,
                       relative=relative, jackknife=jackknife)
