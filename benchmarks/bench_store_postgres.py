"""Registrations per second into the PostgreSQL store, in batches, beside the SQL floor, and
what the index lock (with the audit chain's single head behind it) costs under concurrency.

    python benchmarks/bench_store_postgres.py [--signals 200000] [--batch 10000]
        [--dsn DSN] [--workers 1,2,4] [--per-worker 300]

Without ``--dsn`` it starts a throwaway cluster (``tests/_postgres.py``) with durable
settings (fsync, full-page writes, synchronous commit: what production runs) on a Unix socket.

1. Batches. ``register_many`` through the facade (validation, matching, notifications, the
   audit chain) into ``PostgresStore``, beside, in the same run and into fresh schemas with
   the same tables and indexes: a raw ``executemany`` of exactly the rows the store wrote (its
   SQL floor; captured on the way), a ``COPY`` of the same rows, and a raw ``executemany`` of
   one signal row per registration (design §6's baseline). Goal (issue 12): >= 0.3 x the raw
   ``executemany``.
2. Concurrency. W worker processes, each registering one signal per transaction (the
   reference server's load) on subjects of its own; total registrations per second, and per
   transaction the time waiting for the index lock, holding it and flushing after it
   (``PostgresStore.lock_stats``), with the flush inside and outside the lock.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import platform
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent / "tests"))

import psycopg

from bench_engine import population
from verwijsindex_core import Verwijsindex
from verwijsindex_core.matching import Domain, FixedClock, Organisation, Professional
from verwijsindex_core.pseudonym import Pseudonym
from verwijsindex_core.store import PostgresStore

CLOCK = datetime(2026, 3, 2, 9, tzinfo=UTC)
DURABLE = {"fsync": "on", "full_page_writes": "on", "synchronous_commit": "on"}
Write = tuple[str, str, list[Sequence[Any]]]  # (table, columns, rows)


class RecordingStore(PostgresStore):
    """PostgresStore that keeps every row it inserts (COPY or executemany), per batch. (The
    few set-based statements for new organisations, professionals and parent links are not
    replayed: the floor is, if anything, a little faster than the store's true one.)"""

    batch: list[Write]

    def _apply(
        self,
        inserts: Sequence[tuple[str, str, Sequence[Sequence[Any]]]],
        statements: Sequence[tuple[str, Any]],
    ) -> None:
        for table, columns, rows in inserts:
            if rows:
                self.batch.append((table, columns, [tuple(r) for r in rows]))
        super()._apply(inserts, statements)


def _floor(dsn: str, schema: str, batches: list[list[Write]], *, copy: bool) -> float:
    """Replay the recorded rows into an empty schema with the same tables, a transaction per
    batch: executemany (pipelined by psycopg) or COPY. Returns the seconds it took."""
    PostgresStore(dsn, schema=schema).close()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"SET search_path TO {schema}")
        elapsed = 0.0
        for writes in batches:
            start = time.perf_counter()
            with conn.transaction(), conn.cursor() as cur:
                for table, columns, rows in writes:
                    if copy:
                        with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as out:
                            for row in rows:
                                out.write_row(row)
                    else:
                        marks = ", ".join(["%s"] * len(rows[0]))
                        cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
            elapsed += time.perf_counter() - start
    return elapsed


def batches_section(dsn: str, n: int, batch: int, seed: int) -> None:
    requests = population(n, seed)
    store = RecordingStore(dsn, schema="bench_store")
    vi = Verwijsindex(store, clock=FixedClock(CLOCK))
    recorded: list[list[Write]] = []
    gc.collect()
    gc.freeze()
    t_store = 0.0
    for i in range(0, n, batch):
        store.batch = []
        start = time.perf_counter()
        vi.register_many(requests[i : i + batch])
        t_store += time.perf_counter() - start
        recorded.append(store.batch)
    gc.unfreeze()
    stats = vi.statistics()
    verified = vi.verify_audit()
    size = store._one(
        "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class AS c "
        "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'bench_store' AND c.relkind = 'r'"
    )
    store.close()
    rows_written = sum(len(rows) for b in recorded for _, _, rows in b)
    signal_rows = [[w for w in b if w[0] == "signals"] for b in recorded]
    t_many = _floor(dsn, "bench_many", recorded, copy=False)
    t_copy = _floor(dsn, "bench_copy", recorded, copy=True)
    t_signals = _floor(dsn, "bench_signals", signal_rows, copy=False)

    print(f"{n:,} registrations in batches of {batch:,} (durable commits)")
    print(f"{'measurement':<58} {'per second':>12} {'ratio':>7}")
    lines = [
        ("raw executemany of the rows the store wrote (floor)", t_many),
        ("COPY of the same rows", t_copy),
        ("raw executemany of one signal row per registration", t_signals),
        ("register_many into PostgresStore (match+audit)", t_store),
    ]
    for name, seconds in lines:
        print(f"{name:<58} {n / seconds:12,.0f} {t_many / seconds:6.2f}x")
    print(
        f"rows written per registration: {rows_written / n:.2f}; active signals "
        f"{stats.signals_active:,}, matches {stats.matches_direct:,}, notifications "
        f"{stats.notifications_pending:,}, audit chain ok: {verified.ok} ({verified.entries:,})"
    )
    if size and size[0]:
        print(f"tables and indexes: {int(size[0]) / 1e6:,.1f} MB, {int(size[0]) / n:,.0f} B/signal")
    ratio = t_many / t_store
    print(f"goal >= 0.3 x raw executemany: {'met' if ratio >= 0.3 else 'NOT met'} ({ratio:.2f}x)")
    print(f"vs one signal row per registration (design §6): {t_signals / t_store:.2f}x")


