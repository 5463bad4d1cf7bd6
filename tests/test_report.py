"""The HTML report: self-contained, and rendered by a real browser."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import burden_sim
from burden_sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [ROOT / "scenarios" / f"{n}.yaml"
             for n in ("deploying_nation_pays", "common_fund", "fund_enablers_only")]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    sys_argv = sys.argv
    sys.argv = ["burden-sim", "report", *map(str, SCENARIOS), "--output", str(out)]
    try:
        with pytest.raises(SystemExit) as done:
            main()
        assert done.value.code == 0
    finally:
        sys.argv = sys_argv
    return out


def test_report_is_self_contained(report):
    page = report.read_text()
    assert page.count("<table") == 4  # scenarios, allies under each of two funds, sources
    sources = re.findall(r"src=['\"]([^'\"]+)", page)
    # two change figures, a spending figure for each of the three scenarios, the timeline
    assert len(sources) == 6 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "<link" not in page and "@import" not in page  # nothing fetched from the network
    for needle in ("common_fund", "fund_enablers_only", "Assumptions", "UC_CZ_EFP_2018",
                   "Defence Expenditure of NATO Countries", "CZE"):
        assert needle in page, needle


def test_report_renders_in_headless_chromium(report, tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI: .ci/run installs Debian's chromium")
        pytest.skip("no Chromium here (install Debian's chromium package to run this test)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000"]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", report.as_uri()], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    body = re.search(r"<body[^>]*>", dom).group(0)
    assert 'data-images="6"' in body and 'data-images-loaded="6"' in body
    assert dom.count("<tr>") > 40  # the tables were parsed into rows
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, *flags, "--window-size=1200,1600", f"--screenshot={shot}",
                    report.as_uri()], capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_report_opens_with_a_summary_and_sorts_as_compare_does(report):
    import burden_sim
    from burden_sim.present import tables

    page = report.read_text()
    cmp = burden_sim.compare(*SCENARIOS, draws=1000)
    summary = page[page.index("<h2>Summary</h2>"):page.index("<h2>Scenarios</h2>")]
    for k, name in ((1, "common_fund"), (2, "fund_enablers_only")):
        less, more = tables.counts(cmp, k)
        moved = float(cmp["reimbursed"].isel(scenario=k).sum()) / 1e6
        low, high = tables.band_total(cmp, "reimbursed_draws", k)
        assert (f"Under <b>{name}</b>, {more} allies pay more and {less} pay less than under "
                f"deploying_nation_pays over 2017-2024; the fund moves USD {moved:,.1f} million "
                f"(90 % band {low:,.1f} to {high:,.1f})") in summary
    assert "unit-cost uncertainty only" in summary
    # The allies' tables list them in compare's order (the change under common_fund).
    order = [str(a) for a in cmp.ally.values[tables.order(cmp)]]
    for table in re.findall(r"<h3>.*?</table>", page, re.S):
        assert re.findall(r"<tr><td>([A-Z]{3})</td>", table) == order


def test_report_sources_are_linked_and_name_no_local_file(report):
    page = report.read_text()
    sources = page[page.index("<h2>Sources</h2>"):]
    rows = re.findall(r"<tr><td>[^<]+</td><td>(.*?)</td>", sources)
    assert len(rows) > 50 and sum("<a href='http" in r for r in rows) >= len(rows) - 3
    assert "/work/" not in page and "/home/" not in page and "file://" not in page


def test_a_report_of_sampled_scenarios(tmp_path):
    """samples: in a comparison: the spending scatter averaged every variable over the
    samples, text ones too, and the report was a traceback (a second bug hunt)."""
    from burden_sim.present import plots

    both = burden_sim.compare(ROOT / "scenarios" / "deploying_nation_pays.yaml",
                              ROOT / "scenarios" / "common_fund.yaml", set={"samples": 3})
    figure = plots.spending_scatter(both.isel(scenario=1), tmp_path / "s.png")
    points = figure.axes[0].collections[0].get_offsets()
    mean = both.isel(scenario=1).sel(year=2024)["defence_pct_gdp_after"].mean("sample")
    assert sorted(points[:, 1]) == pytest.approx(sorted(mean.dropna("ally").values))
