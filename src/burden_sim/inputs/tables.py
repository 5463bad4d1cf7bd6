"""Reading the data's CSV tables: a missing, empty or malformed file is a one-line DataError."""

from __future__ import annotations

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
