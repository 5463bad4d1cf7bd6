"""Results as a labelled xarray Dataset, and writing them to disk atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .errors import BurdenSimError

OUTPUT_FORMATS = {".csv": "tidy CSV", ".nc": "netCDF"}
TIDY_COLUMNS = ["scenario", "ally", "year", "gross", "reimbursed", "contributed", "net",
                "net_pct_gdp"]
MONEY = {"units": "USD (current prices)"}


def build_dataset(
    *,
    scenario: str,
    allies: tuple[str, ...],
    missions: list[str],
    years: list[int],
    gross: np.ndarray,
    reimbursed: np.ndarray,
    contributed: np.ndarray,
    net: np.ndarray,
    gdp_usd: np.ndarray,
    key: np.ndarray,
    member: np.ndarray,
    with_samples: bool,
    attrs: dict[str, str | float | int],
) -> xr.Dataset:
    """Label the core's arrays; the sample axis is dropped when there are no samples."""
    say = ("sample", "ally", "year")
    ds = xr.Dataset(
        {
            "gross": (say, gross.sum(axis=2), {**MONEY, "long_name": "gross mission cost"}),
            "reimbursed": (say, reimbursed, {**MONEY, "long_name": "paid by the fund"}),
            "contributed": (say, contributed, {**MONEY, "long_name": "paid into the fund"}),
            "net": (say, net, {**MONEY, "long_name": "net cost: gross - reimbursed + "
                               "contributed"}),
            "net_pct_gdp": (say, 100 * net / gdp_usd[None], {"units": "% of GDP"}),
            "gross_by_mission": (("sample", "ally", "mission", "year"), gross, MONEY),
            "gdp": (("ally", "year"), gdp_usd, {"units": "USD (current prices)"}),
            "key_share": (("ally", "year"), key, {"units": "1", "long_name": "funding key"}),
            "member": (("ally", "year"), member, {"long_name": "NATO member in the year"}),
        },
        coords={"ally": list(allies), "mission": missions, "year": years,
                "sample": np.arange(gross.shape[0])},
        attrs={"scenario": scenario, **attrs},
    )
    return ds if with_samples else ds.isel(sample=0, drop=True)


def to_tidy(ds: xr.Dataset) -> pd.DataFrame:
    """One row per (sample,) ally and year, with the columns analysts expect."""
    columns = ["gross", "reimbursed", "contributed", "net", "net_pct_gdp"]
    frame = ds[columns].to_dataframe().reset_index()
    frame.insert(0, "scenario", ds.attrs["scenario"])
    index = ["scenario", "sample", "ally", "year"] if "sample" in ds.dims else TIDY_COLUMNS[:3]
    return frame[index + columns]


def check_output_path(path: Path) -> None:
    """Fail before any work if the output cannot be written in a known format."""
    if path.suffix not in OUTPUT_FORMATS:
        allowed = ", ".join(OUTPUT_FORMATS)
        raise BurdenSimError(f"{path}: unknown output format {path.suffix!r} (allowed: "
                             f"{allowed})")
    if not path.parent.exists():
        raise BurdenSimError(f"{path}: folder {path.parent} does not exist")


def write_results(ds: xr.Dataset, path: str | Path) -> Path:
    """Write by extension, via a temporary file renamed into place: never half a file."""
    path = Path(path)
    check_output_path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        if path.suffix == ".csv":
            to_tidy(ds).to_csv(tmp, index=False)
        else:
            ds.to_netcdf(tmp, engine="netcdf4")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
