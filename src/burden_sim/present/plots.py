"""Matplotlib figures. Each is labelled with its units, the data edition and the scenario.

Figures are built with matplotlib's object API (no pyplot state), so they work the same in a
script, on a server and inline in a notebook; each function returns the Figure and, given a
path, also writes it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib import colormaps
from matplotlib.figure import Figure

from ..errors import BurdenSimError, OptionError
from ..inputs.schema import Scenario
from .files import PLOT_FORMATS, check_output_path, write_atomically

MORE, LESS, NEUTRAL = "#c44e52", "#4c72b0", "#8c8c8c"
KINDS = ("change", "spending", "sweep", "sobol", "timeline")
USES = {"change": ("scenario",), "spending": ("year", "scenario"), "sweep": ("ally", "parameter"),
        "sobol": (), "timeline": ()}  # the options each kind reads


def change_bars(ds: xr.Dataset, path: Path | None = None,
                scenario: str | None = None) -> Figure:
    """Diverging bars: each ally's change in net cost against the first scenario."""
    names = [str(n) for n in ds.scenario.values]
    other = scenario or names[-1]
    change = ds["net_change"].sel(scenario=other)
    if "sample" in change.dims:  # the central value, as the tables give it
        change = change.mean("sample")
    change = (change.sum("year") / 1e6).to_series().sort_values()
    fig = Figure(figsize=(7.5, 0.22 * len(change) + 1.8))
    ax = fig.subplots()
    ax.barh(change.index, change.values, color=[MORE if v > 0 else LESS for v in change.values])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"change in net cost, {_span(ds)}, USD million (current prices)")
    ax.set_title(f"Who pays more (red) and who pays less (blue):\n{other} against {names[0]}",
                 fontsize=10)
    ax.tick_params(axis="y", labelsize=7)
    return _finish(fig, path, _note(ds, f"scenarios {names[0]} and {other}"))


