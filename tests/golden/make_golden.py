"""Write the golden results that tests/test_golden.py holds the code to.

Run it only in a commit that changes results on purpose, and say why in that commit:
    python tests/golden/make_golden.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import xarray as xr

import burden_sim

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SWEEP_SCENARIO = ROOT / "scenarios" / "common_fund.yaml"
SWEEP_ARGS = ["--design", "lhs", "--samples", "40", "--seed", "5", "--chunk-size", "16",
              "--workers", "1", "--set", "policy.fraction=0,0.25,0.5,1",
              "--variables", "net,net_pct_gdp,reimbursed,contributed,allies_at_2pct,"
              "gini_net_pct_gdp"]


def scenario_result(path: Path) -> xr.Dataset:
    """A shipped scenario's whole result, as `burden_sim.simulate` returns it."""
    return burden_sim.simulate(path)


def sweep_result(folder: Path) -> xr.Dataset:
    """A small sweep written to a Zarr store by the command line, read back."""
    from typer.testing import CliRunner

    from burden_sim.cli import app

    store = folder / "golden.zarr"
    result = CliRunner().invoke(app, ["sweep", str(SWEEP_SCENARIO), "-o", str(store),
                                      *SWEEP_ARGS])
    if result.exit_code != 0:
        raise RuntimeError(result.output)
    with burden_sim.open_sweep(store) as ds:
        return ds.load()


def write(ds: xr.Dataset, path: Path) -> None:
    """netCDF, compressed losslessly (zlib keeps every bit)."""
    encoding = {name: {"zlib": True, "complevel": 6} for name in ds.data_vars
                if ds[name].dtype.kind in "fiub"}
    ds.to_netcdf(path, encoding=encoding)


def main() -> None:
    for path in SCENARIOS:
        write(scenario_result(path), HERE / f"{path.stem}.nc")
    with tempfile.TemporaryDirectory() as tmp:
        write(sweep_result(Path(tmp)), HERE / "sweep.nc")
    print(f"wrote {len(SCENARIOS) + 1} golden files to {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()
