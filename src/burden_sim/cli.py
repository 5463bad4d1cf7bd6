"""Command line: a thin layer over the public API."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import numpy as np
import typer
import xarray as xr
from rich.console import Console, Group
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from . import plots
from .api import compare as compare_scenarios
from .api import deployments, load, simulate
from .errors import BurdenSimError
from .results import (
    check_output_path,
    to_tidy,
    write_atomically,
    write_results,
)
from .scenario import Uncertain
from .sensitivity import sobol_indices
from .sweeps import DEFAULT_VARIABLES, DONE, Plan, check_scheduler, make_plan, processes
from .sweeps import dask as dask_executor
from .sweeps import run as run_sweep

COMPARE_FORMATS = {".csv": "tidy CSV", ".parquet": "Parquet", ".nc": "netCDF"}

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
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
            err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return guarded


ScenarioFile = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]


@app.command()
@one_line_errors
def run(
    file: ScenarioFile,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                      help="Write results: .csv (tidy) or .nc (netCDF).")] = None,
    year: Annotated[int | None, typer.Option(help="Show one year instead of the total.")] = None,
) -> None:
    """Run a scenario and print each ally's costs."""
    if output is not None:
        check_output_path(output)
    ds = simulate(file)
    if year is not None and year not in ds["year"].values:
        years = ds["year"].values
        raise BurdenSimError(f"--year {year}: not in the scenario's years "
                             f"({years[0]}-{years[-1]})")
    out.print(ally_table(ds, year))
    if "unfilled_slots" in ds:
        out.print(engine_summary(ds), soft_wrap=True)
    if output is not None:
        write_results(ds, output)
        out.print(f"wrote {output}")


def engine_summary(ds) -> str:
    """One paragraph on what the deployment engine generated: participation and gaps."""
    sent = ds["deployments"].sum("year")
    gaps = ds["unfilled_slots"].sum("year")
    text = (f"Deployment engine: {int(sent.sum()):,} deployments by {int((sent > 0).sum())} "
            f"allies; {int(gaps.sum()):,} unfilled slots in "
            f"{int(ds['unfilled_rotations'].sum()):,} rotations")
    if gaps.sum() > 0:
        text += " (" + ", ".join(f"{m} {int(n)}" for m, n in
                                 zip(gaps.mission.values, gaps.values, strict=True) if n) + ")"
    return text + "."


@app.command()
@one_line_errors
def validate(file: ScenarioFile) -> None:
    """Check a scenario file without running it."""
    scenario, baseline = load(file)
    span = f"{scenario.years.start}-{scenario.years.end}, edition {baseline.edition}"
    if scenario.deployment is not None:
        d = scenario.deployment
        count = len(d.missions) if d.missions else "all"
        out.print(f"{file}: valid (deployment engine: {count} catalogue missions, plan "
                  f"{d.plan}, elasticity {d.elasticity}, {span})", soft_wrap=True)
        return
    contributions = sum(len(m.contributions) for m in scenario.missions)
    out.print(f"{file}: valid ({len(scenario.missions)} missions, {contributions} "
              f"contributions, {span})", soft_wrap=True)


@app.command()
@one_line_errors
def compare(
    files: Annotated[list[Path], typer.Argument(help="Two or more scenario files; the first "
                                                "is the reference.", show_default=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o",
                      help="Write the comparison: .csv, .parquet or .nc.")] = None,
    year: Annotated[int | None, typer.Option(help="Show one year instead of the total.")] = None,
) -> None:
    """Compare scenarios: each ally's net cost against the first file's."""
    if output is not None:
        check_output_path(output, COMPARE_FORMATS)
    ds = compare_scenarios(*files)
    if year is not None and year not in ds["year"].values:
        raise BurdenSimError(f"--year {year}: not in the scenarios' years")
    out.print(comparison_table(ds, year))
    if output is not None:
        write_comparison(ds, output)
        out.print(f"wrote {output}")


