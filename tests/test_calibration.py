"""The calibration of the unit costs (issue 12, point 2): the page is current, the shipped
central values are the fit, the held-out numbers are what the docs say, and bad points get one
line."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from burden_sim import api
from burden_sim.cli import app
from burden_sim.inputs.baseline import DATA_DIR, load_baseline
from burden_sim.inputs.calibration import load_points
from burden_sim.model.calibration import FITTED, fit, holdout, weights
from burden_sim.present.calibration import BEFORE, FIGURE, markdown

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "calibration.md"
POINTS = DATA_DIR / "calibration_points.csv"


@pytest.fixture(scope="module")
def result():
    return api.calibrate()


def test_the_page_is_current(result):
    """Regenerate docs/calibration.md (`burden-sim calibrate`) and compare."""
    assert markdown(result) == PAGE.read_text(encoding="utf-8")
    assert f"]({FIGURE})" in PAGE.read_text() and (PAGE.parent / FIGURE).stat().st_size > 10_000


def test_the_held_out_numbers_are_what_the_docs_say(result):
    median = result.held_out_median
    page = PAGE.read_text()
    methodology = " ".join((ROOT / "docs" / "methodology.md").read_text().split())
    assert f"Median held-out ratio: **{median:.2f}**" in page
    assert f"the median held-out ratio is {median:.2f}" in methodology
    shipped = np.median(result.final.ratios[result.usable])
    assert f"median ratio over the usable points is {shipped:.2f}" in methodology
    loo = np.nanmedian(result.leave_one_out[result.usable])
    assert f"the leave-one-out median is {loo:.2f}" in methodology
    assert ("The goal is **not met**" in page) == (not result.goal_met)
    assert ("is **not met**" in methodology) == (not result.goal_met)
    held = result.validation.ratios[result.held_out]
    outside = int(((held < 0.5) | (held > 2)).sum())
    assert f"{['no', 'one', 'two', 'three'][outside]} held-out air-policing points" in methodology
    assert result.validation.converged and result.final.converged


def test_the_shipped_central_values_are_the_fit(result):
    costs = load_baseline().unit_costs
    for name in FITTED:
        fitted = result.final.prices[result.points.categories.index(name)]
        cost = costs[name]
        assert cost.central == round(fitted), name
        assert cost.low <= cost.central <= cost.high, name
        assert "UC_CALIBRATION" in cost.source, name
        assert cost.central != BEFORE[name]
    assert costs["person_day"].central == round(costs["person_year"].central / 365, 2)
    assert costs["person_day"].high == round(costs["person_year"].high / 365, 2)


def test_the_held_out_points_follow_the_stated_rule(result):
    table = pd.read_csv(POINTS, keep_default_na=False)
    assert (table["use"] == "holdout").tolist() == result.held_out.tolist()
    usable = table["use"] != "excluded"
    for kind, group in table[usable].groupby("kind"):
        assert (group["use"] == "holdout").sum() == round(len(group) / 3), kind
    assert 0.3 <= result.held_out.sum() / usable.sum() <= 0.4


def test_a_point_checked_by_hand():
    """CZE_BAP_2012: CZK 45 m / 25.149 CZK per EUR (2012) = EUR 1.789 m for 16 aircraft-months;
    the old central aircraft-month (EUR 111,834) was built from it, so it reproduces it."""
    points = load_points()
    i = points.table.index[points.table["id"] == "CZE_BAP_2012"][0]
    assert points.published_eur[i] == pytest.approx(45e6 / 25.149)
    j = points.categories.index("aircraft_month")
    assert points.activity[i, j] == 16
    assert 16 * BEFORE["aircraft_month"] / points.published_eur[i] == pytest.approx(1, abs=1e-5)
    k = points.table.index[points.table["id"] == "CZE_ISL_2014"][0]
    assert points.published_eur[k] == pytest.approx(33e6 * 45 / 59 / 27.536, rel=1e-5)


def test_the_fit_recovers_known_prices_and_respects_bounds():
    rng = np.random.default_rng(3)
    activity = rng.uniform(0, 50, size=(12, 3))
    truth = np.array([90_000.0, 2_000.0, 150_000.0])
    published = activity @ truth
    used = np.ones(12, dtype=bool)
    low, high = np.array([1e4, 1e3, 5e4]), np.array([5e5, 5e3, 5e5])
    got = fit(activity, published, used, np.ones(12), truth * 0, np.arange(3), low, high)
    np.testing.assert_allclose(got.prices, truth, rtol=1e-6)
    np.testing.assert_allclose(got.ratios, 1, rtol=1e-6)
    capped = fit(activity, published, used, np.ones(12), truth * 0, np.arange(3), low,
                 np.array([5e5, 5e3, 1e5]))
    assert capped.prices[2] == pytest.approx(1e5)


def test_each_ally_and_kind_counts_once():
    allies = np.array(["POL", "POL", "CZE", "CZE", "NLD"])
    kinds = np.array(["air", "air", "air", "land", "air"])
    used = np.array([True, True, True, True, False])
    np.testing.assert_allclose(weights(allies, kinds, used), [0.5, 0.5, 1, 1, 0])


def test_the_split_rule_is_deterministic():
    ids = np.array([f"p{i}" for i in range(9)])
    kinds = np.array(["air"] * 3 + ["land"] * 6)
    usable = np.ones(9, dtype=bool)
    first = holdout(ids, kinds, usable)
    assert first.tolist() == holdout(ids[::-1], kinds[::-1], usable)[::-1].tolist()
    assert first[:3].sum() == 1 and first[3:].sum() == 2


@pytest.mark.parametrize(("old", "new", "field"), [
    (",UC_CZ_BAP_2012,yes,fit,", ",,yes,fit,", "source_id: empty"),
    (",UC_CZ_BAP_2012,yes,fit,", ",UC_NO_SUCH_SOURCE,yes,fit,", "source_id: UC_NO_SUCH"),
    ("0,0,16,0,0,45000000,CZK,2012", "0,0,0,0,0,45000000,CZK,2012",
     "person_years/person_moves/aircraft_months/ship_days/host_support_eur: no unit"),
    ("0,0,16,0,0,45000000,CZK,2012", "0,0,16,0,0,45000000,NOK,2012", "currency: no NOK"),
    ("0,0,16,0,0,45000000,CZK,2012", "0,0,sixteen,0,0,45000000,CZK,2012", "aircraft_months"),
])
def test_a_bad_point_gets_one_line(tmp_path, old, new, field):
    text = POINTS.read_text()
    assert old in text
    bad = tmp_path / "calibration_points.csv"
    bad.write_text(text.replace(old, new, 1))
    page = tmp_path / "page.md"
    result = CliRunner().invoke(app, ["calibrate", "--points", str(bad), "--output", str(page)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("error: calibration_points.csv, row 2: ") and field in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calibration_points.csv"]
