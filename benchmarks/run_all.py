"""All core benchmarks in one run: implementations side by side, scaling, and the report.

    python benchmarks/run_all.py            # about two minutes on 2 cores
    python benchmarks/run_all.py --quick    # tiny sizes (what the tests run)
    python benchmarks/run_all.py --sweep-path-only   # the sweep path (fused against step by
                                                     # step) alone, into results/core.json

Writes benchmarks/results/core.json, the figures in docs/performance/ and docs/performance.md
(with the sweep results of benchmarks/results/sweep*.json, from bench_sweep.py, when present).

Implementations, on the same inputs, must agree to a relative 1e-9 on every output (gross,
reimbursed, contributed and net cost per sample, ally and year) before any time is reported:

- core: burden_sim's core (core.cost_sharing: one matrix product of the prices per output);
- step by step: the same rules applied in turn to arrays of the output's size
  (core.step_by_step: costs.gross_cost, policies.common_fund, net_cost), the path the core
  takes when the fraction varies by sample or an annual cap binds;
- python: plain loops over samples, years, allies, missions and categories;
- pandas: merges and group-bys on a long table, as an analyst would write in a notebook;
- copy: the machine's limit, a NumPy copy of arrays the size of the core's four outputs.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from burden_sim.model import core as burden_core
from burden_sim.model import costs, metrics, policies

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
FIGURES = ROOT / "docs" / "performance"
CATEGORIES = 4
REPEAT = 5  # runs of the core and of the copy bound; the best is reported (a shared machine)
OUTPUTS = ("gross", "reimbursed", "contributed", "net")


def inputs(samples: int, allies: int = 32, missions: int = 9, years: int = 8, seed: int = 0):
    """Synthetic inputs shaped like the common-fund scenario: each mission has about eight
    contributors; each contributor provides one or two categories of activity."""
    rng = np.random.default_rng(seed)
    activity = np.zeros((allies, missions, years, CATEGORIES))
    for m in range(missions):  # building inputs, not the timed hot path
        who = rng.choice(allies, size=min(allies, 8), replace=False)
        kind = rng.integers(0, CATEGORIES, size=len(who))
        activity[who, m, :, kind] = rng.uniform(1, 500, size=(len(who), years))
    prices = rng.uniform(1e3, 1e5, size=(samples, CATEGORIES))
    factor = rng.uniform(1.0, 1.4, size=(CATEGORIES, years))
    eligible = (rng.random((missions, CATEGORIES)) < 0.8).astype(float)
    weights = rng.uniform(0.1, 1.0, size=(allies, years))
    key = weights / weights.sum(axis=0)
    fraction = rng.uniform(0.5, 1.0, size=years)
    return activity, prices, factor, eligible, key, fraction


def core(activity, prices, factor, eligible, key, fraction):
    return burden_core.cost_sharing(activity, prices, factor, eligible, key, fraction)


def step_by_step(activity, prices, factor, eligible, key, fraction):
    return burden_core.step_by_step(activity, prices, factor, eligible, key, fraction)


def python(activity, prices, factor, eligible, key, fraction):
    a_n, m_n, y_n, c_n = activity.shape
    s_n = len(prices)
    act, pr, fx, el, k, f = (x.tolist() for x in (activity, prices, factor, eligible, key,
                                                   fraction))
    out = np.zeros((4, s_n, a_n, y_n))
    for s in range(s_n):
        for y in range(y_n):
            repaid = [0.0] * a_n
            for a in range(a_n):
                gross = covered = 0.0
                for m in range(m_n):
                    for c in range(c_n):
                        cost = act[a][m][y][c] * pr[s][c] * fx[c][y]
                        gross += cost
                        covered += cost * el[m][c]
                repaid[a] = f[y] * covered
                out[0, s, a, y] = gross
                out[1, s, a, y] = repaid[a]
            pool = sum(repaid)
            for a in range(a_n):
                out[2, s, a, y] = k[a][y] * pool
                out[3, s, a, y] = out[0, s, a, y] - repaid[a] + out[2, s, a, y]
    return tuple(out)


def pandas_version(activity, prices, factor, eligible, key, fraction):
    a_n, m_n, y_n, c_n = activity.shape
    s_n = len(prices)
    idx = np.nonzero(activity)
    act = pd.DataFrame({"ally": idx[0], "mission": idx[1], "year": idx[2], "category": idx[3],
                        "quantity": activity[idx]})
    act = act.merge(pd.DataFrame({"mission": np.repeat(np.arange(m_n), c_n),
                                  "category": np.tile(np.arange(c_n), m_n),
                                  "eligible": eligible.ravel()}), on=["mission", "category"])
    act = act.merge(pd.DataFrame({"category": np.repeat(np.arange(c_n), y_n),
                                  "year": np.tile(np.arange(y_n), c_n), "fx": factor.ravel()}),
                    on=["category", "year"])
    price = pd.DataFrame({"sample": np.repeat(np.arange(s_n), c_n),
                          "category": np.tile(np.arange(c_n), s_n), "price": prices.ravel()})
    rows = act.merge(price, on="category")
    rows["gross"] = rows["quantity"] * rows["price"] * rows["fx"]
    rows["covered"] = rows["gross"] * rows["eligible"]
    per = rows.groupby(["sample", "ally", "year"], as_index=False)[["gross", "covered"]].sum()
    per["reimbursed"] = per["covered"] * fraction[per["year"]]
    pool = per.groupby(["sample", "year"], as_index=False)["reimbursed"].sum()
    grid = pd.MultiIndex.from_product([range(s_n), range(a_n), range(y_n)],
                                      names=["sample", "ally", "year"]).to_frame(index=False)
    full = grid.merge(per, how="left", on=["sample", "ally", "year"]).fillna(0.0)
    full = full.merge(pool.rename(columns={"reimbursed": "pool"}), how="left",
                      on=["sample", "year"]).fillna(0.0)
    full["contributed"] = key[full["ally"], full["year"]] * full["pool"]
    full["net"] = full["gross"] - full["reimbursed"] + full["contributed"]
    full = full.sort_values(["sample", "ally", "year"])
    return tuple(full[o].to_numpy().reshape(s_n, a_n, y_n) for o in OUTPUTS)


def copy_bound(activity, prices, *_):
    """Copy an array of the core's output size once per output: reading and writing the same
    bytes as the core's four outputs, nothing computed (one copy alive at a time)."""
    source = np.ones((len(prices), activity.shape[0], activity.shape[2]))  # warm, not timed

    def run() -> None:
        for _ in OUTPUTS:
            copy = source.copy()
            del copy
    return run


