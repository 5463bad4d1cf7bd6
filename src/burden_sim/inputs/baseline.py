"""The baseline: allies, defence expenditure, GDP, population, exchange rates, unit costs and
NATO's cost-share tables (``cost_shares.py``).

Every CSV in ``data/`` carries a ``source_id`` that must resolve in ``sources.csv``. Loading
validates the files and returns arrays indexed by ally and year.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from .cost_shares import CostShareTables, load_cost_share_tables
from .schema import UnitCost
from .tables import check_sources, read_data, require_columns

DATA_DIR = Path(__file__).parents[1] / "data"
DEFAULT_EDITION = "2024-06"
STATUSES = {"actual", "estimate", "gap"}


@dataclass(frozen=True)
class Baseline:
    """Figures for one defence-expenditure edition, as arrays over (ally, year)."""

    edition: str
    allies: tuple[str, ...]
    names: tuple[str, ...]
    accession_year: np.ndarray  # [ally]
    years: np.ndarray  # [year]
    gdp_usd: np.ndarray  # [ally, year], current USD; NaN where no figure
    population: np.ndarray  # [ally, year], persons
    un_scale_pct: np.ndarray  # [ally, year], UN regular-budget scale of assessments
    un_scale_periods: Periods  # the same scale by period, for projected years
    defence_usd: np.ndarray  # [ally, year], current USD; NaN where no figure
    defence_pct_gdp: np.ndarray  # [ally, year], percent
    usd_per_eur: dict[int, float]
    gdp_last_year: int  # the last year with every ally's GDP
    unit_costs: dict[str, UnitCost]  # every cost category's shipped central/low/high value
    cost_shares: CostShareTables  # NATO's published cost shares and each period's rule
    cost_level: FittedBeta  # elasticity of a deploying ally's costs to its GDP per capita
    unit_cost_notes: dict[str, str]  # what each shipped unit cost is and how it was built
    sources: dict[str, Source]  # sources.csv: what each source_id cites

    @property
    def cost_level_beta(self) -> float:
        """The fitted elasticity (cost_level.csv's value)."""
        return self.cost_level.value

    def index(self, ally: str) -> int:
        """The position of an ally (ISO3 code) on the ally axis."""
        return self.allies.index(ally)

    def members(self, years: np.ndarray) -> np.ndarray:
        """Boolean [ally, year]: was the ally a member in that year."""
        return self.accession_year[:, None] <= np.asarray(years)[None, :]

    def year_positions(self, years: list[int] | np.ndarray) -> np.ndarray:
        """Positions of ``years`` on the year axis (KeyError for years without data)."""
        missing = sorted(set(np.asarray(years).tolist()) - set(self.years.tolist()))
        if missing:
            raise KeyError(missing)
        return np.searchsorted(self.years, years)


def _check_non_negative(frame: pd.DataFrame, file: str, columns: list[str]) -> None:
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = np.flatnonzero((values < 0).to_numpy())
        if bad.size:
            row = int(bad[0]) + 2
            raise DataError(file, f"{column} is negative ({values.iloc[bad[0]]})", row)


@cache
def load_baseline(edition: str = DEFAULT_EDITION, data_dir: Path = DATA_DIR) -> Baseline:
    """Load and validate the shipped data for one edition of NATO's expenditure tables."""
    sources = read_data(data_dir / "sources.csv")
    source_ids = set(sources["source_id"])
    tables = {name: read_data(data_dir / f"{name}.csv")
              for name in ("allies", "editions", "defence_expenditure", "gdp", "population",
                           "un_scale", "fx", "unit_costs", "cost_level")}
    for name, frame in tables.items():
        check_sources(frame, f"{name}.csv", source_ids)
    allies, editions, spending, gdp_rows, fx = (
        tables[n] for n in ("allies", "editions", "defence_expenditure", "gdp", "fx"))
    _check_non_negative(tables["unit_costs"], "unit_costs.csv", ["central", "low", "high"])

    if edition not in set(editions["edition"]):
        known = ", ".join(editions["edition"])
        raise DataError("editions.csv", f"unknown edition {edition!r} (known: {known})")
    info = editions.set_index("edition").loc[edition]
    years = np.arange(int(info["first_year"]), int(info["last_year"]) + 1)
    codes = tuple(allies["ally"])
    if len(set(codes)) != len(codes):
        raise DataError("allies.csv", "an ally code appears twice")

    rows = spending[spending["edition"] == edition]
    _check_non_negative(rows, "defence_expenditure.csv", ["defence_pct_gdp", "defence_usd_m"])
    _check_complete(rows, "defence_expenditure.csv", codes, years, "defence_pct_gdp")
    _check_non_negative(gdp_rows, "gdp.csv", ["gdp_usd"])
    gdp_years = np.arange(gdp_rows["year"].min(), gdp_rows["year"].max() + 1)
    _check_complete(gdp_rows, "gdp.csv", codes, gdp_years, "gdp_usd")
    population_rows = tables["population"]
    _check_non_negative(population_rows, "population.csv", ["population"])
    _check_complete(population_rows, "population.csv", codes, gdp_years, "population")
    _check_non_negative(fx, "fx.csv", ["rate"])

    pct = _grid(rows, "defence_pct_gdp", codes, years)
    usd = _grid(rows, "defence_usd_m", codes, years) * 1e6
    gdp = _grid(gdp_rows, "gdp_usd", codes, years)
    population = _grid(population_rows, "population", codes, years)
    un_scale = _by_period(tables["un_scale"], "un_scale.csv", codes)
    usd_per_eur = {
        int(r.year): float(r.rate) for r in fx[fx["pair"] == "USD_per_EUR"].itertuples()
    }
    accession_year = allies["accession_date"].str.slice(0, 4).astype(int).to_numpy()
    return Baseline(
        edition=edition,
        allies=codes,
        names=tuple(allies["name"]),
        accession_year=accession_year,
        years=years,
        gdp_usd=gdp,
        population=population,
        un_scale_pct=un_scale.for_years(years),
        un_scale_periods=un_scale,
        defence_usd=usd,
        defence_pct_gdp=pct,
        usd_per_eur=usd_per_eur,
        gdp_last_year=int(gdp_years[-1]),
        unit_costs={
            row.category: UnitCost(central=row.central, low=row.low, high=row.high,
                                   currency=row.currency, source=row.source_id)
            for row in tables["unit_costs"].itertuples()
        },
        cost_shares=load_cost_share_tables(data_dir, codes, accession_year, source_ids),
        cost_level=_beta(tables["cost_level"]),
        unit_cost_notes={row.category: str(row.note) for row in tables["unit_costs"].itertuples()},
        sources=_sources(sources),
    )


@dataclass(frozen=True)
class Source:
    """One row of sources.csv: what a ``source_id`` cites."""

    title: str
    publisher: str
    date: str
    url: str  # a web address, or a project note's path


def _sources(table: pd.DataFrame) -> dict[str, Source]:
    require_columns(table, "sources.csv", ["source_id", "title", "publisher", "date", "url"])
    text = table.fillna("").astype(str)
    return {row.source_id: Source(row.title, row.publisher, row.date, row.url)
            for row in text.itertuples()}


@dataclass(frozen=True)
class FittedBeta:
    """cost_level.csv's row ``beta``: the fitted value, its standard error, bounds, sources."""

    value: float
    se: float
    low: float
    high: float
    source: str


def _beta(table: pd.DataFrame) -> FittedBeta:
    """The fitted cost-level elasticity (cost_level.csv's row ``beta``), within its bounds."""
    require_columns(table, "cost_level.csv", ["parameter", "value", "se", "low", "high"])
    rows = table[table["parameter"] == "beta"]
    if len(rows) != 1:
        raise DataError("cost_level.csv", "needs exactly one row with parameter beta")
    row = rows.iloc[0]
    if not row["low"] <= row["value"] <= row["high"]:
        raise DataError("cost_level.csv", f"beta {row['value']} is outside its bounds "
                        f"{row['low']} to {row['high']}")
    return FittedBeta(float(row["value"]), float(row["se"]), float(row["low"]),
                      float(row["high"]), str(row["source_id"]))


def _grid(rows: pd.DataFrame, column: str, codes: tuple[str, ...], years: np.ndarray):
    """[ally, year] array of ``column``; NaN where the row is a gap or absent."""
    index = pd.MultiIndex.from_product([codes, years], names=["ally", "year"])
    values = rows.set_index(["ally", "year"])[column].reindex(index)
    return values.to_numpy(float).reshape(len(codes), len(years))


@dataclass(frozen=True)
class Periods:
    """Shares per multi-year period ("2022-2024"), by the year each period starts."""

    starts: np.ndarray  # [period]
    shares: np.ndarray  # [ally, period]

    def for_years(self, years: np.ndarray) -> np.ndarray:
        """[ally, year]: each year's period; years before the first period take the first,
        years after the last take the last (docs/data.md)."""
        pick = np.clip(np.searchsorted(self.starts, years, side="right") - 1, 0,
                       len(self.starts) - 1)
        return self.shares[:, pick]


def _by_period(rows: pd.DataFrame, file: str, codes: tuple[str, ...]) -> Periods:
    """The rows per multi-year period of a table such as un_scale.csv."""
    _check_non_negative(rows, file, ["share_pct"])
    first = rows["period"].str.slice(0, 4).astype(int)
    periods = sorted(set(zip(first, rows["period"], strict=True)))
    table = rows.pivot(index="ally", columns="period", values="share_pct").reindex(list(codes))
    if table.isna().any().any():
        raise DataError(file, "every ally needs a share in every period")
    return Periods(np.array([p[0] for p in periods]),
                   table[[p[1] for p in periods]].to_numpy(float))


def _check_complete(rows: pd.DataFrame, file: str, codes: tuple[str, ...], years: np.ndarray,
                    value: str) -> None:
    """Every ally and year has a row: a value, or status=gap with a note saying why."""
    for row, r in zip(rows.index + 2, rows.itertuples(), strict=True):
        if r.ally not in codes:
            raise DataError(file, f"unknown ally {r.ally!r}", row)
        status = getattr(r, "status", "actual")
        if status not in STATUSES:
            raise DataError(file, f"status {status!r} not in {sorted(STATUSES)}", row)
        if status == "gap" and pd.isna(r.note):
            raise DataError(file, "a gap needs a note saying why there is no figure", row)
        if status != "gap" and pd.isna(getattr(r, value)):
            raise DataError(file, f"{value} is empty (give the figure, or mark the row "
                            "status=gap with a note)", row)
    keys = list(zip(rows["ally"], rows["year"], strict=True))
    if len(set(keys)) != len(keys):
        raise DataError(file, "an (ally, year) pair appears twice")
    missing = sorted(set(itertools.product(codes, years.tolist())) - set(keys))
    if missing:
        ally, year = missing[0]
        raise DataError(file, f"no row for {ally} {year} (add the figure, or a row with "
                        "status=gap and a note)")
