"""Designs: points of the unit cube for grid, Latin hypercube, Sobol and Monte Carlo sweeps,
and each parameter's map from [0, 1) to its values (SALib's sample step, one problem at a time).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..inputs.paths import VECTORISED, canonical
from ..inputs.schema import Uncertain
from ..model.costs import EDGE, pert_ppf

DESIGNS = ("grid", "lhs", "sobol", "mc")


@dataclass(frozen=True)
class Parameter:
    """One varying input: its path and either a distribution or values."""

    path: str
    spec: Uncertain

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map points of [0, 1) to the parameter's values (inverse CDF, or an index)."""
        if self.spec.values is not None:
            values = np.asarray(self.spec.values, dtype=float)
            return values[np.minimum((u * len(values)).astype(int), len(values) - 1)]
        u = np.clip(u, EDGE, 1 - EDGE)
        spec = self.spec
        if spec.distribution == "uniform":  # scipy's uniform.ppf, without importing it
            return u * (spec.high - spec.low) + spec.low
        if spec.distribution == "pert":
            c = (spec.mode - spec.low) / (spec.high - spec.low)
            return spec.low + (spec.high - spec.low) * pert_ppf(u, 1 + 4 * c, 1 + 4 * (1 - c))
        return distribution(spec).ppf(u)

    @property
    def vectorised(self) -> bool:
        """True when rows can vary it without rebuilding the model (prices, fraction, cap)."""
        return canonical(self.path) in VECTORISED or self.path.startswith("unit_costs.")


def distribution(spec: Uncertain):
    """The scipy.stats distribution a parameter declares."""
    from scipy import stats

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


def grid_size(p: Parameter, samples: int | None, dims: int) -> int:
    """Points along one axis of a grid: the values given, or an even share of the samples."""
    if p.spec.values is not None:
        return len(p.spec.values)
    return max(2, round((samples or 5**dims) ** (1 / dims)))


def whole_design(design: str, n: int, d: int, seed: int, grid: tuple[int, ...]) -> np.ndarray:
    """All n points of a grid, Latin hypercube or Sobol design in [0, 1)^d."""
    from scipy.stats import qmc

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


def mc_points(seed: int, index: int, rows: int, d: int) -> np.ndarray:
    """Monte Carlo points of one chunk: a stream spawned by the chunk's index."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    return rng.random((rows, d))
