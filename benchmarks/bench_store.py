"""Registrations per second into the SQLite store, in batches, durable, beside a raw
``executemany`` insert of the same rows measured in the same run.

    python benchmarks/bench_store.py [--signals 1000000] [--batch 1000]

Durable means WAL with synchronous=NORMAL (commits survive a process crash; the last
transactions may be lost on power failure, as SQLite documents). The store path includes
matching, notifications and audit entries; the baseline only inserts the signal rows.
Goal (issue 5): >= 40 k registrations/s.
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import population
from verwijsindex_core import Verwijsindex
from verwijsindex_core.matching import FixedClock, SQLiteStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    n, batch = args.signals, args.batch
    requests = population(n, args.seed)

    with tempfile.TemporaryDirectory() as tmp:
        raw = sqlite3.connect(Path(tmp) / "raw.db", isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute(
            "CREATE TABLE signals (id INTEGER PRIMARY KEY, key_id TEXT, digest BLOB, "
            "organisation_id TEXT, professional_id TEXT, professional_name TEXT, "
            "professional_function TEXT, professional_phone TEXT, professional_email TEXT, "
            "domain TEXT, region TEXT, registered_on TEXT, planned_end TEXT, status TEXT)"
        )
        rows = [
            (
                i + 1,
                r.subject.key_id,
                r.subject.digest,
                r.organisation.id,
                r.professional.id,
                r.professional.name,
                r.professional.function,
                r.professional.phone,
                r.professional.email,
                r.organisation.domain.value,
                r.region,
                "2026-03-02",
                "2027-03-02",
                "active",
            )
            for i, r in enumerate(requests)
        ]
        start = time.perf_counter()
        for i in range(0, n, batch):
            raw.execute("BEGIN")
            raw.executemany(
                "INSERT INTO signals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows[i : i + batch],
            )
            raw.execute("COMMIT")
        t_raw = time.perf_counter() - start
        raw.close()

        store = SQLiteStore(Path(tmp) / "store.db", synchronous="NORMAL")
        vi = Verwijsindex(store, clock=FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
        start = time.perf_counter()
        registered = matches = 0
        for i in range(0, n, batch):
            summary = vi.register_many(requests[i : i + batch])
            registered += summary.registered
            matches += summary.matches
        t_store = time.perf_counter() - start
        verified = vi.verify_audit()
        size = sum(p.stat().st_size for p in Path(tmp).iterdir() if p.name.startswith("store"))
        store.close()

    print(
        f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, "
        f"{n:,} registrations in batches of {batch:,}, WAL + synchronous=NORMAL"
    )
    print(f"{'measurement':<48} {'per second':>12} {'ratio':>7}")
    print(f"{'raw executemany of the signal rows (baseline)':<48} {n / t_raw:12,.0f} {1:6.2f}x")
    print(
        f"{'register_many into SQLiteStore (match+audit)':<48} {n / t_store:12,.0f} "
        f"{t_raw / t_store:6.2f}x"
    )
    print(
        f"registered {registered:,}, matches {matches:,}, audit chain ok: {verified.ok} "
        f"({verified.entries:,} entries), file {size / 1e6:,.0f} MB ({size / n:,.0f} B/signal)"
    )
    print(f"goal >= 40 k/s: {'met' if n / t_store >= 40_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