# --- concurrency ------------------------------------------------------------------------------


def _worker(dsn: str, schema: str, worker: int, count: int, *, flush_outside: bool, go: Any) -> Any:
    store = PostgresStore(dsn, schema=schema, flush_outside_lock=flush_outside)
    vi = Verwijsindex(store, clock=FixedClock(CLOCK))
    org = Organisation(
        id=f"w{worker}", name="Organisatie", domain=Domain.JEUGDHULP, municipality="GM0518"
    )
    pros = [
        Professional(
            id=f"w{worker}-p{j}",
            name="Professional",
            function="Mentor",
            phone="070-1234567",
            email=f"p{j}@w.example",
            organisation_id=org.id,
        )
        for j in range(2)
    ]
    born = datetime(2015, 1, 1).date()
    go.wait()
    for i in range(count):
        vi.register(
            Pseudonym._trusted("aaaaaaaa", (worker * 1_000_000 + i // 2).to_bytes(32, "big")),
            date_of_birth=born,
            organisation=org,
            professional=pros[i % 2],
            municipality="GM0518",
        )
    stats = store.lock_stats()
    store.close()
    return stats


def _run(dsn: str, schema: str, w: int, per_worker: int, flush_outside: bool) -> Any:
    """One run: w processes start together; returns (registrations/s, summed lock stats)."""
    PostgresStore(dsn, schema=schema).close()
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        go = manager.Barrier(w + 1)
        with context.Pool(w) as pool:
            jobs = [
                pool.apply_async(
                    _worker,
                    (dsn, schema, k, per_worker),
                    {"flush_outside": flush_outside, "go": go},
                )
                for k in range(w)
            ]
            go.wait()
            start = time.perf_counter()
            results = [j.get(timeout=600) for j in jobs]
            elapsed = time.perf_counter() - start
    summed = {k: sum(r[k] for r in results) for k in results[0]}
    return summed["transactions"] / elapsed, summed, elapsed


def concurrency_section(dsn: str, workers: list[int], per_worker: int, repeat: int) -> None:
    print()
    print(
        f"one registration per transaction, {per_worker} per worker process, own subjects; "
        f"flush inside and outside the lock alternate, best of {repeat} each"
    )
    print(
        f"{'flush':<8} {'workers':>7} {'reg/s':>8} {'wait ms':>8} {'hold ms':>8} "
        f"{'flush ms':>9} {'lock busy':>9}"
    )
    for w in workers:
        best: dict[bool, Any] = {}
        for attempt in range(repeat):
            for flush_outside in (False, True):
                schema = f"bench_conc_{int(flush_outside)}_{w}_{attempt}"
                run = _run(dsn, schema, w, per_worker, flush_outside)
                if flush_outside not in best or run[0] > best[flush_outside][0]:
                    best[flush_outside] = run
        for flush_outside in (False, True):
            rate, summed, elapsed = best[flush_outside]
            total = summed["transactions"]
            print(
                f"{'outside' if flush_outside else 'inside':<8} {w:>7} {rate:8,.0f} "
                f"{summed['waiting'] / total * 1000:8.2f} "
                f"{summed['holding'] / total * 1000:8.2f} "
                f"{summed['flushing'] / total * 1000:9.2f} "
                f"{min(1.0, summed['holding'] / elapsed):8.0%}"
            )
    print(
        "wait = BEGIN until the index lock is granted; hold = the transaction's work and COMMIT "
        "under the lock (the audit head included); flush = the barrier after it; lock busy = "
        "share of the wall time some worker held the lock"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--signals", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dsn", help="an empty database to use (default: a throwaway cluster)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts (default: 1,2,4)")
    parser.add_argument("--per-worker", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="concurrency runs per setting")
    args = parser.parse_args()
    cluster = None
    if args.dsn is None:
        from _postgres import Cluster

        cluster = Cluster(DURABLE)
        dsn = cluster.dsn()
    else:
        dsn = args.dsn
    try:
        with psycopg.connect(dsn) as conn:
            version = conn.info.server_version
        print(
            f"python {platform.python_version()}, psycopg {psycopg.__version__} "
            f"({psycopg.pq.__impl__}), PostgreSQL {version // 10000}.{version % 10000}"
        )
        batches_section(dsn, args.signals, args.batch, args.seed)
        concurrency_section(
            dsn, [int(w) for w in args.workers.split(",")], args.per_worker, args.repeat
        )
    finally:
        if cluster is not None:
            cluster.destroy()


if __name__ == "__main__":
    main()
