"""NATO's cost-share tables: the published per-ally shares and each period's rule.

Two data files (docs/data.md): ``nato_cost_shares.csv`` holds every published per-ally share
with its period and source; ``nato_cost_share_periods.csv`` says which years each table is in
force and the rule that reconstructs the allies without a published share. Loading checks both
and reports every problem as one line naming the file, the row and the field; the key itself is
built in ``model/nato_key.py`` (docs/methodology.md, section 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from .tables import read_table, require_columns

SHARES_FILE = "nato_cost_shares.csv"
PERIODS_FILE = "nato_cost_share_periods.csv"
RULES = {
    "gni": "GNI shares of the members (GNI approximated by GDP)",
    "gni_us_capped_at_deu": "GNI shares of the members (GNI approximated by GDP), "
                            "the US share held at Germany's",
    "carry_forward": "the previous year's shares, scaled pro rata to make room for new members",
}
PUBLISHED = "published"


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
    frame = read_table(path, dtype=str, keep_default_na=False)
    require_columns(frame, path, columns)
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
