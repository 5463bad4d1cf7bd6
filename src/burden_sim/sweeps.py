"""Sweeps and Monte Carlo: designs over declared parameters, run in chunks, streamed to Zarr.

A sweep is a plan (scenario, parameters, design, sample count, seed, chunk size) and a function
that runs one chunk of it. Chunks are independent and seeded by their index, so the same plan
gives the same numbers on one core, many processes or a Dask cluster, and a sweep that stops can
resume from the chunks already written.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import xarray as xr
from pydantic import ValidationError
from scipy import stats
from scipy.stats import qmc

from . import api, policies
from .baseline import DEFAULT_EDITION, load_baseline
from .errors import BurdenSimError
from .paths import VECTORISED, PathError, canonical, get_value, set_values, with_unit_costs
from .results import VARIABLES
from .scenario import Scenario, Uncertain

DESIGNS = ("grid", "lhs", "sobol", "mc")
SAMPLED = ("gross", "reimbursed", "contributed", "net", "net_pct_gdp",
           "defence_pct_gdp_after", "fair_share", "marginal_cost", "allies_at_2pct",
           "allies_at_3_5pct", "gini_net_pct_gdp", "spearman_rho", "spearman_p",
           "kendall_tau", "kendall_p")
DEFAULT_VARIABLES = ("net", "net_pct_gdp", "reimbursed", "contributed", "allies_at_2pct",
                     "allies_at_3_5pct")
EDGE = 1e-9  # keeps unbounded distributions finite at the ends of the unit interval


@dataclass(frozen=True)
class Parameter:
    """One varying input: its path and either a frozen scipy distribution or values."""

    path: str
    spec: Uncertain

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map points of [0, 1) to the parameter's values (inverse CDF, or an index)."""
        if self.spec.values is not None:
            values = np.asarray(self.spec.values, dtype=float)
            return values[np.minimum((u * len(values)).astype(int), len(values) - 1)]
        return distribution(self.spec).ppf(np.clip(u, EDGE, 1 - EDGE))

    @property
    def vectorised(self) -> bool:
        return canonical(self.path) in VECTORISED or self.path.startswith("unit_costs.")


def distribution(spec: Uncertain) -> stats.rv_continuous:
    """The scipy.stats distribution a parameter declares."""
    low, high = spec.low, spec.high
    if spec.distribution == "uniform":
        return stats.uniform(loc=low, scale=high - low)
    if spec.distribution == "normal":
        return stats.norm(loc=spec.mean, scale=spec.sd)
    if spec.distribution == "lognormal":
        return stats.lognorm(s=spec.sigma, scale=spec.median)
    c = (spec.mode - low) / (high - low)
    if spec.distribution == "triangular":
        return stats.triang(c=c, loc=low, scale=high - low)
    # PERT: a beta on [low, high] with shape parameters 1 + 4c and 1 + 4(1 - c).
    return stats.beta(a=1 + 4 * c, b=1 + 4 * (1 - c), loc=low, scale=high - low)


