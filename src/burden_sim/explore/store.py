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

from ..errors import BurdenSimError
from ..model.results import label
from .executors import Executor, serial
from .sweep import Sweep, parameter_attrs, variable_info
from .writer import DONE, ChunkWriter, compressor, coord_name

MANIFEST = "burden_sim_sweep.json"


def open_store(sweep: Sweep, directory: Path, resume: bool) -> list[int]:
    """Create the store (or check it belongs to this sweep when resuming); chunks still to do.

    The manifest comes first, moved into place with the folder in one step: a sweep stopped
    at any point after that can resume, and of two sweeps started at once into one new
    folder, the second gets a one-line error.
    """
    manifest = directory / MANIFEST
    if directory.exists() and not resume:
        raise BurdenSimError(f"{directory}: already exists; resume the sweep that made it, "
                             "or choose a new folder")
    if resume and directory.exists():
        if not manifest.is_file():
            raise BurdenSimError(f"{directory}: is not a burden-sim sweep (no {MANIFEST})")
        if json.loads(manifest.read_text()) != json.loads(json.dumps(sweep.manifest())):
            raise BurdenSimError(f"{directory}: was made by a different sweep (scenario, "
                                 "parameters, design, samples, seed or chunk size differ)")
        if not (directory / DONE).is_dir():  # stopped while the store was laid out
            _lay_out(sweep, directory)
        done = {int(p.stem) for p in (directory / DONE).glob("*.done")}
        return [i for i in range(sweep.chunks) if i not in done]
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
    _lay_out(sweep, directory)
    return list(range(sweep.chunks))


def _lay_out(sweep: Sweep, directory: Path) -> None:
    """The store's arrays, empty, beside the manifest; then the folder of finished chunks."""
    template = _template(sweep)
    with warnings.catch_warnings():  # the manifest is not part of the Zarr hierarchy
        warnings.simplefilter("ignore")
        template.to_zarr(directory, compute=False, mode="a", zarr_format=2, consolidated=True,
                         encoding={name: {"compressors": [compressor(sweep.dtype)]}
                                   for name in template.data_vars})
    (directory / DONE).mkdir(exist_ok=True)


def _template(sweep: Sweep):
    import dask.array as da
    import xarray as xr

    allies, years = sweep.baseline.allies, sweep.scenario.year_list
    shapes = {"ally": len(allies), "year": len(years)}
    variables = {}
    for name in sweep.variables:
        dims, units, meaning = variable_info(name)
        shape = (sweep.samples, *(shapes[d] for d in dims[1:]))
        variables[name] = (dims, da.zeros(shape, chunks=(sweep.chunk_size, *shape[1:]),
                                          dtype=sweep.dtype),
                           {"units": units, "long_name": meaning})
    coords = {"ally": np.array(allies, dtype=object), "year": years}
    for j, parameter in enumerate(sweep.parameters):
        coords[coord_name(j, parameter)] = ("sample", da.zeros(sweep.samples,
                                                                chunks=sweep.chunk_size),
                                             parameter_attrs(parameter.path, sweep.scenario,
                                                             sweep.baseline))
    return label(xr.Dataset(variables, coords=coords, attrs={
        "scenario": sweep.scenario.name, "design": sweep.design, "samples": sweep.samples,
        "seed": sweep.seed, "chunk_size": sweep.chunk_size, "edition": sweep.baseline.edition,
        "parameters": ", ".join(q.path for q in sweep.parameters)}))


def write_chunk(sweep: Sweep, directory: Path, index: int, result: dict[str, np.ndarray]) -> None:
    """Write one chunk into its region, then mark it done."""
    ChunkWriter(sweep, directory).write(index, result)


def run_into_store(sweep: Sweep, directory: Path, executor: Executor, resume: bool = False,
                   progress: Callable[[int], None] | None = None) -> list[int]:
    """Run the chunks not yet in the store; returns the chunks written by this call. Workers
    write their own chunks; an executor that returns results (a remote cluster, which may
    not see this folder) has them written here."""
    made = not directory.exists()
    todo = open_store(sweep, directory, resume)
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
    except BurdenSimError:
        if made:  # bad input found while running: leave nothing behind
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
