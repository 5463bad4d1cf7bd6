"""The battlegroup contingents of the shipped missions: the corrections of issue 12 and the record
of which rows were checked against a second source (docs/contingent_checks.csv)."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
MISSIONS = ROOT / "scenarios" / "missions" / "eastern_flank_2017_2024.yaml"
CHECKS = ROOT / "docs" / "contingent_checks.csv"
VERDICTS = {"agrees", "close", "disagrees", "derived", "no second source"}


def contingents(costed: bool = True) -> pd.DataFrame:
    """The battlegroup rows with troops, or (costed=False) also those present but not costed."""
    rows = [{"mission": m["id"], "ally": c["ally"], "start": c["start"], "end": c["end"],
             "troops": float(c["troops"]), "months": float(c.get("months", 12))}
            for m in yaml.safe_load(MISSIONS.read_text())["missions"] if m["id"].startswith("efp_")
            for c in m["contributions"] if "troops" in c and (c["troops"] > 0 or not costed)]
    return pd.DataFrame(rows)


def person_years(ally: str, mission: str, year: int) -> float:
    c = contingents()
    c = c[(c.ally == ally) & (c.mission == mission) & (c.start <= year) & (c.end >= year)]
    return float((c.troops * c.months / 12).sum())


def test_every_contingent_row_is_in_the_check_record():
    """Every row with troops, once; a row present but not costed (0 troops) may be recorded
    where a second source gave a size, and must then be a shipped row."""
    checks = pd.read_csv(CHECKS, keep_default_na=False)
    key = ["mission", "ally", "start", "end", "troops", "months"]
    recorded = checks[key].astype({"troops": float, "months": float})
    costed = recorded[recorded.troops > 0].astype(str)
    shipped = contingents()[key].astype(str)
    assert sorted(map(tuple, shipped.values)) == sorted(map(tuple, costed.values))
    uncosted = set(map(tuple, recorded[recorded.troops == 0].astype(str).values))
    present = set(map(tuple, contingents(costed=False)[key].astype(str).values))
    assert uncosted and uncosted <= present


def test_data_md_counts_the_check_record():
    """docs/data.md's summary of the record: the rows with troops and each verdict's count."""
    checks = pd.read_csv(CHECKS, keep_default_na=False)
    costed = checks[checks.troops.astype(float) > 0]
    counts = costed.verdict.value_counts()
    text = " ".join((ROOT / "docs" / "data.md").read_text().split())
    assert f"shipped missions ({len(costed)} rows with troops)" in text
    assert (f"({counts['agrees']} agree, {counts['close']} are close, {counts['disagrees']} "
            f"disagree and are kept with the reason, {counts['derived']} are remainders of "
            f"NATO's totals, {counts['no second source']} have no second source)") in text


def test_the_check_record_cites_known_sources():
    checks = pd.read_csv(CHECKS, keep_default_na=False)
    known = set(pd.read_csv(ROOT / "src" / "burden_sim" / "data" / "sources.csv")["source_id"])
    assert set(checks.verdict) <= VERDICTS
    compared = checks[checks.verdict.isin({"agrees", "close", "disagrees"})]
    assert (compared.second_source != "").all() and (compared.second_value != "").all()
    assert set(checks.second_source[checks.second_source != ""]) <= known
    assert (checks.second_source != "").sum() >= 40


@pytest.mark.parametrize(("year", "expected"), [
    (2017, 455), (2018, 455), (2019, 455 * 3 / 12 + 540 * 9 / 12), (2020, 540), (2021, 540)])
def test_canada_had_455_in_latvia_until_april_2019_then_540(year, expected):
    """Ottawa Citizen 2018 (CORR_CA_LVA_455_540): 'from 455 to 540' with the April 2019 renewal."""
    assert person_years("CAN", "efp_latvia", year) == pytest.approx(expected)


def test_the_uk_doubled_in_estonia_in_2022_then_reduced():
    """The Times, April 2022: 1,650 British soldiers in Estonia (900 of the standing group and a
    second battlegroup from mid-February to mid-December); about 1,000 afterwards."""
    assert person_years("GBR", "efp_estonia", 2021) == 800
    assert person_years("GBR", "efp_estonia", 2022) == pytest.approx(900 + 750 * 10 / 12)
    assert person_years("GBR", "efp_estonia", 2023) == person_years("GBR", "efp_estonia", 2024)
    assert person_years("GBR", "efp_estonia", 2024) == 1000


@pytest.mark.parametrize(("ally", "year", "expected"), [
    ("POL", 2017, 170), ("POL", 2018, 170), ("POL", 2019, 200),  # CAL_PL_LVA_ROT2: 170, then
    ("ESP", 2019, 300), ("ESP", 2020, 350), ("ESP", 2021, 350),  # CHK_ES_EFP_MONCLOA_2022
    ("ITA", 2020, 160), ("ITA", 2021, 160 * 5.5 / 12 + 238 * 6.5 / 12), ("ITA", 2022, 250),
    ("ITA", 2023, 300), ("ITA", 2024, 300),
    ("CAN", 2022, 644)])
def test_the_latvia_contingents_of_the_second_source_check(ally, year, expected):
    """Poland's first rotations counted 170 (200 is the mandate's ceiling); Spain had 350 before
    March 2022; Italy 238 from the mid-June 2021 rotation (counted in February 2022 in the one
    of the same size that relieved it), 250 in February 2022 (the defence minister) and about
    300 in December 2023 and 2024; Canada's 2022 row is what remains of NATO's 1,887 (M_X01)
    after the others."""
    assert person_years(ally, "efp_latvia", year) == pytest.approx(expected)


def test_the_latvia_group_on_natos_date_adds_up_to_natos_count():
    c = contingents()
    group = c[(c.mission == "efp_latvia") & (c.start <= 2022) & (c.end >= 2022)]
    assert float((group.troops * group.months / 12).sum()) == 1887