def write_comparison(ds: xr.Dataset, path: Path) -> None:
    if path.suffix == ".nc":
        write_atomically(path, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4"))
        return
    frame = to_tidy(ds)
    change = ds["net_change"].to_dataframe().reset_index()
    frame = frame.merge(change[[c for c in change.columns if c != "mission"]],
                        on=[c for c in ("scenario", "sample", "ally", "year") if c in frame])
    if path.suffix == ".csv":
        write_atomically(path, lambda tmp: frame.to_csv(tmp, index=False))
    else:
        write_atomically(path, lambda tmp: frame.to_parquet(tmp, index=False))


def comparison_table(ds: xr.Dataset, year: int | None = None) -> Group:
    """Per ally: net cost under the first scenario and each other one's change; then, per
    scenario, the fund's size and who reaches the spending guidelines."""
    view = ds.sel(year=[year]) if year is not None else ds
    if "sample" in view.dims:
        view = view.mean("sample")
    names = [str(n) for n in view.scenario.values]
    net = view["net"].sum("year") / 1e6
    change = view["net_change"].sum("year") / 1e6
    gdp = view["gdp"].where(view["member"]).sum("year", min_count=1).isel(scenario=0) / 1e6
    span = f"{year}" if year is not None else f"{int(ds.year[0])}-{int(ds.year[-1])}"
    table = Table(title=f"Net cost against {names[0]}, {span}",
                  caption="USD million, current prices; change in % of GDP in percentage "
                          "points. Negative: the ally pays less.")
    table.add_column("ally")
    table.add_column(f"net, {names[0]}", justify="right", overflow="fold")
    for n in names[1:]:
        table.add_column(f"change, {n}", justify="right", overflow="fold")
        table.add_column("change, % GDP", justify="right", overflow="fold")
    for i in change.isel(scenario=1).values.argsort()[::-1]:
        cells = [f"{net.isel(scenario=0).values[i]:,.1f}"]
        for n in names[1:]:
            delta = change.sel(scenario=n).values[i]
            cells += [f"{delta:+,.1f}", f"{100 * delta / gdp.values[i]:+.4f}"]
        table.add_row(str(net.ally.values[i]), *cells)
    totals = [f"{net.isel(scenario=0).sum().item():,.1f}"]
    for n in names[1:]:
        totals += [f"{change.sel(scenario=n).sum().item():+,.1f}", ""]
    table.add_row("NATO", *totals, style="bold")

    last = int(view.year[-1])
    summary = Table(title=f"Per scenario ({span}; guidelines in {last}, after the policy)")
    for name in ("scenario", "repaid by the fund, USD m", "Gini of net % GDP",
                 "allies at 2 %", "allies at 3.5 %"):
        summary.add_column(name, justify="left" if name == "scenario" else "right",
                           overflow="fold")
    for n in names:
        one = view.sel(scenario=n)
        summary.add_row(n, f"{float(one['reimbursed'].sum()) / 1e6:,.1f}",
                        f"{float(one['gini_net_pct_gdp'].mean()):.3f}",
                        str(int(one["allies_at_2pct"].sel(year=last))),
                        str(int(one["allies_at_3_5pct"].sel(year=last))))
    return Group(table, summary)


def parse_set(option: str) -> tuple[str, Uncertain]:
    """``PATH=a,b,c`` (values) or ``PATH=start:stop:count`` (evenly spaced)."""
    path, _, text = option.partition("=")
    usage = (f"--set {option}: expected PATH=VALUES, e.g. policy.fraction=0,0.5,1 or "
             "policy.fraction=0:1:11")
    if not path or not text:
        raise BurdenSimError(usage)
    try:
        if text.count(":") == 2:
            start, stop, count = text.split(":")
            values = np.linspace(float(start), float(stop), int(count)).tolist()
        else:
            values = [float(v) for v in text.split(",")]
    except ValueError:
        raise BurdenSimError(usage) from None
    if not values:
        raise BurdenSimError(usage)
    return path.strip(), Uncertain(values=values)


def sweep_plan(file: Path, design: str, samples: int | None, seed: int | None,
               chunk_size: int, settings: list[str],
               variables: str | None) -> tuple[Plan, tuple[str, ...], str]:
    """The checked plan, with the allies and the data edition of the scenario's baseline."""
    scenario, baseline = load(file)
    overrides = dict(parse_set(option) for option in settings)
    names = tuple(v.strip() for v in variables.split(",")) if variables else DEFAULT_VARIABLES
    plan = make_plan(scenario, design=design, samples=samples, seed=seed,
                     chunk_size=chunk_size, overrides=overrides, variables=names)
    return plan, baseline.allies, baseline.edition


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
) -> None:
    """Run a sweep or Monte Carlo over declared parameters, chunk by chunk into a Zarr store."""
    plan, _, _ = sweep_plan(file, design, samples, seed, chunk_size, settings, variables)
    if scheduler is not None:
        check_scheduler(scheduler)
        executor = dask_executor(scheduler, workers)
    else:
        executor = processes(workers)
    done = 0
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("samples"), RateColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(f"{plan.scenario.name} ({plan.design})", total=plan.samples)
        try:
            written = run_sweep(plan, output, executor, resume,
                                progress=lambda n: bar.advance(task, n))
        except KeyboardInterrupt:
            done = len(list((output / DONE).glob("*.done"))) if output.exists() else 0
            err.print(f"interrupted: {done} of {plan.chunks} chunks are in {output}; run the "
                      "same command with --resume to finish", soft_wrap=True)
            raise typer.Exit(130) from None
    out.print(f"wrote {output}: {plan.samples} samples in {plan.chunks} chunks "
              f"({len(written)} this run), parameters {', '.join(q.path for q in plan.parameters)}",
              soft_wrap=True)


