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
from ..api import compare, deployments, load
from ..inputs.baseline import DATA_DIR, load_baseline
from ..inputs.rules import terms
from . import plots, tables

SOURCE_ID = re.compile(r"\b(?:M_[A-Z]\d+|UC_[A-Z0-9_]+|S_[A-Z0-9_]+|ECB_[A-Z_]+|DOC\d{3}|"
                       r"HAGUE_[A-Z0-9_]+|SHAPE_[A-Z_]+|WB_[A-Z0-9_.-]+|S\d+[a-z]?|"
                       r"S\d\d_[a-z0-9_]+)\b")
BASELINE_SOURCES = ("S0", "S1a", "S8", "WB_WDI_DATA360", "WB_WDI_POP_2025-10-07",
                    "ECB_EXR_DAILY", "S_DPA_NB", "S_NATO_FUNDING")
ASSUMPTIONS = (
    "Costs are incremental: what a nation spends because its forces deploy, not the cost of "
    "owning them. Unit costs come from a few national figures and are not inflation-adjusted.",
    "A common fund repays a fraction of eligible costs to the allies that incur them and is "
    "financed by a funding key; money is moved between allies, never made.",
    "NATO's published cost-share tables could not be retrieved: the default key is derived "
    "from GDP shares with the United States held at Germany's share (2021-2024 rule).",
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
"""


def build(paths: list[Path]) -> str:
    """The report's HTML for scenario files, the first being the reference."""
    ds = compare(*paths)
    scenarios = [load(p)[0] for p in paths]
    names = [str(n) for n in ds.scenario.values]
    parts = [f"<h1>burden-sim: {html.escape(' vs '.join(names))}</h1>",
             f"<p>Generated {dt.date.today().isoformat()} by burden-sim {__version__}. "
             f"Years {int(ds.year[0])}-{int(ds.year[-1])}. Money in US dollars at current "
             "prices. The first scenario is the reference.</p>",
             "<h2>Scenarios</h2>", _scenario_table(ds, scenarios),
             "<h2>Who pays more, who pays less</h2>", _ally_table(ds),
             "<h2>Figures</h2>", *_figures(ds, scenarios),
             "<h2>Assumptions</h2><ul>", *(f"<li>{html.escape(a)}</li>" for a in ASSUMPTIONS),
             "</ul><p>The equations and every assumption: docs/methodology.md; the data and "
             "their editions: docs/data.md (in the burden-sim repository).</p>",
             "<h2>Sources</h2>", _sources_table(paths)]
    body = "\n".join(parts)
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>burden-sim report</title><style>{STYLE}</style>"
            f"<script>{CHECK_SCRIPT}</script></head><body>\n{body}\n</body></html>\n")


def _scenario_table(ds: xr.Dataset, scenarios: list) -> str:
    last = int(ds.year[-1])
    summary = tables.by_scenario(ds)
    rows = []
    for scenario in scenarios:
        row = summary.loc[scenario.name]
        rows.append([scenario.name, terms(scenario.policy, scenario.year_list).describe(),
                     f"{row['repaid']:,.1f}", f"{row['gini']:.3f}", str(int(row["at_2pct"])),
                     str(int(row["at_3_5pct"]))])
    return _table(["scenario", "policy", "repaid by the fund, USD m", "Gini of net % GDP",
                   f"allies at 2 % in {last}", f"allies at 3.5 % in {last}"], rows,
                  "Allies at or above the guidelines after each policy (members with "
                  "defence figures).", css="scenarios")


def _ally_table(ds: xr.Dataset) -> str:
    names = [str(n) for n in ds.scenario.values]
    frame = tables.changes(ds, order_by=-1)
    header = ["ally", f"net, {names[0]} (USD m)"]
    for n in names[1:]:
        header += [f"change, {n} (USD m)", "change (% of GDP)"]
    rows = []
    for ally, values in frame.iterrows():
        row = [str(ally), f"{values['net']:,.1f}"]
        for n in names[1:]:
            delta = values[f"change {n}"]
            css = "more" if delta > 0 else "less"
            row += [f"<span class='{css}'>{delta:+,.1f}</span>",
                    f"{values[f'change % GDP {n}']:+.4f}"]
        rows.append(row)
    return _table(header, rows, "Net cost summed over the years; change against the first "
                  "scenario (positive: pays more); % of GDP over the years of membership.",
                  escape=False)


def _figures(ds: xr.Dataset, scenarios: list) -> list[str]:
    names = [str(n) for n in ds.scenario.values]
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        for n in names[1:]:
            figure = Path(folder) / f"change-{n}.png"
            plots.change_bars(ds, figure, n)
            figures.append(_img(figure, f"Change in net cost: {n} against {names[0]}"))
        last = ds.sel(scenario=names[-1])
        last.attrs |= {"scenario": names[-1], "edition": str(last["edition_by_scenario"].values),
                       "accounting": str(last["accounting_by_scenario"].values)}
        plots.spending_scatter(last, Path(folder) / "spending.png")
        figures.append(_img(Path(folder) / "spending.png",
                            f"Defence spending against GDP after {names[-1]}"))
        edition = str(ds["edition_by_scenario"].values[0])
        plots.timeline(scenarios[0], edition, Path(folder) / "timeline.png",
                       deployments(scenarios[0], load_baseline(edition)))
        figures.append(_img(Path(folder) / "timeline.png", "Deployments by ally and mission"))
    return figures


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return (f"<figure><img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{html.escape(alt)}</figcaption></figure>")


def _sources_table(paths: list[Path]) -> str:
    text = " ".join(_scenario_text(p) for p in paths)
    unit_costs = pd.read_csv(DATA_DIR / "unit_costs.csv")["source_id"].str.split(";").explode()
    cited = set(SOURCE_ID.findall(text)) | set(BASELINE_SOURCES) | set(unit_costs)
    sources = pd.read_csv(DATA_DIR / "sources.csv").set_index("source_id")
    used = sources.loc[sorted(cited & set(sources.index))]
    rows = [[sid, html.escape(str(r.title)), html.escape(str(r.publisher)),
             html.escape(str(r.date)), html.escape(str(r.url))] for sid, r in used.iterrows()]
    return _table(["id", "title", "publisher", "date", "address"], rows,
                  f"{len(rows)} source records cited by these scenarios and the baseline "
                  "(src/burden_sim/data/sources.csv).", escape=False)


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
