"""Where a sweep's time goes: `burden-sim sweep` on one worker, its steps timed in place.

    python benchmarks/profile_sweep.py [--samples 1000000] [--dtype float64]

Runs in a fresh interpreter (start-up included) and times: importing the command line, the
rest of the start-up (loading and checking the scenario, the plan), opening the store, drawing
the parameter values (the design and each distribution's inverse CDF), computing the results
(`Evaluator.rows`: the fused core) and writing them (`ChunkWriter.write`: encoding and files).
Writes benchmarks/results/profile_sweep.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import json, sys, time
start = time.perf_counter()
spent = {}

def timed(owner, name, label):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - t
    setattr(owner, name, wrapper)

from burden_sim import cli
spent["import the command line"] = time.perf_counter() - start
from burden_sim.explore import evaluator, store, writer
timed(store, "open_store", "open the store")
timed(evaluator.Evaluator, "parameter_values", "parameter values (design, inverse CDFs)")
timed(evaluator.Evaluator, "rows", "compute (the fused core)")
timed(writer.ChunkWriter, "write", "write (encode, files)")
sys.argv = ["burden-sim", "sweep", *sys.argv[1:]]
try:
    cli.main()
except SystemExit as exc:
    if exc.code:
        raise
total = time.perf_counter() - start
spent["start-up (scenario, plan) and the rest"] = total - sum(spent.values())
print(json.dumps({"total_s": total, "steps": spent}))
"""


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--dtype", default="float64")
    parser.add_argument("--save", type=Path, default=ROOT / "benchmarks" / "results" /
                        "profile_sweep.json")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="burden-profile-", dir=os.environ.get("BENCH_TMP")))
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(ROOT / "scenarios" / "fund_sensitivity.yaml"),
             "-o", str(folder / "s.zarr"), "--design", "mc", "--samples", str(args.samples),
             "--chunk-size", str(args.chunk), "--workers", "1", "--dtype", args.dtype],
            check=True, capture_output=True, text=True, cwd=ROOT)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report = {"samples": args.samples, "chunk": args.chunk, "dtype": args.dtype,
              "load": round(os.getloadavg()[0], 2),
              **json.loads(done.stdout.strip().splitlines()[-1])}
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
