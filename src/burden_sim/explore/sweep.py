"""A sweep: a scenario, the parameters that vary, a design, a sample count, a seed and a chunk
size. Chunks are independent and seeded by their index, so the same sweep gives the same
numbers on one core, many processes or a Dask cluster, and one that stops can resume.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import ValidationError

from ..errors import BurdenSimError, OptionError
from ..inputs.baseline import Baseline
from ..inputs.paths import PathError, canonical, get_value, set_values, with_unit_costs
from ..inputs.schema import Scenario, Uncertain, UnitCost, merged_cost
from ..model.calculator import unit_costs_for
from .designs import DESIGNS, Parameter, grid_size

SAMPLED = ("gross", "reimbursed", "contributed", "net", "net_change", "net_pct_gdp",
           "defence_pct_gdp_after", "fair_share", "marginal_cost", "allies_at_2pct",
           "allies_at_3_5pct", "gini_net_pct_gdp", "spearman_rho", "spearman_p",
           "kendall_tau", "kendall_p")
# What a sweep keeps beyond a run's results: (dims, units, meaning), as model.results.VARIABLES.
SWEEP_ONLY = {
    "net_change": (("sample", "ally", "year"), "USD (current prices)",
                   "net cost minus the net cost if the deploying nation paid (the status quo: "
                   "same years, missions, schedule inputs and unit costs)"),
}
# Units of the numbers a parameter's path may end in (default "1").
PATH_UNITS = {"fraction": "1", "annual_cap_usd": "USD a year", "gdp_growth_pct": "% a year",
              "defence_target_pct": "% of GDP", "target_year": "year", "troops": "persons",
              "aircraft": "aircraft", "host_support_eur": "EUR a year", "months": "months",
              "rotations_per_year": "rotations a year", "elasticity": "1", "start": "year",
              "end": "year", "samples": "1", "seed": "1"}
CATEGORY_UNITS = {"person_year": "person-year", "aircraft_month": "aircraft-month",
                  "host_support": "EUR of host support", "person_move": "person moved",
                  "person_day": "person-day", "hns_day": "hosted detachment-day"}
STORED_TYPES = ("float64", "float32")  # float32: half the store, about 7 significant digits
DEFAULT_VARIABLES = ("net", "net_change", "net_pct_gdp", "reimbursed", "contributed",
                     "allies_at_2pct", "allies_at_3_5pct")
# Per-ally results a store can derive on reading from each sample's prices and fraction in
# force (the fused core's inputs) and the model's coefficients, stored once.
DERIVABLE = ("gross", "reimbursed", "contributed", "net", "net_change", "net_pct_gdp",
             "defence_pct_gdp_after")
# Computed in the fused core (model.core.FUSED), so that a derived value has the same bits.
FUSED_RESULTS = (*(v for v in DERIVABLE if v != "net_change"), "allies_at_2pct",
                 "allies_at_3_5pct", "gini_net_pct_gdp")


def variable_info(name: str) -> tuple[tuple[str, ...], str, str]:
    """(dims, units, meaning) of a result a sweep may keep."""
    from ..model.results import VARIABLES

    return SWEEP_ONLY.get(name) or VARIABLES[name]


def scenario_costs(scenario: Scenario, baseline: Baseline) -> dict[str, UnitCost]:
    """The scenario's unit costs: its overrides over the shipped ones, field by field."""
    return {name: merged_cost(shipped, scenario.unit_costs.get(name))
            for name, shipped in unit_costs_for(scenario, baseline).items()}


def parameter_attrs(path: str, scenario: Scenario, baseline: Baseline) -> dict[str, str]:
    """CF units and long_name of a parameter's values, e.g. unit_costs.person_year: EUR per
    person-year."""
    parts = canonical(path).split(".")
    if parts[0] == "unit_costs":
        cost = scenario_costs(scenario, baseline).get(parts[1])
        currency = cost.currency if cost is not None else ""
        what = CATEGORY_UNITS.get(parts[1], parts[1].replace("_", " ").replace(
            "flight hour ", "flight hour, ").replace("ship day ", "ship-day, "))
        return {"units": f"{currency} per {what}", "long_name": f"unit cost ({parts[-1]}) of "
                f"{parts[1]}", "path": path}
    return {"units": PATH_UNITS.get(parts[-1], "1"), "long_name": path.replace(".", " ")
            .replace("_", " "), "path": path}


