"""NATO's own cost shares: every published value pinned to its source, the rules, the errors."""

import shutil

import numpy as np
import pandas as pd
import pytest

from burden_sim.errors import DataError
from burden_sim.inputs.baseline import DATA_DIR, load_baseline
from burden_sim.inputs.cost_shares import load_cost_share_tables
from burden_sim.model.nato_key import nato_shares

# (first year, last year, ally): percent, copied by hand from the sources named in
# nato_cost_shares.csv (CNS News 2017, NPK 2017, Europa Press 2017, DND 2018, Diário de Notícias
# 2018, De Standaard 2018, Ostermann 2020, ERR 2019, Czech MoD 2020, HLN 2019, La Tribune /
# Cour des comptes 2023, Capital, Yle 2022, TASR 2024, tv3.lt 2025).
PUBLISHED = {
    (2016, 2017, "USA"): 22.144, (2016, 2017, "DEU"): 14.65, (2016, 2017, "FRA"): 10.63,
    (2016, 2017, "GBR"): 9.84, (2016, 2017, "CAN"): 6.6, (2016, 2017, "ESP"): 5.8,
    (2016, 2017, "NOR"): 1.7,
    (2018, 2019, "USA"): 22.1387, (2018, 2019, "DEU"): 14.7638, (2018, 2019, "FRA"): 10.4986,
    (2018, 2019, "GBR"): 10.4581, (2018, 2019, "ITA"): 8.14, (2018, 2019, "CAN"): 6.38,
    (2018, 2019, "NLD"): 3.20, (2018, 2019, "BEL"): 1.95, (2018, 2019, "NOR"): 1.65,
    (2018, 2019, "DNK"): 1.22, (2018, 2019, "GRC"): 0.98, (2018, 2019, "PRT"): 0.9725,
    (2018, 2019, "BGR"): 0.34, (2018, 2019, "HRV"): 0.28, (2018, 2019, "LTU"): 0.24,
    (2018, 2019, "LUX"): 0.16, (2018, 2019, "LVA"): 0.15, (2018, 2019, "ALB"): 0.08,
    (2018, 2019, "ISL"): 0.06, (2018, 2019, "MNE"): 0.03,
    (2018, 2020, "CZE"): 0.9788, (2018, 2020, "EST"): 0.116,
    (2020, 2020, "USA"): 22.1387, (2020, 2020, "DEU"): 14.77, (2020, 2020, "FRA"): 10.50,
    (2020, 2020, "GBR"): 10.46, (2020, 2020, "ITA"): 8.14, (2020, 2020, "CAN"): 6.38,
    (2020, 2020, "NLD"): 3.20, (2020, 2020, "BEL"): 1.95, (2020, 2020, "DNK"): 1.22,
    (2020, 2020, "GRC"): 0.98, (2020, 2020, "BGR"): 0.34, (2020, 2020, "HRV"): 0.28,
    (2020, 2020, "LTU"): 0.24, (2020, 2020, "LUX"): 0.16, (2020, 2020, "LVA"): 0.15,
    (2020, 2020, "ALB"): 0.08, (2020, 2020, "MKD"): 0.07, (2020, 2020, "ISL"): 0.06,
    (2020, 2020, "MNE"): 0.03,
    (2021, 2022, "USA"): 16.34, (2021, 2022, "DEU"): 16.34, (2021, 2022, "GBR"): 11.28,
    (2021, 2022, "FRA"): 10.49, (2021, 2022, "ITA"): 8.78, (2021, 2022, "CAN"): 6.88,
    (2021, 2022, "ESP"): 5.99, (2021, 2022, "NLD"): 3.45, (2021, 2022, "BEL"): 2.10,
    (2021, 2022, "DNK"): 1.31, (2021, 2022, "GRC"): 1.06, (2021, 2022, "CZE"): 1.0558,
    (2021, 2022, "BGR"): 0.37, (2021, 2022, "HRV"): 0.30, (2021, 2022, "LTU"): 0.26,
    (2021, 2022, "LUX"): 0.17, (2021, 2022, "LVA"): 0.16, (2021, 2022, "EST"): 0.125,
    (2021, 2022, "ALB"): 0.09, (2021, 2022, "MKD"): 0.08, (2021, 2022, "ISL"): 0.06,
    (2021, 2022, "MNE"): 0.03,
    (2023, 2023, "FIN"): 0.9057, (2023, 2023, "SVK"): 0.5113, (2024, 2024, "SVK"): 0.5014,
    (2025, 2026, "USA"): 15.8, (2025, 2026, "DEU"): 15.8, (2025, 2026, "GBR"): 11.0,
    (2025, 2026, "FRA"): 10.2, (2025, 2026, "ITA"): 8.5, (2025, 2026, "LVA"): 0.15,
    (2025, 2026, "EST"): 0.12,
}
B = load_baseline()
SOURCE_IDS = set(pd.read_csv(DATA_DIR / "sources.csv")["source_id"])
YEARS = list(range(2016, 2036))


