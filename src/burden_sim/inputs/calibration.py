"""Calibration points: published national costs of these missions, each with the activity it
covers in model units (``data/calibration_points.csv``). Loading checks every row and converts
each amount to euros; the fit itself is ``model.calibration``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from .baseline import DATA_DIR
from .tables import read_table, require_columns

POINTS_FILE = DATA_DIR / "calibration_points.csv"
# the file's activity columns and the unit-cost category each is priced by
UNITS = {"person_years": "person_year", "person_moves": "person_move",
         "aircraft_months": "aircraft_month", "ship_days": "ship_day_frigate",
         "host_support_eur": "host_support"}
KINDS = ("air", "land", "transport", "mixed", "exercise")
MAX_UNITS = 1e7  # a point's person-years, moves, aircraft-months or ship-days: far above any
# published mission (the largest shipped point counts 10,000 moves)
USES = ("fit", "holdout", "excluded")
# what the evidence says of a point whose model cost lies outside the goal (0.5-2 times the
# published cost): its scope explains it, or nothing found does; empty for the others
OUTSIDE_GOALS = ("", "explained", "not explained")
REQUIRED = ("id", "ally", "mission", "kind", "start", "end", "covers", "scope", "amount",
            "currency", "fx_year", "adjustment", "source_id", "circular", "use", "note",
            "outside_goal", "outside_reason")


@dataclass(frozen=True)
class Points:
    """The checked points: the file's rows, activity [point, category] in model units, and
    each published amount in euros (times its scope adjustment)."""

    table: pd.DataFrame
    categories: tuple[str, ...]
    activity: np.ndarray  # [point, category]
    published_eur: np.ndarray  # [point]


def load_points(path: Path = POINTS_FILE, data_dir: Path = DATA_DIR) -> Points:
    """Read and check a calibration-points file; a bad row is a one-line error naming the file,
    its line and the field."""
    path = Path(path)
    table = read_table(path, dtype=str, keep_default_na=False, encoding="utf-8")
    require_columns(table, path, (*REQUIRED, *UNITS))
    sources = set(pd.read_csv(data_dir / "sources.csv", dtype=str)["source_id"])
    allies = set(pd.read_csv(data_dir / "allies.csv", dtype=str)["ally"])
    rates = _rates(data_dir / "fx.csv")
    activity = np.zeros((len(table), len(UNITS)))
    published = np.zeros(len(table))
    seen: set[str] = set()
    for i, row in enumerate(table.itertuples(index=False)):
        line = i + 2  # the header is line 1

        def bad(field: str, message: str, line: int = line) -> DataError:
            return DataError(path, f"{field}: {message}", line)

        if not row.id or row.id in seen:
            raise bad("id", "empty or repeated: every point needs its own id")
        seen.add(row.id)
        if row.ally not in allies:
            raise bad("ally", f"{row.ally!r} is not an ally in allies.csv")
        cited = [s.strip() for s in row.source_id.split(";") if s.strip()]
        if not cited:
            raise bad("source_id", "empty: every point needs a source in sources.csv")
        unknown = [s for s in cited if s not in sources]
        if unknown:
            raise bad("source_id", f"{', '.join(unknown)} not in sources.csv")
        for j, column in enumerate(UNITS):
            activity[i, j] = _number(getattr(row, column) or "0", bad, column, minimum=0)
        if not activity[i].any():
            raise bad("/".join(UNITS), "no unit: every point needs its activity in model "
                      "units (at least one above zero)")
        try:
            start, end = (dt.date.fromisoformat(getattr(row, f)) for f in ("start", "end"))
        except ValueError:
            raise bad("start/end", f"{row.start!r} to {row.end!r}: give dates as YYYY-MM-DD"
                      ) from None
        if end < start:
            raise bad("end", f"{row.end} is before start {row.start}")
        if row.circular not in ("yes", "no"):
            raise bad("circular", f"{row.circular!r} is not yes or no")
        counted = activity[i, :-1]  # the last column, host support, is in euros
        if counted.max() > MAX_UNITS:
            raise bad("/".join(list(UNITS)[:-1]), f"{counted.max():g} units: more than any "
                      f"mission holds ({MAX_UNITS:g})")
        if row.kind not in KINDS:
            raise bad("kind", f"{row.kind!r} is not one of {', '.join(KINDS)}")
        if row.use not in USES:
            raise bad("use", f"{row.use!r} is not one of {', '.join(USES)}")
        if row.outside_goal not in OUTSIDE_GOALS:
            raise bad("outside_goal", f"{row.outside_goal!r} is not one of "
                      f"{', '.join(repr(g) for g in OUTSIDE_GOALS)}")
        if bool(row.outside_goal) != bool(row.outside_reason.strip()):
            raise bad("outside_reason", "give a reason with outside_goal, and only with it")
        amount = _number(row.amount, bad, "amount", minimum=0, strict=True)
        adjustment = _number(row.adjustment, bad, "adjustment", minimum=0, strict=True)
        year = int(_number(row.fx_year, bad, "fx_year", minimum=1949))
        if row.currency == "EUR":
            rate = 1.0
        elif (row.currency, year) in rates:
            rate = rates[row.currency, year]
        else:
            raise bad("currency", f"no {row.currency}_per_EUR rate for {year} in fx.csv")
        published[i] = amount * adjustment / rate
    return Points(table=table, categories=tuple(UNITS.values()), activity=activity,
                  published_eur=published)


def _number(text: str, bad, field: str, minimum: float, strict: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        raise bad(field, f"{text!r} is not a number") from None
    if not np.isfinite(value) or value < minimum or (strict and value == minimum):
        raise bad(field, f"{text} is out of range (must be {'above' if strict else 'at least'} "
                  f"{minimum:g})")
    return value


def _rates(path: Path) -> dict[tuple[str, int], float]:
    fx = pd.read_csv(path)
    fx = fx[fx["pair"].str.endswith("_per_EUR")]
    return {(p.removesuffix("_per_EUR"), int(y)): float(r)
            for p, y, r in zip(fx["pair"], fx["year"], fx["rate"], strict=True)}
