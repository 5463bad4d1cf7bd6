"""The fused path (core.fused) against the rules applied step by step and the metrics."""

from pathlib import Path

import numpy as np
import pytest

from burden_sim import api
from burden_sim.inputs.rules import fraction_by_year
from burden_sim.model import core, metrics
from burden_sim.model.calculator import Calculator
from burden_sim.model.costs import draw_prices

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
ROWS = 1500  # three blocks, the last one short


def _reference(p, prices, fraction, cap, accounting):
    """What the step-by-step rules and the metrics give, output by output."""
    gross, reimbursed, contributed, net = core.step_by_step(
        p.activity, prices, p.factor, p.eligibility, p.key.shares, fraction, cap)
    defence = p.defence_pct / 100 * p.gdp
    after = 100 * metrics.defence_after(defence, reimbursed, contributed, accounting) / p.gdp
    pct = 100 * net / p.gdp[None]
    return {"gross": gross, "reimbursed": reimbursed, "contributed": contributed, "net": net,
            "net_pct_gdp": pct, "defence_pct_gdp_after": after,
            "allies_at_2pct": metrics.count_at_or_above(after, 2.0, p.member),
            "allies_at_3_5pct": metrics.count_at_or_above(after, 3.5, p.member),
            "gini_net_pct_gdp": metrics.gini(pct, p.member)}


@pytest.fixture(scope="module")
def prepared():
    return Calculator.build(*api.load(SCENARIOS / "common_fund.yaml"))


@pytest.mark.parametrize("accounting", ["reimbursement_lowers_spending",
                                        "reimbursement_frees_budget"])
def test_the_fused_path_agrees_with_the_rules_step_by_step(prepared, accounting):
    # A sweep over unit costs, the fraction, a phase-in and a cap that binds on some rows.
    p = prepared
    rng = np.random.default_rng(3)
    prices = draw_prices(p.prices, ROWS, seed=2) * rng.uniform(0.5, 2.0, (ROWS, 1))
    phase = fraction_by_year(1.0, {2018: 0.25, 2020: 0.6, 2022: 1.0}, p.years)
    fraction = rng.uniform(0.0, 1.0, (ROWS, 1)) * phase[None, :]
    cap = np.where(rng.random(ROWS) < 0.5, 1e15, rng.uniform(5e7, 1e9, ROWS))
    unit = core.unit_costs(p.activity, p.factor, p.eligibility)
    pool = (core.step_by_step(p.activity, prices, p.factor, p.eligibility, p.key.shares,
                              fraction).reimbursed.sum(axis=1))
    binds = (pool > cap[:, None]).any(axis=1)
    assert 0.2 < binds.mean() < 0.5  # the cap binds on some rows, not on others
    burden = core.Burden(p.gdp, p.defence_pct / 100 * p.gdp, p.member,
                         accounting == "reimbursement_lowers_spending")
    ws = core.Workspace()
    core.fused(unit, prices[:700], p.key.shares, fraction[:700], None, burden=burden,
               wanted=core.FUSED, workspace=ws)  # buffers of another size, reused below
    for c in (cap, None):
        want = _reference(p, prices, fraction, c, accounting)
        got = core.fused(unit, prices, p.key.shares, fraction, c, burden=burden,
                         wanted=core.FUSED, workspace=ws)
        for name in core.FUSED:
            assert got[name].dtype == want[name].dtype, name
            if name.startswith("allies_at"):
                assert np.array_equal(got[name], want[name]), name
            else:  # relative to the output's scale: a net cost can cross zero
                scale = np.nanmax(np.abs(want[name]))
                np.testing.assert_allclose(got[name], want[name], rtol=1e-12,
                                           atol=1e-12 * scale, err_msg=name)


def test_a_fraction_by_year_gives_the_products_bit_for_bit(prepared):
    # With one fraction for all rows and no cap, gross and reimbursed are the same products.
    p = prepared
    prices = draw_prices(p.prices, 600, seed=4)
    fraction = np.linspace(0.2, 1.0, len(p.years))
    unit = core.unit_costs(p.activity, p.factor, p.eligibility)
    got = core.fused(unit, prices, p.key.shares, fraction)
    want = core.cost_sharing(p.activity, prices, p.factor, p.eligibility, p.key.shares,
                             fraction)
    assert np.array_equal(got["gross"], want.gross)
    np.testing.assert_allclose(got["net"], want.net, rtol=1e-12,
                               atol=1e-12 * np.abs(want.net).max())


def test_burden_measures_need_the_data(prepared):
    p = prepared
    unit = core.unit_costs(p.activity, p.factor, p.eligibility)
    with pytest.raises(ValueError, match="cannot compute"):
        core.fused(unit, p.prices.central[None], p.key.shares, np.ones(len(p.years)),
                   wanted=("net_pct_gdp",))
