"""Tables of results, shared by the command line and the report: each table's numbers are
computed once here as a data frame whose column names carry their unit (``net_usd_m``); the
terminal (rich, readable at 80 columns, never splitting a number), Markdown, CSV, JSON and the
report's HTML only format them.

Every comparison table lists the allies in one order: from the largest extra bill to the
largest saving under the first scenario after the reference (`order`).
"""

from __future__ import annotations

import io
import json
import re
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import xarray as xr  # tables take Datasets; validate's summary needs no xarray

FORMATS = ("table", "csv", "json", "markdown")
STATUS_QUO = "the deploying nation pays"
LEVELS = (0.05, 0.95)  # the band: explore.uncertainty.LEVELS
BAND_NOTE = ("5th to 95th percentile over {draws:,} draws of the unit costs from their sourced "
             "low/central/high ranges (PERT; the same draws for every scenario); it covers "
             "unit-cost uncertainty only")
BP = ("basis points (bp, 0.01 %) of the ally's GDP summed over its years of membership, {when}")


@dataclass(frozen=True)
class Column:
    """A column: its header for readers, how its cells are written, and the fields of the
    rows it shows (two for a band: low and high)."""

    header: str
    style: str  # text, money, signed, band, bp, count, ratio
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """Numbers (``rows``) with a title, columns and footnotes. ``group`` names a column whose
    values split the rows into one table each for readers ("{group}" in the title and headers
    is replaced by the value)."""

    title: str
    columns: tuple[Column, ...]
    rows: pd.DataFrame
    notes: tuple[str, ...] = ()
    total: dict | None = None
    group: str | None = None


@dataclass(frozen=True)
class View:
    """What a command shows: tables, then sentences (conclusions and hints)."""

    tables: list[Table]
    lines: list[str] = field(default_factory=list)


# --- numbers ----------------------------------------------------------------------------------

def span(ds: xr.Dataset, year: int | None = None) -> str:
    """The years a table covers, as text."""
    return f"{year}" if year is not None else f"{int(ds.year[0])}-{int(ds.year[-1])}"


def key_shares(ds: xr.Dataset) -> pd.DataFrame:
    """Per member and year (one run): its key share in percent, whether the share is published
    or reconstructed, and its source."""
    frame = ds[["key_share", "key_status", "key_source"]].where(ds["member"]).to_dataframe()
    frame = frame[frame["key_status"].astype(str) != ""].dropna(subset=["key_share"])
    frame["key_share"] = 100 * frame["key_share"]
    return frame.rename(columns={"key_share": "share_pct", "key_status": "status",
                                 "key_source": "source"})[["share_pct", "status", "source"]]


def _years(ds: xr.Dataset, year: int | None) -> xr.Dataset:
    return ds.sel(year=[year]) if year is not None else ds


def _central(ds: xr.Dataset, year: int | None = None) -> xr.Dataset:
    view = _years(ds, year)
    return view.mean("sample") if "sample" in view.dims else view


