"""Burden metrics: checked by hand, against scipy, and against a published table."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from burden_sim.model import metrics
from burden_sim.model.metrics import (
    count_at_or_above,
    defence_after,
    fair_share_ratio,
    gini,
    kendall_tau_b,
    rank_test_p,
    spearman,
)

# Sandler and Murdoch (2000), "On Sharing NATO Defence Burdens in the 1990s and Beyond",
# Fiscal Studies 21(3), Table 9: Spearman correlations of security burdens with GDP, N = 15,
# with prob-values; m variables partialled out (0, 1: GDP/POP, 2: and exposed borders).
TABLE_9 = [  # year, m, rho, p
    (1994, 0, 0.19, 0.49), (1994, 1, 0.21, 0.46), (1994, 2, 0.13, 0.68),
    (1995, 0, 0.14, 0.61), (1995, 1, 0.16, 0.58), (1995, 2, 0.07, 0.82),
    (1996, 0, 0.11, 0.69), (1996, 1, 0.13, 0.66), (1996, 2, 0.04, 0.89),
    (1997, 0, 0.11, 0.69), (1997, 1, 0.13, 0.66), (1997, 2, 0.04, 0.89),
]


@pytest.mark.parametrize(("year", "m", "rho", "p"), TABLE_9)
def test_rank_test_reproduces_sandler_murdoch_table_9(year, m, rho, p):
    # The table prints rho and p to two decimals: the p of any rho that rounds to the
    # printed value must come within rounding of the printed p (two-sided convention).
    df = 15 - 2 - m
    p_range = rank_test_p(np.array([rho + 0.005, rho - 0.005]), df)
    assert p_range[0] - 0.005 <= p <= p_range[1] + 0.005


def test_spearman_p_uses_n_minus_2_degrees_of_freedom():
    gdp = np.arange(15.0).reshape(1, 15, 1)
    burden = np.array([3, 1, 2, 5, 4, 7, 6, 9, 8, 15, 10, 12, 11, 14, 13.0]).reshape(1, 15, 1)
    rho, p = spearman(gdp, burden, np.ones((15, 1), bool))
    expected = stats.spearmanr(gdp.ravel(), burden.ravel())
    assert rho[0, 0] == pytest.approx(expected.statistic)
    assert p[0, 0] == pytest.approx(expected.pvalue)
    assert p[0, 0] == pytest.approx(float(rank_test_p(rho, 13)[0, 0]))


@settings(max_examples=60, deadline=None)
@given(arrays(float, (2, 12, 2), elements=st.integers(0, 6).map(float)),
       arrays(float, (2, 12, 2), elements=st.floats(-10, 10)),
       arrays(bool, (12, 2), elements=st.booleans()))
def test_rank_correlations_match_scipy_with_ties_and_non_members(x, y, valid):
    valid[:4] = True  # at least four members in each year
    rho, rho_p = spearman(x, y, valid)
    tau, tau_p = kendall_tau_b(x, y, valid)
    for s in range(2):
        for t in range(2):
            v = valid[:, t]
            a, b = x[s, v, t], y[s, v, t]
            if np.ptp(a) == 0 or np.ptp(b) == 0:
                continue  # undefined: a constant ranking
            ref_rho = stats.spearmanr(a, b)
            ref_tau = stats.kendalltau(a, b, method="asymptotic")
            assert rho[s, t] == pytest.approx(ref_rho.statistic, abs=1e-9)
            assert rho_p[s, t] == pytest.approx(ref_rho.pvalue, abs=1e-9)
            assert tau[s, t] == pytest.approx(ref_tau.statistic, abs=1e-9)
            assert tau_p[s, t] == pytest.approx(ref_tau.pvalue, abs=1e-9)


def test_gini_by_hand():
    # Burdens 1, 2, 3, 4: mean absolute difference 20 / 16 over twice the mean, 0.25.
    values = np.array([1.0, 2.0, 3.0, 4.0, 99.0]).reshape(1, 5, 1)
    member = np.array([True, True, True, True, False]).reshape(5, 1)
    assert gini(values, member)[0, 0] == pytest.approx(0.25)
    assert gini(np.full((1, 5, 1), 7.0), member)[0, 0] == pytest.approx(0.0)


def test_fair_share_ratio_by_hand():
    # A pays 60 of a 100 bill with 40 % of the GDP: ratio 1.5; B 40 with 60 %: 2/3.
    net = np.array([60.0, 40.0]).reshape(1, 2, 1)
    gdp = np.array([400.0, 600.0]).reshape(2, 1)
    ratio = fair_share_ratio(net, gdp, np.ones((2, 1), bool))
    assert ratio[0, :, 0] == pytest.approx([1.5, 2 / 3])


def test_accounting_switch_by_hand():
    # A spends 100 on defence, is repaid 10 and pays 4 into the fund.
    defence = np.array([[100.0]])
    repaid, paid = np.array([[[10.0]]]), np.array([[[4.0]]])
    assert defence_after(defence, repaid, paid, "reimbursement_lowers_spending")[0, 0, 0] == 94
    assert defence_after(defence, repaid, paid, "reimbursement_frees_budget")[0, 0, 0] == 104


def test_count_at_or_above_compares_shares_as_published_to_two_decimals():
    member = np.ones(4, dtype=bool)[:, None]
    pct = np.array([1.9949, 1.9951, 2.0000000000000004, 1.9999999999999998])[None, :, None]
    assert count_at_or_above(pct, 2.0, member)[0, 0] == 3  # 1.9949 is published as 1.99


def test_count_at_or_above_ignores_non_members_and_gaps():
    pct = np.array([2.0, 1.99, 3.6, np.nan, 2.5]).reshape(1, 5, 1)
    member = np.array([True, True, True, True, False]).reshape(5, 1)
    assert count_at_or_above(pct, 2.0, member)[0, 0] == 2
    assert count_at_or_above(pct, 3.5, member)[0, 0] == 1


def test_kendall_in_blocks_of_samples_is_kendall_at_once(monkeypatch):
    """Kendall's pairwise [s, a, a, t] comparisons are taken a block of samples at a time
    (hunt2 #14: at once, they took 0.2 MB a sample), with the same results to the bit."""
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(2, 50, 32, 8))
    x[:, 3] = x[:, 4]  # ties
    valid = rng.random((32, 8)) > 0.1
    whole = metrics.kendall_tau_b(x, y, valid)
    monkeypatch.setattr(metrics, "KENDALL_BLOCK", 32 * 32 * 8 * 7)  # 7 samples a block
    blocks = metrics.kendall_tau_b(x, y, valid)
    for a, b in zip(whole, blocks, strict=True):
        np.testing.assert_array_equal(a, b)
