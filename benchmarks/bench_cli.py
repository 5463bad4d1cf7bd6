"""Start-up of the command line, and the first large run in a fresh process.

    python benchmarks/bench_cli.py [--runs 7] [--first-runs 5]
    python benchmarks/bench_cli.py --first-run-only   # keep cli.json's start-up figures

- `burden-sim --help` and `burden-sim validate scenarios/common_fund.yaml` against
  `python -c "import numpy, yaml, pydantic"` (the libraries any command needs), each command
  a whole process paired with the yardstick (A B A B ...), the ratio taken pair by pair (the
  median is reported) so that a shared machine's drift cancels;
- the core's first 1,000,000-sample run in a fresh process (ordinary pages, as the commands
  run it), in ``--first-runs`` fresh processes, and one process (``--hugepage-runs``) with
  NumPy's huge-page hint left on, each followed by the copy bound in the same process
  (run_all.py's copy, best of 3).

The first run's yardstick is the copy bound on huge pages, as issue 15 measured it: the
fastest copy seen in any process (the huge-page one, about 0.75 s). The strict figure is each
first run against it; its median is the target's ratio. Each process's first run against its
own copy (the side-by-side ratio) is kept as a secondary figure only: with ordinary pages each
copy allocates a fresh 2 GB array (mapped, then unmapped when deleted), so that yardstick pays
the same first-touch page faults as the first run (about 3.8 s against 0.75 s on huge pages),
and a ratio near or below 1 is built into it. After each ordinary-page process, another fresh
process fills four arrays of the outputs' size, single-threaded: a second reading of what
fresh memory costs at that moment, not a floor (in five sessions its median took 1.0 to
4.6 times the first run's). Each first run also records its CPU time, user and kernel, summed
over its threads (BLAS's included), and its minor page faults. The host's state moves these
figures: compare sessions (cli.json keeps the last ones' summaries).

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
import resource, sys, time, json
sys.path.insert(0, {bench!r})
import numpy as np
import run_all
from burden_sim.model import core
if {ordinary}:
    core.ordinary_pages()
args = run_all.inputs({samples})
time.sleep({pause})  # memory freed by building the inputs goes back to the host, as in a new run
before = resource.getrusage(resource.RUSAGE_SELF)
start = time.perf_counter()
result = run_all.core(*args)
first = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF)
del result
copies, _ = run_all.timed_runs(run_all.copy_bound(*args), repeat=3)
print(json.dumps({{"first_s": first, "copy_s": min(copies), "copies_s": copies,
                  "first_user_s": after.ru_utime - before.ru_utime,
                  "first_system_s": after.ru_stime - before.ru_stime,
                  "first_minor_faults": after.ru_minflt - before.ru_minflt}}))
"""


FRESH_FILL = """
import sys, time, json
import numpy as np
from burden_sim.model import core
if {ordinary}:
    core.ordinary_pages()
time.sleep({pause})
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


def _child(code: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def first_run(samples: int, ordinary: bool, fill: bool = True, pause: float = 3.0) -> dict:
    """One fresh process: the core's first run and the copy bound after it (best of 3), then
    (``fill``) four fresh arrays of the outputs' size filled in another fresh process."""
    load_before = load()
    row = _child(FIRST_RUN.format(bench=str(ROOT / "benchmarks"), samples=samples,
                                  ordinary=ordinary, pause=pause))
    if fill:
        row |= _child(FRESH_FILL.format(samples=samples, ordinary=ordinary, pause=pause))
    cpu = row["first_system_s"] + row["first_user_s"]  # every thread's, BLAS's included
    return {**row, "ratio": row["first_s"] / row["copy_s"], "samples": samples,
            "first_system_share": row["first_system_s"] / cpu if cpu > 0 else None,
            "ordinary_pages": ordinary, "load_before": load_before, "load_after": load()}


