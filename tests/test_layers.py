"""Imports only go down: the layers of docs/architecture.md, checked over the source.

Bottom to top: the foundation (errors and messages, names, SQL text, the database and run folder, the vocabulary,
the result types), rules and profiles, sources, the engine, the pipeline, outputs, the command line. A module may
import from its own layer or one below; no two modules import each other, directly or round a circle; no module
imports another's private (`_name`) names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import REPO

SRC = REPO / "src" / "tiercli"

LAYERS: list[set[str]] = [
    {"messages", "errors", "i18n", "version", "names", "limits", "sqltext", "runfolder", "database", "progress", "vocabulary", "result"},
    {"rules", "profiles"},
    {"sources"},
    {"engine"},
    {"pipeline"},
    {"outputs"},
    {"cli", "__main__"},
]


def layer(module: str) -> int:
    top = module.removeprefix("tiercli.").split(".")[0]
    found = [i for i, names in enumerate(LAYERS) if top in names]
    assert found, f"{module} is in no layer: add its package to LAYERS and to docs/architecture.md"
    return found[0]


def modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        name = ".".join(("tiercli", *path.relative_to(SRC).with_suffix("").parts)).removesuffix(".__init__")
        found[name] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> Iterator[tuple[str, str]]:
    """(module imported, name imported or "") for each tiercli import of the file, wherever it stands."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "tiercli":
            for alias in node.names:
                whole = f"{node.module}.{alias.name}"
                yield (whole, "") if whole in known else (node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "tiercli":
                    yield alias.name, ""


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {target for target, _ in imports(path, known) if target != name and target in known}
            for name, path in known.items()}


def test_no_module_imports_from_a_higher_layer() -> None:
    upward = [f"{a} → {b}" for a, targets in graph().items() for b in targets if layer(b) > layer(a)]
    assert upward == []


def test_there_is_no_import_circle() -> None:
    edges = graph()
    circles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                circles.append(" → ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert circles == []


def test_no_private_name_is_imported_from_another_module() -> None:
    known = modules()
    private = [f"{name} imports {target}.{what}" for name, path in known.items()
               for target, what in imports(path, known) if what.startswith("_")]
    assert private == []


def test_the_layer_check_sees_a_violation() -> None:
    assert layer("tiercli.engine.clean") > layer("tiercli.sources.readers") > layer("tiercli.vocabulary.metrics")
    assert layer("tiercli.cli.app") == len(LAYERS) - 1
