"""Results as a labelled xarray Dataset: every variable with its dimensions, units and meaning."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import xarray as xr  # imported where a Dataset is built: loading a scenario needs none

    from .calculator import Calculator

USD = "USD (current prices)"
SAY, SY, AY = ("sample", "ally", "year"), ("sample", "year"), ("ally", "year")

# name: (dims, units, description)
VARIABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "gross": (SAY, USD, "gross cost of the missions to the ally"),
    "reimbursed": (SAY, USD, "paid to the ally by the fund"),
    "contributed": (SAY, USD, "paid by the ally into the fund"),
    "net": (SAY, USD, "net cost: gross - reimbursed + contributed"),
    "net_pct_gdp": (SAY, "% of GDP", "net cost as a share of GDP"),
    "defence_pct_gdp_after": (SAY, "% of GDP", "reported defence spending after the policy"),
    "fair_share": (SAY, "1", "share of the alliance's net bill / share of the allies' GDP"),
    "marginal_cost": (SAY, "1", "cost to the ally of one more unit of eligible cost"),
    "allies_at_2pct": (SY, "allies", "members at or above 2 % of GDP after the policy"),
    "allies_at_3_5pct": (SY, "allies", "members at or above 3.5 % of GDP after the policy"),
    "gini_net_pct_gdp": (SY, "1", "Gini coefficient of net cost as % of GDP across members"),
    "spearman_rho": (SY, "1", "Spearman rank correlation of GDP with defence % of GDP after"),
    "spearman_p": (SY, "1", "two-sided p-value of spearman_rho"),
    "kendall_tau": (SY, "1", "Kendall tau-b of GDP with defence % of GDP after"),
    "kendall_p": (SY, "1", "two-sided asymptotic p-value of kendall_tau"),
    "gross_by_mission": (("ally", "mission", "year"), USD, "gross cost at central unit costs"),
    "gdp": (AY, USD, "gross domestic product"),
    "defence_pct_gdp": (AY, "% of GDP", "defence spending before the policy (NATO)"),
    "key_share": (AY, "1", "funding key: share of the fund each ally finances"),
    "key_status": (AY, "text", "where the key share comes from: published (NATO's table, as "
                   "found in a source), reconstructed (the period's rule) or computed"),
    "key_source": (AY, "text", "source ids of a published share, or the rule, period and GDP "
                   "year that reconstructed it"),
    "member": (AY, "1", "NATO member in the year (true or false)"),
}


# From the deployment engine only (scenarios with a deployment: block).
ENGINE_VARIABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "deployments": (AY, "deployments", "detachments, contingents and ships the ally sent "
                    "(counted in the year they started)"),
    "distinct_contributors": (("mission", "year"), "allies", "allies that sent forces to the "
                              "mission (rotations starting in the year)"),
    "unfilled_slots": (("mission", "year"), "slots", "slots of rotations starting in the year "
                       "that no ally could fill (gaps)"),
    "unfilled_rotations": (("mission", "year"), "rotations", "rotations starting in the year "
                           "with at least one unfilled slot"),
    "cost_level": (("ally", "category"), "1", "national cost level on the ally's activity of "
                   "each category, the same every year (1 where not levelled): gross = sum over "
                   "mission and category of activity x cost_level x unit price x fx (USD per "
                   "unit of the price's currency, the year's rate)"),
}


# A comparison's per-scenario settings, along `scenario`: CF attributes.
BY_SCENARIO: dict[str, dict[str, str]] = {
    "rule": {"units": "1", "long_name": "cost-sharing rule"},
    "fraction": {"units": "1", "long_name": "fraction of eligible costs the fund repays"},
    "funding_key": {"units": "1", "long_name": "funding key"},
    "funding_key_method": {"units": "1", "long_name": "how the funding key is computed"},
    "accounting": {"units": "1", "long_name": "how a repayment counts in defence spending"},
    "edition": {"units": "1", "long_name": "defence-expenditure data edition"},
    "samples": {"units": "1", "long_name": "Monte Carlo samples of the unit costs (0: the "
                "central prices)"},
}


# Coordinates: CF attributes (labels are dimensionless: units "1").
COORDINATES: dict[str, dict[str, str]] = {
    "ally": {"units": "1", "long_name": "ally (ISO 3166-1 alpha-3 code)"},
    "mission": {"units": "1", "long_name": "mission (identifier)"},
    "year": {"units": "1", "long_name": "calendar year"},
    "sample": {"units": "1", "long_name": "Monte Carlo draw or sweep point"},
    "category": {"units": "1", "long_name": "activity category"},
    "unit": {"units": "1", "long_name": "unit of each activity category"},
    "scenario": {"units": "1", "long_name": "scenario (the first is the reference of changes)"},
    "draw": {"units": "1", "long_name": "draw of the unit costs from their sourced ranges"},
}


def label(ds: xr.Dataset) -> xr.Dataset:
    """Give every coordinate its CF units and long_name (in place; returned for chaining)."""
    for name, attrs in COORDINATES.items():
        if name in ds.coords:
            ds[name].attrs = {**attrs, **ds[name].attrs}
    if "activity" in ds and "units" not in ds["activity"].attrs:
        ds["activity"].attrs["units"] = "per category: see the coordinate unit"
        ds["activity"].attrs["long_name"] = (
            "activity the engine counted, before the national cost level (see cost_level)")
    return ds


def build_dataset(*, scenario: str, allies: tuple[str, ...], missions: list[str],
                  years: list[int], arrays: dict[str, np.ndarray], with_samples: bool,
                  attrs: dict[str, str | float | int]) -> xr.Dataset:
    """Label the core's arrays; the sample axis is dropped when there are no samples."""
    engine = arrays.keys() - VARIABLES.keys()
    assert arrays.keys() >= VARIABLES.keys() and engine <= ENGINE_VARIABLES.keys() | {"activity"}
    data_vars = {
        name: (dims, arrays[name], {"units": units, "long_name": text})
        for name, (dims, units, text) in (VARIABLES | ENGINE_VARIABLES).items() if name in arrays
    }
    if "activity" in arrays:
        data_vars["activity"] = arrays["activity"]
    n_samples = arrays["net"].shape[0]
    import xarray as xr

    ds = xr.Dataset(
        data_vars,
        coords={"ally": list(allies), "mission": missions, "year": years,
                "sample": np.arange(n_samples)},
        attrs={"scenario": scenario, **attrs},
    )
    return label(ds if with_samples else ds.isel(sample=0, drop=True))