@dataclass(frozen=True)
class Sweep:
    """Everything that fixes a sweep's numbers."""

    scenario: Scenario
    baseline: Baseline
    parameters: tuple[Parameter, ...]
    design: str
    samples: int
    seed: int
    chunk_size: int
    variables: tuple[str, ...]
    dtype: str = "float64"  # of the stored results (computed in float64 either way)

    @property
    def chunks(self) -> int:
        """How many chunks the samples make."""
        return -(-self.samples // self.chunk_size)

    def bounds(self, index: int) -> tuple[int, int]:
        """The samples [start, stop) of chunk ``index``."""
        start = index * self.chunk_size
        return start, min(start + self.chunk_size, self.samples)

    @property
    def derived(self) -> tuple[str, ...]:
        """The per-ally results its store derives on reading instead of storing: all of them
        when every parameter is vectorised (one model for all rows), money moves and every
        result kept comes from the fused core; none otherwise."""
        from ..inputs.rules import terms

        engine = self.scenario.deployment
        linear = (all(p.vectorised for p in self.parameters)
                  and terms(self.scenario.policy, self.scenario.year_list).moves_money
                  and set(self.variables) <= {*FUSED_RESULTS, "net_change"}
                  and ("net_change" not in self.variables or engine is None
                       or engine.elasticity == 0))
        return tuple(v for v in self.variables if v in DERIVABLE) if linear else ()

    @property
    def stored(self) -> tuple[str, ...]:
        """What its store holds per sample (besides the parameter values): the results not
        derived, and the fused core's inputs when some are."""
        kept = tuple(v for v in self.variables if v not in self.derived)
        return (*kept, "prices", "fraction_in_force") if self.derived else kept

    def manifest(self) -> dict:
        """What a store records of the sweep that made it (resuming checks it)."""
        from .. import __version__

        return {
            "burden_sim": __version__,
            "scenario": self.scenario.model_dump(mode="json"),
            "parameters": {p.path: p.spec.model_dump(mode="json") for p in self.parameters},
            "design": self.design, "samples": self.samples, "seed": self.seed,
            "chunk_size": self.chunk_size, "variables": list(self.variables),
        } | ({} if self.dtype == "float64" else {"dtype": self.dtype}) | (
            # an override's price is the shipped cost's fields where it gives none
            {"unit_costs": {name: cost.model_dump(mode="json") for name, cost in
                            scenario_costs(self.scenario, self.baseline).items()
                            if name in self.scenario.unit_costs}}
            if self.scenario.unit_costs else {}) | (
            {"derived": list(self.derived)} if self.derived else {})


MAX_ROWS = 2**53  # a row's index, and a sample count, stay exact as a float64


def plan_sweep(scenario: Scenario, baseline: Baseline, *, design: str = "mc",
               samples: int | None = None, seed: int | None = None, chunk_size: int = 10_000,
               overrides: dict[str, Uncertain] | None = None,
               variables: tuple[str, ...] = DEFAULT_VARIABLES, dtype: str = "float64") -> Sweep:
    """Check a sweep of a (checked) scenario before anything runs; errors name the parameter
    or option at fault."""
    if design not in DESIGNS:
        raise OptionError("design", design, f"not one of {', '.join(DESIGNS)}")
    specs = {**scenario.parameters, **(overrides or {})}
    if not specs:
        raise BurdenSimError("nothing varies: declare parameters: in the scenario, or give "
                             "some to vary (--set PATH=VALUES on the command line)")
    for name in variables:
        if name not in SAMPLED:
            raise OptionError("variables", name, f"not a sampled result ({', '.join(SAMPLED)})")
    engine = scenario.deployment
    if engine is not None and engine.elasticity > 0:
        swept = [p for p in specs if p.startswith(("policy.", "projection."))]
        if swept:
            raise BurdenSimError(f"{swept[0]}: with deployment.elasticity > 0 who volunteers "
                                 "depends on the policy, so each value would need its own "
                                 "engine run; sweep it with elasticity 0, or run one "
                                 "scenario per value")
    defaults = unit_costs_for(scenario, baseline)
    data = with_unit_costs(scenario, defaults)
    parameters = []
    for path, spec in specs.items():
        try:
            get_value(data, path)
        except PathError as exc:
            raise BurdenSimError(str(exc)) from None
        _sweepable(path)
        if spec.distribution == "pert" and spec.low is None:
            spec = _pert_from_data(path, scenario_costs(scenario, baseline))
        elif spec.distribution == "pert" and spec.mode is None:
            raise BurdenSimError(f"{path}: pert needs low, mode and high (or none of them for "
                                 "a unit cost, to use the shipped range)")
        parameters.append(_within_bounds(Parameter(path, spec), data))
    if design == "grid":
        samples = int(np.prod([grid_size(p, samples, len(parameters)) for p in parameters]))
    if samples is None and any(p.spec.values is not None for p in parameters):
        raise OptionError("samples", samples, f"give a number of samples for the {design} "
                          "design, or choose the grid design to run every listed value")
    if samples is None or samples < 1:
        raise OptionError("samples", samples, "give a positive number of samples")
    if samples > MAX_ROWS:
        raise OptionError("samples", samples, f"at most 2^{MAX_ROWS.bit_length() - 1} rows "
                          "(a row's index must stay exact)")
    if not 1 <= chunk_size <= MAX_ROWS:
        raise OptionError("chunk_size", chunk_size, "must be at least 1" if chunk_size < 1
                          else f"at most 2^{MAX_ROWS.bit_length() - 1}")
    if seed is not None and seed < 0:
        raise OptionError("seed", seed, "must be 0 or more")
    if dtype not in STORED_TYPES:
        raise OptionError("dtype", dtype, f"not one of {', '.join(STORED_TYPES)}")
    return Sweep(scenario, baseline, tuple(parameters), design, int(samples),
                 scenario.seed if seed is None else seed, chunk_size, tuple(variables), dtype)


def _sweepable(path: str) -> None:
    """Refuse a field a sweep's rows cannot vary: each row is evaluated at its unit costs'
    central values, over the scenario's years, with the sweep's own draws."""
    parts = canonical(path).split(".")
    if parts[0] == "unit_costs" and parts[-1] != "central":
        raise BurdenSimError(f"{path}: a sweep evaluates each row at the unit costs' central "
                             f"values, and {parts[-1]} changes none of them (it only bounds a "
                             f"run's draws); sweep unit_costs.{parts[1]} instead")
    if parts[0] in ("samples", "seed"):
        raise BurdenSimError(f"{path}: changes no row of a sweep, which draws its own rows "
                             "(--samples, --seed)")
    if parts[0] == "years":
        raise BurdenSimError(f"{path}: a sweep keeps the scenario's years; compare one "
                             "scenario per span instead")


def _within_bounds(parameter: Parameter, data: dict) -> Parameter:
    """Reject a parameter whose values (its distribution's ends, 1e-9 from either side) are
    not finite or break its field's bounds: before anything runs, so that no store is half
    made and no result is inf or NaN."""
    ends = parameter.from_unit(np.array([0.0, 1.0]))
    where = f"parameters.{parameter.path}"
    if not np.isfinite(ends).all():
        raise BurdenSimError(f"{where}: its values reach {ends[~np.isfinite(ends)][0]}; give "
                             "a distribution with finite values")
    path = canonical(parameter.path)
    for value in ends:
        changed = set_values(data, {path: float(value)})
        if path.startswith("unit_costs."):  # the range of a drawn cost is the draw's own
            cost = changed["unit_costs"][path.split(".")[1]]
            cost["low"] = cost["high"] = None
        try:
            Scenario.model_validate(changed)
        except ValidationError as exc:
            message = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise BurdenSimError(f"{where}: its values reach {value:.6g}, and {path} "
                                 f"allows no such value ({message})") from None
    return parameter


def _pert_from_data(path: str, defaults: dict[str, UnitCost]) -> Uncertain:
    parts = canonical(path).split(".")
    if parts[0] != "unit_costs" or parts[-1] != "central":
        raise BurdenSimError(f"{path}: pert without low, mode and high works for unit costs only")
    cost = defaults[parts[1]]
    low, high = cost.bounds
    if not low < high:
        raise BurdenSimError(f"{path}: the shipped unit cost has no range to draw from")
    return Uncertain(distribution="pert", low=low, mode=cost.central, high=high)
