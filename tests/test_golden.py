"""Golden results: every shipped scenario and one small sweep store, to the last bit.

The files in tests/golden/ were written by tests/golden/make_golden.py. A change that moves
code must leave them identical; a change that moves numbers regenerates them in a commit
that says why.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

HERE = Path(__file__).resolve().parent / "golden"
_spec = importlib.util.spec_from_file_location("make_golden", HERE / "make_golden.py")
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)


def assert_same_numbers(new: xr.Dataset, golden: xr.Dataset) -> None:
    """Every golden variable and coordinate is present with the same values, bit for bit."""
    for name in [*golden.data_vars, *golden.coords]:
        assert name in new.variables, f"{name} is missing"
        old, now = golden[name], new[name]
        assert old.dims == now.dims, f"{name}: dims {now.dims} != {old.dims}"
        a, b = np.asarray(old.values), np.asarray(now.values)
        if a.dtype.kind in "fc":
            assert a.shape == b.shape and np.array_equal(a, b, equal_nan=True), \
                f"{name}: differs, largest change {np.nanmax(np.abs(a - b))}"
        else:
            assert [str(x) for x in a.ravel()] == [str(x) for x in b.ravel()], f"{name}: differs"


@pytest.mark.parametrize("path", make_golden.SCENARIOS, ids=lambda p: p.stem)
def test_scenario_results_are_unchanged(path):
    with xr.open_dataset(HERE / f"{path.stem}.nc") as golden:
        assert_same_numbers(make_golden.scenario_result(path), golden.load())


def test_sweep_store_is_unchanged(tmp_path):
    with xr.open_dataset(HERE / "sweep.nc") as golden:
        # The store now names a parameter's coordinate by its path (issue 14: policy.fraction,
        # not param_policy__fraction); the golden file, written before, keeps the old name
        # and the path in its attribute. Only the name is mapped: the values are compared.
        golden = golden.load()
        golden = golden.rename({c: golden[c].attrs["path"] for c in golden.coords
                                if str(c).startswith("param_")})
        assert_same_numbers(make_golden.sweep_result(tmp_path), golden)
