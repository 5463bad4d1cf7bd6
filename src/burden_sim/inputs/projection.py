"""Extend the baseline past its last data year: a stated path, never a forecast."""

from __future__ import annotations

import dataclasses

import numpy as np

from .baseline import Baseline
from .schema import Projection


def extend(baseline: Baseline, last_year: int, projection: Projection) -> Baseline:
    """Years after the last GDP figure: GDP grows at a constant rate; population stays at
    its last value, the exchange rate at the last year it has (which may be later than
    GDP's), the UN scale at each year's period (the last period's after it); each ally's
    defence share moves in a straight line to the target by the target year (an ally
    already above stays where it is).
    """
    base = baseline.gdp_last_year
    if last_year <= base:
        return baseline
    first = int(baseline.years[0])
    years = np.arange(first, last_year + 1)
    keep = base - first + 1
    ahead = np.arange(1, last_year - base + 1)
    growth = (1 + projection.gdp_growth_pct / 100) ** ahead

    def held(values: np.ndarray) -> np.ndarray:
        return np.concatenate([values[:, :keep], np.repeat(values[:, keep - 1:keep],
                                                           len(ahead), axis=1)], axis=1)

    gdp = np.concatenate([baseline.gdp_usd[:, :keep],
                          baseline.gdp_usd[:, keep - 1:keep] * growth], axis=1)
    pct = np.concatenate([baseline.defence_pct_gdp[:, :keep],
                          _defence_path(baseline, years[keep:], projection)], axis=1)
    rate = baseline.usd_per_eur
    known = sorted(rate)
    # each series is held at its own last value: the exchange rate at its last year's rate
    usd_per_eur = {y: rate.get(y, rate[max([k for k in known if k <= y] or known[:1])])
                   for y in years.tolist()}
    return dataclasses.replace(
        baseline, years=years, gdp_usd=gdp, population=held(baseline.population),
        un_scale_pct=baseline.un_scale_periods.for_years(years),
        defence_pct_gdp=pct,
        defence_usd=np.concatenate([baseline.defence_usd[:, :keep],
                                    np.full((len(baseline.allies), len(ahead)), np.nan)], axis=1),
        usd_per_eur=usd_per_eur,
    )


def _defence_path(baseline: Baseline, future: np.ndarray, projection: Projection) -> np.ndarray:
    """[ally, year] defence shares of the projected years: the edition's own figure where it
    has one (2025-08 estimates 2025 for 19 allies), else a straight line from the ally's last
    figure to the target by the target year (held without a target; never down)."""
    observed = baseline.defence_pct_gdp
    seen = ~np.isnan(observed)
    last = observed.shape[1] - 1 - np.argmax(seen[:, ::-1], axis=1)  # each ally's last figure
    start = observed[np.arange(len(last)), last][:, None]
    since = baseline.years[last][:, None]
    if projection.defence_target_pct is None:
        path = np.repeat(start, len(future), axis=1)
    else:
        target = projection.defence_target_pct
        progress = np.clip((future[None, :] - since)
                           / np.maximum(1, projection.target_year - since), 0.0, 1.0)
        path = np.maximum(start, start + (target - start) * progress)
    published = np.full_like(path, np.nan)
    inside = future <= baseline.years[-1]
    published[:, inside] = observed[:, np.searchsorted(baseline.years, future[inside])]
    return np.where(np.isnan(published), path, published)
