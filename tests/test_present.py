"""What analysts see: answers at a glance, bands, units, variants without files, listings."""

from __future__ import annotations

import json
import re
import shutil
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import xarray as xr
from typer.testing import CliRunner

import burden_sim
from burden_sim import api
from burden_sim.cli import app
from burden_sim.explore.uncertainty import pert_draws
from burden_sim.present import tables

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
FIVE = [SCENARIOS / f"{n}.yaml" for n in ("deploying_nation_pays", "common_fund",
                                           "fund_enablers_only", "fund_capped", "fund_gdp_key")]


def cli(*args) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def five():
    return burden_sim.compare(*FIVE, draws=200)


def test_run_shows_the_change_against_the_deploying_nation_paying():
    code, out, _ = cli("run", SCENARIOS / "common_fund.yaml")
    assert code == 0
    flat = " ".join(out.split())
    both = burden_sim.compare(SCENARIOS / "deploying_nation_pays.yaml",
                              SCENARIOS / "common_fund.yaml")
    change = both["net_change"].sel(scenario="common_fund").sum("year") / 1e6
    moved = float(both["reimbursed"].sel(scenario="common_fund").sum()) / 1e6
    assert (f"common_fund: {int((change < 0).sum())} allies pay less, {int((change > 0).sum())}"
            f" more; the fund moves USD {moved:,.1f} m over 2017-2024 (90 % band") in flat
    assert "against the deploying nation pays" in flat and "bp of GDP" in flat
    assert "burden-sim compare" in flat  # the hint
    row = next(line for line in out.splitlines() if line.startswith("CZE")).split()
    cze = both.sel(ally="CZE", scenario="common_fund")
    assert row[1:5] == [f"{float(cze[v].sum()) / 1e6:,.1f}" for v in
                        ("gross", "reimbursed", "contributed", "net")]
    assert row[5] == f"{float(change.sel(ally='CZE')):+,.1f}"
    # bp: the change over Czechia's GDP summed over 2017-2024, in basis points
    gdp = float(cze["gdp"].sum())
    assert row[-1] == f"{float(change.sel(ally='CZE')) * 1e6 / gdp * 1e4:+.2f}"
    assert max(len(line) for line in out.splitlines()) <= 80


def test_a_status_quo_run_shows_its_bill_with_a_band():
    code, out, _ = cli("run", SCENARIOS / "deploying_nation_pays.yaml", "--year", "2024")
    assert code == 0 and "90 % band" in out and "the deploying allies pay USD" in out


def test_compare_of_five_scenarios_is_readable_at_80_columns(five):
    code, out, _ = cli("compare", *FIVE)
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    view = tables.compare_view(five)
    for name in ("common_fund", "fund_enablers_only", "fund_capped", "fund_gdp_key"):
        assert f"{name} against deploying_nation_pays, 2017-2024" in out
    # Every number of the tables appears whole on some line (none is split).
    cells = [c for t in view.tables for _, rows in tables.groups(t)
             for r in tables.text_rows(t, rows) for c in r[1:] if c]
    words = {w for line in lines for w in re.split(r"\s{2,}", line.strip())}
    assert all(c in words for c in cells if " to " not in c)
    # Every table lists the allies in the same order (the change under common_fund).
    orders = [rows["ally"].tolist() for _, rows in tables.groups(view.tables[0])]
    assert all(o == orders[0] for o in orders) and orders[0][0] == "TUR"


