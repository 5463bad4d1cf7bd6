"""Start-up of the command line, and the first large run in a fresh process.

    python benchmarks/bench_cli.py [--runs 7]

Each command runs as a whole process, paired with the yardstick (A B A B ...), and the ratio
is taken pair by pair (the median is reported), so that a shared machine's drift cancels:

- `burden-sim --help` and `burden-sim validate scenarios/common_fund.yaml` against
  `python -c "import numpy, yaml, pydantic"` (the libraries any command needs);
- the core's first 1,000,000-sample run in a fresh process against the copy bound measured
  in the same process (run_all.py's core and copy, best of 3 for the copy), and against the
  floor for any code that returns its four outputs: filling four fresh arrays of their size
  in another fresh process, after the same pause.

Writes benchmarks/results/cli.json.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
YARDSTICK = [sys.executable, "-c", "import numpy, yaml, pydantic"]
COMMANDS = {
    "help": [str(BIN / "burden-sim"), "--help"],
    "validate": [str(BIN / "burden-sim"), "validate", str(ROOT / "scenarios" /
                                                          "common_fund.yaml")],
}
FIRST_RUN = """
import sys, time, json
sys.path.insert(0, {bench!r})
import numpy as np
import run_all
from burden_sim.model import core
if {ordinary}:
    core.ordinary_pages()
args = run_all.inputs({samples})
time.sleep(3)  # memory freed by building the inputs goes back to the host, as in a new run
start = time.perf_counter()
result = run_all.core(*args)
first = time.perf_counter() - start
del result
copy, _ = run_all.timed(run_all.copy_bound(*args), repeat=3)
print(json.dumps({{"first_s": first, "copy_s": copy}}))
"""


FRESH_FILL = """
import sys, time, json
import numpy as np
from burden_sim.model import core
if {ordinary}:
    core.ordinary_pages()
time.sleep(3)
start = time.perf_counter()
arrays = [np.empty(({samples}, 256)) for _ in range(4)]
for array in arrays:
    array.fill(1.0)
print(json.dumps({{"fill_s": time.perf_counter() - start}}))
"""


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def paired(command: list[str], runs: int) -> dict:
    """Median seconds of the command and the yardstick, and the median of their ratios."""
    wall(command), wall(YARDSTICK)  # warm the file cache
    a, b = [], []
    for _ in range(runs):
        a.append(wall(command))
        b.append(wall(YARDSTICK))
    return {"seconds": statistics.median(a), "yardstick_s": statistics.median(b),
            "ratio": statistics.median(x / y for x, y in zip(a, b, strict=True)),
            "ratio_min": min(x / y for x, y in zip(a, b, strict=True)),
            "ratio_max": max(x / y for x, y in zip(a, b, strict=True))}


def first_run(samples: int, ordinary: bool) -> dict:
    code = FIRST_RUN.format(bench=str(ROOT / "benchmarks"), samples=samples, ordinary=ordinary)
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True, env=env)
    row = json.loads(done.stdout.strip().splitlines()[-1])
    done = subprocess.run([sys.executable, "-c", FRESH_FILL.format(
        samples=samples, ordinary=ordinary)], check=True, capture_output=True, text=True,
        env=env)
    row |= json.loads(done.stdout.strip().splitlines()[-1])
    return {**row, "ratio": row["first_s"] / row["copy_s"], "samples": samples,
            "ordinary_pages": ordinary}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--save", type=Path, default=ROOT / "benchmarks" / "results" /
                        "cli.json")
    args = parser.parse_args(argv)
    if shutil.which("burden-sim", path=str(BIN)) is None:
        raise SystemExit(f"burden-sim is not installed beside {sys.executable}")
    report = {"machine": platform.platform(), "python": platform.python_version(),
              "runs": args.runs, "load_before": load()}
    for name, command in COMMANDS.items():
        report[name] = paired(command, args.runs)
        print(name, json.dumps(report[name]), flush=True)
    report["first_run"] = [first_run(args.samples, ordinary) for ordinary in (False, True)]
    print(json.dumps(report["first_run"]), flush=True)
    report["load_after"] = load()
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
