"""The PostgreSQL store: schema, secrets, crash and concurrency safety, index use.

The shared suite (test_engine.py, test_oracle.py, test_bad_input.py, test_store.py) runs on
this store through its entry in ``tests/_factories.py``; this file tests what only a database
server has. The cluster is real and throwaway (``tests/_postgres.py``); without PostgreSQL
these tests skip locally and fail in CI.
"""

from __future__ import annotations

import multiprocessing
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from _factories import PSEUDONYMISER, RING, child_born, organisation, professional
from _postgres import Cluster, cluster, new_schema, require_postgres
from _postgres_child import BORN, SUBJECTS, parent_of
from _postgres_child import professional as child_professional
from _reference import Reference
from _workload import exercise_every_operation
from test_oracle import engine_snapshot
from verwijsindex_core import StoreError, Verwijsindex
from verwijsindex_core.audit import AuditEntry, AuditLog
from verwijsindex_core.matching import (
    Actor,
    Domain,
    Engine,
    FixedClock,
    Organisation,
    Policy,
    RegisterInput,
)
from verwijsindex_core.pseudonym import random_bsn
from verwijsindex_core.pseudonym._b64 import b64u_encode
from verwijsindex_core.store import (
    POSTGRES_SCHEMA_VERSION,
    PostgresStore,
    SQLiteStore,
    describe_db,
    open_store,
)
from verwijsindex_core.store._records import alias_of_text

HERE = Path(__file__).resolve().parent
CHILD = HERE / "_postgres_child.py"
CLOCK = datetime(2026, 3, 2, 9, tzinfo=UTC)
ORGS = [organisation(i, Domain.JEUGDHULP) for i in range(4)]


@pytest.fixture
def dsn() -> str:
    require_postgres()
    return cluster().dsn()


@pytest.fixture
def store(dsn: str) -> Iterator[PostgresStore]:
    with PostgresStore(dsn, schema=new_schema()) as opened:
        yield opened


def run_child(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=HERE,
    )


def register(vi: Verwijsindex, bsn: Any, org: Organisation, n: int = 1, **kw: Any) -> Any:
    return vi.register(
        bsn,
        date_of_birth=kw.pop("date_of_birth", child_born(8)),
        organisation=org,
        professional=professional(org, n),
        municipality=org.municipality,
        **kw,
    )


# --- schema, connections, secrets -----------------------------------------------------------


def test_schema_version_reopening_and_refusal_of_a_newer_schema(dsn: str) -> None:
    schema = new_schema()
    with PostgresStore(dsn, schema=schema) as first:
        assert first.schema_version() == POSTGRES_SCHEMA_VERSION
        first.set_meta("built-by", "test")
    with PostgresStore(dsn, schema=schema) as again:  # reopening migrates nothing, loses nothing
        assert again.schema_version() == POSTGRES_SCHEMA_VERSION
        assert again.get_meta("built-by") == "test"
        again._x("UPDATE schema_version SET version = version + 1")
    with pytest.raises(StoreError, match="schema-version"):
        PostgresStore(dsn, schema=schema)
    with pytest.raises(StoreError, match="rule: name"):
        PostgresStore(dsn, schema="Robert'); DROP TABLE students;--")


def test_data_survives_reopening_and_the_audit_chain_verifies(dsn: str) -> None:
    schema = new_schema()
    store = PostgresStore(dsn, schema=schema)
    vi = Verwijsindex(store, pseudonymiser=PSEUDONYMISER, clock=FixedClock(CLOCK))
    bsn = random_bsn(random.Random(1))
    for n in range(3):
        register(vi, bsn, ORGS[n])
    store.close()
    reopened = PostgresStore(dsn, schema=schema)
    again = Verwijsindex(reopened, clock=FixedClock(CLOCK))
    assert len(list(reopened.all_signals())) == 3
    assert len(list(reopened.all_matches())) == 3
    assert len(again.notifications_for(Actor(organisation_id=ORGS[0].id))) == 2
    result = again.verify_audit()
    assert result.ok and result.entries == 4  # 3 registrations and the read just now
    assert again.audit_head() == result.head
    reopened.close()


