"""Funding keys: each ally's share k[a, y] of what a common fund spends (columns sum to 1).

The default, ``nato``, is NATO's own cost shares of the table in force each year (published
values where found, the period's rule for the rest; ``nato_key.py``). ``nato_derived`` is the
older labelled derivation: GDP shares with the US share held at Germany's in every year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..inputs.baseline import Baseline
from ..inputs.schema import FundingKey, KeyCap
from .nato_key import nato_key

KEY_METHODS = {
    "nato": "NATO's cost shares of the table in force each year: published values where found "
    "(nato_cost_shares.csv), the others by the period's rule (GNI shares with GDP standing in "
    "for GNI; from 2021 the US held at Germany's); key_status and key_source say which",
    "nato_derived": "derived: GDP shares of members, US share held at Germany's in every year "
    "(NATO's 2021 rule applied throughout; docs/data.md)",
    "gdp": "GDP shares of members (current USD, World Bank)",
    "population": "population shares of members (World Bank)",
    "equal": "equal shares of members",
    "un_regular": "UN regular-budget scale of assessments, rescaled over members",
    "custom": "custom weights from the scenario file",
}
NATO_DERIVED_CAP = KeyCap(ally="USA", at_share_of="DEU")


@dataclass(frozen=True)
class KeyShares:
    """A funding key over the years, with how it was made and who it leaves out."""

    shares: np.ndarray  # [ally, year], each column sums to 1
    method: str
    excluded: tuple[str, ...]  # members with no figure, who therefore pay nothing
    status: np.ndarray  # [ally, year] "published", "reconstructed", "computed"; "" non-members
    source: np.ndarray  # [ally, year] where each share comes from; "" for non-members


def cap_at(shares: np.ndarray, capped: int, reference: int) -> np.ndarray:
    """Hold ``capped``'s share at ``reference``'s, the excess spread pro rata over the rest.

    Closed form: everyone else is scaled by c = 1 / (1 - s_capped + s_reference), and the
    capped ally gets c * s_reference, which equals the reference's new share.
    """
    over = shares[capped] > shares[reference]
    scale = np.where(over, 1.0 / (1.0 - shares[capped] + shares[reference]), 1.0)
    capped_row = shares[reference] * scale
    out = shares * scale
    out[capped] = np.where(over, capped_row, shares[capped])
    return out


def cap_max(shares: np.ndarray, capped: int, maximum: float) -> np.ndarray:
    """Hold ``capped``'s share at ``maximum``, the excess spread pro rata over the rest."""
    over = shares[capped] > maximum
    rest = 1.0 - shares[capped]
    scale = np.where(over, (1.0 - maximum) / np.where(rest > 0, rest, 1.0), 1.0)
    out = shares * scale
    out[capped] = np.where(over, maximum, shares[capped])
    return out


def apply_caps(shares: np.ndarray, caps: list[tuple[int, int | None, float | None]],
               rounds: int = 200) -> np.ndarray:
    """Apply (capped, reference, maximum) caps in order, and again while one no longer holds
    (a later cap's excess, spread pro rata, can lift an ally capped before). Caps that cannot
    all hold are rejected by ``validate``; this only finds the shares when they can."""
    for _ in range(rounds):
        for capped, reference, maximum in caps:
            shares = (cap_at(shares, capped, reference) if reference is not None else
                      cap_max(shares, capped, float(maximum)))
        limit = [shares[r] if r is not None else m for _, r, m in caps]
        if all(np.all(shares[c] <= lim * (1 + 1e-12) + 1e-15)
               for (c, _, _), lim in zip(caps, limit, strict=True)):
            break
    return shares


def funding_key(baseline: Baseline, spec: FundingKey, years: list[int]) -> KeyShares:
    """The key ``spec`` over the baseline's allies for ``years``; non-members get zero."""
    members = baseline.members(np.asarray(years))
    excluded: tuple[str, ...] = ()
    status = np.where(members, "computed", "")
    source = np.where(members, KEY_METHODS[spec.name].split(":")[0], "")
    if spec.name == "nato":
        nato = nato_key(baseline, years)
        shares, status, source = nato.shares, nato.status, nato.source
    elif spec.name == "equal":
        weight = members.astype(float)
    elif spec.name == "custom":
        given = np.array([float((spec.weights or {}).get(a, 0.0)) for a in baseline.allies])
        weight = np.where(members, given[:, None], 0.0)
    else:
        series = {"population": baseline.population, "un_regular": baseline.un_scale_pct}.get(
            spec.name, baseline.gdp_usd)
        figures = series[:, baseline.year_positions(years)]
        missing = members & np.isnan(figures)
        excluded = tuple(a for a, gap in zip(baseline.allies, missing.any(axis=1), strict=True)
                         if gap)
        weight = np.where(members & ~missing, figures, 0.0)
    if spec.name != "nato":
        shares = weight / weight.sum(axis=0, keepdims=True)
    caps = ([NATO_DERIVED_CAP] if spec.name == "nato_derived" else []) + list(spec.caps)
    shares = apply_caps(shares, [(baseline.index(c.ally), None if c.at_share_of is None else
                                  baseline.index(c.at_share_of), c.max_share) for c in caps])
    method = KEY_METHODS[spec.name] + "".join(
        f"; {c.ally} held at {c.at_share_of or c.max_share}" for c in spec.caps)
    if spec.caps:
        status = np.where(members, np.char.add(status, " (capped)"), "")
    return KeyShares(shares=shares, method=method, excluded=excluded, status=status,
                     source=source)
