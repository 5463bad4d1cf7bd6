"""The deployment engine's sourced unit-cost figures (``data/engine_cost_figures.csv``): for each
engine category, the figures sources give for it (counted: their median is the central value,
their range the low and high) and what was left out, and why (docs/engine_costs.md)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from ..errors import DataError
from .baseline import DATA_DIR
from .tables import check_sources, read_data, require_columns

FILE = "engine_cost_figures.csv"
COLUMNS = ("category", "value", "use", "source_id", "reason")
USES = ("counted", "left out")
# the engine's unit costs whose central value is the median of their counted figures
# (model.engine_fit): every unit_costs.csv category with one of these prefixes needs some
SOURCED = ("flight_hour_", "ship_day_")


@dataclass(frozen=True)
class SourcedFigures:
    """Counted figures per category, in its currency in unit_costs.csv, each with its source;
    and the left-out figures' reason per category."""

    counted: dict[str, tuple[tuple[float, str], ...]]
    left_out: dict[str, str]


@cache
def load_sourced_figures(data_dir: Path = DATA_DIR) -> SourcedFigures:
    """Read and check the file; a bad row is a one-line error naming the file, row and field."""
    table = read_data(data_dir / FILE)
    require_columns(table, FILE, COLUMNS)
    if table.empty:
        raise DataError(FILE, "no figures: the file holds only its header")
    categories = set(read_data(data_dir / "unit_costs.csv")["category"])
    check_sources(table, FILE, set(read_data(data_dir / "sources.csv")["source_id"]))
    counted: dict[str, list[tuple[float, str]]] = {}
    left_out: dict[str, str] = {}
    for row, r in enumerate(table.itertuples(index=False), start=2):
        if r.category not in categories:
            raise DataError(FILE, f"category {r.category!r} is not in unit_costs.csv", row)
        if r.use not in USES:
            raise DataError(FILE, f"use {r.use!r} not in {list(USES)}", row)
        if r.use == "left out":
            if pd.isna(r.reason) or r.category in left_out:
                raise DataError(FILE, "reason: one row a category says what was left out and "
                                "why", row)
            if not pd.isna(r.value):
                raise DataError(FILE, f"value {r.value}: a left-out row has none (its reason "
                                "quotes the figures left out)", row)
            left_out[r.category] = str(r.reason)
            continue
        if not pd.isna(r.reason):
            raise DataError(FILE, "reason: a counted row has none (only the category's "
                            "left-out row says why)", row)
        value = pd.to_numeric(r.value, errors="coerce")
        if pd.isna(value) or value <= 0:
            raise DataError(FILE, f"value {r.value} must be a positive number", row)
        counted.setdefault(r.category, []).append((float(value), str(r.source_id)))
    for category in sorted(c for c in categories if str(c).startswith(SOURCED)):
        if category not in counted:
            raise DataError(FILE, f"category: {category} has no counted figure (its central "
                            "value is their median)")
    return SourcedFigures({c: tuple(f) for c, f in counted.items()}, left_out)
