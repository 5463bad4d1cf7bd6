"""The prepared model: everything a scenario fixes, built once, that evaluates rows of the
parameters a sweep or a Monte Carlo varies (unit prices, the fraction repaid, the annual cap).

Tax-Calculator's Calculator plays this part there: policy and records in, results out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..engine import catalogue as engine_catalogue
from ..engine import written
from ..engine.schedule import Schedule, ScheduleCache
from ..inputs.baseline import Baseline
from ..inputs.projection import extend
from ..inputs.rules import Terms, terms
from ..inputs.schema import Scenario, UnitCost
from . import core, costs, metrics, policies
from .keys import KeyShares, funding_key


def categories_for(scenario: Scenario) -> tuple[str, ...]:
    """The cost categories of a scenario: the engine's, or those of written-out missions."""
    return written.CATEGORIES if scenario.deployment is None else engine_catalogue.CATEGORIES


def mission_ids(scenario: Scenario) -> list[str]:
    """The scenario's missions: written out, or those of the catalogue the engine runs."""
    if scenario.deployment is None:
        return [m.id for m in scenario.missions]
    return scenario.deployment.missions or list(engine_catalogue.load_catalogue().missions)


def unit_costs_for(scenario: Scenario, baseline: Baseline) -> dict[str, UnitCost]:
    """The shipped unit costs of the scenario's categories (before its own overrides)."""
    return {c: baseline.unit_costs[c] for c in categories_for(scenario)}


