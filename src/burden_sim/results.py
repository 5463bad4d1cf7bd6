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
TIDY_COLUMNS = ["gross", "reimbursed", "contributed", "net", "net_pct_gdp"]
USD = "USD (current prices)"
SAY, SY, AY = ("sample", "ally", "year"), ("sample", "year"), ("ally", "year")

# name: (dims, units, description)
VARIABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "gross": (SAY, USD, "gross cost of the missions to the ally"),
    "reimbursed": (SAY, USD, "paid to the ally by the fund"),
    "contributed": (SAY, USD, "paid by the ally into the fund"),
    "net": (SAY, USD, "net cost: gross - reimbursed + contributed"),
    "net_pct_gdp": (SAY, "% of GDP", "net cost as a share of GDP"),
    "defence_pct_gdp_after": (SAY, "% of GDP", "reported defence spending after the policy"),
    "fair_share": (SAY, "1", "share of the alliance's net bill / share of the allies' GDP"),
    "marginal_cost": (SAY, "1", "cost to the ally of one more unit of eligible cost"),
    "allies_at_2pct": (SY, "allies", "members at or above 2 % of GDP after the policy"),
    "allies_at_3_5pct": (SY, "allies", "members at or above 3.5 % of GDP after the policy"),
    "gini_net_pct_gdp": (SY, "1", "Gini coefficient of net cost as % of GDP across members"),
    "spearman_rho": (SY, "1", "Spearman rank correlation of GDP with defence % of GDP after"),
    "spearman_p": (SY, "1", "two-sided p-value of spearman_rho"),
    "kendall_tau": (SY, "1", "Kendall tau-b of GDP with defence % of GDP after"),
    "kendall_p": (SY, "1", "two-sided asymptotic p-value of kendall_tau"),
    "gross_by_mission": (("ally", "mission", "year"), USD, "gross cost at central unit costs"),
    "gdp": (AY, USD, "gross domestic product"),
    "defence_pct_gdp": (AY, "% of GDP", "defence spending before the policy (NATO)"),
    "key_share": (AY, "1", "funding key: share of the fund each ally finances"),
    "member": (AY, "", "NATO member in the year"),
}


# From the deployment engine only (scenarios with a deployment: block).
ENGINE_VARIABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "deployments": (AY, "deployments", "detachments, contingents and ships the ally sent "
                    "(counted in the year they started)"),
    "distinct_contributors": (("mission", "year"), "allies", "allies that sent forces to the "
                              "mission (rotations starting in the year)"),
    "unfilled_slots": (("mission", "year"), "slots", "slots of rotations starting in the year "
                       "that no ally could fill (gaps)"),
    "unfilled_rotations": (("mission", "year"), "rotations", "rotations starting in the year "
                           "with at least one unfilled slot"),
}


def build_dataset(*, scenario: str, allies: tuple[str, ...], missions: list[str],
                  years: list[int], arrays: dict[str, np.ndarray], with_samples: bool,
                  attrs: dict[str, str | float | int]) -> xr.Dataset:
    """Label the core's arrays; the sample axis is dropped when there are no samples."""
    engine = arrays.keys() - VARIABLES.keys()
    assert arrays.keys() >= VARIABLES.keys() and engine <= ENGINE_VARIABLES.keys() | {"activity"}
    data_vars = {
        name: (dims, arrays[name], {"units": units, "long_name": text})
        for name, (dims, units, text) in (VARIABLES | ENGINE_VARIABLES).items() if name in arrays
    }
    if "activity" in arrays:
        data_vars["activity"] = arrays["activity"]
    n_samples = arrays["net"].shape[0]
    ds = xr.Dataset(
        data_vars,
        coords={"ally": list(allies), "mission": missions, "year": years,
                "sample": np.arange(n_samples)},
        attrs={"scenario": scenario, **attrs},
    )
    return ds if with_samples else ds.isel(sample=0, drop=True)


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
