"""The explorer page: self-contained, small, and, moved in a real browser, equal to Python."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from burden_sim import api
from burden_sim.errors import BurdenSimError
from burden_sim.inputs.rules import terms
from burden_sim.inputs.schema import FundingKey
from burden_sim.model.calculator import Calculator
from burden_sim.model.keys import KEY_METHODS, funding_key
from burden_sim.present import explorer

ROOT = Path(__file__).resolve().parents[1]
# every shipped scenario over 2017-2024, the status quo first (the page opens on the next)
NAMES = ("deploying_nation_pays", "common_fund", "fund_enablers_only", "fund_capped",
         "engine_history", "engine_open_common_fund", "proposal_2021", "engine_open_status_quo",
         "fund_gdp_key", "fund_sensitivity")
OTHER_YEARS = ("hague_trajectory", "engine_brigade_lithuania")
SCENARIOS = [ROOT / "scenarios" / f"{n}.yaml" for n in NAMES]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("explorer") / "explorer.html"
    out.write_text(explorer.build(SCENARIOS), encoding="utf-8")
    return out


def embedded(page: Path) -> dict:
    text = re.search(r'id="explorer-data">(.*?)</script>', page.read_text(), re.S).group(1)
    return json.loads(text)


def test_shipped_scenarios_are_all_covered():
    assert sorted((*NAMES, *OTHER_YEARS)) == sorted(p.stem for p in
                                                   (ROOT / "scenarios").glob("*.yaml"))


def test_page_is_self_contained_and_small(page):
    text = page.read_text()
    assert len(text.encode()) < 2_000_000  # every shipped scenario over 2017-2024
    assert "<link" not in text and "@import" not in text and "src=" not in text
    assert not re.search(r"fetch\(|XMLHttpRequest|import\(", text)
    data = embedded(page)
    assert [s["name"] for s in data["scenarios"]] == list(NAMES)
    assert data["years"] == list(range(2017, 2025))
    # every key the model lists is offered, for every scenario
    listed = [k for k in KEY_METHODS if k != "custom"]
    assert all([k["id"] for k in s["keys"]] == listed for s in data["scenarios"])
    # scenarios on the same missions file share one coefficient array
    gross = {s["name"]: s["gross"] for s in data["scenarios"]}
    assert gross["common_fund"] == gross["fund_capped"] == gross["deploying_nation_pays"]
    # the enablers-only fund covers its two categories, by a mask on the gross coefficients
    enablers = data["scenarios"][2]
    cats = [c["name"] for c in enablers["categories"]]
    assert enablers["eligible"] is None
    assert [cats[i] for i, m in enumerate(enablers["eligible_mask"]) if m] == [
        "host_support", "person_move"]
    # each slider spans the sourced range, and names its sources
    person_year = data["scenarios"][1]["categories"][cats.index("person_year")]
    assert (person_year["low"], person_year["central"], person_year["high"]) == (
        38386, 132540, 200000)  # the central value calibrated (docs/calibration.md)
    assert "UC_CZ_EFP_2018" in person_year["sources"] and "UC_CZ_EFP_2018" in data["sources"]
    assert person_year["note"].startswith("Incremental cost of one person deployed")
    nl = data["sources"]["CAL_NL_ROU_2022"]  # sources.csv's record, as the page shows it
    assert nl["url"].startswith("https://") and nl["title"] and nl["date"].startswith("2022")


def test_coefficients_times_prices_give_gross_cost():
    scenario, baseline = api.load(SCENARIOS[1])
    p = Calculator.build(scenario, baseline)
    store = explorer._Arrays()
    sc = explorer.scenario_data(p, store)
    coeff = np.array(store.arrays[sc["gross"]], dtype=float).reshape(len(p.categories), 32, -1)
    gross = p.evaluate(p.prices.central[None], np.ones(len(p.years)), None)["gross"][0]
    np.testing.assert_allclose(np.einsum("c,cay->ay", p.prices.central, coeff), gross,
                               rtol=1e-12)


@pytest.mark.parametrize("name", OTHER_YEARS)
def test_other_shipped_scenarios_are_small_and_offer_every_key(name, tmp_path):
    out = tmp_path / "explorer.html"
    out.write_text(explorer.build([ROOT / "scenarios" / f"{name}.yaml"]), encoding="utf-8")
    assert out.stat().st_size < 2_000_000
    keys = embedded(out)["scenarios"][0]["keys"]
    assert [k["id"] for k in keys] == [k for k in KEY_METHODS if k != "custom"]
    # past the data the keys of today compute (a projection holds population and the UN
    # scale); a key that cannot is listed, disabled, with its reason
    available = {k["id"] for k in keys if "shares" in k}
    assert {"nato_derived", "gdp", "population", "un_regular", "equal"} <= available
    assert all("shares" in k or k["unavailable"] for k in keys)


def test_the_command_writes_the_page(tmp_path):
    from typer.testing import CliRunner

    from burden_sim.cli import app

    out = tmp_path / "explorer.html"
    result = CliRunner().invoke(app, ["explore", str(SCENARIOS[1]), str(SCENARIOS[3]),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {out} (") and "kB" in result.output
    assert [s["name"] for s in embedded(out)["scenarios"]] == ["common_fund", "fund_capped"]
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left


def test_scenarios_over_different_years_are_refused():
    with pytest.raises(BurdenSimError, match="scenarios cover different years: common_fund "
                       "2017-2024, hague_trajectory 2024-2035"):
        explorer.build([SCENARIOS[1], ROOT / "scenarios" / "hague_trajectory.yaml"])
    with pytest.raises(BurdenSimError, match="two scenarios share a name"):
        explorer.build([SCENARIOS[1], SCENARIOS[1]])


# ---- in a browser ----

load = functools.cache(api.load)


def reference(path: Path, fraction: float, cap: float | None, prices: dict[str, float],
              key: str | None, years: tuple[int, int], accounting: str,
              beta: float | None = None) -> dict:
    """What burden_sim computes for the same settings (the policy changed in the scenario;
    ``key`` None: the scenario's own; ``beta`` None: the scenario's cost level)."""
    scenario, baseline = load(path)
    if beta is not None:
        scenario = scenario.model_copy(update={
            "cost_level": scenario.cost_level.model_copy(update={"beta": beta})})
    policy = scenario.policy.model_copy(update={
        "rule": "common_fund", "fraction": fraction, "annual_cap_usd": cap,
        "key": scenario.policy.key if key is None else FundingKey(name=key),
        "accounting": accounting,
        "phase_in": scenario.policy.phase_in if scenario.policy.rule == "common_fund" else None})
    variant = scenario.model_copy(update={"policy": policy})
    if scenario.deployment is not None and scenario.deployment.elasticity > 0:
        # who volunteers stays as simulated under the scenario's own policy (as on the page)
        own = Calculator.build(scenario, baseline)
        p = dataclasses.replace(own, scenario=variant, terms=terms(policy, own.years),
                                key=funding_key(own.baseline, policy.key, own.years))
    else:
        p = Calculator.build(variant, baseline)
    unit = np.array([prices.get(c, p.prices.central[i]) for i, c in enumerate(p.categories)])
    f = p.terms.fraction_by_year()
    counts = ("allies_at_2pct", "allies_at_3_5pct")
    out = p.evaluate(unit[None], f, cap, wanted=counts)
    status_quo = policy.model_copy(update={"rule": "deploying_nation_pays"})
    before = dataclasses.replace(p, terms=terms(status_quo, p.years)).evaluate(
        unit[None], f, cap, wanted=counts)
    keep = [i for i, y in enumerate(p.years) if years[0] <= y <= years[1]]
    per_ally = {name: out[name][0][:, keep].sum(axis=1)
                for name in ("gross", "reimbursed", "contributed", "net")}
    per_ally["change"] = (out["net"][0] - before["net"][0])[:, keep].sum(axis=1)
    return {"allies": baseline.allies, "per_ally": per_ally,
            "paid": out["reimbursed"][0][:, keep].sum(axis=0),
            "at2": out["allies_at_2pct"][0][keep], "at35": out["allies_at_3_5pct"][0][keep],
            "years": [p.years[i] for i in keep]}


def relative(page_value: float, python_value: np.ndarray) -> float:
    """Relative difference; below one US dollar, the absolute one (in dollars)."""
    return float(abs(page_value - python_value) / max(abs(float(python_value)), 1.0))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        webdriver = None
    if CHROMIUM is None or CHROMEDRIVER is None or webdriver is None:
        missing = "Chromium" if CHROMIUM is None else (
            "chromedriver" if CHROMEDRIVER is None else "selenium")
        if os.environ.get("CI"):
            pytest.fail(f"{missing} is required in CI: .ci/run installs Debian's chromium and "
                        "chromium-driver, the test extra selenium")
        pytest.skip(f"no {missing} here (Debian: apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--window-size=1400,1800",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    yield driver
    driver.quit()


class Page:
    """The controls as an analyst moves them: typing into boxes, arrow keys, drop-downs."""

    def __init__(self, driver, url: str):
        from selenium.webdriver.common.by import By

        self.driver, self.by = driver, By
        driver.get(url)
        assert driver.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1"

    def element(self, ident: str):
        return self.driver.find_element(self.by.ID, ident)

    def choose(self, ident: str, text: str) -> None:
        from selenium.webdriver.support.ui import Select

        Select(self.element(ident)).select_by_visible_text(text)

    def type(self, ident: str, value: float) -> None:
        box = self.element(ident)
        box.clear()
        box.send_keys(str(value))

    def arrows(self, ident: str, times: int) -> float:
        """Click the slider, Home to its start, then the right arrow ``times`` times."""
        from selenium.webdriver.common.keys import Keys

        slider = self.element(ident)
        slider.click()
        slider.send_keys(Keys.HOME + Keys.ARROW_RIGHT * times)
        return float(slider.get_attribute("value"))

    def cap(self, musd: float | None) -> None:
        box = self.element("cap-on")
        if box.is_selected() != (musd is not None):
            box.click()
        if musd is not None:
            self.type("cap-value", musd)

    def numbers(self) -> dict:
        return self.driver.execute_script(
            "const rows = s => Array.from(document.querySelectorAll(s)).map(r => "
            "Object.assign({}, r.dataset));"
            "return {allies: rows('#allies tbody tr'), years: rows('#years tbody tr'),"
            " fund: document.getElementById('fund-total').dataset.value,"
            " at2: document.getElementById('at2-after').dataset.value};")


def compare(shown: dict, expected: dict) -> float:
    """The largest relative difference between the page and Python; counts must be equal."""
    worst = 0.0
    index = {a: i for i, a in enumerate(expected["allies"])}
    assert sorted(r["ally"] for r in shown["allies"]) == sorted(expected["allies"])
    for row in shown["allies"]:
        for name, values in expected["per_ally"].items():
            worst = max(worst, relative(float(row[name]), values[index[row["ally"]]]))
    assert [int(r["year"]) for r in shown["years"]] == expected["years"]
    for row, paid, at2, at35 in zip(shown["years"], expected["paid"], expected["at2"],
                                    expected["at35"], strict=True):
        worst = max(worst, relative(float(row["paid"]), paid))
        assert (int(row["at2After"]), int(row["at35After"])) == (int(at2), int(at35))
    worst = max(worst, relative(float(shown["fund"]), expected["paid"].sum()))
    assert int(shown["at2"]) == int(expected["at2"][-1])
    return worst


def test_page_in_chromium_equals_python(page, browser):
    ui = Page(browser, page.as_uri())
    assert ui.element("scenario").get_attribute("value") == "1"  # opens on the first fund
    worst = {}
    lowers, frees = "reimbursement_lowers_spending", "reimbursement_frees_budget"
    full = (2017, 2024)

    # 1. the common fund as shipped: full repayment, no cap, its own key
    worst["common_fund"] = compare(ui.numbers(), reference(
        SCENARIOS[1], 1.0, None, {}, None, full, lowers))

    # 2. a third repaid (typed), a binding cap, the GDP key, 2019-2023
    ui.type("fraction-value", 35)
    ui.cap(150)
    ui.choose("key", "gdp")
    ui.choose("year-from", "2019")
    ui.choose("year-to", "2023")
    shown = ui.numbers()
    assert any(float(r["scale"]) < 1 for r in shown["years"])  # the cap binds
    worst["common_fund, f 0.35, cap 150, gdp"] = compare(shown, reference(
        SCENARIOS[1], 0.35, 150e6, {}, "gdp", (2019, 2023), lowers))

    # 2b. the same with every ally priced alike (beta 0), then at half the level
    for beta in (0.0, 0.5):
        ui.type("beta-value", beta)
        worst[f"common_fund, f 0.35, cap 150, gdp, beta {beta}"] = compare(
            ui.numbers(), reference(SCENARIOS[1], 0.35, 150e6, {}, "gdp", (2019, 2023),
                                    lowers, beta=beta))

    # 3. the capped fund: its cap binds from 2022; a costlier person-year; then a loose cap
    ui.choose("scenario", "fund_capped")
    ui.choose("year-from", "2017")
    ui.choose("year-to", "2024")
    ui.type("price-person_year-value", 120000)
    shown = ui.numbers()
    assert sum(float(r["scale"]) < 1 for r in shown["years"]) >= 3
    worst["fund_capped, person_year 120000"] = compare(shown, reference(
        SCENARIOS[3], 1.0, 300e6, {"person_year": 120000}, None, full, lowers))
    ui.cap(5000)
    shown = ui.numbers()
    assert all(float(r["scale"]) == 1 for r in shown["years"])  # the cap does not bind
    worst["fund_capped, cap 5000"] = compare(shown, reference(
        SCENARIOS[3], 1.0, 5000e6, {"person_year": 120000}, None, full, lowers))

    # 4. enablers only, by population, a dearer person-move, repayments free budget
    ui.choose("scenario", "fund_enablers_only")
    ui.choose("key", "population")
    ui.type("price-person_move-value", 2500)
    ui.choose("accounting", "frees budget for other defence (D + Q)")
    worst["fund_enablers_only, population"] = compare(ui.numbers(), reference(
        SCENARIOS[2], 1.0, None, {"person_move": 2500}, "population", full, frees))

    # 5. from the deploying nation paying: the slider moved by keyboard, the UN scale, 2022-24
    ui.choose("scenario", "deploying_nation_pays")
    percent = ui.arrows("fraction", 60)
    ui.choose("key", "un_regular")
    ui.choose("year-from", "2022")
    shown = ui.numbers()
    assert percent == 60 and float(shown["fund"]) > 0
    worst["deploying_nation_pays, slider 60 %, un_regular"] = compare(shown, reference(
        SCENARIOS[0], percent / 100, None, {}, "un_regular", (2022, 2024), lowers))
    ui.choose("year-from", "2024")
    worst["deploying_nation_pays, 2024 only"] = compare(ui.numbers(), reference(
        SCENARIOS[0], percent / 100, None, {}, "un_regular", (2024, 2024), lowers))

    # 6. the deployment engine's record: half repaid, equal shares, dearer F-16 hours
    ui.choose("scenario", "engine_history")
    ui.choose("year-from", "2017")
    ui.type("fraction-value", 50)
    ui.choose("key", "equal")
    ui.type("price-flight_hour_f16-value", 20000)
    worst["engine_history, f 0.5, equal"] = compare(ui.numbers(), reference(
        SCENARIOS[4], 0.5, None, {"flight_hour_f16": 20000}, "equal", full, lowers))

    # 7. volunteering held as simulated: GDP key, binding cap
    ui.choose("scenario", "engine_open_common_fund")
    ui.choose("key", "gdp")
    ui.cap(400)
    worst["engine_open_common_fund, cap 400, gdp"] = compare(ui.numbers(), reference(
        SCENARIOS[5], 1.0, 400e6, {}, "gdp", full, lowers))

    # 8. the 2021 proposal: phased in from 2022, its cap; 80 % repaid, a dearer fighter-month
    ui.choose("scenario", "proposal_2021")
    ui.type("fraction-value", 80)
    ui.type("price-aircraft_month-value", 113000)
    shown = ui.numbers()
    assert [float(r["paid"]) == 0 for r in shown["years"]] == [True] * 5 + [False] * 3
    worst["proposal_2021, f 0.8 from 2022, cap 300"] = compare(shown, reference(
        SCENARIOS[6], 0.8, 300e6, {"aircraft_month": 113000}, None, full, lowers))

    Path(os.environ.get("EXPLORER_REPORT", os.devnull)).write_text(json.dumps(worst, indent=1))
    assert max(worst.values()) <= TOLERANCE, worst


def test_projected_years_in_chromium_equal_python(browser, tmp_path):
    # Past the data (GDP grown, spending on its way to 3.5 %), with the UN scale held.
    hague = ROOT / "scenarios" / "hague_trajectory.yaml"
    out = tmp_path / "hague.html"
    out.write_text(explorer.build([hague]), encoding="utf-8")
    ui = Page(browser, out.as_uri())
    ui.type("fraction-value", 70)
    ui.choose("key", "un_regular")
    ui.choose("accounting", "frees budget for other defence (D + Q)")
    ui.choose("year-from", "2030")
    shown = ui.numbers()
    assert [int(r["at35After"]) for r in shown["years"]][-1] > 20  # the target reached
    worst = compare(shown, reference(hague, 0.7, None, {}, "un_regular", (2030, 2035),
                                     "reimbursement_frees_budget"))
    assert worst <= TOLERANCE
