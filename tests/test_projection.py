"""Projected years hold each series at its own last value (issue 13)."""

from __future__ import annotations

import numpy as np

import burden_sim
from burden_sim.inputs.baseline import load_baseline
from burden_sim.inputs.projection import extend
from burden_sim.inputs.schema import Projection


def test_every_projected_year_takes_the_last_exchange_rate_and_un_scale():
    baseline = load_baseline()
    last_rate_year = max(baseline.usd_per_eur)
    assert last_rate_year > baseline.gdp_last_year  # fx.csv runs a year past gdp.csv
    ahead = extend(baseline, 2035, Projection(gdp_growth_pct=1.0))
    rate = baseline.usd_per_eur[last_rate_year]
    assert all(ahead.usd_per_eur[y] == rate for y in range(last_rate_year, 2036))
    assert ahead.un_scale_pct.shape == ahead.gdp_usd.shape
    kept = baseline.un_scale_pct[:, -1]
    assert np.array_equal(ahead.un_scale_pct[:, -1], kept, equal_nan=True)


def test_the_un_key_runs_with_a_projection(tmp_path):
    text = (
        "name: un_ahead\nyears: {start: 2024, end: 2028}\nprojection: {gdp_growth_pct: 2}\n"
        "policy: {rule: common_fund, fraction: 1.0, key: un_regular}\nmissions:\n"
        "  - {id: m1, name: M, hosts: [EST], contributions: "
        "[{ally: GBR, role: framework, start: 2024, end: 2028, troops: 800}]}\n")
    path = tmp_path / "un.yaml"
    path.write_text(text)
    ds = burden_sim.simulate(path)
    shares = ds["key_share"].values
    assert np.allclose(shares.sum(axis=0), 1.0)
    assert np.array_equal(shares[:, -1], shares[:, 0])  # the 2024 scale, held
    assert np.allclose(ds["net"].sum("ally"), ds["gross"].sum("ally"))
