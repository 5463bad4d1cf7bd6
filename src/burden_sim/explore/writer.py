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
        self.arrays = {name: _Chunks(self.directory / name, group[name])
                       for name in sweep.stored}
        self.coords = [_Chunks(self.directory / coord_name(j, q), group[coord_name(j, q)])
                       for j, q in enumerate(sweep.parameters)]

    def write(self, index: int, result: dict[str, np.ndarray]) -> None:
        """Write chunk ``index``, then mark it done: a chunk is whole or redone."""
        for name, array in self.arrays.items():
            array.write(index, result[name])
        for j, array in enumerate(self.coords):
            array.write(index, result["parameters"][:, j])
        (self.directory / DONE / f"{index}.done").touch()


class _Chunks:
    """One array of the store, written a whole chunk (a file) at a time: the chunk encoded
    as Zarr's version 2 format lays it out (C order, the array's dtype, padded to the chunk's
    shape with the fill value, compressed by the array's compressor), so a chunk costs its
    encoding and one file instead of Zarr's machinery for a region (about 1.5 ms an array)."""

    def __init__(self, folder: Path, array) -> None:
        meta = array.metadata
        self.folder, self.array, self.chunks = folder, array, array.chunks
        self.dtype, self.compressor = array.dtype, meta.compressor
        self.fill = meta.fill_value
        self.separator = meta.dimension_separator or "."
        self.direct = (meta.filters is None and meta.order == "C" and len(self.chunks) >= 1
                       and all(c == s for c, s in zip(self.chunks[1:], array.shape[1:],
                                                      strict=True)))

    def write(self, index: int, block: np.ndarray) -> None:
        rows = self.chunks[0]
        if not self.direct:
            self.array[index * rows:index * rows + len(block)] = block
            return
        data = np.ascontiguousarray(block, dtype=self.dtype)
        if len(data) < rows:  # the last chunk: Zarr keeps every chunk at the chunk's shape
            padded = np.full(self.chunks, self.fill, dtype=self.dtype)
            padded[:len(data)] = data
            data = padded
        encoded = data.tobytes() if self.compressor is None else self.compressor.encode(data)
        key = self.separator.join([str(index), *["0"] * (len(self.chunks) - 1)])
        partial = self.folder / f".{key}.part"
        partial.write_bytes(encoded)
        partial.replace(self.folder / key)


def coord_name(j: int, parameter: Parameter) -> str:
    """The store's name for the values of parameter ``j`` along ``sample``: its path, as in
    Python and on the command line (``policy.fraction``)."""
    return parameter.path