def _quantiles(draws: xr.DataArray, over: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The band (5th, 95th percentile over draws) of a total over ``over``, USD million."""
    total = draws.sum(over) / 1e6
    low, high = np.quantile(total.values, LEVELS, axis=total.dims.index("draw"))
    return low, high


def band_by_ally(cmp: xr.Dataset, variable: str, k: int, year: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Each ally's band of a draws variable, summed over the years, for scenario ``k``."""
    return _quantiles(_years(cmp, year)[variable].isel(scenario=k), ["year"])


def band_total(cmp: xr.Dataset, variable: str, k: int, year: int | None = None
               ) -> tuple[float, float]:
    """The alliance's band of a draws variable, summed over allies and years."""
    low, high = _quantiles(_years(cmp, year)[variable].isel(scenario=k), ["ally", "year"])
    return float(low), float(high)


def order(cmp: xr.Dataset, year: int | None = None) -> np.ndarray:
    """Ally positions from the largest extra bill to the largest saving under the first
    scenario after the reference (by net cost, largest first, without one)."""
    view = _central(cmp, year)
    k = 1 if view.sizes["scenario"] > 1 else 0
    key = view["net_change" if k else "net"].isel(scenario=k).sum("year").values
    return np.argsort(-key, kind="stable")


def gdp_total(ds: xr.Dataset) -> xr.DataArray:
    """GDP summed over the years of membership, USD."""
    return ds["gdp"].where(ds["member"]).sum("year", min_count=1)


def draws_of(cmp: xr.Dataset) -> int:
    return cmp.sizes.get("draw", 0)


def band_note(cmp: xr.Dataset) -> str:
    """What the bands are taken over: the scenarios' own draws when they have samples (their
    central values are the mean of the same draws), else the fixed draws."""
    n = draws_of(cmp)
    if not cmp.attrs.get("band_over_samples"):
        return BAND_NOTE.format(draws=n)
    return (f"5th to 95th percentile over the {n:,} draw{'s' * (n != 1)} of the unit costs "
            "that the central values are the mean of (the scenario's samples: and seed:; PERT "
            "from the sourced low/central/high ranges); it covers unit-cost uncertainty only")


def _sampled(cmp: xr.Dataset) -> str:
    """How a central value is made when the scenarios draw samples ('' when they do not)."""
    if "sample" not in cmp.dims:
        return ""
    n = cmp.sizes["sample"]
    return f"central: the mean over the scenario's {n:,} draw{'s' * (n != 1)} of the unit costs"


NOISE_USD = 1.0  # a change within a dollar is rounding (a fund capped at 0 moved 7e-15)


def counts(cmp: xr.Dataset, k: int, year: int | None = None) -> tuple[int, int]:
    """How many allies pay less and how many more under scenario ``k`` than the reference."""
    change = _central(cmp, year)["net_change"].isel(scenario=k).sum("year").values
    return int((change < -NOISE_USD).sum()), int((change > NOISE_USD).sum())


def conclusion(cmp: xr.Dataset, k: int, year: int | None = None) -> str:
    """'common_fund: 17 allies pay less, 15 more; the fund moves USD 2,718.0 m (90 %: ...)'."""
    view = _central(cmp, year)
    name = str(cmp.scenario.values[k])
    less, more = counts(cmp, k, year)
    moved = float(view["reimbursed"].isel(scenario=k).sum()) / 1e6
    text = (f"{name}: {less} allies pay less, {more} more; the fund moves USD {moved:,.1f} m "
            f"over {span(cmp, year)}")
    if draws_of(cmp):
        low, high = band_total(cmp, "reimbursed_draws", k, year)
        text += f" (90 % band {low:,.1f} to {high:,.1f})"
    return text + "."


def run_view(cmp: xr.Dataset, file: str, year: int | None = None) -> View:
    """`run`: a scenario's own figures (USD m) and, when it moves money, its change against
    the deploying nation paying for the same years, missions and edition. ``cmp`` holds that
    reference first and the scenario last (the scenario alone when it moves no money), with
    draws of the unit costs."""
    view = _central(cmp, year)
    engine = [engine_summary(cmp.isel(scenario=-1))] if "unfilled_slots" in cmp else []
    k = cmp.sizes["scenario"] - 1
    own = view.isel(scenario=k)
    name, when = str(cmp.scenario.values[k]), span(cmp, year)
    money = own[["gross", "reimbursed", "contributed", "net"]].sum("year") / 1e6
    gdp = gdp_total(own).values
    rows = pd.DataFrame({"ally": money.ally.values,
                         **{f"{v}_usd_m": money[v].values for v in
                            ("gross", "reimbursed", "contributed", "net")}})
    totals = {"ally": "NATO", **{f"{v}_usd_m": float(money[v].sum()) for v in
                                 ("gross", "reimbursed", "contributed", "net")}}
    sampled = f"; {_sampled(cmp)}" if _sampled(cmp) else ""
    edition = str(cmp["edition_by_scenario"].values[k])
    if k == 0:  # the deploying nation pays: show its bill and the band of it
        rows["net_p05_usd_m"], rows["net_p95_usd_m"] = band_by_ally(cmp, "net_draws", k, year)
        rows["net_bp_gdp"] = 1e4 * 1e6 * money["net"].values / gdp
        columns = (Column("ally", "text", ("ally",)), Column("gross", "money", ("gross_usd_m",)),
                   Column("net", "money", ("net_usd_m",)),
                   Column("90 % band", "band", ("net_p05_usd_m", "net_p95_usd_m")),
                   Column("bp of GDP", "bp", ("net_bp_gdp",)))
        title = f"{name}: {STATUS_QUO}, {when} (USD million; net cost in bp of GDP)"
        notes = (f"USD million, current prices; edition {edition}{sampled}.",
                 f"90 % band of the net cost: {band_note(cmp)}.",
                 f"bp of GDP: the net cost in {BP.format(when=when)}.")
        rows = rows.iloc[order(cmp, year)].reset_index(drop=True)
        low, high = band_total(cmp, "net_draws", k, year)
        top = ", ".join(rows["ally"].head(3))
        lines = [f"{name}: the deploying allies pay USD {totals['net_usd_m']:,.1f} m over "
                 f"{when} (90 % band {low:,.1f} to {high:,.1f}); the largest bills: {top}.",
                 f"Set it beside a fund: burden-sim compare {file} FUND.yaml"]
        unused = cmp.attrs.get("unused_fund_settings", "")
        if unused:
            lines.insert(1, f"Not applied: {unused}. Under rule deploying_nation_pays there "
                         f"is no fund; {'they apply' if ',' in unused else 'it applies'} under "
                         "rule common_fund.")
        return View([Table(title, columns, rows, notes, totals)], engine + lines)
    change = view["net_change"].isel(scenario=k).sum("year").values / 1e6
    rows["net_change_usd_m"] = change
    rows["net_change_p05_usd_m"], rows["net_change_p95_usd_m"] = band_by_ally(
        cmp, "net_change_draws", k, year)
    rows["net_change_bp_gdp"] = 1e4 * 1e6 * change / gdp
    totals["net_change_usd_m"] = float(change.sum())
    columns = (Column("ally", "text", ("ally",)), Column("gross", "money", ("gross_usd_m",)),
               Column("repaid", "money", ("reimbursed_usd_m",)),
               Column("paid in", "money", ("contributed_usd_m",)),
               Column("net", "money", ("net_usd_m",)),
               Column("change", "signed", ("net_change_usd_m",)),
               Column("90 % band", "band", ("net_change_p05_usd_m", "net_change_p95_usd_m")),
               Column("bp", "bp", ("net_change_bp_gdp",)))
    title = f"{name} against {STATUS_QUO}, {when} (USD million; change in bp of GDP)"
    notes = (f"USD million, current prices; edition {edition}{sampled}. repaid: by the fund to "
             "the ally; paid in: by the ally into the fund. change: net cost minus the net cost "
             f"if {STATUS_QUO} (same years, missions and edition); positive: the ally pays "
             "more.",
             f"90 % band of the change: {band_note(cmp)}.",
             f"bp: the change in {BP.format(when=when)}.",
             *outside_band(rows["ally"], change, rows["net_change_p05_usd_m"],
                           rows["net_change_p95_usd_m"]))
    rows = rows.iloc[np.argsort(-change, kind="stable")].reset_index(drop=True)
    return View([Table(title, columns, rows, notes, totals)],
                [*engine, conclusion(cmp, k, year),
                 f"Set it beside other policies: burden-sim compare STATUS_QUO.yaml {file} "
                 "[MORE.yaml ...]"])


def compare_view(cmp: xr.Dataset, year: int | None = None) -> View:
    """`compare`: for each scenario after the first, each ally's net cost under the reference
    and under it, the change with its band, and the change in bp of GDP (one table per
    scenario, allies in the order of `order`); then one row per scenario."""
    view = _central(cmp, year)
    names = [str(n) for n in cmp.scenario.values]
    when, n = span(cmp, year), draws_of(cmp)
    net = view["net"].sum("year").values / 1e6  # [scenario, ally]
    change = view["net_change"].sum("year").values / 1e6
    gdp = gdp_total(view.isel(scenario=0)).values
    ranked = order(cmp, year)
    allies = view.ally.values
    parts = []
    for k, name in enumerate(names[1:], start=1):
        part = pd.DataFrame({
            "scenario": name, "ally": allies, "net_reference_usd_m": net[0],
            "net_usd_m": net[k], "net_change_usd_m": change[k],
            "net_change_bp_gdp": 1e4 * 1e6 * change[k] / gdp})
        if n:
            low, high = band_by_ally(cmp, "net_change_draws", k, year)
            part.insert(5, "net_change_p05_usd_m", low)
            part.insert(6, "net_change_p95_usd_m", high)
        parts.append(part.iloc[ranked])
    rows = pd.concat(parts, ignore_index=True)
    columns = [Column("ally", "text", ("ally",)),
               Column(f"net, {names[0]}", "money", ("net_reference_usd_m",)),
               Column("net, {group}", "money", ("net_usd_m",)),
               Column("change", "signed", ("net_change_usd_m",))]
    if n:
        columns.append(Column("90 % band", "band", ("net_change_p05_usd_m",
                                                    "net_change_p95_usd_m")))
    columns.append(Column("bp", "bp", ("net_change_bp_gdp",)))
    sampled = (f" Central values: the mean over the scenarios' {cmp.sizes['sample']:,} draws of "
               "the unit costs (the same draws for each)." if "sample" in cmp.dims else "")
    notes = [f"USD million, current prices. change: net cost minus {names[0]}'s; positive: "
             f"the ally pays more. Allies in the order of the change under {names[1]}, as in "
             f"every table of the comparison and in the report.{sampled}"]
    if n:
        notes.append(f"90 % band of the change: {band_note(cmp)}.")
    notes.append(f"bp: the change in {BP.format(when=when)}.")
    if n:
        notes += outside_band(rows["scenario"] + " " + rows["ally"], rows["net_change_usd_m"],
                              rows["net_change_p05_usd_m"], rows["net_change_p95_usd_m"])
    notes += _not_like_for_like(cmp, names)
    per_ally = Table("{group} against " + f"{names[0]}, {when} (USD million; change in bp of "
                     "GDP)", tuple(columns), rows, tuple(notes), group="scenario")
    return View([per_ally, scenario_table(cmp, year)],
                [conclusion(cmp, k, year) for k in range(1, len(names))])


def outside_band(allies, central, low, high) -> list[str]:
    """A note when a change lies outside its own band (beyond what the table rounds): a
    scenario's central cost near one end of its range, or two scenarios with different
    ranges, put most draws on one side of the central value."""
    out = [a for a, c, lo, hi in zip(allies, central, low, high, strict=True)
           if c < lo - 0.05 or c > hi + 0.05]
    if not out:
        return []
    shown = ", ".join(out[:5]) + (f" and {len(out) - 5} more" if len(out) > 5 else "")
    return [f"Outside its band: the change of {shown}. The change is taken at the central unit "
            "costs, the band over draws from their ranges: a central cost near one end of its "
            "range, or scenarios with different ranges, put most draws on one side of it."]


def _not_like_for_like(cmp: xr.Dataset, names: list[str]) -> list[str]:
    """Notes when a scenario deploys other missions or reads another data edition than the
    reference: its change is then not the policy's alone."""
    notes = []
    differ = [n for n in cmp.attrs.get("missions_differ", "").split(", ") if n]
    if differ:
        notes.append(f"Not like for like: {', '.join(differ)} "
                     f"{'deploys' if len(differ) == 1 else 'deploy'} other missions than "
                     f"{names[0]}, so the change mixes the policy with those deployments.")
    editions = [str(e) for e in cmp["edition_by_scenario"].values]
    other = [n for n, e in zip(names, editions, strict=True) if e != editions[0]]
    if other:
        notes.append(f"Not like for like: {', '.join(other)} "
                     f"{'reads' if len(other) == 1 else 'read'} another data edition than "
                     f"{names[0]} ({editions[0]}).")
    return notes


def scenario_table(cmp: xr.Dataset, year: int | None = None) -> Table:
    """One row per scenario: the fund's size with its band, the Gini of burdens, and the
    allies at the guidelines in the last year after the policy."""
    view = _central(cmp, year)
    names = [str(n) for n in cmp.scenario.values]
    last = int(view.year[-1])
    rows = pd.DataFrame({
        "scenario": names,
        "reimbursed_usd_m": view["reimbursed"].sum(["ally", "year"]).values / 1e6,
        "gini_net_pct_gdp": view["gini_net_pct_gdp"].mean("year").values,
        "allies_at_2pct": view["allies_at_2pct"].sel(year=last).values.astype(int),
        "allies_at_3_5pct": view["allies_at_3_5pct"].sel(year=last).values.astype(int),
    })
    columns = [Column("scenario", "text", ("scenario",)),
               Column("repaid, USD m", "money", ("reimbursed_usd_m",))]
    if draws_of(cmp):
        bands = [band_total(cmp, "reimbursed_draws", k, year) for k in range(len(names))]
        rows.insert(2, "reimbursed_p05_usd_m", [b[0] for b in bands])
        rows.insert(3, "reimbursed_p95_usd_m", [b[1] for b in bands])
        columns.append(Column("90 % band", "band", ("reimbursed_p05_usd_m",
                                                    "reimbursed_p95_usd_m")))
    columns += [Column("Gini", "ratio", ("gini_net_pct_gdp",)),
                Column("at 2 %", "count", ("allies_at_2pct",)),
                Column("at 3.5 %", "count", ("allies_at_3_5pct",))]
    return Table(f"Per scenario, {span(cmp, year)} (guidelines in {last}, after the policy)",
                 tuple(columns), rows,
                 ("repaid: paid by the fund to the deploying allies, USD million. Gini: of net "
                  "cost as % of GDP across members (mean over the years). at 2 %, at 3.5 %: "
                  f"members at or above the guideline in {last}.",))


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


# --- formatting -------------------------------------------------------------------------------

def cell(style: str, values: tuple) -> str:
    """One cell as text; a missing number is n/a."""
    if style == "text":
        return str(values[0])
    if any(v is None or v != v for v in values):
        return "n/a"
    if style == "band":
        return " to ".join(cell("signed" if min(values) < 0 else "money", (v,)) for v in values)
    spec = {"money": ",.1f", "signed": "+,.1f", "bp": "+.2f", "count": "d",
            "ratio": ".3f"}[style]
    text = f"{values[0]:{spec}}"
    if text.lstrip("+-").strip("0.,") == "":  # rounds to zero: no sign, which could
        return text.lstrip("+-")  # contradict the sign of the change beside it
    return text


def groups(table: Table) -> list[tuple[str, pd.DataFrame]]:
    """(group value, rows) for each table a reader sees."""
    if table.group is None:
        return [("", table.rows)]
    return [(str(g), rows) for g, rows in table.rows.groupby(table.group, sort=False)]


def text_rows(table: Table, rows: pd.DataFrame) -> list[list[str]]:
    """The cells of ``rows`` as text, then the totals row if any."""
    records = rows.to_dict("records")
    body = [[cell(c.style, tuple(r[f] for f in c.fields)) for c in table.columns]
            for r in records]
    if table.total is not None:
        body.append(["" if any(f not in table.total for f in c.fields) else
                     cell(c.style, tuple(table.total[f] for f in c.fields))
                     for c in table.columns])
    return body


def _fill(text: str, group: str) -> str:
    return text.replace("{group}", group)


def _header_lines(header: str, width: int) -> list[str]:
    """A header on as many lines as it needs at ``width``, broken at spaces, or, where a word
    is wider than that, also after an underscore (scenario names); never inside a word
    otherwise."""
    words = re.findall(r"\S+(?: %)?", header)  # "3.5 %" stays on one line
    return _packed([piece for word in words for piece in (
        [word] if len(word) <= width else re.findall(r"[^_]+_?|_", word))], width)


def _packed(tokens: list[str], width: int) -> list[str]:
    """Tokens on lines of at most ``width`` (where a token allows): a space between them,
    none after an underscore."""
    lines: list[str] = []
    for token in tokens:
        glue = "" if lines and lines[-1].endswith("_") else " "
        if lines and len(lines[-1]) + len(glue) + len(token) <= width:
            lines[-1] += glue + token
        else:
            lines.append(token)
    return lines or [""]


MIN_WRAPPED = 24  # the narrowest a wrapped text column gets


def to_text(view: View, width: int = 80) -> str:
    """Plain text for a terminal: one table per group, columns as wide as their widest cell
    (headers wrap, numbers never do), titles and notes wrapped at ``width``."""
    out: list[str] = []
    gap = "  "
    for table in view.tables:
        for group, rows in groups(table):
            cells = text_rows(table, rows)
            headers = [_fill(c.header, group) for c in table.columns]
            widths = [max([len(r[j]) for r in cells] + [len(token) for token in
                                                         _header_lines(h, 1)])
                      for j, h in enumerate(headers)]
            spare = width - sum(widths) - len(gap) * (len(widths) - 1)
            # Give headers a line of their own where room allows, the shortest first.
            for j in sorted(range(len(headers)), key=lambda j: len(headers[j]) - widths[j]):
                grow = len(headers[j]) - widths[j]
                if 0 < grow <= spare:
                    widths[j] += grow
                    spare -= grow
            for j, header in enumerate(headers):  # then fewer lines for the others
                grow = max(0, min(len(header) - widths[j], spare))  # spare < 0: too wide
                widths[j] += grow
                spare -= grow
            # still too wide: a text column at the end wraps its cells (a listing's descriptions)
            wrap_last = spare < 0 and table.columns[-1].style == "text"
            if wrap_last:
                widths[-1] = min(widths[-1], max(MIN_WRAPPED, widths[-1] + spare))
            wrapped = [_header_lines(h, w) for h, w in zip(headers, widths, strict=True)]
            height = max(len(w) for w in wrapped)
            right = [c.style != "text" for c in table.columns]

            def line(values: list[str], widths=widths, right=right) -> str:
                return gap.join(v.rjust(w) if r else v.ljust(w) for v, w, r in
                                zip(values, widths, right, strict=True)).rstrip()

            out += textwrap.wrap(_fill(table.title, group), width) + [""]
            for i in range(height):
                out.append(line([w[i - height + len(w)] if i >= height - len(w) else ""
                                 for w in wrapped]))
            out.append(gap.join("-" * w for w in widths))
            body = cells[:-1] if table.total is not None else cells
            for r in body:
                last = textwrap.wrap(r[-1], widths[-1]) if wrap_last else [r[-1]]
                out.append(line([*r[:-1], last[0] if last else ""]))
                out += [line([""] * (len(r) - 1) + [more]) for more in last[1:]]
            if table.total is not None:
                out += [gap.join("-" * w for w in widths), line(cells[-1])]
            out.append("")
            for note in table.notes:
                out += textwrap.wrap(note, width)
            out.append("")
    for sentence in view.lines:
        out += textwrap.wrap(sentence, width, break_on_hyphens=False, break_long_words=False)
    return "\n".join(out) + "\n"


def to_markdown(view: View) -> str:
    """Markdown: a pipe table per group, its notes, then the sentences."""
    lines = []
    for table in view.tables:
        for group, rows in groups(table):
            lines += [f"**{_fill(table.title, group)}**", "",
                      "| " + " | ".join(_fill(c.header, group) for c in table.columns) + " |",
                      "|" + "|".join("---" if c.style == "text" else "---:"
                                     for c in table.columns) + "|"]
            lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in r) + " |"
                      for r in text_rows(table, rows)]
            lines += ["", *table.notes, ""]
    return "\n".join(lines + view.lines) + "\n"


