"""Every package's ``__all__`` is sorted, resolvable and complete."""

from __future__ import annotations

import importlib
import pkgutil
import types

import pytest

import verwijsindex_core

PACKAGES = [
    "verwijsindex_core",
    "verwijsindex_core.errors",
    "verwijsindex_core.pseudonym",
    "verwijsindex_core.pseudonym.oprf",
    "verwijsindex_core.matching",
    "verwijsindex_core.store",
    "verwijsindex_core.audit",
    "verwijsindex_core.inzage",
    "verwijsindex_core.synthetic",
    "verwijsindex_core.server",
    "verwijsindex_core.client",
    "verwijsindex_core.synthetic.nation",
    "verwijsindex_core.research",
]


def _isort_key(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then CamelCase, then the rest; each alphabetical."""
    if name.isupper():
        return (0, name)
    if name[0].isupper():
        return (1, name)
    return (2, name)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_resolvable(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=_isort_key)
    assert len(set(exported)) == len(exported)
    for item in exported:
        assert hasattr(module, item), f"{name}.{item} is in __all__ but missing"


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_complete(name: str) -> None:
    module = importlib.import_module(name)
    public = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_")
        and not isinstance(value, types.ModuleType)
        and attr != "annotations"
    }
    assert public <= set(module.__all__), f"public but not exported: {public - set(module.__all__)}"


@pytest.mark.parametrize(
    "name", [p for p in PACKAGES if p.count(".") >= 1 and p != "verwijsindex_core.errors"]
)
def test_subpackage_reexports_every_private_modules_all(name: str) -> None:
    package = importlib.import_module(name)
    collected: set[str] = set()
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if info.name.rsplit(".", 1)[-1].startswith("_"):
            module = importlib.import_module(info.name)
            collected |= set(getattr(module, "__all__", ()))
    assert collected <= set(package.__all__)
    extra = set(package.__all__) - collected
    errors = {
        n
        for n in extra
        if getattr(getattr(package, n), "__module__", "") == "verwijsindex_core.errors"
    }
    assert extra - errors <= {"available_backends", "default_backend"}


def test_top_level_errors_are_the_full_tree() -> None:
    from verwijsindex_core import errors

    for item in errors.__all__:
        assert getattr(verwijsindex_core, item) is getattr(errors, item)
        assert issubclass(getattr(errors, item), errors.VerwijsindexError)
