"""Funding keys: each ally's share k[a, y] of what a common fund spends (columns sum to 1).

NATO's published per-ally cost-share tables could not be retrieved for this baseline, so the
default key is a labelled derivation (docs/data.md): GDP shares, with the United States'
share held at Germany's as NATO's 2021-2024 arrangement did.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .baseline import Baseline

KEY_METHODS = {
    "nato_derived": "derived: GDP shares of members, US share held at Germany's "
    "(published NATO cost-share tables not shipped; docs/data.md)",
    "gdp": "GDP shares of members (current USD, NATO tables)",
    "equal": "equal shares of members",
}


@dataclass(frozen=True)
class FundingKey:
    shares: np.ndarray  # [ally, year], each column sums to 1
    method: str
    excluded: tuple[str, ...]  # members with no figure, who therefore pay nothing


def cap_at(shares: np.ndarray, capped: int, reference: int) -> np.ndarray:
    """Hold ``capped``'s share at ``reference``'s, the excess spread pro rata over the rest.

    Closed form: everyone else is scaled by c = 1 / (1 - s_capped + s_reference), and the
    capped ally gets c * s_reference, which equals the reference's new share.
    """
    shares = shares.copy()
    over = shares[capped] > shares[reference]
    scale = 1.0 / (1.0 - shares[capped] + shares[reference])
    capped_row = shares[reference] * scale
    shares[:, over] *= scale[over]
    shares[capped, over] = capped_row[over]
    return shares


def funding_key(baseline: Baseline, name: str, years: list[int]) -> FundingKey:
    """Key ``name`` over the baseline's allies for ``years``; non-members get zero."""
    if name not in KEY_METHODS:
        raise ValueError(f"unknown funding key {name!r}")
    members = baseline.members(np.asarray(years))
    if name == "equal":
        weight = members.astype(float)
        excluded: tuple[str, ...] = ()
    else:
        gdp = baseline.gdp_usd[:, baseline.year_positions(years)]
        missing = members & np.isnan(gdp)
        excluded = tuple(a for a, gap in zip(baseline.allies, missing.any(axis=1),
                                             strict=True) if gap)
        weight = np.where(members & ~missing, gdp, 0.0)
    shares = weight / weight.sum(axis=0, keepdims=True)
    if name == "nato_derived":
        shares = cap_at(shares, baseline.index("USA"), baseline.index("DEU"))
    return FundingKey(shares=shares, method=KEY_METHODS[name], excluded=excluded)
