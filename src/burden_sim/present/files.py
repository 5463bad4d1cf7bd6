"""Writing results to files: tidy CSV, Parquet and netCDF, each written atomically (a reader
never sees half a file), with the output checked before any work is done."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import xarray as xr

from ..errors import BurdenSimError

OUTPUT_FORMATS = {".csv": "tidy CSV", ".nc": "netCDF"}
COMPARE_FORMATS = {".csv": "tidy CSV", ".parquet": "Parquet", ".nc": "netCDF"}
PLOT_FORMATS = {".png": "PNG", ".svg": "SVG"}
TIDY_COLUMNS = ["gross", "reimbursed", "contributed", "net", "net_pct_gdp"]


def to_tidy(ds: xr.Dataset) -> pd.DataFrame:
    """One row per scenario, (sample,) ally and year, with the columns analysts expect."""
    frame = ds[TIDY_COLUMNS].to_dataframe().reset_index()
    if "scenario" not in frame:
        frame.insert(0, "scenario", ds.attrs["scenario"])
    index = [d for d in ("scenario", "sample", "ally", "year") if d in frame]
    return frame[index + TIDY_COLUMNS]


def check_output_path(path: Path, formats: dict[str, str] = OUTPUT_FORMATS) -> None:
    """Fail before any work if the output cannot be written in a known format."""
    if path.suffix not in formats:
        raise BurdenSimError(f"{path}: unknown output format {path.suffix!r} (allowed: "
                             f"{', '.join(formats)})")
    if not path.parent.exists():
        raise BurdenSimError(f"{path}: folder {path.parent} does not exist")


def write_atomically(path: Path, write) -> Path:
    """Call ``write(temporary_path)``, then rename into place: never half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; outputs are not
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def write_results(ds: xr.Dataset, path: str | Path) -> Path:
    """Write by extension: .csv (tidy) or .nc (netCDF)."""
    path = Path(path)
    check_output_path(path)
    if path.suffix == ".csv":
        return write_atomically(path, lambda tmp: to_tidy(ds).to_csv(tmp, index=False))
    return write_atomically(path, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4"))


def write_comparison(ds: xr.Dataset, path: Path) -> Path:
    """Write a comparison by extension: .csv (tidy), .parquet or .nc."""
    if path.suffix == ".nc":
        return write_atomically(path, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4"))
    frame = to_tidy(ds)
    change = ds["net_change"].to_dataframe().reset_index()
    frame = frame.merge(change[[c for c in change.columns if c != "mission"]],
                        on=[c for c in ("scenario", "sample", "ally", "year") if c in frame])
    if path.suffix == ".csv":
        return write_atomically(path, lambda tmp: frame.to_csv(tmp, index=False))
    return write_atomically(path, lambda tmp: frame.to_parquet(tmp, index=False))