def test_formats_csv_json_markdown():
    code, out, _ = cli("compare", *FIVE[:2], "--format", "csv")
    frame = pd.read_csv(StringIO(out))
    assert code == 0 and list(frame.columns[:4]) == ["scenario", "ally", "net_reference_usd_m",
                                                     "net_usd_m"]
    both = burden_sim.compare(*FIVE[:2])
    assert frame.set_index("ally").loc["CZE", "net_change_usd_m"] == pytest.approx(
        float(both["net_change"].sel(ally="CZE", scenario="common_fund").sum()) / 1e6)
    code, out, _ = cli("run", FIVE[1], "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["lines"][0].startswith("common_fund: ")
    assert data["tables"][0]["rows"][0]["ally"] == "TUR"  # the largest extra bill first
    code, out, _ = cli("compare", *FIVE[:3], "--format", "json")
    titles = [t["title"] for t in json.loads(out)["tables"]]
    assert code == 0 and "{group}" not in out  # one table per scenario, as in the text
    assert [t.split(" against ")[0] for t in titles[:2]] == [Path(f).stem for f in FIVE[1:3]]
    code, out, _ = cli("list", "allies", "--format", "markdown")
    assert code == 0 and "| CZE | Czech Republic (Czechia) | 1999 |" in out
    code, _, err = cli("run", FIVE[1], "--format", "xlsx")
    assert code == 2 and err == "error: --format xlsx: not one of table, csv, json, markdown\n"


def test_bands_are_quantiles_of_draws_at_the_same_prices(five):
    # Same draws for every scenario: the fund only moves money, so at every draw the changes
    # add up to zero across allies.
    total = five["net_change_draws"].sum("ally")
    assert float(abs(total).max()) < 1e-3
    low, high = tables.band_by_ally(five, "net_change_draws", 1)
    assert np.all(low <= high)


def test_pert_draws_follow_the_sourced_range():
    central, low, high = np.array([5.0, 2.0, 3.0]), np.array([0.0, 2.0, 3.0]), \
        np.array([10.0, 4.0, 3.0])
    draws = pert_draws(central, low, high, draws=20_000, seed=1)
    assert draws[:, 0].mean() == pytest.approx(5.0, abs=0.05)  # (0 + 4 * 5 + 10) / 6
    assert draws[:, 1].mean() == pytest.approx(2 + 2 / 6, abs=0.02)  # mode at the low end
    assert (draws[:, 2] == 3.0).all()  # no range: the central value
    assert np.array_equal(draws, pert_draws(central, low, high, draws=20_000, seed=1))


def test_the_central_value_lies_inside_its_band_when_the_central_is_inside_its_range(tmp_path):
    shutil.copytree(SCENARIOS / "missions", tmp_path / "missions")  # beside it, or below
    text = (SCENARIOS / "common_fund.yaml").read_text()
    text += ("unit_costs:\n  person_year: {central: 90000, low: 40000, high: 140000}\n"
             "  person_move: {central: 2300, low: 1700, high: 2900}\n"
             "  aircraft_month: {central: 103000, low: 93000, high: 113000}\n")
    path = tmp_path / "mid.yaml"
    path.write_text(text)
    cmp = api.against_status_quo(path, draws=500)
    central = cmp["net_change"].isel(scenario=1).sum("year").values / 1e6
    low, high = tables.band_by_ally(cmp, "net_change_draws", 1)
    assert np.all((low <= central + 1e-9) & (central <= high + 1e-9))


def test_the_shipped_central_values_lie_inside_their_bands():
    """With the calibrated central unit costs (docs/calibration.md) every ally's central change
    lies inside its own band."""
    cmp = api.against_status_quo(SCENARIOS / "common_fund.yaml", draws=1000)
    central = cmp["net_change"].isel(scenario=1).sum("year").values / 1e6
    low, high = tables.band_by_ally(cmp, "net_change_draws", 1)
    outside = [a for a, c, lo, hi in zip(cmp.ally.values, central, low, high, strict=True)
               if not lo - 1e-9 <= c <= hi + 1e-9]
    assert outside == []


def _all_labelled(ds: xr.Dataset) -> list[str]:
    return [str(n) for n in [*ds.data_vars, *ds.coords]
            if not {"units", "long_name"} <= set(ds[n].attrs)]


def test_units_on_every_variable_and_coordinate_kept_through_files(tmp_path):
    ds = burden_sim.simulate(SCENARIOS / "engine_history.yaml")
    assert _all_labelled(ds) == []
    code, _, _ = cli("compare", *FIVE[:2], "-o", tmp_path / "c.nc")
    assert code == 0
    with xr.open_dataset(tmp_path / "c.nc") as back:
        assert _all_labelled(back) == []
        assert back["net_change"].attrs["units"] == "USD (current prices)"
        assert back["fraction_by_scenario"].values.tolist() == [0.0, 1.0]
    code, _, _ = cli("compare", *FIVE[:2], "-o", tmp_path / "c.parquet")
    schema = pq.read_schema(tmp_path / "c.parquet")
    assert schema.field("net_change_usd").metadata[b"units"] == b"USD (current prices)"
    assert schema.field("net_change_pct_gdp").metadata[b"units"] == b"% of GDP"
    assert "net_change_pct_gdp" in pd.read_parquet(tmp_path / "c.parquet")


def test_set_changes_a_scenario_without_a_file():
    full = burden_sim.simulate(SCENARIOS / "common_fund.yaml")
    half = burden_sim.simulate(SCENARIOS / "common_fund.yaml", set={"policy.fraction": 0.5})
    assert float(half["reimbursed"].sum()) == pytest.approx(float(full["reimbursed"].sum()) / 2)
    scenario = burden_sim.load_scenario(SCENARIOS / "common_fund.yaml",
                                        set={"policy.key": "gdp", "name": "gdp_fund"})
    assert isinstance(scenario, burden_sim.Scenario) and scenario.name == "gdp_fund"
    code, out, _ = cli("run", SCENARIOS / "common_fund.yaml", "--set", "policy.fraction=0.5")
    moved = float(half["reimbursed"].sum()) / 1e6
    assert code == 0 and f"the fund moves USD {moved:,.1f} m" in " ".join(out.split())


def test_a_set_inside_a_block_an_earlier_set_gave():
    """--set policy.key=gdp then --set policy.key.caps=...: 'names no field (did you mean
    policy.key.caps?)', the very path; each block is filled in before the next setting."""
    caps = [{"ally": "USA", "max_share": 0.2}]
    whole = burden_sim.simulate(SCENARIOS / "common_fund.yaml",
                                set={"policy.key": {"name": "gdp", "caps": caps}})
    stepwise = burden_sim.simulate(SCENARIOS / "common_fund.yaml",
                                   set={"policy.key": "gdp", "policy.key.caps": caps})
    xr.testing.assert_identical(whole, stepwise)
    assert float(stepwise["key_share"].sel(ally="USA").max()) == pytest.approx(0.2)
    half = burden_sim.simulate(SCENARIOS / "common_fund.yaml",
                               set={"policy": {"rule": "common_fund"}, "policy.fraction": 0.5})
    assert half.attrs["fraction"] == 0.5
    with pytest.raises(burden_sim.BurdenSimError, match=r"names no field of the scenario \(a "
                       r"parameters: entry is set whole"):
        burden_sim.simulate(SCENARIOS / "fund_sensitivity.yaml",
                            set={"parameters.policy.fraction.low": 0.9})


def test_a_partial_unit_cost_keeps_its_shipped_fields_whatever_the_order_of_set():
    """{central: 19321} for a USD flight hour, then a setting that fills a block in: the
    filling wrote the cost out whole, EUR and no range (a review); the order must not matter."""
    engine = SCENARIOS / "engine_history.yaml"
    cost = {"unit_costs.flight_hour_f16": {"central": 19321}}
    for settings in ({**cost, "policy.key": "nato"}, {"policy.key": "nato", **cost}):
        got = burden_sim.load_scenario(engine, set=settings).unit_costs["flight_hour_f16"]
        assert got.model_fields_set == {"central"}, settings
    # a field of a cost given whole before: the shipped fields it left out fill it
    low = {"unit_costs.person_year.low": 40000}
    whole_then_low = burden_sim.load_scenario(
        SCENARIOS / "common_fund.yaml", set={"unit_costs.person_year": {"central": 132540}, **low})
    only_low = burden_sim.load_scenario(SCENARIOS / "common_fund.yaml", set=low)
    assert whole_then_low.unit_costs["person_year"] == only_low.unit_costs["person_year"]
    first = burden_sim.simulate(engine, set={**cost, "policy.key": "nato"})
    then = burden_sim.simulate(engine, set={"policy.key": "nato", **cost})
    assert float(first["gross"].sum()) == float(then["gross"].sum())


def test_set_takes_numpy_numbers_as_a_notebook_has_them():
    """np.linspace and a Dataset give numpy numbers: they were a PyYAML traceback."""
    full = burden_sim.simulate(SCENARIOS / "common_fund.yaml")
    for fraction in np.linspace(0, 1, 3):
        part = burden_sim.simulate(SCENARIOS / "common_fund.yaml",
                                   set={"policy.fraction": fraction})
        assert float(part["reimbursed"].sum()) == pytest.approx(
            float(fraction) * float(full["reimbursed"].sum()))
    with pytest.raises(burden_sim.BurdenSimError, match="with policy.fraction=2.0: Input "
                       "should be less than or equal to 1"):
        burden_sim.simulate(SCENARIOS / "common_fund.yaml", set={"policy.fraction": np.float64(2)})


def test_set_edition_runs_on_that_editions_data(tmp_path):
    """--set edition= was ignored: the file's edition's data, labelled with it, and any
    name accepted. It must equal the same edition written in the file."""
    shutil.copytree(SCENARIOS / "missions", tmp_path / "missions")
    text = (SCENARIOS / "common_fund.yaml").read_text()
    assert 'edition: "2024-06"' in text
    (tmp_path / "ed.yaml").write_text(text.replace('edition: "2024-06"', 'edition: "2025-08"'))
    written = burden_sim.simulate(tmp_path / "ed.yaml")
    changed = burden_sim.simulate(SCENARIOS / "common_fund.yaml", set={"edition": "2025-08"})
    xr.testing.assert_identical(changed.drop_attrs(), written.drop_attrs())
    assert changed.attrs["edition"] == "2025-08"
    same = burden_sim.simulate(SCENARIOS / "common_fund.yaml")
    assert int(same["allies_at_2pct"].sum()) != int(changed["allies_at_2pct"].sum())
    code, out, err = cli("run", SCENARIOS / "common_fund.yaml", "--set", "edition=banana")
    assert (code, out) == (2, "")
    assert err == (f"error: {SCENARIOS / 'common_fund.yaml'} with edition=banana: edition: "
                   "editions.csv: unknown edition 'banana' (known: 2024-06, 2025-08)\n")


@pytest.mark.parametrize(("change", "message"), [
    ({"fraction": 7.0}, "policy.fraction: Input should be less than or equal to 1"),
    ({"annual_cap_usd": -5e8}, "policy.annual_cap_usd: Input should be greater than or "
     "equal to 0"),
    ({"rule": "foo"}, "policy.rule: Input should be 'deploying_nation_pays' or 'common_fund'"),
    ({"fraction": float("nan")}, "policy.fraction: Input should be a finite number"),
])
def test_a_scenario_changed_by_model_copy_is_checked_again(change, message):
    """model_copy validates nothing: a fraction of 7 repaid seven times the costs."""
    scenario = burden_sim.load_scenario(SCENARIOS / "common_fund.yaml")
    changed = scenario.model_copy(update={"policy": scenario.policy.model_copy(update=change)})
    for run in (burden_sim.simulate, lambda s: burden_sim.compare(scenario, s)):
        with pytest.raises(burden_sim.BurdenSimError) as error:
            run(changed)
        assert str(error.value) == f"scenario common_fund: {message}"


@pytest.mark.parametrize(("setting", "message"), [
    ("policy.fracton=0.5", "error: {file} with policy.fracton=0.5: names no field of the "
     "scenario (did you mean policy.fraction?)\n"),
    ("policy.fraction=abc", "error: {file} with policy.fraction=abc: Input should be a valid "
     "number, unable to parse string as a number\n"),
    ("policy.fraction=2", "error: {file} with policy.fraction=2: Input should be less than or "
     "equal to 1\n"),
    ("policy.fraction", "error: --set policy.fraction: expected PATH=VALUE, e.g. "
     "policy.fraction=0.6 or policy.key=gdp\n"),  # no file read yet: the flag named
])
@pytest.mark.parametrize("command", ["run", "compare", "report"])
def test_bad_settings_get_one_line(tmp_path, setting, message, command):
    files = [FIVE[1]] if command == "run" else FIVE[:2]
    extra = ["-o", tmp_path / "r.html"] if command == "report" else []
    code, out, err = cli(command, *files, "--set", setting, *extra)
    assert (code, out, err) == (2, "", message.format(file=files[0]))
    assert list(tmp_path.iterdir()) == []


def test_list_and_version():
    code, out, _ = cli("list", "scenarios", "--dir", SCENARIOS)
    assert code == 0 and "fund_sensitivity.yaml" in out
    code, out, _ = cli("list", "keys")
    assert code == 0 and "nato_derived" in out
    assert "2016-2017  gni" in out and "USA 22.144, DEU 14.65" in out and "CZE 1.0558" in out
    code, out, _ = cli("list", "missions")
    assert code == 0 and "baltic_air_policing" in out
    code, out, _ = cli("list", "editions")
    assert code == 0 and "2024-06" in out
    code, out, err = cli("list", "ships")
    assert (code, out, err) == (2, "", "error: list ships: not one of scenarios, keys, "
                                "missions, allies, editions\n")
    code, out, _ = cli("--version")
    assert code == 0 and out == f"burden-sim {burden_sim.__version__}\n"


def test_list_scenarios_names_a_file_it_cannot_read(tmp_path):
    shutil.copy(SCENARIOS / "common_fund.yaml", tmp_path)
    (tmp_path / "broken.yaml").write_text("name: broken\n\tyears: {start: 2017}\n")
    # read as a scenario is: an alias cycle is named, not hung on; an impossible date (which
    # validate names as its field's error) is not a traceback
    (tmp_path / "cycle.yaml").write_text("name: cycle\ndescription: &a [*a]\n")
    (tmp_path / "date.yaml").write_text("name: date\ndescription: Dated.\n"
                                        "deployment: {surges: [{start: 2022-02-30}]}\n")
    # a YAML file that is no scenario is named too, not left out of the list
    (tmp_path / "nameless.yaml").write_text("description: No name.\n")
    (tmp_path / "piped.yaml").write_text("name: piped\ndescription: 'A | B. More.'\n")
    (tmp_path / "list.yaml").write_text("- name: a list\n")
    shutil.copy(SCENARIOS / "missions" / "eastern_flank_2017_2024.yaml", tmp_path / "m.yaml")
    code, out, _ = cli("list", "scenarios", "--dir", tmp_path, "--format", "csv")
    rows = pd.read_csv(StringIO(out)).set_index("file")
    assert code == 0 and list(rows.index) == ["broken.yaml", "common_fund.yaml", "cycle.yaml",
                                              "date.yaml", "list.yaml", "m.yaml",
                                              "nameless.yaml", "piped.yaml"]
    code, out, _ = cli("list", "scenarios", "--dir", tmp_path, "--format", "markdown")
    row = next(line for line in out.splitlines() if line.startswith("| piped.yaml"))
    assert code == 0 and "A \\| B." in row and row.count(" | ") == 3  # a pipe is escaped
    assert rows.loc["m.yaml", "description"] == ("a missions file: a scenario names it in its "
                                                 "missions: field")
    for name in ("broken.yaml", "cycle.yaml"):
        assert rows.loc[name, "description"] == (
            f"cannot read it: burden-sim validate {tmp_path / name} says why")
    for name in ("list.yaml", "nameless.yaml"):
        assert rows.loc[name, "description"] == (
            f"not a scenario (no name): burden-sim validate {tmp_path / name} says why")
    assert rows.loc["date.yaml", "description"] == "Dated."
    # a listing shows each description's first sentence (the file holds the rest)
    assert rows.loc["common_fund.yaml", "description"].startswith("The full-repayment upper "
                                                                  "bound of the 2021 proposal")
    assert rows.loc["common_fund.yaml", "description"].count(". ") == 0


def test_a_sweep_store_answers_who_pays_more(tmp_path):
    store = tmp_path / "s.zarr"
    code, _, _ = cli("sweep", SCENARIOS / "common_fund.yaml", "--design", "grid", "--set",
                     "policy.fraction=0,0.5,1", "--set", "unit_costs.person_year=41568,60000",
                     "--workers", "1", "-o", store)
    assert code == 0
    with burden_sim.open_sweep(store) as ds:
        assert _all_labelled(ds.reset_coords()) == [] and "sample" not in ds.coords
        assert ds["unit_costs.person_year"].attrs["units"] == "EUR per person-year"
        point = ((ds["policy.fraction"] == 0.5) & (ds["unit_costs.person_year"] == 60000)).values
        change = ds["net_change"].isel(sample=int(np.flatnonzero(point)[0])).values
    both = burden_sim.compare(SCENARIOS / "deploying_nation_pays.yaml",
                              SCENARIOS / "common_fund.yaml",
                              set={"policy.fraction": 0.5, "unit_costs.person_year": 60000})
    assert np.allclose(change, both["net_change"].isel(scenario=1).values, rtol=1e-12,
                       atol=1e-3)


def test_a_store_is_plotted_from_a_lazy_read(tmp_path):
    """plot --kind sweep reads only the ally's result, lazily (a load of a derived store of
    2 x 10^6 samples was killed at 24 GB; lazily 0.54 GB), and draws the same curve."""
    from burden_sim.present.plots import draw, sweep_curve

    store = tmp_path / "s.zarr"
    code, _, _ = cli("sweep", SCENARIOS / "fund_sensitivity.yaml", "--samples", "3000",
                     "--chunk-size", "1000", "--workers", "1", "-o", store)
    assert code == 0
    lazy = draw("sweep", store, tmp_path / "a.png", ally="CZE")
    with burden_sim.open_sweep(store) as ds:
        assert ds["net_change"].chunks is not None  # derived on reading, chunk by chunk
        loaded = sweep_curve(ds.load(), "unit_costs.person_year", "CZE")
    for mine, theirs in zip(lazy.axes[0].lines, loaded.axes[0].lines, strict=True):
        assert np.array_equal(mine.get_ydata(), theirs.get_ydata())


def test_an_elastic_engine_sweep_compares_with_its_own_status_quo():
    ds = burden_sim.sweep(SCENARIOS / "engine_open_common_fund.yaml",
                          {"unit_costs.person_day": [120.0]},
                          variables=("net_change", "contributed", "reimbursed"))
    both = burden_sim.compare(SCENARIOS / "engine_open_status_quo.yaml",
                              SCENARIOS / "engine_open_common_fund.yaml",
                              set={"unit_costs.person_day": 120.0})
    expected = both["net_change"].isel(scenario=1).values
    assert np.allclose(ds["net_change"].isel(sample=0).values, expected, atol=1e-3)
    # Who volunteers moved with the fund: the transfers alone are not the change.
    naive = (ds["contributed"] - ds["reimbursed"]).isel(sample=0).values
    assert np.abs(naive - expected).max() > 1e6


def test_a_sweep_plot_draws_a_band_only_where_there_are_draws(tmp_path):
    from burden_sim.present.plots import sweep_curve

    grid = burden_sim.sweep(SCENARIOS / "common_fund.yaml", {"policy.fraction": [0, 0.5, 1]})
    figure = sweep_curve(grid, "policy.fraction", "CZE")
    ax = figure.axes[0]
    assert len(ax.collections) == 0 and "policy.fraction (share, 0-1)" in ax.get_xlabel()
    assert "USD million" in ax.get_ylabel()
    lhs = burden_sim.sweep(SCENARIOS / "fund_sensitivity.yaml", design="lhs", samples=64)
    ax = sweep_curve(lhs, "unit_costs.person_year", "CZE").axes[0]
    assert len(ax.collections) == 1 and "EUR per person-year" in ax.get_xlabel()


def test_a_table_wider_than_the_terminal_keeps_its_columns():
    """Too wide for 30 columns and no text at the end to wrap: no column narrower than its
    widest cell, so every cell starts under its header's rule (the widths once shrank below
    the cells when there was no room)."""
    from burden_sim.present.tables import Column, Table, View, to_text

    rows = pd.DataFrame({"key": ["nato", "un_regular"], "method": ["NATO's cost shares by "
                        "period, published", "the UN regular budget scale"], "n": [32, 31]})
    table = Table("Keys", (Column("key", "text", ("key",)),
                           Column("what the key is", "text", ("method",)),
                           Column("n", "count", ("n",))), rows)
    lines = to_text(View([table]), width=30).splitlines()
    rule = next(line for line in lines if set(line) <= {"-", " "} and "-" in line)
    starts = [i for i, ch in enumerate(rule) if ch == "-" and (i == 0 or rule[i - 1] == " ")]
    assert rule.split("  ") == ["-" * 10, "-" * len(rows.method[0]), "--"]
    for line, (key, method, n) in zip(lines[lines.index(rule) + 1:], rows.values,
                                      strict=False):
        assert line[starts[0]:].startswith(key) and line[starts[1]:].startswith(method)
        assert line.endswith(str(n))


def test_compare_says_when_scenarios_are_not_like_for_like(tmp_path):
    """Other missions (the engine's catalogue against the written nine) or another edition:
    the change is not the policy's alone, and the notes say so; like for like, nothing."""
    code, out, _ = cli("compare", FIVE[0], SCENARIOS / "engine_open_common_fund.yaml")
    text = " ".join(out.split())
    assert code == 0 and ("Not like for like: engine_open_common_fund deploys other missions "
                          "than deploying_nation_pays") in text
    shutil.copytree(SCENARIOS / "missions", tmp_path / "missions")
    edition = tmp_path / "later.yaml"
    edition.write_text((SCENARIOS / "common_fund.yaml").read_text().replace(
        "name: common_fund", "name: later").replace('edition: "2024-06"', 'edition: "2025-08"'))
    code, out, _ = cli("compare", FIVE[0], edition)
    assert code == 0 and ("Not like for like: later reads another data edition than "
                          "deploying_nation_pays (2024-06)") in " ".join(out.split())
    code, out, _ = cli("compare", *FIVE[:2])
    assert code == 0 and "Not like for like" not in out


def test_a_fund_that_moves_nothing_has_no_winners_or_losers():
    """A cap of 0 left float rounding (7e-15 for Spain): '1 allies pay less, 1 more'."""
    both = burden_sim.compare(SCENARIOS / "deploying_nation_pays.yaml",
                              SCENARIOS / "common_fund.yaml", set={"policy.annual_cap_usd": 0})
    change = both["net_change"].sel(scenario="common_fund").sum("year")
    assert float(abs(change).max()) < 1e-6  # rounding at most
    code, out, _ = cli("run", SCENARIOS / "common_fund.yaml", "--set", "policy.annual_cap_usd=0")
    assert code == 0 and ("common_fund: 0 allies pay less, 0 more; the fund moves USD 0.0 m"
                          in " ".join(out.split()))


def test_a_change_outside_its_own_band_is_said():
    """A central cost near the low end of its range: most draws lie above it, and many allies'
    changes fell outside their bands without a word (a second bug hunt)."""
    setting = ("--set", "unit_costs.person_year.central=40000")
    both = burden_sim.compare(FIVE[0], SCENARIOS / "common_fund.yaml", draws=1000,
                              set={"unit_costs.person_year.central": 40000})
    change = both["net_change"].sel(scenario="common_fund").sum("year") / 1e6
    draws = both["net_change_draws"].sel(scenario="common_fund").sum("year") / 1e6
    low, high = draws.quantile(0.05, "draw"), draws.quantile(0.95, "draw")
    outside = int(((change < low - 0.05) | (change > high + 0.05)).sum())
    code, out, _ = cli("run", SCENARIOS / "common_fund.yaml", *setting)
    flat = " ".join(out.split())
    assert code == 0 and outside > 5
    assert f"and {outside - 5} more. The change is taken at the central unit costs" in flat
    code, out, _ = cli("run", SCENARIOS / "common_fund.yaml")
    assert code == 0 and "Outside its band" not in out


def test_a_comparison_keeps_every_scenarios_missions():
    """The mission axis was the missions all scenarios share: engine_history's six others
    (USD 2.9 bn) vanished from its gross_by_mission, which no longer summed to its gross."""
    both = burden_sim.compare(FIVE[0], SCENARIOS / "engine_history.yaml")
    alone = burden_sim.simulate(SCENARIOS / "engine_history.yaml")
    assert set(both.mission.values) == set(alone.mission.values)  # the written nine in them
    for name in both.scenario.values:
        run = both.sel(scenario=name)
        assert float(run["gross_by_mission"].sum()) == pytest.approx(float(run["gross"].sum()))
    engine = both.sel(scenario="engine_history", mission=alone.mission.values)
    xr.testing.assert_allclose(engine["gross_by_mission"].drop_vars("scenario"),
                               alone["gross_by_mission"])
    written = both.sel(scenario=FIVE[0].stem)
    assert float(written["gross_by_mission"].sel(mission="snmg1").sum()) == 0.0


def test_a_long_description_at_the_end_wraps_within_the_width():
    from burden_sim.present.tables import Column, Table, View, to_text

    method = ("NATO's cost shares of the table in force each year: published values where "
              "found, the others by the period's rule")
    rows = pd.DataFrame({"key": ["nato", "gdp"], "method": [method, "GDP shares"]})
    table = Table("Keys", (Column("key", "text", ("key",)), Column("method", "text",
                                                                   ("method",))), rows)
    lines = to_text(View([table]), width=50).splitlines()
    body = lines[lines.index("----  " + "-" * 44) + 1:]
    assert all(len(line) <= 50 for line in lines)
    assert body[0].startswith("nato  NATO's cost shares") and body[1].startswith("      ")
    first = body[:body.index(next(b for b in body if b.startswith("gdp")))]
    assert " ".join(b[6:] for b in first) == method


def test_a_short_last_text_column_is_not_widened_to_wrap():
    from burden_sim.present.tables import Column, Table, View, to_text

    rows = pd.DataFrame({"name": ["Baltic Air Policing, the rotations at Siauliai"],
                         "hosts": ["LTU"]})
    table = Table("Missions", (Column("name", "text", ("name",)),
                               Column("hosts", "text", ("hosts",))), rows)
    lines = to_text(View([table]), width=30).splitlines()
    rule = next(line for line in lines if set(line) <= {"-", " "} and "-" in line)
    assert rule.split("  ")[-1] == "-----"  # the header's width, not the wrapping minimum


def test_headers_break_at_spaces_before_inside_a_scenario_name():
    from burden_sim.present.tables import _header_lines

    header = "net, deploying_nation_pays"
    assert _header_lines(header, 23) == ["net,", "deploying_nation_pays"]  # was "...nation_"
    assert _header_lines(header, 26) == [header]
    # a name wider than the column: broken after an underscore, never inside a word
    assert _header_lines(header, 12) == ["net,", "deploying_", "nation_pays"]
    assert _header_lines("net, common_fund", 3) == ["net,", "common_", "fund"]
    # only the word too wide is broken; its neighbours stay whole
    assert _header_lines("ab cd_ef gh_ijklmnop", 7) == ["ab", "cd_ef", "gh_", "ijklmnop"]
    assert _header_lines("allies at 3.5 %", 5) == ["allies", "at", "3.5 %"]  # not "3.5" / "%"


def test_a_cell_that_rounds_to_zero_has_no_sign():
    """A change of USD -88.7 m can be -0.004 bp of GDP: '+0.00' beside it read as a rise."""
    assert tables.cell("bp", (-0.004,)) == "0.00" == tables.cell("bp", (0.004,))
    assert tables.cell("bp", (-0.006,)) == "-0.01" and tables.cell("bp", (0.006,)) == "+0.01"
    assert tables.cell("signed", (-0.04,)) == "0.0" and tables.cell("signed", (1.0,)) == "+1.0"
    assert tables.cell("band", (-0.04, 0.03)) == "0.0 to 0.0"  # was "-0.0 to +0.0"
    assert tables.cell("band", (-3.2, 5.2)) == "-3.2 to +5.2"
    assert tables.cell("band", (1234.5, 2000)) == "1,234.5 to 2,000.0"


def test_scenarios_whose_ranges_differ_draw_matched_prices():
    """Each price is a quantile of one shared uniform: raising one category's central value
    leaves every other category's draws as they were, so an ally with none of that activity
    changes by exactly 0 in every draw (numpy's beta sampler fell out of step: CAN's band of
    a dearer aircraft-month ran from -418 to +390, found by a review)."""
    from burden_sim.model.costs import pert

    central, low, high = (np.array(v, float) for v in ([5, 50, 2], [1, 10, 2], [9, 90, 2]))
    moved = pert(central + [3, 0, 0], low, high, 500, 6)
    draws = pert(central, low, high, 500, 6)
    assert np.array_equal(moved[:, 1:], draws[:, 1:]) and (moved[:, 0] >= draws[:, 0]).all()
    assert (draws[:, 2] == 2).all() and ((draws[:, 0] >= 1) & (draws[:, 0] <= 9)).all()
    base = burden_sim.load_scenario(SCENARIOS / "deploying_nation_pays.yaml")
    dearer = burden_sim.load_scenario(SCENARIOS / "deploying_nation_pays.yaml", set={
        "name": "dearer_aircraft", "unit_costs.aircraft_month.central": 650000})
    both = burden_sim.compare(base, dearer, draws=300)
    change = both["net_change_draws"].sel(scenario="dearer_aircraft").sum("year")
    assert float(abs(change.sel(ally="CAN")).max()) == 0.0  # no air policing in these years
    assert float(change.sel(ally="USA").min()) > 0  # it flies: dearer in every draw
