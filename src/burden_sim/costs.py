"""Activity and unit prices -> gross cost per sample, ally, (mission,) and year."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .baseline import Baseline
from .scenario import Scenario, UnitCost

# Cost categories of missions written out in a scenario (the engine has its own: deploy.py).
CATEGORIES: tuple[str, ...] = ("person_year", "aircraft_month", "host_support", "person_move")


@dataclass(frozen=True)
class UnitPrices:
    """Unit prices: central [category] and triangular bounds, in their currency."""

    central: np.ndarray
    low: np.ndarray
    high: np.ndarray
    currency: tuple[str, ...]


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


def unit_prices(defaults: dict[str, UnitCost], overrides: dict[str, UnitCost],
                categories: tuple[str, ...] = CATEGORIES) -> UnitPrices:
    merged = {**defaults, **overrides}
    costs = [merged[c] for c in categories]
    return UnitPrices(
        central=np.array([c.central for c in costs]),
        low=np.array([c.central if c.low is None else c.low for c in costs]),
        high=np.array([c.central if c.high is None else c.high for c in costs]),
        currency=tuple(c.currency for c in costs),
    )


def draw_prices(prices: UnitPrices, samples: int, seed: int) -> np.ndarray:
    """P[sample, category]; the central values alone when ``samples`` is 0."""
    if samples == 0:
        return prices.central[None, :]
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    spread = prices.high - prices.low
    mode = np.divide(prices.central - prices.low, spread, out=np.zeros_like(spread),
                     where=spread > 0)
    u = rng.random((samples, len(prices.central)))
    # Inverse CDF of the triangular distribution; a zero spread gives the central value.
    left = prices.low + np.sqrt(u * mode) * spread
    right = prices.high - np.sqrt((1 - u) * (1 - mode)) * spread
    return np.where(u < mode, left, right)


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
