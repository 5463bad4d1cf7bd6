"""Writing a sweep's chunks into its Zarr store: each chunk of the sweep is a chunk of the store
(its own files), so any process can write its own without touching another's."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .designs import Parameter
from .sweep import Sweep

DONE = "burden_sim_done"


def compressor(dtype: str):
    """Blosc LZ4 at level 1 with byte shuffling (bit shuffling for float32): results are
    noisy floats that no compressor shrinks by more than about a third; this one writes at
    about the disk's speed (docs/performance.md, Writing the store)."""
    from numcodecs import Blosc

    shuffle = Blosc.BITSHUFFLE if dtype == "float32" else Blosc.SHUFFLE
    return Blosc(cname="lz4", clevel=1, shuffle=shuffle)


class ChunkWriter:
    """Writes whole chunks into a store made by `open_store`, each into its own region (its
    own files: chunks of the store are chunks of the sweep), then marks it done. Workers
    each open one and write what they compute; nothing goes back through the driver."""

    def __init__(self, sweep: Sweep, directory: Path) -> None:
        import zarr

        self.sweep, self.directory = sweep, Path(directory)
        group = zarr.open_group(self.directory, mode="r+", zarr_format=2)
        self.arrays = {name: group[name] for name in sweep.stored}
        self.coords = [group[coord_name(j, q)] for j, q in enumerate(sweep.parameters)]

    def write(self, index: int, result: dict[str, np.ndarray]) -> None:
        """Write chunk ``index``, then mark it done: a chunk is whole or redone."""
        start, stop = self.sweep.bounds(index)
        for name, array in self.arrays.items():
            array[start:stop] = result[name]
        for j, array in enumerate(self.coords):
            array[start:stop] = result["parameters"][:, j]
        (self.directory / DONE / f"{index}.done").touch()


def coord_name(j: int, parameter: Parameter) -> str:
    """The store's name for the values of parameter ``j`` along ``sample``: its path, as in
    Python and on the command line (``policy.fraction``)."""
    return parameter.path