def first_runs(samples: int, processes: int, hugepage_runs: int, pause: float = 3.0) -> dict:
    """``processes`` fresh processes with ordinary pages, each against its own copy bound, and
    ``hugepage_runs`` processes with NumPy's huge-page hint (summarised by ``summarise``)."""
    runs = []
    for _ in range(processes):
        runs.append(first_run(samples, True, pause=pause))
        print(json.dumps(runs[-1]), flush=True)
    hint = [first_run(samples, False, fill=False, pause=pause) for _ in range(hugepage_runs)]
    return summarise(runs, hint)


def summarise(runs: list[dict], hint: list[dict]) -> dict:
    """The strict figures, each first run (ordinary pages) against the fastest copy seen in
    any process (``strict_any_*``: the huge-page copy, the target's yardstick) and in any
    ordinary-page process; and, secondary, the median and range of the side-by-side ratios
    (each first run against the copy in its own process, which pays the same page faults)."""
    ratios = [r["ratio"] for r in runs]
    report = {"samples": runs[0]["samples"], "processes": len(runs), "runs": runs,
              "hugepage": hint,
              "median_first_s": statistics.median(r["first_s"] for r in runs),
              "median_copy_s": statistics.median(r["copy_s"] for r in runs),
              "median_ratio": statistics.median(ratios), "ratio_min": min(ratios),
              "ratio_max": max(ratios),
              "median_fill_s": statistics.median(r["fill_s"] for r in runs),
              "median_system_share": statistics.median(r["first_system_share"] for r in runs),
              "load_range": [min(float(r["load_before"].split()[0]) for r in runs + hint),
                             max(float(r["load_before"].split()[0]) for r in runs + hint)]}
    for name, pool in (("", runs), ("any_", runs + hint)):
        fastest = min(r["copy_s"] for r in pool)
        strict = [r["first_s"] / fastest for r in runs]
        report |= {f"fastest_copy_{name}s": fastest,
                   f"strict_{name}median_ratio": statistics.median(strict),
                   f"strict_{name}min": min(strict), f"strict_{name}max": max(strict)}
    return report


def earlier(previous: dict, keep: int = 4) -> list[dict]:
    """The summaries (without the per-process rows) of the last ``keep`` first-run measures
    before this one, newest first, so that a report shows how much they move."""
    first = previous.get("first_run")
    kept = [{k: v for k, v in first.items() if k not in ("runs", "hugepage")}] if isinstance(
        first, dict) else []
    return (kept + previous.get("first_run_earlier", []))[:keep]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--first-runs", type=int, default=5,
                        help="fresh processes for the first large run")
    parser.add_argument("--hugepage-runs", type=int, default=1,
                        help="fresh processes with NumPy's huge-page hint (10 s or more each)")
    parser.add_argument("--first-run-only", action="store_true",
                        help="measure the first run alone; keep the saved start-up figures")
    parser.add_argument("--save", type=Path, default=ROOT / "benchmarks" / "results" /
                        "cli.json")
    args = parser.parse_args(argv)
    if shutil.which("burden-sim", path=str(BIN)) is None:
        raise SystemExit(f"burden-sim is not installed beside {sys.executable}")
    report = {"machine": platform.platform(), "python": platform.python_version(),
              "runs": args.runs, "load_before": load()}
    if args.first_run_only:
        if not (args.save and args.save.exists()):
            raise SystemExit(f"--first-run-only keeps the start-up figures of {args.save}, "
                             "which does not exist")
        report = json.loads(args.save.read_text())
    else:
        for name, command in COMMANDS.items():
            report[name] = paired(command, args.runs)
            print(name, json.dumps(report[name]), flush=True)
        report["load_after"] = load()
    previous = json.loads(args.save.read_text()) if args.save and args.save.exists() else {}
    report["first_run"] = first_runs(args.samples, args.first_runs, args.hugepage_runs)
    report["first_run"]["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    report["first_run_earlier"] = earlier(previous)
    print(json.dumps({k: v for k, v in report["first_run"].items()
                      if k not in ("runs", "hugepage")}), flush=True)
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