IMPLEMENTATIONS = {"core": core, "step_by_step": step_by_step, "python": python,
                   "pandas": pandas_version}


def timed_runs(fn, *args, repeat: int = 3) -> tuple[list[float], object]:
    """Seconds of each of ``repeat`` runs, back to back, and the last run's result."""
    times, result = [], None
    for _ in range(repeat):
        result = None  # free the last run's outputs before the next
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return times, result


def timed(fn, *args, repeat: int = 3):
    times, result = timed_runs(fn, *args, repeat=repeat)
    return min(times), result


def peak_memory(fn, *args) -> float:
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def agree(reference, other) -> None:
    for name, a, b in zip(OUTPUTS, reference, other, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9 * np.abs(a).max(),
                                   err_msg=f"{name} disagrees")


def side_by_side(samples: int, which: tuple[str, ...]) -> dict:
    args = inputs(samples)
    row = {"samples": samples}
    times, reference = timed_runs(core, *args, repeat=REPEAT)
    t_core = row["core_s"] = min(times)
    row["core_first_s"] = times[0]
    for name in which:
        repeat = 1 if name == "python" or (name == "step_by_step" and samples >= 100_000) else 3
        t, result = timed(IMPLEMENTATIONS[name], *args, repeat=repeat)
        agree(reference, result)
        row[f"{name}_s"] = t
        row[f"{name}_over_core"] = t / t_core
    del reference
    t_copy, _ = timed(copy_bound(*args), repeat=REPEAT)
    row["copy_s"] = t_copy
    row["core_over_copy"] = t_core / t_copy
    return row


def _linear_steps(activity, prices, factor, eligible, key, fraction) -> Iterator[tuple]:
    """The core's steps (core.cost_sharing without a cap), one value or output per step."""
    unit = burden_core.step_by_step(activity, np.eye(prices.shape[1]), factor, eligible, key,
                                    fraction)
    yield "unit prices (c rows)", unit
    for name, per_unit in zip(OUTPUTS, unit, strict=True):
        yield name, costs.at_prices(prices, per_unit)


def _stepwise_steps(activity, prices, factor, eligible, key, fraction) -> Iterator[tuple]:
    """The steps of core.step_by_step."""
    gross = costs.gross_cost(activity, prices, factor)
    yield "gross", gross
    covered = costs.gross_cost(activity, prices, factor, eligible)
    yield "eligible", covered
    transfers = policies.common_fund(covered, fraction, key)
    yield "fund", transfers
    yield "net", policies.net_cost(gross, transfers)


