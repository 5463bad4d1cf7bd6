"""Burden, fairness, compliance and incentive measures: pure functions on arrays.

Shapes follow the core: [sample, ally, year] for outcomes, [ally, year] for data and the
membership mask. Allies that are not members in a year are left out of every statistic.
"""

from __future__ import annotations

import numpy as np

THRESHOLDS_PCT = (2.0, 3.5)


def defence_after(defence: np.ndarray, reimbursed: np.ndarray, contributed: np.ndarray,
                  accounting: str) -> np.ndarray:
    """Reported defence spending after the policy, [s, a, y].

    reimbursement_lowers_spending: D - R + Q (the reimbursement replaces national money);
    reimbursement_frees_budget:    D + Q     (the deployer spends it on other defence).
    Contributions to NATO's common budgets count as defence expenditure either way.
    """
    after = defence[None] + contributed
    return after - reimbursed if accounting == "reimbursement_lowers_spending" else after


PUBLISHED_DECIMALS = 2  # NATO publishes defence spending as % of GDP to two decimals


def counted_from(threshold: float) -> float:
    """The lowest share that counts as ``threshold`` % of GDP or more: shares are compared as
    NATO publishes them, rounded half up to two decimals (1.995 counts as 2.00, 1.9949 not),
    so the count no longer depends on float rounding (2.0000000000000004 or 1.9999999999)."""
    return threshold - 0.5 * 10.0 ** -PUBLISHED_DECIMALS


def count_at_or_above(pct: np.ndarray, threshold: float, member: np.ndarray) -> np.ndarray:
    """Members at or above ``threshold`` % of GDP as published (two decimals), [s, y] (no
    figure counts as below)."""
    return ((np.nan_to_num(pct, nan=-np.inf) >= counted_from(threshold))
            & member[None]).sum(axis=1)


def fair_share_ratio(net: np.ndarray, gdp: np.ndarray, member: np.ndarray) -> np.ndarray:
    """(N_a / sum N) / (GDP_a / sum GDP) over members: above 1, more than its economic weight
    (NaN in a year with no costs to share)."""
    net_m = np.where(member[None], net, np.nan)
    gdp_m = np.where(member, gdp, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):  # a year with no costs: NaN
        bill_share = net_m / np.nansum(net_m, axis=1, keepdims=True)
    gdp_share = gdp_m / np.nansum(gdp_m, axis=0, keepdims=True)
    return bill_share / gdp_share[None]