def test_a_password_never_shows(dsn: str) -> None:
    socket_dir = re.search(r"host=(\S+)", dsn)
    assert socket_dir is not None
    url = f"postgresql://someone:s3cr3t-pw@/nodb?host={socket_dir.group(1)}&port=1"
    with pytest.raises(StoreError) as caught:
        PostgresStore(url, connect_timeout=2)
    assert "s3cr3t" not in str(caught.value) and "cannot connect" in str(caught.value)
    keyword = f"host={socket_dir.group(1)} port=1 user=someone password=s3cr3t-pw dbname=x"
    with pytest.raises(StoreError) as caught:
        PostgresStore(keyword, connect_timeout=2)
    assert "s3cr3t" not in str(caught.value)
    with pytest.raises(StoreError) as caught:
        PostgresStore("host=x password=s3cr3t-pw dbname", connect_timeout=2)  # unparsable
    assert "s3cr3t" not in str(caught.value)
    with PostgresStore(f"{dsn} password=s3cr3t-pw", schema=new_schema()) as store:
        assert "s3cr3t" not in repr(store) and "verwijsindex@" in repr(store)
    assert describe_db("postgresql://u:s3cr3t-pw@db.example:5433/vi") == (
        "postgresql://u:***@db.example:5433/vi"
    )
    assert describe_db("postgresql:///vi?host=/run/pg&password=s3cr3t-pw&sslmode=require") == (
        "postgresql:///vi?host=/run/pg&password=***&sslmode=require"
    )
    assert describe_db("postgresql:///vi?host=/run/pg") == "postgresql:///vi?host=/run/pg"


def test_open_store_takes_a_path_or_a_url(tmp_path: Path, dsn: str) -> None:
    sqlite = open_store(tmp_path / "vi.db")
    assert isinstance(sqlite, SQLiteStore)
    sqlite.close()
    assert isinstance(open_store(str(tmp_path / "other.db")), SQLiteStore)
    url = cluster().url()
    schema = new_schema()
    with open_store(f"{url}&schema={schema}") as store:
        assert isinstance(store, PostgresStore) and store.schema == schema
        store.set_meta("k", "v")
    with PostgresStore(dsn, schema=schema) as same:
        assert same.get_meta("k") == "v"
    with pytest.raises(StoreError, match="rule: type"):
        open_store("")


def test_no_bsn_no_key_no_date_of_birth_in_a_pg_dump() -> None:
    require_postgres()
    server = cluster()
    name = f"scan_{new_schema()}"
    store = PostgresStore(server.create_database(name), schema="verwijsindex")
    vi = Verwijsindex(store, pseudonymiser=PSEUDONYMISER, clock=FixedClock(CLOCK))
    rng = random.Random(5)
    bsns = [random_bsn(rng) for _ in range(200)]
    parents = [random_bsn(rng) for _ in range(20)]
    dobs = [date(2010 + i % 12, 1 + i % 12, 1 + i % 27) for i in range(200)]
    for i, (bsn, dob) in enumerate(zip(bsns, dobs, strict=True)):
        register(vi, bsn, ORGS[i % 4], date_of_birth=dob, parents=[parents[i % 20]])
    vi.notifications_for(Actor(organisation_id=ORGS[0].id))
    vi.inzage(
        bsns[0], date_of_birth=dobs[0], requesters=["youth"], actor=Actor(organisation_id="gm")
    )
    store.close()
    dump = server.pg_dump(name)
    assert len(dump) > 20_000 and b"COPY verwijsindex.signals" in dump
    for bsn in (*bsns, *parents):
        assert bsn.digits.encode() not in dump
    for key in RING:
        secret = key._secret
        for form in (secret, secret.hex().encode(), b64u_encode(secret).encode()):
            assert form not in dump
        derived = key.derive("subject")
        assert derived not in dump and derived.hex().encode() not in dump
    turns_23 = {date(d.year + 23, d.month, d.day).isoformat().encode() for d in dobs}
    for dob in dobs:
        if dob.isoformat().encode() not in turns_23:
            assert dob.isoformat().encode() not in dump


