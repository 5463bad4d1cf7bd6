"""A sweep on a real Dask cluster: a scheduler and two workers started as separate processes
on 127.0.0.1, reached with --scheduler tcp://..., give the same store as one worker."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xarray as xr
from typer.testing import CliRunner

from burden_sim.cli import app

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["sweep", str(ROOT / "scenarios" / "fund_sensitivity.yaml"), "--design", "mc",
        "--samples", "60", "--seed", "3", "--chunk-size", "16"]  # PERT unit costs, fraction


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(*args: str, log: Path) -> subprocess.Popen:
    """A `dask` command in its own process group, so that stopping it stops its children."""
    return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_for_workers(address: str, count: int, timeout: float = 90) -> None:
    from distributed import Client

    deadline = time.monotonic() + timeout
    while True:
        try:
            with Client(address, timeout="5s") as client:
                client.wait_for_workers(count, timeout=max(1, deadline - time.monotonic()))
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.fixture
def cluster(tmp_path):
    """tcp://127.0.0.1:PORT of a scheduler with two single-threaded workers."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    started = []
    try:
        started.append(_start("scheduler", "--host", "127.0.0.1", "--port", port,
                              "--no-dashboard", log=tmp_path / "scheduler.log"))
        started.append(_start("worker", address, "--nworkers", "2", "--nthreads", "1",
                              "--host", "127.0.0.1", "--no-dashboard",
                              log=tmp_path / "worker.log"))
        _wait_for_workers(address, 2)
        yield address
    finally:
        for process in reversed(started):
            _stop(process)


def test_a_sweep_on_an_external_cluster_gives_the_store_of_one_worker(tmp_path, cluster):
    runner = CliRunner()
    one, remote = tmp_path / "one.zarr", tmp_path / "remote.zarr"
    result = runner.invoke(app, [*ARGS, "-o", str(one), "--workers", "1"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [*ARGS, "-o", str(remote), "--scheduler", cluster])
    assert result.exit_code == 0, result.output
    with xr.open_zarr(one) as a, xr.open_zarr(remote) as b:
        xr.testing.assert_identical(b.load(), a.load())
