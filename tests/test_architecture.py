"""The import rules of docs/architecture.md: imports point down only, with no cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "verwijsindex_core"
DOMAIN = {
    "verwijsindex_core.matching._model",
    "verwijsindex_core.matching._rules",
    "verwijsindex_core.matching._policy",
    "verwijsindex_core.matching._clock",
    "verwijsindex_core.matching._args",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every verwijsindex_core module the file imports at run time (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("verwijsindex_core"):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("verwijsindex_core"))
    return found


GRAPH = {module_name(p): imports_of(p) for p in SRC.rglob("*.py")}


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


@pytest.mark.parametrize(
    ("importer", "forbidden"),
    [
        ("verwijsindex_core.errors", "verwijsindex_core."),
        ("verwijsindex_core.pseudonym", "verwijsindex_core.matching"),
        ("verwijsindex_core.pseudonym", "verwijsindex_core.store"),
        ("verwijsindex_core.pseudonym", "verwijsindex_core.audit"),
        ("verwijsindex_core.pseudonym", "verwijsindex_core.inzage"),
        ("verwijsindex_core.audit", "verwijsindex_core.matching"),
        ("verwijsindex_core.audit", "verwijsindex_core.store"),
        ("verwijsindex_core.store", "verwijsindex_core.matching._engine"),
        ("verwijsindex_core.store", "verwijsindex_core.inzage"),
        ("verwijsindex_core.store", "verwijsindex_core._facade"),
        ("verwijsindex_core.matching._model", "verwijsindex_core.store"),
        ("verwijsindex_core.matching._rules", "verwijsindex_core.store"),
        ("verwijsindex_core.matching._policy", "verwijsindex_core.store"),
        ("verwijsindex_core.matching._args", "verwijsindex_core.store"),
        ("verwijsindex_core.matching", "verwijsindex_core.inzage"),
        ("verwijsindex_core.matching", "verwijsindex_core._facade"),
        ("verwijsindex_core.inzage", "verwijsindex_core._facade"),
        ("verwijsindex_core.inzage", "verwijsindex_core.cli"),
        ("verwijsindex_core.synthetic", "verwijsindex_core._facade"),
        ("verwijsindex_core.synthetic", "verwijsindex_core.store"),
    ],
)
def test_imports_point_down(importer: str, forbidden: str) -> None:
    offenders = [
        (module, target)
        for module, targets in GRAPH.items()
        if _matches(module, importer)
        for target in targets
        if target.startswith(forbidden) and not _matches(target, importer)
    ]
    assert offenders == []


def test_the_store_uses_only_the_domain_modules_of_matching() -> None:
    for module, targets in GRAPH.items():
        if _matches(module, "verwijsindex_core.store"):
            used = {t for t in targets if _matches(t, "verwijsindex_core.matching")}
            assert used <= DOMAIN, (module, used - DOMAIN)


def test_the_module_graph_has_no_cycle() -> None:
    def resolve(target: str) -> str | None:
        while target and target not in GRAPH:
            target = target.rpartition(".")[0]
        return target or None

    edges = {m: {r for t in ts if (r := resolve(t)) and r != m} for m, ts in GRAPH.items()}
    # A package's __init__ re-exports its own modules: an edge into the package from one of
    # its modules is the package importing itself, not a cycle between layers.
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if _matches(nxt, node) or (_matches(node, nxt) and nxt.count(".") < node.count(".")):
                continue
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path, node, nxt]))
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])


@pytest.mark.parametrize(
    "package",
    [
        "verwijsindex_core.store",
        "verwijsindex_core.matching",
        "verwijsindex_core.inzage",
        "verwijsindex_core.audit",
        "verwijsindex_core.synthetic",
        "verwijsindex_core.pseudonym.oprf",
        "verwijsindex_core.store._sqlite",
        "verwijsindex_core.matching._engine",
    ],
)
def test_every_package_imports_first_in_a_fresh_interpreter(package: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {package}"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
