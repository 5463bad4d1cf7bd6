"""The core: sampled unit prices -> gross cost, the fund's transfers and net cost.

Every cost is linear in the unit prices P[s, c] as long as the fraction repaid is the same
for every sample and no cap binds: then each output is its value at each category's unit
price (a [c, a, y] array, computed by the rules on c rows) times the prices, one matrix
product that writes the [s, a, y] output once with no temporary of that size.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from . import costs, metrics, policies


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


def ordinary_pages() -> None:
    """Stop NumPy asking the kernel for huge pages on large arrays (unless the user set
    NUMPY_MADVISE_HUGEPAGE). On this project's virtual machines a first write to a fresh huge
    page is slow (not compaction: /proc/vmstat shows the pages granted and no compaction
    stalls): a first 10^6-sample run took 19-21 s with the hint against 2-5 s with ordinary
    pages (docs/performance.md). Results are unchanged."""
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return
    try:
        from numpy._core import multiarray
    except ImportError:  # NumPy 1.x
        from numpy.core import multiarray
    multiarray._set_madvise_hugepage(False)


# --- the fused path: every output of a sweep by matrix products into reused buffers ----------

class Unit(NamedTuple):
    """The model at unit prices (USD per price unit), built once per prepared scenario."""

    gross: np.ndarray  # [c, a * y]: a category's gross cost
    covered: np.ndarray  # [c, a * y]: the part of it the fund covers
    covered_total: np.ndarray  # [c, y]: covered, summed over allies
    shape: tuple[int, int]  # (allies, years)


def unit_costs(activity: np.ndarray, factor: np.ndarray, eligibility: np.ndarray) -> Unit:
    """U[a, m, y, c], fx [c, y] and e[m, c] -> the costs at each category's unit price."""
    eye = np.eye(activity.shape[-1])
    a, y = activity.shape[0], activity.shape[2]
    gross = costs.gross_cost(activity, eye, factor).reshape(len(eye), a * y)
    covered = costs.gross_cost(activity, eye, factor, eligibility).reshape(len(eye), a * y)
    return Unit(gross, covered, covered.reshape(-1, a, y).sum(axis=1), (a, y))