@dataclass(frozen=True)
class Calculator:
    """A scenario ready for the core: its schedule, prices, exchange rates, key and terms."""

    scenario: Scenario
    baseline: Baseline  # extended past its data by the scenario's projection, if any
    terms: Terms
    years: list[int]
    gdp: np.ndarray  # [a, y]
    defence_pct: np.ndarray  # [a, y]
    member: np.ndarray  # [a, y]
    missions: list[str]
    categories: tuple[str, ...]
    activity: np.ndarray  # [a, m, y, c], times each ally's cost level (costs.cost_level)
    level: np.ndarray  # [a, c], the cost level the activity was multiplied by
    relative: np.ndarray  # [a], relative GDP per capita (costs.price_level): level's base
    beta: float  # level = relative ** beta on the levelled categories
    prices: costs.UnitPrices
    factor: np.ndarray  # [c, y], USD per unit of each price's currency
    key: KeyShares
    eligibility: np.ndarray  # [m, c], zero when money does not move
    schedule: Schedule | None = field(default=None)  # the engine's, if it ran

    @classmethod
    def build(cls, scenario: Scenario, baseline: Baseline,
              schedules: ScheduleCache | None = None) -> Calculator:
        """Prepare a (checked) scenario: run the engine if it has a deployment block."""
        years = scenario.year_list
        # the level is the data's, before any projection extends the years
        relative = costs.price_level(baseline.gdp_usd, baseline.population)
        if scenario.projection is not None:
            baseline = extend(baseline, years[-1], scenario.projection)
        cols = baseline.year_positions(years)
        key = funding_key(baseline, scenario.policy.key, years)
        rule = terms(scenario.policy, years)
        categories = categories_for(scenario)
        missions = mission_ids(scenario)
        schedule = None
        if scenario.deployment is None:
            activity = written.activity_tensor(scenario, baseline)
        else:
            schedule = (schedules or ScheduleCache()).schedule(
                scenario, baseline, key.shares, rule.fraction_by_year(),
                rule.covered_missions(missions))
            activity = schedule.activity.values
        prices = costs.unit_prices(unit_costs_for(scenario, baseline), scenario.unit_costs,
                                   categories)
        beta = scenario.cost_level.beta
        beta = baseline.cost_level_beta if beta is None else beta
        level = costs.cost_level(relative, beta, categories)  # [a, c]
        return cls(
            scenario=scenario, baseline=baseline, terms=rule, years=years,
            gdp=baseline.gdp_usd[:, cols], defence_pct=baseline.defence_pct_gdp[:, cols],
            member=baseline.members(np.asarray(years)), missions=missions,
            categories=categories, activity=activity * level[:, None, None, :], level=level,
            relative=relative, beta=float(beta), prices=prices,
            factor=costs.usd_factor(prices, np.array([baseline.usd_per_eur[y] for y in years])),
            key=key, eligibility=rule.eligibility(missions, categories), schedule=schedule,
        )

    @cached_property
    def unit(self) -> core.Unit:
        """The costs at each category's unit price, for the fused path."""
        return core.unit_costs(self.activity, self.factor, self.eligibility)

    @cached_property
    def burden(self) -> core.Burden:
        """What the fused path's burden measures need of the data."""
        # C order, as the [s, a, y] arrays they are broadcast against (2x faster there)
        gdp, defence = self.gdp, self.defence_pct / 100 * self.gdp
        return core.Burden(np.ascontiguousarray(gdp), np.ascontiguousarray(defence),
                           np.ascontiguousarray(self.member),
                           self.scenario.policy.accounting == "reimbursement_lowers_spending")

    def evaluate(self, prices: np.ndarray, fraction: np.ndarray, annual_cap: policies.Cap,
                 wanted: tuple[str, ...] | None = None,
                 workspace: core.Workspace | None = None) -> dict[str, np.ndarray]:
        """Unit prices [s, c], fraction [y] or [s, y] and a cap -> sampled results.

        ``wanted`` limits the metrics computed (the rank statistics cost the most). When money
        does not move, the fraction and the cap are ignored. A fraction by sample (a sweep's
        rows) takes the fused path when it can compute everything wanted; its results then
        live in ``workspace`` (if given) until the next call.
        """
        eligibility = self.eligibility
        if not self.terms.moves_money:
            fraction, annual_cap = np.zeros(len(self.years)), None
        if fraction.ndim == 2 and wanted is not None and set(wanted) <= set(core.FUSED):
            return core.fused(self.unit, prices, self.key.shares, fraction, annual_cap,
                              burden=self.burden, wanted=wanted, workspace=workspace)
        gross, reimbursed, contributed, net = core.cost_sharing(
            self.activity, prices, self.factor, eligibility, self.key.shares, fraction,
            annual_cap)
        transfers = policies.Transfers(reimbursed, contributed)
        out = {"gross": gross, "reimbursed": reimbursed, "contributed": contributed,
               "net": net, "net_pct_gdp": 100 * net / self.gdp[None]}

        def after_pct() -> np.ndarray:
            if "defence_pct_gdp_after" not in out:
                defence = self.defence_pct / 100 * self.gdp
                after = metrics.defence_after(defence, *transfers,
                                              self.scenario.policy.accounting)
                out["defence_pct_gdp_after"] = 100 * after / self.gdp[None]
            return out["defence_pct_gdp_after"]

        def ranks(test) -> tuple[np.ndarray, np.ndarray]:
            ranked = self.member & ~np.isnan(self.defence_pct)
            size = np.broadcast_to(self.gdp[None], after_pct().shape)
            return test(size, after_pct(), ranked)

        derived = {
            "defence_pct_gdp_after": after_pct,
            "fair_share": lambda: metrics.fair_share_ratio(net, self.gdp, self.member),
            "marginal_cost": lambda: policies.marginal_cost(
                costs.gross_cost(self.activity, prices, self.factor, eligibility), fraction,
                self.key.shares, annual_cap),
            "allies_at_2pct": lambda: metrics.count_at_or_above(after_pct(), 2.0, self.member),
            "allies_at_3_5pct": lambda: metrics.count_at_or_above(after_pct(), 3.5,
                                                                  self.member),
            "gini_net_pct_gdp": lambda: metrics.gini(out["net_pct_gdp"], self.member),
            ("spearman_rho", "spearman_p"): lambda: ranks(metrics.spearman),
            ("kendall_tau", "kendall_p"): lambda: ranks(metrics.kendall_tau_b),
        }
        for names, compute in derived.items():
            names = names if isinstance(names, tuple) else (names,)
            if wanted is None or any(n in wanted for n in names):
                values = compute()
                out.update(zip(names, values, strict=True) if len(names) > 1 else
                           {names[0]: values})
        return out

    def run(self) -> dict[str, np.ndarray]:
        """The scenario's own results: its Monte Carlo draws of unit costs (or the central
        prices), its fraction and cap, and the per-ally data beside them."""
        scenario = self.scenario
        arrays = self.evaluate(costs.draw_prices(self.prices, scenario.samples, scenario.seed),
                               self.terms.fraction_by_year(), scenario.policy.annual_cap_usd)
        arrays |= {
            "gross_by_mission": costs.gross_by_mission(self.activity, self.prices.central,
                                                       self.factor),
            "gdp": self.gdp, "defence_pct_gdp": self.defence_pct, "key_share": self.key.shares,
            "key_status": self.key.status, "key_source": self.key.source, "member": self.member,
        }
        if self.schedule is not None:
            arrays |= self.schedule.counts() | {"activity": self.schedule.activity,
                                                "cost_level": self.level}
        return arrays
