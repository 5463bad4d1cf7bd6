"""The ``nato`` key: NATO's published cost shares kept exactly, the period's rule elsewhere.

For each year, the table in force (``inputs/cost_shares.py``): published shares where found,
the others rebuilt by the period's rule (GNI shares with GDP standing in for GNI, the US held at
Germany's from 2021, or the previous year's shares carried forward past an accession) and scaled
so that the members' shares add up to 1 (docs/methodology.md, section 3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from ..inputs.baseline import Baseline
from ..inputs.cost_shares import PERIODS_FILE, PUBLISHED, CostShareTables, Period

RECONSTRUCTED = "reconstructed"


def _gdp_shares(gdp: np.ndarray, members: np.ndarray, us: int, deu: int,
                capped: bool) -> np.ndarray:
    """GDP shares of the members; with ``capped`` the US share is held at Germany's and the
    excess spread pro rata over the others (the nato_derived cap, methodology.md)."""
    weight = np.where(members, gdp, 0.0)
    shares = weight / weight.sum()
    if capped and shares[us] > shares[deu]:
        shares = shares / (1.0 - shares[us] + shares[deu])
        shares[us] = shares[deu]
    return shares


@dataclass(frozen=True)
class NatoShares:
    shares: np.ndarray  # [ally, year], each column sums to 1 over the members
    status: np.ndarray  # [ally, year] "published", "reconstructed", "" for non-members
    source: np.ndarray  # [ally, year] source ids of a published share, or the rule used


def nato_key(baseline: Baseline, years: list[int]) -> NatoShares:
    """The ``nato`` key of ``baseline`` for ``years`` (its tables, accessions and GDP)."""
    return nato_shares(baseline.cost_shares, baseline.allies, baseline.accession_year,
                       baseline.gdp_usd, baseline.years, years)


def nato_shares(tables: CostShareTables, allies: tuple[str, ...], accession_year: np.ndarray,
                gdp_usd: np.ndarray, gdp_years: np.ndarray, years: list[int]) -> NatoShares:
    """k[a, y] for ``years``: published shares kept exactly, the others by their period's rule,
    scaled so that the members' shares add up to 1. Built year by year from the first period
    (the carry-forward rule needs the year before); 32 allies by ~20 years, off the hot path."""
    if not tables.periods or min(years) < tables.periods[0].start:
        tables.period_of(min(years))  # raises: no period covers it
    span = list(range(tables.periods[0].start, max(years) + 1))
    n = len(allies)
    us, deu = allies.index("USA"), allies.index("DEU")
    shares = np.zeros((n, len(span)))
    status = np.full((n, len(span)), "", dtype=object)
    source = np.full((n, len(span)), "", dtype=object)
    for j, year in enumerate(span):
        period = tables.period_of(year)
        members = accession_year <= year
        live = np.flatnonzero((tables.start <= year) & (year <= tables.end))
        published = np.zeros(n, bool)
        published[tables.ally[live]] = True
        value = np.zeros(n)
        value[tables.ally[live]] = tables.share[live]
        free = members & ~published
        if free.any():
            prior = _prior(period, year, j, shares, members, published, value, accession_year,
                           gdp_usd, gdp_years, allies, us, deu)
            room = 1.0 - value.sum()
            if prior[free].sum() <= 0:
                raise DataError(PERIODS_FILE, f"rule: the rule of {period.start}-{period.end} "
                                f"gives no share to the unpublished allies of {year}",
                                period.row)
            shares[:, j] = np.where(free, prior * room / prior[free].sum(), value)
            rule = period.rule
            label = f"{rule} ({period.start}-{period.end}): {period.source_id}"
            source[free, j] = label + (f"; GDP {period.gdp_year} (gdp.csv)"
                                       if rule != "carry_forward" else "")
            status[free, j] = RECONSTRUCTED
        else:
            if abs(value.sum() - 1.0) > 1e-6:
                raise DataError(PERIODS_FILE, f"rule: every member's share for {year} is "
                                f"published but they add up to {100 * value.sum():.4f} %, and "
                                "the period has no rule to fill the rest", period.row)
            shares[:, j] = value
        status[published, j] = PUBLISHED
        for i in live:
            source[tables.ally[i], j] = tables.source_id[i]
    pick = [span.index(y) for y in years]
    return NatoShares(shares[:, pick], status[:, pick].astype(str), source[:, pick].astype(str))


def _prior(period: Period, year: int, j: int, shares: np.ndarray, members: np.ndarray,
           published: np.ndarray, value: np.ndarray, accession_year: np.ndarray,
           gdp_usd: np.ndarray, gdp_years: np.ndarray, allies: tuple[str, ...], us: int,
           deu: int) -> np.ndarray:
    """The rule's share for every member before published values are put in (sums to 1)."""
    if not period.rule:
        missing = [a for a, f in zip(allies, members & ~published, strict=True) if f]
        raise DataError(PERIODS_FILE, f"rule: {year} has members without a published share "
                        f"({', '.join(missing)}) and the period has no rule", period.row)

    def gdp_based(capped: bool) -> np.ndarray:
        col = np.flatnonzero(gdp_years == period.gdp_year)
        gdp = gdp_usd[:, col[0]] if col.size else np.full(len(allies), np.nan)
        gaps = [a for a, m, g in zip(allies, members, gdp, strict=True) if m and not g > 0]
        if gaps:
            raise DataError(PERIODS_FILE, f"gdp_year: no GDP for {', '.join(gaps)} in "
                            f"{period.gdp_year} (gdp.csv), needed for {year}", period.row)
        return _gdp_shares(gdp, members, us, deu, capped)

    if period.rule == "gni":
        return gdp_based(capped=False)
    if period.rule == "gni_us_capped_at_deu":
        return gdp_based(capped=True)
    if j == 0 or shares[:, j - 1].sum() == 0:
        raise DataError(PERIODS_FILE, f"rule: carry_forward needs the shares of {year - 1}, "
                        "which no period covers", period.row)
    new = members & (accession_year == year)
    newcomer = np.zeros(len(allies))
    if new.any():
        newcomer = np.where(new & published, value, 0.0)
        if (new & ~published).any():
            newcomer = np.where(new & ~published, gdp_based(capped=True), newcomer)
    return np.where(new, newcomer, shares[:, j - 1] * (1.0 - newcomer.sum()))
