"""The deployment engine's unit costs (issue 12, points 2 and 5): docs/engine_costs.md is
current, the shipped central values are the medians of their sourced figures or the fit, a
fighter detachment's people are priced within its flight hours, and the costed rotations count
what the engine's schedule counts."""

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from burden_sim import api
from burden_sim.engine.catalogue import CATEGORIES, load_catalogue, load_costed
from burden_sim.engine.costed import rotation_activity
from burden_sim.inputs.baseline import DATA_DIR, load_baseline
from burden_sim.model.calculator import Calculator
from burden_sim.model.calibration import calibrate
from burden_sim.model.engine_fit import BEFORE, SOURCED, median_of_sources
from burden_sim.present.engine_costs import engine_costs, markdown

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "engine_costs.md"


@pytest.fixture(scope="module")
def fit():
    return engine_costs()


def test_the_page_is_current(fit):
    """Regenerate docs/engine_costs.md (`python -m burden_sim.present.engine_costs`)."""
    assert markdown(fit) == PAGE.read_text(encoding="utf-8")


def test_the_shipped_scale_is_the_fit(fit):
    assert load_catalogue().flight_hour_scale == round(fit.scale, 3)
    # the fit's weighted log ratios average to zero: engine and published agree on average
    t = fit.table[fit.table["kind"] == "air"]
    w = 1 / t.groupby("ally")["ally"].transform("size")
    ratio = fit.scale * t["after"] / load_catalogue().flight_hour_scale / t["published"]
    assert float((w * np.log(ratio)).sum()) == pytest.approx(0, abs=1e-9)


def test_central_values_are_medians_never_the_minimum(fit):
    costs = load_baseline().unit_costs
    sources = set(pd.read_csv(DATA_DIR / "sources.csv")["source_id"])
    for category, figures in SOURCED.items():
        cost, values = costs[category], [v for v, _ in figures]
        assert (cost.low, cost.high) == (min(values), max(values)), category
        cited = set(cost.source.split(";"))
        for _, source in figures:
            assert set(source.split(";")) <= cited & sources, category
        if category == "ship_day_frigate":
            continue  # fitted: test_the_shipped_frigate_is_the_fit
        assert cost.central == median_of_sources(category), category
        if len(set(values)) > 1:
            assert cost.low < cost.central < cost.high, category
    moved = [c for c in SOURCED if costs[c].central != BEFORE[c]]
    assert moved == ["flight_hour_f16", "flight_hour_f15", "flight_hour_rafale",
                     "flight_hour_f35", "flight_hour_mig29", "ship_day_mcm", "ship_day_frigate"]


def test_the_shipped_frigate_is_the_joint_fit(fit):
    """The frigate ship-day is fitted with the calibration's categories; the calibration's own
    fit at the shipped frigate value is then the same fit (tests/test_calibration.py checks
    its shipped values), and Canada's FY2015-16 point, the one with ship-days, is matched."""
    cost = load_baseline().unit_costs["ship_day_frigate"]
    assert cost.central == round(fit.frigate)
    assert cost.low < cost.central < cost.high
    assert {"UC_CALIBRATION", "CAL_CA_DPR_2015_16"} <= set(
        cost.source.split(";"))
    # the joint fit is made without the national cost level (present/engine_costs.py); with
    # it, the calibration at this frigate charges the Canadian point more (Canada's level is
    # about 1.08), and a joint fit with the level would put the frigate at its lowest figure
    shipped = api.calibrate()
    points = shipped.points
    costs = load_baseline().unit_costs
    central, low, high = (np.array([getattr(costs[c], f) for c in points.categories])
                          for f in ("central", "low", "high"))
    flat = calibrate(points, central, low, high)
    can = list(points.table["id"]).index("CAN_REASSURANCE_FY2015_16")
    assert flat.final.ratios[can] == pytest.approx(1, abs=1e-4)
    assert 1.1 < shipped.final.ratios[can] < 1.2
    # the engine counts the Land Task Force's days in transit as well, at the person-day fitted
    # with the level (1.12 here; this table does not apply Canada's level)
    engine = fit.table.set_index("id").loc["CAN_REASSURANCE_FY2015_16"]
    assert 1 < engine.after / engine.published < 1.2


