"""Executors: where a sweep's chunks run. Each yields (chunk index, results) as chunks finish;
every worker keeps one `Evaluator` for all the chunks it runs. Given the store's folder, a
worker writes each chunk it computes into its own region of the store and yields (index, None):
results never travel back through the driver."""

from __future__ import annotations

import hashlib
import json
import signal
import threading
from collections.abc import Callable, Iterator
from multiprocessing.context import SpawnContext, SpawnProcess
from pathlib import Path

import numpy as np

from ..errors import OptionError
from ..model.core import ordinary_pages
from .evaluator import Evaluator
from .sweep import Sweep
from .writer import ChunkWriter

Results = Iterator[tuple[int, dict[str, np.ndarray] | None]]
# Given a folder, results are what its store holds (`Sweep.stored`); without, every result.
Executor = Callable[[Sweep, list[int], Path | None], Results]


class Worker:
    """What a worker keeps from chunk to chunk: its evaluator and, when it writes, the store
    (then each chunk's results stay in buffers reused by the next chunk)."""

    def __init__(self, sweep: Sweep, directory: Path | None = None,
                 stored: bool | None = None) -> None:
        stored = directory is not None if stored is None else stored
        self.evaluator = Evaluator(sweep, reuse_buffers=directory is not None, stored=stored)
        self.writer = None if directory is None else ChunkWriter(sweep, directory)

    def chunk(self, index: int) -> dict[str, np.ndarray] | None:
        """Compute chunk ``index``; write it (and return None) or return its results."""
        result = self.evaluator.chunk(index)
        if self.writer is None:
            return result
        self.writer.write(index, result)
        return None


def serial(sweep: Sweep, indices: list[int], directory: Path | None = None) -> Results:
    """Every chunk here, one after the other."""
    worker = Worker(sweep, directory)
    for index in indices:
        yield index, worker.chunk(index)


def processes(workers: int) -> Executor:
    """Local worker processes (the default); at most two chunks per worker in flight, so
    memory stays bounded however many chunks there are."""
    def run_chunks(sweep: Sweep, indices: list[int], directory: Path | None = None) -> Results:
        import concurrent.futures as cf

        if workers <= 1 or len(indices) <= 1:
            yield from serial(sweep, indices, directory)
            return
        where = None if directory is None else Path(directory).resolve()
        _quiet_resource_tracker()
        context = _SpawnWithoutCtrlC()
        pool = cf.ProcessPoolExecutor(workers, mp_context=context,
                                      initializer=_start_worker, initargs=(sweep, where))
        finished = False
        try:
            yield from _windowed(lambda i: pool.submit(_worker_chunk, i), indices,
                                 2 * workers, cf.wait, cf.FIRST_COMPLETED)
            finished = True
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:  # Ctrl-C or an error: end the workers now, not after their chunks
                for process in context.started:
                    if process.is_alive():
                        process.terminate()
                pool.shutdown(wait=True, cancel_futures=True)
    return run_chunks


class _ProcessWithoutCtrlC(SpawnProcess):
    """A spawned process started with Ctrl-C held back, on both sides. The pool starts its
    workers on demand, so Ctrl-C can come while one starts (half a second or more: the
    pickled sweep fills the pipe). The child inherits the signal blocked (the mask passes
    through fork and exec) until it ignores it (`_ignore_ctrl_c`); else it died with a
    traceback. The driver takes it once the start is over, so that the process is known
    (`_SpawnWithoutCtrlC.started`); else it could be left half-started, waiting. A second
    Ctrl-C during the start is taken at once."""

    def start(self) -> None:
        if not hasattr(signal, "pthread_sigmask"):  # Windows: no process-group Ctrl-C
            return super().start()
        main = threading.current_thread() is threading.main_thread()  # handlers live there
        pressed: list[bool] = []

        def hold(signum: int, frame: object) -> None:
            if pressed:  # pressed again: the user means it
                raise KeyboardInterrupt
            pressed.append(True)

        handler = signal.signal(signal.SIGINT, hold) if main else None
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            super().start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            if main:
                signal.signal(signal.SIGINT, handler)
                if pressed:
                    signal.raise_signal(signal.SIGINT)  # as it would have been taken


