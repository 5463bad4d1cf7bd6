"""Reading the data's CSV tables: a missing, empty or malformed file, a missing column or an
unknown source is a one-line DataError."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..errors import DataError


def read_table(path: Path, **options) -> pd.DataFrame:
    """``pandas.read_csv(path, **options)``, with its failures as one-line DataErrors."""
    try:
        return pd.read_csv(path, **options)
    except FileNotFoundError:
        raise DataError(path, "file is missing") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        why = "empty" if isinstance(exc, pd.errors.EmptyDataError) else (
            "not UTF-8" if isinstance(exc, UnicodeDecodeError) else
            f"not a CSV table ({type(exc).__name__})")
        raise DataError(path, f"cannot read it: {why}") from None


def read_data(path: Path) -> pd.DataFrame:
    """A shipped data table (``data/*.csv``): ally codes and editions as text; only empty cells
    are missing (pandas' other missing-value words, "NA" or "null", stay text)."""
    return read_table(path, dtype={"ally": str, "edition": str}, keep_default_na=False,
                      na_values=[""])


def require_columns(frame: pd.DataFrame, path: str | Path, columns: Iterable[str]) -> None:
    """A DataError naming the file and the columns ``frame`` lacks, if any."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(path, f"missing column(s): {', '.join(missing)}")


def check_sources(frame: pd.DataFrame, file: str | Path, source_ids: set[str]) -> None:
    """Every row's ``source_id`` (one or more ids joined by ";") is in ``source_ids``
    (sources.csv); otherwise a DataError naming the file and row."""
    require_columns(frame, file, ["source_id"])
    for row, sid in enumerate(frame["source_id"], start=2):
        if pd.isna(sid) or any(s not in source_ids for s in str(sid).split(";")):
            raise DataError(file, f"source_id {sid!r} is not in sources.csv", row)
