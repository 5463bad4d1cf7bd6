"""Throughput and peak memory of Monte Carlo sweeps of the common-fund scenario.

    python benchmarks/bench_sweep.py [--sizes 1e4 1e5 1e6 1e7] [--workers 2]

Each size runs in a fresh process (a local process pool of --workers), drawing the person-year,
person-move and fighter-month unit costs (PERT over their shipped ranges) and the fraction
repaid (uniform 0.5-1), for all 32 allies and 8 years, streamed chunk by chunk into a Zarr store
in a temporary folder. Two output sets: ``per-ally`` keeps net cost per sample, ally and year;
``summary`` keeps the per-sample, per-year counts of allies at 2 % and 3.5 % and the Gini
coefficient (the whole model still runs for every ally and year). Results go to
benchmarks/results/sweep.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = {"per-ally": "net", "summary": "allies_at_2pct,allies_at_3_5pct,gini_net_pct_gdp"}

CHILD = """
import sys
from pathlib import Path
from burden_sim import sweeps
from burden_sim.inputs.loading import load_scenario
from burden_sim.inputs.schema import Uncertain
n, workers, out, variables = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
scenario, _ = load_scenario(sys.argv[5])
plan = sweeps.make_plan(scenario, design="mc", samples=n, seed=1, chunk_size=min(n, 20_000),
    variables=tuple(variables.split(",")), overrides={
        "unit_costs.person_year": Uncertain(distribution="pert"),
        "unit_costs.person_move": Uncertain(distribution="pert"),
        "unit_costs.aircraft_month": Uncertain(distribution="pert"),
        "policy.fraction": Uncertain(distribution="uniform", low=0.5, high=1.0)})
sweeps.run(plan, out, sweeps.processes(workers))
import json, resource
print(json.dumps({"driver": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def one(n: int, workers: int, output: str) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="burden-sweep-"))
    store = folder / "s.zarr"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, str(n), str(workers), str(store),
                           OUTPUTS[output], str(ROOT / "scenarios" / "common_fund.yaml")],
                          check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peaks = json.loads(done.stdout.strip().splitlines()[-1])  # KiB on Linux
    size = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
    shutil.rmtree(folder)
    return {"samples": n, "output": output, "workers": workers, "seconds": round(seconds, 2),
            "samples_per_second": round(n / seconds), "store_mb": round(size / 2**20, 1),
            "peak_rss_mb_driver": round(peaks["driver"] / 1024, 1),
            "peak_rss_mb_largest_worker": round(peaks["workers"] / 1024, 1)}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e4, 1e5, 1e6])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--outputs", nargs="+", default=list(OUTPUTS), choices=list(OUTPUTS))
    parser.add_argument("--save", type=Path, default=ROOT / "benchmarks" / "results" /
                        "sweep.json")
    args = parser.parse_args(argv)
    rows = []
    for output in args.outputs:
        for size in args.sizes:
            row = one(int(size), args.workers, output)
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps({"machine": platform.platform(),
                                         "python": platform.python_version(),
                                         "rows": rows}, indent=1))
    return rows


if __name__ == "__main__":
    main()
