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
CHANGE_COLUMNS = ["net_change", "net_change_pct_gdp"]
# A column's name carries its unit: results in USD get _usd (net -> net_usd); shares of GDP
# already end in _pct_gdp.
UNIT_SUFFIX = {"USD (current prices)": "_usd", "% of GDP": ""}


def column_name(ds: xr.Dataset, variable: str) -> str:
    """``net`` -> ``net_usd``: the tidy column of a variable, named with its unit."""
    return variable + UNIT_SUFFIX.get(ds[variable].attrs.get("units", ""), "")


def to_tidy(ds: xr.Dataset) -> pd.DataFrame:
    """One row per scenario, (sample,) ally and year, with the columns analysts expect, each
    named with its unit (``net_usd``, ``net_pct_gdp``); a comparison adds the change."""
    names = TIDY_COLUMNS + [c for c in CHANGE_COLUMNS if c in ds]
    frame = ds[names].to_dataframe().reset_index()
    if "scenario" not in frame:
        frame.insert(0, "scenario", ds.attrs["scenario"])
    index = [d for d in ("scenario", "sample", "ally", "year") if d in frame]
    return frame[index + names].rename(columns={n: column_name(ds, n) for n in names})


def _parquet(ds: xr.Dataset, frame: pd.DataFrame, path: str) -> None:
    """Parquet with each column's units and long_name in its field metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    labels = {column_name(ds, v): v for v in [*TIDY_COLUMNS, *CHANGE_COLUMNS] if v in ds}
    labels |= {d: d for d in ("scenario", "sample", "ally", "year") if d in ds.coords}
    fields = []
    for f in table.schema:
        attrs = ds[labels[f.name]].attrs if f.name in labels else {}
        meta = {k: str(attrs[k]) for k in ("units", "long_name") if k in attrs}
        fields.append(f.with_metadata(meta) if meta else f)
    pq.write_table(table.cast(pa.schema(fields, metadata=table.schema.metadata)), path)


def check_output_path(path: Path, formats: dict[str, str] = OUTPUT_FORMATS) -> None:
    """Fail before any work if the output cannot be written in a known format."""
    if path.is_dir():
        raise BurdenSimError(f"{path}: is a folder; give the name of a file to write")
    if path.suffix not in formats:
        raise BurdenSimError(f"{path}: unknown output format {path.suffix!r} (allowed: "
                             f"{', '.join(formats)})")
    if not path.parent.exists():
        raise BurdenSimError(f"{path}: folder {path.parent} does not exist")
    if not path.parent.is_dir():
        raise BurdenSimError(f"{path}: {path.parent} is a file, not a folder")
    if path.is_dir():
        raise BurdenSimError(f"{path}: is a folder; give the name of a file to write")
    try:  # the only sure test (permissions, read-only or system folders): write there
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise BurdenSimError(f"{path}: cannot write in {path.parent} ({exc.strerror})") from None
    os.close(fd)
    os.remove(probe)


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
    """Write a comparison by extension: .csv (tidy), .parquet or .nc; bands' draws are not
    written (they are the tables' working, not results)."""
    ds = ds.drop_vars([v for v in ds.data_vars if str(v).endswith("_draws")])
    if "draw" in ds.coords:
        ds = ds.drop_vars("draw")
    ds.attrs = {k: v for k, v in ds.attrs.items() if k != "band_over_samples"}  # no bands here
    if path.suffix == ".nc":
        return write_atomically(path, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4"))
    frame = to_tidy(ds)
    if path.suffix == ".csv":
        return write_atomically(path, lambda tmp: frame.to_csv(tmp, index=False))
    return write_atomically(path, lambda tmp: _parquet(ds, frame, tmp))


def write_indices(indices: pd.DataFrame, what: str, sweep, path: Path) -> Path:
    """Sobol indices as CSV, with the output they explain, the scenario, the data edition and
    the base sample size (what ``burden-sim plot --kind sobol`` reads back)."""
    frame = indices.assign(output=what, scenario=sweep.scenario.name,
                           edition=sweep.baseline.edition, base_samples=sweep.samples)
    return write_atomically(path, lambda tmp: frame.to_csv(tmp))