def tables(data_dir=DATA_DIR):
    return load_cost_share_tables(data_dir, B.allies, B.accession_year, SOURCE_IDS)


def key(years=YEARS, data_dir=DATA_DIR):
    return nato_shares(tables(data_dir), B.allies, B.accession_year, B.gdp_usd, B.years, years)


def pct(result, ally, year):
    return 100 * result.shares[B.index(ally), YEARS.index(year)]


def test_every_published_share_is_the_sources_figure():
    rows = pd.read_csv(DATA_DIR / "nato_cost_shares.csv")
    data = {(r.period_start, r.period_end, r.ally): r.share_pct for r in rows.itertuples()}
    assert data == PUBLISHED
    assert set(rows["status"]) == {"published"}
    for cell in pd.concat([rows["source_id"],
                           pd.read_csv(DATA_DIR / "nato_cost_share_periods.csv")["source_id"]]):
        assert set(cell.split(";")) <= SOURCE_IDS, cell


def test_published_shares_are_kept_exactly_and_every_year_adds_up_to_one():
    result = key()
    members = B.members(np.array(YEARS))
    assert np.allclose(result.shares.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    assert (result.shares[~members] == 0).all() and (result.shares[members] > 0).all()
    for (first, last, ally), value in PUBLISHED.items():
        for year in range(first, last + 1):
            assert pct(result, ally, year) == pytest.approx(value, rel=1e-13)
            assert result.status[B.index(ally), YEARS.index(year)] == "published"


def test_the_us_paid_22_14_percent_before_2021_and_germany_s_share_after():
    result = key()
    for year in range(2016, 2021):
        assert round(pct(result, "USA", year), 2) == 22.14
    for year in range(2021, 2036):
        assert pct(result, "USA", year) == pytest.approx(pct(result, "DEU", year), rel=1e-12)
    # After Finland's and Sweden's accessions the US share is 15.85 % in 2024; Observador
    # quotes NATO's 2024 data as 15.8 %.
    assert pct(result, "USA", 2024) == pytest.approx(15.85, abs=0.005)


def test_new_members_pay_from_their_accession_and_the_others_make_room_pro_rata():
    result = key()
    assert pct(result, "MNE", 2016) == 0 and pct(result, "MNE", 2017) > 0
    assert pct(result, "MKD", 2019) == 0 and pct(result, "MKD", 2020) == pytest.approx(0.07)
    assert pct(result, "FIN", 2022) == 0 and pct(result, "FIN", 2023) == pytest.approx(0.9057)
    assert pct(result, "SWE", 2023) == 0 and 1.5 < pct(result, "SWE", 2024) < 2.5
    # carry-forward: between 2022 and 2023 every unpublished incumbent is scaled by one factor
    free = [a for a in B.allies if a not in ("FIN", "SVK", "SWE")]
    ratios = [pct(result, a, 2023) / pct(result, a, 2022) for a in free]
    room = (1 - 0.009057 - 0.005113) / (1 - pct(result, "SVK", 2022) / 100)
    assert np.ptp(ratios) < 1e-12 and ratios[0] == pytest.approx(room, rel=1e-12)
    # no table is published past 2026: the 2025-2026 shares stay in force
    assert np.array_equal(result.shares[:, YEARS.index(2026)], result.shares[:, -1])


def test_each_share_says_whether_it_is_published_or_reconstructed_and_cites_its_source():
    result = key()
    usa, nor, pol = B.index("USA"), B.index("NOR"), B.index("POL")
    col = YEARS.index
    assert result.status[usa, col(2017)] == "published"
    assert "NCS_CNS_2017" in result.source[usa, col(2017)]
    assert result.status[pol, col(2017)] == "reconstructed"
    assert result.source[pol, col(2017)].startswith("gni (2016-2017)")
    assert "GDP 2014" in result.source[pol, col(2017)]
    assert result.status[nor, col(2021)] == "reconstructed"
    assert result.source[nor, col(2021)].startswith("gni_us_capped_at_deu (2021-2022)")
    assert result.status[B.index("FIN"), col(2022)] == ""


def test_the_derived_key_misses_the_published_shares_where_documented():
    from burden_sim.inputs.schema import FundingKey
    from burden_sim.model.keys import funding_key

    derived = funding_key(B, FundingKey(name="nato_derived"), YEARS[:9]).shares
    nato = key(YEARS[:9]).shares
    usa, est, cze, bel = (B.index(a) for a in ("USA", "EST", "CZE", "BEL"))
    assert round(100 * derived[usa, 1], 1) == 16.6 and round(100 * nato[usa, 1], 2) == 22.14
    rows = [est, cze, bel]
    over = derived[rows] / nato[rows] - 1  # 2016..2024
    assert 0.145 < over[0, 3] < 0.155 and 0.17 < over[0, 6] < 0.18  # Estonia 2019, 2022
    assert 0.095 < over[1, 3] < 0.10 and 0.09 < over[1, 6] < 0.10  # Czechia
    assert 0.15 < over[2, 3] < 0.155 and 0.08 < over[2, 6] < 0.085  # Belgium


@pytest.fixture
def data_copy(tmp_path):
    for name in ("nato_cost_shares.csv", "nato_cost_share_periods.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def test_a_year_with_no_table_and_no_rule_is_a_one_line_error(data_copy):
    periods = pd.read_csv(data_copy / "nato_cost_share_periods.csv", dtype=str)
    periods.loc[periods["period_start"] == "2025", "rule"] = ""
    periods.to_csv(data_copy / "nato_cost_share_periods.csv", index=False)
    with pytest.raises(DataError) as error:
        key(data_dir=data_copy)
    assert str(error.value) == (
        "nato_cost_share_periods.csv:8: rule: 2025 has members without a published share "
        "(BEL, CAN, DNK, ISL, LUX, NLD, NOR, PRT, GRC, TUR, ESP, CZE, HUN, POL, BGR, LTU, ROU, "
        "SVK, SVN, ALB, HRV, MNE, MKD, FIN, SWE) and the period has no rule")
    with pytest.raises(DataError, match=r"^nato_cost_share_periods.csv: period_start: no "
                       r"cost-share table or rule covers 2015 \(periods: 2016-2017, "):
        key(years=[2015, 2016])


def test_published_shares_over_100_percent_are_a_one_line_error(data_copy):
    shares = pd.read_csv(data_copy / "nato_cost_shares.csv", dtype=str)
    shares.loc[(shares["ally"] == "ITA") & (shares["period_start"] == "2021"),
               "share_pct"] = "25"
    shares.to_csv(data_copy / "nato_cost_shares.csv", index=False)
    with pytest.raises(DataError) as error:
        tables(data_copy)
    message = str(error.value)
    assert message.startswith("nato_cost_shares.csv:") and "\n" not in message
    assert message.endswith("share_pct: the published shares for 2021 add up to 102.9408 %, "
                            "more than 100 % (this row takes the total past 100 %)")


@pytest.mark.parametrize("column, value, expected", [
    ("ally", "XXX", "nato_cost_shares.csv:2: ally: unknown ally 'XXX'"),
    ("share_pct", "-1", "nato_cost_shares.csv:2: share_pct: '-1' is not a percentage "
                        "between 0 and 100"),
    ("source_id", "NOWHERE", "nato_cost_shares.csv:2: source_id: 'NOWHERE' is not in "
                             "sources.csv"),
    ("status", "guessed", "nato_cost_shares.csv:2: status: 'guessed'; this file holds "
                          "published shares only (status=published)"),
])
def test_a_broken_row_names_file_row_and_field(data_copy, column, value, expected):
    shares = pd.read_csv(data_copy / "nato_cost_shares.csv", dtype=str)
    shares.loc[0, column] = value
    shares.to_csv(data_copy / "nato_cost_shares.csv", index=False)
    with pytest.raises(DataError) as error:
        tables(data_copy)
    assert str(error.value) == expected


def test_the_results_say_where_every_key_share_comes_from():
    import burden_sim
    from burden_sim.present.tables import key_shares

    ds = burden_sim.simulate(DATA_DIR.parents[2] / "scenarios" / "common_fund.yaml")
    table = key_shares(ds)
    assert table.loc[("USA", 2017)].tolist() == [pytest.approx(22.144), "published",
                                                 "NCS_CNS_2017;NCS_NPK_2017;NCS_EUROPAPRESS_2017"]
    assert table.loc[("POL", 2022), "status"] == "reconstructed"
    assert ("FIN", 2022) not in table.index and ("FIN", 2023) in table.index
    assert table.groupby(level="year")["share_pct"].sum().round(9).eq(100).all()


def test_a_missing_column_is_one_line(data_copy):
    shares = pd.read_csv(data_copy / "nato_cost_shares.csv", dtype=str)
    shares.drop(columns="status").to_csv(data_copy / "nato_cost_shares.csv", index=False)
    with pytest.raises(DataError) as error:
        tables(data_copy)
    # a copy of the data is the user's: named by its path, not by the shipped file's name
    assert str(error.value) == f"{data_copy / 'nato_cost_shares.csv'}: missing column(s): status"
