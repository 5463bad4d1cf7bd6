"""Sweeps: designs, determinism across executors, resuming, and bad input."""

import itertools
import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from scipy import stats

import burden_sim
from burden_sim import load
from burden_sim.errors import BurdenSimError
from burden_sim.explore import designs, executors, store
from burden_sim.explore.evaluator import Evaluator
from burden_sim.explore.sweep import plan_sweep
from burden_sim.inputs.schema import Uncertain

ROOT = Path(__file__).resolve().parents[1]
SCENARIO, BASELINE = load(ROOT / "scenarios" / "common_fund.yaml")
PARAMETERS = {
    "unit_costs.person_year": Uncertain(distribution="pert"),
    "policy.fraction": Uncertain(distribution="uniform", low=0.5, high=1.0),
}


def plan(**kw):
    args = {"design": "mc", "samples": 50, "seed": 11, "chunk_size": 20,
            "overrides": PARAMETERS} | kw
    return plan_sweep(SCENARIO, BASELINE, **args)


def stored(path):
    with burden_sim.open_sweep(path) as ds:
        return ds.load()


def test_pert_from_the_shipped_range():
    p = plan()
    spec = p.parameters[0].spec
    assert (spec.low, spec.mode, spec.high) == (38386, 132540, 200000)
    dist = designs.distribution(spec)
    assert dist.mean() == pytest.approx((38386 + 4 * 132540 + 200000) / 6)


def test_designs_stay_in_bounds_and_lhs_stratifies():
    for design in ("lhs", "sobol", "mc"):
        values = np.concatenate([Evaluator(plan(design=design)).parameter_values(i)
                                 for i in range(3)])
        assert values.shape == (50, 2)
        assert (values[:, 0] >= 38386).all() and (values[:, 0] <= 200000).all()
        assert (values[:, 1] >= 0.5).all() and (values[:, 1] <= 1.0).all()
    u = Evaluator(plan(design="lhs", chunk_size=50)).unit_points(0)
    for column in u.T:  # one point in each of the 50 equal strata
        assert sorted((column * 50).astype(int)) == list(range(50))


def test_grid_is_the_cartesian_product_of_values():
    p = plan(design="grid", samples=None, overrides={
        "policy.fraction": Uncertain(values=[0.0, 0.5, 1.0]),
        "unit_costs.person_year": Uncertain(values=[30000, 60000])})
    assert p.samples == 6
    values = Evaluator(p).parameter_values(0)
    assert sorted(map(tuple, values)) == sorted(
        (f, c) for f in (0.0, 0.5, 1.0) for c in (30000.0, 60000.0))


def test_a_sweep_result_equals_a_single_run():
    # Rows of a sweep are ordinary runs: fraction 0 is the deploying nation paying.
    p = plan(design="grid", samples=None, overrides={
        "policy.fraction": Uncertain(values=[0.0, 1.0])})
    result = Evaluator(p).chunk(0)
    zero = np.flatnonzero(result["parameters"][:, 0] == 0.0)[0]
    assert np.allclose(result["reimbursed"][zero], 0.0)
    assert np.allclose(result["net"].sum(axis=1), result["net"].sum(axis=1)[zero])


def test_structural_parameters_rerun_the_schedule():
    p = plan(design="grid", samples=None, overrides={
        "missions.efp_estonia.contributions.0.troops": Uncertain(values=[800, 1600])})
    result = Evaluator(p).chunk(0)
    gbr = list(p.baseline.allies).index("GBR")
    small, large = result["net"][:, gbr, 0]  # 2017, the UK framework contingent doubled
    assert large > small


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "s.zarr"
    store.run_into_store(plan(), out, executors.serial)
    return stored(out)


def test_same_seed_same_numbers_on_one_core_two_processes_and_dask(tmp_path, reference):
    two = tmp_path / "two.zarr"
    store.run_into_store(plan(), two, executors.processes(2))
    xr.testing.assert_identical(stored(two), reference)
    cluster = tmp_path / "dask.zarr"
    store.run_into_store(plan(), cluster, executors.dask("local", workers=2))
    xr.testing.assert_identical(stored(cluster), reference)


