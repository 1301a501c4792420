"""The README's Python tour runs as written (docs change with the code)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_tour_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 3
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile("\n".join(blocks), "README.md", "exec"), namespace)
    assert (tmp_path / "keys.json").exists()
    assert os.stat(tmp_path / "keys.json").st_mode & 0o077 == 0
    report = namespace["report"]
    assert getattr(report, "subject", "").startswith("******")
