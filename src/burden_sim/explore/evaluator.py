"""The evaluator: runs rows of parameter values through prepared models. Vectorised parameters
(unit prices, the fraction, the cap) go straight into the core; each distinct value of the
structural ones (troops, years, growth...) gets its own model, built once and kept."""

from __future__ import annotations

import numpy as np
from pydantic import ValidationError

from ..engine.schedule import ScheduleCache
from ..errors import BurdenSimError
from ..inputs.paths import canonical, set_values, with_unit_costs
from ..inputs.rules import status_quo
from ..inputs.schema import Scenario
from ..model.calculator import Calculator, unit_costs_for
from ..model.core import Workspace, fraction_in_force
from ..validate import check_scenario
from .designs import grid_size, mc_points, whole_design
from .sweep import Sweep


class Evaluator:
    """One sweep's evaluator: it owns the models and the design it has built (one per
    process or worker)."""

    def __init__(self, sweep: Sweep, reuse_buffers: bool = False, stored: bool = False) -> None:
        self.sweep = sweep
        # For a store: what it holds (`Sweep.stored`) rather than every result kept.
        self.stored = stored and bool(sweep.derived)
        self.schedules = ScheduleCache()
        self._models: dict[tuple, Calculator] = {}
        self._design: np.ndarray | None = None
        # Results in buffers kept from chunk to chunk (each valid until the next chunk):
        # for workers that write a chunk before computing the next.
        self._workspace = Workspace() if reuse_buffers else None

    def unit_points(self, index: int) -> np.ndarray:
        """The design's points in [0, 1)^d for one chunk, the same wherever it runs."""
        sweep = self.sweep
        start, stop = sweep.bounds(index)
        d = len(sweep.parameters)
        if sweep.design == "mc":
            return mc_points(sweep.seed, index, stop - start, d)
        if self._design is None:
            grid = tuple(grid_size(p, sweep.samples, d) for p in sweep.parameters)
            self._design = whole_design(sweep.design, sweep.samples, d, sweep.seed, grid)
        return self._design[start:stop]

    def parameter_values(self, index: int) -> np.ndarray:
        """[rows, parameters] values for one chunk."""
        u = self.unit_points(index)
        return np.stack([p.from_unit(u[:, j]) for j, p in enumerate(self.sweep.parameters)],
                        axis=1)

    def chunk(self, index: int) -> dict[str, np.ndarray]:
        """The results of one chunk, with its parameter values."""
        return self.rows(self.parameter_values(index))

    def rows(self, values: np.ndarray) -> dict[str, np.ndarray]:
        """Results for rows of parameter values: the core once per distinct structural value,
        vectorised over the rows that share it."""
        parameters = self.sweep.parameters
        structural = [j for j, p in enumerate(parameters) if not p.vectorised]
        groups, which = (np.unique(values[:, structural], axis=0, return_inverse=True)
                         if structural else (np.empty((1, 0)), np.zeros(len(values), int)))
        out: dict[str, np.ndarray] = {}
        for g, row in enumerate(groups):
            rows = np.flatnonzero(which.ravel() == g)
            changes = {parameters[j].path: float(v) for j, v in zip(structural, row, strict=True)}
            model = self.model(changes)
            inputs = self._vectorised_inputs(model, values[rows])
            if self.stored:  # one model (every parameter is vectorised): no copies
                return {**self._stored(model, *inputs), "parameters": values}
            result = model.evaluate(*inputs, wanted=self._computed, workspace=self._workspace)
            if "net_change" in self.sweep.variables:
                result = {**result, "net_change": self._net_change(changes, model, inputs,
                                                                   result)}
            if len(groups) == 1 and self._workspace is not None:
                return {**result, "parameters": values}  # no copy: the caller writes it
            for name in self.sweep.variables:
                if name not in out:
                    out[name] = np.empty((len(values), *result[name].shape[1:]))
                out[name][rows] = result[name]
        out["parameters"] = values
        return out

    def _stored(self, model: Calculator, prices: np.ndarray, fraction: np.ndarray,
                cap: np.ndarray | None) -> dict[str, np.ndarray]:
        """What a store holds of rows whose per-ally results it derives on reading: their
        prices and fraction in force (the cap applied), and the other results computed from
        those, as the fused core would from the prices, fraction and cap."""
        f = np.ascontiguousarray(fraction_in_force(model.unit, prices, fraction, cap))
        kept = tuple(v for v in self.sweep.variables if v not in self.sweep.derived)
        result = (model.evaluate(prices, f, None, wanted=kept, workspace=self._workspace)
                  if kept else {})
        return {**result, "prices": prices, "fraction_in_force": f}

    @property
    def _computed(self) -> tuple[str, ...]:
        """What the model computes for the kept variables (net_change from the transfers)."""
        extra = ("reimbursed", "contributed", "net") if "net_change" in self.sweep.variables \
            else ()
        return tuple(dict.fromkeys(v for v in (*self.sweep.variables, *extra)
                                   if v != "net_change"))

    def _net_change(self, changes: dict[str, float], model: Calculator, inputs: tuple,
                    result: dict[str, np.ndarray]) -> np.ndarray:
        """Net cost minus the net cost if the deploying nation paid at the same prices. With
        the same schedule that is what the ally pays in minus what it is repaid; when who
        volunteers responds to the policy (elasticity > 0), the status quo has its own."""
        deployment = model.scenario.deployment
        if deployment is None or deployment.elasticity == 0 or not model.terms.moves_money:
            return result["contributed"] - result["reimbursed"]
        key = ("status quo", *changes.values())
        if key not in self._models:
            self._models[key] = Calculator.build(status_quo(model.scenario),
                                                 self.sweep.baseline, self.schedules)
        reference = self._models[key].evaluate(*inputs, wanted=("net",))
        return result["net"] - reference["net"]

    def model(self, changes: dict[str, float]) -> Calculator:
        """The prepared model of the scenario with structural ``changes``, built once."""
        key = tuple(changes.values())
        if key not in self._models:
            scenario = self._changed(changes)
            if changes:
                check_scenario(scenario, self.sweep.baseline, schedules=self.schedules)
            self._models[key] = Calculator.build(scenario, self.sweep.baseline,
                                                 self.schedules)
        return self._models[key]

    def _changed(self, changes: dict[str, float]) -> Scenario:
        scenario = self.sweep.scenario
        if not changes:
            return scenario
        data = set_values(with_unit_costs(scenario, unit_costs_for(scenario,
                                                                   self.sweep.baseline)),
                          changes)
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise BurdenSimError(f"{where}: {err['msg']} (set by the sweep to "
                                 f"{changes})") from None

    def _vectorised_inputs(self, model: Calculator, values: np.ndarray
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Per-row unit prices [s, c], fraction [s, y] and cap [s] from the sampled values."""
        n = len(values)
        policy = model.scenario.policy
        prices = np.repeat(model.prices.central[None, :], n, axis=0)
        fraction = np.full(n, policy.fraction)
        cap = None if policy.annual_cap_usd is None else np.full(n, policy.annual_cap_usd)
        for j, parameter in enumerate(self.sweep.parameters):
            path = canonical(parameter.path)
            if path.startswith("unit_costs."):
                prices[:, model.categories.index(path.split(".")[1])] = values[:, j]
            elif path == "policy.fraction":
                fraction = values[:, j]
            elif path == "policy.annual_cap_usd":
                cap = values[:, j]
        if np.any(fraction < 0) or np.any(fraction > 1):
            raise BurdenSimError("policy.fraction: sampled values must lie in [0, 1]; "
                                 "use a bounded distribution (uniform, triangular, pert)")
        if np.any(prices < 0) or (cap is not None and np.any(cap < 0)):
            raise BurdenSimError("a sampled unit cost or cap is negative; use a distribution "
                                 "bounded below by 0 (uniform, triangular, pert, lognormal)")
        return prices, fraction[:, None] * model.terms.phase()[None, :], cap
