"""burden-sim: who pays for NATO deployments under different cost-sharing rules."""

from .api import check_scenario, compare, load, simulate, sweep
from .baseline import load_baseline
from .errors import BurdenSimError, DataError, ScenarioError
from .scenario import Scenario, load_scenario

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
    "simulate",
    "sweep",
]
__version__ = "0.1.0"