def test_an_interrupted_sweep_resumes_to_the_same_store(tmp_path, reference):
    out = tmp_path / "s.zarr"

    def stops_after_two(p, indices, directory):
        chunks = executors.serial(p, indices, directory)  # writes each chunk as it runs
        yield next(chunks)
        yield next(chunks)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.run_into_store(plan(), out, stops_after_two)
    assert len(list((out / store.DONE).glob("*.done"))) == 2
    # an unfinished store is refused (it read as NaN rows, and plot drew an empty figure)
    with pytest.raises(BurdenSimError, match="an unfinished sweep, 2 of 3 chunks written: "
                       "finish it with the command that made it and --resume"):
        burden_sim.open_sweep(out)
    partial = burden_sim.open_sweep(out, partial=True)
    assert partial.attrs["chunks_written"] == "2 of 3"
    assert int(np.isnan(partial["net"].values).any(axis=(1, 2)).sum()) == 10  # the third chunk
    # A chunk killed half-way: data partly written, no mark. Resume must redo it.
    (out / store.DONE / "1.done").unlink()
    written = store.run_into_store(plan(), out, executors.serial, resume=True)
    assert sorted(written) == [1, 2]
    xr.testing.assert_identical(stored(out), reference)


def test_a_sweep_that_fails_before_a_chunk_leaves_no_store_and_after_one_keeps_it(tmp_path):
    """Any error, not only bad input found late (a traceback left a store that then blocked
    the same command: 'already exists'); but finished chunks are kept, to resume (a review:
    a worker killed for memory would have taken them with it)."""
    def fails_after(count):
        def executor(sweep, indices, directory):
            yield from itertools.islice(executors.serial(sweep, indices, directory), count)
            raise MemoryError
        return executor

    out = tmp_path / "s.zarr"
    with pytest.raises(MemoryError):
        store.run_into_store(plan(), out, fails_after(0))
    assert not out.exists() and not list(tmp_path.iterdir())
    with pytest.raises(MemoryError):
        store.run_into_store(plan(), out, fails_after(1))
    assert sorted(p.name for p in (out / store.DONE).iterdir()) == ["0.done"]
    assert sorted(store.run_into_store(plan(), out, executors.serial, resume=True)) == [1, 2]


def test_the_loser_of_a_race_for_a_new_store_leaves_the_winners(tmp_path, monkeypatch):
    """Two sweeps see no folder; the second's error must not remove the first's store (it
    did, once the store was opened inside the clean-up's reach), nor, when both resume, its
    later failure (whether the folder was made is the opening's word, not a look before)."""
    real = store._open
    calls = []

    def first_wins(sweep, directory, resume, warn=None):
        if not calls:  # the winner, meanwhile (its own opening is the real one)
            calls.append(directory)
            store.run_into_store(plan(), directory, executors.serial)
        return real(sweep, directory, resume)

    monkeypatch.setattr(store, "_open", first_wins)
    out = tmp_path / "s.zarr"
    with pytest.raises(BurdenSimError, match="already exists"):
        store.run_into_store(plan(), out, executors.serial)
    assert len(list((out / store.DONE).glob("*.done"))) == 3

    def winner_starts(sweep, directory, resume, warn=None):  # the winner has made it, no chunk yet
        real(sweep, directory, False)
        return real(sweep, directory, resume)

    def fails(sweep, indices, directory):
        raise MemoryError
        yield

    monkeypatch.setattr(store, "_open", winner_starts)
    both = tmp_path / "both.zarr"
    with pytest.raises(MemoryError):  # resumes the winner's new store, then fails at once
        store.run_into_store(plan(), both, fails, resume=True)
    assert (both / store.MANIFEST).is_file()  # the winner's, still there


def test_a_new_store_larger_than_the_free_space_is_named(tmp_path, monkeypatch):
    """10^9 samples of common_fund: per sample, allies_at_2pct, allies_at_3_5pct and
    fraction_in_force over 8 years, prices of 4 categories and the 2 parameters' values, 30
    float64 numbers, 240 GB before compression; per-ally results are derived on reading."""
    free = shutil.disk_usage(tmp_path)._replace(free=int(100e9))
    monkeypatch.setattr(store.shutil, "disk_usage", lambda path: free)
    template = store._template(plan(samples=10**9, chunk_size=10**6))
    assert store.room_warning(template, tmp_path) == (
        f"{tmp_path}: the store may need up to 240.0 GB (before compression) and its disk has "
        "100.0 GB free; fewer variables (--variables), float32 (--dtype) or fewer samples "
        "make it smaller")
    assert store.room_warning(store._template(plan(samples=10**8)), tmp_path) is None  # 24 GB
    heard = []
    store.run_into_store(plan(), tmp_path / "s.zarr", executors.serial, warn=heard.append)
    assert heard == []  # 50 samples fit
    monkeypatch.setattr(store.shutil, "disk_usage", lambda path: free._replace(free=100))
    store.run_into_store(plan(), tmp_path / "t.zarr", executors.serial, warn=heard.append)
    assert len(heard) == 1 and heard[0].startswith(f"{tmp_path / 't.zarr'}: the store may ")
    assert stored(tmp_path / "t.zarr")["net"].notnull().all()  # warned, then ran


