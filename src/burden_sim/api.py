"""The public API, for notebooks and the command line: load a scenario, simulate it, compare
scenarios, sweep parameters, calibrate the unit costs. Results are labelled xarray Datasets."""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .engine.schedule import ScheduleCache
from .errors import BurdenSimError, DataError, OptionError
from .explore.comparison import combine
from .inputs.baseline import DEFAULT_EDITION, Baseline, load_baseline
from .inputs.calibration import POINTS_FILE, load_points
from .inputs.loading import Origin
from .inputs.loading import load_scenario as read_scenario
from .inputs.paths import as_typed, checked_settings, shown, with_settings
from .inputs.rules import status_quo
from .inputs.schema import Scenario, Uncertain
from .model.calculator import Calculator
from .model.calibration import FITTED, Calibration, holdout, point_relative_income
from .model.calibration import calibrate as calibrate_points
from .model.results import scenario_dataset
from .validate import check_scenario

if TYPE_CHECKING:
    import xarray as xr  # imported where a Dataset is built: loading a scenario needs none

Settings = dict[str, Any] | None


def load(path: str | Path, schedules: ScheduleCache | None = None
         ) -> tuple[Scenario, Baseline]:
    """Parse a scenario file and check it against the edition it names: the scenario and
    that edition's baseline (for the command line and the sweep machinery)."""
    scenario, origin = read_scenario(path)
    try:
        baseline = load_baseline(scenario.edition or DEFAULT_EDITION)
    except BurdenSimError as exc:
        raise origin.error(("edition",), str(exc)) from None
    check_scenario(scenario, baseline, origin, schedules)
    return scenario, baseline


def load_scenario(path: str | Path | Scenario, set: Settings = None) -> Scenario:  # noqa: A002
    """A scenario file, parsed and checked against its edition, with ``set`` applied: a
    mapping of dotted paths to values, e.g. ``{"policy.fraction": 0.6, "name": "fund_60"}``
    (the same paths as ``--set``); the result is checked again."""
    return _checked(path, ScheduleCache(), set)[0]


def _checked(scenario: str | Path | Scenario, schedules: ScheduleCache, settings: Settings = None
             ) -> tuple[Scenario, Baseline]:
    if not isinstance(scenario, str | PathLike | Scenario):
        raise OptionError("scenario", shown(scenario), "give a scenario file (a str or Path) "
                          "or a Scenario")
    if settings is not None:
        settings = checked_settings(settings)
    if isinstance(scenario, Scenario):  # perhaps made by model_copy, which validates nothing
        source = f"scenario {scenario.name}"
        _validate_again(scenario, Origin(source))
        baseline = _baseline(scenario, source)
        check_scenario(scenario, baseline, Origin(source), schedules=schedules)
    else:
        source = str(scenario)
        scenario, baseline = load(scenario, schedules)
    if settings:  # an error then names the file and the changes (no line: they are not in it)
        changed = ", ".join(f"{path}={as_typed(value)}" for path, value in settings.items())
        try:
            scenario = with_settings(scenario, settings, baseline.unit_costs)
        except OptionError as exc:  # which file, when --set changes several (compare)
            raise BurdenSimError(f"{source} with {exc.value}: {exc.message}") from None
        if (scenario.edition or DEFAULT_EDITION) != baseline.edition:
            baseline = _baseline(scenario, f"{source} with {changed}")
        check_scenario(scenario, baseline, Origin(f"{source} with {changed}"),
                       schedules=schedules)
    return scenario, baseline


def _baseline(scenario: Scenario, source: str) -> Baseline:
    """The baseline of the edition a scenario names; an unknown edition is its error."""
    try:
        return load_baseline(scenario.edition or DEFAULT_EDITION)
    except BurdenSimError as exc:
        raise BurdenSimError(f"{source}: edition: {exc}") from None


def _validate_again(scenario: Scenario, origin: Origin) -> None:
    """A scenario's fields checked as a file's are (a fraction of 7 is an error, not a fund
    that repays seven times the costs)."""
    from pydantic import ValidationError

    try:
        Scenario.model_validate(scenario.model_dump())
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
        raise origin.error(loc, err["msg"].removeprefix("Value error, ")) from None


def against_status_quo(scenario: str | Path | Scenario, set: Settings = None,  # noqa: A002
                       draws: int = 1000) -> xr.Dataset:
    """A scenario beside the deploying nation paying for the same years, missions and edition
    (that reference first), as `compare` gives them, with ``draws`` draws of the unit costs; a
    scenario that moves no money comes alone (its ``net_change`` is zero)."""
    draws = _draws_wanted(draws)
    schedules = ScheduleCache()
    scenario, baseline = _checked(scenario, schedules, set)
    model = Calculator.build(scenario, baseline, schedules)
    _check_draws_memory([model], draws)
    if not model.terms.moves_money:
        alone = combine([model], draws)
        alone.attrs["unused_fund_settings"] = ", ".join(_unused_fund_settings(scenario))
        return alone
    return combine([Calculator.build(status_quo(scenario), baseline, schedules), model], draws)


