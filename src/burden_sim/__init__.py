"""burden-sim: who pays for NATO deployments under different cost-sharing rules.

The pipeline runs one way: inputs (scenario file, baseline) -> engine (the schedule of
deployments) -> model (costs, policy, metrics) -> results; `api` is the public face of it.
"""

from .api import compare, load, simulate, sweep
from .errors import BurdenSimError, DataError, ScenarioError
from .inputs.baseline import load_baseline
from .inputs.loading import load_scenario
from .inputs.schema import Scenario
from .validate import check_scenario

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
