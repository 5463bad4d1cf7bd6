"""Reading a scenario file: YAML that remembers the line of every key, validated by the schema,
so that every error names the file, the line and the field."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import ScenarioError
from .schema import (
    Change,
    Contribution,
    Deployment,
    FundingKey,
    KeyCap,
    Mission,
    Policy,
    Projection,
    Scenario,
    Surge,
    Uncertain,
    UnitCost,
    Years,
)

Path_ = tuple[str | int, ...]


def load_yaml_with_lines(path: Path) -> tuple[Any, dict[Path_, int]]:
    """Return the parsed document and a map from key path to 1-based line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(path, "file", f"cannot read it ({exc.strerror})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(path, "yaml", f"not valid YAML ({problem})", line) from None
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            lines[child] = key.start_mark.line + 1
            _walk(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of the deepest known prefix of ``path``."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _loc_to_text(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _did_you_mean(name: str) -> str:
    known = {f for model in (Scenario, Years, Mission, Contribution, UnitCost, Policy, FundingKey,
                          KeyCap, Projection, Uncertain, Deployment, Surge, Change)
             for f in model.model_fields}
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class Origin:
    """Where a scenario's fields were read: to name the file and line of a problem."""

    path: Path = Path("<scenario>")
    lines: dict = field(default_factory=dict)
    missions_path: Path | None = None
    missions_lines: dict = field(default_factory=dict)

    def error(self, loc: tuple[str | int, ...], message: str) -> ScenarioError:
        """A one-line error for the field at ``loc`` (missions may live in their own file)."""
        if loc[:1] == ("missions",) and self.missions_path is not None:
            path, lines = self.missions_path, self.missions_lines
        else:
            path, lines = self.path, self.lines
        return ScenarioError(path, _loc_to_text(loc), message, line_of(lines, loc))


def load_scenario(path: str | Path) -> tuple[Scenario, Origin]:
    """Parse and validate a scenario file (structure only; ``validate.check_scenario``
    checks it against the baseline).

    ``missions:`` may be a list, or the path of a YAML file (relative to the scenario)
    whose ``missions:`` list several scenarios share.
    """
    path = Path(path)
    data, lines = load_yaml_with_lines(path)
    if not isinstance(data, dict):
        raise ScenarioError(path, "(top level)", "expected a mapping of scenario fields", 1)
    origin = Origin(path, lines)
    if isinstance(data.get("missions"), str):
        included = path.parent / data["missions"]
        if not included.is_file():
            raise origin.error(("missions",), f"no missions file {data['missions']!r} next to "
                               "the scenario")
        block, block_lines = load_yaml_with_lines(included)
        if not isinstance(block, dict) or set(block) != {"missions"}:
            raise ScenarioError(included, "(top level)", "a missions file holds one key, "
                                "missions: a list of missions", 1)
        data = {**data, "missions": block["missions"]}
        origin = Origin(path, lines, included, block_lines)
    try:
        return Scenario.model_validate(data), origin
    except ValidationError as exc:
        # A misspelt key also makes a required one "missing": report the typo first.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        err = errors[0]
        loc = tuple(p for p in err["loc"] if not str(p).startswith("function-after"))
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field" + _did_you_mean(str(loc[-1]))
        elif err["type"] == "literal_error":
            message = f"{message}, got {err['input']!r}"
        more = len(exc.errors()) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise origin.error(loc, message) from None
