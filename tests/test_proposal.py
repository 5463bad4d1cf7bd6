"""What the Secretary General proposed in 2021 (issue 12, point 4): common_fund.yaml is labelled
as the full-repayment upper bound, and proposal_2021.yaml repays part of the costs from the
military budget within a cap of the order of its missions line."""

from pathlib import Path

import numpy as np
import pytest

import burden_sim

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def proposal():
    return burden_sim.simulate(ROOT / "scenarios" / "proposal_2021.yaml")


def test_nothing_is_repaid_before_the_2022_budget(proposal):
    repaid = proposal["reimbursed"].sum("ally")
    assert float(repaid.sel(year=slice(2017, 2021)).sum()) == 0
    assert (repaid.sel(year=slice(2022, 2024)) > 0).all()


def test_half_of_the_costs_within_the_missions_line(proposal):
    """EUR 254.9 m of the 2021 military budget for missions and operations, at 1.1827 USD per
    EUR = USD 301.5 m: the cap is USD 300 m, and half of the costs exceeds it every year."""
    later = proposal.sel(year=slice(2022, 2024))
    repaid = later["reimbursed"].sum("ally").values
    half = 0.5 * later["gross"].sum("ally").values
    assert np.all(half > 300e6)
    np.testing.assert_allclose(repaid, np.minimum(half, 300e6), rtol=1e-12)
    np.testing.assert_allclose(later["contributed"].sum("ally").values, repaid, rtol=1e-12)


def test_the_full_fund_is_labelled_the_upper_bound():
    header = (ROOT / "scenarios" / "common_fund.yaml").read_text()
    assert "UPPER BOUND of the Secretary General's 2021 proposal, not the" in header
    readme = (ROOT / "README.md").read_text()
    assert "| `common_fund.yaml` | the upper bound of the Secretary General's 2021" in readme
    assert "| `proposal_2021.yaml` |" in readme
