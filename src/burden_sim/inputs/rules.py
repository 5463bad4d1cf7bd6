"""What a policy rule implies: whether money moves, the fraction repaid each year, the cap and
what the fund covers. The engine, the model, the results' attributes, the report and the
benchmarks all read a policy through `terms`, so that a rule means one thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .schema import Policy, Scenario


def fraction_by_year(fraction: float, phase_in: dict[int, float] | None,
                     years: list[int]) -> np.ndarray:
    """f[y]: the fraction times the phase-in share in force (0 before it starts)."""
    if not phase_in:
        return np.full(len(years), fraction)
    steps = sorted(phase_in.items())
    starts = np.array([year for year, _ in steps])
    shares = np.array([0.0] + [share for _, share in steps])
    return fraction * shares[np.searchsorted(starts, years, side="right")]


@dataclass(frozen=True)
class Terms:
    """A policy over a scenario's years, as the model applies it."""

    policy: Policy
    years: tuple[int, ...]

    @property
    def moves_money(self) -> bool:
        """False when costs lie where they fall: nothing is repaid or raised."""
        return self.policy.rule == "common_fund"

    @property
    def fraction(self) -> float:
        """The headline share of eligible costs repaid (0 when money does not move)."""
        return self.policy.fraction if self.moves_money else 0.0

    @property
    def annual_cap_usd(self) -> float | None:
        """The most the fund pays in a year (None: no cap, or money does not move)."""
        return self.policy.annual_cap_usd if self.moves_money else None

    def fraction_by_year(self) -> np.ndarray:
        """f[y], phase-in included; zeros when money does not move."""
        if not self.moves_money:
            return np.zeros(len(self.years))
        return fraction_by_year(self.policy.fraction, self.policy.phase_in, list(self.years))

    def phase(self) -> np.ndarray:
        """The share of the fraction in force each year [y] (for a fraction varied by sample)."""
        return fraction_by_year(1.0, self.policy.phase_in, list(self.years))

    def covered_missions(self, missions: list[str]) -> np.ndarray:
        """1.0 where the fund covers the mission [m] (whatever the rule: what it would cover)."""
        covered = self.policy.eligible_missions or missions
        return np.array([m in covered for m in missions], dtype=float)

    def eligibility(self, missions: list[str], categories: tuple[str, ...]) -> np.ndarray:
        """e[mission, category]: 1 where the fund repays that mission's costs of that category;
        all zeros when money does not move."""
        covered_categories = self.policy.eligible_categories or categories
        by_mission = self.covered_missions(missions).astype(bool)
        by_category = np.array([c in covered_categories for c in categories])
        e = (by_mission[:, None] & by_category[None, :]).astype(float)
        return e if self.moves_money else 0 * e

    def describe(self) -> str:
        """The rule in a phrase, for tables and reports."""
        policy = self.policy
        if not self.moves_money:
            return "costs lie where they fall"
        return (f"fund repays {policy.fraction:.0%}; key {policy.key.name}"
                + ("" if policy.annual_cap_usd is None else
                   f"; cap USD {policy.annual_cap_usd / 1e6:,.0f} m")
                + ("" if policy.eligible_categories is None else
                   f"; covers {', '.join(policy.eligible_categories)}"))


def terms(policy: Policy, years: list[int]) -> Terms:
    """What ``policy`` implies over ``years``."""
    return Terms(policy, tuple(years))


def status_quo(scenario: Scenario) -> Scenario:
    """The same scenario (years, missions, edition, unit costs) under today's rule: the
    deploying nation pays."""
    name = "deploying_nation_pays" if scenario.name != "deploying_nation_pays" else "status_quo"
    policy = scenario.policy.model_copy(update={"rule": "deploying_nation_pays"})
    return scenario.model_copy(update={"name": name, "policy": policy, "parameters": {}})
