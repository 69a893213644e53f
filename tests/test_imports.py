"""No import cycles among review, workers and media, read from the source with `ast`.

Every import counts, also those inside functions and under TYPE_CHECKING: a lazy import only
hides a cycle from the interpreter, not from the reader (services/analyses ↔ services/pipeline
was one). The one edge left out is a module importing a package it lies in (a route module's
`from review.activist import bp`): Python has initialised that package before the module runs,
so the edge adds no ordering, and a blueprint package importing its route modules from its
`__init__` is the layout we want.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("review", "workers", "media")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Return the project modules that module `name` imports anywhere in its source."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:  # `from pkg import module` imports pkg.module
                child = f"{source}.{alias.name}"
                found.add(child if child in modules else source)
    return {m for m in found if m in modules and m != name and not name.startswith(f"{m}.")}


def import_graph() -> dict[str, set[str]]:
    """Return each project module's imports of other project modules."""
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycles():
    assert find_cycles(import_graph()) == []


def test_the_graph_sees_lazy_and_package_imports():
    graph = import_graph()
    # a function-level import (pipeline queues the analyses of a ready video)
    assert "review.services.analyses" in graph["review.services.pipeline"]
    # `from review.services import pipeline` is an edge to the module, not to the package
    assert "review.services.pipeline" in graph["workers.jobs"]
    # a blueprint package imports its route modules; their import of the package is left out
    assert "review.activist.routes" in graph["review.activist"]
    assert "review.activist" not in graph["review.activist.routes"]


def test_find_cycles_reports_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"]]


def test_ffmpeg_is_run_from_plain_argument_lists():
    # ffmpeg-python (last release 2019, pulls in `future`) was dropped from setup.cfg:
    # media/transcode.py builds its filter graph as text, like the rest of media/.
    assert not [name for name, deps in _raw_imports().items() if "ffmpeg" in deps]


def _raw_imports() -> dict[str, set[str]]:
    """Return each project module's top-level imported package names (third-party included)."""
    found: dict[str, set[str]] = {}
    for name, path in _modules().items():
        names = found.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module.split(".")[0])
    return found
