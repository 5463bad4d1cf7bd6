"""burden-sim: who pays for NATO deployments under different cost-sharing rules.

The pipeline runs one way: inputs (scenario file, baseline) -> engine (the schedule of
deployments) -> model (costs, policy, metrics) -> results; `api` is the public face of it.
Names are imported on first use, so that the command line starts without the libraries a
command does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.2.0.dev0"

_PUBLIC = {
    "compare": "api", "load": "api", "open_sweep": "api", "simulate": "api", "sweep": "api",
    "BurdenSimError": "errors", "DataError": "errors", "ScenarioError": "errors",
    "load_baseline": "inputs.baseline", "load_scenario": "api",
    "Scenario": "inputs.schema", "check_scenario": "validate",
}
__all__ = [
    "BurdenSimError",
    "DataError",
    "Scenario",
    "ScenarioError",
    "check_scenario",
    "compare",
    "load",
    "load_baseline",
    "load_scenario",
    "open_sweep",
    "simulate",
    "sweep",
]

if TYPE_CHECKING:
    from .api import compare, load, load_scenario, open_sweep, simulate, sweep
    from .errors import BurdenSimError, DataError, ScenarioError
    from .inputs.baseline import load_baseline
    from .inputs.schema import Scenario
    from .validate import check_scenario


def __getattr__(name: str):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'burden_sim' has no attribute {name!r}")
