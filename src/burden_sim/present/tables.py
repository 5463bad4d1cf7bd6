"""Tables of results, shared by the command line (rich) and the report (HTML): the numbers
are computed once here, as data frames, and each medium only formats them."""

from __future__ import annotations

import pandas as pd
import xarray as xr
from rich.console import Group
from rich.table import Table

MONEY = ("gross", "reimbursed", "contributed", "net")


def _view(ds: xr.Dataset, year: int | None) -> xr.Dataset:
    view = ds.sel(year=[year]) if year is not None else ds
    return view.mean("sample") if "sample" in view.dims else view


def span(ds: xr.Dataset, year: int | None = None) -> str:
    """The years a table covers, as text."""
    return f"{year}" if year is not None else f"{int(ds.year[0])}-{int(ds.year[-1])}"


def by_ally(ds: xr.Dataset, year: int | None = None) -> pd.DataFrame:
    """Per ally (one run): money summed over the years (USD m) and net as % of GDP over the
    years of membership; sorted by net cost, largest first."""
    view = _view(ds, year)
    money = (view[list(MONEY)].sum("year") / 1e6).to_dataframe()[list(MONEY)]
    gdp = view["gdp"].where(view["member"]).sum("year", min_count=1)
    money["net_pct_gdp"] = (100 * view["net"].sum("year") / gdp).to_series()
    return money.iloc[money["net"].to_numpy().argsort()[::-1]]


def changes(ds: xr.Dataset, year: int | None = None, order_by: int = 1) -> pd.DataFrame:
    """Per ally (a comparison): net cost under the first scenario and each other one's change,
    in USD m and in % of GDP over the years; sorted by the change under scenario
    ``order_by``, largest first."""
    view = _view(ds, year)
    names = [str(n) for n in view.scenario.values]
    net = view["net"].sum("year") / 1e6
    change = view["net_change"].sum("year") / 1e6
    gdp = view["gdp"].where(view["member"]).sum("year", min_count=1).isel(scenario=0) / 1e6
    frame = pd.DataFrame({"net": net.isel(scenario=0).to_series()})
    for n in names[1:]:
        delta = change.sel(scenario=n).to_series()
        frame[f"change {n}"] = delta
        frame[f"change % GDP {n}"] = 100 * delta / gdp.to_series()
    if len(names) > 1:
        key = change.isel(scenario=order_by).values
        frame = frame.iloc[key.argsort()[::-1]]
    return frame


def by_scenario(ds: xr.Dataset, year: int | None = None) -> pd.DataFrame:
    """Per scenario: the fund's size, the Gini of net % of GDP, and who reaches 2 % and 3.5 %
    in the last year, after the policy."""
    view = _view(ds, year)
    last = int(view.year[-1])
    rows = {}
    for n in view.scenario.values:
        one = view.sel(scenario=n)
        rows[str(n)] = {"repaid": float(one["reimbursed"].sum()) / 1e6,
                        "gini": float(one["gini_net_pct_gdp"].mean()),
                        "at_2pct": int(one["allies_at_2pct"].sel(year=last)),
                        "at_3_5pct": int(one["allies_at_3_5pct"].sel(year=last))}
    return pd.DataFrame.from_dict(rows, orient="index")


def ally_table(ds: xr.Dataset, year: int | None = None) -> Table:
    """Per-ally gross, reimbursed, contributed, net (USD m) and net as % of GDP."""
    frame = by_ally(ds, year)
    sampled = f", mean of {ds.sizes['sample']} samples" if "sample" in ds.dims else ""
    table = Table(title=f"{ds.attrs['scenario']}: {ds.attrs['rule']}, {span(ds, year)}{sampled}",
                  caption=f"USD million, current prices. Edition {ds.attrs['edition']}. "
                          f"Key: {ds.attrs['funding_key_method']}.")
    for name in ("ally", "gross", "reimbursed", "contributed", "net", "net % GDP"):
        table.add_column(name, justify="left" if name == "ally" else "right")
    for ally, row in frame.iterrows():
        share = row["net_pct_gdp"]
        table.add_row(str(ally), *(f"{row[v]:,.1f}" for v in MONEY),
                      "n/a" if share != share else f"{share:.4f}")
    totals = frame[list(MONEY)].sum()
    table.add_row("NATO", *(f"{totals[v]:,.1f}" for v in MONEY), "", style="bold",
                  end_section=True)
    return table


