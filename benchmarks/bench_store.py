"""Registrations per second into the SQLite store, in batches, durable, beside the SQL floor:
a raw ``executemany`` replay of exactly the rows the store wrote, measured in the same run.

    python benchmarks/bench_store.py [--signals 1000000] [--batch 10000]

Durable means WAL with synchronous=NORMAL (commits survive a process crash; the last
transactions may be lost on power failure, as SQLite documents). The store path includes
validation, matching, notifications and audit entries. The floor replays every INSERT and
UPDATE the store ran for each batch (captured on the way), grouped into ``executemany`` calls,
into a fresh file with the same schema and indexes: what the database costs with all the
Python work removed. Goals (issue 10): >= 25 k/s in batches of 10,000 at 1 M signals and
>= 0.5 x the floor; <= 400 bytes of file per signal.
"""

from __future__ import annotations

import argparse
import gc
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import population
from verwijsindex_core import Verwijsindex
from verwijsindex_core.matching import FixedClock
from verwijsindex_core.store import SQLiteStore

CLOCK = datetime(2026, 3, 2, 9, tzinfo=UTC)
Statement = tuple[str, list[Sequence[Any]]]


class Recorder:
    """Stands in for the store's connection: forwards everything and keeps the writes."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self.batch: list[Statement] = []

    def _keep(self, sql: str, rows: list[Sequence[Any]]) -> None:
        if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE") and rows:
            if self.batch and self.batch[-1][0] == sql:
                self.batch[-1][1].extend(rows)
            else:
                self.batch.append((sql, rows))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        self._keep(sql, [tuple(params)])
        return self._db.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        rows = [tuple(r) for r in rows]
        self._keep(sql, rows)
        return self._db.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    n, batch = args.signals, args.batch
    requests = population(n, args.seed)

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        store = SQLiteStore(directory / "store.db", synchronous="NORMAL")
        recorder = Recorder(store._db)
        store._db = recorder  # type: ignore[assignment]
        vi = Verwijsindex(store, clock=FixedClock(CLOCK))
        batches: list[list[Statement]] = []
        gc.collect()
        gc.freeze()
        t_store = 0.0
        for i in range(0, n, batch):
            recorder.batch = []
            start = time.perf_counter()
            vi.register_many(requests[i : i + batch])
            t_store += time.perf_counter() - start
            batches.append(recorder.batch)
        gc.unfreeze()
        stats = vi.statistics()
        verified = vi.verify_audit()
        recorder.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL folds into the file
        store_size = (directory / "store.db").stat().st_size
        store.close()

        # The floor: the same writes, batch by batch, into an empty file of the same schema.
        SQLiteStore(directory / "floor.db").close()
        floor = sqlite3.connect(directory / "floor.db", isolation_level=None)
        floor.execute("PRAGMA journal_mode=WAL")
        floor.execute("PRAGMA synchronous=NORMAL")
        floor.execute("PRAGMA cache_size=-65536")
        rows_written = sum(len(rows) for b in batches for _, rows in b)
        t_floor = 0.0
        for statements in batches:
            start = time.perf_counter()
            floor.execute("BEGIN IMMEDIATE")
            for sql, rows in statements:
                floor.executemany(sql, rows)
            floor.execute("COMMIT")
            t_floor += time.perf_counter() - start
        floor.close()

    print(
        f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, "
        f"{n:,} registrations in batches of {batch:,}, WAL + synchronous=NORMAL"
    )
    print(f"{'measurement':<52} {'per second':>12} {'ratio':>7}")
    floor_name = "raw executemany of the rows the store wrote (floor)"
    print(f"{floor_name:<52} {n / t_floor:12,.0f} {1:6.2f}x")
    print(
        f"{'register_many into SQLiteStore (match+audit)':<52} {n / t_store:12,.0f} "
        f"{t_floor / t_store:6.2f}x"
    )
    print(
        f"rows written per registration: {rows_written / n:.2f}; active signals "
        f"{stats.signals_active:,}, matches {stats.matches_direct:,}, notifications "
        f"{stats.notifications_pending:,}, audit chain ok: {verified.ok} ({verified.entries:,})"
    )
    print(f"file (WAL checkpointed): {store_size / 1e6:,.1f} MB, {store_size / n:,.0f} B/signal")
    rate = n / t_store
    print(
        f"goal >= 25 k/s: {'met' if rate >= 25_000 else 'NOT met'}; "
        f">= 0.5 x floor: {'met' if t_floor / t_store >= 0.5 else 'NOT met'}; "
        f"<= 400 B/signal: {'met' if store_size / n <= 400 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
