"""The core: sampled unit prices -> gross cost, the fund's transfers and net cost.

Every cost is linear in the unit prices P[s, c] as long as the fraction repaid is the same
for every sample and no cap binds: then each output is its value at each category's unit
price (a [c, a, y] array, computed by the rules on c rows) times the prices, one matrix
product that writes the [s, a, y] output once with no temporary of that size.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import costs, policies


class Costs(NamedTuple):
    """Costs per sample, ally and year, [s, a, y]."""

    gross: np.ndarray  # G: what the ally's deployments cost
    reimbursed: np.ndarray  # R: repaid to it by the fund
    contributed: np.ndarray  # Q: paid by it into the fund
    net: np.ndarray  # N = G - R + Q


def cost_sharing(activity: np.ndarray, prices: np.ndarray, factor: np.ndarray,
                 eligibility: np.ndarray, key: np.ndarray, fraction: np.ndarray,
                 annual_cap: policies.Cap = None) -> Costs:
    """Activity U[a, m, y, c], prices [s, c], fx [c, y], eligibility e[m, c], key [a, y],
    fraction [y] or [s, y] and cap -> costs [s, a, y]: by one matrix product each when they
    are linear in the prices, step by step when the fraction varies by sample or a cap binds.
    """
    if fraction.ndim == 1:
        unit = step_by_step(activity, np.eye(prices.shape[1]), factor, eligibility, key,
                            fraction)  # [c, a, y] each
        if not _cap_binds(prices, unit, annual_cap):
            return Costs(*(costs.at_prices(prices, x) for x in unit))
    return step_by_step(activity, prices, factor, eligibility, key, fraction, annual_cap)


def _cap_binds(prices: np.ndarray, unit: Costs, annual_cap: policies.Cap) -> bool:
    """Whether a cap would scale repayments down at these prices (from the costs at unit
    prices, [c, a, y]: the fund's total is one small product, [s, y])."""
    if annual_cap is None:
        return False
    return policies.cap_binds(costs.at_prices(prices, unit.reimbursed.sum(axis=1)), annual_cap)


def step_by_step(activity: np.ndarray, prices: np.ndarray, factor: np.ndarray,
                 eligibility: np.ndarray, key: np.ndarray, fraction: np.ndarray,
                 annual_cap: policies.Cap = None) -> Costs:
    """The same costs by applying the rules in turn to arrays of the output's size."""
    gross = costs.gross_cost(activity, prices, factor)
    covered = costs.gross_cost(activity, prices, factor, eligibility)
    transfers = policies.common_fund(covered, fraction, key, annual_cap)
    return Costs(gross, *transfers, policies.net_cost(gross, transfers))
