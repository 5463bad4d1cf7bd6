"""Choosing the store's compressor: size against speed on a real chunk of results.

    python benchmarks/bench_store.py

One chunk (20,000 samples) of a Monte Carlo sweep of scenarios/fund_sensitivity.yaml with the
default variables (net, net % of GDP, reimbursed, contributed per sample, ally and year),
encoded by each candidate (one thread) and written as a store chunk into a fresh Zarr array,
in float64 and float32; best of 5. Writes benchmarks/results/store.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PER_ALLY = ("net", "net_pct_gdp", "reimbursed", "contributed")


def candidates() -> dict:
    from numcodecs import Blosc, Zstd

    return {"none": None,
            "blosc lz4 1 shuffle (chosen for float64)": Blosc("lz4", 1, Blosc.SHUFFLE),
            "blosc lz4 1 bitshuffle (chosen for float32)": Blosc("lz4", 1, Blosc.BITSHUFFLE),
            "blosc lz4 5 shuffle (zarr's default)": Blosc("lz4", 5, Blosc.SHUFFLE),
            "blosc zstd 1 shuffle": Blosc("zstd", 1, Blosc.SHUFFLE),
            "blosc zstd 5 shuffle": Blosc("zstd", 5, Blosc.SHUFFLE),
            "zstd 1": Zstd(1)}


def chunk(rows: int) -> dict[str, np.ndarray]:
    from burden_sim import api
    from burden_sim.explore.evaluator import Evaluator
    from burden_sim.explore.sweep import plan_sweep

    scenario, baseline = api.load(ROOT / "scenarios" / "fund_sensitivity.yaml")
    sweep = plan_sweep(scenario, baseline, design="mc", samples=rows, chunk_size=rows)
    return Evaluator(sweep).chunk(0)


def best(fn, repeat: int = 5) -> float:
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> list[dict]:
    import numcodecs
    import zarr

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--save", type=Path, default=ROOT / "benchmarks" / "results" /
                        "store.json")
    args = parser.parse_args(argv)
    numcodecs.blosc.use_threads = False
    result = chunk(args.rows)
    rows = []
    for dtype in ("float64", "float32"):
        arrays = [np.ascontiguousarray(result[name], dtype=dtype) for name in PER_ALLY]
        raw = sum(a.nbytes for a in arrays)
        for name, codec in candidates().items():
            size = raw if codec is None else sum(len(codec.encode(a)) for a in arrays)
            encode = 0.0 if codec is None else best(
                lambda _, c=codec, arrays=arrays: [c.encode(a) for a in arrays])
            folder = tempfile.mkdtemp(prefix="burden-store-", dir=os.environ.get("BENCH_TMP"))
            try:
                group = zarr.open_group(Path(folder) / "s.zarr", mode="w", zarr_format=2)
                targets = [group.create_array(n, shape=(5 * args.rows, *a.shape[1:]),
                                              chunks=a.shape, dtype=dtype, compressors=codec)
                           for n, a in zip(PER_ALLY, arrays, strict=True)]

                def write(i, targets=targets, arrays=arrays):
                    for target, a in zip(targets, arrays, strict=True):
                        target[i * len(a):(i + 1) * len(a)] = a
                seconds = best(write)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            rows.append({"dtype": dtype, "codec": name, "ratio": raw / size,
                         "encode_mb_s": raw / encode / 1e6 if encode else None,
                         "write_s": seconds, "write_mb_s": raw / seconds / 1e6,
                         "raw_mb": raw / 1e6})
            print(json.dumps(rows[-1]), flush=True)
    report = {"rows": args.rows, "load": round(os.getloadavg()[0], 2), "codecs": rows}
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(report, indent=1))
    return rows


if __name__ == "__main__":
    main()
