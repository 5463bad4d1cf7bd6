"""The Zarr store of a sweep: made with its manifest, filled chunk by chunk (each chunk marked
done once written, so a stopped sweep resumes), or gathered in memory for small sweeps."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr

from .. import __version__
from ..errors import BurdenSimError
from ..model import core
from ..model.results import label
from .evaluator import Evaluator
from .executors import Executor, serial
from .sweep import Sweep, parameter_attrs, variable_info
from .writer import DONE, ChunkWriter, compressor, coord_name

MANIFEST = "burden_sim_sweep.json"
# names that promise a file, which a store (a folder) is not
FILE_SUFFIXES = frozenset({".csv", ".nc", ".parquet", ".json", ".png", ".svg", ".html", ".md",
                           ".txt", ".yaml", ".yml", ".xlsx"})


def open_store(sweep: Sweep, directory: Path, resume: bool) -> list[int]:
    """Create the store (or check it belongs to this sweep when resuming); chunks still to do
    (``_open`` also says whether this call made the folder)."""
    return _open(sweep, directory, resume)[0]


def _open(sweep: Sweep, directory: Path, resume: bool,
          warn: Callable[[str], None] | None = None) -> tuple[list[int], bool]:
    """The chunks still to do, and whether this call made the folder.

    The manifest comes first, moved into place with the folder in one step: a sweep stopped
    at any point after that can resume, and of two sweeps started at once into one new
    folder, the second gets a one-line error.
    """
    manifest = directory / MANIFEST
    if directory.suffix.lower() in FILE_SUFFIXES and not directory.is_dir():
        raise BurdenSimError(f"{directory}: a sweep writes a Zarr store (a folder): name it "
                             f"with .zarr, not {directory.suffix}")
    if directory.exists() and not directory.is_dir():
        raise BurdenSimError(f"{directory}: is a file; a sweep writes a Zarr store (a folder)")
    if directory.exists() and not resume:
        raise BurdenSimError(f"{directory}: already exists; resume the sweep that made it, "
                             "or choose a new folder")
    if resume and directory.exists():
        if not manifest.is_file():
            raise BurdenSimError(f"{directory}: is not a burden-sim sweep (no {MANIFEST})")
        if json.loads(manifest.read_text()) != json.loads(json.dumps(sweep.manifest())):
            raise BurdenSimError(f"{directory}: was made by a different sweep (scenario, "
                                 "parameters, design, samples, seed, chunk size, variables, "
                                 "dtype or burden-sim version differ)")
        if not (directory / DONE).is_dir():  # stopped while the store was laid out
            _lay_out(sweep, directory)
        done = {int(p.stem) for p in (directory / DONE).glob("*.done")}
        return [i for i in range(sweep.chunks) if i not in done], False
    if not directory.parent.exists():
        raise BurdenSimError(f"{directory}: folder {directory.parent} does not exist")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".part",
                                        dir=directory.parent))
    except OSError as exc:
        raise BurdenSimError(f"{directory}: cannot create it ({exc.strerror})") from None
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes the folder private; a store is not
    (staging / MANIFEST).write_text(json.dumps(sweep.manifest(), indent=1))
    try:
        staging.rename(directory)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        raise BurdenSimError(f"{directory}: already exists (another sweep has just started "
                             "writing it); choose a new folder") from None
    try:  # the folder is ours from here: one we cannot lay out goes
        template = _lay_out(sweep, directory)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    if warn is not None and (warning := room_warning(template, directory)):
        warn(warning)
    return list(range(sweep.chunks)), True


def room_warning(template: xr.Dataset, directory: Path) -> str | None:
    """Why a new store may not fit on its disk, or None. Counted uncompressed, which is an
    upper bound (counts and fractions compress well, drawn prices hardly): a store past it
    may still fit, and one that fills the disk stops with its chunks kept, to resume."""
    need = sum(array.nbytes for array in template.variables.values()
               if "sample" in array.dims)
    free = shutil.disk_usage(directory).free
    if need <= free:
        return None
    return (f"{directory}: the store may need up to {_size(need)} (before compression) and "
            f"its disk has {_size(free)} free; fewer variables (--variables), float32 "
            "(--dtype) or fewer samples make it smaller")


def _size(count: int) -> str:
    scale, unit = next((s, u) for s, u in ((1e9, "GB"), (1e6, "MB"), (1e3, "kB"), (1, "bytes"))
                       if count >= s / 10 or s == 1)
    return f"{count / scale:,.1f} {unit}" if scale > 1 else f"{count} bytes"


def _lay_out(sweep: Sweep, directory: Path) -> xr.Dataset:
    """The store's arrays, empty, beside the manifest; then the folder of finished chunks.
    Returns the store's template."""
    template = _template(sweep)
    with warnings.catch_warnings():  # the manifest is not part of the Zarr hierarchy
        warnings.simplefilter("ignore")
        encoding: dict[str, dict] = {name: {} for name in (*template.data_vars,
                                                           *template.coords)}
        for name in template.data_vars:
            encoding[name]["compressors"] = [compressor(sweep.dtype)]
        for name, array in {**template.data_vars, **template.coords}.items():
            if array.dims[:1] == ("sample",):  # the store's chunks: the sweep's
                encoding[name]["chunks"] = (sweep.chunk_size, *array.shape[1:])
        template.to_zarr(directory, compute=False, mode="a", zarr_format=2, consolidated=True,
                         encoding=encoding)
    (directory / DONE).mkdir(exist_ok=True)
    return template


