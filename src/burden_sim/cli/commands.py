"""The commands: each parses its options, calls the public API or `present`, and prints;
errors reach the user as one line (`shell`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ..errors import BurdenSimError, OptionError
from .shell import (
    Changes,
    Format,
    OneLineUsage,
    Samples,
    ScenarioFile,
    Seed,
    Settings,
    check_format,
    err,
    for_results_in_memory,
    interrupted,
    one_line_errors,
    out,
    planned_sweep,
    print_version,
    settings_of,
    show,
    stopped,
    wrote,
)

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  cls=OneLineUsage,
                  help="Simulate who pays for NATO deployments under cost-sharing rules.")


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=print_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Simulate who pays for NATO deployments under cost-sharing rules."""


@app.command()
@one_line_errors
def run(
    file: ScenarioFile,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                      help="Write results: .csv (tidy) or .nc (netCDF).")] = None,
    year: Annotated[int | None, typer.Option(help="Show one year instead of the total "
                                             "(--output keeps every year).")] = None,
    settings: Changes = [],  # noqa: B006 (typer reads the default)
    fmt: Format = "table",
) -> None:
    """Run a scenario: each ally's costs and the change against the deploying nation paying."""
    from ..api import against_status_quo, simulate
    from ..model.results import with_change
    from ..present.files import check_output_path, write_results
    from ..present.tables import run_view

    for_results_in_memory()
    check_format(fmt)
    if output is not None:
        check_output_path(output)
    changes = settings_of(settings)
    cmp = against_status_quo(file, set=changes)
    if year is not None and year not in cmp["year"].values:
        years = cmp["year"].values
        raise OptionError("year", year, f"not in the scenario's years ({years[0]}-{years[-1]})")
    show(run_view(cmp, str(file), year), fmt)
    if output is not None:
        write_results(with_change(simulate(file, set=changes), cmp), output)
        wrote(output, fmt)


@app.command()
@one_line_errors
def validate(file: ScenarioFile) -> None:
    """Check a scenario file without running it (its parameters: as a sweep would)."""
    from ..api import load
    from ..explore.sweep import plan_sweep
    from ..present.tables import validation_summary

    scenario, baseline = load(file)
    if scenario.parameters:
        try:
            plan_sweep(scenario, baseline, samples=1, chunk_size=1)
        except BurdenSimError as exc:
            raise BurdenSimError(f"{file}: {exc}") from None
    out.print(validation_summary(file, scenario, baseline), soft_wrap=True)


@app.command()
@one_line_errors
def compare(
    files: Annotated[list[Path], typer.Argument(help="Two or more scenario files; the first "
                                                "is the reference.", show_default=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o",
                      help="Write the comparison: .csv, .parquet or .nc.")] = None,
    year: Annotated[int | None, typer.Option(help="Show one year instead of the total "
                                             "(--output keeps every year).")] = None,
    settings: Changes = [],  # noqa: B006
    fmt: Format = "table",
) -> None:
    """Compare scenarios: each ally's net cost against the first file's, with 90 % bands."""
    from ..api import compare as compare_scenarios
    from ..present.files import COMPARE_FORMATS, check_output_path, write_comparison
    from ..present.tables import compare_view

    for_results_in_memory()
    check_format(fmt)
    if output is not None:
        check_output_path(output, COMPARE_FORMATS)
    ds = compare_scenarios(*files, set=settings_of(settings), draws=1000)
    if year is not None and year not in ds["year"].values:
        raise OptionError("year", year, "not in the scenarios' years")
    show(compare_view(ds, year), fmt)
    if output is not None:
        write_comparison(ds, output)
        wrote(output, fmt)


@app.command(name="list")
@one_line_errors
def list_(
    kind: Annotated[str, typer.Argument(help="scenarios, keys, missions, allies or editions.",
                                        show_default=False)],
    folder: Annotated[str, typer.Option("--dir", help="Folder of scenarios.")] = "scenarios",
    fmt: Format = "table",
) -> None:
    """List shipped scenarios, funding keys, catalogue missions, allies or data editions."""
    from ..present.tables import list_view

    check_format(fmt)
    show(list_view(kind, folder), fmt)


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
    from ..explore.executors import for_options
    from ..explore.store import run_into_store
    from ..model.core import ordinary_pages
    from ..present.progress import sweep_progress
    from ..present.tables import sweep_summary

    ordinary_pages()  # large results fill fresh memory several times faster (performance.md)
    plan = planned_sweep(file, design, samples, seed, chunk_size, settings, variables, dtype)
    executor = for_options(scheduler, workers)
    try:
        with sweep_progress(err, f"{plan.scenario.name} ({plan.design})",
                            plan.samples) as advance:
            written = run_into_store(plan, output, executor, resume, progress=advance,
                                     warn=lambda text: err.print(f"warning: {text}",
                                                                 markup=False, highlight=False,
                                                                 soft_wrap=True))
    except KeyboardInterrupt:
        raise interrupted(plan, output) from None
    except SystemExit as exc:  # SIGTERM (cli.main's handler): the same line, its own code
        raise interrupted(plan, output, exc.code) from None
    except BurdenSimError:
        raise
    except Exception as exc:  # noqa: BLE001 (the machine's failure, not the input's)
        raise stopped(plan, output, exc) from None
    out.print(sweep_summary(plan, output, written), soft_wrap=True)


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
    from ..explore.sensitivity import sobol_indices
    from ..present import plots
    from ..present.files import PLOT_FORMATS, check_output_path, write_indices
    from ..present.tables import sobol_view

    check_format(fmt)
    if plot is not None:
        check_output_path(plot, PLOT_FORMATS)
    if output is not None:
        check_output_path(output, {".csv": "CSV"})
    plan = planned_sweep(file, "mc", samples, seed, 10_000, settings, output_var,
                         variables_option="output_var")
    if len(plan.parameters) < 2:
        raise BurdenSimError("sensitivity needs at least two parameters")
    indices = sobol_indices(plan, output_var, ally, year, plan.baseline.allies)
    what = f"{output_var}{'' if ally is None else ' of ' + ally}" + (
        f" in {year}" if year is not None else "")
    show(sobol_view(indices, what, plan), fmt)
    if plot is not None:
        plots.sobol_of_sweep(indices, what, plan, plot)
        wrote(plot, fmt)
    if output is not None:
        write_indices(indices, what, plan, output)
        wrote(output, fmt)


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
    from ..present.plots import draw

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
    from ..present.files import check_output_path, write_atomically
    from ..present.report import build

    check_output_path(output, {".html": "HTML"})
    if len(files) < 2:
        raise BurdenSimError("report needs at least two scenario files (the first is the "
                             "reference; scenarios/deploying_nation_pays.yaml is today's rule)")
    page = build(files, settings_of(settings))
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
    from ..present.explorer import write

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
    from ..api import calibrate as run_calibration
    from ..present.calibration import FIGURE, write
    from ..present.files import check_output_path

    check_output_path(output, {".md": "Markdown"})
    if (output.parent / FIGURE).is_dir():
        raise BurdenSimError(f"{output.parent / FIGURE}: is a folder; calibrate writes its "
                             "figure beside the page under this name")
    out.print(write(run_calibration(points), output), soft_wrap=True)
