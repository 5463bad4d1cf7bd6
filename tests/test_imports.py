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
    # xarray would import dask to ask whether each new array is a dask array (shell.without_dask)
    (["run", SCENARIO], PLOTTING_AND_SWEEPS | {"scipy.stats"}),
    (["compare", str(ROOT / "scenarios" / "deploying_nation_pays.yaml"), SCENARIO],
     PLOTTING_AND_SWEEPS | {"scipy.stats"}),
], ids=["help", "validate", "run", "compare"])
def test_a_command_leaves_the_heavy_libraries_alone(args, absent):
    modules = imported(*args)
    assert not modules & absent, sorted(modules & absent)


def test_datasets_built_before_dask_is_imported_still_know_dask_arrays_after():
    """without_dask answers xarray's question "is this a dask array?" with no until dask is
    imported, and with dask's own class after."""
    code = """
import sys
import numpy as np, xarray as xr
from burden_sim.cli.shell import without_dask
without_dask()
plain = xr.DataArray(np.arange(4.0), dims="x")
assert "dask" not in sys.modules
import dask.array as da
lazy = xr.DataArray(da.arange(4.0, chunks=2), dims="x")
assert lazy.chunks == ((2, 2),) and plain.chunks is None
assert float((lazy + plain).sum().compute()) == 12.0
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "ok"
