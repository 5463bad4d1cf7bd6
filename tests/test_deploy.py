"""The deployment engine: history replayed, days split exactly, determinism, caching, the
incentive, surges and gaps, and one-line errors for bad deployment blocks."""

import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import burden_sim
from burden_sim import api
from burden_sim.cli import main
from burden_sim.engine import catalogue
from burden_sim.engine.schedule import Schedule, ScheduleCache
from burden_sim.errors import BurdenSimError
from burden_sim.model.calculator import Calculator

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def schedule(path) -> Schedule:
    scenario, baseline = api.load(path)
    return Calculator.build(scenario, baseline).schedule


def write(tmp_path, text, name="engine.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


HEAD = "name: t\nyears: {start: 2017, end: 2024}\npolicy: {rule: deploying_nation_pays}\n"


@pytest.fixture(scope="module")
def history():
    return schedule(SCENARIOS / "engine_history.yaml")


def test_the_recorded_plan_fills_every_slot_with_its_recorded_ally(history):
    assert len(history.gaps) == 0
    d = history.deployments
    recorded = d[d.recorded_ally != ""]
    assert len(recorded) > 400
    assert (recorded.ally == recorded.recorded_ally).all()


@pytest.mark.parametrize("rotation, lead", [
    (45, "USA"),  # M_B03, AIRCOM: 5th US lead, Sep-Dec 2017 (missions.md: 45th rotation)
    (48, "BEL"),  # M_B10, 7th Belgian deployment
    (49, "POL"),  # M_B14, Orlik 8
    (50, "HUN"),  # M_B16, Hungary's first lead
    (64, "BEL"),  # M_B48, kam.lt 2024: Belgium hands over on 28 March 2024
    (65, "ESP"),  # M_B51, kam.lt 2024: Spain leads from 28 March 2024
])
def test_baltic_air_policing_leads_as_recorded(history, rotation, lead):
    d = history.deployments
    leads = d[(d.mission == "baltic_air_policing") & (d.rotation == rotation) & (d.role == "lead")]
    assert leads.ally.tolist() == [lead]


def test_battlegroup_strengths_on_28_june_2022_are_natos(history):
    """NATO press office, 28 June 2022 (M_X01): 9,641 troops in the eight groups. Hungary's
    group counts its own framework troops, who are at home and cost no deployment: only its
    foreign contingents are deployed (M_H01: Croatia 60, Italy 250, Montenegro 20). The UK's
    second battlegroup in Estonia (about 750, February to December 2022: 1,650 British soldiers
    there in April, CORR_UK_EST_TIMES_APR2022) was outside NATO's count of the battlegroup."""
    d = history.deployments
    day = pd.Timestamp("2022-06-28")
    present = d[d.mission.str.startswith("efp_") & (d.start <= day) & (d.end > day)]
    by_group = present.groupby("mission").personnel.sum().round().astype(int).to_dict()
    nato = {"efp_estonia": 1430, "efp_latvia": 1887, "efp_lithuania": 1632,
            "efp_poland": 1033, "efp_slovakia": 643, "efp_hungary": 900,
            "efp_romania": 1148, "efp_bulgaria": 968}
    assert sum(nato.values()) == 9641
    assert by_group == nato | {"efp_hungary": 60 + 250 + 20, "efp_estonia": 1430 + 750}


def test_icelandic_air_policing_2021_was_norway_us_and_poland(history):
    """AIRCOM (R_I02, R_I55): the three deployments that completed 2021."""
    d = history.deployments
    year = d[(d.mission == "icelandic_air_policing") & (d.year == 2021)]
    assert year.sort_values("start").ally.tolist() == ["NOR", "USA", "POL"]


def test_maritime_groups_are_commanded_by_the_recorded_nations(history):
    d = history.deployments
    command = d[d.role == "command"]

    def commander(mission, day):
        day = pd.Timestamp(day)
        rows = command[(command.mission == mission) & (command.start <= day) & (command.end > day)]
        return rows.ally.tolist()

    assert commander("snmg1", "2018-06-01") == ["DNK"]  # R_M24
    assert commander("snmg1", "2021-06-01") == ["CAN"]  # R_M23, R_M37
    assert commander("snmg2", "2022-12-01") == ["USA"]  # R_M41, R_M42
    assert commander("snmcmg1", "2024-06-01") == ["DEU"]  # R_M49


def test_days_across_a_new_year_are_split_exactly(history):
    """The US F-15Cs of rotation 45 stayed from 30 Aug 2017 to 8 Jan 2018 (M_B03-M_B05)."""
    f15 = history.activity.sel(ally="USA", mission="baltic_air_policing",
                               category="flight_hour_f15")
    shipped = catalogue.load_catalogue()
    # charged hours: the hours flown a day times the fitted charged share (missions.yaml)
    rate = (shipped.missions["baltic_air_policing"].flight_hours_per_aircraft_day
            * shipped.flight_hour_scale)
    days_2017 = (date(2018, 1, 1) - date(2017, 8, 30)).days
    assert float(f15.sel(year=2017)) == pytest.approx(4 * rate * days_2017)
    assert float(f15.sel(year=2018)) == pytest.approx(4 * rate * 7)


def test_activity_is_the_sum_of_the_deployments(history):
    """Person-days in the tensor equal personnel x days deployed, transit included, over the
    deployments wholly inside the horizon (here: the battlegroups, 2017-2024)."""
    d = history.deployments
    land = d[d.mission.str.startswith("efp_")]
    transit = 3  # the catalogue's battlegroup transit, each way
    days = (land.end - land.start).dt.days + 2 * transit
    inside = (land.start >= pd.Timestamp("2017-01-04")) & (land.end <= pd.Timestamp("2024-12-29"))
    total = float((land.personnel * days)[inside].sum())
    tensor = history.activity.sel(category="person_day",
                                  mission=[m for m in history.missions if m.startswith("efp_")])
    edge = float((land.personnel * days)[~inside].sum())
    assert total <= float(tensor.sum()) <= total + edge


def test_same_scenario_and_seed_same_schedule(tmp_path):
    text = HEAD + "deployment: {plan: open, elasticity: 1.0, seed: 3}\n"
    first = schedule(write(tmp_path, text))
    again = schedule(write(tmp_path, text))
    assert first is not again
    pd.testing.assert_frame_equal(first.deployments, again.deployments)
    other = schedule(write(tmp_path, text.replace("seed: 3", "seed: 4")))
    assert not first.deployments.ally.equals(other.deployments.ally)


def test_schedules_are_cached_and_samples_never_rerun_the_engine(tmp_path):
    path = write(tmp_path, HEAD + "deployment: {}\nsamples: 300\nseed: 1\n")
    schedules = ScheduleCache()
    scenario, baseline = api.load(path, schedules)  # validating builds the plan, once
    model = Calculator.build(scenario, baseline, schedules)
    assert model.run()["net"].shape[0] == 300
    assert schedules.runs == 1
    again = Calculator.build(scenario, baseline, schedules)
    assert again.schedule is model.schedule and schedules.runs == 1
    assert schedules.plan(scenario, baseline) is schedules.plan(scenario, baseline)


def test_at_zero_elasticity_the_policy_does_not_change_who_goes(tmp_path):
    status_quo = schedule(write(tmp_path, HEAD + "deployment: {plan: open}\n"))
    fund = schedule(write(tmp_path, HEAD.replace(
        "{rule: deploying_nation_pays}", "{rule: common_fund, fraction: 1.0}")
        + "deployment: {plan: open}\n", "fund.yaml"))
    pd.testing.assert_frame_equal(status_quo.deployments, fund.deployments)


def test_a_common_fund_draws_volunteers_with_small_key_shares():
    """With elasticity 1 an ally's weight is divided by what one more deployment costs it:
    1 under the status quo, its key share k under a full fund. Allies with small shares
    should then take more of the open slots."""
    quo = burden_sim.simulate(SCENARIOS / "engine_open_status_quo.yaml")
    fund = burden_sim.simulate(SCENARIOS / "engine_open_common_fund.yaml")
    small = (fund.key_share.mean("year") < 0.01).values
    share = [float(ds.deployments[small].sum() / ds.deployments.sum()) for ds in (quo, fund)]
    assert share[1] > share[0] + 0.05
    assert not np.array_equal(quo.distinct_contributors.values, fund.distinct_contributors.values)


def test_a_surge_beyond_the_pools_leaves_gaps_that_are_reported(tmp_path, monkeypatch, capsys):
    fighters = ", ".join(f"{a}: {{fighter: 1}}" for a in
                         ("BEL", "CZE", "DEU", "DNK", "ESP", "FRA", "GBR", "HUN", "ITA", "NLD",
                          "POL", "PRT", "ROU", "USA", "CAN", "NOR"))
    path = write(tmp_path, HEAD + "deployment:\n  missions: [baltic_air_policing]\n"
                 "  surges: [{mission: baltic_air_policing, start: 2022-03-01, days: 365, "
                 "factor: 3}]\n"
                 f"  pools: {{{fighters}}}\n")
    ds = burden_sim.simulate(path)
    gaps = ds.unfilled_slots.sel(mission="baltic_air_policing")
    assert float(gaps.sel(year=2022)) > 0
    assert float(gaps.sel(year=2018)) == 0
    rotations = ds.unfilled_rotations.sel(mission="baltic_air_policing")
    assert 0 < float(rotations.sel(year=2022)) <= float(gaps.sel(year=2022))
    monkeypatch.setattr(sys, "argv", ["burden-sim", "run", str(path)])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code in (0, None)
    printed = " ".join(capsys.readouterr().out.split())  # sentences wrap at 80 columns
    assert (f"{int(gaps.sum())} unfilled slots in {int(rotations.sum())} rotations "
            "(baltic_air_policing") in printed


def test_withdrawals_open_slots_and_joins_add_them(tmp_path):
    path = write(tmp_path, HEAD + "deployment:\n  changes:\n"
                 "    - {mission: efp_latvia, ally: ESP, action: withdraw, start: 2023-01-01}\n"
                 "    - {mission: baltic_air_policing, ally: NOR, action: join, "
                 "start: 2022-01-01, aircraft: 4, aircraft_type: F-35A, personnel: 85}\n")
    s = schedule(path)
    d = s.deployments
    spain = d[(d.mission == "efp_latvia") & (d.ally == "ESP")]
    assert spain.start.max() < pd.Timestamp("2023-01-01")
    assert not len(s.gaps)  # the open Spanish slots found volunteers
    norway = d[(d.mission == "baltic_air_policing") & (d.ally == "NOR")]
    assert norway.start.min() >= pd.Timestamp("2022-01-01") and len(norway) >= 6
    assert norway.rotation.is_unique  # one Norwegian detachment a rotation
    assert float(s.activity.sel(ally="NOR", mission="baltic_air_policing",
                                category="flight_hour_f35", year=2023)) > 0


LITHUANIA = HEAD + "deployment:\n  missions: [efp_lithuania]\n"


@pytest.fixture(scope="module")
def lithuania(tmp_path_factory):
    """What the Lithuanian battlegroup costs its contributors, 2017-2024, with a 3 x surge
    from a day for some days ("2020-03-01+30"), or none."""
    path = tmp_path_factory.mktemp("lithuania") / "engine.yaml"
    path.write_text(LITHUANIA)

    def total(surge: str = "") -> float:
        start, _, days = surge.partition("+")
        settings = {"deployment.surges": [{"mission": "efp_lithuania", "start": start,
                                           "days": int(days), "factor": 3}]} if surge else None
        return float(burden_sim.simulate(path, set=settings).net.sum())

    return total


def test_a_surge_counts_the_days_it_covers(lithuania):
    """Battlegroup rotations in 2020 start on 1 January and 1 July (182 days on); a surge
    scales each rotation's troops by 1 + (factor - 1) x its days in the window / the
    rotation's days, whether or not the window holds a rotation's start (hunt2 #16: a 1-day
    surge on 1 July tripled the whole rotation; a 100-day one from 15 January counted
    nothing)."""
    none = lithuania()
    first = lithuania("2020-01-01+182") - none  # the first rotation, tripled
    second = lithuania("2020-07-01+182") - none  # (the same contingents, other years' prices
    assert first > 0 and second > 0              # for their transit days)
    for surge, extra in [("2020-03-01+1", first / 182), ("2020-01-15+100", first * 100 / 182),
                         ("2020-07-01+1", second / 182), ("2020-07-02+1", second / 182),
                         ("2020-06-01+60", (first + second) * 30 / 182)]:  # 30 days in each
        assert lithuania(surge) - none == pytest.approx(extra, rel=1e-6), surge


def _plan(path):
    schedules = ScheduleCache()
    scenario, baseline = api.load(path, schedules)
    return schedules.plan(scenario, baseline), scenario, baseline


@pytest.mark.parametrize("mission, count", [("snmg1", 4), ("baltic_air_policing", None)])
def test_surge_slots_last_as_long_as_the_surge(tmp_path, mission, count):
    """A surge adds ships or detachments (rounded up, open) for the days it covers, in
    whichever rotation it falls: here 2 x for 30 days from 1 March 2020."""
    path = write(tmp_path, HEAD + f"deployment:\n  missions: [{mission}]\n  surges: "
                 f"[{{mission: {mission}, start: 2020-03-01, days: 30, factor: 2}}]\n")
    plan, _, _ = _plan(path)
    base, _, _ = _plan(write(tmp_path, HEAD + f"deployment:\n  missions: [{mission}]\n",
                             "base.yaml"))
    lo = (date(2020, 3, 1) - plan.origin).days
    extra = [s for s in plan.slots if s not in base.slots]
    assert extra and all(s.start == lo and s.end == lo + 30 for s in extra)
    during = [s for s in base.slots if s.start <= lo < s.end]
    assert len(extra) == (count or len(during))  # 4 more ships; as many more detachments
    assert len(plan.slots) == len(base.slots) + len(extra)


def test_joins_and_withdrawals_act_on_the_days_of_their_span(tmp_path):
    """A join adds a slot for the days its span shares with each rotation; a withdrawal
    opens the days its span shares with the ally's slots (hunt2 #16: a 1-day join added a
    whole rotation, a six-month one nothing, a four-month withdrawal nothing)."""
    path = write(tmp_path, LITHUANIA + "  changes:\n"
                 "    - {mission: efp_lithuania, ally: ISL, action: join, start: 2020-07-01, "
                 "end: 2020-07-02, personnel: 500}\n"
                 "    - {mission: efp_lithuania, ally: PRT, action: join, start: 2020-07-02, "
                 "end: 2020-12-31, personnel: 500}\n"
                 "    - {mission: efp_lithuania, ally: DEU, action: withdraw, start: 2020-03-01, "
                 "end: 2020-06-30}\n")
    d = schedule(path).deployments

    def spans(ally: str) -> list[tuple[str, str]]:
        rows = d[(d.ally == ally) & (d.start.dt.year == 2020)]
        return [(f"{s:%Y-%m-%d}", f"{e:%Y-%m-%d}")
                for s, e in zip(rows.start, rows.end, strict=True)]

    assert spans("ISL") == [("2020-07-01", "2020-07-02")]
    assert spans("PRT") == [("2020-07-02", "2020-12-30")]  # the rotation ends 182 days on
    assert spans("DEU") == [("2020-01-01", "2020-03-01"), ("2020-06-30", "2020-07-01"),
                            ("2020-07-01", "2020-12-30")]
    opened = d[(d.start == pd.Timestamp("2020-03-01")) & (d.end == pd.Timestamp("2020-06-30"))]
    assert len(opened) == 1 and opened.ally.iloc[0] not in ("DEU", "")


def test_a_maritime_join_adds_one_ship_at_a_time(tmp_path):
    """SNMG1's recorded command terms run beside its escorts' rotations: a join follows the
    escorts' rotations only (it added a second ship over each command term)."""
    path = write(tmp_path, HEAD + "deployment:\n  missions: [snmg1]\n  changes: [{mission: "
                 "snmg1, ally: ISL, action: join, start: 2020-01-01, end: 2021-01-01, ships: 1}]\n")
    plan, _, baseline = _plan(path)
    joined = sorted((s.start, s.end) for s in plan.slots if s.ally == baseline.index("ISL"))
    lo, hi = (date(2020, 1, 1) - plan.origin).days, (date(2021, 1, 1) - plan.origin).days
    assert joined[0][0] == lo and joined[-1][1] == hi
    assert all(a[1] == b[0] for a, b in zip(joined[:-1], joined[1:], strict=True))  # end to end


def test_sweeping_the_policy_with_an_elastic_engine_is_refused(tmp_path):
    path = write(tmp_path, HEAD.replace("{rule: deploying_nation_pays}",
                                        "{rule: common_fund, fraction: 1.0}")
                 + "deployment: {plan: open, elasticity: 1.0}\n")
    with pytest.raises(BurdenSimError, match="policy.fraction: with deployment.elasticity"):
        burden_sim.sweep(path, {"policy.fraction": [0.5, 1.0]})


def run_cli(monkeypatch, capsys, path):
    out = path.parent / "out.csv"
    monkeypatch.setattr(sys, "argv", ["burden-sim", "run", str(path), "-o", str(out)])
    with pytest.raises(SystemExit) as exit_:
        main()
    err = capsys.readouterr().err
    assert not out.exists()
    return exit_.value.code, err


@pytest.mark.parametrize("block, message", [
    ("deployment: {interval_days: {baltic_air_policing: 0}}",
     "engine.yaml:4: deployment.interval_days.baltic_air_policing: Input should be greater "
     "than or equal to 7"),
    ("deployment:\n  changes: [{mission: baltic_air_policing, ally: NOR, action: join, "
     "start: 2020-01-01, aircraft: 4, aircraft_type: F-22}]",
     "engine.yaml:5: deployment.changes[0].aircraft_type: unknown aircraft type 'F-22'"),
    ("deployment:\n  surges: [{mission: efp_latvia, start: 2030-01-01, days: 30, factor: 2}]",
     "engine.yaml:5: deployment.surges[0].start: 2030-01-01 is outside the horizon "
     "(2017-01-01 to 2024-12-31)"),
    ("deployment:\n  missions: [icelandic_air_policing]\n  pools: {"
     + ", ".join(f"{a}: {{fighter: 0}}" for a in ("ITA", "CAN", "DNK", "USA", "GBR", "NOR",
                                                  "POL", "PRT")) + "}",
     "engine.yaml:6: deployment.pools: no ally can contribute to icelandic_air_policing: every "
     "non-host ally's fighter pool is empty"),
    ("deployment: {missions: [bap]}", "engine.yaml:4: deployment.missions[0]: no mission 'bap' "
     "in the catalogue"),
    ("deployment: {elasticty: 1}", "deployment.elasticty: unknown field (did you mean "
     "'elasticity'?)"),
    ("deployment: {}\nmissions: [{id: m, name: M, hosts: [EST], contributions: [{ally: GBR, "
     "role: framework, start: 2017, troops: 1}]}]",
     "engine.yaml:1: (top level): give missions: (a list or a file) or deployment: (the "
     "engine), "
     "not both"),
])
def test_bad_deployment_blocks_are_one_line_errors(tmp_path, monkeypatch, capsys, block,
                                                   message):
    code, err = run_cli(monkeypatch, capsys, write(tmp_path, HEAD + block + "\n"))
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_the_timeline_draws_each_dated_deployment_inside_the_horizon(history):
    from burden_sim.present import plots

    scenario, baseline = api.load(SCENARIOS / "engine_history.yaml")
    d = history.deployments
    fig = plots.timeline(scenario, baseline.edition, None, d)
    inside = (d.end > pd.Timestamp("2017-01-01")) & (d.start < pd.Timestamp("2025-01-01"))
    assert len(fig.axes[0].collections) == int(inside.sum())
    assert "deployment engine" in fig.axes[0].get_xlabel()


def test_every_catalogue_figure_cites_a_known_source():
    import re

    data = catalogue.CATALOGUE_DIR
    known = set(pd.read_csv(data.parent / "sources.csv")["source_id"])
    pattern = re.compile(r"\b(?:M_[A-Z]\d+|R_[A-Z]+\d+|UC_[A-Z0-9_]+"
                         r"|(?:AC|CP|SH|CAL|CHK|CORR)_[A-Z0-9_]+)\b")
    for name in ("air_policing", "land", "land_plans", "maritime", "exercises"):
        table = pd.read_csv(data / f"{name}.csv", keep_default_na=False)
        for row, text in enumerate(table.source):
            cited = set(pattern.findall(text))
            assert cited, f"{name}.csv row {row}: no source"
            assert cited <= known, (name, row, cited - known)
    assert set(pattern.findall((data / "missions.yaml").read_text())) <= known


def test_germanys_brigade_replaces_its_battlegroup_contingent():
    """data/catalogue/land_plans.csv: about 1,800 from February 2026, 4,800 from 2028 (R_N01,
    UC_DE_BRIGADE_2024); it takes effect at the next rotation (1 January or 2 July)."""
    s = schedule(SCENARIOS / "engine_brigade_lithuania.yaml")
    d = s.deployments
    germany = d[(d.mission == "efp_lithuania") & (d.ally == "DEU")]

    def present(day):
        day = pd.Timestamp(day)
        return germany[(germany.start <= day) & (germany.end > day)].personnel.sum()

    assert present("2025-06-01") == 1132  # the last recorded contingent (2022-2024) stays
    assert present("2026-03-01") == 1132  # the February change waits for the July rotation
    assert present("2026-08-01") == 1800
    assert present("2029-03-01") == 4800
    netherlands = d[(d.mission == "efp_lithuania") & (d.ally == "NLD")]
    assert netherlands.start.max() >= pd.Timestamp("2030-01-01")  # others stay as recorded
