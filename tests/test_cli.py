"""The command line: tables, outputs, and one-line errors for bad input."""

import io
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import burden_sim
from burden_sim.cli import main

TINY = """\
name: tiny
years: {start: 2022, end: 2023}
policy: {rule: common_fund, fraction: 0.5, key: equal}
missions:
  - id: m1
    name: Test mission
    hosts: [EST]
    contributions:
      - {ally: GBR, role: framework, start: 2022, end: 2023, troops: 100}
      - {ally: FRA, role: contributor, start: 2022, troops: 50, months: 6}
"""


def cli(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", ["burden-sim", *map(str, args)])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def broken(tmp_path, old, new):
    path = tmp_path / "broken.yaml"
    assert old in TINY
    path.write_text(TINY.replace(old, new))
    return path


def test_run_prints_a_table_and_writes_tidy_csv(monkeypatch, capsys, tiny, tmp_path):
    out = tmp_path / "out.csv"
    code, stdout, _ = cli(monkeypatch, capsys, "run", tiny, "--output", out)
    assert code == 0
    assert "GBR" in stdout and "NATO" in stdout
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["scenario", "ally", "year", "gross_usd", "reimbursed_usd",
                                   "contributed_usd", "net_usd", "net_pct_gdp",
                                   "net_change_usd", "net_change_pct_gdp"]
    assert len(frame) == 32 * 2
    # Money is moved, never made: per year, net costs add up to gross costs.
    totals = frame.groupby("year")[["gross_usd", "net_usd", "net_change_usd"]].sum()
    assert totals["net_usd"].to_numpy() == pytest.approx(totals["gross_usd"].to_numpy(), rel=1e-9)
    assert totals["net_change_usd"].abs().max() < 1e-6 * totals["gross_usd"].max()
    # the change the table prints: the same as compare's against the deploying nation paying
    paired = burden_sim.api.against_status_quo(tiny)
    change = paired["net_change"].isel(scenario=-1).to_series().rename("c").reset_index()
    merged = frame.merge(change, on=["ally", "year"])
    assert merged["net_change_usd"].to_numpy() == pytest.approx(merged["c"].to_numpy(),
                                                                abs=1e-6)


def test_run_writes_netcdf(monkeypatch, capsys, tiny, tmp_path):
    out = tmp_path / "out.nc"
    assert cli(monkeypatch, capsys, "run", tiny, "-o", out)[0] == 0
    with xr.open_dataset(out) as ds:
        assert set(ds["net"].dims) == {"ally", "year"}
        assert ds.attrs["rule"] == "common_fund"


def test_another_edition_can_be_chosen(monkeypatch, capsys, tmp_path):
    path = broken(tmp_path, "years:", "edition: '2025-08'\nyears:")
    code, stdout, _ = cli(monkeypatch, capsys, "validate", path)
    assert code == 0 and "edition 2025-08" in stdout


def test_validate(monkeypatch, capsys, tiny):
    code, stdout, _ = cli(monkeypatch, capsys, "validate", tiny)
    assert code == 0 and "valid (1 missions, 2 contributions, 2022-2023" in stdout


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("policy:", "polcy:", "broken.yaml:3: polcy: unknown field (did you mean 'policy'?)"),
        ("ally: GBR", "ally: GBX", "broken.yaml:9: missions[0].contributions[0].ally: unknown ally "
         "'GBX'"),
        ("troops: 100", "troops: -100", "broken.yaml:9: missions[0].contributions[0].troops: "
         "Input should be greater than or equal to 0"),
        ("fraction: 0.5", "fraction: 1.5", "broken.yaml:3: policy.fraction: Input should be "
         "less than or equal to 1"),
        ("end: 2023}", "end: 2030}", "broken.yaml:2: years.end: no GDP figures for 2030 "
         "(gdp.csv covers 2014-2024; add a projection: block to go further)"),
        ("years: {start: 2022, end: 2023}", "edition: '2025-08'\nyears: {start: 2022, end: 2025}",
         "broken.yaml:3: years.end: no GDP figures for 2025 (gdp.csv covers 2014-2024;"),
        ("years: {start: 2022", "edition: '2019-06'\nyears: {start: 2022",
         "broken.yaml:2: edition: editions.csv: unknown edition '2019-06' (known: 2024-06, "
         "2025-08)"),
        ("key: equal}", "key: {name: custom, weights: {GBR: 1, FRA: 1}}}",
         "broken.yaml:3: policy.key.weights: the key does not cover every ally: no weight for "
         "BEL, CAN"),
        ("key: equal}", "key: equal, annual_cap_usd: -5}", "broken.yaml:3: "
         "policy.annual_cap_usd: Input should be greater than or equal to 0"),
        ("key: equal}", "key: {name: equal, caps: [{ally: USA, at_share_of: GER}]}}",
         "broken.yaml:3: policy.key.caps[0].at_share_of: unknown ally 'GER'"),
        ("key: equal}", "key: {name: equal, caps: [{ally: USA, max_share: 1.5}]}}",
         "broken.yaml:3: policy.key.caps[0].max_share: Input should be less than or equal to 1"),
        ("key: equal}", "key: equal, eligible_categories: [fuel]}", "broken.yaml:3: "
         "policy.eligible_categories[0]: unknown cost category 'fuel' (allowed here: "
         "person_year, aircraft_month, host_support, person_move)"),
        ("key: equal", "key: natto", "broken.yaml:3: policy.key.name: Input should be "
         "'nato', 'nato_derived', 'gdp', 'population', 'un_regular', 'equal' or 'custom', got "
         "'natto'"),
        ("hosts: [EST]", "hosts: [EST", "broken.yaml:8: yaml: not valid YAML"),
        ("ally: FRA, role: contributor, start: 2022", "ally: MKD, role: contributor, start: 2019",
         "broken.yaml:10: missions[0].contributions[1].start: MKD joined NATO in 2020, after 2019"),
        ("key: equal}", "key: equal, eligible_missions: [m2]}",
         "broken.yaml:3: policy.eligible_missions[0]: no mission 'm2' (missions: m1)"),
    ],
)
def test_bad_input_is_one_line_naming_file_and_field(monkeypatch, capsys, tmp_path, old, new,
                                                     message):
    out = tmp_path / "out.csv"
    code, stdout, stderr = cli(monkeypatch, capsys, "run", broken(tmp_path, old, new), "-o", out)
    assert code == 2
    assert message in stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert not out.exists() and not list(tmp_path.glob("*.part"))


