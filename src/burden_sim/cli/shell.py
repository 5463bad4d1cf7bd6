"""The command line's plumbing: errors and usage mistakes as one line with exit code 2, the
consoles, the options several commands share, and output in the format asked for."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from typer.core import TyperGroup

from ..errors import BurdenSimError, OptionError

out = Console()
err = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")


class OneLineUsage(TyperGroup):
    """Usage errors (an unknown command or option, a missing argument, a value of the wrong
    type) as one line on stderr and exit code 2, like every other error."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):  # type: ignore[override]
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except typer.TyperException as exc:  # click's errors, as typer vendors them
            if type(exc).__name__ == "NoArgsIsHelpError":
                typer.echo(exc.ctx.get_help(), err=True)  # type: ignore[attr-defined]
                sys.exit(2)
            ctx = getattr(exc, "ctx", None)
            where = f" (see {ctx.command_path} --help)" if ctx is not None else ""
            typer.echo(f"error: {exc.format_message()}{where}",  # type: ignore[attr-defined]
                       err=True)
            sys.exit(getattr(exc, "exit_code", 2))
        except typer.Abort:
            typer.echo("error: aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def without_dask() -> None:
    """Let xarray build Datasets without importing dask (0.3-0.4 s of a run's start-up).

    xarray asks of every new array whether it is a dask array or collection, and imports
    dask (when it is installed) to know. None can be one until dask is imported, so in this
    process the answers are no until then and dask's own after (a sweep store read later
    still works): xarray's cached dask class becomes a class that checks so, and its
    collection test asks dask only once dask is imported. Left alone if this xarray is laid
    out otherwise, or dask is imported already.
    """
    import importlib
    import importlib.util

    try:
        from xarray.namedarray import pycompat, utils
    except ImportError:
        return
    cache = getattr(pycompat, "_cached_duck_array_modules", None)
    asks_dask = getattr(utils, "is_dask_collection", None)
    if (not isinstance(cache, dict) or "dask" in cache or "dask" in sys.modules
            or not hasattr(pycompat, "DuckArrayModule") or asks_dask is None):
        return

    def is_dask_collection(x: object) -> bool:
        return "dask" in sys.modules and asks_dask(x)

    utils.is_dask_collection = is_dask_collection

    class Check(type):
        def __instancecheck__(cls, instance: object) -> bool:
            dask_array = sys.modules.get("dask.array")
            return dask_array is not None and isinstance(instance, dask_array.Array)

        def __subclasscheck__(cls, subclass: type) -> bool:
            dask_array = sys.modules.get("dask.array")
            return dask_array is not None and issubclass(subclass, dask_array.Array)

    class DaskArray(metaclass=Check):
        """Stands for dask.array.Array until dask is imported."""

    class Deferred(pycompat.DuckArrayModule):
        def __init__(self) -> None:
            self.type = (DaskArray,)
            self.available = importlib.util.find_spec("dask") is not None

        @property
        def module(self):  # type: ignore[override]
            return importlib.import_module("dask") if self.available else None

        @property
        def version(self):  # type: ignore[override]
            return pycompat.DuckArrayModule("dask").version

    cache["dask"] = Deferred()


def for_results_in_memory() -> None:
    """Ready this process to build result Datasets in memory (run, compare): no dask import
    (``without_dask``), and ordinary pages, as large results fill fresh memory several times
    faster with them (performance.md)."""
    from ..model.core import ordinary_pages

    without_dask()
    ordinary_pages()


def one_line_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Bad input: one line on stderr and exit code 2, never a traceback."""

    @functools.wraps(command)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except BurdenSimError as exc:
            text = exc.as_flag() if isinstance(exc, OptionError) else str(exc)
            err.print(f"error: {text}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except MemoryError:  # past the samples: budget's estimate (validate.py), still one line
            err.print("error: out of memory: draw fewer samples, or use burden-sim sweep for "
                      "large Monte Carlo", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return guarded


ScenarioFile = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
Changes = Annotated[list[str], typer.Option("--set", help="PATH=VALUE: change a field of the "
                                            "scenario, e.g. policy.fraction=0.6 or "
                                            "policy.key=gdp (YAML). Repeatable.")]
Format = Annotated[str, typer.Option("--format", help="table, csv, json or markdown.")]


Samples = Annotated[int | None, typer.Option(help="Number of samples (grid: per axis from "
                                             "distributions; sensitivity: SALib's base N).")]
Seed = Annotated[int | None, typer.Option(help="Seed (default: the scenario's).")]
Settings = Annotated[list[str], typer.Option("--set", help="PATH=VALUES: vary a field, e.g. "
                                             "policy.fraction=0:1:11. Repeatable.")]


def settings_of(options: list[str]) -> dict:
    """``--set PATH=VALUE`` options as a mapping of paths to values."""
    from ..inputs.paths import parse_setting

    return dict(parse_setting(option) for option in options)


def check_format(fmt: str) -> None:
    """Refuse an output format the tables cannot render."""
    from ..present.tables import FORMATS

    if fmt not in FORMATS:
        raise OptionError("format", fmt, f"not one of {', '.join(FORMATS)}")


def show(view, fmt: str) -> None:
    """Print a table view in the format asked for."""
    from ..present.tables import render

    typer.echo(render(view, fmt, width=max(60, min(out.width, 100))), nl=False)


def wrote(path: Path, fmt: str) -> None:
    """Say that a file was written (on stderr when stdout carries data)."""
    (out if fmt == "table" else err).print(f"wrote {path}", markup=False, highlight=False)


def planned_sweep(file: Path, design: str, samples: int | None, seed: int | None,
                  chunk_size: int, settings: list[str], variables: str | None,
                  dtype: str = "float64", variables_option: str = "variables"):
    """The checked sweep of a scenario file with ``--set`` overrides; ``variables_option``
    names the command's option that chose the results."""
    from ..api import load
    from ..explore.sweep import DEFAULT_VARIABLES, plan_sweep
    from ..inputs.paths import parse_set

    scenario, baseline = load(file)
    overrides = dict(parse_set(option) for option in settings)
    names = tuple(v.strip() for v in variables.split(",")) if variables else DEFAULT_VARIABLES
    try:
        return plan_sweep(scenario, baseline, design=design, samples=samples, seed=seed,
                          chunk_size=chunk_size, overrides=overrides, variables=names,
                          dtype=dtype)
    except OptionError as exc:
        if exc.option != "variables":
            raise
        raise OptionError(variables_option, exc.value, exc.message) from None
    except BurdenSimError as exc:  # a parameter: from the file's parameters: or a --set
        given = ", ".join(f"--set {option}" for option in settings)
        raise BurdenSimError(f"{file}{f' with {given}' if given else ''}: {exc}") from None


def print_version(value: bool) -> None:
    """``--version``: print it and stop."""
    if value:
        from .. import __version__

        out.print(f"burden-sim {__version__}")
        raise typer.Exit()


def interrupted(sweep, output: Path, code: int = 130) -> typer.Exit:
    """Ctrl-C (or SIGTERM, code 143) during a sweep: say how far it got and how to finish."""
    err.print(f"interrupted: {_how_far(sweep, output)}", soft_wrap=True)
    return typer.Exit(code)


def stopped(sweep, output: Path, exc: Exception) -> typer.Exit:
    """A sweep stopped by its machine (a full disk, a worker killed for memory, a lost
    cluster): one line, what it kept and how to finish; exit code 1."""
    why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    err.print(f"error: the sweep stopped ({why}); {_how_far(sweep, output)}", markup=False,
              highlight=False, soft_wrap=True)
    return typer.Exit(1)


def _how_far(sweep, output: Path) -> str:
    from ..explore.store import DONE

    if not output.exists():
        return f"no chunk was written, and {output} was not kept"
    done = len(list((output / DONE).glob("*.done")))
    return (f"{done} of {sweep.chunks} chunks are in {output}; run the same command with "
            "--resume to finish")

