"""The Python API's arguments: each bad one is a one-line BurdenSimError naming the argument
(docs/errors.md), never a raw numpy, pydantic, PyYAML or TypeError traceback (hunt2 #11)."""

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import burden_sim
from burden_sim import BurdenSimError, api

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
QUO, FUND = SCENARIOS / "deploying_nation_pays.yaml", SCENARIOS / "common_fund.yaml"
FRACTION = {"policy.fraction": [0.5, 1.0]}


@pytest.mark.parametrize("call, message", [
    (lambda: burden_sim.compare(QUO, FUND, draws=-1), "draws -1: give 0 to 1,000,000"),
    (lambda: burden_sim.compare(QUO, FUND, draws=10**12),
     "draws 1,000,000,000,000: give 0 to 1,000,000"),
    (lambda: burden_sim.compare(QUO, FUND, draws=1.5), "draws 1.5: give a whole number"),
    (lambda: burden_sim.compare(QUO, FUND, draws="10"), "draws '10': give a whole number"),
    (lambda: burden_sim.compare(QUO, FUND, draws=True), "draws True: give a whole number"),
    (lambda: burden_sim.compare(QUO, FUND, draws=100_000),
     "draws 100,000: need about 13.1 GB of memory, more than the 4 GB a run may take; use "
     "burden-sim sweep for large Monte Carlo"),
    (lambda: api.against_status_quo(FUND, draws=-5), "draws -5: give 0 to 1,000,000"),
    (lambda: burden_sim.compare([QUO, FUND]), "scenarios [PosixPath("),
    (lambda: burden_sim.compare((QUO, FUND)), "pass the scenarios as separate arguments"),
    (lambda: burden_sim.simulate(None), "scenario None: give a scenario file (a str or Path) "
     "or a Scenario"),
    (lambda: burden_sim.simulate(5), "scenario 5: give a scenario file"),
    (lambda: burden_sim.simulate(FUND, set="policy.fraction=0.5"),
     "set 'policy.fraction=0.5': give a mapping of dotted paths to values, e.g. "
     "{'policy.fraction': 0.5}"),
    (lambda: burden_sim.load_scenario(FUND, set=["policy.fraction", 0.5]), "set ['policy"),
    (lambda: burden_sim.compare(QUO, FUND, set="x"), "set 'x': give a mapping"),
    (lambda: burden_sim.simulate(FUND, set={"policy.fraction": Decimal("0.5")}),
     "set policy.fraction=Decimal('0.5'): a Decimal is not a value a scenario holds"),
    (lambda: burden_sim.simulate(FUND, set={"policy.fraction": Fraction(1, 2)}),
     "set policy.fraction=Fraction(1, 2): a Fraction is not a value a scenario holds"),
    (lambda: burden_sim.simulate(FUND, set={"policy.key": {"name": "gdp", "x": [Decimal(1)]}}),
     "a Decimal is not a value a scenario holds"),
    (lambda: burden_sim.simulate(FUND, set={"policy.fraction": np.True_}),
     "with policy.fraction=true: expected a number, got true"),
    (lambda: burden_sim.simulate(FUND, set={1: 0.5}), "set 1: a path is a str"),
    (lambda: burden_sim.sweep(FUND, {"policy.fraction": "0,1"}),
     "parameters policy.fraction='0,1': give a list of values or a distribution"),
    (lambda: burden_sim.sweep(FUND, {"policy.fraction": 0.5}),
     "parameters policy.fraction=0.5: give a list of values or a distribution"),
    (lambda: burden_sim.sweep(FUND, {"policy.fraction": []}),
     "parameters policy.fraction=[]: give at least one value"),
    (lambda: burden_sim.sweep(FUND, {"policy.fraction": None}),
     "parameters policy.fraction=None: give a list of values"),
    (lambda: burden_sim.sweep(FUND, {"policy.fraction": ["a"]}),
     "parameters policy.fraction=['a']: values.0: Input should be a valid number"),
    (lambda: burden_sim.sweep(FUND, {"policy.fraction": {"distribution": "nope"}}),
     "parameters policy.fraction={'distribution': 'nope'}: distribution: Input should be"),
    (lambda: burden_sim.sweep(FUND, ["policy.fraction"]),
     "parameters ['policy.fraction']: give a mapping of dotted paths"),
    (lambda: burden_sim.sweep(FUND, {("policy", "fraction"): [0.5]}),
     "parameters ('policy', 'fraction'): a path is a str"),
    (lambda: burden_sim.sweep(FUND, FRACTION, variables=5), "variables 5: give a result's name"),
    (lambda: burden_sim.sweep(FUND, FRACTION, variables=["net", 5]), "variables ['net', 5]:"),
    (lambda: burden_sim.sweep(FUND, FRACTION, design="mc", samples=1.5),
     "samples 1.5: give a whole number"),
    (lambda: burden_sim.sweep(FUND, FRACTION, seed="x"), "seed 'x': give a whole number"),
])
def test_a_bad_argument_is_one_line_naming_it(call, message):
    with pytest.raises(BurdenSimError) as err:
        call()
    text = str(err.value)
    assert message in text and "\n" not in text


def test_good_arguments_still_work():
    """A single variable's name is that variable (it was taken letter by letter), numpy
    numbers are whole numbers and values, an array is a list of values."""
    ds = burden_sim.sweep(FUND, {"policy.fraction": np.linspace(0.5, 1.0, 2)}, variables="net")
    assert list(ds.data_vars) == ["net"] and ds.sizes["sample"] == 2
    cmp = burden_sim.compare(QUO, FUND, draws=np.int64(10),
                             set={"policy.fraction": np.float64(0.5)})
    assert cmp.sizes["draw"] == 10