def test_unknown_output_format_fails_before_running(monkeypatch, capsys, tiny, tmp_path):
    code, _, stderr = cli(monkeypatch, capsys, "run", tiny, "-o", tmp_path / "out.xlsx")
    assert code == 2 and "unknown output format '.xlsx' (allowed: .csv, .nc)" in stderr


def test_missing_file(monkeypatch, capsys, tmp_path):
    code, _, stderr = cli(monkeypatch, capsys, "validate", tmp_path / "nope.yaml")
    assert code == 2 and "nope.yaml: file: cannot read it" in stderr


def test_usage_errors_exit_2_without_traceback(monkeypatch, capsys):
    code, _, stderr = cli(monkeypatch, capsys, "bogus")
    assert code == 2 and "No such command 'bogus'" in stderr and "Traceback" not in stderr


def test_compare_prints_changes_and_writes_csv_and_parquet(monkeypatch, capsys, tiny, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(TINY.replace("name: tiny", "name: other").replace(
        "rule: common_fund", "rule: deploying_nation_pays"))
    for suffix in (".csv", ".parquet"):
        out = tmp_path / f"cmp{suffix}"
        code, stdout, _ = cli(monkeypatch, capsys, "compare", other, tiny, "-o", out)
        assert code == 0 and "tiny against other" in stdout and "net, tiny" in stdout
        frame = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
        assert set(frame["scenario"]) == {"other", "tiny"}
        assert len(frame) == 2 * 32 * 2
        assert (frame.query("scenario == 'other'")["net_change_usd"] == 0).all()
        # The fund only moves money: the changes add up to zero in each year.
        assert frame.query("scenario == 'tiny'").groupby("year")["net_change_usd"].sum().abs(
            ).max() < 1e-6


def test_compare_rejects_different_years(monkeypatch, capsys, tiny, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(TINY.replace("name: tiny", "name: other").replace("end: 2023}", "end: 2022}"))
    code, _, stderr = cli(monkeypatch, capsys, "compare", tiny, other)
    assert code == 2
    assert "scenarios cover different years: tiny 2022-2023, other 2022-2022" in stderr


UNCERTAIN = TINY + """\
parameters:
  unit_costs.person_year: {distribution: pert}
  policy.fraction: {distribution: uniform, low: 0.2, high: 1.0}
"""


@pytest.fixture
def uncertain(tmp_path):
    path = tmp_path / "uncertain.yaml"
    path.write_text(UNCERTAIN)
    return path


def test_a_sweep_says_it_does_not_use_the_scenarios_samples(monkeypatch, capsys, uncertain,
                                                             tmp_path):
    """Each row runs at the central unit costs, so `run`'s mean over samples: differs from
    the row at the same fraction; the sweep dropped samples: without a word."""
    sampled = tmp_path / "sampled.yaml"
    sampled.write_text(UNCERTAIN + "samples: 3\n")
    code, stdout, _ = cli(monkeypatch, capsys, "sweep", sampled, "--samples", 4, "--workers", 1,
                          "-o", tmp_path / "s.zarr")
    assert code == 0 and ("The scenario's samples: 3 is not used: each row runs at the central "
                          "unit costs" in " ".join(stdout.split()))
    code, stdout, _ = cli(monkeypatch, capsys, "sweep", uncertain, "--samples", 4, "--workers",
                          1, "-o", tmp_path / "t.zarr")
    assert code == 0 and "is not used" not in stdout


def test_sweep_writes_a_zarr_store_and_resumes(monkeypatch, capsys, uncertain, tmp_path):
    out = tmp_path / "sweep.zarr"
    args = ("sweep", uncertain, "--samples", 30, "--chunk-size", 10, "--workers", 1, "-o", out)
    code, stdout, stderr = cli(monkeypatch, capsys, *args)
    assert code == 0 and "30 samples in 3 chunks (3 this run)" in stdout
    assert stderr == ""  # the progress bar is drawn on a terminal only, and cleared
    with burden_sim.open_sweep(out) as ds:
        assert ds["net"].dims == ("sample", "ally", "year") and ds.sizes["sample"] == 30
        assert ds["policy.fraction"].attrs["path"] == "policy.fraction"
        assert ds["policy.fraction"].attrs["units"] == "1"
        first = ds["net"].values
    (out / "burden_sim_done" / "2.done").unlink()
    code, stdout, _ = cli(monkeypatch, capsys, *args, "--resume")
    assert code == 0 and "(1 this run)" in stdout
    with burden_sim.open_sweep(out) as ds:
        assert np.array_equal(ds["net"].values, first)


def test_a_sweep_stopped_by_its_machine_says_how_to_finish(monkeypatch, capsys, uncertain,
                                                           tmp_path):
    """A full disk or a killed worker mid-sweep: one line, the chunks kept and --resume (it
    was a traceback, and the finished chunks went unmentioned)."""
    from burden_sim.explore import executors

    def fails_after(count, error):
        def executor(sweep, indices, directory):
            yield from itertools.islice(executors.serial(sweep, indices, directory), count)
            raise error
        return lambda scheduler, workers: executor

    out = tmp_path / "sweep.zarr"
    args = ("sweep", uncertain, "--samples", 30, "--chunk-size", 10, "--workers", 1, "-o", out)
    monkeypatch.setattr(executors, "for_options", fails_after(1, OSError(28, "No space left "
                                                                          "on device")))
    code, stdout, stderr = cli(monkeypatch, capsys, *args)
    assert (code, stdout) == (1, "")
    assert stderr == (f"error: the sweep stopped (OSError: [Errno 28] No space left on device); "
                      f"1 of 3 chunks are in {out}; run the same command with --resume to "
                      "finish\n")
    monkeypatch.setattr(executors, "for_options", fails_after(0, MemoryError()))
    code, _, stderr = cli(monkeypatch, capsys, *args, "--resume")
    assert (code, stderr) == (1, f"error: the sweep stopped (MemoryError); 1 of 3 chunks are "
                              f"in {out}; run the same command with --resume to finish\n")
    fresh = tmp_path / "fresh.zarr"
    code, _, stderr = cli(monkeypatch, capsys, *args[:-1], fresh)
    assert (code, stderr) == (1, f"error: the sweep stopped (MemoryError); no chunk was "
                              f"written, and {fresh} was not kept\n")
    assert not fresh.exists()


def test_a_sweep_killed_by_sigterm_says_how_to_finish(monkeypatch, capsys, uncertain, tmp_path):
    """SIGTERM (a killed job) ended a sweep without a word; it says what Ctrl-C says, with
    its own exit code (a review)."""
    import os
    import signal

    from burden_sim.explore import executors

    def killed_after_one(sweep, indices, directory):
        yield from itertools.islice(executors.serial(sweep, indices, directory), 1)
        os.kill(os.getpid(), signal.SIGTERM)
        yield from ()

    monkeypatch.setattr(executors, "for_options", lambda scheduler, workers: killed_after_one)
    out = tmp_path / "sweep.zarr"
    code, _, stderr = cli(monkeypatch, capsys, "sweep", uncertain, "--samples", 30,
                          "--chunk-size", 10, "--workers", 1, "-o", out)
    assert (code, stderr) == (143, f"interrupted: 1 of 3 chunks are in {out}; run the same "
                              "command with --resume to finish\n")


def test_a_sweep_larger_than_the_free_space_warns_and_runs(monkeypatch, capsys, uncertain,
                                                          tmp_path):
    import shutil

    from burden_sim.explore import store

    free = shutil.disk_usage(tmp_path)._replace(free=1000)
    monkeypatch.setattr(store.shutil, "disk_usage", lambda path: free)
    out = tmp_path / "sweep.zarr"
    code, stdout, stderr = cli(monkeypatch, capsys, "sweep", uncertain, "--samples", 30,
                               "--workers", 1, "-o", out)
    assert code == 0 and "30 samples in 1 chunk (1 this run)" in stdout
    assert stderr.startswith(f"warning: {out}: the store may need up to ")
    assert stderr.endswith(" kB (before compression) and its disk has 1.0 kB free; fewer "
                           "variables (--variables), float32 (--dtype) or fewer samples make "
                           "it smaller\n")
    assert stderr.count("\n") == 1


@pytest.mark.parametrize(("extra", "message"), [
    (("--set", "policy.fraction"), "--set policy.fraction: expected PATH=VALUES"),
    (("--set", "policy.nothing=1,2"), "policy.nothing: names no field of the scenario"),
    (("--samples", "0"), "--samples 0: give a positive number of samples"),
    (("--scheduler", "tcp://127.0.0.1:9"), "--scheduler tcp://127.0.0.1:9: cannot reach"),
    (("--variables", "net,wealth"), "--variables wealth: not a sampled result"),
])
def test_bad_sweep_options_write_nothing(monkeypatch, capsys, uncertain, tmp_path, extra,
                                         message):
    out = tmp_path / "sweep.zarr"
    code, _, stderr = cli(monkeypatch, capsys, "sweep", uncertain, "--samples", 10, *extra,
                          "-o", out)
    assert code == 2 and message in stderr and "Traceback" not in stderr
    assert not out.exists()


def test_sensitivity_table_and_plot(monkeypatch, capsys, uncertain, tmp_path):
    plot = tmp_path / "sobol.png"
    code, stdout, _ = cli(monkeypatch, capsys, "sensitivity", uncertain, "--output-var", "net",
                          "--ally", "GBR", "--samples", 64, "--plot", plot)
    assert code == 0 and "Sobol indices of net of GBR" in stdout
    assert "unit_costs.person_year" in stdout and "policy.fraction" in stdout
    assert plot.stat().st_size > 10_000
    code, _, stderr = cli(monkeypatch, capsys, "sensitivity", uncertain, "--output-var", "net")
    assert code == 2 and "--output-var net: a per-ally result: give an ally" in stderr
    # the same seed (the scenario's, 0 by default) gives the same confidence intervals too
    args = ("sensitivity", uncertain, "--output-var", "net", "--ally", "GBR", "--samples", 16,
            "--format", "csv")
    assert cli(monkeypatch, capsys, *args)[1] == cli(monkeypatch, capsys, *args)[1]


@pytest.mark.parametrize("kind", ["change", "spending", "sweep", "sobol", "timeline"])
def test_plot_every_kind(monkeypatch, capsys, tiny, uncertain, tmp_path, kind):
    other = tmp_path / "other.yaml"
    other.write_text(TINY.replace("name: tiny", "name: other").replace(
        "rule: common_fund", "rule: deploying_nation_pays"))
    compared = tmp_path / "cmp.nc"
    assert cli(monkeypatch, capsys, "compare", other, tiny, "-o", compared)[0] == 0
    inputs = {"change": (compared,), "spending": (compared,), "timeline": (tiny,)}
    if kind == "sweep":
        store = tmp_path / "s.zarr"
        assert cli(monkeypatch, capsys, "sweep", uncertain, "--samples", 40, "--workers", 1,
                   "-o", store)[0] == 0
        inputs["sweep"] = (store, "--ally", "GBR", "--parameter", "policy.fraction")
    if kind == "sobol":
        table = tmp_path / "idx.csv"
        assert cli(monkeypatch, capsys, "sensitivity", uncertain, "--output-var", "net",
                   "--ally", "GBR", "--samples", 32, "-o", table)[0] == 0
        inputs["sobol"] = (table,)
    figure = tmp_path / f"{kind}.png"
    code, stdout, stderr = cli(monkeypatch, capsys, "plot", *inputs[kind], "--kind", kind,
                               "-o", figure)
    assert code == 0, stderr
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and figure.stat().st_size > 10_000


def test_plot_rejects_a_mismatched_input(monkeypatch, capsys, tiny, tmp_path):
    code, _, stderr = cli(monkeypatch, capsys, "plot", tiny, "--kind", "pie", "-o",
                          tmp_path / "x.png")
    assert code == 2 and "--kind pie: not one of change, spending, sweep, sobol, timeline" in stderr
    out = tmp_path / "run.nc"
    assert cli(monkeypatch, capsys, "run", tiny, "-o", out)[0] == 0
    code, _, stderr = cli(monkeypatch, capsys, "plot", out, "--kind", "change", "-o",
                          tmp_path / "x.png")
    assert code == 2 and "--kind change needs a comparison" in stderr
    assert not (tmp_path / "x.png").exists()


def test_with_samples_the_central_values_and_their_band_come_from_the_same_draws(
        monkeypatch, capsys, tiny, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(TINY.replace("name: tiny", "name: other").replace(
        "rule: common_fund", "rule: deploying_nation_pays"))
    said = "Central values: the mean over the scenarios' 3 draws of the unit costs"
    code, stdout, _ = cli(monkeypatch, capsys, "compare", other, tiny, "--set", "samples=3")
    flat = " ".join(stdout.split())
    assert code == 0 and said in flat and "over the 3 draws of the unit costs that" in flat
    # samples or, with samples, seeds that differ cannot be compared sample by sample
    more = tmp_path / "more.yaml"
    more.write_text(TINY.replace("name: tiny", "name: more") + "samples: 5\n")
    code, _, stderr = cli(monkeypatch, capsys, "compare", other, tiny, more)
    assert code == 2 and stderr == ("error: scenarios draw with different samples (other 0, "
                                    "tiny 0, more 5): set the same samples: in each, or none, "
                                    "so that a change is taken sample by sample, at the same "
                                    "prices\n")
    code, _, stderr = cli(monkeypatch, capsys, "compare", other, more, "--set", "samples=3")
    assert code == 0  # --set gives every scenario 3
    seeded = tmp_path / "seeded.yaml"
    seeded.write_text(TINY.replace("name: tiny", "name: seeded") + "samples: 5\nseed: 9\n")
    code, _, stderr = cli(monkeypatch, capsys, "compare", more, seeded)
    assert code == 2 and "different seed (more 0, seeded 9)" in stderr
    code, stdout, _ = cli(monkeypatch, capsys, "compare", other, tiny)
    assert code == 0 and "Central values" not in stdout


def test_a_run_of_one_sample_sits_inside_its_band(monkeypatch, capsys):
    """One draw of the unit costs: the central values are that draw, and so is the band (it
    was the fixed 1,000 draws', which 28 of 32 allies' changes lay outside at seed 6)."""
    scenario = Path(burden_sim.__file__).parents[2] / "scenarios" / "common_fund.yaml"
    code, stdout, _ = cli(monkeypatch, capsys, "run", scenario, "--set",
                          "samples=1", "--set", "seed=6", "--format", "csv")
    assert code == 0
    rows = pd.read_csv(io.StringIO(stdout))
    assert len(rows) == 32
    assert (rows.net_change_p05_usd_m <= rows.net_change_usd_m + 1e-9).all()
    assert (rows.net_change_usd_m <= rows.net_change_p95_usd_m + 1e-9).all()
    assert np.allclose(rows.net_change_p05_usd_m, rows.net_change_p95_usd_m)  # one draw


def test_run_writes_the_change_it_prints_when_the_engine_redeploys(monkeypatch, capsys,
                                                                   tmp_path):
    """Allies volunteer in response to the fund (elasticity): the reference re-runs the engine
    with no fund, so the change is not net - gross; the file holds the printed change."""
    scenario = Path(burden_sim.__file__).parents[2] / "scenarios" / "engine_open_common_fund.yaml"
    out = tmp_path / "out.csv"
    assert cli(monkeypatch, capsys, "run", scenario, "-o", out)[0] == 0
    written = pd.read_csv(out).groupby("ally")["net_change_usd"].sum()
    paired = burden_sim.api.against_status_quo(scenario)
    printed = paired["net_change"].isel(scenario=-1).sum("year").to_series()
    assert written.to_numpy() == pytest.approx(printed[written.index].to_numpy(), abs=1e-3)
    gross = pd.read_csv(out).groupby("ally")[["net_usd", "gross_usd"]].sum()
    assert (gross.net_usd - gross.gross_usd - written).abs().max() > 1e6  # not net - gross


def test_plot_change_of_a_comparison_with_samples(monkeypatch, capsys, tiny, tmp_path):
    """The bars are the central values (the mean of the samples), as in the tables."""
    other = tmp_path / "other.yaml"
    other.write_text(TINY.replace("name: tiny", "name: other").replace(
        "rule: common_fund", "rule: deploying_nation_pays"))
    compared, figure = tmp_path / "c.nc", tmp_path / "change.png"
    assert cli(monkeypatch, capsys, "compare", other, tiny, "--set", "samples=3",
               "-o", compared)[0] == 0
    assert cli(monkeypatch, capsys, "plot", compared, "--kind", "change", "-o", figure)[0] == 0
    assert figure.stat().st_size > 1000


def test_run_says_which_fund_settings_a_deploying_nation_pays_scenario_ignores(
        monkeypatch, capsys, tmp_path):
    status_quo = tmp_path / "sq.yaml"
    status_quo.write_text(TINY.replace("rule: common_fund", "rule: deploying_nation_pays"))
    code, stdout, _ = cli(monkeypatch, capsys, "run", status_quo, "--set",
                          "policy.annual_cap_usd=1e8")
    text = " ".join(stdout.split())
    assert code == 0 and ("Not applied: policy.fraction, policy.key, policy.annual_cap_usd. "
                          "Under rule deploying_nation_pays there is no fund") in text
    code, stdout, _ = cli(monkeypatch, capsys, "run", Path(burden_sim.__file__).parents[2]
                          / "scenarios" / "deploying_nation_pays.yaml")
    assert code == 0 and "Not applied" not in stdout


def test_python_dash_m_runs_the_command_line(monkeypatch, capsys):
    import runpy

    monkeypatch.setattr(sys, "argv", ["python -m burden_sim", "--version"])
    with pytest.raises(SystemExit) as done:
        runpy.run_module("burden_sim", run_name="__main__")
    assert done.value.code == 0
    assert capsys.readouterr().out == f"burden-sim {burden_sim.__version__}\n"


def test_sigterm_while_writing_leaves_no_partial_file(monkeypatch, capsys, tiny, tmp_path):
    """A killed job (SIGTERM) while a file is written: exit code 143 and nothing in the
    folder; the default action ended the process at once and left '.out.csv.XXXX.part'."""
    import os
    import signal

    from burden_sim.present import files

    real = files.write_atomically

    def killed_half_way(path, write):
        def half(tmp):
            Path(tmp).write_text("half a file")
            os.kill(os.getpid(), signal.SIGTERM)  # the handler runs here, in this thread
        return real(path, half)

    monkeypatch.setattr(files, "write_atomically", killed_half_way)
    out = tmp_path / "out"
    out.mkdir()
    code, _, _ = cli(monkeypatch, capsys, "run", tiny, "--output", out / "out.csv")
    assert code == 143 and list(out.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored after the command


def test_running_out_of_memory_is_one_line(monkeypatch, capsys, tiny):
    """Past the samples: budget's estimate, a MemoryError is still one line, no traceback
    (hunt2 #14)."""
    import burden_sim.api

    def exhausted(*args, **kwargs):
        raise MemoryError("Unable to allocate 6.10 GiB")

    monkeypatch.setattr(burden_sim.api, "against_status_quo", exhausted)
    code, out, err = cli(monkeypatch, capsys, "run", tiny)
    assert code == 1 and not out
    assert err == ("error: out of memory: draw fewer samples, or use burden-sim sweep for large "
                   "Monte Carlo\n")


@pytest.mark.parametrize("variables, drawn", [
    (("allies_at_2pct",), None), (("allies_at_2pct", "gini_net_pct_gdp"), None),
    (("net_pct_gdp", "allies_at_2pct"), "net_pct_gdp"), (("net",), "net")])
def test_plot_sweep_of_a_store_without_net(monkeypatch, capsys, uncertain, tmp_path, variables,
                                           drawn):
    """A store swept with --variables that leave out net and net_change (hunt2 #20: a
    KeyError traceback): its per-ally result is drawn; with none, one line says what the
    store keeps."""
    store = tmp_path / "s.zarr"
    assert cli(monkeypatch, capsys, "sweep", uncertain, "--samples", 8, "--workers", 1,
               "--variables", ",".join(variables), "-o", store)[0] == 0
    figure = tmp_path / "s.png"
    for ally in (("--ally", "GBR"), ()):
        code, stdout, stderr = cli(monkeypatch, capsys, "plot", store, "--kind", "sweep",
                                   *ally, "-o", figure)
        if drawn is None:
            assert (code, stdout) == (2, "") and stderr == (
                f"error: {store}: --kind sweep draws a result per ally; this store keeps "
                f"{', '.join(variables)} (sweep with --variables net to draw it)\n")
        elif ally:
            assert code == 0, stderr
            assert figure.stat().st_size > 10_000
        else:
            assert code == 2 and "--ally: give one of the results' allies" in stderr
    assert not figure.exists() or drawn is not None