def comparison_table(ds: xr.Dataset, year: int | None = None) -> Group:
    """Per ally: net cost under the first scenario and each other one's change; then, per
    scenario, the fund's size and who reaches the spending guidelines."""
    names = [str(n) for n in ds.scenario.values]
    frame = changes(ds, year)
    table = Table(title=f"Net cost against {names[0]}, {span(ds, year)}",
                  caption="USD million, current prices; change in % of GDP in percentage "
                          "points. Negative: the ally pays less.")
    table.add_column("ally")
    table.add_column(f"net, {names[0]}", justify="right", overflow="fold")
    for n in names[1:]:
        table.add_column(f"change, {n}", justify="right", overflow="fold")
        table.add_column("change, % GDP", justify="right", overflow="fold")
    for ally, row in frame.iterrows():
        cells = [f"{row['net']:,.1f}"]
        for n in names[1:]:
            cells += [f"{row[f'change {n}']:+,.1f}", f"{row[f'change % GDP {n}']:+.4f}"]
        table.add_row(str(ally), *cells)
    totals = [f"{frame['net'].sum():,.1f}"]
    for n in names[1:]:
        totals += [f"{frame[f'change {n}'].sum():+,.1f}", ""]
    table.add_row("NATO", *totals, style="bold")

    last = int(_view(ds, year).year[-1])
    summary = Table(title=f"Per scenario ({span(ds, year)}; guidelines in {last}, after the "
                          "policy)")
    for name in ("scenario", "repaid by the fund, USD m", "Gini of net % GDP",
                 "allies at 2 %", "allies at 3.5 %"):
        summary.add_column(name, justify="left" if name == "scenario" else "right",
                           overflow="fold")
    for n, row in by_scenario(ds, year).iterrows():
        summary.add_row(n, f"{row['repaid']:,.1f}", f"{row['gini']:.3f}",
                        str(int(row["at_2pct"])), str(int(row["at_3_5pct"])))
    return Group(table, summary)


def engine_summary(ds: xr.Dataset) -> str:
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


def sobol_table(indices: pd.DataFrame, what: str, sweep) -> Table:
    """Sobol first-order and total indices of ``what`` with their 95 % confidence intervals."""
    runs = sweep.samples * (len(sweep.parameters) + 2)
    table = Table(title=f"Sobol indices of {what}: {sweep.scenario.name}",
                  caption=f"{sweep.samples} base samples, {runs} model runs; 95 % confidence "
                          "intervals.")
    for name in ("parameter", "S1", "± S1", "ST", "± ST"):
        table.add_column(name, justify="left" if name == "parameter" else "right")
    for path, row in indices.iterrows():
        table.add_row(str(path), *(f"{row[c]:.3f}" for c in ("S1", "S1_conf", "ST", "ST_conf")))
    return table


def validation_summary(file, scenario, baseline) -> str:
    """What a valid scenario file holds, in a line."""
    span = f"{scenario.years.start}-{scenario.years.end}, edition {baseline.edition}"
    if scenario.deployment is not None:
        d = scenario.deployment
        count = len(d.missions) if d.missions else "all"
        return (f"{file}: valid (deployment engine: {count} catalogue missions, plan "
                f"{d.plan}, elasticity {d.elasticity}, {span})")
    contributions = sum(len(m.contributions) for m in scenario.missions)
    return (f"{file}: valid ({len(scenario.missions)} missions, {contributions} "
            f"contributions, {span})")

