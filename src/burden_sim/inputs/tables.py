"""Reading the data's CSV tables: a missing, empty or malformed file, a missing column or an
unknown source is a one-line DataError."""

from __future__ import annotations

import re
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
    except pd.errors.ParserError as exc:
        raise DataError(path, f"cannot read it: {parser_problem(str(exc))}") from None
    except pd.errors.EmptyDataError:
        raise DataError(path, "cannot read it: empty") from None
    except UnicodeDecodeError:
        raise DataError(path, "cannot read it: not UTF-8") from None
    except OSError as exc:
        raise DataError(path, f"cannot read it: {exc.strerror or type(exc).__name__}") from None


def parser_problem(message: str) -> str:
    """pandas' tokenizer message, on one line with the file's line where it gives one:
    "Error tokenizing data. C error: Expected 5 fields in line 30, saw 6" becomes
    "line 30: expected 5 fields, saw 6" (its lines count the header as 1 and a quoted line
    break as none, its rows count from 0 at the header)."""
    text = " ".join(message.split()).removeprefix("Error tokenizing data. C error: ")
    fields = re.fullmatch(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if fields:
        expected, line, saw = fields.groups()
        return f"line {line}: expected {expected} fields, saw {saw}"
    quote = re.fullmatch(r"EOF inside string starting at row (\d+)", text)
    if quote:
        return f"line {int(quote.group(1)) + 1}: a quoted field is never closed"
    return f"not a CSV table ({text})"


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
