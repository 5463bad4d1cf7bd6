"""Time the vectorised core against a plain-Python reference on the same inputs.

    python benchmarks/bench_core.py [--samples N]

Inputs: the shipped common-fund scenario's activity tensor, unit prices drawn N times.
Both implementations must agree to a relative 1e-9 before any time is reported.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from burden_sim import costs, policies
from burden_sim.api import default_unit_costs, load
from burden_sim.keys import funding_key

ROOT = Path(__file__).resolve().parents[1]


def reference(activity, prices, factor, eligible, fraction, key):
    """The model written as loops: one sample, ally, mission, year, category at a time."""
    n_s, (n_a, n_m, n_y, n_c) = len(prices), activity.shape
    net = [[[0.0] * n_y for _ in range(n_a)] for _ in range(n_s)]
    for s in range(n_s):
        for y in range(n_y):
            gross = [[sum(activity[a, m, y, c] * prices[s][c] * factor[c][y] for c in range(n_c))
                      for m in range(n_m)] for a in range(n_a)]
            repaid = [fraction * sum(g for g, e in zip(row, eligible, strict=True) if e)
                      for row in gross]
            pool = sum(repaid)
            for a in range(n_a):
                net[s][a][y] = sum(gross[a]) - repaid[a] + key[a][y] * pool
    return np.array(net)


def vectorised(activity, prices, factor, eligible, fraction, key):
    gross = costs.gross_cost(activity, prices, factor)
    covered = costs.gross_cost(activity, prices, factor, eligible[:, None] * np.ones(
        activity.shape[-1]))
    years = np.full(activity.shape[2], fraction)
    return policies.net_cost(gross, policies.common_fund(covered, years, key))


def best_of(fn, *args, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - start)
    return min(times), out


def main(argv: list[str] | None = None) -> float:
    """Run the comparison; returns the speed-up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args(argv)

    scenario, baseline = load(ROOT / "scenarios" / "common_fund.yaml")
    years = scenario.year_list
    activity = costs.activity_tensor(scenario, baseline)
    unit = costs.unit_prices(default_unit_costs(), scenario.unit_costs)
    prices = costs.draw_prices(unit, args.samples, seed=1)
    factor = costs.usd_factor(unit, np.array([baseline.usd_per_eur[y] for y in years]))
    eligible = np.ones(len(scenario.missions), dtype=bool)
    key = funding_key(baseline, scenario.policy.key, years).shares
    inputs = (activity, prices, factor, eligible, 1.0, key)

    t_vec, fast = best_of(vectorised, *inputs)
    t_ref, slow = best_of(reference, activity, prices.tolist(), factor.tolist(), eligible.tolist(),
                          1.0, key.tolist(), repeat=1)
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-6)
    shape = "x".join(map(str, activity.shape))
    print(f"inputs: {args.samples} samples, activity {shape} (ally x mission x year x category)")
    print(f"plain Python reference: {t_ref * 1e3:10.1f} ms")
    print(f"vectorised core:        {t_vec * 1e3:10.1f} ms")
    print(f"speed-up:               {t_ref / t_vec:10.0f}x  (outputs agree to 1e-9)")
    return t_ref / t_vec


if __name__ == "__main__":
    main()
