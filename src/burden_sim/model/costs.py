"""Unit prices, and activity times unit prices -> gross cost per sample, ally, (mission,) and
year."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..engine.written import CATEGORIES
from ..inputs.schema import UnitCost, merged_cost


@dataclass(frozen=True)
class UnitPrices:
    """Unit prices: central [category] and PERT bounds, in their currency."""

    central: np.ndarray
    low: np.ndarray
    high: np.ndarray
    currency: tuple[str, ...]


def unit_prices(defaults: dict[str, UnitCost], overrides: dict[str, UnitCost],
                categories: tuple[str, ...] = CATEGORIES) -> UnitPrices:
    """The shipped unit costs with a scenario's overrides, for ``categories`` in order."""
    costs = [merged_cost(defaults[c], overrides.get(c)) for c in categories]
    return UnitPrices(
        central=np.array([c.central for c in costs]),
        low=np.array([c.bounds[0] for c in costs]),
        high=np.array([c.bounds[1] for c in costs]),
        currency=tuple(c.currency for c in costs),
    )


def pert(central: np.ndarray, low: np.ndarray, high: np.ndarray, draws: int,
         seed: int) -> np.ndarray:
    """Prices [draw, category]: PERT on [low, high] with its mode at ``central`` (a beta with
    shapes 1 + 4c and 1 + 4(1 - c), c = (central - low) / (high - low)); a category without a
    range keeps its central value. Each price is the inverse CDF of one uniform per draw and
    category, so that two scenarios with the same seed draw the same quantile of every
    category whatever their ranges: a change between them is taken at matched prices (numpy's
    beta sampler fell out of step for every category once one range differed)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    u = np.clip(rng.random((draws, len(central))), EDGE, 1 - EDGE)
    spread = high - low
    c = np.divide(central - low, spread, out=np.full_like(spread, 0.5), where=spread > 0)
    out = np.repeat(np.asarray(central, dtype=float)[None, :], draws, axis=0)
    for j in np.flatnonzero(spread > 0):  # a handful of categories, each a vector of draws
        out[:, j] = low[j] + spread[j] * pert_ppf(u[:, j], 1 + 4 * c[j], 1 + 4 * (1 - c[j]))
    return out


# Memory a run may take for a scenario's samples: (sample, ally, year) arrays of 8 bytes, about
# 50 of them at once in `burden-sim run` (the scenario's and the status quo's results, their
# concatenation and bands, and with -o the written copy), counted as 64 for headroom.
SAMPLE_ARRAYS = 64
SAMPLES_BUDGET = 4 * 10**9  # bytes


def samples_memory(samples: int, allies: int, years: int) -> int:
    """Bytes a run of ``samples`` draws over ``allies`` and ``years`` needs, about."""
    return SAMPLE_ARRAYS * 8 * samples * allies * years


def draw_prices(prices: UnitPrices, samples: int, seed: int) -> np.ndarray:
    """P[sample, category] drawn as the bands draw them (``pert``); the central values alone
    when ``samples`` is 0."""
    if samples == 0:
        return prices.central[None, :]
    return pert(prices.central, prices.low, prices.high, samples, seed)


def usd_factor(prices: UnitPrices, usd_per_eur: np.ndarray) -> np.ndarray:
    """USD per unit of each price's currency, [category, year], at each year's rate."""
    return np.stack([usd_per_eur if cur == "EUR" else np.ones_like(usd_per_eur)
                     for cur in prices.currency])


def gross_cost(activity: np.ndarray, prices: np.ndarray, factor: np.ndarray,
               eligible: np.ndarray | None = None) -> np.ndarray:
    """sum_m,c e[m, c] * U[a, m, y, c] * P[s, c] * fx[c, y] -> [s, a, y] (e = 1: all costs).

    The schedule is contracted over missions before the sample axis is broadcast.
    """
    weighted = activity if eligible is None else activity * eligible[None, :, None, :]
    schedule = weighted.sum(axis=1) * factor.T[None, :, :]  # [a, y, c], in USD per price unit
    a, y, c = schedule.shape
    # One matrix product writes the [s, a, y] output once, with no [s, a, y, c] temporary.
    return (prices @ schedule.reshape(a * y, c).T).reshape(len(prices), a, y)


def at_prices(prices: np.ndarray, per_unit: np.ndarray) -> np.ndarray:
    """P[s, c] @ X[c, ...] -> [s, ...]: an outcome linear in the prices, from its value X at
    each category's unit price, by one matrix product that writes the output once."""
    c, *shape = per_unit.shape
    return (prices @ per_unit.reshape(c, -1)).reshape(len(prices), *shape)


def gross_by_mission(activity: np.ndarray, prices: np.ndarray,
                     factor: np.ndarray) -> np.ndarray:
    """G[a, m, y] at one set of prices (the central ones)."""
    return np.einsum("amyc,c,cy->amy", activity, prices, factor, optimize=True)


# The categories whose price follows the deploying ally's price and wage level: personnel (a
# person-year, the engine's person-day), a fighter's month of air policing (mostly its
# detachment's allowances and upkeep) and the engine's charged flight hours, which carry a
# fighter detachment's whole cost, its people included. Transport contracts, ships and host
# support (entered in euros) are priced alike for every ally (methodology.md, section 2).
LEVELLED: frozenset[str] = frozenset({"person_year", "person_day", "aircraft_month"})
LEVELLED_PREFIX = "flight_hour_"


