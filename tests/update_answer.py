"""Rewrite the figures docs/answer.md quotes to what tests/test_answer.py recomputes.

    .venv/bin/python tests/update_answer.py --record   # before a change, while the test passes
    ... change the code or data ...
    .venv/bin/python tests/update_answer.py            # rewrite the page's figures

The page has no generator: its prose is written by hand and the test recomputes every figure
it quotes. This runs the test with recorders in place of the page: each string the test looks
for (``"..." in FLAT``) and each table value it compares (``pytest.approx``). ``--record``
keeps the strings the test finds in the current page (``RECORD``); the rewrite runs the test
again at the current code and data, pairs its strings with the recorded ones in the order the
test asks for them (replaying the recorded answers, so an ``or`` takes the same branch), and
replaces each old string's numbers in the page (emphasis, "USD " and " million" may sit
between its words, as the test ignores them). The ally table is rebuilt and re-sorted. Figures
the test does not check are not touched: read the diff, then run the test.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "answer.md"
RECORD = Path(tempfile.gettempdir()) / "burden_sim_answer_figures.json"  # until the rewrite
NUMBER = r"[+-]?\d[\d,]*(?:\.\d+)?"
JUNK = r"(?:\*\*|USD\s+|\s+million(?![\w]))*"
TABLE_TEST = "test_the_answer_table_matches_the_scenarios"


class Recorder(str):
    """The page's text: each ``in`` is logged; when replaying, it answers as recorded."""

    plugin: Plugin

    def __contains__(self, item: object) -> bool:
        log = self.plugin.strings
        answers = self.plugin.answers
        found = answers[len(log)] if answers is not None and len(log) < len(answers) else \
            str.__contains__(self, item)
        log.append((str(item), bool(found)))
        return bool(found)


class Anything:
    """Equal to any value: the table's values are recorded, not compared."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]


class Plugin:
    """Puts recorders in tests/test_answer.py and records the table's expected values."""

    def __init__(self, answers: list[bool] | None) -> None:
        self.answers = answers
        self.strings: list[tuple[str, bool]] = []
        self.table: list[float] = []
        self.current = ""

    def pytest_collection_modifyitems(self, items) -> None:
        module = items[0].module
        for name in ("FLAT", "TEXT"):
            recorder = Recorder(getattr(module, name))
            recorder.plugin = self
            setattr(module, name, recorder)
        plugin = self

        class Shim:
            def __getattr__(self, name):
                return getattr(pytest, name)

            @staticmethod
            def approx(expected, **kwargs):
                if plugin.current == TABLE_TEST and plugin.answers is not None:
                    plugin.table.append(float(expected))
                    return Anything()
                return pytest.approx(expected, **kwargs)

        module.pytest = Shim()

    def pytest_runtest_setup(self, item) -> None:
        self.current = item.name


def _literal(flat: str) -> re.Pattern:
    """Regex for ``flat`` in the raw page, its numbers captured, junk between tokens."""
    parts = re.split(f"({NUMBER})", flat)
    out = [JUNK]
    for k, part in enumerate(parts):
        if k % 2:
            out.append(f"({re.escape(part)})")
        else:
            for ch in part:
                out.append(r"\s+" if ch == " " else re.escape(ch))
                out.append(JUNK)
        out.append(JUNK)
    return re.compile("".join(out))


def replace_strings(text: str, pairs: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """Every occurrence of each old string with the new string's numbers; the old strings
    not found."""
    edits, missing = {}, []
    for old, new in dict.fromkeys(pairs):
        numbers = re.findall(NUMBER, new)
        if old == new or not numbers:
            continue
        matches = list(_literal(old).finditer(text))
        if not matches or len(re.findall(NUMBER, old)) != len(numbers):
            missing.append(old)  # a figure that gained or lost a number: edit it by hand
            continue
        for m in matches:
            for k, number in enumerate(numbers):
                edits[m.span(k + 1)] = number
    for (a, b), number in sorted(edits.items(), reverse=True):
        text = text[:a] + number + text[b:]
    return text, missing


def replace_table(text: str, values: list[float]) -> str:
    """The ally table's rows at ``values`` (9 a row, in the page's order), sorted by change."""
    lines = text.splitlines(keepends=True)
    positions = []
    pattern = re.compile(r"^\| ([A-Z]{3}) \| [\d,.]+ \| ")
    for k, line in enumerate(lines):
        if pattern.match(line):
            positions.append(k)
    assert len(values) == 9 * len(positions), (len(values), len(positions))
    rows = []
    for j, k in enumerate(positions):
        ally = pattern.match(lines[k]).group(1)
        v = values[9 * j: 9 * j + 9]
        rows.append((v[3], f"| {ally} | {v[0]:,.1f} | {v[1]:,.1f} to {v[2]:,.1f} | "
                           f"{v[3]:+,.1f} | {v[4]:+,.1f} to {v[5]:+,.1f} | {v[6]:+.2f} | "
                           f"{v[7]:+.2f} to {v[8]:+.2f} |\n"))
    for k, (_, line) in zip(positions, sorted(rows, key=lambda r: r[0]), strict=True):
        lines[k] = line
    return "".join(lines)


def _run(answers: list[bool] | None) -> Plugin:
    plugin = Plugin(answers)
    pytest.main([str(ROOT / "tests" / "test_answer.py"), "-q", "-p", "no:cacheprovider"],
                plugins=[plugin])
    return plugin


def main() -> int:
    if "--record" in sys.argv:
        plugin = _run(None)
        RECORD.write_text(json.dumps(plugin.strings), encoding="utf-8")
        print(f"{RECORD}: {len(plugin.strings)} strings recorded")
        return 0
    recorded = [tuple(x) for x in json.loads(RECORD.read_text(encoding="utf-8"))]
    plugin = _run([found for _, found in recorded])
    if len(plugin.strings) != len(recorded):
        print("the test asked for other strings than recorded: edit by hand")
        return 1
    pairs = [(old, new) for (old, found), (new, _) in zip(recorded, plugin.strings,
                                                           strict=True) if found]
    text, missing = replace_strings(PAGE.read_text(encoding="utf-8"), pairs)
    PAGE.write_text(replace_table(text, plugin.table), encoding="utf-8")
    for old in missing:
        print(f"not found, edit by hand: {old}")
    RECORD.unlink()
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
