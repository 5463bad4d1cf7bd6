"""The command line: typer commands over the public API; tables, figures and files come
from `present`, and errors reach the user as one line."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from typer.core import TyperGroup

from .errors import BurdenSimError, OptionError


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


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  cls=OneLineUsage,
                  help="Simulate who pays for NATO deployments under cost-sharing rules.")
out = Console()
err = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")

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

    return guarded


ScenarioFile = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
Changes = Annotated[list[str], typer.Option("--set", help="PATH=VALUE: change a field of the "
                                            "scenario, e.g. policy.fraction=0.6 or "
                                            "policy.key=gdp (YAML). Repeatable.")]
Format = Annotated[str, typer.Option("--format", help="table, csv, json or markdown.")]


def _version(value: bool) -> None:
    if value:
        from . import __version__

        out.print(f"burden-sim {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Simulate who pays for NATO deployments under cost-sharing rules."""


def _settings(options: list[str]) -> dict:
    from .inputs.paths import parse_setting

    return dict(parse_setting(option) for option in options)


def _check_format(fmt: str) -> None:
    from .present.tables import FORMATS

    if fmt not in FORMATS:
        raise OptionError("format", fmt, f"not one of {', '.join(FORMATS)}")


def _show(view, fmt: str) -> None:
    from .present.tables import render

    typer.echo(render(view, fmt, width=max(60, min(out.width, 100))), nl=False)


def _wrote(path: Path, fmt: str) -> None:
    (out if fmt == "table" else err).print(f"wrote {path}", markup=False, highlight=False)


@app.command()
@one_line_errors
def run(
    file: ScenarioFile,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                      help="Write results: .csv (tidy) or .nc (netCDF).")] = None,
    year: Annotated[int | None, typer.Option(help="Show one year instead of the total.")] = None,
    settings: Changes = [],  # noqa: B006 (typer reads the default)
    fmt: Format = "table",
) -> None:
    """Run a scenario: each ally's costs and the change against the deploying nation paying."""
    from .api import against_status_quo, simulate
    from .model.core import ordinary_pages
    from .present.files import check_output_path, write_results
    from .present.tables import engine_summary, run_view

    ordinary_pages()  # large results fill fresh memory several times faster (performance.md)
    _check_format(fmt)
    if output is not None:
        check_output_path(output)
    changes = _settings(settings)
    cmp = against_status_quo(file, set=changes)
    if year is not None and year not in cmp["year"].values:
        years = cmp["year"].values
        raise OptionError("year", year, f"not in the scenario's years ({years[0]}-{years[-1]})")
    view = run_view(cmp, str(file), year)
    if "unfilled_slots" in cmp:
        view.lines.insert(0, engine_summary(cmp.isel(scenario=-1)))
    _show(view, fmt)
    if output is not None:
        write_results(simulate(file, set=changes), output)
        _wrote(output, fmt)


@app.command()
@one_line_errors
def validate(file: ScenarioFile) -> None:
    """Check a scenario file without running it."""
    from .api import load
    from .present.tables import validation_summary

    scenario, baseline = load(file)
    out.print(validation_summary(file, scenario, baseline), soft_wrap=True)


@app.command()
@one_line_errors
def compare(
    files: Annotated[list[Path], typer.Argument(help="Two or more scenario files; the first "
                                                "is the reference.", show_default=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o",
                      help="Write the comparison: .csv, .parquet or .nc.")] = None,
    year: Annotated[int | None, typer.Option(help="Show one year instead of the total.")] = None,
    settings: Changes = [],  # noqa: B006
    fmt: Format = "table",
) -> None:
    """Compare scenarios: each ally's net cost against the first file's, with 90 % bands."""
    from .api import compare as compare_scenarios
    from .model.core import ordinary_pages
    from .present.files import COMPARE_FORMATS, check_output_path, write_comparison
    from .present.tables import compare_view

    ordinary_pages()  # large results fill fresh memory several times faster (performance.md)
    _check_format(fmt)
    if output is not None:
        check_output_path(output, COMPARE_FORMATS)
    ds = compare_scenarios(*files, set=_settings(settings), draws=1000)
    if year is not None and year not in ds["year"].values:
        raise OptionError("year", year, "not in the scenarios' years")
    _show(compare_view(ds, year), fmt)
    if output is not None:
        write_comparison(ds, output)
        _wrote(output, fmt)


@app.command(name="list")
@one_line_errors
def list_(
    kind: Annotated[str, typer.Argument(help="scenarios, keys, missions, allies or editions.",
                                        show_default=False)],
    folder: Annotated[str, typer.Option("--dir", help="Folder of scenarios.")] = "scenarios",
    fmt: Format = "table",
) -> None:
    """List shipped scenarios, funding keys, catalogue missions, allies or data editions."""
    from .present.tables import list_view

    _check_format(fmt)
    _show(list_view(kind, folder), fmt)