_FUND_SETTINGS = ("fraction", "key", "annual_cap_usd", "phase_in", "eligible_missions",
                 "eligible_categories")


def _unused_fund_settings(scenario: Scenario) -> list[str]:
    """The fund's settings a scenario gives although its rule moves no money (they would
    apply under rule common_fund): those that differ from their defaults (an empty phase-in
    is none)."""
    policy = scenario.policy
    if policy.rule == "common_fund":
        return []
    fields = type(policy).model_fields
    return [f"policy.{name}" for name in _FUND_SETTINGS
            if getattr(policy, name) not in (fields[name].default, {})]


def simulate(scenario: str | Path | Scenario, set: Settings = None) -> xr.Dataset:  # noqa: A002
    """Run a scenario (a file or a `Scenario`), with fields changed by ``set`` (dotted path
    -> value, as in `load_scenario`); an xarray Dataset over (sample,) ally and year."""
    schedules = ScheduleCache()
    scenario, baseline = _checked(scenario, schedules, set)
    return scenario_dataset(Calculator.build(scenario, baseline, schedules))


def deployments(scenario: Scenario, baseline: Baseline) -> pd.DataFrame | None:
    """The engine's dated deployments of a scenario with a deployment: block (else None)."""
    if scenario.deployment is None:
        return None
    return Calculator.build(scenario, baseline).schedule.deployments


def compare(*scenarios: str | Path | Scenario, set: Settings = None,  # noqa: A002
            draws: int = 0) -> xr.Dataset:
    """Simulate several scenarios over the same years; a ``scenario`` dimension, and
    ``net_change`` against the first (negative: the ally pays less). ``set`` changes every
    scenario (as in `load_scenario`). With ``draws``, also each scenario's ``net``,
    ``reimbursed`` and ``net_change`` at that many draws of the unit costs from their sourced
    ranges (the same draws for every scenario; dimension ``draw``): the bands of the tables."""
    if any(isinstance(s, list | tuple) for s in scenarios):
        raise OptionError("scenarios", shown(next(s for s in scenarios
                                                   if isinstance(s, list | tuple))),
                          "pass the scenarios as separate arguments: compare(a, b), or "
                          "compare(*files)")
    if len(scenarios) < 2:
        raise BurdenSimError("compare needs at least two scenarios")
    draws = _draws_wanted(draws)
    schedules = ScheduleCache()
    models = [Calculator.build(*_checked(s, schedules, set), schedules) for s in scenarios]
    _check_draws_memory(models, draws)
    return combine(models, draws)


def _draws_wanted(draws: object) -> int:
    """``draws`` of compare and against_status_quo: a whole number from 0 to 1,000,000 (the
    bound of a scenario's samples)."""
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer):
        raise OptionError("draws", shown(draws), "give a whole number of draws of the unit "
                          "costs (0: none)")
    if not 0 <= draws <= 1_000_000:
        raise OptionError("draws", f"{int(draws):,}", "give 0 to 1,000,000")
    return int(draws)


