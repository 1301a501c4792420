"""tests/_system.py itself: a missing program or library skips locally and fails in CI.

Only the ``CI`` environment variable is changed (monkeypatch); the checks run for real against
names that cannot exist.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from _system import in_ci, require, require_library, require_program

ABSENT = "verwijsindex-no-such-thing-0x5f3759df"


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture
def ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")


@pytest.mark.usefixtures("local")
def test_locally_a_missing_program_or_library_skips_with_the_install_hint() -> None:
    assert not in_ci()
    with pytest.raises(pytest.skip.Exception, match=r"install-system-packages\.sh") as program:
        require_program(ABSENT, "some-package")
    assert "some-package" in str(program.value)
    with pytest.raises(pytest.skip.Exception, match="libsodium23") as library:
        require_library(ABSENT, "libsodium23")
    assert f"lib{ABSENT}" in str(library.value)


@pytest.mark.usefixtures("ci")
def test_in_ci_a_missing_program_or_library_fails() -> None:
    assert in_ci()
    with pytest.raises(pytest.fail.Exception, match="CI must not skip"):
        require_program(ABSENT)
    with pytest.raises(pytest.fail.Exception, match="CI must not skip"):
        require_library(ABSENT, "libsodium23")
    with pytest.raises(pytest.fail.Exception, match="CI must not skip"):
        require(False, "something", "a hint")


@pytest.mark.parametrize("setting", ["local", "ci"])
def test_what_is_there_passes_everywhere(
    setting: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    request.getfixturevalue(setting)
    interpreter = Path(sys.executable)
    monkeypatch.setenv("PATH", str(interpreter.parent))
    assert Path(require_program(interpreter.name)).name == interpreter.name
    require(True, "something", "a hint")  # returns quietly


def test_ci_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "")
    assert not in_ci()  # an empty value is not set
    monkeypatch.setenv("CI", "1")
    assert in_ci()
