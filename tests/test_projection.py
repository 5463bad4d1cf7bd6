"""Projected years hold each series at its own last value (issue 13)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import burden_sim
from burden_sim.inputs.baseline import load_baseline
from burden_sim.inputs.projection import extend
from burden_sim.inputs.schema import Projection

ROOT = Path(__file__).resolve().parents[1]


def test_every_projected_year_takes_the_last_exchange_rate_and_un_scale_period():
    baseline = load_baseline()
    last_rate_year = max(baseline.usd_per_eur)
    assert last_rate_year > baseline.gdp_last_year  # fx.csv runs a year past gdp.csv
    ahead = extend(baseline, 2035, Projection(gdp_growth_pct=1.0))
    rate = baseline.usd_per_eur[last_rate_year]
    assert all(ahead.usd_per_eur[y] == rate for y in range(last_rate_year, 2036))
    assert ahead.un_scale_pct.shape == ahead.gdp_usd.shape
    last_period = baseline.un_scale_periods.shares[:, -1]  # 2025-2027, which un_scale.csv has
    assert np.array_equal(ahead.un_scale_pct[:, -1], last_period)
    assert not np.array_equal(ahead.un_scale_pct[:, -1], baseline.un_scale_pct[:, -1])


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
    assert np.array_equal(shares[:, -1], shares[:, 1])  # 2028 keeps 2025-2027's scale
    assert not np.allclose(shares[:, 1], shares[:, 0])  # 2025 has its own, not 2024's
    assert np.allclose(ds["net"].sum("ally"), ds["gross"].sum("ally"))


def test_projected_years_use_their_own_un_scale_period():
    """2025-2027 use the UN scale of 2025-2027 (they kept 2022-2024's, the last GDP year's):
    Germany's share of the 32 allies' scale, from un_scale.csv by hand; 2028 on keep it."""
    import pandas as pd

    from burden_sim.inputs.baseline import DATA_DIR

    scale = pd.read_csv(DATA_DIR / "un_scale.csv")
    by_period = scale.pivot(index="ally", columns="period", values="share_pct")
    expected = {period: by_period.loc["DEU", period] / by_period[period].sum()
                for period in ("2022-2024", "2025-2027")}
    assert abs(expected["2025-2027"] - 5.692 / 50.995) < 1e-4  # the figures the review read
    shares = burden_sim.simulate(ROOT / "scenarios" / "hague_trajectory.yaml",
                                 set={"policy.key": "un_regular"})["key_share"].sel(ally="DEU")
    assert shares.sel(year=2024).item() == pytest.approx(expected["2022-2024"], rel=1e-12)
    for year in (2025, 2027, 2035):
        assert shares.sel(year=year).item() == pytest.approx(expected["2025-2027"], rel=1e-12)


def test_a_projection_keeps_the_editions_own_figures_and_starts_from_them():
    """Edition 2025-08 estimates 2025 for 19 allies: a projection into 2025 replaced them
    with the 2024 share (Belgium 1.29 % for its 2.00 %). Each line to the target now starts
    from the ally's last figure, by hand: Belgium 2.00 in 2025 -> 2.75 in 2030 on the way to
    3.5 in 2035; Germany (no 2025 figure) 2024's share, 6/11 of the way by 2030."""
    baseline = load_baseline("2025-08")
    ahead = extend(baseline, 2035, Projection(gdp_growth_pct=1.0, defence_target_pct=3.5,
                                              target_year=2035))
    at = {y: list(ahead.years).index(y) for y in (2024, 2025, 2030, 2035)}
    bel, deu, pol = (baseline.index(a) for a in ("BEL", "DEU", "POL"))
    assert ahead.defence_pct_gdp[bel, at[2025]] == 2.0
    assert ahead.defence_pct_gdp[bel, at[2030]] == pytest.approx(2.0 + 1.5 * 5 / 10)
    deu_2024 = baseline.defence_pct_gdp[deu, at[2024]]
    assert np.isnan(baseline.defence_pct_gdp[deu, at[2025]])
    assert ahead.defence_pct_gdp[deu, at[2030]] == pytest.approx(
        deu_2024 + (3.5 - deu_2024) * 6 / 11)
    assert ahead.defence_pct_gdp[pol, at[2035]] == baseline.defence_pct_gdp[pol, at[2025]]  # 4.48
    for ally, shares in enumerate(baseline.defence_pct_gdp):  # Iceland has none: NaN
        last = shares[~np.isnan(shares)][-1:]
        assert ahead.defence_pct_gdp[ally, at[2035]] == pytest.approx(
            max(3.5, *last) if last.size else np.nan, nan_ok=True)