# What a store that derives results on reading holds besides them: each sample's inputs to
# the fused core, and the model's coefficients (model.core.Unit and Burden), written once.
FACTORS = {
    "prices": (("sample", "category"), "each category's currency per unit",
               "unit price of each cost category"),
    "fraction_in_force": (("sample", "year"), "1",
                          "share of covered costs the fund repays (phase-in and cap applied)"),
    "unit_gross": (("category", "ally", "year"), "USD per unit price",
                   "gross cost at a unit price of each category"),
    "unit_covered": (("category", "ally", "year"), "USD per unit price",
                     "the part of unit_gross the fund covers"),
    "unit_covered_total": (("category", "year"), "USD per unit price",
                           "unit_covered summed over allies"),
    "key_share": (("ally", "year"), "1", "funding key: share of the fund each ally finances"),
    "gdp": (("ally", "year"), "USD (current prices)", "gross domestic product"),
    "defence_usd": (("ally", "year"), "USD (current prices)",
                    "defence spending before the policy (NaN where unknown)"),
    "member": (("ally", "year"), "1", "NATO member in the year"),
}
HOW = ("per-ally results ({}) are not stored: burden_sim.open_sweep derives them from "
       "prices, fraction_in_force and the model's coefficients stored here, as the sweep "
       "computed them (model.core.fused): reimbursed = fraction_in_force * (prices @ "
       "unit_covered), contributed = key_share * fraction_in_force * (prices @ "
       "unit_covered_total), net = prices @ unit_gross - reimbursed + contributed, net_change "
       "= contributed - reimbursed, net_pct_gdp = 100 * net / gdp")


def _template(sweep: Sweep):
    import dask.array as da
    import xarray as xr

    allies, years = sweep.baseline.allies, sweep.scenario.year_list
    shapes = {"ally": len(allies), "year": len(years)}
    variables, coords, attrs = {}, {"ally": np.array(allies, dtype=object), "year": years}, {}
    if sweep.derived:
        model = Evaluator(sweep).model({})
        shapes["category"] = len(model.categories)
        coords["category"] = np.array(model.categories, dtype=object)
        unit, burden = model.unit, model.burden
        a, y = unit.shape
        constants = {"unit_gross": unit.gross.reshape(-1, a, y),
                     "unit_covered": unit.covered.reshape(-1, a, y),
                     "unit_covered_total": unit.covered_total, "key_share": model.key.shares,
                     "gdp": burden.gdp, "defence_usd": burden.defence, "member": burden.member}
        for name, value in constants.items():
            dims, units, meaning = FACTORS[name]
            variables[name] = (dims, value, {"units": units, "long_name": meaning})
        attrs = {"derived": ", ".join(sweep.derived),
                 "reimbursement_lowers_spending": int(burden.lowers),
                 "how": HOW.format(", ".join(sweep.derived))}
    for name in sweep.stored:
        dims, units, meaning = FACTORS.get(name) or variable_info(name)
        shape = (sweep.samples, *(shapes[d] for d in dims[1:]))
        dtype = "float64" if name in FACTORS else sweep.dtype
        # one dask chunk: laying the store out makes a task per dask chunk, and a sweep of
        # 10^10 samples held 1.9 GB of them before its first chunk; the store's own chunks
        # are the encoding's (_lay_out)
        variables[name] = (dims, da.zeros(shape, chunks=shape, dtype=dtype),
                           {"units": units, "long_name": meaning})
    for j, parameter in enumerate(sweep.parameters):
        coords[coord_name(j, parameter)] = ("sample", da.zeros(sweep.samples,
                                                                chunks=sweep.samples),
                                             parameter_attrs(parameter.path, sweep.scenario,
                                                             sweep.baseline))
    return label(xr.Dataset(variables, coords=coords, attrs={
        "scenario": sweep.scenario.name, "design": sweep.design, "samples": sweep.samples,
        "seed": sweep.seed, "chunk_size": sweep.chunk_size, "edition": sweep.baseline.edition,
        "parameters": ", ".join(q.path for q in sweep.parameters), **attrs}))