def test_a_rotation_checked_by_hand(fit):
    """CZE_BAP_2012: 4 Gripen x 0.77 h x 125 days = 385 h at USD 4,700 / 1.2848 USD per EUR
    (2012), times the charged share; before, at the full hours, also 64 people x (125 + 2 x 2
    days) at the person-day and 64 moves."""
    costs = load_baseline().unit_costs
    people = 64 * 129 * costs["person_day"].central + 64 * costs["person_move"].central
    row = fit.table.set_index("id").loc["CZE_BAP_2012"]
    hours = 4 * 0.77 * 125
    assert row.published == pytest.approx(45e6 / 25.149)
    assert row.before == pytest.approx(hours * 4700 / 1.2848 + people)
    assert row.after == pytest.approx(load_catalogue().flight_hour_scale * hours * 4700 / 1.2848)
    # the people alone, at the battlegroup person-day, cost more than the whole rotation did
    assert row.published < people


def test_costed_rotations_count_what_the_schedule_counts():
    """Hungary's Gripens of rotation 50 (2 May - 3 Sep 2019, M_B16) through the costed-rotation
    path give the flight hours engine_history's schedule counts for Hungary in 2019."""
    model = Calculator.build(*api.load(ROOT / "scenarios" / "engine_history.yaml"))
    tensor = model.schedule.activity
    row = pd.DataFrame([{"point": "x", "mission": "baltic_air_policing", "ally": "HUN",
                         "aircraft_type": "JAS-39C Gripen", "aircraft": 4, "personnel": 80,
                         "ships": 0, "start": date(2019, 5, 2), "end": date(2019, 9, 3)}])
    _, activity = rotation_activity(row)
    g = CATEGORIES.index("flight_hour_gripen")
    assert activity[0, g] == pytest.approx(
        float(tensor.sel(ally="HUN", mission="baltic_air_policing", year=2019,
                         category="flight_hour_gripen")))
    assert activity[0, g] == pytest.approx(4 * 0.77 * load_catalogue().flight_hour_scale * 124)
    # a fighter detachment's people count no person-days or moves; a battlegroup's do
    people = tensor.sel(category=["person_day", "person_move"])
    air = [m for m in model.missions if "air_policing" in m]
    assert float(people.sel(mission=air).sum()) == 0
    assert float(people.sel(mission="efp_latvia").sum()) > 0
    assert activity[0, [CATEGORIES.index("person_day"), CATEGORIES.index("person_move")]].sum() \
        == 0


def test_every_costed_rotation_is_a_calibration_point_with_its_sources():
    costed = load_costed()
    points = pd.read_csv(DATA_DIR / "calibration_points.csv", keep_default_na=False)
    sources = set(pd.read_csv(DATA_DIR / "sources.csv")["source_id"])
    assert set(costed["point"]) <= set(points["id"])
    for row in costed.itertuples():
        assert set(row.source.split(";")) <= sources, row.point
        assert row.aircraft_type == "" or row.aircraft_type in load_catalogue().platform_of


def test_methodology_quotes_the_page(fit):
    text = " ".join((ROOT / "docs" / "methodology.md").read_text().split())
    t = fit.table.set_index("id")
    before = t["before"] / t["published"]
    after = (t["after"] / t["published"])[t["kind"] == "air"]
    assert (f"the engine charged {before['CZE_BAP_2012']:.1f} and "
            f"{before['POL_BAP_2014']:.1f} times their published cost") in text
    assert f"runs from {after.min():.2f} to {after.max():.2f} times" in text
    assert f"against {before[t['kind'] == 'air'].min():.2f} to " \
        f"{before[t['kind'] == 'air'].max():.2f} before" in text
    assert f"`flight_hour_scale` in missions.yaml, {load_catalogue().flight_hour_scale:.3f}" \
        in text
