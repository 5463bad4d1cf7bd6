"""Funding keys on the shipped data, each checked against its definition."""

import numpy as np
import pandas as pd
import pytest

from burden_sim.inputs.baseline import DATA_DIR, load_baseline
from burden_sim.inputs.schema import FundingKey, KeyCap
from burden_sim.model.keys import funding_key

B = load_baseline()
YEARS = [2017, 2024]


def key(**spec):
    return funding_key(B, FundingKey(**spec), YEARS)


def members(year):
    return [a for a, y in zip(B.allies, B.accession_year, strict=True) if y <= year]


def test_every_key_sums_to_one_and_spares_non_members():
    for name in ("nato", "nato_derived", "gdp", "population", "un_regular", "equal"):
        shares = key(name=name).shares
        assert shares.sum(axis=0) == pytest.approx([1.0, 1.0])
        # Finland (2023), Sweden (2024), North Macedonia (2020) pay nothing in 2017.
        for ally in ("FIN", "SWE", "MKD"):
            assert shares[B.index(ally), 0] == 0.0


def test_equal_key():
    assert key(name="equal").shares[B.index("ISL"), 1] == pytest.approx(1 / 32)
    assert key(name="equal").shares[B.index("ISL"), 0] == pytest.approx(1 / 29)


def test_population_key_is_population_share():
    pop = pd.read_csv(DATA_DIR / "population.csv").query("year == 2024").set_index("ally")
    expected = pop.loc["DEU", "population"] / pop["population"].sum()
    assert key(name="population").shares[B.index("DEU"), 1] == pytest.approx(expected)


def test_un_regular_key_rescales_the_un_scale_over_members():
    # 2024 falls in the 2022-2024 scale: USA 22.000 %, the 32 allies together 53.395 %.
    assert key(name="un_regular").shares[B.index("USA"), 1] == pytest.approx(22.0 / 53.395)


def test_custom_weights_and_a_maximum_share():
    weights = {a: 1.0 for a in B.allies} | {"USA": 29.0}
    plain = key(name="custom", weights=weights).shares[:, 1]
    assert plain[B.index("USA")] == pytest.approx(29 / 60)
    capped = key(name="custom", weights=weights, caps=[KeyCap(ally="USA", max_share=0.25)])
    assert capped.shares[B.index("USA"), 1] == pytest.approx(0.25)
    assert capped.shares[B.index("DEU"), 1] == pytest.approx(0.75 / 31)


def test_nato_derived_is_gdp_with_the_us_held_at_germany():
    gdp, derived = key(name="gdp").shares, key(name="nato_derived").shares
    us, de = B.index("USA"), B.index("DEU")
    assert derived[us] == pytest.approx(derived[de])
    scale = 1 / (1 - gdp[us] + gdp[de])
    assert derived[de] == pytest.approx(gdp[de] * scale)
    assert np.delete(derived, us, axis=0) == pytest.approx(np.delete(gdp, us, axis=0) * scale)
