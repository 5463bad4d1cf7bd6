"""Cost-sharing rules: pure functions from costs to transfers.

Shapes: costs and transfers are [sample, ally, year]; a key is [ally, year]; the fraction
repaid is [year] or [sample, year]; an annual cap is None, a number, or [sample].
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Transfers(NamedTuple):
    """What a policy moves: repayments to deployers and contributions to the fund."""

    reimbursed: np.ndarray  # R[s, a, y], paid by the fund to the ally that incurred the cost
    contributed: np.ndarray  # Q[s, a, y], paid by each ally into the fund


def deploying_nation_pays(gross: np.ndarray) -> Transfers:
    """Costs lie where they fall: no money moves."""
    zero = np.zeros_like(gross)
    return Transfers(zero, zero.copy())


Cap = float | np.ndarray | None


def _fraction(fraction: np.ndarray) -> np.ndarray:
    """[year] or [sample, year] -> broadcastable against [sample, ally, year]."""
    return fraction[None, None, :] if fraction.ndim == 1 else fraction[:, None, :]


def _cap(annual_cap: Cap) -> np.ndarray | None:
    """None, a number or [sample] -> None or broadcastable against [sample, 1, year]."""
    if annual_cap is None:
        return None
    cap = np.asarray(annual_cap, dtype=float)
    return cap.reshape(-1, 1, 1) if cap.ndim else cap


def common_fund(
    eligible: np.ndarray,
    fraction: np.ndarray,
    key: np.ndarray,
    annual_cap: Cap = None,
) -> Transfers:
    """A fund repays ``fraction[y]`` of eligible costs E, financed by ``key``.

    R[s, a, y] = f[y] * E[s, a, y], scaled down pro rata when sum_a R exceeds the annual cap;
    Q[s, a, y] = key[a, y] * sum_a' R[s, a', y].
    """
    reimbursed = eligible * _fraction(fraction)
    cap = _cap(annual_cap)
    if cap is not None:
        reimbursed *= _cap_scale(reimbursed.sum(axis=1, keepdims=True), cap)
    contributed = key[None, :, :] * reimbursed.sum(axis=1, keepdims=True)
    return Transfers(reimbursed, contributed)


def _cap_scale(total: np.ndarray, annual_cap: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # a tiny total only means the cap cannot bind
        return np.minimum(1.0, np.divide(annual_cap, total, out=np.ones_like(total),
                                         where=total > 0))


def cap_binds(repaid: np.ndarray, annual_cap: Cap) -> bool:
    """Whether the cap scales any repayment down: the fund's total sum_a R [s, y] exceeds it
    somewhere (or cannot be compared with it)."""
    cap = _cap(annual_cap)
    return cap is not None and not np.all(repaid[:, None, :] <= cap)


def net_cost(gross: np.ndarray, transfers: Transfers) -> np.ndarray:
    """N[s, a, y] = G - R + Q. Summed over allies it equals the gross cost."""
    net = gross - transfers.reimbursed
    net += transfers.contributed
    return net


def marginal_cost(
    eligible: np.ndarray,
    fraction: np.ndarray,
    key: np.ndarray,
    annual_cap: Cap = None,
) -> np.ndarray:
    """What one more unit of eligible cost costs the ally that incurs it, [s, a, y].

    Without a binding cap: 1 - f + f * k. With a binding cap C the fund pays C * E_a / S
    (S = sum of eligible costs) and contributions are fixed, so the cost is
    1 - C * (S - E_a) / S**2.
    """
    f = _fraction(fraction)
    free = np.broadcast_to(1.0 - f + f * key[None, :, :], eligible.shape)
    cap = _cap(annual_cap)
    if cap is None:
        return free.copy()
    total = eligible.sum(axis=1, keepdims=True)
    binds = f * total > cap
    safe = np.where(total > 0, total, 1.0)
    capped = 1.0 - cap * (total - eligible) / safe**2
    return np.where(binds, capped, free)
