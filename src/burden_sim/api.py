"""The public API, for notebooks and the command line: load a scenario, simulate it, compare
scenarios, sweep parameters. Results are labelled xarray Datasets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .engine.schedule import ScheduleCache
from .errors import BurdenSimError
from .inputs.baseline import DEFAULT_EDITION, Baseline, load_baseline
from .inputs.loading import load_scenario
from .inputs.schema import Scenario, Uncertain
from .model.calculator import Calculator
from .model.results import build_dataset
from .validate import check_scenario


def load(path: str | Path, schedules: ScheduleCache | None = None
         ) -> tuple[Scenario, Baseline]:
    """Parse a scenario file and check it against the edition it names."""
    scenario, origin = load_scenario(path)
    try:
        baseline = load_baseline(scenario.edition or DEFAULT_EDITION)
    except BurdenSimError as exc:
        raise origin.error(("edition",), str(exc)) from None
    check_scenario(scenario, baseline, origin, schedules)
    return scenario, baseline


def _checked(scenario: str | Path | Scenario, schedules: ScheduleCache
             ) -> tuple[Scenario, Baseline]:
    if isinstance(scenario, Scenario):
        baseline = load_baseline(scenario.edition or DEFAULT_EDITION)
        check_scenario(scenario, baseline, schedules=schedules)
        return scenario, baseline
    return load(scenario, schedules)


def simulate(scenario: str | Path | Scenario) -> xr.Dataset:
    """Run a scenario (a file or a `Scenario`); an xarray Dataset over (sample,) ally and
    year."""
    schedules = ScheduleCache()
    scenario, baseline = _checked(scenario, schedules)
    model = Calculator.build(scenario, baseline, schedules)
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


def deployments(scenario: Scenario, baseline: Baseline) -> pd.DataFrame | None:
    """The engine's dated deployments of a scenario with a deployment: block (else None)."""
    if scenario.deployment is None:
        return None
    return Calculator.build(scenario, baseline).schedule.deployments


def compare(*scenarios: str | Path | Scenario) -> xr.Dataset:
    """Simulate several scenarios over the same years; a ``scenario`` dimension, and
    ``net_change`` against the first (negative: the ally pays less)."""
    if len(scenarios) < 2:
        raise BurdenSimError("compare needs at least two scenarios")
    runs = [simulate(s) for s in scenarios]
    names = [ds.attrs["scenario"] for ds in runs]
    if len(set(names)) != len(names):
        raise BurdenSimError(f"two scenarios share a name ({', '.join(names)}): names label "
                             "the comparison")
    spans = {(int(ds.year[0]), int(ds.year[-1])) for ds in runs}
    if len(spans) > 1:
        raise BurdenSimError("scenarios cover different years: "
                             + ", ".join(f"{n} {int(d.year[0])}-{int(d.year[-1])}"
                                         for n, d in zip(names, runs, strict=True)))
    shared = set.intersection(*(set(ds.mission.values.tolist()) for ds in runs))
    keep = [m for m in runs[0].mission.values.tolist() if m in shared]
    per_run = [ds.sel(mission=keep).drop_attrs() for ds in runs]
    combined = xr.concat(per_run, dim=pd.Index(names, name="scenario"),
                         data_vars="all", coords="minimal", compat="override")
    combined["net_change"] = combined["net"] - combined["net"].isel(scenario=0)
    combined["net_change"].attrs = {"units": combined["net"].attrs.get("units", ""),
                                    "long_name": f"net cost minus {names[0]}'s"}
    combined.attrs = {"baseline_scenario": names[0], "scenarios": ", ".join(names)}
    for key in ("rule", "fraction", "funding_key", "funding_key_method", "accounting",
                "edition"):
        combined[f"{key}_by_scenario"] = ("scenario", [str(ds.attrs[key]) for ds in runs])
    return combined


def sweep(scenario: str | Path | Scenario, parameters: dict | None = None, *,
          design: str = "grid", samples: int | None = None, seed: int | None = None,
          variables: tuple[str, ...] = ("net", "net_pct_gdp", "reimbursed", "contributed",
                                        "allies_at_2pct", "allies_at_3_5pct")) -> xr.Dataset:
    """A sweep in memory, for notebooks: ``parameters`` maps dotted paths to values (a list)
    or to a distribution (a mapping, as in a scenario's ``parameters:`` block). Large sweeps
    belong in ``burden-sim sweep``, which streams to disk."""
    from .explore.store import in_memory
    from .explore.sweep import plan_sweep

    scenario, baseline = _checked(scenario, ScheduleCache())
    specs = {path: Uncertain(values=list(spec)) if isinstance(spec, list | tuple | np.ndarray)
             else Uncertain.model_validate(spec) for path, spec in (parameters or {}).items()}
    return in_memory(plan_sweep(scenario, baseline, design=design, samples=samples, seed=seed,
                                overrides=specs, variables=variables))
