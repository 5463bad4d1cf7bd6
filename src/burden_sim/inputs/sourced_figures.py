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
from .tables import check_sources, read_data

FILE = "engine_cost_figures.csv"
USES = ("counted", "left out")


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
            left_out[r.category] = str(r.reason)
            continue
        value = pd.to_numeric(r.value, errors="coerce")
        if pd.isna(value) or value <= 0:
            raise DataError(FILE, f"value {r.value} must be a positive number", row)
        counted.setdefault(r.category, []).append((float(value), str(r.source_id)))
    return SourcedFigures({c: tuple(f) for c, f in counted.items()}, left_out)