def test_an_existing_store_is_never_overwritten(tmp_path):
    out = tmp_path / "s.zarr"
    store.run_into_store(plan(), out, executors.serial)
    before = sorted(p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file())
    with pytest.raises(BurdenSimError, match="already exists; resume the sweep"):
        store.run_into_store(plan(), out, executors.serial)
    with pytest.raises(BurdenSimError, match="was made by a different sweep"):
        store.run_into_store(plan(seed=12), out, executors.serial, resume=True)
    assert sorted(p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()) == before


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"overrides": {"policy.fractoin": Uncertain(values=[0.5])}},
     "policy.fractoin: names no field of the scenario"),
    ({"overrides": {"policy.rule": Uncertain(values=[1.0])}}, "policy.rule: is not a number"),
    ({"samples": 0}, "samples 0: give a positive number of samples"),
    ({"design": "random"}, "design random: not one of grid, lhs, sobol, mc"),
    ({"dtype": "float16"}, "dtype float16: not one of float64, float32"),
    ({"overrides": {}}, None),
    # fields no row can vary: each row runs at the central unit costs (a range's ends were
    # swept as if they were the central value), over the scenario's years, with its own draws
    ({"overrides": {"unit_costs.person_year.high": Uncertain(values=[1.5e5, 2.5e5])}},
     "unit_costs.person_year.high: a sweep evaluates each row at the unit costs' central "
     "values, and high changes none of them"),
    ({"overrides": {"unit_costs.person_year.low": Uncertain(values=[1e3])}},
     "sweep unit_costs.person_year instead"),
    ({"overrides": {"seed": Uncertain(values=[1, 2])}}, "seed: changes no row of a sweep"),
    ({"overrides": {"years.start": Uncertain(values=[2017, 2020])}},
     "years.start: a sweep keeps the scenario's years"),
    ({"seed": -1}, "seed -1: must be 0 or more"),
    ({"samples": 10**23}, "samples 1" + "0" * 23 + r": at most 2\^53 rows"),
    ({"chunk_size": 2**53 + 1}, r"chunk_size 9007199254740993: at most 2\^53"),
])
def test_bad_sweep_input(kwargs, message):
    if message is None:  # the scenario declares no parameters and none are set
        with pytest.raises(BurdenSimError, match="nothing varies"):
            plan_sweep(SCENARIO, BASELINE, design="mc", samples=10)
        return
    with pytest.raises(BurdenSimError, match=message):
        plan(**kwargs)


@pytest.mark.parametrize(("spec", "message"), [
    ({"distribution": "uniform", "low": 2, "high": 1}, "low 2.0 must be below high 1.0"),
    ({"distribution": "normal", "mean": 1, "sd": -1}, "sd must be positive, got -1.0"),
    ({"distribution": "triangular", "low": 0, "high": 1}, "triangular needs low, mode, high"),
])
def test_impossible_distributions(spec, message):
    with pytest.raises(ValueError, match=message):
        Uncertain(**spec)


def test_unreachable_scheduler():
    with pytest.raises(BurdenSimError, match="tcp://127.0.0.1:9: cannot reach the scheduler"):
        executors.check_scheduler("tcp://127.0.0.1:9")


def test_lognormal_and_normal_map_quantiles():
    p = designs.Parameter("policy.annual_cap_usd",
                        Uncertain(distribution="lognormal", median=3e8, sigma=0.5))
    assert p.from_unit(np.array([0.5]))[0] == pytest.approx(3e8)
    q = designs.Parameter("projection.gdp_growth_pct", Uncertain(distribution="normal", mean=1,
                                                               sd=2))
    assert q.from_unit(np.array([0.975]))[0] == pytest.approx(1 + 2 * stats.norm.ppf(0.975))


def test_a_missing_parent_folder_creates_nothing(tmp_path):
    out = tmp_path / "s.zarr"
    with pytest.raises(BurdenSimError):
        store.run_into_store(plan(), tmp_path / "missing" / "s.zarr", executors.serial)
    assert not out.exists() and not (tmp_path / "missing").exists()


