"""NATO's own cost shares by period: published values where found, the period's rule elsewhere.

Two data files (docs/data.md): ``nato_cost_shares.csv`` holds every published per-ally share
with its period and source; ``nato_cost_share_periods.csv`` says which years each table is in
force and the rule that reconstructs the allies without a published share (docs/methodology.md,
"The nato key"). Loading validates both; ``nato_shares`` builds the key k[a, y].
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError

SHARES_FILE = "nato_cost_shares.csv"
PERIODS_FILE = "nato_cost_share_periods.csv"
RULES = {
    "gni": "GNI shares of the members (GNI approximated by GDP)",
    "gni_us_capped_at_deu": "GNI shares of the members (GNI approximated by GDP), "
                            "the US share held at Germany's",
    "carry_forward": "the previous year's shares, scaled pro rata to make room for new members",
}
PUBLISHED, RECONSTRUCTED = "published", "reconstructed"


@dataclass(frozen=True)
class Period:
    """One cost-share table: the years it is in force and how unpublished shares are rebuilt."""

    start: int
    end: int
    rule: str  # a key of RULES, or "" when every member's share is published
    gdp_year: int | None
    source_id: str
    row: int  # line in nato_cost_share_periods.csv


@dataclass(frozen=True)
class CostShareTables:
    """Published shares (one row per ally and span of years) and the periods' rules."""

    periods: tuple[Period, ...]
    start: np.ndarray  # [row]
    end: np.ndarray  # [row]
    ally: np.ndarray  # [row] index into the baseline's allies
    share: np.ndarray  # [row] fraction (published percent / 100)
    source_id: tuple[str, ...]  # [row]
    row: np.ndarray  # [row] line in nato_cost_shares.csv

    def period_of(self, year: int) -> Period:
        for period in self.periods:
            if period.start <= year <= period.end:
                return period
        spans = ", ".join(f"{p.start}-{p.end}" for p in self.periods)
        raise DataError(PERIODS_FILE, f"period_start: no cost-share table or rule covers {year} "
                        f"(periods: {spans})")


def _int(value: object, file: str, row: int, field: str) -> int:
    try:
        number = float(str(value))
    except ValueError:
        number = float("nan")
    if not np.isfinite(number) or number != int(number):
        raise DataError(file, f"{field}: {value!r} is not a year", row)
    return int(number)


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise DataError(path, "file is missing") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(path, f"missing column(s) {', '.join(missing)}", 1)
    return frame


def _sources(cell: str, file: str, row: int, known: set[str]) -> str:
    if not cell or any(s not in known for s in cell.split(";")):
        raise DataError(file, f"source_id: {cell!r} is not in sources.csv", row)
    return cell