def test_the_schema_has_no_place_for_a_bsn_a_key_or_a_date_of_birth(
    store: PostgresStore,
) -> None:
    columns = {
        str(r[0]).lower()
        for r in store._x(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s",
            (store.schema,),
        )
    }
    assert len(columns) > 40
    # credentials.secret_hash holds a salted hash of an API token, never a secret itself.
    suspicious = {c for c in columns if any(w in c for w in ("bsn", "birth", "secret", "born"))}
    assert suspicious <= {"secret_hash"}


def test_a_failed_operation_commits_nothing(dsn: str) -> None:
    class Exploding(PostgresStore):
        """A store whose audit write fails (a full disk, say) after everything else."""

        def audit_extend(self, entries: Sequence[AuditEntry]) -> None:
            raise RuntimeError("disk full")

    store = Exploding(dsn, schema=new_schema())
    vi = Verwijsindex(store, pseudonymiser=PSEUDONYMISER, clock=FixedClock(CLOCK))
    with pytest.raises(RuntimeError):
        register(vi, random_bsn(random.Random(2)), ORGS[0])
    assert list(store.all_signals()) == [] and list(store.subjects()) == []
    assert store.counts().audit_entries == 0
    assert store.next_id("signal") == 1  # the counter rolled back too
    store.close()


def test_engine_direct_use_autocommits(dsn: str) -> None:
    schema = new_schema()
    engine = Engine(PostgresStore(dsn, schema=schema), Policy())
    data = RegisterInput(
        (("aaaaaaaa", bytes(32)),),
        child_born(6),
        ORGS[0],
        professional(ORGS[0], 1),
        Domain.JEUGDHULP,
        "GM0518",
    )
    engine.register(data, CLOCK.date())
    with PostgresStore(dsn, schema=schema) as other:
        assert len(list(other.all_signals())) == 1


def test_the_index_lock_times_out_as_a_store_error(dsn: str) -> None:
    schema = new_schema()
    holder = PostgresStore(dsn, schema=schema)
    waiter = PostgresStore(dsn, schema=schema, lock_timeout=0.2)
    with holder.transaction():
        holder.set_meta("a", "1")
        started = time.monotonic()
        with pytest.raises(StoreError, match="rule: locked"):
            waiter.set_meta("b", "2")
        assert time.monotonic() - started < 5
    waiter.set_meta("b", "2")  # the lock is free again
    assert waiter.get_meta("a") == "1"
    holder.close()
    waiter.close()


def _use_in_child(store: PostgresStore) -> None:
    store.set_meta("child", "was here")
    store.close()  # closes only the child's own connection


