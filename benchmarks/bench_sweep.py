"""Sweeps end to end against the core, and the 10^7-sample sweep.

    python benchmarks/bench_sweep.py                 # the targets (a few minutes)
    python benchmarks/bench_sweep.py --quick         # tiny sizes (what the tests run)

Sweeps of scenarios/fund_sensitivity.yaml (common_fund with PERT unit costs and a fraction
uniform on 0.5-1, Monte Carlo), run as the command a user types (`burden-sim sweep`, two
worker processes, a fresh store in a temporary folder), side by side with the core evaluating
the same rows in memory on the same number of processes (each builds its model once, draws its
chunks' parameter values untimed, then times `Evaluator.rows` on them). Measures:

- throughput: end to end (samples / wall seconds of the whole command, start-up included)
  against the core's, at --samples with the default variables (per ally), float64 and float32,
  and with per-sample summaries only; the core and the command run in turn three times and
  the median of the three ratios is reported (a shared machine's load drifts); a 2,000-sample
  sweep gives the fixed cost (start-up and shut-down);
- the --big sweep keeping per-sample summaries only (the 2 % and 3.5 % counts and the Gini),
  its wall time and the peak resident memory of the driver and of the largest worker;
- reading back: the float64 store of the default variables derives its per-ally results on
  reading (docs/sweeps.md): `burden_sim.open_sweep` and then every value of `net`, and of
  `net` for one ally, in a fresh process.

The machine's load (1-minute average) is recorded before and after each measure. Results go to
benchmarks/results/sweep.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "fund_sensitivity.yaml"
SUMMARIES = "allies_at_2pct,allies_at_3_5pct,gini_net_pct_gdp"
BIN = Path(sys.executable).parent

CORE = """
import concurrent.futures as cf, json, multiprocessing as mp, sys, time
from pathlib import Path

def start(samples, chunk, variables):
    global evaluator
    from burden_sim import api
    from burden_sim.explore.evaluator import Evaluator
    from burden_sim.explore.sweep import DEFAULT_VARIABLES, plan_sweep
    from burden_sim.model.core import ordinary_pages
    ordinary_pages()
    scenario, baseline = api.load(sys.argv[1])
    sweep = plan_sweep(scenario, baseline, design="mc", samples=samples, chunk_size=chunk,
                       variables=tuple(variables.split(",")) if variables else DEFAULT_VARIABLES)
    evaluator = Evaluator(sweep, reuse_buffers=True)
    evaluator.chunk(0)  # build the model and fault the buffers in, untimed

def work(indices):
    seconds = 0.0
    for index in indices:
        values = evaluator.parameter_values(index)
        start = time.perf_counter()
        evaluator.rows(values)
        seconds += time.perf_counter() - start
    return seconds

if __name__ == "__main__":
    samples, chunk, workers = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    variables = sys.argv[5] if len(sys.argv) > 5 else ""
    chunks = -(-samples // chunk)
    shares = [list(range(w, chunks, workers)) for w in range(workers)]
    with cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"),
                                initializer=start, initargs=(samples, chunk, variables)) as pool:
        for _ in pool.map(time.sleep, [0.5] * workers):  # every worker started
            pass
        seconds = list(pool.map(work, shares))
    print(json.dumps({"seconds": max(seconds), "per_worker": seconds}))
"""

COMMAND = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
if done.returncode:
    sys.exit(done.stderr)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "peak_rss_mb": usage.ru_maxrss / 1024}))
"""


READ = """
import json, sys, time
start = time.perf_counter()
import burden_sim
from burden_sim.model.core import ordinary_pages
ordinary_pages()
ds = burden_sim.open_sweep(sys.argv[1])
opened = time.perf_counter()
one = ds["net"].sel(ally="CZE").values
ally = time.perf_counter()
every = ds["net"].values
print(json.dumps({"open_s": opened - start, "one_ally_s": ally - opened,
                  "every_s": time.perf_counter() - ally, "gb": every.nbytes / 1e9}))
"""


def load() -> float:
    return round(os.getloadavg()[0], 2)