def spending_scatter(ds: xr.Dataset, path: Path | None = None,
                     year: int | None = None) -> Figure:
    """Defence spending as % of GDP after the policy, against GDP, with the 2 % and 3.5 %
    guidelines."""
    year = int(ds.year[-1]) if year is None else year
    one = ds.sel(year=year)[["gdp", "defence_pct_gdp_after", "member"]]
    if "sample" in one.dims:  # a comparison's text variables have samples too: not those
        one = one.mean("sample")
    gdp = one["gdp"].to_series() / 1e9
    pct = one["defence_pct_gdp_after"].to_series()
    keep = pct.notna() & one["member"].to_series().astype(bool)
    fig = Figure(figsize=(7.5, 5))
    ax = fig.subplots()
    ax.scatter(gdp[keep], pct[keep], color=LESS, s=18)
    for ally in gdp[keep].index:
        ax.annotate(ally, (gdp[ally], pct[ally]), fontsize=6, xytext=(3, 2),
                    textcoords="offset points")
    for level, style in ((2.0, "--"), (3.5, ":")):
        ax.axhline(level, color=MORE, linestyle=style, linewidth=1, label=f"{level} % of GDP")
    ax.set_xscale("log")
    ax.set_xlabel(f"GDP {year}, USD billion (current prices, log scale)")
    ax.set_ylabel(f"defence spending {year} after the policy, % of GDP")
    ax.set_title(f"Defence spending against GDP, {year}: {ds.attrs.get('scenario', '')}",
                 fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return _finish(fig, path, _note(ds, f"scenario {ds.attrs.get('scenario', '')}; "
                                    f"accounting: {ds.attrs.get('accounting', '')}"))


MONEY = ("gross", "reimbursed", "contributed", "net", "net_change")
SHORT = {"net": "net cost", "net_change": "change in net cost vs the deploying nation paying",
         "gross": "gross cost", "reimbursed": "repaid by the fund",
         "contributed": "paid into the fund", "net_pct_gdp": "net cost as a share of GDP"}


def sweep_curve(ds: xr.Dataset, parameter: str, ally: str, path: Path | None = None,
                variable: str | None = None) -> Figure:
    """An ally's result against one parameter: the median over the other parameters' values
    and, where a value of the parameter has several (draws of the others), their 5-95 %
    band. By default the change against the deploying nation paying, when the store has it."""
    variable = variable or ("net_change" if "net_change" in ds else "net")
    x = ds[parameter].values
    y = ds[variable].sel(ally=ally)
    money = variable in MONEY
    y = (y.sum("year") / 1e6 if money else y.isel(year=-1)).values
    levels = np.unique(x)
    if len(levels) > 25:  # continuous draws: twenty bins of equal width
        edges = np.linspace(x.min(), x.max(), 21)
        which = np.clip(np.digitize(x, edges) - 1, 0, 19)
        centres = (edges[:-1] + edges[1:]) / 2
    else:
        which, centres = np.searchsorted(levels, x), levels
    groups = pd.DataFrame({"bin": which, "y": y}).groupby("bin")["y"]
    stats = groups.quantile([0.05, 0.5, 0.95]).unstack()
    several = groups.size().to_numpy() > 1
    centres = centres[stats.index]
    design = ds.attrs.get("design", "")
    fig = Figure(figsize=(7.5, 4.5))
    ax = fig.subplots()
    if several.any():
        spread = ("5-95 % of the other parameters' grid values" if design == "grid" else
                  "5-95 % of the draws of the other parameters")
        ax.fill_between(centres[several], stats[0.05][several], stats[0.95][several],
                        color=LESS, alpha=0.25, label=spread)
    ax.plot(centres, stats[0.5], color=LESS, marker="o", markersize=3,
            label="median" if several.any() else variable)
    if money and variable == "net_change":
        ax.axhline(0, color="black", linewidth=0.8)
    attrs = ds[parameter].attrs
    units = attrs.get("units", "")
    name = attrs.get("path", parameter)
    ax.set_xlabel(name + ("" if not units else " (share, 0-1)" if units == "1" else
                          f" ({units})"))
    what = SHORT.get(variable, ds[variable].attrs.get("long_name", variable))
    unit = ("USD million, summed over the years" if money else
            f"{ds[variable].attrs.get('units', '')}, {int(ds.year[-1])}")
    ax.set_ylabel(f"{ally}: {what}\n({unit})", fontsize=9)
    ax.set_title(f"{ally}: {what}, by {name}\n{ds.attrs.get('scenario', '')}, "
                 f"{design}, {ds.sizes['sample']} samples", fontsize=10)
    ax.legend(fontsize=8)
    return _finish(fig, path, _note(ds, f"scenario {ds.attrs.get('scenario', '')}"))


def sobol_bars(indices: pd.DataFrame, title: str, note: str,
               path: Path | None = None) -> Figure:
    """First-order and total Sobol indices with their 95 % confidence intervals."""
    fig = Figure(figsize=(7, 0.6 * len(indices) + 1.8))
    ax = fig.subplots()
    rows = range(len(indices))
    ax.barh([r + 0.2 for r in rows], indices["ST"], 0.38, xerr=indices["ST_conf"],
            label="total (ST)", color=LESS)
    ax.barh([r - 0.2 for r in rows], indices["S1"], 0.38, xerr=indices["S1_conf"],
            label="first order (S1)", color="#dd8452")
    ax.set_yticks(list(rows), indices.index)
    ax.set_xlabel("Sobol index (share of output variance), with 95 % confidence intervals")
    ax.set_xlim(left=min(0.0, float(indices[["S1", "ST"]].min().min()) - 0.05))
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8,
              frameon=False)
    return _finish(fig, path, note)


def sobol_of_sweep(indices: pd.DataFrame, what: str, sweep, path: Path) -> Figure:
    """Sobol bars of ``what`` for a sensitivity run over ``sweep``, labelled with its scenario,
    data edition and base sample size."""
    return sobol_bars(indices, f"Sobol indices of {what} ({sweep.scenario.name})",
                      f"burden-sim; data edition {sweep.baseline.edition}; {sweep.samples} base "
                      "samples", path)


