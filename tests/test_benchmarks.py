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
