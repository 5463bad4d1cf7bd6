"""The source documents' figures, checked against the shipped NATO tables.

Where a document disagrees with the data, the test pins the difference; docs/data.md explains it.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from burden_sim.inputs.baseline import DATA_DIR, load_baseline

CLAIMS = pd.read_csv(DATA_DIR / "claims.csv").set_index("claim_id")
FACTS = pd.read_csv(DATA_DIR / "facts.csv").set_index("fact_id")["value"]
EUROPE = ["ALB", "BEL", "BGR", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "ISL",
          "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR", "POL", "PRT", "ROU", "SVK", "SVN",
          "ESP", "SWE", "TUR", "GBR"]


def claim(claim_id: str) -> float:
    return float(CLAIMS.loc[claim_id, "value"])


def at_or_above(edition: str, year: int, threshold: float = 2.0) -> list[str]:
    """Members in ``year`` whose defence spending is at or above ``threshold`` % of GDP."""
    b = load_baseline(edition)
    col = int(np.searchsorted(b.years, year))
    member = b.accession_year <= year
    hit = member & (np.nan_to_num(b.defence_pct_gdp[:, col]) >= threshold)
    return [a for a, h in zip(b.allies, hit, strict=True) if h]


def pct(edition: str, ally: str, year: int) -> float:
    b = load_baseline(edition)
    return float(b.defence_pct_gdp[b.index(ally), int(np.searchsorted(b.years, year))])


def test_every_claim_is_checked_or_says_why_not():
    tested = {name.removeprefix("test_").upper() for name in globals() if name.startswith("test_")}
    for claim_id, row in CLAIMS.iterrows():
        if row["checked_by"] == "test_claims.py":
            assert claim_id in tested, f"{claim_id} says it is tested here but has no test"
        else:
            assert row["checked_by"].startswith("not checkable"), claim_id
    shared_sources = Path(__file__).resolve().parents[2] / "shared" / "sources"
    if shared_sources.is_dir():  # the project brief's documents, beside the repository
        for document in CLAIMS["document"]:
            assert (shared_sources / document).is_file(), document


def test_doc001_five_of_28():
    # Five of 28 in 2016 (Feb 2017); the June 2024 edition agrees, the 2025 edition has four
    # (Poland revised from 2.0005 % to 1.99 %).
    assert len(at_or_above("2024-06", 2016)) == claim("DOC001_FIVE_OF_28") == 5
    assert sorted(at_or_above("2024-06", 2016)) == ["EST", "GBR", "GRC", "POL", "USA"]
    assert sorted(at_or_above("2025-08", 2016)) == ["EST", "GBR", "GRC", "USA"]
    assert pct("2025-08", "POL", 2016) < 2.0 <= pct("2024-06", "POL", 2016)


def test_doc000_nine_of_30():
    # A forecast of nine (Feb 2021); NATO's June 2021 edition then said ten, and with later
    # revisions the June 2024 edition counts six for 2021.
    assert claim("DOC000_NINE_OF_30") == 9
    assert float(FACTS["allies_at_2pct_2021_june2021"]) == 10
    assert sorted(at_or_above("2024-06", 2021)) == ["EST", "GBR", "GRC", "LVA", "POL", "USA"]


def test_doc002_18_in_2024():
    # Forecast 18 in Feb 2024; the June 2024 edition estimated 23, the 2025 edition 18 again.
    assert claim("DOC002_18_IN_2024") == 18
    assert len(at_or_above("2024-06", 2024)) == 23
    assert len(at_or_above("2025-08", 2024)) == 18


def test_doc002_three_in_2014():
    assert len(at_or_above("2024-06", 2014)) == claim("DOC002_THREE_IN_2014") == 3
    assert sorted(at_or_above("2024-06", 2014)) == ["GBR", "GRC", "USA"]


def test_doc002_europe_380bn():
    # "2 % of their total GDP" holds: the June 2024 shares weighted by the shipped GDP give 2.08 %.
    # "380 billion" does not match current prices: NATO's own Europe-and-Canada total less
    # Canada is 476 bn, and the shipped GDP gives 495 bn (4 % apart: GDP vintages differ).
    # The 380 bn is 20 % lower; NATO quotes totals at constant prices too (docs/data.md).
    b = load_baseline("2024-06")
    col = int(np.searchsorted(b.years, 2024))
    rows = [b.index(a) for a in EUROPE if a != "ISL"]
    spend = np.nansum(b.defence_pct_gdp[rows, col] / 100 * b.gdp_usd[rows, col])
    share = spend / np.nansum(b.gdp_usd[rows, col]) * 100
    assert share == pytest.approx(2.0, abs=0.1)
    canada = b.defence_pct_gdp[b.index("CAN"), col] / 100 * b.gdp_usd[b.index("CAN"), col]
    nato_europe = float(FACTS["europe_canada_2024_current"]) * 1e6 - canada
    assert spend == pytest.approx(nato_europe, rel=0.05)
    assert claim("DOC002_EUROPE_380BN") * 1e9 < 0.8 * nato_europe


def test_doc002_sd24_90000():
    # The catalogue's four national contingents (GBR, DEU, NLD, POL) and the other allies' 38,000
    # add up to the document's 90,000, from 24 January to 31 May 2024.
    exercise = pd.read_csv(DATA_DIR / "catalogue" / "exercises.csv")
    sd24 = exercise[exercise.mission == "steadfast_defender_2024"]
    assert sd24.personnel.sum() == claim("DOC002_SD24_90000")
    assert sorted(sd24.ally) == ["DEU", "GBR", "NLD", "OTHERS", "POL"]
    assert set(sd24.start) == {"2024-01-24"} and set(sd24.end) == {"2024-05-31"}


def test_doc003_two_thirds_plans():
    # Plans in 2018 for two-thirds of allies; by the June 2024 estimate 23 of 32 (72 %) did it.
    assert len(at_or_above("2024-06", 2024)) / 32 > claim("DOC003_TWO_THIRDS_PLANS")


def test_doc004_invasion_2023():
    # The document is wrong: the full-scale invasion began on 24 February 2022.
    assert claim("DOC004_INVASION_2023") == 2023
    assert FACTS["full_scale_invasion"] == "2022-02-24"
    assert int(FACTS["full_scale_invasion"][:4]) == claim("DOC004_INVASION_2023") - 1


def test_doc004_22_allies():
    # The Annual Report 2024 said 22; the June 2024 edition had 23 because Montenegro was
    # estimated at 2.0x %. The nine named below 2 % plus Iceland (no armed forces) leave 22.
    named = {"BEL", "CAN", "HRV", "ITA", "LUX", "MNE", "PRT", "SVN", "ESP"}
    below_june = {a for a in load_baseline("2024-06").allies
                  if a not in at_or_above("2024-06", 2024) and a != "ISL"}
    assert named - below_june == {"MNE"}
    assert pct("2024-06", "MNE", 2024) >= 2.0
    assert 32 - len(named) - 1 == claim("DOC004_22_ALLIES") == float(
        FACTS["allies_at_2pct_2024_ar2024"])


def test_doc004_us_2014_2024():
    # 3.68 -> 3.19 is the Annual Report 2024's pair; the June 2024 edition says 3.71 -> 3.38
    # and the 2025 edition 3.71 -> 3.21.
    assert float(FACTS["usa_pct_2014_ar2024"]) == 3.68
    assert float(FACTS["usa_pct_2024_ar2024"]) == 3.19
    assert round(pct("2024-06", "USA", 2014), 2) == 3.71
    assert round(pct("2024-06", "USA", 2024), 2) == 3.38
    assert round(pct("2025-08", "USA", 2024), 2) == 3.21


def test_doc004_total_1_3tn():
    # $1.3 tn is the Annual Report's total at 2021 prices; at current prices the June 2024
    # edition estimated $1.47 tn.
    assert float(FACTS["nato_total_2024_2021prices_ar2024"]) / 1e6 == pytest.approx(
        claim("DOC004_TOTAL_1_3TN"), abs=0.05)
    assert float(FACTS["nato_total_2024_current"]) / 1e6 == pytest.approx(1.474, abs=0.001)