def levelled_category(category: str) -> bool:
    """Whether a category's price follows the deploying ally's cost level (``LEVELLED``)."""
    return category in LEVELLED or category.startswith(LEVELLED_PREFIX)


def relative_income(gdp: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Each ally's GDP per capita over the allies' combined GDP per capita (their total GDP
    over their total population), [ally, year], at each year's market exchange rates. A year
    without every ally's GDP takes the ratios of the nearest year that has them (the earlier of
    two equally near)."""
    complete = ~np.isnan(gdp).any(axis=0)
    if not complete.any():
        raise ValueError("no year has every ally's GDP")
    have = np.flatnonzero(complete)
    ratio = (gdp[:, have] / population[:, have]) / (
        gdp[:, have].sum(axis=0) / population[:, have].sum(axis=0))
    nearest = np.abs(np.arange(gdp.shape[1])[:, None] - have[None, :]).argmin(axis=1)
    return ratio[:, nearest]


def price_level(gdp: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Each ally's structural relative GDP per capita, [ally]: the geometric mean of
    ``relative_income`` over the years with every ally's GDP. Time-invariant, so a year's
    exchange rate enters the cost once (through the conversion of the prices), not again
    through the level; catch-up growth over the period is ignored."""
    complete = ~np.isnan(gdp).any(axis=0)
    return np.exp(np.log(relative_income(gdp, population)[:, complete]).mean(axis=1))


def cost_level(relative: np.ndarray, beta: float, categories: tuple[str, ...]) -> np.ndarray:
    """L[..., c] = relative ** beta for the ``LEVELLED`` categories, 1 for the others: the
    factor on an ally's activity before it meets the (reference ally's) unit prices
    (``relative``: ``price_level``, [ally] or [point])."""
    levelled = np.array([levelled_category(c) for c in categories])
    return np.where(levelled, np.asarray(relative)[..., None] ** beta, 1.0)


EDGE = 1e-9  # keeps unbounded distributions finite at the ends of the unit interval
KNOTS = 4096  # per half of the unit interval: interpolation error below 1e-16 (quintic)
_LOG_EDGE, _LOG_HALF = np.log(EDGE) - 1e-6, np.log(0.5) + 1e-6


def pert_ppf(u: np.ndarray, a: float, b: float) -> np.ndarray:
    """The inverse CDF of Beta(a, b) (a, b >= 1) at u in [EDGE, 1 - EDGE]: what scipy's
    beta.ppf computes (boost's ibeta_inv, about 1.3 microseconds a value for PERT shapes), to
    within 1e-15 relative (tests/test_sweeps.py), 20 times faster. Below the median, log x
    is a smooth function of log u (nearly linear in the tail): a quintic Hermite
    interpolation of it between knots solved exactly by scipy.special.betaincinv; above it,
    the mirror image 1 - x of Beta(b, a) at 1 - u (exact in floating point)."""
    out = np.empty_like(u)
    low = u <= 0.5
    out[low] = _lower_half(u[low], *_pert_table(a, b))
    out[~low] = 1 - _lower_half(1 - u[~low], *_pert_table(b, a))
    return out


@lru_cache(maxsize=64)
def _pert_table(a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Knots u_i about evenly spaced in log u, and per interval the polynomial in t =
    log(u / u_i) / log(u_(i+1) / u_i) of log(x / x_i): x_i exact, the first and second
    derivatives of log x in log u (from the density) at both ends."""
    from scipy import special

    u = np.exp(np.linspace(_LOG_EDGE, _LOG_HALF, KNOTS + 1))
    x = special.betaincinv(a, b, u)
    lx = np.log(x)
    d = np.exp(np.log(u) - lx - ((a - 1) * lx + (b - 1) * np.log1p(-x)
                                  - special.betaln(a, b)))  # u / (x * density)
    s = d * (1 - d * (a - (b - 1) * x / (1 - x)))
    # Ratios, not differences of logs: log u and log x are off by |log| * eps each.
    width, rise = np.log(u[1:] / u[:-1]), np.log(x[1:] / x[:-1])
    d0, d1 = d[:-1] * width, d[1:] * width
    s0, s1 = s[:-1] * width**2, s[1:] * width**2
    coefficients = np.stack([
        x[:-1], 1 / width, d0, 0.5 * s0,
        10 * rise - 6 * d0 - 4 * d1 - 1.5 * s0 + 0.5 * s1,
        -15 * rise + 8 * d0 + 7 * d1 + 1.5 * s0 - s1,
        6 * rise - 3 * d0 - 3 * d1 - 0.5 * s0 + 0.5 * s1], axis=1)
    return u, coefficients


def _lower_half(u: np.ndarray, knots: np.ndarray, coefficients: np.ndarray) -> np.ndarray:
    h = (_LOG_HALF - _LOG_EDGE) / KNOTS
    i = np.minimum(((np.log(u) - _LOG_EDGE) / h).astype(np.intp), KNOTS - 1)
    start = knots[i]
    x0, scale, c1, c2, c3, c4, c5 = coefficients[i].T
    t = np.log1p((u - start) / start) * scale  # log(u / u_i): accurate where log u is large
    return x0 * np.exp(t * (c1 + t * (c2 + t * (c3 + t * (c4 + t * c5)))))
