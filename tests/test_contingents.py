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


def contingents() -> pd.DataFrame:
    rows = [{"mission": m["id"], "ally": c["ally"], "start": c["start"], "end": c["end"],
             "troops": float(c["troops"]), "months": float(c.get("months", 12))}
            for m in yaml.safe_load(MISSIONS.read_text())["missions"] if m["id"].startswith("efp_")
            for c in m["contributions"] if c.get("troops", 0) > 0]
    return pd.DataFrame(rows)


def person_years(ally: str, mission: str, year: int) -> float:
    c = contingents()
    c = c[(c.ally == ally) & (c.mission == mission) & (c.start <= year) & (c.end >= year)]
    return float((c.troops * c.months / 12).sum())


def test_every_contingent_row_is_in_the_check_record():
    checks = pd.read_csv(CHECKS, keep_default_na=False)
    key = ["mission", "ally", "start", "end", "troops", "months"]
    shipped = contingents()[key].astype(str)
    recorded = checks[key].astype({"troops": float, "months": float}).astype(str)
    assert sorted(map(tuple, shipped.values)) == sorted(map(tuple, recorded.values))


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
