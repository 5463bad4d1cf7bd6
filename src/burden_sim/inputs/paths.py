"""Address a scenario's numeric fields by dotted path, e.g. ``policy.fraction``.

Missions are addressed by id (``missions.efp_latvia.contributions.0.troops``) and unit costs by
category (``unit_costs.person_year`` is the central value).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import numpy as np

from ..errors import OptionError
from .schema import Scenario, Uncertain, UnitCost, merged_cost

VECTORISED = ("policy.fraction", "policy.annual_cap_usd")
EXAMPLES = "e.g. policy.fraction, unit_costs.person_year, projection.gdp_growth_pct"


class PathError(ValueError):
    """A dotted path that names no numeric field."""


class MissingBlock(PathError):
    """A path into an optional block the scenario leaves out (``projection:``)."""


def canonical(path: str) -> str:
    """``unit_costs.X`` means its central value."""
    parts = path.split(".")
    if parts[0] == "unit_costs" and len(parts) == 2:
        return f"{path}.central"
    return path


def with_unit_costs(scenario: Scenario, defaults: dict[str, UnitCost]) -> dict[str, Any]:
    """The scenario as a plain mapping, with every unit cost present (shipped or overridden)."""
    data = scenario.model_dump(exclude_none=False)
    data["unit_costs"] = {name: merged_cost(defaults.get(name, cost), cost).model_dump()
                          for name, cost in {**defaults, **scenario.unit_costs}.items()}
    return data


def _step(node: Any, part: str, path: str, depth: int) -> tuple[Any, Any]:
    """The container and key of ``part``, the ``depth``-th part of ``path``, in ``node``."""
    if isinstance(node, dict):
        key: Any = int(part) if part.isdigit() and int(part) in node else part
        if key in node:
            return node, key
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return node, int(part)
        ids = [item.get("id") for item in node if isinstance(item, dict)]
        if part in ids:
            return node, ids.index(part)
    if node is None:  # an optional block the scenario leaves out, e.g. projection:
        block = ".".join(canonical(path).split(".")[:depth])
        raise MissingBlock(f"{path}: the scenario has no {block}: block; add one to set it")
    raise PathError(f"{path}: names no field of the scenario ({EXAMPLES})")


def get_value(data: dict[str, Any], path: str) -> float:
    """The number at ``path`` (NaN for an optional number not set)."""
    node: Any = data
    for depth, part in enumerate(canonical(path).split(".")):
        parent, key = _step(node, part, path, depth)
        node = parent[key]
    if node is None:  # an optional number not set, e.g. policy.annual_cap_usd
        return float("nan")
    if isinstance(node, bool) or not isinstance(node, int | float):
        raise PathError(f"{path}: is not a number ({EXAMPLES})")
    return float(node)


def set_values(data: dict[str, Any], values: dict[str, float]) -> dict[str, Any]:
    """A copy of ``data`` with each path set (the caller re-validates the result)."""
    out = copy.deepcopy(data)
    for path, value in values.items():
        node: Any = out
        parts = canonical(path).split(".")
        for depth, part in enumerate(parts[:-1]):
            parent, key = _step(node, part, path, depth)
            node = parent[key]
        parent, key = _step(node, parts[-1], path, len(parts) - 1)
        parent[key] = value
    return out


def parse_set(option: str) -> tuple[str, Uncertain]:
    """``PATH=a,b,c`` (values) or ``PATH=start:stop:count`` (evenly spaced), as ``--set``
    writes them."""
    import numpy as np

    path, _, text = option.partition("=")
    usage = OptionError("set", option, "expected PATH=VALUES, e.g. policy.fraction=0,0.5,1 or "
                        "policy.fraction=0:1:11")
    if not path or not text:
        raise usage
    try:
        if text.count(":") == 2:
            start, stop, count = text.split(":")
            values = np.linspace(float(start), float(stop), int(count)).tolist()
        else:
            values = [float(v) for v in text.split(",")]
    except ValueError:
        raise usage from None
    if not values:
        raise usage
    if not all(math.isfinite(v) for v in values):
        raise OptionError("set", option, "values must be finite numbers")
    return path.strip(), Uncertain(values=values)


def parse_setting(option: str) -> tuple[str, Any]:
    """``PATH=VALUE`` as ``--set`` on run, compare and report writes it; VALUE is read as
    YAML (``0.6``, ``gdp``, ``null``, ``{name: population}``)."""
    import yaml

    path, _, text = option.partition("=")
    if not path.strip() or not text.strip():
        raise OptionError("set", option, "expected PATH=VALUE, e.g. policy.fraction=0.6 or "
                          "policy.key=gdp")
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        raise OptionError("set", option, "the value is not valid YAML") from None
    except ValueError as exc:  # a date YAML reads, but no calendar has (2022-02-30)
        raise OptionError("set", option, f"the value is not a valid date ({exc}); quote it "
                          "to give it as text") from None
    return path.strip(), value


def _known_paths(node: Any, prefix: str = "") -> list[str]:
    """Dotted paths of every field below ``node`` (lists of missions by id)."""
    found = []
    items = (node.items() if isinstance(node, dict) else
             ((item.get("id", i) if isinstance(item, dict) else i, item)
              for i, item in enumerate(node)) if isinstance(node, list) else ())
    for key, value in items:
        path = f"{prefix}{key}"
        found.append(path)
        found += _known_paths(value, path + ".")
    return found


def with_settings(scenario: Scenario, settings: dict[str, Any],
                  defaults: dict[str, UnitCost], flag: str = "set") -> Scenario:
    """The scenario with fields replaced by dotted path, validated again; errors name the
    setting as an option (``set policy.fraction=abc: Input should be a valid number``; the
    command line names its flag, ``--set``)."""
    import difflib

    from pydantic import ValidationError

    if not settings:
        return scenario
    data = scenario.model_dump(exclude_none=False)
    for name, cost in scenario.unit_costs.items():  # written out whole: the shipped fields
        if name in defaults:  # it leaves out must be the shipped ones, not the defaults
            data["unit_costs"][name] = merged_cost(defaults[name], cost).model_dump()
    for path, value in settings.items():
        parts = canonical(path).split(".")
        if len(path.split(".")) == 2 and parts[0] == "unit_costs" and isinstance(value, dict):
            data["unit_costs"][parts[1]] = value  # a whole unit cost, not its central value
            continue
        if parts[0] == "unit_costs" and len(parts) == 3 and parts[1] in defaults:
            shipped = defaults[parts[1]].model_dump()
            given = data["unit_costs"].get(parts[1], {})  # an earlier {central: ...} too
            if given.get("currency", shipped["currency"]) == shipped["currency"]:
                data["unit_costs"][parts[1]] = {**shipped, **given}  # else: its own range
        try:
            data = set_values(_expanded(data, path), {path: value})
        except MissingBlock as exc:
            raise OptionError(flag, f"{path}={as_typed(value)}",
                              str(exc).removeprefix(f"{path}: ")) from None
        except PathError:
            known = _known_paths(with_unit_costs(scenario, defaults))
            close = difflib.get_close_matches(path, known, n=1)
            hint = (f"did you mean {close[0]}?" if close and close[0] != path else
                    "a parameters: entry is set whole, --set 'parameters={...}'"
                    if path.startswith("parameters.") else EXAMPLES)
            raise OptionError(flag, f"{path}={as_typed(value)}", f"names no field of the scenario "
                              f"({hint})") from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        parts = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
        loc = ".".join(str(p) for p in parts)
        path = next((p for p in settings if loc.startswith(canonical(p))), next(iter(settings)))
        message = err["msg"].removeprefix("Value error, ")
        field = "" if loc == canonical(path) else f"{location(parts)}: "
        raise OptionError(flag, f"{path}={as_typed(settings[path])}", f"{field}{message}"
                          ) from None


def _expanded(data: dict, path: str) -> dict:
    """``data`` with its shorthand and defaults filled in when ``path`` is not in it yet but
    would be (an earlier --set gave policy.key=gdp, and this one sets policy.key.caps);
    ``data`` itself when the path is there, or the scenario is not valid as it stands."""
    from pydantic import ValidationError

    try:
        get_value(data, path)
        return data
    except PathError:
        pass
    try:
        expanded = Scenario.model_validate(data).model_dump(exclude_none=False)
    except ValidationError:
        return data
    # unit costs stay as given: a dump would write out the fields a partial one leaves to
    # the shipped cost ({central: 19321} for a USD flight hour would become EUR, no range)
    return {**expanded, "unit_costs": data.get("unit_costs", {})}


def location(loc: tuple[str | int, ...]) -> str:
    """A field's place as errors name it, the same for a file and a --set:
    ``policy.key.caps[0].max_share``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def plain(value: object) -> object:
    """A value as YAML would read it: numpy numbers and arrays (what a notebook takes out of
    np.linspace or a Dataset) become Python numbers and lists."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


_SCALARS = (type(None), bool, int, float, str, date, datetime)


def checked_settings(settings: object, name: str = "set") -> dict[str, object]:
    """``set=`` from Python: a mapping of dotted paths (str) to values YAML can hold, numpy
    numbers and arrays made plain (``plain``); anything else is an error naming ``name``."""
    if not isinstance(settings, Mapping):
        raise OptionError(name, shown(settings), "give a mapping of dotted paths to values, "
                          "e.g. {'policy.fraction': 0.5}")
    out = {}
    for path, value in settings.items():
        if not isinstance(path, str):
            raise OptionError(name, shown(path), "a path is a str, e.g. 'policy.fraction'")
        out[path] = plain(value)
        bad = _not_yaml(out[path])
        if bad is not None:
            raise OptionError(name, f"{path}={shown(value)}", f"a {type(bad).__name__} is not "
                              "a value a scenario holds (give a number, str, bool, date, None, "
                              "or a list or mapping of them)")
    return out


def _not_yaml(value: object) -> object | None:
    """The first part of ``value`` that is no plain YAML value (None if all are)."""
    if isinstance(value, dict):
        parts = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        parts = value
    else:
        return None if type(value) in _SCALARS else value
    return next((bad for bad in map(_not_yaml, parts) if bad is not None), None)


def shown(value: object) -> str:
    """A value as an error quotes it: its repr, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_typed(value: object) -> str:
    """A --set value as YAML on one line, as a user types it ([efp_estonia], {name: gdp})."""
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6,
                          sort_keys=False)
    return " ".join(text.strip().removesuffix("...").split())
