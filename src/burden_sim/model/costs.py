"""Unit prices, and activity times unit prices -> gross cost per sample, ally, (mission,) and
year."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.written import CATEGORIES
from ..inputs.schema import UnitCost


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
    merged = {**defaults, **overrides}
    costs = [merged[c] for c in categories]
    return UnitPrices(
        central=np.array([c.central for c in costs]),
        low=np.array([c.central if c.low is None else c.low for c in costs]),
        high=np.array([c.central if c.high is None else c.high for c in costs]),
        currency=tuple(c.currency for c in costs),
    )


def pert(central: np.ndarray, low: np.ndarray, high: np.ndarray, draws: int,
         seed: int) -> np.ndarray:
    """Prices [draw, category]: PERT on [low, high] with its mode at ``central`` (a beta with
    shapes 1 + 4c and 1 + 4(1 - c), c = (central - low) / (high - low)); a category without a
    range keeps its central value."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    spread = high - low
    c = np.divide(central - low, spread, out=np.full_like(spread, 0.5), where=spread > 0)
    x = rng.beta(1 + 4 * c, 1 + 4 * (1 - c), size=(draws, len(central)))
    return np.where(spread > 0, low + x * spread, central)


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
