"""The deployment engine's unit costs (issue 12, points 2 and 5): docs/engine_costs.md is
current, the shipped central values are the medians of their sourced figures or the fit, a
fighter detachment's people are priced within its flight hours, and the costed rotations count
what the engine's schedule counts."""

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import burden_sim
from burden_sim import api
from burden_sim.engine.catalogue import CATEGORIES, load_catalogue, load_costed
from burden_sim.engine.costed import rotation_activity
from burden_sim.errors import DataError
from burden_sim.inputs.baseline import DATA_DIR, load_baseline
from burden_sim.inputs.calibration import load_points
from burden_sim.inputs.sourced_figures import load_sourced_figures
from burden_sim.model.calculator import Calculator
from burden_sim.model.calibration import point_relative_income
from burden_sim.model.engine_fit import BEFORE, median_of_sources
from burden_sim.present.engine_costs import engine_costs, markdown

SOURCED = load_sourced_figures().counted

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
    assert moved == ["flight_hour_f16", "flight_hour_f15", "flight_hour_typhoon",
                     "flight_hour_rafale", "flight_hour_f35", "flight_hour_mig29", "ship_day_mcm",
                     "ship_day_frigate"]


def test_only_sourced_figures_of_the_type_count():
    """The rule (data/engine_cost_figures.csv): no figure derived from another type's (the
    F-35's and MiG-29's 1.3 and 1.32 x the F-16's Jane's USD 7,000), no other variant (Jane's
    Super Hornet for the F/A-18 C/D), no full cost with depreciation (the German Typhoon), one
    per series."""
    costs = load_baseline().unit_costs
    values = {c: sorted(v for v, _ in f) for c, f in SOURCED.items()}
    assert values["flight_hour_f35"] == [32000, 37000, 41986]  # 34,000-40,000: one, midpoint
    assert costs["flight_hour_f35"].central == 37000
    assert values["flight_hour_mig29"] == [25456] == [costs["flight_hour_mig29"].central]
    assert values["flight_hour_f18"] == [18000]
    assert max(values["flight_hour_typhoon"]) == 18000
    for derived in (9100, 9240, 11000, 24000, 113173, 44968):
        assert all(derived not in v for v in values.values()), derived
    for series in ("CP_BFM_2014", "CP_OPEX360_RAFALE", "CP_JANES2012_BLOG"):
        assert [s for _, s in SOURCED["flight_hour_rafale"]].count(series) == 1


def test_the_frigate_is_the_median_because_its_fit_leaves_the_range(fit):
    """The one point with ship-days (Canada FY2015-16, beside a Land Task Force) fitted jointly
    with the calibration and its cost level puts the frigate-day below the lowest sourced
    figure, so the central value is the median of the sourced figures, and the engine charges
    the Canadian point more than its published cost."""
    cost = load_baseline().unit_costs["ship_day_frigate"]
    assert fit.frigate < cost.low < cost.central == median_of_sources("ship_day_frigate")
    engine = fit.table.set_index("id").loc["CAN_REASSURANCE_FY2015_16"]
    assert 1 < engine.after / engine.published < 1.25
    # the joint fit matches the point exactly; the shipped calibration at the median does not
    shipped = api.calibrate()
    can = list(shipped.points.table["id"]).index("CAN_REASSURANCE_FY2015_16")
    assert 1 < shipped.final.ratios[can] < 1.25