def to_csv(view: View) -> str:
    """The first table's rows as numbers, units in the column names (no totals)."""
    buffer = io.StringIO()
    view.tables[0].rows.to_csv(buffer, index=False)
    return buffer.getvalue()


def to_json(view: View) -> str:
    """Every table a reader sees, one per group as in the text (title, notes, columns, rows
    as numbers), and the sentences."""
    return json.dumps({
        "tables": [{"title": _fill(t.title, group), "notes": list(t.notes),
                    "columns": {_fill(c.header, group): list(c.fields) for c in t.columns},
                    "rows": json.loads(rows.to_json(orient="records", double_precision=15)),
                    **({"total": t.total} if t.total else {})}
                   for t in view.tables for group, rows in groups(t)],
        "lines": view.lines}, indent=1, ensure_ascii=False)


def render(view: View, fmt: str, width: int = 80) -> str:
    """The view as text in one of `FORMATS`."""
    if fmt == "table":
        return to_text(view, width)
    return {"csv": to_csv, "json": to_json, "markdown": to_markdown}[fmt](view)


# --- listings ---------------------------------------------------------------------------------

KINDS = ("scenarios", "keys", "missions", "allies", "editions")


def _first_sentence(text: str) -> str:
    """A description's first sentence, for a listing (the file holds the rest)."""
    words = " ".join(text.split())
    end = words.find(". ")
    return words if end < 0 else words[:end + 1]