def sweep_inputs(samples: int, seed: int = 0) -> tuple:
    """A sweep's rows: the synthetic scenario with a fraction by sample under a phase-in
    (none, then half, then all of it), an annual cap that binds on about a third of the rows,
    and the data the burden measures need (GDP, defence spending, membership)."""
    activity, prices, factor, eligible, key, _ = inputs(samples, seed=seed)
    rng = np.random.default_rng(seed + 1)
    allies, years = key.shape
    phase = np.where(np.arange(years) < 2, 0.0, np.where(np.arange(years) < 4, 0.5, 1.0))
    fraction = rng.uniform(0.5, 1.0, (samples, 1)) * phase[None, :]
    unit = burden_core.unit_costs(activity, factor, eligible)
    pool = fraction * (prices @ unit.covered_total)
    cap = rng.uniform(0.5, 1.5, samples) * np.quantile(pool.max(axis=1), 0.8)
    gdp = rng.uniform(1e10, 4e12, (allies, years))
    defence = rng.uniform(0.8, 4.0, (allies, years)) / 100 * gdp
    member = np.ones((allies, years), bool)
    member[-2:, :3] = False  # two allies join late
    burden = burden_core.Burden(gdp, defence, member, lowers=True)
    return activity, prices, factor, eligible, key, fraction, cap, burden


SWEEP_OUTPUTS = {"per-ally": ("net", "net_pct_gdp", "reimbursed", "contributed",
                              "allies_at_2pct", "allies_at_3_5pct"),
                 "summary": burden_core.SUMMARIES}


def reference_sweep(activity, prices, factor, eligible, key, fraction, cap, burden,
                    wanted) -> dict:
    """The sweep path before the fused one: the rules step by step, then the metrics, on
    fresh arrays (what api.outcomes did for a fraction by sample)."""
    gross, reimbursed, contributed, net = burden_core.step_by_step(
        activity, prices, factor, eligible, key, fraction, cap)
    out = {"gross": gross, "reimbursed": reimbursed, "contributed": contributed, "net": net,
           "net_pct_gdp": 100 * net / burden.gdp[None]}
    after = metrics.defence_after(burden.defence, reimbursed, contributed,
                                  "reimbursement_lowers_spending")
    after = 100 * after / burden.gdp[None]
    for name, threshold in (("allies_at_2pct", 2.0), ("allies_at_3_5pct", 3.5)):
        if name in wanted:
            out[name] = metrics.count_at_or_above(after, threshold, burden.member)
    if "gini_net_pct_gdp" in wanted:
        out["gini_net_pct_gdp"] = metrics.gini(out["net_pct_gdp"], burden.member)
    return {name: out[name] for name in wanted}


def sweep_path(samples: int, chunk: int, repeat: int = 3) -> dict:
    """Throughput of the sweep path over ``samples`` rows in chunks of ``chunk`` (one
    process): the reference (step by step, fresh arrays) against the fused path (buffers
    reused from chunk to chunk), after checking they agree to a relative 1e-12."""
    (activity, prices, factor, eligible, key, fraction, cap,
     burden) = sweep_inputs(samples)
    unit = burden_core.unit_costs(activity, factor, eligible)
    ws = burden_core.Workspace()
    row = {"samples": samples, "chunk": chunk}
    chunks = [slice(i, i + chunk) for i in range(0, samples, chunk)]
    for name, wanted in SWEEP_OUTPUTS.items():
        def reference(wanted=wanted) -> None:
            for rows in chunks:
                reference_sweep(activity, prices[rows], factor, eligible, key, fraction[rows],
                                cap[rows], burden, wanted)

        def fused(wanted=wanted) -> None:
            for rows in chunks:
                burden_core.fused(unit, prices[rows], key, fraction[rows], cap[rows],
                                  burden=burden, wanted=wanted, workspace=ws)
        first = chunks[0]
        want = reference_sweep(activity, prices[first], factor, eligible, key, fraction[first],
                               cap[first], burden, wanted)
        got = burden_core.fused(unit, prices[first], key, fraction[first], cap[first],
                                burden=burden, wanted=wanted, workspace=ws)
        for output in wanted:
            np.testing.assert_allclose(got[output], want[output], rtol=1e-12,
                                       atol=1e-12 * np.nanmax(np.abs(want[output])),
                                       err_msg=output)
        t_ref, _ = timed(reference, repeat=repeat)
        t_fused, _ = timed(fused, repeat=repeat)
        row[name] = {"reference_s": t_ref, "fused_s": t_fused,
                     "reference_per_s": samples / t_ref, "fused_per_s": samples / t_fused,
                     "speedup": t_ref / t_fused}
    return row


def profile(samples: int) -> dict:
    """Seconds spent in each step of the core, and of the step-by-step path, on a first run
    and on a second run that reuses the memory the first one freed."""
    args = inputs(samples)
    report = {"samples": samples}
    for path, steps in (("core", _linear_steps), ("step_by_step", _stepwise_steps)):
        for run in ("first", "warm"):
            kept, marks, names = [], [time.perf_counter()], []
            for name, value in steps(*args):
                marks.append(time.perf_counter())
                names.append(name)
                kept.append(value)  # outputs stay alive to the end, as in a real run
            report.setdefault(path, {})[run] = dict(zip(names, np.diff(marks).tolist(),
                                                        strict=True))
            del kept, value
    return report


