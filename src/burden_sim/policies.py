"""Cost-sharing rules: pure functions from gross costs to transfers.

Shapes: gross is G[sample, ally, mission, year]; transfers are [sample, ally, year].
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Transfers(NamedTuple):
    reimbursed: np.ndarray  # R[s, a, y], paid by the fund to the deployer
    contributed: np.ndarray  # Q[s, a, y], paid by each ally into the fund


def deploying_nation_pays(gross: np.ndarray) -> Transfers:
    """Costs lie where they fall: no money moves."""
    s, a, _, y = gross.shape
    zero = np.zeros((s, a, y))
    return Transfers(zero, zero.copy())


def common_fund(
    gross: np.ndarray, eligible: np.ndarray, fraction: float, key: np.ndarray
) -> Transfers:
    """A fund reimburses ``fraction`` of eligible mission costs, financed by ``key``.

    R[s, a, y] = f * sum_m eligible[m] * G[s, a, m, y]
    Q[s, a, y] = key[a, y] * sum_a' R[s, a', y]
    """
    reimbursed = fraction * np.einsum("samy,m->say", gross, eligible.astype(float))
    contributed = key[None, :, :] * reimbursed.sum(axis=1, keepdims=True)
    return Transfers(reimbursed, contributed)


def net_cost(gross: np.ndarray, transfers: Transfers) -> np.ndarray:
    """N[s, a, y] = sum_m G - R + Q. Summed over allies it equals the gross cost."""
    return gross.sum(axis=2) - transfers.reimbursed + transfers.contributed