def planned_sweep(file: Path, design: str, samples: int | None, seed: int | None,
                  chunk_size: int, settings: list[str], variables: str | None,
                  dtype: str = "float64"):
    """The checked sweep of a scenario file with ``--set`` overrides."""
    from .api import load
    from .explore.sweep import DEFAULT_VARIABLES, plan_sweep
    from .inputs.paths import parse_set

    scenario, baseline = load(file)
    overrides = dict(parse_set(option) for option in settings)
    names = tuple(v.strip() for v in variables.split(",")) if variables else DEFAULT_VARIABLES
    return plan_sweep(scenario, baseline, design=design, samples=samples, seed=seed,
                      chunk_size=chunk_size, overrides=overrides, variables=names,
                      dtype=dtype)


Samples = Annotated[int | None, typer.Option(help="Number of samples (grid: per axis from "
                                             "distributions; sensitivity: SALib's base N).")]
Seed = Annotated[int | None, typer.Option(help="Seed (default: the scenario's).")]
Settings = Annotated[list[str], typer.Option("--set", help="PATH=VALUES: vary a field, e.g. "
                                             "policy.fraction=0:1:11. Repeatable.")]


@app.command()
@one_line_errors
def sweep(
    file: ScenarioFile,
    output: Annotated[Path, typer.Option("--output", "-o", help="Zarr store (a folder) to "
                                         "write.", show_default=False)],
    samples: Samples = None,
    design: Annotated[str, typer.Option(help="grid, lhs, sobol or mc.")] = "mc",
    settings: Settings = [],  # noqa: B006 (typer reads the default)
    seed: Seed = None,
    chunk_size: Annotated[int, typer.Option(help="Samples per chunk.")] = 10_000,
    workers: Annotated[int, typer.Option(help="Local worker processes.")] = os.cpu_count() or 1,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler: local, or "
                                                  "tcp://HOST:PORT.")] = None,
    resume: Annotated[bool, typer.Option(help="Continue a sweep that stopped.")] = False,
    variables: Annotated[str | None, typer.Option(help="Results to keep, comma-separated.")]
    = None,
    dtype: Annotated[str, typer.Option(help="Stored precision: float64, or float32 (half "
                                       "the store, about 7 significant digits).")]
    = "float64",
) -> None:
    """Run a sweep or Monte Carlo over declared parameters, chunk by chunk into a Zarr store."""
    from .explore.executors import check_scheduler, dask, processes
    from .explore.store import DONE, run_into_store
    from .model.core import ordinary_pages
    from .present.progress import sweep_progress

    ordinary_pages()  # large results fill fresh memory several times faster (performance.md)
    plan = planned_sweep(file, design, samples, seed, chunk_size, settings, variables, dtype)
    if scheduler is not None:
        check_scheduler(scheduler)
        executor = dask(scheduler, workers)
    else:
        executor = processes(workers)
    try:
        with sweep_progress(err, f"{plan.scenario.name} ({plan.design})",
                            plan.samples) as advance:
            written = run_into_store(plan, output, executor, resume, progress=advance)
    except KeyboardInterrupt:
        done = len(list((output / DONE).glob("*.done"))) if output.exists() else 0
        err.print(f"interrupted: {done} of {plan.chunks} chunks are in {output}; run the "
                  "same command with --resume to finish", soft_wrap=True)
        raise typer.Exit(130) from None
    out.print(f"wrote {output}: {plan.samples} samples in {plan.chunks} chunks "
              f"({len(written)} this run), parameters {', '.join(q.path for q in plan.parameters)}",
              soft_wrap=True)


