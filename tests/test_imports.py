"""What each command imports, in a fresh interpreter: the quick commands leave the heavy
libraries alone (they are imported inside the functions that need them)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = str(ROOT / "scenarios" / "common_fund.yaml")
PLOTTING_AND_SWEEPS = {"matplotlib", "SALib", "dask", "distributed", "zarr"}
CHILD = """
import json, sys
sys.argv = ["burden-sim", *sys.argv[1:]]
from burden_sim.cli import main
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def imported(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return set(report["modules"])


@pytest.mark.parametrize(("args", "absent"), [
    (["--help"], PLOTTING_AND_SWEEPS | {"scipy", "xarray", "pandas", "numpy"}),
    (["validate", SCENARIO], PLOTTING_AND_SWEEPS | {"scipy.stats", "xarray"}),
    # xarray itself imports dask, when installed, to ask whether each new array is a dask
    # array: a run that builds a Dataset pays for it (docs/performance.md).
    (["run", SCENARIO], PLOTTING_AND_SWEEPS - {"dask"} | {"scipy.stats"}),
], ids=["help", "validate", "run"])
def test_a_command_leaves_the_heavy_libraries_alone(args, absent):
    modules = imported(*args)
    assert not modules & absent, sorted(modules & absent)
