"""Errors that reach the user as one line: what was wrong, where, and what is allowed."""

from __future__ import annotations

from pathlib import Path


class BurdenSimError(Exception):
    """Base class of every input problem burden-sim reports without a traceback."""


class DataError(BurdenSimError):
    """The shipped (or user-supplied) baseline data are broken."""

    def __init__(self, file: str | Path, message: str, row: int | None = None):
        where = f"{Path(file).name}" + (f", row {row}" if row is not None else "")
        super().__init__(f"{where}: {message}")


class ScenarioError(BurdenSimError):
    """A scenario file is malformed or names something the baseline does not have."""

    def __init__(self, file: str | Path, field: str, message: str, line: int | None = None):
        self.file, self.field, self.line = str(file), field, line
        where = f"{file}" + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {field}: {message}")
