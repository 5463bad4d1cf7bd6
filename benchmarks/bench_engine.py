"""The deployment engine on the whole catalogue: time and simulated events per second.

    python benchmarks/bench_engine.py [--years 10] [--repeat 5] [--quick]

A run of every catalogue mission over ``--years`` years from 2017 (past 2024 on a GDP
projection), with open volunteering under a full common fund (elasticity 1): the plan is built
from the record, pools are sized, SimPy runs the missions and the activity tensor is built.
Each step is timed (best of ``--repeat``, cache cleared). The activity tensor is also built by
a plain-Python reference (a loop over deployments and years) in the same run; both must agree
to a relative 1e-9. Writes benchmarks/results/engine.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import date
from pathlib import Path

import numpy as np

from burden_sim import load_baseline
from burden_sim.engine import catalogue
from burden_sim.engine.schedule import (
    Schedule,
    ScheduleCache,
    activity_tensor,
    make_engine,
)
from burden_sim.engine.simulation import Engine
from burden_sim.inputs.projection import extend
from burden_sim.inputs.rules import terms
from burden_sim.inputs.schema import Scenario
from burden_sim.model.keys import funding_key

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 1.0


def catalogue_scenario(years: int) -> Scenario:
    last = 2017 + years - 1
    return Scenario.model_validate({
        "name": f"catalogue_{years}_years",
        "years": {"start": 2017, "end": last},
        "projection": {"gdp_growth_pct": 3.0} if last > 2024 else None,
        "policy": {"rule": "common_fund", "fraction": 1.0, "key": "nato_derived"},
        "deployment": {"plan": "open", "elasticity": 1.0, "seed": 0},
    })


def inputs(scenario: Scenario):
    baseline = load_baseline()
    if scenario.projection is not None:
        baseline = extend(baseline, scenario.years.end, scenario.projection)
    key = funding_key(baseline, scenario.policy.key, scenario.year_list)
    rule = terms(scenario.policy, scenario.year_list)
    fraction = rule.fraction_by_year()
    eligible = rule.covered_missions(list(catalogue.load_catalogue().missions))
    return baseline, key.shares, fraction, eligible


def activity_reference(engine: Engine, baseline, years: list[int]) -> np.ndarray:
    """The activity tensor by plain loops: for each deployment, for each year."""
    plan = engine.plan
    column = {c: i for i, c in enumerate(catalogue.CATEGORIES)}
    out = np.zeros((len(baseline.allies), len(plan.missions), len(years), len(column)))
    for slot, ally in engine.filled:
        spec = plan.missions[slot.mission]
        transit = engine.transit[slot.mission]
        platform_ = slot.platform or plan.platform_of_ally.get(ally, "")
        # a fighter detachment's people are priced within its charged flight hours
        people = 0.0 if spec.kind == "air_policing" else slot.personnel
        for y, year in enumerate(years):
            lo = (date(year, 1, 1) - plan.origin).days
            hi = (date(year + 1, 1, 1) - plan.origin).days
            theatre = max(0.0, min(slot.end, hi) - max(slot.start, lo))
            away = max(0.0, min(slot.end + transit, hi) - max(slot.start - transit, lo))
            out[ally, slot.mission, y, column["person_day"]] += people * away
            if lo <= slot.start - transit < hi:
                out[ally, slot.mission, y, column["person_move"]] += people
            if slot.aircraft and f"flight_hour_{platform_}" in column:
                out[ally, slot.mission, y, column[f"flight_hour_{platform_}"]] += (
                    slot.aircraft * spec.flight_hours_per_aircraft_day * plan.hour_scale
                    * theatre)
            if f"ship_day_{spec.unit}" in column:
                out[ally, slot.mission, y, column[f"ship_day_{spec.unit}"]] += slot.ships * theatre
            if spec.host_support:
                for host in spec.hosts:
                    out[baseline.index(host), slot.mission, y, column["hns_day"]] += (
                        theatre / len(spec.hosts))
    return out


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2 years, 1 repeat, no file")
    args = parser.parse_args(argv)
    years, repeat = (2, 1) if args.quick else (args.years, args.repeat)
    scenario = catalogue_scenario(years)
    baseline, shares, fraction, eligible = inputs(scenario)

    def whole() -> Schedule:
        return ScheduleCache().schedule(scenario, baseline, shares, fraction, eligible)

    def ready() -> Engine:
        plan = ScheduleCache().plan(scenario, baseline)
        return make_engine(scenario, baseline, plan, shares, fraction, eligible)[0]

    total_s, result = best(whole, repeat)
    plan_s, engine = best(ready, repeat)
    simpy_s, _ = best(lambda: ready().run(), repeat)
    simpy_s = max(simpy_s - plan_s, 1e-9)
    engine.run()
    vector_s, vector = best(lambda: activity_tensor(engine, baseline, scenario.year_list),
                            repeat)
    python_s, plain = best(lambda: activity_reference(engine, baseline, scenario.year_list),
                           max(1, repeat // 2))
    np.testing.assert_allclose(vector.values, plain, rtol=1e-9, atol=1e-9)
    report = {
        "machine": f"{platform.platform()}, Python {platform.python_version()}",
        "years": years,
        "missions": len(result.missions),
        "deployments": len(result.deployments),
        "unfilled_slots": len(result.gaps),
        "events": result.events,
        "total_s": total_s,
        "plan_s": plan_s,
        "simpy_s": simpy_s,
        "events_per_s": result.events / simpy_s,
        "activity_vectorised_s": vector_s,
        "activity_python_s": python_s,
        "activity_speedup": python_s / vector_s,
        "target_s": TARGET_S,
        "met": total_s < TARGET_S,
    }
    if not args.quick:
        out = ROOT / "benchmarks" / "results" / "engine.json"
        out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
