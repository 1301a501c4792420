"""`verwijsindex demo --db postgresql://…` and `inzage --db postgresql://…` as real processes:
the same samples and summary as on SQLite for the same seed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from _postgres import cluster, new_schema, require_postgres
from verwijsindex_core.audit import AuditLog
from verwijsindex_core.store import PostgresStore

SCRIPT = Path(sys.executable).parent / "verwijsindex"
SIZE = ("--subjects", "1500", "--days", "60", "--seed", "11")


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        cwd=cwd,
    )


def _without_database(lines: list[str]) -> list[str]:
    """The lines that name the database (and the folder of its files) differ, nothing else."""
    return [line for line in lines if "database" not in line.lower() and "/" not in line]


def test_demo_on_postgres_equals_the_demo_on_sqlite(tmp_path: Path) -> None:
    require_postgres()
    lite, pg = tmp_path / "lite", tmp_path / "pg"
    lite.mkdir()
    pg.mkdir()
    schema = new_schema()
    url = f"{cluster().url()}&schema={schema}"
    on_sqlite = run("demo", "--no-progress", "--db", "verwijsindex-demo.db", *SIZE, cwd=lite)
    assert on_sqlite.returncode == 0, on_sqlite.stderr
    on_postgres = run("demo", "--no-progress", "--db", url, *SIZE, cwd=pg)
    assert on_postgres.returncode == 0, on_postgres.stderr
    assert "signals registered" in on_postgres.stdout
    summary = [on_sqlite.stdout.splitlines(), on_postgres.stdout.splitlines()]
    assert _without_database(summary[0]) == _without_database(summary[1])
    samples = [(d / "SAMPLE-SUBJECTS.txt").read_text().splitlines() for d in (lite, pg)]
    assert samples[0][3:] and samples[0][3:] == samples[1][3:]  # after the 3 comment lines
    assert (pg / "postgres.keys.json").exists()  # named after the database, in the folder

    with PostgresStore(cluster().dsn(), schema=schema) as store:
        meta = store.get_meta("demo")
        assert meta is not None and AuditLog(store).verify().ok
    assert json.loads(meta)["registrations"] > 20

    again = run("demo", "--no-progress", "--db", url, *SIZE, cwd=pg)  # reopens: the summary
    assert again.returncode == 0 and "already built" in again.stdout
    assert _without_database(again.stdout.splitlines())[:10] == _without_database(summary[1])[:10]

    bsn, born, _ = next(line for line in samples[1] if not line.startswith("#")).split(None, 2)
    codes = []
    for who in (["parent"], ["parent", "youth"], ["youth"]):  # the one the age allows
        report = subprocess.run(
            [str(SCRIPT), "inzage", "--db", url, "--bsn-file", "-", "--date-of-birth", born]
            + [a for w in who for a in ("--as", w)]
            + ["--format", "json", "--out", "report.json", "--handled-by", "gemeente"],
            input=bsn,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            cwd=pg,
        )
        assert bsn not in report.stderr
        codes.append(report.returncode)
    assert sorted(codes) == [0, 1, 1], codes
    assert json.loads((pg / "report.json").read_text())["report"]

    fresh = run("demo", "--no-progress", "--fresh", "--db", url, *SIZE, cwd=pg)
    assert fresh.returncode == 0, fresh.stderr
    assert _without_database(fresh.stdout.splitlines()) == _without_database(summary[1])