def gini(values: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Gini coefficient across member allies, [s, y] (0 = equal burdens)."""
    x = np.where(member[None], values, np.nan)
    x = np.sort(x, axis=1)  # NaN (non-members) sort last
    n = member.sum(axis=0)[None, :]
    rank = np.arange(1, x.shape[1] + 1)[None, :, None]
    weights = np.where(rank <= n[:, None, :], 2 * rank - n[:, None, :] - 1, 0)
    total = np.nansum(x, axis=1)
    num = np.nansum(weights * np.nan_to_num(x), axis=1)
    return np.divide(num, n * total, out=np.full_like(total, np.nan), where=total != 0)


def spearman(x: np.ndarray, y: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spearman's rho over the ally axis and its two-sided p-value, each [s, t].

    ``x`` and ``y`` are [s, a, t]; ``valid`` [a, t] marks the allies that count. The p-value
    uses t = rho * sqrt((n - 2) / (1 - rho**2)) with n - 2 degrees of freedom, as scipy and
    Sandler and Murdoch (2000) do.
    """
    rx = _ranks(x, valid)
    ry = _ranks(y, valid)
    n = valid.sum(axis=0)[None, :]
    dx = rx - np.nanmean(rx, axis=1, keepdims=True)
    dy = ry - np.nanmean(ry, axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # a constant ranking: NaN
        rho = np.nansum(dx * dy, axis=1) / np.sqrt(np.nansum(dx**2, axis=1)
                                                   * np.nansum(dy**2, axis=1))
    return rho, rank_test_p(rho, n - 2)


def rank_test_p(rho: np.ndarray, df: np.ndarray | int) -> np.ndarray:
    """Two-sided p-value of a rank correlation by the t approximation with ``df`` d.o.f."""
    from scipy.special import stdtr  # scipy.stats's t.sf itself, without importing scipy.stats

    with np.errstate(divide="ignore", invalid="ignore"):
        t = rho * np.sqrt(df / np.clip(1.0 - rho**2, 1e-300, None))
    df = np.broadcast_to(df, t.shape)
    return 2 * np.where(df > 0, stdtr(np.where(df > 0, df, 1), -np.abs(t)), np.nan)


# Elements of one [s, a, a, t] block of Kendall's pairwise comparisons (8 bytes each): the
# samples are taken this many pairs at a time, so memory does not grow with the samples.
KENDALL_BLOCK = 1 << 21


def kendall_tau_b(x: np.ndarray, y: np.ndarray,
                  valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kendall's tau-b over the ally axis with its asymptotic two-sided p-value, [s, t].

    All pairs are compared at once (n is at most a few hundred allies), for a block of
    samples at a time; ties are handled as in scipy.stats.kendalltau(method="asymptotic").
    """
    step = max(1, KENDALL_BLOCK // max(1, x[0].size * x.shape[1]))
    if len(x) > step:
        parts = [_kendall_tau_b(x[i:i + step], y[i:i + step], valid)
                 for i in range(0, len(x), step)]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    return _kendall_tau_b(x, y, valid)


def _kendall_tau_b(x: np.ndarray, y: np.ndarray,
                   valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pair = valid[:, None, :] & valid[None, :, :] & ~np.eye(len(valid), dtype=bool)[:, :, None]
    sx = np.where(pair, np.sign(x[:, :, None, :] - x[:, None, :, :]), 0.0)
    sy = np.where(pair, np.sign(y[:, :, None, :] - y[:, None, :, :]), 0.0)
    concordant_minus_discordant = (sx * sy).sum(axis=(1, 2)) / 2
    n = valid.sum(axis=0)[None, :].astype(float)
    pairs = n * (n - 1) / 2
    x_tied, x0, x1 = _tie_terms(x, pair)
    y_tied, y0, y1 = _tie_terms(y, pair)
    m = n * (n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # a constant ranking: NaN
        tau = concordant_minus_discordant / np.sqrt((pairs - x_tied) * (pairs - y_tied))
        var = ((m * (2 * n + 5) - x1 - y1) / 18 + 2 * x_tied * y_tied / m
               + x0 * y0 / (9 * m * (n - 2)))
        z = concordant_minus_discordant / np.sqrt(var)
    from scipy.special import ndtr  # scipy.stats's norm.sf(x) is ndtr(-x)

    return tau, 2 * ndtr(-np.abs(z))


def _tie_terms(x: np.ndarray, pair: np.ndarray) -> tuple[np.ndarray, ...]:
    """Over tie groups of size t: sums of t(t-1)/2, t(t-1)(t-2) and t(t-1)(2t+5), [s, t].

    Each member of a group of size t adds the group's term divided by t.
    """
    t = ((x[:, :, None, :] == x[:, None, :, :]) & pair[None]).sum(axis=2) + 1.0
    counted = pair.any(axis=1)[None]
    t = np.where(counted, t, 1.0)
    return ((t - 1) / 2).sum(axis=1), ((t - 1) * (t - 2)).sum(axis=1), \
        ((t - 1) * (2 * t + 5)).sum(axis=1)


def _ranks(x: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Ranks along the ally axis of the valid entries (ties share their average rank; the
    others are NaN), as scipy.stats.rankdata(nan_policy="omit")."""
    masked = np.where(valid[None], x, np.nan)
    order = np.argsort(masked, axis=1, kind="stable")  # NaN last
    ordered = np.take_along_axis(masked, order, axis=1)
    position = np.broadcast_to(np.arange(x.shape[1])[None, :, None], x.shape)
    new = np.ones(x.shape, bool)
    new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]  # a tie group starts here
    first = np.maximum.accumulate(np.where(new, position, 0), axis=1)
    ends = np.ones(x.shape, bool)
    ends[:, :-1] = new[:, 1:]
    last = np.flip(np.minimum.accumulate(np.flip(np.where(ends, position, x.shape[1]),
                                                 axis=1), axis=1), axis=1)
    ranks = np.empty(x.shape)
    np.put_along_axis(ranks, order, (first + last) / 2 + 1, axis=1)
    return np.where(np.isnan(masked), np.nan, ranks)
