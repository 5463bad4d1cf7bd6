"""Sobol sensitivity indices (SALib) of one result to the parameters a sweep declares."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd

from ..errors import OptionError
from .evaluator import Evaluator
from .sweep import Sweep, variable_info

MONEY = ("gross", "reimbursed", "contributed", "net", "net_change")


def reduce_output(result: dict[str, np.ndarray], sweep: Sweep, name: str, ally: str | None,
                  year: int | None, allies: tuple[str, ...]) -> np.ndarray:
    """One number per row: an ally's (or the alliance's) result in a year, or summed over the
    years for money; the last year otherwise."""
    years = sweep.scenario.year_list
    values = result[name]
    if variable_info(name)[0][1] == "ally":
        if ally is None:
            raise OptionError("output_var", name, "a per-ally result: give an ally (ISO3 code)")
        if ally not in allies:
            raise OptionError("ally", ally, "unknown ally")
        values = values[:, allies.index(ally)]
    if year is not None:
        if year not in years:
            raise OptionError("year", year, "not in the scenario's years")
        return values[:, years.index(year)]
    return values.sum(axis=1) if name in MONEY else values[:, -1]


def sobol_indices(sweep: Sweep, name: str, ally: str | None = None, year: int | None = None,
                  allies: tuple[str, ...] = ()) -> pd.DataFrame:
    """First-order and total Sobol indices with 95 % confidence intervals, per parameter.

    ``sweep.samples`` is SALib's base sample size N; the model runs N (d + 2) times.
    """
    if name not in sweep.variables:
        sweep = _with_variables(sweep, (name,))
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    d = len(sweep.parameters)
    problem = {"num_vars": d, "names": [p.path for p in sweep.parameters],
               "bounds": [[0.0, 1.0]] * d}
    with warnings.catch_warnings():  # any N works; a power of two balances the points best
        warnings.filterwarnings("ignore", message="The balance properties of Sobol")
        units = sobol_sample.sample(problem, sweep.samples, calc_second_order=False,
                                    seed=sweep.seed)
    values = np.stack([p.from_unit(units[:, j]) for j, p in enumerate(sweep.parameters)], axis=1)
    evaluator = Evaluator(sweep)
    output = np.concatenate([
        reduce_output(evaluator.rows(values[i:i + sweep.chunk_size]), sweep, name, ally, year,
                      allies)
        for i in range(0, len(values), sweep.chunk_size)
    ])
    if np.ptp(output) == 0:
        of = "".join(f" {x}" for x in (ally, year) if x is not None)
        raise OptionError("output_var", name, f"{name}{' of' + of if of else ''} does not vary "
                          "with these parameters, so it has no sensitivity to analyse")
    # SALib seeds its bootstrap only for a seed that is not 0 (with 0, the default, the
    # confidence intervals changed from run to run): seed + 1, never 0
    indices = sobol_analyze.analyze(problem, output, calc_second_order=False,
                                    seed=sweep.seed + 1)
    return pd.DataFrame({key: indices[key] for key in ("S1", "S1_conf", "ST", "ST_conf")},
                        index=pd.Index(problem["names"], name="parameter"))


def _with_variables(sweep: Sweep, names: tuple[str, ...]) -> Sweep:
    return dataclasses.replace(sweep, variables=names)