@app.command()
@one_line_errors
def sensitivity(
    file: ScenarioFile,
    output_var: Annotated[str, typer.Option(help="Result to explain, e.g. net, "
                                            "allies_at_2pct.", show_default=False)],
    ally: Annotated[str | None, typer.Option(help="Ally (ISO3) for per-ally results.")] = None,
    year: Annotated[int | None, typer.Option(help="Year (default: money summed over the "
                                             "years, other results in the last year).")] = None,
    samples: Samples = 1024,
    settings: Settings = [],  # noqa: B006
    seed: Seed = None,
    plot: Annotated[Path | None, typer.Option(help="Save a bar chart (.png or .svg).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                      help="Save the indices (.csv).")] = None,
    fmt: Format = "table",
) -> None:
    """Sobol first-order and total indices (SALib) of one result to the declared parameters."""
    from .explore.sensitivity import sobol_indices
    from .present import plots
    from .present.files import PLOT_FORMATS, check_output_path, write_atomically
    from .present.tables import sobol_view

    _check_format(fmt)
    if plot is not None:
        check_output_path(plot, PLOT_FORMATS)
    if output is not None:
        check_output_path(output, {".csv": "CSV"})
    try:
        plan = planned_sweep(file, "mc", samples, seed, 10_000, settings, output_var)
    except OptionError as exc:  # the result to explain is this command's --output-var
        if exc.option != "variables":
            raise
        raise OptionError("output_var", exc.value, exc.message) from None
    if len(plan.parameters) < 2:
        raise BurdenSimError("sensitivity needs at least two parameters")
    scenario, edition = plan.scenario, plan.baseline.edition
    indices = sobol_indices(plan, output_var, ally, year, plan.baseline.allies)
    what = f"{output_var}{'' if ally is None else ' of ' + ally}" + (
        f" in {year}" if year is not None else "")
    _show(sobol_view(indices, what, plan), fmt)
    if plot is not None:
        plots.sobol_bars(indices, f"Sobol indices of {what} ({scenario.name})",
                         f"burden-sim; data edition {edition}; {plan.samples} base samples",
                         plot)
        _wrote(plot, fmt)
    if output is not None:
        frame = indices.assign(output=what, scenario=scenario.name, edition=edition,
                               base_samples=plan.samples)
        write_atomically(output, lambda tmp: frame.to_csv(tmp))
        _wrote(output, fmt)


@app.command()
@one_line_errors
def plot(
    results: Annotated[Path, typer.Argument(help="A run or compare output (.nc), a sweep "
                                            "store (.zarr), sensitivity indices (.csv) or a "
                                            "scenario (.yaml, for the timeline).",
                                            show_default=False)],
    kind: Annotated[str, typer.Option(help="One of change, spending, sweep, sobol, "
                                      "timeline.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Figure file: .png or .svg.",
                                         show_default=False)],
    ally: Annotated[str | None, typer.Option(help="Ally for the sweep curve.")] = None,
    parameter: Annotated[str | None, typer.Option(help="Sweep parameter on the x axis "
                                                  "(default: the first).")] = None,
    year: Annotated[int | None, typer.Option(help="Year for the spending plot.")] = None,
    scenario: Annotated[str | None, typer.Option(help="Scenario of a comparison to plot "
                                                 "against the first (default: the last).")]
    = None,
) -> None:
    """Draw a figure from results: change, spending, sweep, sobol or timeline."""
    from .present.plots import draw

    draw(kind, results, output, ally=ally, parameter=parameter, year=year, scenario=scenario)
    out.print(f"wrote {output}")


@app.command()
@one_line_errors
def report(
    files: Annotated[list[Path], typer.Argument(help="Two or more scenario files; the first "
                                                "is the reference.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="The report (.html).",
                                         show_default=False)],
    settings: Changes = [],  # noqa: B006
) -> None:
    """A self-contained HTML report: tables, figures, assumptions and sources."""
    from .present.files import check_output_path, write_atomically
    from .present.report import build

    check_output_path(output, {".html": "HTML"})
    page = build(files, _settings(settings))
    write_atomically(output, lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    out.print(f"wrote {output} ({len(page) / 1e6:.1f} MB)")


@app.command()
@one_line_errors
def explore(
    files: Annotated[list[Path], typer.Argument(help="Scenario files over the same years.",
                                                show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="The page (.html).",
                                         show_default=False)],
) -> None:
    """An interactive page: move the fraction, cap, unit costs, key and years; exact results."""
    from .present.explorer import write

    size = write(files, output)
    out.print(f"wrote {output} ({size / 1e3:,.0f} kB): open it in a browser", soft_wrap=True,
              markup=False, highlight=False)


@app.command()
@one_line_errors
def calibrate(
    points: Annotated[Path | None, typer.Option(
        "--points", help="Calibration points (default: the shipped "
        "data/calibration_points.csv).", show_default=False)] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The page to write (.md); the "
                                         "figure goes beside it as calibration.png.")]
    = Path("docs/calibration.md"),
) -> None:
    """Fit the central unit costs to published national mission costs; write the page (points,
    fit, held-out check) and a figure of model against published cost."""
    from .api import calibrate as run_calibration
    from .present.calibration import FIGURE, figure, markdown
    from .present.files import check_output_path, write_atomically

    check_output_path(output, {".md": "Markdown"})
    result = run_calibration(points)
    page = markdown(result)
    figure(result, output.parent / FIGURE)
    write_atomically(output, lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    shipped = ", ".join(f"{k} EUR {result.final.prices[result.points.categories.index(k)]:,.0f}"
                        for k in result.fitted)
    out.print(f"wrote {output} and {output.parent / FIGURE}: {shipped}; median held-out ratio "
              f"{result.held_out_median:.2f}")


def main() -> None:
    """Console entry point."""
    app()