class RateColumn(ProgressColumn):
    """Samples per second."""

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f}/s")


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
) -> None:
    """Sobol first-order and total indices (SALib) of one result to the declared parameters."""
    if plot is not None:
        check_output_path(plot, PLOT_FORMATS)
    if output is not None:
        check_output_path(output, {".csv": "CSV"})
    plan, allies, edition = sweep_plan(file, "mc", samples, seed, 10_000, settings, output_var)
    if len(plan.parameters) < 2:
        raise BurdenSimError("sensitivity needs at least two parameters")
    scenario = plan.scenario
    indices = sobol_indices(plan, output_var, ally, year, allies)
    what = f"{output_var}{'' if ally is None else ' of ' + ally}" + (
        f" in {year}" if year is not None else "")
    runs = plan.samples * (len(plan.parameters) + 2)
    table = Table(title=f"Sobol indices of {what}: {scenario.name}",
                  caption=f"{plan.samples} base samples, {runs} model runs; 95 % confidence "
                          "intervals.")
    for name in ("parameter", "S1", "± S1", "ST", "± ST"):
        table.add_column(name, justify="left" if name == "parameter" else "right")
    for path, row in indices.iterrows():
        table.add_row(str(path), *(f"{row[c]:.3f}" for c in ("S1", "S1_conf", "ST", "ST_conf")))
    out.print(table)
    if plot is not None:
        plots.sobol_bars(indices, f"Sobol indices of {what} ({scenario.name})",
                   f"burden-sim; data edition {edition}; {plan.samples} base samples",
                   plot)
        out.print(f"wrote {plot}")
    if output is not None:
        table = indices.assign(output=what, scenario=scenario.name, edition=edition,
                               base_samples=plan.samples)
        write_atomically(output, lambda tmp: table.to_csv(tmp))
        out.print(f"wrote {output}")


PLOT_FORMATS = {".png": "PNG", ".svg": "SVG"}


