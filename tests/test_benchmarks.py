"""The benchmark code runs on a tiny size (its timings are not tested)."""

import importlib.util
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_all_core_benchmarks_run_and_agree_on_a_tiny_size():
    spec = importlib.util.spec_from_file_location("run_all", BENCHMARKS / "run_all.py")
    run_all = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_all)
    report = run_all.main(["--quick"])  # implementations must agree to 1e-9 first
    first = report["side_by_side"][0]
    assert {"core_s", "python_s", "pandas_s", "copy_s"} <= set(first)
    assert {row["dimension"] for row in report["scaling"]} == {"samples", "allies", "missions",
                                                               "years"}


def test_the_engine_benchmark_runs_and_its_reference_agrees():
    spec = importlib.util.spec_from_file_location("bench_engine", BENCHMARKS / "bench_engine.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    report = bench.main(["--quick"])  # the plain-Python activity must agree to 1e-9 first
    assert report["missions"] == 15 and report["deployments"] > 100
    assert report["events"] > 0 and report["unfilled_slots"] == 0