def timeline(scenario: Scenario, edition: str, path: Path | None = None,
             deployments: pd.DataFrame | None = None) -> Figure:
    """Deployments by ally and mission over the scenario's years (a Gantt chart): the engine's
    dated deployments when given, else the scenario's yearly contributions."""
    first, last = scenario.years.start, scenario.years.end
    if deployments is not None:
        bars = _dated_bars(deployments, first, last)
        names = list(dict.fromkeys(deployments.mission))
        how = ("dates of each deployment from the deployment engine (rotations, contingents "
               "and ships)")
        source = "deployments generated by the engine from the mission catalogue"
    else:
        bars = [(c.ally, k, max(c.start, first),
                 min(c.last_year, last) - max(c.start, first) + c.months / 12)
                for k, m in enumerate(scenario.missions) for c in m.contributions
                if (c.troops or c.aircraft or c.host_support_eur) and
                max(c.start, first) <= min(c.last_year, last)]
        names = [m.name for m in scenario.missions]
        how = "each bar covers the months present in that year, drawn from January"
        source = "contributions as recorded in the scenario's missions"
    colours = colormaps["tab20" if len(names) > 10 else "tab10"]
    allies = sorted({ally for ally, *_ in bars})
    fig = Figure(figsize=(9, 0.28 * len(allies) + 2.6))
    ax = fig.subplots()
    for ally, k, start, width in bars:
        offset = (k - len(names) / 2) * 0.8 / len(names)
        ax.broken_barh([(start, width)], (allies.index(ally) + offset, 0.8 / len(names)),
                       color=colours(k % colours.N))
    for k, name in enumerate(names):
        ax.plot([], [], color=colours(k % colours.N), linewidth=6, label=name)
    ax.set_yticks(range(len(allies)), allies, fontsize=7)
    ax.set_xlim(first, last + 1)
    ax.set_xlabel(f"year ({how})")
    ax.set_title(f"Deployments by ally and mission: {scenario.name}", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3,
              frameon=False)
    ax.invert_yaxis()
    return _finish(fig, path, f"burden-sim; data edition {edition}; scenario {scenario.name}; "
                              f"{source}")


def _dated_bars(deployments: pd.DataFrame, first: int, last: int) -> list[tuple]:
    """(ally, mission index, start, width) in decimal years, clipped to the horizon."""
    index = {m: k for k, m in enumerate(dict.fromkeys(deployments.mission))}

    def decimal(t: pd.Series) -> np.ndarray:
        return (t.dt.year + (t.dt.day_of_year - 1) / 365.25).to_numpy()

    start = np.clip(decimal(deployments.start), first, last + 1)
    end = np.clip(decimal(deployments.end), first, last + 1)
    keep = end > start
    return [(a, index[m], s, e - s) for a, m, s, e in
            zip(deployments.ally[keep], deployments.mission[keep], start[keep], end[keep],
                strict=True)]


def _span(ds: xr.Dataset) -> str:
    return f"{int(ds.year[0])}-{int(ds.year[-1])}"


def _note(ds: xr.Dataset, what: str) -> str:
    by_scenario = ds.get("edition_by_scenario", xr.DataArray([]))
    edition = ds.attrs.get("edition") or ", ".join(
        sorted(set(map(str, np.atleast_1d(by_scenario.values)))))
    return f"burden-sim; data edition {edition}; {what}"


