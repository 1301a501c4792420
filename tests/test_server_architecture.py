"""The adapters stay adapters: the server and the client hold no SQL and no engine, and do not
import each other (docs/architecture.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "verwijsindex_core"


def _imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (SRC / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
        found[path.name] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("server", ("sqlite3", "verwijsindex_core.client", "verwijsindex_core.matching._engine",
                    "verwijsindex_core.store._", "verwijsindex_core.audit")),
        ("client", ("sqlite3", "verwijsindex_core.server", "verwijsindex_core.store",
                    "verwijsindex_core._facade", "verwijsindex_core.matching._engine", "fastapi",
                    "starlette", "uvicorn")),
    ],
)  # fmt: skip
def test_adapters_import_no_rules_and_no_sql(package: str, forbidden: tuple[str, ...]) -> None:
    offenders = [
        (module, name)
        for module, names in _imports(package).items()
        for name in names
        if name.startswith(forbidden)
    ]
    assert offenders == []


def test_routes_reach_the_core_through_the_facade_and_the_credentials_only() -> None:
    routes = _imports("server")["_routes.py"]
    core = {n for n in routes if n.startswith("verwijsindex_core") and ".server" not in n}
    assert core <= {
        "verwijsindex_core._credentials",
        "verwijsindex_core._pydantic",
        "verwijsindex_core.errors",
        "verwijsindex_core.inzage",
        "verwijsindex_core.matching",
        "verwijsindex_core.pseudonym",
        "verwijsindex_core.pseudonym._b64",
        "verwijsindex_core.pseudonym.oprf",
    }, core


@pytest.mark.parametrize("package", ["verwijsindex_core.server", "verwijsindex_core.client"])
def test_imports_first_in_a_fresh_interpreter(package: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {package}"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_core_and_the_cli_load_without_the_server_extra() -> None:
    code = (
        "import sys; sys.modules.update(fastapi=None, uvicorn=None, httpx=None)\n"
        "import verwijsindex_core, verwijsindex_core.cli, verwijsindex_core._demo\n"
        "try:\n    import verwijsindex_core.server\nexcept ImportError as e:\n"
        "    assert '[server]' in str(e)\nelse:\n    raise SystemExit('imported')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
