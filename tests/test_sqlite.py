"""The SQLite store: durability, schema, no secrets in the file, crash and concurrency safety.

The shared engine suite (test_engine.py, test_oracle.py) runs on this store too.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from _factories import PSEUDONYMISER, RING, child_born, organisation, professional
from _reference import check_signals_match_like_the_reference
from _workload import exercise_every_operation
from verwijsindex_core import StoreError, Verwijsindex
from verwijsindex_core.audit import AuditEntry, AuditLog
from verwijsindex_core.matching import Actor, Domain, Engine, FixedClock, Policy, RegisterInput
from verwijsindex_core.pseudonym import random_bsn
from verwijsindex_core.pseudonym._b64 import b64u_encode
from verwijsindex_core.store import SCHEMA_VERSION, SQLiteStore

HERE = Path(__file__).resolve().parent
CHILD = HERE / "_sqlite_child.py"
CLOCK = datetime(2026, 3, 2, 9, tzinfo=UTC)
ORGS = [organisation(i, Domain.JEUGDHULP) for i in range(4)]


def run_child(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=HERE,
    )


def test_schema_version_and_refusal_of_a_newer_file(tmp_path: Path) -> None:
    path = tmp_path / "vi.db"
    with SQLiteStore(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.integrity_check() == "ok"
    with SQLiteStore(path) as again:  # reopening migrates nothing and loses nothing
        assert again.schema_version() == SCHEMA_VERSION
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="schema-version"):
        SQLiteStore(path)
    garbage = tmp_path / "not-a-db"
    garbage.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot be opened"):
        SQLiteStore(garbage)


def test_data_survives_reopening_and_the_audit_chain_verifies(tmp_path: Path) -> None:
    path = tmp_path / "vi.db"
    store = SQLiteStore(path)
    vi = Verwijsindex(store, pseudonymiser=PSEUDONYMISER, clock=FixedClock(CLOCK))
    bsn = random_bsn(random.Random(1))
    for n in range(3):
        vi.register(
            bsn,
            date_of_birth=child_born(8),
            organisation=ORGS[n],
            professional=professional(ORGS[n], 1),
            municipality="GM0518",
        )
    store.close()
    reopened = Verwijsindex(SQLiteStore(path), clock=FixedClock(CLOCK))
    assert len(list(reopened._store.all_signals())) == 3
    assert len(list(reopened._store.all_matches())) == 3
    assert len(reopened.notifications_for(Actor(organisation_id=ORGS[0].id))) == 2
    result = reopened.verify_audit()
    assert result.ok and result.entries == 4  # 3 registrations and the read just now


def test_no_bsn_no_key_no_date_of_birth_in_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "vi.db"
    store = SQLiteStore(path)
    vi = Verwijsindex(store, pseudonymiser=PSEUDONYMISER, clock=FixedClock(CLOCK))
    rng = random.Random(5)
    bsns = [random_bsn(rng) for _ in range(200)]
    dobs = [date(2010 + i % 12, 1 + i % 12, 1 + i % 27) for i in range(200)]
    for i, (bsn, dob) in enumerate(zip(bsns, dobs, strict=True)):
        org = ORGS[i % 4]
        vi.register(
            bsn,
            date_of_birth=dob,
            organisation=org,
            professional=professional(org, 1),
            municipality="GM0518",
        )
    vi.notifications_for(Actor(organisation_id=ORGS[0].id))
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("vi.db"))
    assert len(raw) > 10_000
    for bsn in bsns:
        assert bsn.digits.encode() not in raw
    for key in RING:
        secret = key._secret
        for form in (secret, secret.hex().encode(), b64u_encode(secret).encode()):
            assert form not in raw
        assert key.derive("subject") not in raw
    turns_23 = {date(d.year + 23, d.month, d.day).isoformat().encode() for d in dobs}
    for dob in dobs:
        if dob.isoformat().encode() not in turns_23:
            assert dob.isoformat().encode() not in raw


def test_a_failed_operation_commits_nothing(tmp_path: Path) -> None:
    class Exploding(SQLiteStore):
        """A store whose audit write fails (a full disk, say) after everything else."""

        def audit_extend(self, entries: Sequence[AuditEntry]) -> None:
            raise RuntimeError("disk full")

    store = Exploding(tmp_path / "vi.db")
    vi = Verwijsindex(store, pseudonymiser=PSEUDONYMISER, clock=FixedClock(CLOCK))
    with pytest.raises(RuntimeError):
        vi.register(
            random_bsn(random.Random(2)),
            date_of_birth=child_born(5),
            organisation=ORGS[0],
            professional=professional(ORGS[0], 1),
            municipality="GM0518",
        )
    assert list(store.all_signals()) == []
    assert list(store.subjects()) == []
    assert store.next_id("signal") == 1  # the counter rolled back too


def test_the_schema_has_no_place_for_a_bsn_a_key_or_a_date_of_birth(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "vi.db")
    columns = {
        row[1].lower()
        for (table,) in store._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        for row in store._db.execute(f"PRAGMA table_info({table})")
    }
    # credentials.secret_hash holds a salted hash of an API token, never a secret itself.
    suspicious = {c for c in columns if any(w in c for w in ("bsn", "birth", "secret", "born"))}
    assert suspicious <= {"secret_hash"}


def test_crash_safety_under_sigkill(tmp_path: Path) -> None:
    """A child ingests batches; it is killed at random moments >= 20 times; after each kill
    the file is sound, every reported batch is whole, no batch is half there, and the audit
    chain verifies."""
    path = tmp_path / "crash.db"
    size = 25
    rng = random.Random(2026)
    reported: set[int] = set()
    next_batch = 0
    kills = 0
    while kills < 20:
        child = run_child("ingest", path, next_batch, size)
        first = ""
        if kills % 2 == 0:
            # Half the kills land mid-ingest: after the first commit, plus up to 0.3 s.
            assert child.stdout is not None
            first = child.stdout.readline()
            time.sleep(rng.uniform(0.0, 0.3))
        else:
            # The other half at any moment, start-up and opening the file included.
            time.sleep(rng.uniform(0.05, 1.5))
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, err
        kills += 1
        reported.update(int(line) for line in (first + out).split())
        store = SQLiteStore(path)
        assert store.integrity_check() == "ok"
        counts: dict[int, int] = {}
        for record in store.all_signals():
            batch = int(record.organisation_id.split("-")[1])
            counts[batch] = counts.get(batch, 0) + 1
        assert all(count == size for count in counts.values()), counts
        assert reported <= set(counts)
        assert AuditLog(store).verify().ok
        next_batch = max(counts, default=-1) + 1
        store.close()
    assert len(reported) >= 5, "the child should have committed some batches"


def test_concurrent_writers_lose_nothing_and_duplicate_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    SQLiteStore(path).close()
    workers = [run_child("register", path, w, 40) for w in range(4)]
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        assert out.strip() == "done"
    store = SQLiteStore(path)
    check_signals_match_like_the_reference(store, date(2015, 1, 1))
    audit = AuditLog(store).verify()
    assert audit.ok and audit.entries == 4 * 40
    assert store.integrity_check() == "ok"


def test_engine_direct_use_autocommits(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "vi.db")
    engine = Engine(store, Policy())
    data = RegisterInput(
        (("aaaaaaaa", bytes(32)),),
        child_born(6),
        ORGS[0],
        professional(ORGS[0], 1),
        Domain.JEUGDHULP,
        "GM0518",
    )
    engine.register(data, CLOCK.date())
    store.close()
    assert len(list(SQLiteStore(tmp_path / "vi.db").all_signals())) == 1
    assert os.path.getsize(tmp_path / "vi.db") > 0


def _open_in_step(directory: str, barrier: Any, count: int, errors: Any) -> None:
    for i in range(count):
        barrier.wait()
        try:
            SQLiteStore(Path(directory) / f"{i}.db").close()
        except StoreError as exc:
            errors.put(f"{i}: {exc}")


def test_two_processes_opening_a_new_file_at_once_both_succeed(tmp_path: Path) -> None:
    """Creating the schema and switching to WAL need the write lock: the second opener waits
    for it instead of failing with 'database is locked'."""
    context = multiprocessing.get_context("fork")
    barrier, errors = context.Barrier(2), context.Queue()
    count = 60
    workers = [
        context.Process(target=_open_in_step, args=(str(tmp_path), barrier, count, errors))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == []
    for i in range(count):
        with SQLiteStore(tmp_path / f"{i}.db") as store:
            assert store.schema_version() == SCHEMA_VERSION


LARGE_TABLES = (
    "signals",
    "matches",
    "notifications",
    "notification_about",
    "audit",
    "pseudonyms",
    "subjects",
    "parents",
    "professionals",
    "parties",
)


def _normalise(sql: str) -> str:
    # Literals become fixed stand-ins, so that each statement is explained once.
    sql = re.sub(r"(?<![xX])'(?:[^']|'')*'", "'x'", sql)
    sql = re.sub(r"[xX]'[0-9a-fA-F]*'", "zeroblob(1)", sql)
    return re.sub(r"(?<![\w.])-?\d+(?![\w.])", "1", sql)


def test_every_statement_uses_an_index(tmp_path: Path) -> None:
    """Every statement the facade, the engine and inzage run (everything but the export
    methods) finds its rows through an index: EXPLAIN QUERY PLAN shows no SCAN of a table
    that grows with the index."""
    store = SQLiteStore(tmp_path / "vi.db")
    seen: list[str] = []
    store._db.set_trace_callback(seen.append)
    exercise_every_operation(store, CLOCK)
    store._db.set_trace_callback(None)
    statements: dict[str, str] = {}  # one real statement per shape
    for sql in seen:
        if sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT", "WITH")):
            statements.setdefault(_normalise(sql), sql)
    assert len(statements) > 30
    scans = {}
    for shape, sql in sorted(statements.items()):
        for detail in store.explain(sql):
            words = detail.split()
            if words[:1] == ["SCAN"] and words[1] in LARGE_TABLES:
                scans[shape] = detail
    assert scans == {}