@app.command()
@one_line_errors
def plot(
    results: Annotated[Path, typer.Argument(help="A run or compare output (.nc), a sweep "
                                            "store (.zarr), sensitivity indices (.csv) or a "
                                            "scenario (.yaml, for the timeline).",
                                            show_default=False)],
    kind: Annotated[str, typer.Option(help=f"One of {', '.join(plots.KINDS)}.",
                                      show_default=False)],
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
    check_output_path(output, PLOT_FORMATS)
    if kind not in plots.KINDS:
        raise BurdenSimError(f"--kind {kind}: not one of {', '.join(plots.KINDS)}")
    if not results.exists():
        raise BurdenSimError(f"{results}: no such file or folder")
    if kind == "timeline":
        scenario_model, baseline = load(results)
        plots.timeline(scenario_model, baseline.edition, output,
                       deployments(scenario_model, baseline))
    elif kind == "sobol":
        indices = _read_table(results, "sobol", ".csv").set_index("parameter")
        if not {"S1", "S1_conf", "ST", "ST_conf", "output", "scenario", "edition"} <= set(
                indices.columns):
            raise BurdenSimError(f"{results}: not a table written by burden-sim sensitivity "
                                 "--output")
        first = indices.iloc[0]
        plots.sobol_bars(indices, f"Sobol indices of {first['output']} ({first['scenario']})",
                         f"burden-sim; data edition {first['edition']}; "
                         f"{first['base_samples']} base samples", output)
    else:
        ds = _open_results(results, kind)
        if kind == "change":
            if "scenario" not in ds.dims:
                raise BurdenSimError(f"{results}: --kind change needs a comparison (the .nc "
                                     "written by burden-sim compare)")
            names = [str(n) for n in ds.scenario.values]
            if scenario is not None and scenario not in names:
                raise BurdenSimError(f"--scenario {scenario}: not in {', '.join(names)}")
            plots.change_bars(ds, output, scenario)
        elif kind == "spending":
            if "scenario" in ds.dims:
                name = scenario or str(ds.scenario.values[-1])
                ds = ds.sel(scenario=name)
                ds.attrs |= {"scenario": name,
                             "edition": str(ds["edition_by_scenario"].values),
                             "accounting": str(ds["accounting_by_scenario"].values)}
            plots.spending_scatter(ds, output, year)
        else:
            sweep_params = [c for c in ds.coords if ds[c].dims == ("sample",)]
            if not sweep_params:
                raise BurdenSimError(f"{results}: --kind sweep needs a sweep store (.zarr)")
            chosen = parameter or sweep_params[0]
            by_path = {ds[c].attrs.get("path", c): c for c in sweep_params}
            if chosen not in ds.coords and chosen not in by_path:
                raise BurdenSimError(f"--parameter {chosen}: not in {', '.join(by_path)}")
            if ally is None or ally not in ds.ally.values:
                raise BurdenSimError("--ally: give one of the results' allies (ISO3 code)")
            plots.sweep_curve(ds.load(), by_path.get(chosen, chosen), ally, output)
    out.print(f"wrote {output}")


def _open_results(path: Path, kind: str) -> xr.Dataset:
    try:
        if path.is_dir():
            ds = xr.open_zarr(path)
            return ds.assign_coords({c: ds[c] for c in ds.coords})
        return xr.open_dataset(path)
    except (OSError, ValueError) as exc:
        raise BurdenSimError(f"{path}: cannot read it as results for --kind {kind} "
                             f"({type(exc).__name__})") from None


def _read_table(path: Path, kind: str, suffix: str):
    import pandas as pd

    if path.suffix != suffix:
        raise BurdenSimError(f"{path}: --kind {kind} reads a {suffix} file")
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise BurdenSimError(f"{path}: cannot read it ({type(exc).__name__})") from None


@app.command()
@one_line_errors
def report(
    files: Annotated[list[Path], typer.Argument(help="Two or more scenario files; the first "
                                                "is the reference.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="The report (.html).",
                                         show_default=False)],
) -> None:
    """A self-contained HTML report: tables, figures, assumptions and sources."""
    from .report import build

    check_output_path(output, {".html": "HTML"})
    page = build(files)
    write_atomically(output, lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    out.print(f"wrote {output} ({len(page) / 1e6:.1f} MB)")


def ally_table(ds: xr.Dataset, year: int | None = None) -> Table:
    """Per-ally gross, reimbursed, contributed, net (USD m) and net as % of GDP."""
    view = ds.sel(year=[year]) if year is not None else ds
    if "sample" in view.dims:
        view = view.mean("sample")
    money = view[["gross", "reimbursed", "contributed", "net"]].sum("year") / 1e6
    gdp = view["gdp"].where(view["member"]).sum("year", min_count=1)
    pct = 100 * view["net"].sum("year") / gdp
    span = f"{year}" if year is not None else f"{int(ds.year[0])}-{int(ds.year[-1])}"
    sampled = f", mean of {ds.sizes['sample']} samples" if "sample" in ds.dims else ""
    table = Table(title=f"{ds.attrs['scenario']}: {ds.attrs['rule']}, {span}{sampled}",
                  caption=f"USD million, current prices. Edition {ds.attrs['edition']}. "
                          f"Key: {ds.attrs['funding_key_method']}.")
    for name in ("ally", "gross", "reimbursed", "contributed", "net", "net % GDP"):
        table.add_column(name, justify="left" if name == "ally" else "right")
    order = money["net"].values.argsort()[::-1]
    for i in order:
        share = pct.values[i]
        table.add_row(str(money.ally.values[i]),
                      *(f"{money[v].values[i]:,.1f}" for v in ("gross", "reimbursed",
                                                               "contributed", "net")),
                      "n/a" if share != share else f"{share:.4f}")
    totals = money.sum("ally")
    table.add_row("NATO", *(f"{totals[v].item():,.1f}" for v in ("gross", "reimbursed",
                                                                "contributed", "net")),
                  "", style="bold", end_section=True)
    return table


def main() -> None:
    """Console entry point."""
    app()
