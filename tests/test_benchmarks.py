"""The benchmark code runs on a tiny size (its timings are not tested)."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_core.py"


def test_core_benchmark_runs_and_agrees_with_the_reference(capsys):
    spec = importlib.util.spec_from_file_location("bench_core", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    speed_up = bench.main(["--samples", "2"])  # asserts agreement to 1e-9 before timing
    assert speed_up > 0
    assert "outputs agree to 1e-9" in capsys.readouterr().out
