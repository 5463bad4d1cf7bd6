"""The vectorised policy core: cases worked by hand, and its invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from burden_sim.inputs.rules import fraction_by_year
from burden_sim.model.keys import cap_at, cap_max
from burden_sim.model.policies import (
    common_fund,
    deploying_nation_pays,
    marginal_cost,
    net_cost,
)

KEY = np.array([0.5, 0.3, 0.2]).reshape(3, 1)


def three_allies():
    # One sample, three allies, one year: A's missions cost 100, B's 50, C deploys nothing.
    return np.array([100.0, 50.0, 0.0]).reshape(1, 3, 1)


def test_hand_worked_common_fund():
    # f = 0.5: the fund repays A 50 and B 25, 75 in all, raised 37.5 / 22.5 / 15 by the key.
    gross = three_allies()
    t = common_fund(gross, np.array([0.5]), KEY)
    assert t.reimbursed[0, :, 0] == pytest.approx([50.0, 25.0, 0.0])
    assert t.contributed[0, :, 0] == pytest.approx([37.5, 22.5, 15.0])
    assert net_cost(gross, t)[0, :, 0] == pytest.approx([87.5, 47.5, 15.0])


def test_hand_worked_deploying_nation_pays():
    gross = three_allies()
    assert net_cost(gross, deploying_nation_pays(gross))[0, :, 0] == pytest.approx(
        [100.0, 50.0, 0.0])


def test_only_eligible_costs_are_repaid():
    # A spends 100 of which 10 is eligible (say transport), B 50 of which 30; f = 1.
    gross = three_allies()
    eligible = np.array([10.0, 30.0, 0.0]).reshape(1, 3, 1)
    t = common_fund(eligible, np.array([1.0]), KEY)
    assert t.reimbursed[0, :, 0] == pytest.approx([10.0, 30.0, 0.0])
    assert t.contributed[0, :, 0] == pytest.approx([20.0, 12.0, 8.0])
    assert net_cost(gross, t)[0, :, 0] == pytest.approx([110.0, 32.0, 8.0])


def test_annual_cap_pays_pro_rata():
    # f = 1 asks 150; a cap of 60 pays 40 % of each claim: A 40, B 20, raised 30 / 18 / 12.
    gross = three_allies()
    t = common_fund(gross, np.array([1.0]), KEY, annual_cap=60.0)
    assert t.reimbursed[0, :, 0] == pytest.approx([40.0, 20.0, 0.0])
    assert t.contributed[0, :, 0] == pytest.approx([30.0, 18.0, 12.0])


def test_a_cap_that_does_not_bind_changes_nothing():
    gross = three_allies()
    free, capped = common_fund(gross, np.array([0.5]), KEY), \
        common_fund(gross, np.array([0.5]), KEY, annual_cap=1e6)
    assert np.array_equal(free.reimbursed, capped.reimbursed)


def test_phase_in_by_year():
    years = [2020, 2021, 2022, 2023, 2024]
    f = fraction_by_year(0.8, {2021: 0.25, 2023: 1.0}, years)
    assert f == pytest.approx([0.0, 0.2, 0.2, 0.8, 0.8])
    assert fraction_by_year(0.8, None, years) == pytest.approx([0.8] * 5)


def test_marginal_cost_without_and_with_a_binding_cap():
    gross = three_allies()
    # 1 - f + f k: A 1 - 0.5 + 0.25 = 0.75, B 0.65, C 0.6.
    assert marginal_cost(gross, np.array([0.5]), KEY)[0, :, 0] == pytest.approx([0.75, 0.65, 0.6])
    # Cap 60 binds (f S = 150): 1 - C (S - E_a) / S^2 with S = 150.
    capped = marginal_cost(gross, np.array([1.0]), KEY, annual_cap=60.0)[0, :, 0]
    assert capped == pytest.approx([1 - 60 * 50 / 150**2, 1 - 60 * 100 / 150**2,
                                    1 - 60 * 150 / 150**2])


def test_cap_at_holds_us_share_at_germany():
    # US 0.5, DEU 0.1, rest 0.4: scale 1/(1 - 0.5 + 0.1); US = DEU = 1/6, rest = 2/3.
    shares = np.array([0.5, 0.1, 0.4]).reshape(3, 1)
    assert cap_at(shares, 0, 1)[:, 0] == pytest.approx([1 / 6, 1 / 6, 2 / 3])


def test_cap_at_leaves_a_share_below_the_cap_alone():
    shares = np.array([0.05, 0.15, 0.8]).reshape(3, 1)
    assert cap_at(shares, 0, 1)[:, 0] == pytest.approx([0.05, 0.15, 0.8])


def test_cap_max_redistributes_pro_rata():
    # 0.5 capped at 0.25: the other 0.5 is scaled to 0.75 (0.3 -> 0.45, 0.2 -> 0.3).
    assert cap_max(KEY, 0, 0.25)[:, 0] == pytest.approx([0.25, 0.45, 0.3])


@st.composite
def cases(draw):
    s, a, y = (draw(st.integers(1, n)) for n in (4, 8, 3))
    gross = draw(arrays(float, (s, a, y), elements=st.floats(0, 1e9)))
    share = draw(arrays(float, (s, a, y), elements=st.floats(0, 1)))
    weights = draw(arrays(float, (a, y), elements=st.floats(0.01, 1.0)))
    fraction = draw(arrays(float, (y,), elements=st.floats(0, 1)))
    cap = draw(st.none() | st.floats(0, 1e10))
    return gross, gross * share, weights / weights.sum(axis=0), fraction, cap


@settings(max_examples=200, deadline=None)
@given(cases())
def test_money_is_moved_never_made(case):
    gross, eligible, key, fraction, cap = case
    net = net_cost(gross, common_fund(eligible, fraction, key, cap))
    total = gross.sum(axis=1)
    assert np.allclose(net.sum(axis=1), total, rtol=1e-9, atol=1e-9 * max(total.max(), 1.0))


@settings(max_examples=100, deadline=None)
@given(cases())
def test_zero_fraction_is_the_deploying_nation_paying(case):
    gross, eligible, key, fraction, cap = case
    fund = net_cost(gross, common_fund(eligible, fraction * 0, key, cap))
    assert np.array_equal(fund, net_cost(gross, deploying_nation_pays(gross)))


@settings(max_examples=100, deadline=None)
@given(cases())
def test_an_ally_that_deploys_nothing_never_gains(case):
    gross, eligible, key, fraction, cap = case
    gross[:, 0], eligible[:, 0] = 0.0, 0.0
    net = net_cost(gross, common_fund(eligible, fraction, key, cap))
    assert (net[:, 0] >= 0).all()


@settings(max_examples=100, deadline=None)
@given(arrays(float, (6, 2), elements=st.floats(0.01, 1.0)),
       st.lists(st.floats(0, 1), min_size=2, max_size=2))
def test_key_shares_add_up_to_one_after_caps(weights, maximum):
    shares = weights / weights.sum(axis=0)
    capped = cap_max(cap_at(shares, 0, 1), 2, max(maximum[0], 0.01))
    assert np.allclose(capped.sum(axis=0), 1.0, rtol=1e-12)
    assert (capped >= 0).all()


@settings(max_examples=100, deadline=None)
@given(arrays(float, (5, 1), elements=st.floats(0.01, 1.0)), st.floats(0, 1), st.floats(0, 1))
def test_marginal_cost_falls_as_the_fraction_rises(weights, f1, f2):
    key = weights / weights.sum(axis=0)
    low, high = sorted((f1, f2))
    eligible = np.ones((1, 5, 1))
    at_low = marginal_cost(eligible, np.array([low]), key)
    at_high = marginal_cost(eligible, np.array([high]), key)
    below_one = key[None] < 1
    assert (at_high[below_one] <= at_low[below_one] + 1e-12).all()