def memory_regimes(gb: float, pause: float) -> dict:
    """Seconds per GB to fill fresh memory: memory left free for ``pause`` seconds, then memory
    freed a moment before. On this machine (a virtual machine) the guest hands memory that
    stays free for about 2 s back to the host, and taking it back costs more than the writes."""
    def fill() -> float:
        start = time.perf_counter()
        block = np.ones(int(gb * 2**30) // 8)
        seconds = time.perf_counter() - start
        del block
        return seconds

    time.sleep(pause)
    cold = fill()
    return {"gb": gb, "pause_s": pause, "cold_s_per_gb": cold / gb,
            "warm_s_per_gb": fill() / gb}


def scaling(dimension: str, values: list[int], base: dict) -> list[dict]:
    rows = []
    for value in values:
        shape = {**base, dimension: value}
        args = inputs(**shape)
        t, _ = timed(core, *args, repeat=REPEAT)
        t_copy, _ = timed(copy_bound(*args), repeat=REPEAT)
        rows.append({"dimension": dimension, **shape, "core_s": t, "copy_s": t_copy,
                     "peak_mb": peak_memory(core, *args)})
    return rows


def plot_scaling(rows: list[dict], path: Path) -> None:
    from matplotlib.figure import Figure

    frame = pd.DataFrame(rows)
    dims = list(dict.fromkeys(frame["dimension"]))
    fig = Figure(figsize=(10, 2.8 * ((len(dims) + 1) // 2)))
    axes = fig.subplots((len(dims) + 1) // 2, 2).ravel()
    for ax, dim in zip(axes, dims, strict=False):
        part = frame[frame["dimension"] == dim]
        x = part[dim].to_numpy(float)
        ax.loglog(x, part["core_s"], "o-", label="core")
        ax.loglog(x, part["copy_s"], "s--", label="copy of the output (machine limit)")
        ax.loglog(x, part["core_s"].iloc[0] * x / x[0], ":", color="grey", label="linear")
        ax.set_xlabel(dim)
        ax.set_ylabel("seconds")
        ax.legend(fontsize=7)
    for ax in axes[len(dims):]:
        ax.set_visible(False)
    fig.suptitle("burden-sim core: time against the size of the work (log-log)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the tests")
    parser.add_argument("--out", type=Path, default=None, help="folder for results")
    parser.add_argument("--sweep-path-only", action="store_true",
                        help="measure the sweep path alone, into the existing core.json")
    args = parser.parse_args(argv)
    quick = args.quick
    burden_core.ordinary_pages()
    if args.sweep_path_only:
        report = json.loads((RESULTS / "core.json").read_text())
        report["sweep_path"] = sweep_path(200_000, 20_000, repeat=3)
        report["block"] = burden_core.BLOCK
        (RESULTS / "core.json").write_text(json.dumps(report, indent=1))
        write_report(report)
        return report
    out = args.out or (RESULTS if not quick else None)
    report = {"machine": platform.platform(), "python": platform.python_version(),
              "numpy": np.__version__, "repeat": REPEAT}
    report["memory"] = memory_regimes(0.01 if quick else 2.0, 0.0 if quick else 6.0)
    report["side_by_side"] = [
        side_by_side(20 if quick else 300, ("step_by_step", "python", "pandas")),
        side_by_side(50 if quick else 10_000, ("step_by_step", "pandas")),
        side_by_side(100 if quick else 1_000_000, ()),
    ]
    report["profile"] = profile(100 if quick else 1_000_000)
    report["sweep_path"] = sweep_path(300 if quick else 200_000, 128 if quick else 20_000,
                                      repeat=1 if quick else 5)
    report["block"] = burden_core.BLOCK
    base = {"samples": 10 if quick else 10_000, "allies": 32, "missions": 9, "years": 8}
    grid = {
        "samples": [10, 100] if quick else [1_000, 10_000, 100_000, 1_000_000],
        "allies": [32, 64] if quick else [32, 100, 250, 500],
        "missions": [10, 20] if quick else [10, 100, 1_000],
        "years": [1, 8] if quick else [1, 10, 50],
    }
    report["scaling"] = [row for dim, values in grid.items()
                         for row in scaling(dim, values, base)]
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "core.json").write_text(json.dumps(report, indent=1))
    if not quick:
        FIGURES.mkdir(parents=True, exist_ok=True)
        plot_scaling(report["scaling"], FIGURES / "scaling.png")
        write_report(report)
    return report


def write_report(report: dict) -> None:
    from performance_report import render  # benchmarks/performance_report.py

    (ROOT / "docs" / "performance.md").write_text(render(report, RESULTS))


if __name__ == "__main__":
    main()