@dataclass(frozen=True)
class Plan:
    """Everything that fixes a sweep's numbers."""

    scenario: Scenario
    parameters: tuple[Parameter, ...]
    design: str
    samples: int
    seed: int
    chunk_size: int
    variables: tuple[str, ...]

    @property
    def chunks(self) -> int:
        return -(-self.samples // self.chunk_size)

    def bounds(self, index: int) -> tuple[int, int]:
        start = index * self.chunk_size
        return start, min(start + self.chunk_size, self.samples)

    def manifest(self) -> dict:
        return {
            "scenario": self.scenario.model_dump(mode="json"),
            "parameters": {p.path: p.spec.model_dump(mode="json") for p in self.parameters},
            "design": self.design, "samples": self.samples, "seed": self.seed,
            "chunk_size": self.chunk_size, "variables": list(self.variables),
        }


def make_plan(scenario: Scenario, *, design: str = "mc", samples: int | None = None,
              seed: int | None = None, chunk_size: int = 10_000,
              overrides: dict[str, Uncertain] | None = None,
              variables: tuple[str, ...] = DEFAULT_VARIABLES) -> Plan:
    """Check a sweep before anything runs; errors name the parameter or option at fault."""
    if design not in DESIGNS:
        raise BurdenSimError(f"--design {design}: not one of {', '.join(DESIGNS)}")
    specs = {**scenario.parameters, **(overrides or {})}
    if not specs:
        raise BurdenSimError("nothing varies: declare parameters: in the scenario or use --set")
    for name in variables:
        if name not in SAMPLED:
            raise BurdenSimError(f"--variables {name}: not a sampled result ({', '.join(SAMPLED)})")
    engine = scenario.deployment
    if engine is not None and engine.elasticity > 0:
        swept = [p for p in specs if p.startswith(("policy.", "projection."))]
        if swept:
            raise BurdenSimError(f"{swept[0]}: with deployment.elasticity > 0 who volunteers "
                                 "depends on the policy, so each value would need its own "
                                 "engine run; sweep it with elasticity 0, or run one "
                                 "scenario per value")
    defaults = api.default_unit_costs(scenario)
    data = with_unit_costs(scenario, defaults)
    parameters = []
    for path, spec in specs.items():
        try:
            get_value(data, path)
        except PathError as exc:
            raise BurdenSimError(str(exc)) from None
        if spec.distribution == "pert" and spec.low is None:
            spec = _pert_from_data(path, defaults)
        elif spec.distribution == "pert" and spec.mode is None:
            raise BurdenSimError(f"{path}: pert needs low, mode and high (or none of them for "
                                 "a unit cost, to use the shipped range)")
        parameters.append(Parameter(path, spec))
    if design == "grid":
        samples = int(np.prod([_grid_size(p, samples, len(parameters)) for p in parameters]))
    if samples is None or samples < 1:
        raise BurdenSimError(f"--samples {samples}: give a positive number of samples")
    if chunk_size < 1:
        raise BurdenSimError(f"--chunk-size {chunk_size}: must be at least 1")
    return Plan(scenario, tuple(parameters), design, int(samples),
                scenario.seed if seed is None else seed, chunk_size, tuple(variables))


def _pert_from_data(path: str, defaults: dict) -> Uncertain:
    parts = canonical(path).split(".")
    if parts[0] != "unit_costs" or parts[-1] != "central":
        raise BurdenSimError(f"{path}: pert without low, mode and high works for unit costs only")
    cost = defaults[parts[1]]
    if not (cost.low or cost.central) < (cost.high or cost.central):
        raise BurdenSimError(f"{path}: the shipped unit cost has no range to draw from")
    return Uncertain(distribution="pert", low=cost.low, mode=cost.central, high=cost.high)


def _grid_size(p: Parameter, samples: int | None, dims: int) -> int:
    if p.spec.values is not None:
        return len(p.spec.values)
    return max(2, round((samples or 5**dims) ** (1 / dims)))


def unit_points(plan: Plan, index: int) -> np.ndarray:
    """The design's points in [0, 1)^d for one chunk, the same wherever it runs."""
    start, stop = plan.bounds(index)
    d = len(plan.parameters)
    if plan.design == "mc":
        rng = np.random.default_rng(np.random.SeedSequence(plan.seed, spawn_key=(index,)))
        return rng.random((stop - start, d))
    return _whole_design(plan.design, plan.samples, d, plan.seed,
                         tuple(_grid_size(p, plan.samples, d) for p in plan.parameters))[start:stop]


@lru_cache(maxsize=4)
def _whole_design(design: str, n: int, d: int, seed: int, grid: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    if design == "lhs":
        return qmc.LatinHypercube(d=d, rng=rng).random(n)
    if design == "sobol":
        with warnings.catch_warnings():  # balance needs a power of two; any n still works
            warnings.simplefilter("ignore", UserWarning)
            return qmc.Sobol(d=d, scramble=True, rng=rng).random(n)
    axes = [(np.arange(k) + 0.5) / k for k in grid]
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def parameter_values(plan: Plan, index: int) -> np.ndarray:
    """[rows, parameters] values for one chunk."""
    u = unit_points(plan, index)
    return np.stack([p.from_unit(u[:, j]) for j, p in enumerate(plan.parameters)], axis=1)


def run_chunk(plan: Plan, index: int) -> dict[str, np.ndarray]:
    """Compute one chunk of the plan."""
    return run_rows(plan, parameter_values(plan, index))


def run_rows(plan: Plan, values: np.ndarray) -> dict[str, np.ndarray]:
    """Results for rows of parameter values: the core once per distinct structural value,
    vectorised over the rows that share it."""
    structural = [j for j, p in enumerate(plan.parameters) if not p.vectorised]
    groups, which = (np.unique(values[:, structural], axis=0, return_inverse=True)
                     if structural else (np.empty((1, 0)), np.zeros(len(values), int)))
    out: dict[str, np.ndarray] = {}
    for g, row in enumerate(groups):
        rows = np.flatnonzero(which.ravel() == g)
        changes = {plan.parameters[j].path: float(v) for j, v in zip(structural, row,
                                                                     strict=True)}
        prepared = _prepared(_scenario_json(plan.scenario, changes))
        result = api.outcomes(prepared, *_vectorised_inputs(plan, prepared, values[rows]),
                              wanted=plan.variables)
        for name in plan.variables:
            if name not in out:
                out[name] = np.empty((len(values), *result[name].shape[1:]))
            out[name][rows] = result[name]
    out["parameters"] = values
    return out


def _scenario_json(scenario: Scenario, changes: dict[str, float]) -> str:
    if not changes:
        return scenario.model_dump_json()
    data = set_values(with_unit_costs(scenario, api.default_unit_costs(scenario)), changes)
    try:
        return Scenario.model_validate(data).model_dump_json()
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise BurdenSimError(f"{where}: {err['msg']} (set by the sweep to "
                             f"{changes})") from None


@lru_cache(maxsize=64)
def _prepared(scenario_json: str) -> api.Prepared:
    """The deployment schedule of one structural variant, built once per process."""
    scenario = Scenario.model_validate_json(scenario_json)
    baseline = load_baseline(scenario.edition or DEFAULT_EDITION)
    api.check_scenario(scenario, baseline)
    return api.prepare(scenario, baseline)


def _vectorised_inputs(plan: Plan, p: api.Prepared,
                       values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Per-row unit prices [s, c], fraction [s, y] and cap [s] from the sampled values."""
    n = len(values)
    policy = p.scenario.policy
    prices = np.repeat(p.prices.central[None, :], n, axis=0)
    fraction = np.full(n, policy.fraction)
    cap = None if policy.annual_cap_usd is None else np.full(n, policy.annual_cap_usd)
    for j, parameter in enumerate(plan.parameters):
        path = canonical(parameter.path)
        if path.startswith("unit_costs."):
            prices[:, p.categories.index(path.split(".")[1])] = values[:, j]
        elif path == "policy.fraction":
            fraction = values[:, j]
        elif path == "policy.annual_cap_usd":
            cap = values[:, j]
    if np.any(fraction < 0) or np.any(fraction > 1):
        raise BurdenSimError("policy.fraction: sampled values must lie in [0, 1]; "
                             "use a bounded distribution (uniform, triangular, pert)")
    if np.any(prices < 0) or (cap is not None and np.any(cap < 0)):
        raise BurdenSimError("a sampled unit cost or cap is negative; use a distribution "
                             "bounded below by 0 (uniform, triangular, pert, lognormal)")
    phase = policies.fraction_by_year(1.0, policy.phase_in, p.years)
    return prices, fraction[:, None] * phase[None, :], cap


# --- running a plan ---------------------------------------------------------------------------

Executor = Callable[[Plan, list[int]], Iterator[tuple[int, dict[str, np.ndarray]]]]


def serial(plan: Plan, indices: list[int]) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
    for index in indices:
        yield index, run_chunk(plan, index)


def processes(workers: int) -> Executor:
    """Local worker processes (the default); at most two chunks per worker in flight, so
    memory stays bounded however many chunks there are."""
    def run(plan: Plan, indices: list[int]) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
        import concurrent.futures as cf
        import multiprocessing as mp

        if workers <= 1 or len(indices) <= 1:
            yield from serial(plan, indices)
            return
        with cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
            yield from _windowed(lambda i: pool.submit(run_chunk, plan, i), indices,
                                 2 * workers, cf.wait, cf.FIRST_COMPLETED)
    return run


def dask(address: str, workers: int = 2) -> Executor:
    """A Dask distributed cluster: ``local`` starts one here, else ``tcp://HOST:PORT``."""
    def run(plan: Plan, indices: list[int]) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
        from distributed import Client, LocalCluster, wait

        cluster = None
        try:
            if address == "local":
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
                client = Client(cluster)
            else:
                client = Client(address, timeout="5s")
        except (OSError, TimeoutError) as exc:
            raise BurdenSimError(f"--scheduler {address}: cannot reach the scheduler "
                                 f"({type(exc).__name__})") from None
        try:
            slots = 2 * max(1, len(client.scheduler_info()["workers"]))
            yield from _windowed(lambda i: client.submit(run_chunk, plan, i, pure=False),
                                 indices, slots, wait, "FIRST_COMPLETED")
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    return run


def _windowed(submit, indices, slots, wait, first_completed):
    """Keep ``slots`` chunks running; yield each (index, result) as it finishes."""
    pending = list(indices)
    running = {}
    try:
        while pending or running:
            while pending and len(running) < slots:
                index = pending.pop(0)
                running[submit(index)] = index
            done, _ = wait(list(running), return_when=first_completed)
            for future in done:
                yield running.pop(future), future.result()
    finally:
        for future in running:
            future.cancel()


def check_scheduler(address: str) -> None:
    """Fail early when a scheduler address is malformed or unreachable."""
    if address == "local":
        return
    if not address.startswith("tcp://") or ":" not in address.removeprefix("tcp://"):
        raise BurdenSimError(f"--scheduler {address}: use local or tcp://HOST:PORT")
    import socket

    host, port = address.removeprefix("tcp://").rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
    except (OSError, ValueError) as exc:
        raise BurdenSimError(f"--scheduler {address}: cannot reach the scheduler "
                             f"({exc.__class__.__name__})") from None


# --- the Zarr store ---------------------------------------------------------------------------

MANIFEST = "burden_sim_sweep.json"
DONE = "burden_sim_done"


def open_store(plan: Plan, directory: Path, resume: bool) -> list[int]:
    """Create the store (or check it belongs to this plan when resuming); chunks still to do."""
    manifest = directory / MANIFEST
    if directory.exists() and not resume:
        raise BurdenSimError(f"{directory}: already exists; add --resume to continue the "
                             "sweep that made it, or choose a new folder")
    if resume and directory.exists():
        if not manifest.is_file():
            raise BurdenSimError(f"{directory}: is not a burden-sim sweep (no {MANIFEST})")
        if json.loads(manifest.read_text()) != json.loads(json.dumps(plan.manifest())):
            raise BurdenSimError(f"{directory}: was made by a different sweep (scenario, "
                                 "parameters, design, samples, seed or chunk size differ)")
        done = {int(p.stem) for p in (directory / DONE).glob("*.done")}
        return [i for i in range(plan.chunks) if i not in done]
    if not directory.parent.exists():
        raise BurdenSimError(f"{directory}: folder {directory.parent} does not exist")
    _template(plan).to_zarr(directory, compute=False, mode="w-", zarr_format=2,
                            consolidated=True)
    (directory / DONE).mkdir()
    manifest.write_text(json.dumps(plan.manifest(), indent=1))
    return list(range(plan.chunks))


def _template(plan: Plan):
    import dask.array as da
    import xarray as xr

    p = _prepared(_scenario_json(plan.scenario, {}))
    shapes = {"ally": len(p.baseline.allies), "year": len(p.years)}
    variables = {}
    for name in plan.variables:
        dims = VARIABLES[name][0]
        shape = (plan.samples, *(shapes[d] for d in dims[1:]))
        variables[name] = (dims, da.zeros(shape, chunks=(plan.chunk_size, *shape[1:])),
                           {"units": VARIABLES[name][1], "long_name": VARIABLES[name][2]})
    coords = {"ally": np.array(p.baseline.allies, dtype=object), "year": p.years}
    for j, parameter in enumerate(plan.parameters):
        coords[_coord_name(j, parameter)] = ("sample", da.zeros(plan.samples,
                                                                chunks=plan.chunk_size),
                                             {"path": parameter.path})
    return xr.Dataset(variables, coords=coords, attrs={
        "scenario": plan.scenario.name, "design": plan.design, "samples": plan.samples,
        "seed": plan.seed, "chunk_size": plan.chunk_size, "edition": p.baseline.edition,
        "parameters": ", ".join(q.path for q in plan.parameters)})


def _coord_name(j: int, parameter: Parameter) -> str:
    return "param_" + parameter.path.replace(".", "__")


def write_chunk(plan: Plan, directory: Path, index: int, result: dict[str, np.ndarray]) -> None:
    """Write one chunk into its region, then mark it done: a chunk is whole or redone."""
    import xarray as xr

    start, stop = plan.bounds(index)
    data = {name: (VARIABLES[name][0], result[name]) for name in plan.variables}
    coords = {_coord_name(j, q): ("sample", result["parameters"][:, j])
              for j, q in enumerate(plan.parameters)}
    xr.Dataset(data, coords=coords).to_zarr(directory, region={"sample": slice(start, stop)},
                                            zarr_format=2)
    (directory / DONE / f"{index}.done").touch()


def run(plan: Plan, directory: Path, executor: Executor, resume: bool = False,
        progress: Callable[[int], None] | None = None) -> list[int]:
    """Run the chunks not yet in the store; returns the chunks written by this call."""
    todo = open_store(plan, directory, resume)
    written = []
    for index, result in executor(plan, todo):
        write_chunk(plan, directory, index, result)
        written.append(index)
        if progress is not None:
            progress(plan.bounds(index)[1] - plan.bounds(index)[0])
    return written


def to_dataset(plan: Plan, executor: Executor = serial) -> xr.Dataset:
    """Run a (small) plan in memory: a Dataset over sample (, ally) and year, with the
    parameter values as coordinates along ``sample``."""
    parts = dict(executor(plan, list(range(plan.chunks))))
    ordered = [parts[i] for i in range(plan.chunks)]
    p = _prepared(_scenario_json(plan.scenario, {}))
    data = {name: (VARIABLES[name][0], np.concatenate([r[name] for r in ordered]),
                   {"units": VARIABLES[name][1], "long_name": VARIABLES[name][2]})
            for name in plan.variables}
    values = np.concatenate([r["parameters"] for r in ordered])
    coords = {"ally": list(p.baseline.allies), "year": p.years}
    coords |= {parameter.path: ("sample", values[:, j])
               for j, parameter in enumerate(plan.parameters)}
    return xr.Dataset(data, coords=coords, attrs={
        "scenario": plan.scenario.name, "design": plan.design, "samples": plan.samples,
        "seed": plan.seed, "edition": p.baseline.edition,
        "parameters": ", ".join(q.path for q in plan.parameters)})