class _SpawnWithoutCtrlC(SpawnContext):
    """The spawn context of one pool: its processes start without Ctrl-C, and it keeps them,
    to end them all after Ctrl-C or an error (the pool may not have recorded the last)."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[_ProcessWithoutCtrlC] = []

    def Process(self, *args, **kwargs) -> _ProcessWithoutCtrlC:  # noqa: N802 (the context's)
        process = _ProcessWithoutCtrlC(*args, **kwargs)
        self.started.append(process)
        return process


def _ignore_ctrl_c() -> None:
    """In a worker: Ctrl-C is the driver's, which stops us; one sent while we started, and
    held back by the blocked mask, is dropped."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker without its "leaked semaphore" warning: after
    Ctrl-C the pool's workers are ended on purpose, and the tracker frees what they held."""
    import sys
    from multiprocessing import resource_tracker

    option = "ignore::UserWarning:multiprocessing.resource_tracker"
    sys.warnoptions.append(option)  # the tracker process is started with these -W options
    try:
        resource_tracker.ensure_running()
    finally:
        sys.warnoptions.remove(option)


_worker: Worker | None = None  # a worker process's own, set by its initializer


def _start_worker(sweep: Sweep, directory: Path | None) -> None:
    global _worker
    _ignore_ctrl_c()
    ordinary_pages()
    _worker = Worker(sweep, directory)


def _worker_chunk(index: int) -> dict[str, np.ndarray] | None:
    assert _worker is not None
    return _worker.chunk(index)


def dask(address: str, workers: int = 2) -> Executor:
    """A Dask distributed cluster: ``local`` starts one here, else ``tcp://HOST:PORT``. The
    workers of a local cluster write their chunks into the store; those of a remote one may
    not see its folder, so their results come back to be written here."""
    def run_chunks(sweep: Sweep, indices: list[int], directory: Path | None = None) -> Results:
        from distributed import Client, LocalCluster, wait

        cluster = None
        try:
            if address == "local":
                import logging
                import signal

                # the cluster's processes inherit an ignored Ctrl-C: the driver stops them
                previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
                try:
                    cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                           processes=True, dashboard_address=":0",
                                           silence_logs=logging.CRITICAL)
                finally:
                    signal.signal(signal.SIGINT, previous)
                client = Client(cluster)
            else:
                client = Client(address, timeout="5s")
        except (OSError, TimeoutError) as exc:
            raise OptionError("scheduler", address, "cannot reach the scheduler "
                              f"({type(exc).__name__})") from None
        where = (Path(directory).resolve() if directory is not None and address == "local"
                 else None)
        try:
            token = hashlib.sha256(json.dumps(sweep.manifest(), sort_keys=True)
                                   .encode()).hexdigest()
            slots = 2 * max(1, len(client.scheduler_info()["workers"]))
            yield from _windowed(
                lambda i: client.submit(_dask_chunk, sweep, token, where, directory is not None,
                                        i, pure=False),
                indices, slots, wait, "FIRST_COMPLETED")
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    return run_chunks


def _dask_chunk(sweep: Sweep, token: str, directory: Path | None, stored: bool,
                index: int) -> dict[str, np.ndarray] | None:
    """Run on a Dask worker, which keeps one `Worker` per sweep and store."""
    from distributed import get_worker

    worker = get_worker()
    kept = worker.__dict__.setdefault("burden_sim_workers", {})
    if (token, directory, stored) not in kept:
        kept.clear()
        ordinary_pages()
        kept[token, directory, stored] = Worker(sweep, directory, stored)
    return kept[token, directory, stored].chunk(index)


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


def for_options(scheduler: str | None, workers: int) -> Executor:
    """Local processes, or a Dask cluster when a scheduler is named (checked first)."""
    if workers < 1:
        raise OptionError("workers", workers, "must be at least 1")
    if scheduler is None:
        return processes(workers)
    check_scheduler(scheduler)
    return dask(scheduler, workers)

