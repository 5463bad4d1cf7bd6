"""docs/answer.md quotes the shipped scenarios' figures: they must still be what they say."""

import re
from pathlib import Path

import pytest

import burden_sim

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| ([A-Z]{3}) \| ([\d,.]+) \| ([+-][\d,.]+) \| ([+-][\d.]+) \|$")


@pytest.fixture(scope="module")
def comparison():
    return burden_sim.compare(ROOT / "scenarios" / "deploying_nation_pays.yaml",
                              ROOT / "scenarios" / "common_fund.yaml")


def test_the_answer_table_matches_the_scenarios(comparison):
    rows = [ROW.match(line) for line in (ROOT / "docs" / "answer.md").read_text().splitlines()]
    rows = [r for r in rows if r]
    assert len(rows) == 32
    today = comparison["net"].sel(scenario="deploying_nation_pays").sum("year") / 1e6
    change = comparison["net_change"].sel(scenario="common_fund").sum("year") / 1e6
    gdp = comparison["gdp"].where(comparison["member"]).sum("year").isel(scenario=0) / 1e6
    for row in rows:
        ally = row.group(1)
        assert float(row.group(2).replace(",", "")) == pytest.approx(
            float(today.sel(ally=ally)), abs=0.051), ally
        assert float(row.group(3).replace(",", "")) == pytest.approx(
            float(change.sel(ally=ally)), abs=0.051), ally
        assert float(row.group(4)) == pytest.approx(
            float(100 * change.sel(ally=ally) / gdp.sel(ally=ally)), abs=0.00006), ally


def test_the_answer_prose_figures(comparison):
    text = (ROOT / "docs" / "answer.md").read_text()
    fund = comparison.sel(scenario="common_fund")
    assert f"USD {float(fund['reimbursed'].sum()) / 1e6:,.1f} million" in text
    change = comparison["net_change"].sel(scenario="common_fund").sum("year")
    assert f"{int((change < 0).sum())} allies pay less, {int((change > 0).sum())} pay more" in text
    assert int(fund["allies_at_2pct"].sel(year=2024)) == 21


def test_the_proposal_figures():
    text = (ROOT / "docs" / "answer.md").read_text()
    proposal = burden_sim.simulate(ROOT / "scenarios" / "proposal_2021.yaml")
    repaid = float(proposal["reimbursed"].sum()) / 1e6
    assert f"**USD {repaid:,.1f} million** over 2022-2024" in text


def test_the_engine_figures_quoted():
    text = (ROOT / "docs" / "answer.md").read_text()
    history = burden_sim.simulate(ROOT / "scenarios" / "engine_history.yaml")
    assert f"USD {float(history['gross'].sum()) / 1e6:,.1f} million" in text
    quo = burden_sim.simulate(ROOT / "scenarios" / "engine_open_status_quo.yaml")
    fund = burden_sim.simulate(ROOT / "scenarios" / "engine_open_common_fund.yaml")
    small = (fund["key_share"].mean("year") < 0.01).values
    assert f"the {int(small.sum())} allies with key shares below 1 %" in text
    for ds, quoted in ((fund, "34.1 %"), (quo, "24.0 %")):
        share = 100 * float(ds["deployments"][small].sum() / ds["deployments"].sum())
        assert f"{share:.1f} %" == quoted and f"**{quoted}**" in text
    assert f"the {int(fund['deployments'].sum())} deployments" in text