def test_an_engine_scenario_sweeps_to_the_same_store_on_one_core_and_two_processes(tmp_path):
    """Each process builds the schedule itself (once, then cached); the same seed gives the
    same schedule, so the stores are identical."""
    scenario, baseline = load(ROOT / "scenarios" / "engine_open_common_fund.yaml")
    engine_plan = plan_sweep(
        scenario, baseline, design="mc", samples=40, seed=5, chunk_size=10,
        overrides={"unit_costs.flight_hour_typhoon": Uncertain(distribution="pert"),
                   "unit_costs.ship_day_frigate": Uncertain(distribution="pert")})
    one, two = tmp_path / "one.zarr", tmp_path / "two.zarr"
    store.run_into_store(engine_plan, one, executors.serial)
    store.run_into_store(engine_plan, two, executors.processes(2))
    xr.testing.assert_identical(stored(one), stored(two))
    net = stored(one)["net"]
    assert float(net.std("sample").max()) > 0  # the flight-hour and ship-day costs varied


def test_workers_write_their_own_chunks_and_send_nothing_back(tmp_path, reference):
    out = tmp_path / "s.zarr"
    sweep = plan()
    todo = store.open_store(sweep, out, resume=False)
    shipped = dict(executors.processes(2)(sweep, todo, out))
    assert sorted(shipped) == todo and set(shipped.values()) == {None}
    xr.testing.assert_identical(stored(out), reference)
    assert sweep.stored == ("allies_at_2pct", "allies_at_3_5pct", "prices", "fraction_in_force")
    with xr.open_zarr(out) as ds:  # a chunk of the store is a chunk of the sweep
        for name in sweep.stored:
            assert ds[name].encoding["chunks"][0] == sweep.chunk_size
            assert ds[name].encoding["compressors"][0].cname == "lz4"


def test_a_float32_store_holds_the_float64_results_rounded(tmp_path, reference):
    out = tmp_path / "s32.zarr"
    store.run_into_store(plan(dtype="float32"), out, executors.serial)
    ds = stored(out)
    for name in ("net", "net_pct_gdp", "allies_at_2pct"):
        assert ds[name].dtype == np.float32
        assert np.array_equal(ds[name].values, reference[name].values.astype(np.float32))
    assert ds["policy.fraction"].dtype == np.float64  # parameters keep every digit
    with pytest.raises(BurdenSimError, match="different sweep"):
        store.run_into_store(plan(), out, executors.serial, resume=True)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_store_derives_per_ally_results_with_the_bits_the_sweep_computed(tmp_path, dtype):
    """The store keeps each sample's prices and fraction in force, not the per-ally results;
    reading derives them by the fused core on the same rows: the numbers of a sweep in memory,
    bit for bit, with a cap that binds on some rows and every result that can be derived."""
    sweep = plan(samples=60, chunk_size=25, dtype=dtype, variables=(
        "gross", "reimbursed", "contributed", "net", "net_change", "net_pct_gdp",
        "defence_pct_gdp_after", "allies_at_2pct", "gini_net_pct_gdp"), overrides={
        **PARAMETERS, "policy.annual_cap_usd": Uncertain(distribution="uniform", low=1e8,
                                                         high=1e9)})
    assert sweep.derived == sweep.variables[:7]
    out = tmp_path / "s.zarr"
    store.run_into_store(sweep, out, executors.processes(2) if dtype == "float64"
                         else executors.serial)
    with xr.open_zarr(out) as raw:
        assert "net" not in raw and raw["prices"].dims == ("sample", "category")
        assert raw["fraction_in_force"].values.min() < 0.5  # the cap bound on some rows
    ds, memory = stored(out), store.in_memory(sweep)
    assert list(ds.data_vars) == list(sweep.variables)
    for name in sweep.variables:
        assert ds[name].attrs == memory[name].attrs and ds[name].dtype == dtype
        assert np.array_equal(ds[name].values, memory[name].values.astype(dtype),
                              equal_nan=True), name
    if dtype == "float64":  # (float32 rounds the difference, not each term)
        assert np.array_equal(ds["net_change"], ds["contributed"] - ds["reimbursed"])


def test_a_store_that_derives_its_results_is_read_only_by_the_version_that_made_it(tmp_path):
    """Reading derives per-ally results with the reader's code: another version of burden-sim
    could give other numbers, so it refuses (and resuming with it too)."""
    import json

    out = tmp_path / "s.zarr"
    store.run_into_store(plan(samples=20), out, executors.serial)
    manifest = out / store.MANIFEST
    made = json.loads(manifest.read_text())
    assert made["burden_sim"] == burden_sim.__version__
    manifest.write_text(json.dumps(made | {"burden_sim": "0.0.1"}))
    with pytest.raises(BurdenSimError, match=r"made by burden-sim 0\.0\.1, not "):
        burden_sim.open_sweep(out)
    with pytest.raises(BurdenSimError, match="or burden-sim version differ"):
        store.run_into_store(plan(samples=20), out, executors.serial, resume=True)


