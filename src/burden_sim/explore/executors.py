"""Executors: where a sweep's chunks run. Each yields (chunk index, results) as chunks finish;
every worker builds one `Evaluator` and keeps it for all the chunks it runs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator

import numpy as np

from ..errors import OptionError
from .evaluator import Evaluator
from .sweep import Sweep

Results = Iterator[tuple[int, dict[str, np.ndarray]]]
Executor = Callable[[Sweep, list[int]], Results]


def serial(sweep: Sweep, indices: list[int]) -> Results:
    """Every chunk here, one after the other."""
    evaluator = Evaluator(sweep)
    for index in indices:
        yield index, evaluator.chunk(index)


def processes(workers: int) -> Executor:
    """Local worker processes (the default); at most two chunks per worker in flight, so
    memory stays bounded however many chunks there are."""
    def run_chunks(sweep: Sweep, indices: list[int]) -> Results:
        import concurrent.futures as cf
        import multiprocessing as mp

        if workers <= 1 or len(indices) <= 1:
            yield from serial(sweep, indices)
            return
        with cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"),
                                    initializer=_start_worker, initargs=(sweep,)) as pool:
            yield from _windowed(lambda i: pool.submit(_worker_chunk, i), indices,
                                 2 * workers, cf.wait, cf.FIRST_COMPLETED)
    return run_chunks


_worker: Evaluator | None = None  # a worker process's own evaluator, set by its initializer


def _start_worker(sweep: Sweep) -> None:
    global _worker
    _worker = Evaluator(sweep)


def _worker_chunk(index: int) -> dict[str, np.ndarray]:
    assert _worker is not None
    return _worker.chunk(index)


def dask(address: str, workers: int = 2) -> Executor:
    """A Dask distributed cluster: ``local`` starts one here, else ``tcp://HOST:PORT``."""
    def run_chunks(sweep: Sweep, indices: list[int]) -> Results:
        from distributed import Client, LocalCluster, wait

        cluster = None
        try:
            if address == "local":
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
                client = Client(cluster)
            else:
                client = Client(address, timeout="5s")
        except (OSError, TimeoutError) as exc:
            raise OptionError("scheduler", address, "cannot reach the scheduler "
                              f"({type(exc).__name__})") from None
        try:
            token = hashlib.sha256(json.dumps(sweep.manifest(), sort_keys=True)
                                   .encode()).hexdigest()
            slots = 2 * max(1, len(client.scheduler_info()["workers"]))
            yield from _windowed(
                lambda i: client.submit(_dask_chunk, sweep, token, i, pure=False),
                indices, slots, wait, "FIRST_COMPLETED")
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    return run_chunks


def _dask_chunk(sweep: Sweep, token: str, index: int) -> dict[str, np.ndarray]:
    """Run on a Dask worker, which keeps one evaluator per sweep."""
    from distributed import get_worker

    worker = get_worker()
    evaluators = worker.__dict__.setdefault("burden_sim_evaluators", {})
    if token not in evaluators:
        evaluators.clear()
        evaluators[token] = Evaluator(sweep)
    return evaluators[token].chunk(index)


def _windowed(submit, indices, slots, wait, first_completed) -> Results:
    """Keep ``slots`` chunks running; yield each (index, result) as it finishes."""
    pending = list(indices)
    running = {}
    try:
        while pending or running:
            while pending and len(running) < slots:
                index = pending.pop(0)
                running[submit(index)] = index
            done, _ = wait(list(running), return_when=first_completed)
            for future in done:
                yield running.pop(future), future.result()
    finally:
        for future in running:
            future.cancel()


def check_scheduler(address: str) -> None:
    """Fail early when a scheduler address is malformed or unreachable."""
    if address == "local":
        return
    if not address.startswith("tcp://") or ":" not in address.removeprefix("tcp://"):
        raise OptionError("scheduler", address, "use local or tcp://HOST:PORT")
    import socket

    host, port = address.removeprefix("tcp://").rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
    except (OSError, ValueError) as exc:
        raise OptionError("scheduler", address, "cannot reach the scheduler "
                          f"({exc.__class__.__name__})") from None


