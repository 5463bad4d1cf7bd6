"""Several prepared scenarios over the same years, side by side: a ``scenario`` dimension,
each one's change against the first, and the bands' draws of the unit costs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import BurdenSimError
from ..model.calculator import Calculator
from ..model.results import BY_SCENARIO, USD, label, scenario_dataset
from .uncertainty import SEED, unit_cost_draws

if TYPE_CHECKING:
    import xarray as xr


def combine(models: list[Calculator], draws: int = 0) -> xr.Dataset:
    """The comparison of prepared scenarios (``api.compare``): ``net_change`` against the
    first; with ``draws``, each one's net, reimbursed and net_change at those draws."""
    runs = [scenario_dataset(m) for m in models]
    names = [ds.attrs["scenario"] for ds in runs]
    for setting in ("samples", "seed"):  # the seed matters only with samples
        values = {m.scenario.name: getattr(m.scenario, setting) for m in models}
        if len(set(values.values())) > 1 and (setting == "samples" or
                                               models[0].scenario.samples):
            raise BurdenSimError(
                f"scenarios draw with different {setting} (" + ", ".join(
                    f"{n} {v}" for n, v in values.items()) + f"): set the same {setting}: in "
                "each" + (", or none" if setting == "samples" else "") + ", so that a change "
                "is taken sample by sample, at the same prices")
    if len(set(names)) != len(names):
        raise BurdenSimError(f"two scenarios share a name ({', '.join(names)}): names label "
                             "the comparison")
    spans = {(int(ds.year[0]), int(ds.year[-1])) for ds in runs}
    if len(spans) > 1:
        raise BurdenSimError("scenarios cover different years: "
                             + ", ".join(f"{n} {int(d.year[0])}-{int(d.year[-1])}"
                                         for n, d in zip(names, runs, strict=True)))
    # every scenario's missions: one a scenario does not deploy costs it nothing there (its
    # per-mission results are 0), so each scenario's gross_by_mission still sums to its gross
    every = list(dict.fromkeys(m for ds in runs for m in ds.mission.values.tolist()))
    per_run = [ds.reindex(mission=every, fill_value=0.0).drop_attrs(deep=False) for ds in runs]
    import xarray as xr

    combined = xr.concat(per_run, dim=pd.Index(names, name="scenario"),
                         data_vars="all", coords="minimal", compat="override",
                         combine_attrs="override")
    first = f"{names[0]}'s"
    combined["net_change"] = combined["net"] - combined["net"].isel(scenario=0)
    combined["net_change"].attrs = {"units": USD, "long_name": f"net cost minus {first}"}
    combined["net_change_pct_gdp"] = 100 * combined["net_change"] / combined["gdp"]
    combined["net_change_pct_gdp"].attrs = {"units": "% of GDP",
                                            "long_name": f"net cost minus {first}, as a share "
                                            "of GDP"}
    reference = set(runs[0].mission.values.tolist())
    combined.attrs = {"baseline_scenario": names[0], "scenarios": ", ".join(names),
                      "missions_differ": ", ".join(
                          n for n, ds in zip(names, runs, strict=True)
                          if set(ds.mission.values.tolist()) != reference)}
    for key in BY_SCENARIO:
        values = [ds.attrs[key] for ds in runs]
        combined[f"{key}_by_scenario"] = ("scenario", values if key in ("fraction", "samples")
                                          else [str(v) for v in values], BY_SCENARIO[key])
    if draws:
        sampled = models[0].scenario.samples
        if sampled:  # the band is over the draws the central values are the mean of
            combined = combined.assign(_draws(models, sampled, models[0].scenario.seed))
        else:
            combined = combined.assign(_draws(models, draws))
        combined.attrs["band_over_samples"] = int(bool(sampled))
    return label(combined)


def _draws(models: list[Calculator], draws: int, seed: int = SEED) -> dict[str, xr.DataArray]:
    """net, reimbursed and net_change at draws of the unit costs, [scenario, draw, ally, year]
    (the scenarios' own draws, given their samples and seed)."""
    import xarray as xr

    names = [m.scenario.name for m in models]
    results = [unit_cost_draws(m, draws, seed) for m in models]
    coords = {"scenario": names, "draw": np.arange(draws), "ally": list(models[0].baseline.allies),
              "year": models[0].years}
    dims = ("scenario", "draw", "ally", "year")
    note = "at draws of the unit costs from their sourced ranges (PERT)"
    net = np.stack([r["net"] for r in results])
    out = {
        "net_draws": xr.DataArray(net, coords, dims, attrs={
            "units": USD, "long_name": f"net cost {note}"}),
        "reimbursed_draws": xr.DataArray(np.stack([r["reimbursed"] for r in results]), coords,
                                         dims, attrs={"units": USD,
                                                      "long_name": f"paid by the fund {note}"}),
        "net_change_draws": xr.DataArray(net - net[:1], coords, dims, attrs={
            "units": USD, "long_name": f"net cost minus {names[0]}'s {note}"}),
    }
    return out
