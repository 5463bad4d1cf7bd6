"""Errors that reach the user as one line: what was wrong, where, and what is allowed."""

from __future__ import annotations

from pathlib import Path


class BurdenSimError(Exception):
    """Base class of every input problem burden-sim reports without a traceback."""


SHIPPED_DATA = Path(__file__).parent / "data"


class DataError(BurdenSimError):
    """The shipped (or user-supplied) baseline data are broken. A shipped file is named by
    its name, a user's as given; ``line`` is the file's line (the header is line 1)."""

    def __init__(self, file: str | Path, message: str, line: int | None = None):
        path = Path(file)
        where = path.name if path.resolve().is_relative_to(SHIPPED_DATA.resolve()) else str(file)
        super().__init__(f"{where}{f':{line}' if line is not None else ''}: {message}")


class ScenarioError(BurdenSimError):
    """A scenario file is malformed or names something the baseline does not have."""

    def __init__(self, file: str | Path, field: str, message: str, line: int | None = None):
        self.file, self.field, self.line = str(file), field, line
        where = f"{file}" + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {field}: {message}")


class OptionError(BurdenSimError):
    """A bad value of an option of a run (a sweep's design, a sample count...), named as the
    library knows it; the command line names the flag instead."""

    def __init__(self, option: str, value: object, message: str):
        self.option, self.value, self.message = option, value, message
        super().__init__(self._text(option))

    def _text(self, name: str) -> str:
        return f"{name}{'' if self.value is None else f' {self.value}'}: {self.message}"

    def as_flag(self) -> str:
        """The same message, naming the command-line flag (``chunk_size`` -> ``--chunk-size``)."""
        return self._text("--" + self.option.replace("_", "-"))