def load_cost_share_tables(data_dir: Path, allies: tuple[str, ...], accession_year: np.ndarray,
                           source_ids: set[str]) -> CostShareTables:
    """Read and check both files; every error names the file, the row and the field."""
    frame = _read(data_dir / PERIODS_FILE,
                  ["period_start", "period_end", "rule", "gdp_year", "source_id"])
    periods = []
    for row, r in zip(range(2, len(frame) + 2), frame.itertuples(), strict=True):
        start = _int(r.period_start, PERIODS_FILE, row, "period_start")
        end = _int(r.period_end, PERIODS_FILE, row, "period_end")
        if end < start:
            raise DataError(PERIODS_FILE, f"period_end: {end} is before period_start {start}", row)
        if periods and start <= periods[-1].end:
            raise DataError(PERIODS_FILE, f"period_start: {start} overlaps the previous period "
                            f"(which ends in {periods[-1].end}); list periods in order", row)
        if r.rule and r.rule not in RULES:
            raise DataError(PERIODS_FILE, f"rule: {r.rule!r} is not one of {', '.join(RULES)} "
                            "(or empty when every member's share is published)", row)
        gdp_year = _int(r.gdp_year, PERIODS_FILE, row, "gdp_year") if r.gdp_year else None
        if r.rule and gdp_year is None:
            raise DataError(PERIODS_FILE, f"gdp_year: rule {r.rule!r} needs the year whose GDP "
                            "stands in for GNI", row)
        periods.append(Period(start, end, r.rule, gdp_year,
                              _sources(r.source_id, PERIODS_FILE, row, source_ids), row))

    frame = _read(data_dir / SHARES_FILE,
                  ["period_start", "period_end", "ally", "share_pct", "status", "source_id"])
    rows = list(zip(range(2, len(frame) + 2), frame.itertuples(), strict=True))
    start = np.array([_int(r.period_start, SHARES_FILE, n, "period_start") for n, r in rows], int)
    end = np.array([_int(r.period_end, SHARES_FILE, n, "period_end") for n, r in rows], int)
    index, share = [], []
    for (n, r), first, last in zip(rows, start, end, strict=True):
        if last < first:
            raise DataError(SHARES_FILE, f"period_end: {last} is before period_start {first}", n)
        if r.ally not in allies:
            raise DataError(SHARES_FILE, f"ally: unknown ally {r.ally!r}", n)
        if accession_year[allies.index(r.ally)] > first:
            raise DataError(SHARES_FILE, f"period_start: {r.ally} was not a member in {first}", n)
        if r.status != PUBLISHED:
            raise DataError(SHARES_FILE, f"status: {r.status!r}; this file holds published "
                            "shares only (status=published)", n)
        try:
            pct = float(r.share_pct)
        except ValueError:
            pct = float("nan")
        if not 0 < pct < 100:
            raise DataError(SHARES_FILE, f"share_pct: {r.share_pct!r} is not a percentage "
                            "between 0 and 100", n)
        _sources(r.source_id, SHARES_FILE, n, source_ids)
        index.append(allies.index(r.ally))
        share.append(pct / 100)
    tables = CostShareTables(
        periods=tuple(periods), start=start, end=end, ally=np.array(index, int),
        share=np.array(share, float), source_id=tuple(frame["source_id"]),
        row=np.array([n for n, _ in rows], int))
    _check_overlaps_and_totals(tables, allies)
    return tables


def _check_overlaps_and_totals(tables: CostShareTables, allies: tuple[str, ...]) -> None:
    """No ally has two published shares for one year; no year's published shares exceed 100 %."""
    if not len(tables.row):
        return
    for year in range(int(tables.start.min()), int(tables.end.max()) + 1):
        live = np.flatnonzero((tables.start <= year) & (year <= tables.end))
        seen: dict[int, int] = {}
        for i in live:
            if tables.ally[i] in seen:
                raise DataError(SHARES_FILE, f"period_start: {allies[tables.ally[i]]} already has "
                                f"a published share for {year} (row {seen[tables.ally[i]]})",
                                int(tables.row[i]))
            seen[tables.ally[i]] = int(tables.row[i])
        running = np.cumsum(tables.share[live])
        if live.size and running[-1] > 1 + 1e-9:
            past = live[np.argmax(running > 1 + 1e-9)]
            raise DataError(SHARES_FILE, f"share_pct: the published shares for {year} add up to "
                            f"{100 * running[-1]:.4f} %, more than 100 % (this row takes the "
                            "total past 100 %)", int(tables.row[past]))


def _gdp_shares(gdp: np.ndarray, members: np.ndarray, us: int, deu: int,
                capped: bool) -> np.ndarray:
    """GDP shares of the members; with ``capped`` the US share is held at Germany's and the
    excess spread pro rata over the others (the nato_derived cap, methodology.md)."""
    weight = np.where(members, gdp, 0.0)
    shares = weight / weight.sum()
    if capped and shares[us] > shares[deu]:
        scale = 1.0 / (1.0 - shares[us] + shares[deu])
        shares = shares * scale
        shares[us] = shares[deu]
    return shares


@dataclass(frozen=True)
class NatoShares:
    shares: np.ndarray  # [ally, year], each column sums to 1 over the members
    status: np.ndarray  # [ally, year] "published", "reconstructed", "" for non-members
    source: np.ndarray  # [ally, year] source ids of a published share, or the rule used


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
    return NatoShares(shares[:, pick], status[:, pick], source[:, pick])


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
