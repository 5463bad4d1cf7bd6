"""A self-contained HTML report: comparison tables, figures, assumptions and sources."""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import tempfile
from pathlib import Path

import pandas as pd
import xarray as xr

from .. import __version__
from ..api import compare, deployments, load_scenario
from ..explore.uncertainty import DRAWS
from ..inputs.baseline import Baseline, load_baseline
from ..inputs.paths import as_typed
from ..inputs.rules import terms
from . import plots, tables

SOURCE_ID = re.compile(r"\b(?:M_[A-Z]\d+|UC_[A-Z0-9_]+|S_[A-Z0-9_]+|NCS_[A-Z0-9_]+|ECB_[A-Z_]+|"
                       r"DOC\d{3}|"
                       r"HAGUE_[A-Z0-9_]+|SHAPE_[A-Z_]+|WB_[A-Z0-9_.-]+|S\d+[a-z]?|"
                       r"S\d\d_[a-z0-9_]+)\b")
BASELINE_SOURCES = ("S0", "S1a", "S8", "WB_WDI_DATA360", "WB_WDI_POP_2025-10-07",
                    "ECB_EXR_DAILY", "S_NATO_FUNDING", "NCS_CNS_2017", "NCS_DN_2018",
                    "NCS_OSTERMANN_2020", "NCS_LATRIBUNE_2023", "NCS_CZ_MOD_2020", "NCS_TV3_2025")
