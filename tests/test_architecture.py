"""The house: imports only run down the pipeline, and nothing imports in a circle.

inputs -> engine -> model -> validate -> explore -> api -> present -> cli (docs/architecture.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "burden_sim"
LAYERS = ["errors", "inputs", "engine", "model", "validate", "explore", "api", "__init__",
          "present", "cli", "__main__"]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__") or "__init__"


def stage(module: str) -> int:
    top = module.split(".")[0]
    return LAYERS.index(top)


def imports(path: Path) -> set[str]:
    """The burden_sim modules a file imports (absolute or relative), at any depth."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                base = [p for p in base if p != "__init__"]
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and node.module.startswith("burden_sim"):
                target = node.module.removeprefix("burden_sim").lstrip(".")
            else:
                continue
            names = [target] if node.module else [f"{target}.{a.name}".lstrip(".")
                                                   for a in node.names]
            found.update(n or "__init__" for n in names)
    return {n for n in found if n.split(".")[0] in LAYERS or n == "__init__"}


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: {m for m in imports(path) if m != name} for name, path in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_down_the_pipeline(module):
    for target in GRAPH[module]:
        assert stage(target) <= stage(module), f"{module} imports {target}, up the pipeline"


def import_circle(edges: dict[str, set[str]]) -> list[str] | None:
    """A circle of imports in ``edges`` (module -> modules it imports), or None."""
    done, active = set(), []

    def visit(node: str) -> list[str] | None:
        if node in active:
            return [*active[active.index(node):], node]
        if node in done:
            return None
        active.append(node)
        for nxt in sorted(edges[node]):
            if circle := visit(nxt):
                return circle
        active.pop()
        done.add(node)
        return None

    return next((c for m in sorted(edges) if (c := visit(m))), None)


def test_the_circle_finder_finds_one():
    assert import_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert import_circle({"a": {"b"}, "b": set()}) is None


def test_no_import_circles():
    def known(name: str) -> str | None:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        return name or None

    edges = {m: {k for t in targets if (k := known(t)) and k != m} for m, targets in GRAPH.items()}
    circle = import_circle(edges)
    assert circle is None, "import circle: " + " -> ".join(circle or [])


def test_no_module_keeps_a_test_counter_or_a_global_cache():
    for name, path in MODULES.items():
        text = path.read_text()
        assert "_CACHE" not in text and "ENGINE_RUNS" not in text, name
