"""`verwijsindex demo` end to end, as a real process on a real SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from verwijsindex_core.audit import AuditLog
from verwijsindex_core.pseudonym import is_valid_bsn
from verwijsindex_core.store import SQLiteStore

SCRIPT = Path(sys.executable).parent / "verwijsindex"


def demo(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), "demo", "--no-progress", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_demo_builds_a_region_and_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "demo.db", tmp_path / "b" / "demo.db"
    for db in (first, second):
        # Signals scale with the population (about 0.16 per young person a year).
        done = demo("--db", db, "--subjects", "4000", "--days", "90", "--seed", "7")
        assert done.returncode == 0, done.stderr
        assert "signals registered" in done.stdout and "Where to look next" in done.stdout
    stats = []
    for db in (first, second):
        store = SQLiteStore(db)
        meta = store.get_meta("demo")
        assert meta is not None
        stats.append(json.loads(meta))
        assert AuditLog(store).verify().ok
        assert store.integrity_check() == "ok"
        store.close()
    assert stats[0] == stats[1]
    s = stats[0]
    assert s["registrations"] > 100 and s["matches_direct"] > 0 and s["history_notices"] > 0
    assert set(s["signals_per_domain"]) <= {
        "jeugdhulp",
        "jeugdgezondheidszorg",
        "gezondheidszorg",
        "onderwijs",
        "maatschappelijke-ondersteuning",
        "werk-en-inkomen",
        "politie-en-justitie",
    }
    samples = (first.parent / "SAMPLE-SUBJECTS.txt").read_text().splitlines()
    bsns = [line.split()[0] for line in samples if not line.startswith("#")]
    assert bsns and all(is_valid_bsn(b) for b in bsns)
    raw = b"".join(p.read_bytes() for p in first.parent.iterdir() if p.name.startswith("demo.db"))
    for bsn in bsns:
        assert bsn.encode() not in raw


def test_demo_reopens_without_rebuilding_and_rebuilds_on_request(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert demo("--db", db, "--subjects", "300", "--days", "20").returncode == 0
    before = db.stat().st_mtime_ns
    again = demo("--db", db, "--subjects", "300", "--days", "20")
    assert again.returncode == 0 and "already built" in again.stdout
    assert db.stat().st_mtime_ns == before
    fresh = demo("--db", db, "--subjects", "300", "--days", "20", "--fresh")
    assert fresh.returncode == 0 and "already built" not in fresh.stdout


def test_demo_refuses_a_foreign_database_and_bad_arguments(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    SQLiteStore(db).close()
    refused = demo("--db", db)
    assert refused.returncode == 1 and "not-a-demo" in refused.stderr
    assert demo("--db", tmp_path / "x.db", "--subjects", "3").returncode == 2
