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
from .paths import location
from .schema import Scenario, field_names

Path_ = tuple[str | int, ...]


NODE_BUDGET = 200_000  # nodes after aliases expand: ~15x the largest shipped file


# libyaml's parser when PyYAML has it (the shipped wheels do): composing the missions file
# takes a tenth of the pure-Python parser's time (0.17 s of validate's 0.59 s).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """Safe YAML whose impossible dates stay text, for the schema to reject with a line."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _short(value: object, limit: int = 60) -> str:
    """``repr`` of a value from a file, cut to ``limit`` characters (never echo a file)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_yaml_with_lines(path: Path) -> tuple[Any, dict[Path_, int]]:
    """Return the parsed document and a map from key path to 1-based line number.

    Rejects (one line each) text that is not UTF-8, duplicate keys, and aliases that expand
    to more than ``NODE_BUDGET`` nodes (a "billion laughs" file).
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(path, "file", f"cannot read it ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(path, "file", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                            "save it as UTF-8", line) from None
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is not None:
            _check_size(path, node)
            lines: dict[Path_, int] = {}
            _walk(path, node, (), lines)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        if isinstance(exc, yaml.reader.ReaderError):
            line = text[: exc.position].count("\n") + 1
        problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or \
            str(exc).splitlines()[0]
        raise ScenarioError(path, "yaml", f"not valid YAML ({problem})", line) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, ({} if node is None else lines)


def _check_size(path: Path, root: yaml.Node) -> None:
    """Count the nodes of the document as aliases expand it, without expanding it."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()  # the nodes being counted: the ancestors of the one popped next
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:  # post-order: a node's size once its children's are known
        node, ready = stack.pop()
        children = [c for pair in node.value for c in pair] if isinstance(
            node, yaml.MappingNode) else node.value if isinstance(node, yaml.SequenceNode) else []
        if not ready:
            if id(node) in open_:
                raise ScenarioError(path, "yaml", "an alias refers to a node that holds it "
                                    "(a cycle); write the values out", node.start_mark.line + 1)
            if id(node) not in sizes:
                open_.add(id(node))
                stack.append((node, True))
                stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        open_.discard(id(node))
        size = 1 + sum(sizes.get(id(c), NODE_BUDGET) for c in children)
        sizes[id(node)] = size
        if size > NODE_BUDGET:
            raise ScenarioError(path, "yaml", f"aliases expand the document to more than "
                                f"{NODE_BUDGET:,} nodes; write the values out",
                                node.start_mark.line + 1)


def _walk(path: Path, node: yaml.Node, at: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(at, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
            line = key.start_mark.line + 1
            if name in first and name != "<<":
                raise ScenarioError(path, location((*at, name)), f"duplicate key (first "
                                    f"on line {first[name]})", line)
            first[name] = line
            child = (*at, name)
            lines[child] = line
            _walk(path, value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(path, item, (*at, index), lines)


def line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of the deepest known prefix of ``path`` (a mapping's number keys, such as
    phase-in years, are looked up as written)."""
    for end in range(len(path), -1, -1):
        for key in (path[:end], tuple(str(p) if isinstance(p, int) else p
                                      for p in path[:end])):
            if key in lines:
                return lines[key]
    return None


def _did_you_mean(name: str) -> str:
    close = difflib.get_close_matches(name, sorted(field_names()), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class Origin:
    """Where a scenario's fields were read: to name the file and line of a problem."""

    path: Path | str = "<scenario>"  # a file, or a label (a scenario changed by --set)
    lines: dict = field(default_factory=dict)
    missions_path: Path | None = None
    missions_lines: dict = field(default_factory=dict)

    def error(self, loc: tuple[str | int, ...], message: str) -> ScenarioError:
        """A one-line error for the field at ``loc`` (missions may live in their own file)."""
        if loc[:1] == ("missions",) and self.missions_path is not None:
            path, lines = self.missions_path, self.missions_lines
        else:
            path, lines = self.path, self.lines
        return ScenarioError(path, location(loc), message, line_of(lines, loc))


def _missions_file(scenario: Path, name: str, origin: Origin) -> Path:
    """The missions file a scenario names: in the scenario's folder or below, never elsewhere
    (a scenario must not read arbitrary files)."""
    folder = scenario.resolve().parent
    included = (folder / name).resolve()
    if Path(name).is_absolute() or not included.is_relative_to(folder):
        raise origin.error(("missions",), f"the missions file must be in the scenario's "
                           f"folder or below it, got {_short(name)}")
    if not included.is_file():
        raise origin.error(("missions",), f"no missions file {_short(name)} next to the "
                           "scenario")
    return scenario.parent / name


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
    if set(data) == {"missions"} and isinstance(data["missions"], list):
        raise ScenarioError(path, "(top level)", "this is a missions file (missions: only); "
                            "a scenario names it in its missions: field", 1)
    origin = Origin(path, lines)
    if isinstance(data.get("missions"), str):
        included = _missions_file(path, data["missions"], origin)
        block, block_lines = load_yaml_with_lines(included)
        if not isinstance(block, dict) or set(block) != {"missions"}:
            raise ScenarioError(included, "(top level)", "a missions file holds one key, "
                                "missions: a list of missions", 1)
        if block["missions"] == []:
            raise ScenarioError(included, "missions", "the list is empty: give at least one "
                                "mission", line_of(block_lines, ("missions",)))
        data = {**data, "missions": block["missions"]}
        origin = Origin(path, lines, included, block_lines)
    try:
        return Scenario.model_validate(data), origin
    except ValidationError as exc:
        # A misspelt key also makes a required one "missing": report the typo first.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        err = errors[0]
        loc = tuple(p for p in err["loc"]
                    if not str(p).startswith("function-after") and p != "[key]")
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field" + _did_you_mean(str(loc[-1]))
        elif err["type"] == "literal_error" or err["type"].startswith(("date_", "datetime_")):
            message = f"{message}, got {_short(err['input'])}"
        more = len(exc.errors()) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise origin.error(loc, message) from None
