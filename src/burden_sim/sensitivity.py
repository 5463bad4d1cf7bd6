"""Sobol sensitivity indices (SALib) of one result to the parameters a sweep declares."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from .errors import BurdenSimError
from .results import VARIABLES
from .sweeps import Plan, run_rows

MONEY = ("gross", "reimbursed", "contributed", "net")


def reduce_output(result: dict[str, np.ndarray], plan: Plan, name: str, ally: str | None,
                  year: int | None, allies: tuple[str, ...]) -> np.ndarray:
    """One number per row: an ally's (or the alliance's) result in a year, or summed over the
    years for money; the last year otherwise."""
    years = plan.scenario.year_list
    values = result[name]
    if VARIABLES[name][0][1] == "ally":
        if ally is None:
            raise BurdenSimError(f"--output-var {name}: give --ally (an ISO3 code)")
        if ally not in allies:
            raise BurdenSimError(f"--ally {ally}: unknown ally")
        values = values[:, allies.index(ally)]
    if year is not None:
        if year not in years:
            raise BurdenSimError(f"--year {year}: not in the scenario's years")
        return values[:, years.index(year)]
    return values.sum(axis=1) if name in MONEY else values[:, -1]


def sobol_indices(plan: Plan, name: str, ally: str | None = None, year: int | None = None,
                  allies: tuple[str, ...] = ()) -> pd.DataFrame:
    """First-order and total Sobol indices with 95 % confidence intervals, per parameter.

    ``plan.samples`` is SALib's base sample size N; the model runs N (d + 2) times.
    """
    if name not in plan.variables:
        plan = _with_variables(plan, (name,))
    d = len(plan.parameters)
    problem = {"num_vars": d, "names": [p.path for p in plan.parameters],
               "bounds": [[0.0, 1.0]] * d}
    units = sobol_sample.sample(problem, plan.samples, calc_second_order=False, seed=plan.seed)
    values = np.stack([p.from_unit(units[:, j]) for j, p in enumerate(plan.parameters)], axis=1)
    output = np.concatenate([
        reduce_output(run_rows(plan, values[i:i + plan.chunk_size]), plan, name, ally, year,
                      allies)
        for i in range(0, len(values), plan.chunk_size)
    ])
    if np.ptp(output) == 0:
        raise BurdenSimError(f"--output-var {name}: does not vary with these parameters, so it "
                             "has no sensitivity to analyse")
    indices = sobol_analyze.analyze(problem, output, calc_second_order=False, seed=plan.seed)
    return pd.DataFrame({key: indices[key] for key in ("S1", "S1_conf", "ST", "ST_conf")},
                        index=pd.Index(problem["names"], name="parameter"))


def _with_variables(plan: Plan, names: tuple[str, ...]) -> Plan:
    return dataclasses.replace(plan, variables=names)
