"""Registrations per second on the in-memory store with the audit log on, and memory per
active signal, beside a bare dict-grouping baseline measured in the same run.

    python benchmarks/bench_engine.py [--signals 1000000] [--batch 1000] [--seed 7]

Population: synthetic subjects of whom about 30 % get two or more signals, 2,000
organisations (all seven domains) with 10 professionals each, 340 municipalities. Requests are
built (and validated by pydantic) before the clock starts, as a vendor's system would, and the
objects built so far are frozen out of the garbage collector's way (``gc.freeze()``: design
§6 asks for steady-state figures; the store itself keeps no objects the collector walks).
Baseline: group the same (subject, organisation) rows in a dict of lists and count the pairs
of different organisations per subject, i.e. the matching work with nothing else.
Goals (issue 10): >= 100 k registrations/s with audit in batches, >= 0.2 x the baseline;
<= 500 bytes per active signal at 1 M, audit included.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import time
import tracemalloc
from collections import defaultdict
from datetime import UTC, date, datetime

from verwijsindex_core import Verwijsindex
from verwijsindex_core.matching import (
    Domain,
    FixedClock,
    Organisation,
    Professional,
    RegisterRequest,
)
from verwijsindex_core.pseudonym import Pseudonym
from verwijsindex_core.store import MemoryStore

TODAY = date(2026, 3, 2)
CLOCK = datetime(2026, 3, 2, 9, tzinfo=UTC)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def population(n_signals: int, seed: int) -> list[RegisterRequest]:
    """``n_signals`` registrations of synthetic subjects (no parents, the default policy)."""
    rng = random.Random(seed)
    domains = list(Domain)
    municipalities = [f"GM{n:04d}" for n in range(1, 341)]
    orgs = [
        Organisation(
            id=f"org-{i}",
            name=f"Organisatie {i}",
            domain=domains[i % 7],
            municipality=municipalities[i % 340],
        )
        for i in range(2000)
    ]
    pros = [
        [
            Professional(
                id=f"org-{i}-p{j}",
                name=f"Professional {j}",
                function="Jeugdarts",
                phone="070-1234567",
                email=f"p{j}@org-{i}.example",
                organisation_id=o.id,
            )
            for j in range(10)
        ]
        for i, o in enumerate(orgs)
    ]
    requests: list[RegisterRequest] = []
    while len(requests) < n_signals:
        subject = Pseudonym._trusted("aaaaaaaa", rng.randbytes(32))
        dob = date(2004 + rng.randrange(22), 1 + rng.randrange(12), 1 + rng.randrange(28))
        count = 1 if rng.random() < 0.7 else rng.choice((2, 2, 3, 4))
        municipality = rng.choice(municipalities)
        for _ in range(count):
            o = rng.randrange(2000)
            requests.append(
                RegisterRequest.model_construct(
                    subject=subject,
                    aliases=(),
                    date_of_birth=dob,
                    organisation=orgs[o],
                    professional=pros[o][rng.randrange(10)],
                    municipality=municipality,
                    domain=None,
                    planned_end=None,
                    parents=(),
                    postponement=None,
                )
            )
    rng.shuffle(requests)
    return requests[:n_signals]


def baseline(requests: list[RegisterRequest]) -> tuple[float, int]:
    """Seconds to group (subject, organisation) rows and count cross-organisation pairs."""
    rows = [((r.subject.key_id, r.subject.digest), r.organisation.id) for r in requests]
    gc.collect()
    start = time.perf_counter()
    groups: dict[tuple[str, bytes], list[str]] = defaultdict(list)
    pairs = 0
    for key, org in rows:
        bucket = groups[key]
        pairs += sum(1 for other in bucket if other != org)
        bucket.append(org)
    return time.perf_counter() - start, pairs


def register(requests: list[RegisterRequest], batch: int) -> tuple[float, Verwijsindex]:
    index = Verwijsindex(MemoryStore(), clock=FixedClock(CLOCK))
    gc.collect()
    gc.freeze()
    start = time.perf_counter()
    for i in range(0, len(requests), batch):
        index.register_many(requests[i : i + batch])
    elapsed = time.perf_counter() - start
    gc.unfreeze()
    return elapsed, index


def memory(requests: list[RegisterRequest], batch: int) -> tuple[float, float, int]:
    """Bytes per registration held by the store (tracemalloc), all of it and the audit log's
    columns alone, and the number of registrations."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = Verwijsindex(MemoryStore(), clock=FixedClock(CLOCK))
    for i in range(0, len(requests), batch):
        index.register_many(requests[i : i + batch])
    gc.collect()
    total = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    store = index._store
    assert isinstance(store, MemoryStore)
    audit = sum(
        len(column) * column.itemsize
        for column in (
            store._a_at,
            store._a_event,
            store._a_alias,
            store._a_actor,
            store._a_prof,
            store._a_resp,
            store._a_signal,
            store._al_audit.next,
            store._al_audit.prev,
        )
    ) + len(store._a_hash)
    return total / len(requests), audit / len(requests), len(requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--memory-signals",
        type=int,
        default=200_000,
        help="size of the separate tracemalloc run that splits index and audit memory",
    )
    args = parser.parse_args()
    n = args.signals
    requests = population(n, args.seed)

    t_base, pairs = baseline(requests)
    rss_before = rss_bytes()
    t_batched, index = register(requests, args.batch)
    rss_total = rss_bytes() - rss_before
    stats = index.statistics()
    verified = index.verify_audit()
    del index
    gc.collect()
    t_one, one = register(requests, n)
    del one
    gc.collect()
    per_signal, per_audit, m = memory(requests[: args.memory_signals], args.batch)

    print(f"python {platform.python_version()} on {platform.machine()}, {n:,} registrations")
    print(f"{'measurement':<56} {'per second':>12} {'ratio':>7}")
    print(f"{'dict grouping + pair count (baseline)':<56} {n / t_base:12,.0f} {1:6.2f}x")
    print(
        f"{f'register_many, batches of {args.batch:,}, audit on':<56} {n / t_batched:12,.0f} "
        f"{t_base / t_batched:6.2f}x"
    )
    print(f"{'register_many, one batch, audit on':<56} {n / t_one:12,.0f} {t_base / t_one:6.2f}x")
    print(
        f"active signals {stats.signals_active:,}, subjects {stats.subjects:,}, "
        f"matches {stats.matches_direct:,} (baseline pairs {pairs:,}), "
        f"notifications {stats.notifications_pending:,}, audit entries {stats.audit_entries:,} "
        f"(chain verified: {verified.ok})"
    )
    print(
        f"memory per active signal at {m:,} (tracemalloc): {per_signal:,.0f} bytes in all, "
        f"of which {per_audit:,.0f} for the audit log"
    )
    print(
        f"memory per active signal at {n:,} (RSS growth, all of it): "
        f"{rss_total / stats.signals_active:,.0f} bytes"
    )
    rate = n / t_batched
    print(
        f"goal >= 100 k/s in batches: {'met' if rate >= 100_000 else 'NOT met'}; "
        f">= 0.2 x baseline: {'met' if t_base / t_batched >= 0.2 else 'NOT met'}; "
        f"<= 500 B/signal: {'met' if per_signal <= 500 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