ASSUMPTIONS = (
    "Costs are incremental: what a nation spends because its forces deploy, not the cost of "
    "owning them. The central unit costs are fitted to 27 published national mission costs "
    "of 10 allies (docs/calibration.md) and are not inflation-adjusted; a deploying ally's "
    "personnel and air-policing costs scale with its GDP per capita (the national cost level, "
    "methodology.md section 2).",
    "A common fund repays a fraction of eligible costs to the allies that incur them and is "
    "financed by a funding key; money is moved between allies, never made.",
    "The default key is NATO's own cost shares of the table in force each year: the published "
    "value where one was found (80 values, 2016-2026), the period's rule for the others (GNI "
    "shares with GDP standing in for GNI; from 2021 the United States held at Germany's).",
    "Defence spending after the policy depends on the accounting switch: a reimbursement "
    "either lowers the deployer's reported spending or frees budget for other defence.",
    "Battlegroup contingents whose size is not published take the rest of NATO's published "
    "group strength (28 June 2022) or, failing that, are not costed.",
    "GDP is the World Bank's (current US dollars); defence shares of GDP are NATO's (the "
    "scenario's edition). Projections past 2024 are stated paths, not forecasts.",
)
CHECK_SCRIPT = """
window.addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images);
  var loaded = images.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute('data-images', String(images.length));
  document.body.setAttribute('data-images-loaded', String(loaded.length));
});
"""
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
caption { caption-side: bottom; font-size: 0.85em; color: #555; text-align: left; }
img { max-width: 100%; display: block; margin: 1em 0; }
.more { color: #b03030; } .less { color: #2f5f9f; }
table.scenarios td:nth-child(2) { text-align: left; }
td { white-space: nowrap; }
table.scenarios td:nth-child(2), table.sources td { white-space: normal; }
table.scenarios th:nth-child(2) { text-align: left; }
table.sources { table-layout: fixed; width: 100%; }
table.sources td, table.sources th { text-align: left; overflow-wrap: anywhere; }
table.sources th:nth-child(1) { width: 11em; } table.sources th:nth-child(4) { width: 7em; }
p.note { font-size: 0.85em; color: #555; }
"""


def build(paths: list[Path], settings: dict | None = None) -> str:
    """The report's HTML for scenario files, the first being the reference; ``settings``
    change every scenario (dotted path -> value, as ``--set``)."""
    ds = compare(*paths, set=settings, draws=DRAWS)
    scenarios = [load_scenario(p, set=settings) for p in paths]
    names = [str(n) for n in ds.scenario.values]
    view = tables.compare_view(ds)
    changed = ("" if not settings else " Changed from the files: " + html.escape(
        ", ".join(f"{k} = {as_typed(v)}" for k, v in settings.items())) + ".")
    parts = [f"<h1>burden-sim: {html.escape(' vs '.join(names))}</h1>",
             f"<p>Generated {dt.date.today().isoformat()} by burden-sim {__version__}. "
             f"Years {int(ds.year[0])}-{int(ds.year[-1])}. Money in US dollars at current "
             f"prices. The first scenario is the reference.{changed}</p>",
             "<h2>Summary</h2>", summary(ds),
             "<h2>Scenarios</h2>", _scenario_table(ds, scenarios),
             "<h2>Who pays more, who pays less</h2>", *_html_tables(view.tables[0]),
             "<h2>Figures</h2>", *_figures(ds, scenarios),
             "<h2>Assumptions</h2><ul>", *(f"<li>{html.escape(a)}</li>" for a in ASSUMPTIONS),
             "</ul><p>The equations and every assumption: docs/methodology.md; the data and "
             "their editions: docs/data.md (in the burden-sim repository).</p>",
             "<h2>Sources</h2>",
             _sources_table(paths, load_baseline(str(ds["edition_by_scenario"].values[0])))]
    body = "\n".join(parts)
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>burden-sim report</title><style>{STYLE}</style>"
            f"<script>{CHECK_SCRIPT}</script></head><body>\n{body}\n</body></html>\n")


def summary(ds: xr.Dataset) -> str:
    """The opening paragraph: under each scenario, how many allies pay more and less, the
    fund's size, and the largest extra bills and savings, each with its 90 % band."""
    names = [str(n) for n in ds.scenario.values]
    edition = str(ds["edition_by_scenario"].values[0])
    full = dict(zip(*(load_baseline(edition).allies, load_baseline(edition).names),
                    strict=True))
    view = tables.compare_view(ds).tables[0].rows
    sentences = []
    for k, name in enumerate(names[1:], start=1):
        rows = view[view["scenario"] == name].sort_values("net_change_usd_m", ascending=False,
                                                          kind="stable")
        less, more = tables.counts(ds, k)
        moved = float(ds["reimbursed"].isel(scenario=k).sum()) / 1e6
        low, high = tables.band_total(ds, "reimbursed_draws", k)

        def who(part: pd.DataFrame) -> str:
            return "; ".join(
                f"{html.escape(full.get(r.ally, r.ally))} {r.net_change_usd_m:+,.1f} "
                f"({r.net_change_p05_usd_m:+,.1f} to {r.net_change_p95_usd_m:+,.1f})"
                for r in part.itertuples())

        noise = tables.NOISE_USD / 1e6
        payers = rows[rows["net_change_usd_m"] > noise].head(3)
        savers = rows[rows["net_change_usd_m"] < -noise].iloc[::-1].head(3)
        sentences.append(
            f"<p>Under <b>{html.escape(name)}</b>, {more} allies pay more and {less} pay less "
            f"than under {html.escape(names[0])} over {tables.span(ds)}; the fund moves USD "
            f"{moved:,.1f} million (90 % band {low:,.1f} to {high:,.1f}). "
            + (f"The largest extra bills, USD million: {who(payers)}. " if len(payers) else "")
            + (f"The largest savings: {who(savers)}." if len(savers) else "") + "</p>")
    return ("\n".join(sentences) + "<p class='note'>Bands in brackets: "
            + html.escape(tables.band_note(ds)) + ".</p>")


def _scenario_table(ds: xr.Dataset, scenarios: list) -> str:
    table = tables.scenario_table(ds)
    described = {s.name: terms(s.policy, s.year_list).describe() for s in scenarios}
    header = [c.header for c in table.columns]
    cells = tables.text_rows(table, table.rows)
    rows = [[r[0], described[r[0]], *r[1:]] for r in cells]
    return _table([header[0], "policy", *header[1:]], rows, " ".join(table.notes),
                  css="scenarios")


def _html_tables(table: tables.Table) -> list[str]:
    """One HTML table per group of a `tables.Table`; changes coloured (red: pays more)."""
    out = []
    signed = [j for j, c in enumerate(table.columns) if c.style == "signed"]
    for group, rows in tables.groups(table):
        cells = tables.text_rows(table, rows)
        body = []
        for r in cells:
            r = [html.escape(v) for v in r]
            for j in signed:
                css = "more" if r[j].startswith("+") else "less"
                r[j] = f"<span class='{css}'>{r[j]}</span>"
            body.append(r)
        out.append(f"<h3>{html.escape(tables._fill(table.title, group))}</h3>")
        out.append(_table([tables._fill(c.header, group) for c in table.columns], body,
                          " ".join(table.notes), escape=False))
    return out


def _figures(ds: xr.Dataset, scenarios: list) -> list[str]:
    names = [str(n) for n in ds.scenario.values]
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        for n in names[1:]:
            figure = Path(folder) / f"change-{n}.png"
            plots.change_bars(ds, figure, n)
            figures.append(_img(figure, f"Change in net cost: {n} against {names[0]}"))
        for k, n in enumerate(names):
            one = ds.sel(scenario=n)
            one.attrs |= {"scenario": n, "edition": str(one["edition_by_scenario"].values),
                          "accounting": str(one["accounting_by_scenario"].values)}
            figure = Path(folder) / f"spending-{k}.png"
            plots.spending_scatter(one, figure)
            figures.append(_img(figure, f"Defence spending against GDP after {n}"))
        edition = str(ds["edition_by_scenario"].values[0])
        plots.timeline(scenarios[0], edition, Path(folder) / "timeline.png",
                       deployments(scenarios[0], load_baseline(edition)))
        figures.append(_img(Path(folder) / "timeline.png", "Deployments by ally and mission"))
    return figures


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return (f"<figure><img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{html.escape(alt)}</figcaption></figure>")


def _sources_table(paths: list[Path], baseline: Baseline) -> str:
    text = " ".join(_scenario_text(p) for p in paths)
    unit_costs = {s for cost in baseline.unit_costs.values() for s in str(cost.source).split(";")}
    cited = set(SOURCE_ID.findall(text)) | set(BASELINE_SOURCES) | unit_costs
    rows = []
    for sid in sorted(cited & set(baseline.sources)):
        r = baseline.sources[sid]
        title = html.escape(r.title)
        url = r.url
        if url.startswith(("http://", "https://")):
            title = f"<a href='{html.escape(url, quote=True)}'>{title}</a>"
        else:  # a project note or a local copy: named, never a path on someone's disk
            title += " (project research notes, not published)"
        rows.append([html.escape(sid), title, html.escape(r.publisher), html.escape(r.date)])
    return _table(["id", "source", "publisher", "date"], rows,
                  f"{len(rows)} source records cited by these scenarios and the baseline "
                  "(src/burden_sim/data/sources.csv in the burden-sim repository).",
                  escape=False, css="sources")


def _scenario_text(path: Path) -> str:
    text = path.read_text()
    match = re.search(r"^missions:\s*(\S+\.ya?ml)\s*$", text, re.MULTILINE)
    if match:
        text += (path.parent / match.group(1)).read_text()
    return text


def _table(header: list[str], rows: list[list[str]], caption: str, escape: bool = True,
           css: str = "") -> str:
    def cell(value: str) -> str:
        return html.escape(value) if escape else value

    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
                   for row in rows)
    return (f"<table class='{css}'><caption>{html.escape(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
