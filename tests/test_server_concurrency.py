"""Many requests on the same subjects at once give exactly the matches of the brute-force
reference, replayed in commit (id) order: threads against one worker, and against two
worker processes on one SQLite file and on one PostgreSQL database."""

from __future__ import annotations

import random
import threading
from datetime import date
from pathlib import Path

import pytest

from _reference import check_signals_match_like_the_reference
from _server import PROFESSIONAL, bsn, organisation, start_server
from verwijsindex_core import Verwijsindex
from verwijsindex_core.client import Client
from verwijsindex_core.matching import Domain
from verwijsindex_core.store import SQLiteStore, open_store

ORGANISATIONS = [organisation(f"conc-{i}", list(Domain)[i % 7]) for i in range(6)]
SUBJECTS = [bsn(300 + i) for i in range(5)]
THREADS = 8
PER_THREAD = 20


def _load(url: str, tokens: dict[str, str], worker: int, errors: list[BaseException]) -> None:
    rng = random.Random(worker)
    org = ORGANISATIONS[worker % len(ORGANISATIONS)]
    try:
        with Client(url, tokens[org.id]) as client:
            for _ in range(PER_THREAD):
                client.register_signal(
                    rng.choice(SUBJECTS),
                    date_of_birth=date(2015, 1, 1),
                    professional={**PROFESSIONAL, "id": f"{org.id}-p{rng.randrange(2)}"},
                    municipality="GM0518",
                )
    except BaseException as exc:  # reported by the test
        errors.append(exc)


def _replay(db: Path | str) -> None:
    with open_store(db) as store:
        matches = check_signals_match_like_the_reference(store, date(2015, 1, 1))
        assert matches > 10, "the load should make matches"
        audit = Verwijsindex(store).verify_audit()
        assert audit.ok and audit.entries == THREADS * PER_THREAD
        if isinstance(store, SQLiteStore):
            assert store.integrity_check() == "ok"


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _postgres_url() -> str:
    from _postgres import cluster, new_schema

    return f"{cluster().url()}&schema={new_schema()}"


@pytest.mark.parametrize(("database", "workers"), [("sqlite", 1), ("sqlite", 2), ("postgresql", 2)])
def test_concurrent_registrations_match_like_the_reference(database: str, workers: int) -> None:
    db = _postgres_url() if database == "postgresql" else None
    server = start_server(
        f"concurrency-{database}-{workers}",
        "--workers",
        str(workers),
        organisations=ORGANISATIONS,
        db=db,
    )
    try:
        if workers > 1 and Path("/proc").exists():
            assert len(_children(server.process.pid)) >= workers
        errors: list[BaseException] = []
        threads = [
            threading.Thread(target=_load, args=(server.url, server.tokens, w, errors))
            for w in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert errors == []
    finally:
        server.stop()
    _replay(server.db)