def core(samples: int, chunk: int, workers: int, variables: str = "") -> dict:
    """The core's in-memory seconds for the rows (the slowest worker's share)."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "core_bench.py"
        script.write_text(CORE)
        done = subprocess.run([sys.executable, str(script), str(SCENARIO), str(samples),
                               str(chunk), str(workers), variables],
                              check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def sweep(samples: int, chunk: int, workers: int, variables: str = "",
          dtype: str = "float64", read: bool = False) -> dict:
    """`burden-sim sweep` as a whole process: seconds, store size and peak memory (of the
    driver, and of the largest worker, which the driver waits for); with ``read``, the time
    to read its `net` back in a fresh process."""
    folder = Path(tempfile.mkdtemp(prefix="burden-sweep-", dir=os.environ.get("BENCH_TMP")))
    store = folder / "s.zarr"
    command = [str(BIN / "burden-sim"), "sweep", str(SCENARIO), "-o", str(store),
               "--design", "mc", "--samples", str(samples), "--chunk-size", str(chunk),
               "--workers", str(workers), "--dtype", dtype,
               *(["--variables", variables] if variables else [])]
    try:
        before = load()
        done = subprocess.run([sys.executable, "-c", COMMAND, *command], check=True,
                              capture_output=True, text=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        size = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
        if read:
            done = subprocess.run([sys.executable, "-c", READ, str(store)], check=True,
                                  capture_output=True, text=True)
            row["read"] = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {**row, "samples": samples, "store_mb": size / 2**20, "load_before": before,
            "load_after": load()}


def paired(samples: int, chunk: int, workers: int, pairs: int, variables: str = "",
           dtype: str = "float64", read: bool = False) -> tuple[dict, dict]:
    """The core and the sweep measured in turn ``pairs`` times: the medians of each, and
    the median of the pairs' ratios (a shared machine's load drifts; side by side, the
    drift cancels)."""
    cores, sweeps = [], []
    for i in range(pairs):
        cores.append(core(samples, chunk, workers, variables))
        sweeps.append(sweep(samples, chunk, workers, variables, dtype, read and i == 0))
    ratios = [c["seconds"] / w["seconds"] for c, w in zip(cores, sweeps, strict=True)]
    middle = sorted(range(pairs), key=lambda i: ratios[i])[pairs // 2]
    return cores[middle], {**sweeps[middle], "over_core": statistics.median(ratios),
                           "ratios": ratios, **({"read": sweeps[0]["read"]} if read else {})}


def throughput(samples: int, chunk: int, workers: int, pairs: int = 3) -> dict:
    """End to end against the core, on the same rows and processes (the pair with the
    median ratio; every ratio is kept)."""
    row = {"samples": samples, "chunk": chunk, "workers": workers, "pairs": pairs,
           "load_before": load()}
    row["core"], row["float64"] = paired(samples, chunk, workers, pairs, read=True)
    row["core_float32"], row["float32"] = paired(samples, chunk, workers, pairs,
                                                 dtype="float32")
    # The same with per-sample summaries only: what the pipeline costs when disk does not.
    row["core_summary"], row["summary"] = paired(samples, chunk, workers, pairs, SUMMARIES)
    # What any sweep pays whatever its size: start-up and shut-down of the three processes.
    row["fixed"] = sweep(min(samples, 2_000), min(chunk, 1_000), workers)
    row["load_after"] = load()
    return row


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the tests")
    parser.add_argument("--samples", type=float, default=1e6)
    parser.add_argument("--big", type=float, default=1e7)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--save", type=Path, default=ROOT / "benchmarks" / "results" /
                        "sweep.json")
    args = parser.parse_args(argv)
    samples, big, chunk = ((2_000, 4_000, 500) if args.quick else
                           (int(args.samples), int(args.big), args.chunk))
    report = {"machine": platform.platform(), "python": platform.python_version(),
              "scenario": SCENARIO.name}
    report["throughput"] = throughput(samples, chunk, args.workers)
    print(json.dumps(report["throughput"]), flush=True)
    report["big"] = {"samples": big, "workers": args.workers, "chunk": chunk,
                     **sweep(big, chunk, args.workers, SUMMARIES)}
    print(json.dumps(report["big"]), flush=True)
    if not args.quick and args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
