"""Activity and unit prices -> gross cost per sample, ally, mission and year."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .baseline import Baseline
from .scenario import Scenario, UnitCost

CATEGORIES = ("person_year", "aircraft_month")


@dataclass(frozen=True)
class UnitPrices:
    """Unit prices: central [category] and optional triangular bounds, in their currency."""

    central: np.ndarray
    low: np.ndarray
    high: np.ndarray
    currency: tuple[str, ...]


def activity_tensor(scenario: Scenario, baseline: Baseline) -> np.ndarray:
    """U[ally, mission, year, category]: person-years and aircraft-months deployed."""
    years = scenario.year_list
    records = [
        (baseline.index(c.ally), m, c.start, c.last_year,
         (c.troops or 0.0) * c.months / 12, (c.aircraft or 0.0) * c.months)
        for m, mission in enumerate(scenario.missions)
        for c in mission.contributions
    ]
    ally, mission, start, end, person_years, aircraft_months = map(np.array, zip(*records,
                                                                                strict=True))
    year_axis = np.asarray(years)
    present = (start[:, None] <= year_axis) & (end[:, None] >= year_axis)  # [record, year]
    quantity = np.stack([person_years, aircraft_months], axis=1)  # [record, category]
    activity = np.zeros((len(baseline.allies), len(scenario.missions), len(years),
                         len(CATEGORIES)))
    np.add.at(activity, (ally, mission), present[:, :, None] * quantity[:, None, :])
    return activity


def unit_prices(defaults: dict[str, UnitCost], overrides: dict[str, UnitCost]) -> UnitPrices:
    merged = {**defaults, **overrides}
    costs = [merged[c] for c in CATEGORIES]
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


def usd_factor(prices: UnitPrices, baseline: Baseline, years: list[int]) -> np.ndarray:
    """USD per unit of each price's currency, [category, year], at each year's rate."""
    per_eur = np.array([baseline.usd_per_eur[y] for y in years])
    return np.stack([per_eur if cur == "EUR" else np.ones(len(years))
                     for cur in prices.currency])


def gross_cost(activity: np.ndarray, prices_sc: np.ndarray, factor_cy: np.ndarray) -> np.ndarray:
    """G[sample, ally, mission, year] = sum_c U[a, m, y, c] * P[s, c] * fx[c, y]."""
    return np.einsum("amyc,sc,cy->samy", activity, prices_sc, factor_cy, optimize=True)
