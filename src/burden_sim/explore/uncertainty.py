"""Unit-cost uncertainty: the 90 % band shown beside every headline.

Every output is linear in the unit prices until a cap binds, so a band is cheap: draw the
prices from their sourced low/central/high ranges and evaluate all draws at once (one matrix
product per output; the core goes step by step only where a cap binds). The same draws serve
every scenario of a comparison, so a change is the difference of two results at the same prices.
"""

from __future__ import annotations

import numpy as np

from ..model import costs
from ..model.calculator import Calculator

DRAWS = 1000
SEED = 20210214  # fixed, so that a band is the same on every run
LEVELS = (0.05, 0.95)
BAND_NOTE = (f"5th to 95th percentile over {DRAWS:,} draws of the unit costs from their "
             "sourced low/central/high ranges (PERT, the same draws for every scenario); it "
             "covers unit-cost uncertainty only, not the activity, the key or the other data")


def pert_draws(central: np.ndarray, low: np.ndarray, high: np.ndarray, draws: int = DRAWS,
               seed: int = SEED) -> np.ndarray:
    """Prices [draw, category] for the bands: ``model.costs.pert``, which a scenario's
    ``samples:`` draws too."""
    return costs.pert(central, low, high, draws, seed)


def unit_cost_draws(model: Calculator, draws: int = DRAWS,
                    seed: int = SEED) -> dict[str, np.ndarray]:
    """Gross, reimbursed, contributed and net [draw, ally, year] of a scenario at ``draws``
    draws of its unit costs, at its own fraction and cap."""
    p = model.prices
    prices = pert_draws(p.central, p.low, p.high, draws, seed)
    result = model.evaluate(prices, model.terms.fraction_by_year(),
                            model.terms.annual_cap_usd, wanted=())
    return {k: result[k] for k in ("gross", "reimbursed", "contributed", "net")}
