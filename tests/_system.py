"""Tests that need a system program or library: skip locally with a reason, fail in CI.

``scripts/install-system-packages.sh`` (run by the README's test command) installs what the
suite needs. Locally a developer may lack one; then the test is skipped and says what to
install. When ``CI`` is set, a missing dependency is a failure: CI must never skip silently.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil

import pytest

__all__ = ["in_ci", "require", "require_library", "require_program"]


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def require(available: bool, what: str, install: str) -> None:
    """Skip (locally) or fail (``CI`` set) unless ``available``."""
    if available:
        return
    message = f"{what} is not available here; install it with: {install}"
    if in_ci():
        pytest.fail(f"CI must not skip: {message}")
    pytest.skip(message)


def require_program(name: str, package: str | None = None) -> str:
    """The path of a program on PATH, or skip/fail as :func:`require` does."""
    path = shutil.which(name)
    require(
        path is not None,
        f"the program {name!r}",
        f"sh scripts/install-system-packages.sh (Debian package {package or name})",
    )
    assert path is not None
    return path


def require_library(name: str, package: str) -> None:
    """A shared library ``lib<name>`` that ctypes can find, or skip/fail."""
    require(
        ctypes.util.find_library(name) is not None,
        f"the library lib{name}",
        f"sh scripts/install-system-packages.sh (Debian package {package})",
    )
