"""Docs that cannot rot: every shell command and Python block of README.md and docs/*.md runs.

Each document runs in its own temporary copy of the repository, its blocks in order (a block may
use the files an earlier one wrote). ``burden-sim ...`` commands run in-process through the typer
app, so the whole set stays fast; other shell commands (``cp``, ``mkdir``, ...) and the commands
in ``REAL`` run as real subprocesses, the latter through the installed console script. Python
blocks of one document share a namespace, like a notebook's cells.

A block that cannot run here carries ``<!-- docs-test: skip REASON -->`` on the line before its
fence (a cluster address, a fresh install). ``SKIPPED`` lists those blocks, so that skipping one
more is a deliberate change to this file.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from burden_sim.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\s*$")
SKIP = re.compile(r"^<!-- docs-test: skip (.+) -->$")
LANGUAGES = {"bash": "shell", "sh": "shell", "shell": "shell", "python": "python"}
IGNORE = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", ".pytest_cache",
                                ".ruff_cache", ".hypothesis")
# (document, first line of the block): blocks marked skip, and why they cannot run in a test.
SKIPPED = {
    ("README.md", "# 1. set up and run the default scenario (the common fund)"):
        "creates a virtual environment and installs from the package index (CI runs it)",
    ("docs/getting-started.md", "python3 -m venv .venv && .venv/bin/pip install -q -c "
     "requirements.lock -e . && .venv/bin/burden-sim run scenarios/common_fund.yaml"):
        "the same install",
    ("docs/getting-started.md", "source .venv/bin/activate"): "changes the reader's shell",
    ("docs/sweeps.md", "# on the scheduler machine"): "needs a Dask cluster on other machines",
}
# Run through the installed console script, so that the entry point itself is exercised.
REAL = {"burden-sim validate scenarios/common_fund.yaml"}
# Blocks that fail today (document, index among its runnable blocks): removed as they are fixed.
XFAIL: dict[tuple[str, int], str] = {}


@dataclass(frozen=True)
class Block:
    document: str
    index: int  # among the document's shell and Python blocks
    language: str  # "shell" or "python"
    line: int  # of the opening fence, 1-based
    text: str
    skip: str | None

    @property
    def first_line(self) -> str:
        return self.text.splitlines()[0].strip() if self.text.strip() else ""


def blocks(document: str) -> list[Block]:
    """The shell and Python blocks of a Markdown file, with their skip markers."""
    lines = (ROOT / document).read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        language = LANGUAGES.get(match.group(1))
        if language is not None:
            marker = SKIP.match(lines[i - 1].strip()) if i else None
            found.append(Block(document, len(found), language, i + 1,
                               "\n".join(lines[i + 1:end]) + "\n",
                               marker.group(1) if marker else None))
        i = end + 1
    return found


ALL = [b for d in DOCS for b in blocks(d)]


def commands(text: str) -> list[str]:
    """Shell lines with continuations joined and comments dropped; ``a && b`` is two."""
    joined = re.sub(r"\\\n\s*", " ", text)
    out = []
    for line in joined.splitlines():
        tokens = shlex.split(line, comments=True)
        if not tokens:
            continue
        if any(t in {"|", ";", ">", ">>", "<", "||"} for t in tokens):
            out.append(line)  # needs a real shell, whole
            continue
        command: list[str] = []
        for token in [*tokens, "&&"]:
            if token == "&&":
                if command:
                    out.append(shlex.join(command))
                command = []
            else:
                command.append(token)
    return out


class Workspace:
    """A document's copy of the repository and its Python namespace."""

    def __init__(self, root: Path) -> None:
        shutil.copytree(ROOT, root, ignore=IGNORE)
        self.root = root
        self.namespace: dict = {"__name__": "__docs__"}


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    made: dict[str, Workspace] = {}

    def get(document: str) -> Workspace:
        if document not in made:
            made[document] = Workspace(tmp_path_factory.mktemp("docs") / "repo")
        return made[document]

    return get


def run_shell(command: str, cwd: Path) -> tuple[int, str]:
    """Run one documented command; its exit code and what it printed."""
    tokens = shlex.split(command)
    program = Path(tokens[0]).name if tokens else ""
    if program == "burden-sim" and command not in REAL and "|" not in command:
        result = CliRunner().invoke(app, tokens[1:], catch_exceptions=False)
        return result.exit_code, f"{command}\n{result.output}"
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if program == "burden-sim":
        command = command.replace(tokens[0], "burden-sim", 1)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    return done.returncode, f"{command}\n{done.stdout}\n{done.stderr}"


def defined_names(text: str) -> set[str]:
    """Names a Python block assigns or imports at its top level."""
    import ast

    names = set()
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def _marks(block: Block) -> list:
    reason = XFAIL.get((block.document, block.index))
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@pytest.mark.parametrize("block", [pytest.param(b, id=f"{b.document}#{b.index}", marks=_marks(b))
                                   for b in ALL])
def test_block_runs(block, workspaces, monkeypatch):
    if block.skip is not None:
        pytest.skip(block.skip)
    space = workspaces(block.document)
    monkeypatch.chdir(space.root)
    if block.language == "python":
        exec(compile(block.text, f"{block.document}:{block.line}", "exec"), space.namespace)
        missing = defined_names(block.text) - set(space.namespace)
        assert not missing, f"{block.document}:{block.line} did not define {sorted(missing)}"
        return
    for command in commands(block.text):
        code, output = run_shell(command, space.root)
        assert code == 0, output


def test_skipped_blocks_are_the_listed_ones():
    marked = {(b.document, b.first_line): b.skip for b in ALL if b.skip is not None}
    assert set(marked) == set(SKIPPED)


def test_every_document_has_a_block_checked():
    assert {b.document for b in ALL if b.skip is None} >= {"README.md",
                                                           "docs/getting-started.md",
                                                           "docs/sweeps.md"}


def test_commands_are_split_as_a_shell_would():
    text = "a x \\\n   --y 1  # note\n# only a comment\nb && c 'd e'\nf | g\n"
    assert commands(text) == ["a x --y 1", "b", "c 'd e'", "f | g"]


def test_getting_started_sweeps_the_shipped_person_year_range():
    """Its grid's 'low, calibrated and high' person-year costs are unit_costs.csv's."""
    from burden_sim.inputs.baseline import load_baseline

    cost = load_baseline().unit_costs["person_year"]
    text = (ROOT / "docs" / "getting-started.md").read_text()
    assert (f"unit_costs.person_year={cost.low:.0f},{cost.central:.0f},{cost.high:.0f} "
            in text)