def test_a_forked_worker_opens_its_own_connections(store: PostgresStore) -> None:
    """A server that opens its store before forking its workers: each child gets its own
    connections, and neither uses nor closes the parent's."""
    store.set_meta("parent", "before")  # the parent now holds a pooled connection
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_use_in_child, args=(store,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert store.get_meta("child") == "was here"  # the parent's connection still works
    store.set_meta("parent", "after")


def _open_schema(dsn: str, schema: str, barrier: threading.Barrier, errors: list[str]) -> None:
    barrier.wait()
    try:
        PostgresStore(dsn, schema=schema).close()
    except StoreError as exc:
        errors.append(str(exc))


def test_several_openers_of_a_new_schema_at_once_all_succeed(dsn: str) -> None:
    """Creating the schema and its tables takes a lock: the others wait and find them."""
    errors: list[str] = []
    for _ in range(5):
        schema = new_schema()
        barrier = threading.Barrier(3)
        threads = [
            threading.Thread(target=_open_schema, args=(dsn, schema, barrier, errors))
            for _ in range(3)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert errors == []


# --- concurrency and crashes ----------------------------------------------------------------


def _replay_in_commit_order(store: PostgresStore) -> Reference:
    """Replay every registration the audit log records, in its order (the commit order: the
    index lock is held until COMMIT), through the reference; each gets the signal id the
    store gave it."""
    reference = Reference(Policy())
    orgs: dict[str, Organisation] = {}
    for entry in store.audit_entries():
        assert entry.event in ("register", "register-existing")
        org = orgs.get(entry.actor_organisation)
        if org is None:
            org = orgs[entry.actor_organisation] = store.get_organisation(entry.actor_organisation)
        alias = alias_of_text(entry.subject)
        assert org is not None and alias is not None
        n = int.from_bytes(alias[1], "big")
        parent = parent_of(n)
        pro = child_professional(org, int(entry.actor_professional.rsplit("-p", 1)[1]))
        data = RegisterInput(
            (alias,),
            BORN,
            org,
            pro,
            org.domain,
            "GM0518",
            parents=((parent.key_id, parent.digest),),
        )
        signal_id = reference.register(data, CLOCK.date())[0]
        assert entry.detail == f"signal={signal_id}"
    return reference


def _check_concurrent_outcome(store: PostgresStore, registrations: int) -> None:
    signals = list(store.all_signals())
    keys = [(s.subject, s.organisation_id, s.professional.id) for s in signals]
    assert len(keys) == len(set(keys)), "an idempotent registration was duplicated"
    assert len({s.subject for s in signals}) <= SUBJECTS
    audit = AuditLog(store).verify()
    assert audit.ok and audit.entries == registrations
    reference = _replay_in_commit_order(store)
    got = engine_snapshot(store)
    want = reference.snapshot()
    assert got["matches"] == want["matches"]  # no duplicate, none missing, same ids
    assert got == want  # subjects, parent links, signals and the outbox too
    assert any(m[3] == "family" for m in got["matches"])


def test_concurrent_processes_lose_nothing_and_duplicate_nothing(dsn: str) -> None:
    """4 processes x 50 registrations (a transaction each) on 15 shared subjects in three
    families: the result equals the reference replayed in commit order."""
    schema = new_schema()
    PostgresStore(dsn, schema=schema).close()
    workers = [run_child("register", dsn, schema, w, 50) for w in range(4)]
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        assert out.strip() == "done"
    with PostgresStore(dsn, schema=schema) as store:
        _check_concurrent_outcome(store, 4 * 50)


def test_threads_share_one_store_and_one_index(dsn: str) -> None:
    """The reference server's case: threads of one process call one facade on one store."""
    schema = new_schema()
    store = PostgresStore(dsn, schema=schema, max_connections=3)
    vi = Verwijsindex(store, clock=FixedClock(CLOCK))
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        from _postgres_child import organisation as child_organisation
        from _postgres_child import subject

        rng = random.Random(100 + worker)
        org = child_organisation(f"thread-{worker}")
        try:
            for _ in range(30):
                n = rng.randrange(SUBJECTS)
                vi.register(
                    subject(n),
                    date_of_birth=BORN,
                    organisation=org,
                    professional=child_professional(org, rng.randrange(2)),
                    municipality="GM0518",
                    parents=[parent_of(n)],
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    _check_concurrent_outcome(store, 5 * 30)
    store.close()


def _check_batches(store: PostgresStore, size: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for record in store.all_signals():
        batch = int(record.organisation_id.split("-")[1])
        counts[batch] = counts.get(batch, 0) + 1
    assert all(count == size for count in counts.values()), counts
    assert AuditLog(store).verify().ok
    return counts


def test_crash_safety_under_sigkill(dsn: str) -> None:
    """A child ingests batches; it is killed at random moments 10 times; after each kill every
    reported batch is whole, no batch is half there, and the audit chain verifies."""
    schema = new_schema()
    size = 25
    rng = random.Random(2026)
    reported: set[int] = set()
    next_batch = 0
    for kill in range(10):
        child = run_child("ingest", dsn, schema, next_batch, size)
        first = ""
        if kill % 2 == 0:
            # Half the kills land mid-ingest: after the first commit, plus up to 0.3 s.
            assert child.stdout is not None
            first = child.stdout.readline()
            time.sleep(rng.uniform(0.0, 0.3))
        else:
            # The other half at any moment, start-up and connecting included.
            time.sleep(rng.uniform(0.05, 1.5))
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, err
        reported.update(int(line) for line in (first + out).split())
        with PostgresStore(dsn, schema=schema) as store:
            counts = _check_batches(store, size)
        assert reported <= set(counts)
        next_batch = max(counts, default=-1) + 1
    assert len(reported) >= 5, "the child should have committed some batches"


def test_acknowledged_batches_survive_a_server_crash() -> None:
    """The flush barrier: a batch whose call returned is on disk, though the locked commit was
    asynchronous. The server is stopped the hard way (no checkpoint; what sat in its WAL
    buffers is lost: the WAL writer is slowed to 10 s so that only a flush puts a commit on
    disk) while a child ingests; after recovery every reported batch is there and whole."""
    require_postgres()
    server = Cluster({"wal_writer_delay": "'10s'", "wal_writer_flush_after": "'1GB'"})
    try:
        dsn, schema, size = server.dsn(), "crash", 20
        survivor = PostgresStore(dsn, schema=schema)  # its pooled connection dies each time
        survivor.set_meta("opened", "before")
        reported: set[int] = set()
        next_batch = 0
        for _ in range(3):
            child = run_child("ingest", dsn, schema, next_batch, size)
            assert child.stdout is not None
            lines = [child.stdout.readline() for _ in range(3)]
            server.crash_and_restart()
            child.kill()
            assert survivor.get_meta("opened") == "before"  # a read: a new connection
            survivor.set_meta("opened", "before")  # a transaction too
            out, _ = child.communicate(timeout=30)
            reported.update(int(line) for line in ("".join(lines) + out).split())
            with PostgresStore(dsn, schema=schema) as store:
                counts = _check_batches(store, size)
            assert reported <= set(counts), (sorted(reported), sorted(counts))
            next_batch = max(counts, default=-1) + 1
        assert len(reported) >= 9
        survivor.close()
    finally:
        server.destroy()


# --- every read has an index behind it -------------------------------------------------------

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


def test_every_statement_uses_an_index(store: PostgresStore) -> None:
    """Every statement the facade, the engine and inzage run (everything but the export
    methods) can find its rows through an index.

    What this proves, and what not: each statement is planned with ``enable_seqscan = off``,
    which makes a sequential scan the planner's last resort; a ``Seq Scan`` of a table that
    grows with the index left in a plan means no index can answer it. It does not prove the
    planner picks the index at every size: on tables this small it would rather scan, and on
    real sizes it chooses by the statistics, which favour the index as the answers are small.
    ``COPY`` has no plan; the BEGIN and COMMIT round trips are checked separately below.
    """
    seen: dict[str, Any] = {}
    store.trace = seen.setdefault
    exercise_every_operation(store, CLOCK)
    store.trace = None
    # What BEGIN reads once the index lock is granted (sent with it, so not traced).
    seen.setdefault(
        "SELECT a.seq, a.hash FROM audit AS a LEFT JOIN pseudonyms AS ps ON ps.id = a.subject "
        "ORDER BY a.seq DESC LIMIT 2",
        (),
    )
    statements = {q: p for q, p in seen.items() if not q.startswith("COPY")}
    assert len(statements) > 40
    scans = {}
    for query, params in sorted(statements.items()):
        for line in store.explain(query, params):
            found = re.search(r"Seq Scan on (\w+)", line)
            if found and found.group(1) in LARGE_TABLES:
                scans[query] = line
    assert scans == {}