def with_change(run: xr.Dataset, paired: xr.Dataset) -> xr.Dataset:
    """A run with its change against the deploying nation paying, ``net_change`` and
    ``net_change_pct_gdp``, taken from ``paired`` (the run beside that reference, as
    ``api.against_status_quo`` gives it: an elastic engine re-deploys under the reference)."""
    out = run.copy()
    for name in ("net_change", "net_change_pct_gdp"):
        out[name] = paired[name].isel(scenario=-1, drop=True)
        out[name].attrs = dict(paired[name].attrs)
        if paired.sizes["scenario"] == 1:  # the run is the deploying nation paying itself
            out[name].attrs["long_name"] = ("net cost minus the deploying nation paying: 0, "
                                            "the scenario's rule")
    return out


def scenario_dataset(model: Calculator) -> xr.Dataset:
    """A prepared scenario's run, labelled, with its settings as attributes."""
    scenario = model.scenario
    policy, rule = scenario.policy, model.terms
    return build_dataset(
        scenario=scenario.name, allies=model.baseline.allies,
        missions=model.missions, years=model.years, arrays=model.run(),
        with_samples=scenario.samples > 0,
        attrs={
            "edition": model.baseline.edition,
            "rule": policy.rule,
            "fraction": rule.fraction,
            "funding_key": policy.key.name,
            "funding_key_method": model.key.method,
            "funding_key_excluded": ", ".join(model.key.excluded) or "none",
            "annual_cap_usd": -1.0 if policy.annual_cap_usd is None else policy.annual_cap_usd,
            "accounting": policy.accounting,
            "projected_from": model.baseline.gdp_last_year + 1 if scenario.projection else 0,
            "samples": scenario.samples,
            "seed": scenario.seed,
        },
    )