def list_view(kind: str, folder: str = "scenarios") -> View:
    """What ``burden-sim list KIND`` shows: scenarios in a folder, funding keys (with NATO's
    cost-share tables), catalogue missions, allies or data editions."""
    from pathlib import Path

    from ..errors import BurdenSimError, OptionError
    from ..inputs.baseline import DATA_DIR, DEFAULT_EDITION

    if kind not in KINDS:
        raise BurdenSimError(f"list {kind}: not one of {', '.join(KINDS)}")
    if kind != "scenarios" and folder != "scenarios":
        raise OptionError("dir", folder, f"applies to list scenarios only, not list {kind}")
    text = Column("", "text", ())
    if kind == "scenarios":
        from ..inputs.loading import load_yaml_with_lines

        where = Path(folder)
        if not where.is_dir():
            raise OptionError("dir", folder, ("is a file" if where.exists() else "no such "
                              "folder") + " (list scenarios reads the YAML files of a folder, "
                              "by default ./scenarios)")
        records = []
        for path in sorted(where.glob("*.yaml")):
            try:  # read as a scenario is: no alias bomb or cycle, dates as written
                data, _ = load_yaml_with_lines(path)
            except BurdenSimError:
                data = None
            if not isinstance(data, dict) or "name" not in data:
                problem = ("cannot read it" if data is None else "not a scenario (no name)")
                description = f"{problem}: burden-sim validate {path} says why"
                if isinstance(data, dict) and set(data) == {"missions"}:
                    description = "a missions file: a scenario names it in its missions: field"
                records.append({"file": path.name, "name": "", "rule": "", "years": "",
                                "description": description})
                continue
            years = data.get("years") or {}
            records.append({"file": path.name, "name": data["name"],
                            "rule": (data.get("policy") or {}).get("rule", ""),
                            "years": f"{years.get('start', '')}-{years.get('end', '')}",
                            "description": _first_sentence(str(data.get("description", "")))})
        rows = pd.DataFrame(records, columns=["file", "name", "rule", "years", "description"])
        names = ("file", "rule", "years", "description")
        title = f"Scenarios in {folder}"
    elif kind == "keys":
        from ..model.keys import KEY_METHODS

        rows = pd.DataFrame({"key": list(KEY_METHODS), "method": list(KEY_METHODS.values())})
        names, title = ("key", "method"), "Funding keys (policy.key)"
        methods = Table(title, tuple(Column(n, text.style, (n,)) for n in names), rows)
        return View([methods, _cost_share_table()])
    elif kind == "missions":
        from ..engine.catalogue import load_catalogue

        missions = load_catalogue().missions.values()
        rows = pd.DataFrame({"mission": [m.id for m in missions],
                             "name": [m.name for m in missions],
                             "kind": [m.kind for m in missions],
                             "since": [m.since.isoformat() for m in missions],
                             "hosts": [", ".join(m.hosts) for m in missions]})
        names = ("mission", "name", "kind", "since", "hosts")
        title = "Catalogue missions (deployment.missions)"
    elif kind == "allies":
        from ..inputs.baseline import load_baseline

        base = load_baseline(DEFAULT_EDITION)
        rows = pd.DataFrame({"ally": base.allies, "name": base.names,
                             "joined": base.accession_year.astype(int)})
        names, title = ("ally", "name", "joined"), "Allies (ISO 3166-1 alpha-3 codes)"
    else:
        frame = pd.read_csv(DATA_DIR / "editions.csv", dtype=str)
        rows = frame[["edition", "title", "published", "first_year", "last_year"]]
        rows = rows.assign(default=np.where(rows["edition"] == DEFAULT_EDITION, "yes", ""))
        names = ("edition", "title", "published", "first_year", "last_year", "default")
        title = "Defence-expenditure editions (edition:)"
    columns = tuple(Column(n, text.style, (n,)) for n in names)
    return View([Table(title, columns, rows.reset_index(drop=True))])