def test_a_rotation_checked_by_hand(fit):
    """CZE_BAP_2012: 4 Gripen x 0.77 h x 125 days = 385 h at USD 4,700 / 1.2848 USD per EUR
    (2012), times Czechia's cost level and the fitted factor; before (as at commit 2146485:
    no level), at the full hours, also 64 people x (125 + 2 x 2 days) at that commit's
    person-day, EUR 285.12, and 64 moves at EUR 2,297."""
    baseline = load_baseline()
    costs = baseline.unit_costs
    points = load_points()
    czech = point_relative_income(points, baseline)[list(points.table["id"]).index("CZE_BAP_2012")]
    level = czech ** baseline.cost_level_beta  # Czechia's cost level: person-days and hours
    people = 64 * 129 * costs["person_day"].central * level + 64 * costs["person_move"].central
    row = fit.table.set_index("id").loc["CZE_BAP_2012"]
    hours = 4 * 0.77 * 125
    assert row.published == pytest.approx(45e6 / 25.149)
    # the hours carry the detachment's people: at Czechia's cost level too
    assert row.before == pytest.approx(hours * 4700 / 1.2848 + 64 * 129 * 285.12 + 64 * 2297)
    assert round(row.before / row.published, 1) == 2.2  # the review's figure at 2146485
    assert row.after == pytest.approx(
        load_catalogue().flight_hour_scale * hours * 4700 / 1.2848 * level)
    # the people alone, at the battlegroup person-day, cost about what the whole rotation did
    assert 0.8 < people / row.published < 1.25  # "about as much" (1.06 as shipped)


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


def test_data_md_quotes_the_shipped_engine_costs():
    text = " ".join((ROOT / "docs" / "data.md").read_text().split())
    costs = load_baseline().unit_costs
    assert f"(EUR {costs['ship_day_frigate'].central:,.0f} a day; docs/engine_costs.md)" in text
    assert f"central their median, EUR {costs['ship_day_mcm'].central:,}" in text
    for platform, name in (("f16", "F-16 USD"), ("f15", "F-15"), ("rafale", "Rafale"),
                           ("f35", "F-35"), ("mig29", "MiG-29")):
        assert f"{name} {costs[f'flight_hour_{platform}'].central:,.0f}" in text, platform
    assert f"missions.yaml, {load_catalogue().flight_hour_scale:.3f};" in text


def test_gross_is_activity_times_cost_level_times_price():
    """engine_history's results: gross = sum over missions and categories of activity x
    cost_level x the central unit price x USD per unit of its currency (the year's rate)."""
    ds = burden_sim.simulate(ROOT / "scenarios" / "engine_history.yaml")
    baseline = load_baseline()
    costs = baseline.unit_costs
    categories = [str(c) for c in ds["category"].values]
    price = xr.DataArray([costs[c].central for c in categories], dims="category",
                         coords={"category": ds["category"]})
    fx = xr.DataArray([[baseline.usd_per_eur[int(y)] if costs[c].currency == "EUR" else 1.0
                        for y in ds["year"].values] for c in categories],
                      dims=("category", "year"), coords={"category": ds["category"],
                                                         "year": ds["year"]})
    expected = (ds["activity"] * ds["cost_level"] * price * fx).sum(["mission", "category"])
    gross = ds["gross"].isel(sample=0) if "sample" in ds["gross"].dims else ds["gross"]
    np.testing.assert_allclose(gross.transpose("ally", "year").values,
                               expected.transpose("ally", "year").values, rtol=1e-10)
    assert ds["cost_level"].attrs["long_name"].find("gross = sum") >= 0
    # levelled: person-days and flight hours at Poland's level, not moves or ships
    pol = ds["cost_level"].sel(ally="POL")
    assert float(pol.sel(category="person_day")) == float(pol.sel(
        category="flight_hour_mig29")) < 1 == float(pol.sel(category="ship_day_frigate"))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("flight_hour_f16,7000,counted", "flight_hour_f61,7000,counted",
         "engine_cost_figures.csv:2: category 'flight_hour_f61' is not in unit_costs.csv"),
        ("flight_hour_f16,7000,counted", "flight_hour_f16,-7000,counted",
         "engine_cost_figures.csv:2: value -7000.0 must be a positive number"),
        ("flight_hour_f16,7000,counted", "flight_hour_f16,7000,used",
         "engine_cost_figures.csv:2: use 'used' not in ['counted', 'left out']"),
        ("counted,CP_JANES2012_BLOG,", "counted,NOWHERE,",
         "engine_cost_figures.csv:2: source_id 'NOWHERE' is not in sources.csv"),
        ("CP_OPEX360_RAFALE,\"Cour des comptes 2004, EUR 35,000 early-fleet support: the same "
         "series as its 2014 figure\"", "CP_OPEX360_RAFALE,",
         "engine_cost_figures.csv:17: reason: one row a category says what was left out"),
        ("118082,counted,SH_ABENDZ_ATALANTA2008,", "118082,counted,SH_ABENDZ_ATALANTA2008,x,y",
         "engine_cost_figures.csv: cannot read it: line 28: expected 5 fields, saw 6"),
    ],
)
def test_broken_engine_figures_are_rejected(tmp_path, old, new, message):
    with pytest.raises(DataError) as err:
        load_sourced_figures(_figures_with(tmp_path, old, new))
    assert message in str(err.value)


