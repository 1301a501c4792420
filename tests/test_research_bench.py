"""``verwijsindex bench --quick`` end to end, as CI runs it: every benchmark beside its
baseline, results.md, results.json and the plots. No speed is asserted (design §6)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from verwijsindex_core.research import PLOTS

SCRIPT = Path(sys.executable).parent / "verwijsindex"
ROOT = Path(__file__).resolve().parent.parent


def test_bench_quick_writes_tables_and_plots(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    done = subprocess.run(
        [str(SCRIPT), "bench", "--quick", "--no-progress", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads((out / "results.json").read_text())
    benchmarks = {r["benchmark"] for r in results["results"]}
    assert benchmarks == {"generate", "batch", "pseudonymise", "register"}
    assert all(r["per_second"] > 0 and r["peak_rss_bytes"] > 0 for r in results["results"])
    baselines = [r for r in results["results"] if "ratio" in r]
    assert any("baseline" in r["measurement"] for r in baselines)
    batch = [r for r in results["results"] if r["benchmark"] == "batch"]
    by_n: dict[int, list[dict[str, int]]] = {}
    for r in batch:
        by_n.setdefault(r["n"], []).append(r)
    for rows in by_n.values():  # numpy and DuckDB count the same matches
        assert len(rows) == 2
        assert rows[0]["direct"] == rows[1]["direct"] and rows[0]["family"] == rows[1]["family"]
    assert len(results["experiments"]) == 6
    assert {s["script"] for s in results["scripts"]} >= {"bench_pseudonym.py", "bench_oprf.py"}
    markdown = (out / "results.md").read_text()
    assert "numpy / DuckDB time" in markdown and "Same-organisation matching" in markdown
    for name in PLOTS:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