def _cost_share_table() -> Table:
    """NATO's cost-share tables by period: the published shares and the rule for the rest."""
    from ..inputs.baseline import DEFAULT_EDITION, load_baseline

    base = load_baseline(DEFAULT_EDITION)
    shares = base.cost_shares
    records = []
    for period in shares.periods:
        live = (shares.start <= period.end) & (shares.end >= period.start)
        published = ", ".join(f"{base.allies[a]} {100 * v:.6g}"
                              for a, v in zip(shares.ally[live], shares.share[live], strict=True))
        records.append({"years": f"{period.start}-{period.end}", "rule": period.rule or "none",
                        "published": published or "none"})
    columns = tuple(Column(n, "text", (n,)) for n in ("years", "rule", "published"))
    return Table("The nato key: NATO's cost-share tables (published shares in %; the others by "
                 "the period's rule)", columns, pd.DataFrame(records),
                 ("Sources in nato_cost_shares.csv; every result says which share is published "
                  "and where it comes from (key_status, key_source).",))


def sobol_view(indices: pd.DataFrame, what: str, sweep) -> View:
    """Sobol first-order and total indices of ``what`` with their 95 % confidence intervals."""
    runs = sweep.samples * (len(sweep.parameters) + 2)
    rows = indices.reset_index().rename(columns={indices.index.name or "index": "parameter"})
    columns = (Column("parameter", "text", ("parameter",)), Column("S1", "ratio", ("S1",)),
               Column("± S1", "ratio", ("S1_conf",)), Column("ST", "ratio", ("ST",)),
               Column("± ST", "ratio", ("ST_conf",)))
    return View([Table(f"Sobol indices of {what}: {sweep.scenario.name}", columns,
                       rows[["parameter", "S1", "S1_conf", "ST", "ST_conf"]],
                       (f"{sweep.samples} base samples, {runs} model runs; 95 % confidence "
                        "intervals.",))])


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


def sweep_summary(sweep, output, written: list[int]) -> str:
    """What a finished sweep wrote."""
    chunks = f"{sweep.chunks} chunk{'s' if sweep.chunks != 1 else ''}"
    text = (f"wrote {output}: {sweep.samples} samples in {chunks} "
            f"({len(written)} this run), parameters "
            f"{', '.join(q.path for q in sweep.parameters)}")
    if sweep.scenario.samples:  # run's means over draws would not match the rows otherwise
        text += (f". The scenario's samples: {sweep.scenario.samples} is not used: each row "
                 "runs at the central unit costs (vary them with parameters:)")
    return text