def _check_draws_memory(models: list[Calculator], draws: int) -> None:
    """Draws whose arrays would take more than a run's memory budget are refused, as a
    scenario's samples are (validate.py), before they are drawn (a scenario's own samples,
    checked with it, then take their place)."""
    from .model.costs import SAMPLES_BUDGET, samples_memory

    if not draws or models[0].scenario.samples:
        return
    shape = len(models[0].baseline.allies), len(models[0].years)
    need = samples_memory(draws, *shape) * max(1, len(models) // 2)
    if need > SAMPLES_BUDGET:
        raise OptionError("draws", f"{draws:,}", f"need about {need / 1e9:,.1f} GB of memory, "
                          f"more than the {SAMPLES_BUDGET / 1e9:.0f} GB a run may take; use "
                          "burden-sim sweep for large Monte Carlo")


def sweep(scenario: str | Path | Scenario, parameters: dict | None = None, *,
          design: str = "grid", samples: int | None = None, seed: int | None = None,
          variables: tuple[str, ...] = ("net", "net_pct_gdp", "reimbursed", "contributed",
                                        "allies_at_2pct", "allies_at_3_5pct")) -> xr.Dataset:
    """A sweep in memory, for notebooks: ``parameters`` maps dotted paths to values (a list)
    or to a distribution (a mapping, as in a scenario's ``parameters:`` block); ``variables``
    is a result's name or a tuple of them. Large sweeps belong in ``burden-sim sweep``, which
    streams to disk."""
    from .explore.store import in_memory
    from .explore.sweep import plan_sweep

    for name, value in (("samples", samples), ("seed", seed)):
        if value is not None and (isinstance(value, bool)
                                  or not isinstance(value, int | np.integer)):
            raise OptionError(name, shown(value), "give a whole number (or None)")
    scenario, baseline = _checked(scenario, ScheduleCache())
    specs = _parameter_specs(parameters)
    if isinstance(variables, str):  # one name, not its letters
        variables = (variables,)
    if not isinstance(variables, list | tuple) or not all(isinstance(v, str) for v in variables):
        raise OptionError("variables", shown(variables), "give a result's name or a list of "
                          "them, e.g. ('net', 'allies_at_2pct')")
    return in_memory(plan_sweep(scenario, baseline, design=design, samples=samples, seed=seed,
                                overrides=specs, variables=tuple(variables)))


def _parameter_specs(parameters: object) -> dict[str, Uncertain]:
    """A sweep's ``parameters``: dotted path -> a list of values or a distribution (a mapping,
    as in a scenario's ``parameters:`` block)."""
    from pydantic import ValidationError

    if parameters is None:
        return {}
    if not isinstance(parameters, Mapping):
        raise OptionError("parameters", shown(parameters), "give a mapping of dotted paths to "
                          "a list of values or a distribution, e.g. {'policy.fraction': [0.5, "
                          "1.0]}")
    specs = {}
    for path, spec in parameters.items():
        if not isinstance(path, str):
            raise OptionError("parameters", shown(path), "a path is a str, e.g. "
                              "'policy.fraction'")
        given = f"{path}={shown(spec)}"
        if isinstance(spec, list | tuple | np.ndarray):
            values = checked_settings({path: list(spec)}, "parameters")[path]
            if not values:
                raise OptionError("parameters", f"{path}=[]", "give at least one value")
            spec = {"values": values}
        elif not isinstance(spec, Mapping | Uncertain):
            raise OptionError("parameters", given, "give a list of values "
                              "or a distribution (a mapping, e.g. {'distribution': 'uniform', "
                              "'low': 0.2, 'high': 1.0})")
        try:
            specs[path] = Uncertain.model_validate(spec)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"])
            raise OptionError("parameters", given,
                              f"{where + ': ' if where else ''}{error['msg']}") from None
    return specs


def open_sweep(path: str | Path, partial: bool = False) -> xr.Dataset:
    """A store written by ``burden-sim sweep``: its results per sample (and ally and year),
    with the parameter values as coordinates along ``sample``, each with its units. Read
    lazily: per-ally results the store derives are computed as they are read. An unfinished
    store (stopped, not yet resumed) is refused; ``partial=True`` reads it, the samples not
    yet written as NaN (``attrs["chunks_written"]`` says how many chunks are in)."""
    from .explore.store import MANIFEST, open_results

    path = Path(path)
    if not (path / MANIFEST).is_file():
        raise BurdenSimError(f"{path}: is not a burden-sim sweep store (no {MANIFEST})")
    return open_results(path, partial)


def _check_use(table: pd.DataFrame, path: Path) -> None:
    """A points file's ``use`` must say which points the stated rule holds out, and enough
    points must be left to fit the prices and the level's beta without them."""
    ids, kinds = table["id"].to_numpy(), table["kind"].to_numpy()
    usable = (table["use"] != "excluded").to_numpy()
    held = holdout(ids, kinds, usable)
    for i in np.flatnonzero(held != (table["use"] == "holdout").to_numpy()):
        should = "holdout" if held[i] else "fit"
        raise DataError(path, f"use: {table['use'].iloc[i]!r}, but the rule (a third of each "
                        "kind's usable points, drawn by numpy.random.default_rng(0)) makes "
                        f"{ids[i]} a {should} point", i + 2)
    parameters = len(FITTED) + 1  # and beta
    if (usable & ~held).sum() <= parameters:
        count = int((usable & ~held).sum())
        raise DataError(path, f"use: {count} point{'s' * (count != 1)} to fit, not held out; "
                        f"the fit of {', '.join(FITTED)} and beta needs more than {parameters}")


def calibrate(points: str | Path | None = None) -> Calibration:
    """Fit the central unit costs and the national cost level's beta to published national
    mission costs (data/calibration_points.csv, or ``points``) within the shipped ranges: the
    validation fit without the held-out points, the final fit on every usable point, and
    leave-one-out predictions."""
    path = Path(points) if points is not None else POINTS_FILE
    table = load_points(path)
    _check_use(table.table, path)
    baseline = load_baseline()
    costs = baseline.unit_costs
    shipped, low, high = (np.array([getattr(costs[c], field) for c in table.categories])
                          for field in ("central", "low", "high"))
    return calibrate_points(table, shipped, low, high, point_relative_income(table, baseline))