def _finish(fig: Figure, path: Path | None, note: str) -> Figure:
    fig.text(0.01, 0.005, note, fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    if path is not None:
        write_atomically(path, lambda tmp: fig.savefig(tmp, format=path.suffix[1:], dpi=150))
    return fig


def draw(kind: str, source: Path, output: Path, *, ally: str | None = None,
         parameter: str | None = None, year: int | None = None,
         scenario: str | None = None) -> Figure:
    """A figure of ``kind`` from results on disk: a run or comparison (.nc), a sweep store
    (.zarr), sensitivity indices (.csv) or a scenario file (.yaml, for the timeline)."""
    check_output_path(output, PLOT_FORMATS)
    if kind not in KINDS:
        raise OptionError("kind", kind, f"not one of {', '.join(KINDS)}")
    if not source.exists():
        raise BurdenSimError(f"{source}: no such file or folder")
    given = {"ally": ally, "parameter": parameter, "year": year, "scenario": scenario}
    for option, value in given.items():  # an option a kind does not use is a mistake
        if value is not None and option not in USES[kind]:
            raise OptionError(option, value, f"--kind {kind} takes "
                              + (", ".join(f"--{o}" for o in USES[kind]) or "none of "
                                 "--ally, --parameter, --year, --scenario"))
    if kind == "timeline":
        from ..api import deployments, load

        if source.suffix.lower() not in (".yaml", ".yml"):
            raise BurdenSimError(f"{source}: --kind timeline reads a scenario file (.yaml)")

        scenario_model, baseline = load(source)
        return timeline(scenario_model, baseline.edition, output,
                        deployments(scenario_model, baseline))
    if kind == "sobol":
        indices = _read_table(source, "sobol", ".csv")
        if not {"parameter", "S1", "S1_conf", "ST", "ST_conf", "output", "scenario", "edition",
                "base_samples"} <= set(indices.columns):
            raise BurdenSimError(f"{source}: --kind sobol reads the indices written by "
                                 "burden-sim sensitivity --output")
        indices = indices.set_index("parameter")
        first = indices.iloc[0]
        return sobol_bars(indices, f"Sobol indices of {first['output']} ({first['scenario']})",
                          f"burden-sim; data edition {first['edition']}; "
                          f"{first['base_samples']} base samples", output)
    ds = _open_results(source, kind)
    if kind == "change":
        if "scenario" not in ds.dims or "net_change" not in ds:
            raise BurdenSimError(f"{source}: --kind change needs a comparison (the .nc "
                                 "written by burden-sim compare)")
        names = [str(n) for n in ds.scenario.values]
        if scenario is not None and scenario not in names[1:]:
            raise OptionError("scenario", scenario, f"not one of {', '.join(names[1:])}"
                              + (f" ({names[0]} is the reference each is set against)"
                                 if scenario == names[0] else ""))
        return change_bars(ds, output, scenario)
    if kind == "spending":
        if not {"defence_pct_gdp_after", "gdp", "member"} <= set(ds.data_vars):
            raise BurdenSimError(f"{source}: not results written by burden-sim run or compare")
        years = [int(y) for y in ds.year.values]
        if year is not None and year not in years:
            raise OptionError("year", year, f"not in the results' years ({years[0]}-"
                              f"{years[-1]})")
        if "scenario" in ds.dims:
            names = [str(n) for n in ds.scenario.values]
            if scenario is not None and scenario not in names:
                raise OptionError("scenario", scenario, f"not in {', '.join(names)}")
            name = scenario or names[-1]
            ds = ds.sel(scenario=name)
            ds.attrs |= {"scenario": name,
                         "edition": str(ds["edition_by_scenario"].values),
                         "accounting": str(ds["accounting_by_scenario"].values)}
        return spending_scatter(ds, output, year)
    sweep_params = [c for c in ds.coords if ds[c].dims == ("sample",)]
    if not sweep_params:
        raise BurdenSimError(f"{source}: --kind sweep needs a sweep store (.zarr)")
    by_path = {ds[c].attrs.get("path", c): c for c in sweep_params}
    declared = [q.strip() for q in str(ds.attrs.get("parameters", "")).split(",")]
    chosen = parameter or next((q for q in declared if q in by_path), sweep_params[0])
    if chosen not in ds.coords and chosen not in by_path:
        raise OptionError("parameter", chosen, f"not in {', '.join(by_path)}")
    per_ally = [str(v) for v in ds.data_vars if "ally" in ds[v].dims]
    variable = next((v for v in ("net_change", "net", *per_ally) if v in per_ally), None)
    if variable is None:  # kept with sweep --variables that are all alliance-wide
        raise BurdenSimError(f"{source}: --kind sweep draws a result per ally; this store "
                             f"keeps {', '.join(map(str, ds.data_vars))} (sweep with "
                             "--variables net to draw it)")
    if ally is None or ally not in ds.ally.values:
        raise OptionError("ally", ally, "give one of the results' allies (ISO3 code)")
    # lazily: only the ally's result, summed over the years, is read (a load of the whole
    # store took 24 GB for 2 x 10^7 samples)
    return sweep_curve(ds, by_path.get(chosen, chosen), ally, output, variable)


def _open_results(path: Path, kind: str) -> xr.Dataset:
    try:
        if path.is_dir():
            from ..explore.store import MANIFEST, open_results

            ds = open_results(path) if (path / MANIFEST).is_file() else xr.open_zarr(path)
            return ds.assign_coords({c: ds[c] for c in ds.coords})
        return xr.open_dataset(path)
    except (OSError, ValueError) as exc:
        raise BurdenSimError(f"{path}: cannot read it as results for --kind {kind} "
                             f"({type(exc).__name__}; it reads the .nc that run or compare "
                             "write with --output, or a sweep's .zarr store)") from None


def _read_table(path: Path, kind: str, suffix: str) -> pd.DataFrame:
    if path.suffix != suffix:
        raise BurdenSimError(f"{path}: --kind {kind} reads a {suffix} file")
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise BurdenSimError(f"{path}: cannot read it ({type(exc).__name__})") from None

