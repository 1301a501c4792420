"""One benchmark measurement in a fresh process (``python -m
verwijsindex_core.research._worker TASK JSON``): prints one JSON object (rows of results).

The suite runs every measurement in its own process, so that the peak resident memory the
operating system reports for it belongs to that measurement alone. Each task times its
candidate beside its baseline on the same inputs, in the same process.
"""

from __future__ import annotations

import gc
import hmac
import json
import resource
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from verwijsindex_core.matching import (
    FixedClock,
    Organisation,
    Policy,
    Professional,
    RegisterRequest,
)
from verwijsindex_core.pseudonym import Key, KeyRing, Pseudonymiser
from verwijsindex_core.synthetic.nation import (
    DOMAINS,
    NationConfig,
    build_nation,
    drop_idempotent,
    load_nation,
    synthetic_bsns,
    write_nation,
)

__all__: list[str] = []

Row = dict[str, Any]
_KEY = bytes(range(32))  # a fixed key: synthetic data only
TODAY = date(2026, 3, 2)
CLOCK = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * 4096


def _timed(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _row(measurement: str, n: int, seconds: float, baseline: float | None, **extra: Any) -> Row:
    row: Row = {"measurement": measurement, "n": n, "seconds": seconds, "per_second": n / seconds}
    if baseline is not None:
        row["baseline_per_second"] = n / baseline
        row["ratio"] = baseline / seconds
    row.update(extra)
    return row


def pseudonymise(n: int) -> list[Row]:
    """Keyed pseudonyms of ``n`` synthetic BSNs beside a bare ``hmac.digest`` loop."""
    digits = [f"{b:09d}" for b in synthetic_bsns(np.arange(n) % 9_000_000)]
    subjects = Pseudonymiser(KeyRing(Key(_KEY)))
    encoded = [d.encode() for d in digits]
    base = _timed(lambda: [hmac.digest(_KEY, d, "sha256") for d in encoded])
    rows = [_row("hmac.digest loop (baseline)", n, base, base)]
    rows.append(_row("digests_many", n, _timed(lambda: subjects.digests_many(digits)), base))
    if n <= 1_000_000:
        many = _timed(lambda: subjects.pseudonymise_many(digits))
        rows.append(_row("pseudonymise_many", n, many, base))
    return rows


def _requests(n: int, seed: int) -> list[RegisterRequest]:
    """``n`` registrations of a synthetic nation, all on one day (the clock is fixed)."""
    nation = build_nation(NationConfig.for_signals(n, seed=seed))
    t = nation.signals
    geo = nation.geography
    orgs = {
        o: Organisation(
            id=f"org-{o}",
            name=f"Organisatie {o}",
            domain=DOMAINS[int(geo.org_domain[o])],
            municipality=geo.codes[int(geo.org_municipality[o])],
        )
        for o in np.unique(t.organisation).tolist()
    }
    pros: dict[int, Professional] = {}
    for o, p in zip(t.organisation.tolist(), t.professional.tolist(), strict=True):
        if p not in pros:
            pros[p] = Professional(
                id=f"p-{p}",
                name=f"Professional {p}",
                function="Jeugdarts",
                phone="070-1234567",
                email=f"p{p}@org-{o}.example",
                organisation_id=f"org-{o}",
            )
    people = np.unique(t.subject)
    pseudonyms = dict(
        zip(
            people.tolist(),
            Pseudonymiser(KeyRing(Key(_KEY))).pseudonymise_many(
                [f"{b:09d}" for b in synthetic_bsns(people % 9_000_000)]
            ),
            strict=True,
        )
    )
    # One date of birth per subject: its age at its first signal, counted back from today.
    first: dict[int, int] = {}
    for s, d in zip(t.subject.tolist(), (t.registered >> 20).tolist(), strict=True):
        first[s] = min(first.get(s, d), d)
    age = {s: first[s] - born for s, born in zip(t.subject.tolist(), t.born.tolist(), strict=True)}
    requests = []
    for s, o, p in zip(
        t.subject.tolist(), t.organisation.tolist(), t.professional.tolist(), strict=True
    ):
        requests.append(
            RegisterRequest.model_construct(
                subject=pseudonyms[s],
                aliases=(),
                date_of_birth=TODAY - timedelta(days=age[s]),
                organisation=orgs[o],
                professional=pros[p],
                municipality=orgs[o].municipality,
                domain=None,
                planned_end=None,
                parents=(),
                postponement=None,
            )
        )
    return requests


def _group_baseline(requests: list[RegisterRequest]) -> float:
    rows = [((r.subject.key_id, r.subject.digest), r.organisation.id) for r in requests]

    def run() -> None:
        groups: dict[tuple[str, bytes], list[str]] = defaultdict(list)
        for key, org in rows:
            bucket = groups[key]
            sum(1 for other in bucket if other != org)
            bucket.append(org)

    return _timed(run)


def register_memory(n: int) -> list[Row]:
    """``Verwijsindex.register_many`` on a MemoryStore (batches of 1,000, audit on) beside a
    bare dict grouping of the same rows."""
    from verwijsindex_core import Verwijsindex  # noqa: PLC0415 - only this task needs it
    from verwijsindex_core.store import MemoryStore  # noqa: PLC0415

    requests = _requests(n, 7)
    base = _group_baseline(requests)
    index = Verwijsindex(MemoryStore(), clock=FixedClock(CLOCK), policy=Policy(regions={}))
    before = _rss()

    def run() -> None:
        for i in range(0, n, 1_000):
            index.register_many(requests[i : i + 1_000])

    seconds = _timed(run)
    grown = _rss() - before
    return [
        _row("dict grouping (baseline)", n, base, base),
        _row("register_many, MemoryStore", n, seconds, base, bytes_per_signal=grown / n),
    ]


def register_sqlite(n: int) -> list[Row]:
    """``register_many`` into a SQLiteStore (WAL) beside a raw ``executemany`` of one signal
    row per registration into a plain table, in the same directory."""
    from verwijsindex_core import Verwijsindex  # noqa: PLC0415
    from verwijsindex_core.store import SQLiteStore  # noqa: PLC0415

    requests = _requests(n, 7)
    with tempfile.TemporaryDirectory() as tmp:
        raw = sqlite3.connect(Path(tmp) / "raw.db", isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute(
            "CREATE TABLE signal (id INTEGER PRIMARY KEY, key_id TEXT, subject BLOB, "
            "organisation TEXT, professional TEXT, domain TEXT, municipality TEXT, "
            "registered_on TEXT, planned_end TEXT)"
        )
        rows = [
            (
                r.subject.key_id,
                r.subject.digest,
                r.organisation.id,
                r.professional.id,
                r.organisation.domain.value,
                r.municipality,
                TODAY.isoformat(),
                (TODAY + timedelta(days=365)).isoformat(),
            )
            for r in requests
        ]

        def insert() -> None:
            for i in range(0, n, 1_000):
                raw.execute("BEGIN")
                raw.executemany(
                    "INSERT INTO signal (key_id, subject, organisation, professional, domain, "
                    "municipality, registered_on, planned_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    rows[i : i + 1_000],
                )
                raw.execute("COMMIT")

        base = _timed(insert)
        raw.close()
        store = SQLiteStore(Path(tmp) / "store.db")
        index = Verwijsindex(store, clock=FixedClock(CLOCK), policy=Policy(regions={}))

        def run() -> None:
            for i in range(0, n, 1_000):
                index.register_many(requests[i : i + 1_000])

        seconds = _timed(run)
        store.close()
        size = (Path(tmp) / "store.db").stat().st_size
    return [
        _row("raw sqlite executemany (baseline)", n, base, base),
        _row("register_many, SQLiteStore", n, seconds, base, file_bytes_per_signal=size / n),
    ]


def generate(n: int, out: str) -> list[Row]:
    """Build a nation of ``n`` signals and write it (NPZ): signals written per second."""
    config = NationConfig.for_signals(n)
    start = time.perf_counter()
    nation = build_nation(config)
    built = time.perf_counter() - start
    write_nation(nation, out)
    seconds = time.perf_counter() - start
    return [
        _row(
            "generate + write NPZ",
            len(nation.signals),
            seconds,
            None,
            build_seconds=built,
            people=len(nation.people),
        )
    ]


def _loaded(path: str) -> tuple[Any, Policy]:
    nation = load_nation(path)
    policy = Policy(regions=nation.geography.regions)
    return drop_idempotent(nation.signals, policy), policy


def batch_numpy(path: str) -> list[Row]:
    """``match_counts`` (numpy, one thread) on a written nation; extra peak memory beyond the
    input columns by tracemalloc (numpy reports its buffers to it)."""
    from verwijsindex_core.research import match_counts  # noqa: PLC0415

    table, policy = _loaded(path)
    columns = sum(a.nbytes for a in table.columns().values())
    found: list[Any] = []
    seconds = _timed(
        lambda: found.append(match_counts(table, policy, check=False, idempotent="trust"))
    )
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    match_counts(table, policy, check=False, idempotent="trust")
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    counts = found[0]
    n = len(table)
    return [
        _row(
            "batch match_counts, numpy",
            n,
            seconds,
            None,
            extra_bytes_per_signal=peak / n,
            input_bytes_per_signal=columns / n,
            **counts.summary(),
        )
    ]


def batch_duckdb(path: str, threads: int = 1) -> list[Row]:
    """The same counts through DuckDB SQL with ``threads`` threads."""
    from verwijsindex_core.research import duckdb_match_counts  # noqa: PLC0415

    table, policy = _loaded(path)
    before = _rss()
    found: list[Any] = []
    seconds = _timed(
        lambda: found.append(
            duckdb_match_counts(table, policy, check=False, idempotent="trust", threads=threads)
        )
    )
    n = len(table)
    return [
        _row(
            "batch counts, DuckDB SQL",
            n,
            seconds,
            None,
            rss_growth_bytes_per_signal=(_rss() - before) / n,
            **found[0].summary(),
        )
    ]


TASKS: dict[str, Callable[..., list[Row]]] = {
    "pseudonymise": pseudonymise,
    "register_memory": register_memory,
    "register_sqlite": register_sqlite,
    "generate": generate,
    "batch_numpy": batch_numpy,
    "batch_duckdb": batch_duckdb,
}


def main(argv: list[str]) -> int:
    task, args = argv[0], json.loads(argv[1])
    rows = TASKS[task](**args)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes
    sys.stdout.write(json.dumps({"rows": rows, "peak_rss_bytes": peak}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