def _figures_with(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the data whose engine_cost_figures.csv has its first ``old`` made ``new``."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "engine_cost_figures.csv"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    return data


def _broken_figures(tmp_path: Path, edit) -> Path:
    """A copy of the data whose engine_cost_figures.csv is ``edit`` of the shipped table (read
    as text, so the other cells are written back as they were)."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "engine_cost_figures.csv"
    edit(pd.read_csv(path, dtype=str, keep_default_na=False)).to_csv(path, index=False)
    return data


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.drop(columns="reason"), "missing column(s): reason"),
        (lambda t: t.drop(columns="category"), "missing column(s): category"),
        (lambda t: t.drop(columns=["source_id", "use"]), "missing column(s): use, source_id"),
        (lambda t: t.iloc[:0], "no figures: the file holds only its header"),
        # the mine-countermeasures vessel's two figures (rows 24-25) taken out: no median
        (lambda t: t[t["category"] != "ship_day_mcm"],
         "category: ship_day_mcm has no counted figure (its central value is their median)"),
        # a flight-hour type left with only its left-out row (row 11, the F/A-18's one figure)
        (lambda t: t[~((t["category"] == "flight_hour_f18") & (t["use"] == "counted"))],
         "category: flight_hour_f18 has no counted figure (its central value is their median)"),
    ],
    ids=["no reason", "no category", "no source_id or use", "header only", "no mcm figure",
         "f18 only left out"],
)
def test_engine_figures_missing_a_column_or_a_category_are_rejected(tmp_path, edit, message):
    """Each is one line naming the file (and the field); before, a missing column was an
    AttributeError or KeyError, and the others passed, leaving engine_fit without a median."""
    with pytest.raises(DataError) as err:
        load_sourced_figures(_broken_figures(tmp_path, edit))
    assert str(err.value) == f"engine_cost_figures.csv: {message}"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("flight_hour_typhoon,,left out,", "flight_hour_typhoon,88086,left out,",
         "9: value 88086.0: a left-out row has none (its reason quotes the figures left "
         "out)"),
        ("flight_hour_f16,7000,counted,CP_JANES2012_BLOG,",
         "flight_hour_f16,7000,counted,CP_JANES2012_BLOG,Jane's 2012",
         "2: reason: a counted row has none (only the category's left-out row says why)"),
    ],
    ids=["value on a left-out row", "reason on a counted row"],
)
def test_engine_figures_in_the_wrong_column_are_rejected(tmp_path, old, new, message):
    with pytest.raises(DataError) as err:
        load_sourced_figures(_figures_with(tmp_path, old, new))
    assert str(err.value) == f"engine_cost_figures.csv:{message}"


def test_every_engine_flight_hour_and_ship_day_has_counted_figures():
    """The loader's rule (``SOURCED`` prefixes of unit_costs.csv's categories) covers exactly the
    engine's categories whose central value is a median of sourced figures."""
    from burden_sim.inputs.sourced_figures import SOURCED as PREFIXES

    engine = {c for c in CATEGORIES if c.startswith(("flight_hour_", "ship_day_"))}
    assert engine == {c for c in load_baseline().unit_costs if c.startswith(PREFIXES)}
    assert set(SOURCED) == engine and len(engine) == 11