def test_a_store_keeps_every_result_when_one_model_cannot_derive_them():
    """A structural parameter (a model per value) or a result outside the fused core: the
    store holds the results themselves."""
    assert plan().derived  # prices and the fraction: one model
    troops = {"missions.efp_latvia.contributions.0.troops": Uncertain(values=[400, 500])}
    assert plan(overrides={**PARAMETERS, **troops}).derived == ()
    assert plan(variables=("net", "fair_share")).derived == ()


def test_the_pert_inverse_cdf_is_scipys_to_the_last_digits():
    """designs.pert_ppf interpolates between knots solved by scipy's betaincinv: within
    5e-15 relative of scipy's beta.ppf everywhere, tails included, for skewed and symmetric
    shapes (c = 0 and 1 are the extremes of a PERT's mode)."""
    rng = np.random.default_rng(1)
    u = np.concatenate([rng.random(20_000), 10 ** rng.uniform(-9, 0, 5_000),
                        1 - 10 ** rng.uniform(-9, 0, 5_000), [designs.EDGE, 0.5]])
    u = np.clip(u, designs.EDGE, 1 - designs.EDGE)
    for c in (0.0, 0.05, 0.395, 0.5, 0.8, 1.0):
        a, b = 1 + 4 * c, 1 + 4 * (1 - c)
        exact = stats.beta(a, b).ppf(u)
        assert np.abs(designs.pert_ppf(u, a, b) / exact - 1).max() < 5e-15, c
    spec = Uncertain(distribution="pert", low=10.0, mode=30.0, high=110.0)
    values = designs.Parameter("unit_costs.person_year", spec).from_unit(u)
    assert np.allclose(values, designs.distribution(spec).ppf(u), rtol=5e-15, atol=0)
    spec = Uncertain(distribution="uniform", low=0.5, high=1.0)  # computed as scipy does
    values = designs.Parameter("policy.fraction", spec).from_unit(u)
    assert np.array_equal(values, designs.distribution(spec).ppf(u))


def test_a_store_may_have_a_dot_in_its_name_but_not_a_file_suffix(tmp_path):
    """'fraction_0.5' is a folder name; 'out.csv' promises a file (docs/errors.md)."""
    store.run_into_store(plan(), tmp_path / "fraction_0.5", executors.serial)
    assert (tmp_path / "fraction_0.5" / store.MANIFEST).is_file()
    with pytest.raises(BurdenSimError, match="out.csv: a sweep writes a Zarr store"):
        store.run_into_store(plan(), tmp_path / "out.csv", executors.serial)
    assert not (tmp_path / "out.csv").exists()


def test_a_store_is_laid_out_in_the_sweeps_chunks_without_a_task_per_chunk(tmp_path):
    """The store's chunks are the sweep's; laying it out builds one task per array, not per
    chunk (10^9 samples took 21.8 s and 1.17 GB before, 1.0 s and 0.18 GB after)."""
    import json

    sweep = plan(samples=50, chunk_size=20)
    template = store._template(sweep)
    assert all(array.data.npartitions == 1 for array in template.data_vars.values()
               if array.dims[:1] == ("sample",))
    out = tmp_path / "s.zarr"
    store.open_store(sweep, out, resume=False)
    for name in (*sweep.stored, *(c for c in template.coords if template[c].dims == ("sample",))):
        meta = json.loads((out / name / ".zarray").read_text())
        assert meta["chunks"][0] == 20 and meta["shape"][0] == 50, name


def test_a_sweep_of_an_overridden_unit_cost_uses_the_scenarios_cost(tmp_path):
    """Its pert draws, its units and its store's manifest follow the scenario's cost, the
    shipped one's fields where the scenario gives none (they followed the shipped cost alone,
    found by a review)."""
    import shutil

    import burden_sim
    from burden_sim.explore.sweep import parameter_attrs

    shipped = Path(burden_sim.__file__).parents[2] / "scenarios"
    shutil.copytree(shipped / "missions", tmp_path / "missions")
    path = tmp_path / "e.yaml"
    path.write_text((shipped / "common_fund.yaml").read_text() + "unit_costs:\n  person_year: "
                    "{central: 90000, low: 60000, high: 150000}\n")
    scenario, baseline = load(path)
    sweep = plan_sweep(scenario, baseline, design="mc", samples=10, seed=1, overrides={
        "unit_costs.person_year": Uncertain(distribution="pert")})
    spec = sweep.parameters[0].spec
    assert (spec.low, spec.mode, spec.high) == (60000, 90000, 150000)
    assert sweep.manifest()["unit_costs"]["person_year"]["low"] == 60000
    assert parameter_attrs("unit_costs.person_year", scenario, baseline)["units"] == (
        "EUR per person-year")