class Workspace:
    """Buffers kept from call to call, so that each page is faulted in once per process;
    what a call returns lives in them and is overwritten by the next call."""

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}

    def array(self, name: str, shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
        """A C-contiguous view of the buffer ``name`` (grown when too small)."""
        size = int(np.prod(shape))
        buffer = self._buffers.get(name)
        if buffer is None or buffer.size < size or buffer.dtype != dtype:
            buffer = self._buffers[name] = np.empty(size, dtype)
        return buffer[:size].reshape(shape)


class Burden(NamedTuple):
    """What the burden measures need of the data, [a, y] each."""

    gdp: np.ndarray
    defence: np.ndarray  # defence spending (USD), NaN where unknown
    member: np.ndarray  # bool
    lowers: bool  # a reimbursement lowers the deployer's reported spending


COSTS = ("gross", "reimbursed", "contributed", "net")
PER_ALLY = (*COSTS, "net_pct_gdp", "defence_pct_gdp_after")
SUMMARIES = ("allies_at_2pct", "allies_at_3_5pct", "gini_net_pct_gdp")
FUSED = (*PER_ALLY, *SUMMARIES)
BLOCK = 1024  # rows computed together: a block's [rows, a, y] arrays stay in the cache


def fraction_in_force(unit: Unit, prices: np.ndarray, fraction: np.ndarray,
                      annual_cap: policies.Cap = None) -> np.ndarray:
    """f[s, y]: the fraction repaid, lowered where the fund's total f * (P @ covered) would
    exceed the annual cap (to the cap: the pro-rata scaling of every repayment)."""
    f = np.broadcast_to(fraction, (len(prices), unit.shape[1]))
    if annual_cap is None:
        return f
    cap = np.asarray(annual_cap, dtype=float)
    total = f * (prices @ unit.covered_total)
    return f * policies._cap_scale(total, cap.reshape(-1, 1) if cap.ndim else cap)


def fused(unit: Unit, prices: np.ndarray, key: np.ndarray, fraction: np.ndarray,
          annual_cap: policies.Cap = None, *, burden: Burden | None = None,
          wanted: tuple[str, ...] = COSTS,
          workspace: Workspace | None = None) -> dict[str, np.ndarray]:
    """Prices [s, c], key [a, y], fraction [y] or [s, y] and cap -> the ``wanted`` outputs
    (any of ``FUSED``; the burden measures need ``burden``), in buffers of ``workspace``.

    Each cost is a matrix product P @ U times the fraction in force f[s, y]: R = f * (P @ U_e),
    Q = k * f * (P @ sum_a U_e), N = P @ U_g - R + Q. The rows are taken in blocks that stay
    in the cache, and only the wanted outputs are written at full size.
    """
    unknown = [w for w in wanted if w not in FUSED]
    if unknown or (burden is None and set(wanted) - set(COSTS)):
        raise ValueError(f"cannot compute {unknown or wanted} here")
    ws = workspace or Workspace()
    n, (a, y) = len(prices), unit.shape
    out = {name: ws.array(name, (n, a, y) if name in PER_ALLY else (n, y),
                          np.int64 if name.startswith("allies_at") else np.float64)
           for name in wanted}
    with _blas().limit(limits=1, user_api="blas"):  # threads cost more than these products
        f = fraction_in_force(unit, prices, fraction, annual_cap)
        pool = f * (prices @ unit.covered_total)  # [s, y]: what the fund pays out
        spread = _spread(key)
        for start in range(0, n, BLOCK):
            rows = slice(start, start + BLOCK)
            _block(unit, prices[rows], f[rows], pool[rows], spread, burden,
                   {name: x[rows] for name, x in out.items()}, ws)
    return out


@lru_cache(maxsize=1)
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _spread(key: np.ndarray) -> np.ndarray:
    """k[a, y] -> [y, a * y], zero off each year: pool[s, y] @ it is k[a, y] * pool[s, y]
    (one nonzero term per cell, so the same bits) as one product instead of a broadcast."""
    a, y = key.shape
    spread = np.zeros((y, a, y))
    spread[np.arange(y), :, np.arange(y)] = key.T
    return spread.reshape(y, a * y)


def _block(unit: Unit, prices: np.ndarray, f: np.ndarray, pool: np.ndarray, key: np.ndarray,
           burden: Burden | None, out: dict[str, np.ndarray], ws: Workspace) -> None:
    """Fill ``out`` (views of the outputs) for one block of rows; the other arrays are
    scratch buffers of the block's size. ``key`` is spread out by `_spread`."""
    n, (a, y) = len(prices), unit.shape

    def array(name: str) -> np.ndarray:
        return out[name] if name in out else ws.array(f"block {name}", (n, a, y))

    want = set(out)
    counts = want & {"allies_at_2pct", "allies_at_3_5pct"}
    need_pct = want & {"net_pct_gdp", "gini_net_pct_gdp"}
    need_net = "net" in want or need_pct
    need_after = "defence_pct_gdp_after" in want or counts
    if need_net or "reimbursed" in want or (need_after and burden.lowers):
        reimbursed = array("reimbursed")
        np.matmul(prices, unit.covered, out=reimbursed.reshape(n, a * y))
        reimbursed *= f[:, None, :]
    if "contributed" in want or need_net:
        contributed = array("contributed")
        np.matmul(pool, key, out=contributed.reshape(n, a * y))
    if "gross" in want:
        np.matmul(prices, unit.gross, out=out["gross"].reshape(n, a * y))
    if need_net:
        net = array("net")
        if "gross" in want:
            np.subtract(out["gross"], reimbursed, out=net)
        else:
            np.matmul(prices, unit.gross, out=net.reshape(n, a * y))
            net -= reimbursed
        net += contributed
    if need_pct:
        pct = array("net_pct_gdp")
        np.multiply(net, 100, out=pct)
        pct /= burden.gdp[None]
    if need_after:
        after = array("defence_pct_gdp_after")
        if "contributed" in want or need_net:
            np.add(burden.defence[None], contributed, out=after)
        else:
            np.matmul(pool, key, out=after.reshape(n, a * y))
            after += burden.defence[None]
        if burden.lowers:
            after -= reimbursed
        after *= 100
        after /= burden.gdp[None]
        # Each (sample, ally)'s years as bytes padded to whole 8-byte words: summing the
        # words over allies adds every year's byte at once (no carry: at most 255 allies).
        lanes = -(-y // 8) * 8
        above = ws.array("block above", (n, a, lanes), np.bool_)
        above[..., y:] = False
        for name, threshold in (("allies_at_2pct", 2.0), ("allies_at_3_5pct", 3.5)):
            if name in want:
                # NaN: not above; non-members: never (an infinite threshold); shares as
                # published, to two decimals
                np.greater_equal(after, _threshold(burden.member, threshold)[None],
                                 out=above[..., :y])
                words = np.add.reduce(above.view(np.uint64), axis=1)  # [n, lanes / 8]
                out[name][:] = words.view(np.uint8)[:, :y]
    if "gini_net_pct_gdp" in want:
        _gini(pct, burden.member, ws, out["gini_net_pct_gdp"])


def _threshold(member: np.ndarray, share: float) -> np.ndarray:
    """[a, y]: the smallest counted share of GDP for members, infinity for the others."""
    if member.shape[0] > 255:
        raise ValueError("the byte-wise count holds at most 255 allies")
    return np.where(member, metrics.counted_from(share), np.inf)


def _gini(values: np.ndarray, member: np.ndarray, ws: Workspace, out: np.ndarray) -> None:
    """Gini coefficient across members, [s, y], as metrics.gini: members sorted in place in
    an [s, y, a] buffer (non-members last, at the largest float), weighted by 2 r - n - 1."""
    n, a, y = values.shape
    ordered = ws.array("block gini", (n, y, a))
    np.copyto(ordered, values.transpose(0, 2, 1))
    years, allies = np.nonzero(~member.T)  # a few cells: cheaper than a mask over every row
    ordered[:, years, allies] = np.finfo(float).max
    ordered.sort(axis=-1)
    count = member.sum(axis=0)[:, None]  # [y, 1]
    rank = np.arange(1, a + 1)[None, :]
    counted = (rank <= count).astype(float)  # [y, a]
    total = np.einsum("sya,ya->sy", ordered, counted)
    num = np.einsum("sya,ya->sy", ordered, counted * (2 * rank - count - 1))
    np.divide(num, count.T * total, out=out, where=total != 0)
    out[total == 0] = np.nan