def open_results(directory: Path, partial: bool = False) -> xr.Dataset:
    """A sweep's store as a Dataset of the results it kept, each with its units: those it
    derives on reading are computed chunk by chunk when read (lazily, with dask), by the same
    code and on the same rows as the sweep, so they have the bits it computed. An unfinished
    store is refused unless ``partial`` (its unwritten rows then read as NaN)."""
    import dask.array as da

    manifest = json.loads((Path(directory) / MANIFEST).read_text())
    total = -(-manifest["samples"] // manifest["chunk_size"])
    done = len(list((Path(directory) / DONE).glob("*.done")))
    if done < total and not partial:
        raise BurdenSimError(f"{directory}: an unfinished sweep, {done} of {total} chunks "
                             "written: finish it with the command that made it and --resume")
    ds = xr.open_zarr(directory)
    ds.attrs["chunks_written"] = f"{done} of {total}"
    derived = [v.strip() for v in str(ds.attrs.get("derived", "")).split(",") if v.strip()]
    if not derived:
        return ds
    made_by = manifest.get("burden_sim", "an earlier version")
    if made_by != __version__:  # its results would be derived by code other than the sweep's
        raise BurdenSimError(f"{directory}: derives its results with the code that read it, "
                             f"and was made by burden-sim {made_by}, not {__version__}: read it "
                             "with that version, or run the sweep again")
    dtype = np.dtype(manifest.get("dtype", "float64"))
    unit = core.Unit(*(ds[n].values.reshape(ds.sizes["category"], -1)
                       for n in ("unit_gross", "unit_covered")),
                     ds["unit_covered_total"].values, (ds.sizes["ally"], ds.sizes["year"]))
    burden = core.Burden(ds["gdp"].values, ds["defence_usd"].values, ds["member"].values,
                         bool(ds.attrs["reimbursement_lowers_spending"]))
    key = ds["key_share"].values

    def compute(prices: np.ndarray, fraction: np.ndarray, name: str) -> np.ndarray:
        wanted = ("reimbursed", "contributed") if name == "net_change" else (name,)
        out = core.fused(unit, prices, key, fraction, burden=burden, wanted=wanted)
        value = out["contributed"] - out["reimbursed"] if name == "net_change" else out[name]
        return value.astype(dtype)

    results = {}
    for name in derived:
        dims, units, meaning = variable_info(name)
        data = da.blockwise(compute, "sab", ds["prices"].data, "sc",
                            ds["fraction_in_force"].data, "sy", name, None,
                            new_axes={"a": ds.sizes["ally"], "b": ds.sizes["year"]},
                            concatenate=True, dtype=dtype)
        results[name] = (dims, data, {"units": units, "long_name": meaning})
    view = ds.drop_vars([*FACTORS, "category"]).assign(results)
    view.attrs = {k: v for k, v in ds.attrs.items()
                  if k not in ("derived", "reimbursement_lowers_spending", "how")}
    return view[[v for v in manifest["variables"]]]


def write_chunk(sweep: Sweep, directory: Path, index: int, result: dict[str, np.ndarray]) -> None:
    """Write one chunk into its region, then mark it done."""
    ChunkWriter(sweep, directory).write(index, result)


def run_into_store(sweep: Sweep, directory: Path, executor: Executor, resume: bool = False,
                   progress: Callable[[int], None] | None = None,
                   warn: Callable[[str], None] | None = None) -> list[int]:
    """Run the chunks not yet in the store; returns the chunks written by this call. Workers
    write their own chunks; an executor that returns results (a remote cluster, which may
    not see this folder) has them written here. ``warn`` hears of a new store that may not
    fit on its disk."""
    todo, made = _open(sweep, directory, resume, warn)  # a race's loser never touches the winner's
    written = []
    writer = None
    try:
        for index, result in executor(sweep, todo, directory):
            if result is not None:
                writer = writer or ChunkWriter(sweep, directory)
                writer.write(index, result)
            written.append(index)
            if progress is not None:
                progress(sweep.bounds(index)[1] - sweep.bounds(index)[0])
    except Exception:  # not Ctrl-C, after which a sweep resumes
        if made and not any((directory / DONE).glob("*.done")):  # nothing to resume
            shutil.rmtree(directory, ignore_errors=True)
        raise
    return written


def in_memory(sweep: Sweep, executor: Executor = serial) -> xr.Dataset:
    """Run a (small) sweep in memory: a Dataset over sample (, ally) and year, with the
    parameter values as coordinates along ``sample``."""
    parts = dict(executor(sweep, list(range(sweep.chunks)), None))
    ordered = [parts[i] for i in range(sweep.chunks)]
    data = {}
    for name in sweep.variables:
        dims, units, meaning = variable_info(name)
        data[name] = (dims, np.concatenate([r[name] for r in ordered]),
                      {"units": units, "long_name": meaning})
    values = np.concatenate([r["parameters"] for r in ordered])
    coords = {"ally": list(sweep.baseline.allies), "year": sweep.scenario.year_list}
    coords |= {parameter.path: ("sample", values[:, j], parameter_attrs(
        parameter.path, sweep.scenario, sweep.baseline))
               for j, parameter in enumerate(sweep.parameters)}
    return label(xr.Dataset(data, coords=coords, attrs={
        "scenario": sweep.scenario.name, "design": sweep.design, "samples": sweep.samples,
        "seed": sweep.seed, "edition": sweep.baseline.edition,
        "parameters": ", ".join(q.path for q in sweep.parameters)}))
