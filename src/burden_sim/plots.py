"""Matplotlib figures. Each is labelled with units, the data edition and the scenario."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .results import write_atomically  # noqa: E402


def sobol_bars(indices: pd.DataFrame, title: str, note: str, path: Path) -> Path:
    """First-order and total Sobol indices with their 95 % confidence intervals."""
    fig, ax = plt.subplots(figsize=(7, 0.6 * len(indices) + 1.8))
    rows = range(len(indices))
    ax.barh([r + 0.2 for r in rows], indices["ST"], 0.38, xerr=indices["ST_conf"],
            label="total (ST)", color="#4c72b0")
    ax.barh([r - 0.2 for r in rows], indices["S1"], 0.38, xerr=indices["S1_conf"],
            label="first order (S1)", color="#dd8452")
    ax.set_yticks(list(rows), indices.index)
    ax.set_xlabel("Sobol index (share of output variance), with 95 % confidence intervals")
    ax.set_xlim(left=min(0.0, float(indices[["S1", "ST"]].min().min()) - 0.05))
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8,
              frameon=False)
    fig.text(0.01, 0.01, note, fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    try:
        return write_atomically(path, lambda tmp: fig.savefig(tmp, format=path.suffix[1:],
                                                              dpi=150))
    finally:
        plt.close(fig)
