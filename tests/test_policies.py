"""The vectorised core: a three-ally case worked by hand, and its invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from burden_sim.keys import cap_at
from burden_sim.policies import common_fund, deploying_nation_pays, net_cost


def three_allies():
    # One sample, three allies, one mission, one year: A spends 100, B 50, C nothing.
    gross = np.array([100.0, 50.0, 0.0]).reshape(1, 3, 1, 1)
    key = np.array([0.5, 0.3, 0.2]).reshape(3, 1)
    return gross, key


def test_hand_worked_common_fund():
    # f = 0.5: the fund repays A 50 and B 25, 75 in all, raised 37.5 / 22.5 / 15 by the key.
    gross, key = three_allies()
    transfers = common_fund(gross, np.array([True]), 0.5, key)
    assert transfers.reimbursed[0, :, 0] == pytest.approx([50.0, 25.0, 0.0])
    assert transfers.contributed[0, :, 0] == pytest.approx([37.5, 22.5, 15.0])
    assert net_cost(gross, transfers)[0, :, 0] == pytest.approx([87.5, 47.5, 15.0])


def test_hand_worked_deploying_nation_pays():
    gross, _ = three_allies()
    net = net_cost(gross, deploying_nation_pays(gross))
    assert net[0, :, 0] == pytest.approx([100.0, 50.0, 0.0])


def test_ineligible_mission_is_not_reimbursed():
    # Two missions; only the second (A: 10, B: 30) is eligible; f = 1.
    gross = np.array([[100.0, 10.0], [0.0, 30.0], [0.0, 0.0]]).reshape(1, 3, 2, 1)
    key = np.array([0.5, 0.3, 0.2]).reshape(3, 1)
    t = common_fund(gross, np.array([False, True]), 1.0, key)
    assert t.reimbursed[0, :, 0] == pytest.approx([10.0, 30.0, 0.0])
    assert t.contributed[0, :, 0] == pytest.approx([20.0, 12.0, 8.0])


def test_cap_at_holds_us_share_at_germany():
    # US 0.5, DEU 0.1, rest 0.4: scale 1/(1 - 0.5 + 0.1); US = DEU = 1/6, rest = 2/3.
    shares = np.array([0.5, 0.1, 0.4]).reshape(3, 1)
    capped = cap_at(shares, 0, 1)[:, 0]
    assert capped == pytest.approx([1 / 6, 1 / 6, 2 / 3])


def test_cap_at_leaves_a_share_below_the_cap_alone():
    shares = np.array([0.05, 0.15, 0.8]).reshape(3, 1)
    assert cap_at(shares, 0, 1)[:, 0] == pytest.approx([0.05, 0.15, 0.8])


@st.composite
def cases(draw):
    s, a, m, y = (draw(st.integers(1, n)) for n in (4, 6, 3, 3))
    gross = draw(arrays(float, (s, a, m, y), elements=st.floats(0, 1e9)))
    weights = draw(arrays(float, (a, y), elements=st.floats(0.01, 1.0)))
    eligible = draw(arrays(bool, (m,)))
    fraction = draw(st.floats(0, 1))
    return gross, weights / weights.sum(axis=0), eligible, fraction


@settings(max_examples=200, deadline=None)
@given(cases())
def test_money_is_moved_never_made(case):
    gross, key, eligible, fraction = case
    net = net_cost(gross, common_fund(gross, eligible, fraction, key))
    total_net = net.sum(axis=1)
    total_gross = gross.sum(axis=(1, 2))
    assert np.allclose(total_net, total_gross, rtol=1e-9, atol=1e-9 * total_gross.max(initial=1))


@settings(max_examples=100, deadline=None)
@given(cases())
def test_zero_fraction_is_the_deploying_nation_paying(case):
    gross, key, eligible, _ = case
    fund = net_cost(gross, common_fund(gross, eligible, 0.0, key))
    status_quo = net_cost(gross, deploying_nation_pays(gross))
    assert np.array_equal(fund, status_quo)


@settings(max_examples=100, deadline=None)
@given(cases())
def test_an_ally_that_deploys_nothing_never_gains(case):
    gross, key, eligible, fraction = case
    gross[:, 0] = 0.0
    net = net_cost(gross, common_fund(gross, eligible, fraction, key))
    assert (net[:, 0] >= 0).all()
