"""The analysts' notebook runs top to bottom and shows real numbers."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

import burden_sim

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "compare_policies.ipynb"


def text_of(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_notebook_runs_and_holds_real_numbers():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not any(o.output_type == "error" for o in c.outputs) for c in code)
    summary = text_of(code[2])
    assert "Under the common fund" in summary and "Largest gain: GBR" in summary
    table = text_of(code[1])
    assert "change, common_fund, % of GDP" in table and "CZE" in table
    swept = text_of(code[4])
    assert "0.0" in swept and "1.0" in swept and "USA" in swept
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 3  # change bars, the sweep curve, the spending scatter
    scenarios = NOTEBOOK.parents[2] / "scenarios"
    counts = [int(burden_sim.simulate(scenarios / f"{name}.yaml")["allies_at_2pct"].sel(
        year=2024)) for name in ("deploying_nation_pays", "common_fund")]
    assert (f"allies at or above 2 % in 2024: {counts[0]} without a fund, {counts[1]} with "
            "it") in text_of(code[-1])
