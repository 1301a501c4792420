"""Registrations per second on the in-memory engine with the audit log on, and memory per
active signal, beside a bare dict-grouping baseline measured in the same run.

    python benchmarks/bench_engine.py [--signals 1000000] [--seed 7]

Population: synthetic subjects of whom about 30 % get two or more signals, 2,000
organisations (all seven domains) with 10 professionals each, 340 municipalities. Requests are
built (and validated by pydantic) before the clock starts, as a vendor's system would; the
cost of validating dict input is measured separately on a sample.
Baseline: group the same (subject, organisation) rows in a dict of lists and count the pairs
of different organisations per subject, i.e. the matching work with nothing else.
Goals (issue 4): >= 100 k registrations/s; <= 500 bytes per active signal at 1 M.
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
    MemoryStore,
    Organisation,
    Professional,
    RegisterRequest,
)
from verwijsindex_core.pseudonym import Pseudonym

TODAY = date(2026, 3, 2)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def population(n_signals: int, seed: int) -> list[RegisterRequest]:
    rng = random.Random(seed)
    domains = list(Domain)
    municipalities = [f"GM{n:04d}" for n in range(1, 341)]
    orgs = [
        Organisation(
            id=f"org-{i}",
            name=f"Organisatie {i}",
            domain=domains[i % 7],
            municipality=municipalities[i % 340],
            region=f"region-{i % 40}",
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
        region = rng.choice(municipalities)
        for _ in range(count):
            o = rng.randrange(2000)
            requests.append(
                RegisterRequest.model_construct(
                    subject=subject,
                    date_of_birth=dob,
                    organisation=orgs[o],
                    professional=pros[o][rng.randrange(10)],
                    region=region,
                    domain=None,
                    planned_end=None,
                    parents=(),
                    postponement=None,
                )
            )
    rng.shuffle(requests)
    return requests[:n_signals]


def main() -> None:  # noqa: PLR0915 (one linear measurement script)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
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
    rows = [((r.subject.key_id, r.subject.digest), r.organisation.id) for r in requests]

    gc.collect()
    start = time.perf_counter()
    groups: dict[tuple[str, bytes], list[str]] = defaultdict(list)
    pairs = 0
    for key, org in rows:
        bucket = groups[key]
        pairs += sum(1 for other in bucket if other != org)
        bucket.append(org)
    t_base = time.perf_counter() - start
    del groups

    gc.collect()
    rss_before = rss_bytes()
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    vi = Verwijsindex(MemoryStore(), clock=clock)
    start = time.perf_counter()
    summary = vi.register_many(requests)
    t_engine = time.perf_counter() - start
    gc.collect()
    rss_total = rss_bytes() - rss_before
    audit_entries = len(list(vi.audit.entries()))
    del vi
    gc.collect()

    # Exact split of index and audit memory with tracemalloc, on a smaller run.
    m = min(args.memory_signals, n)
    small = Verwijsindex(MemoryStore(), clock=FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    tracemalloc.start()
    small_summary = small.register_many(requests[:m])
    gc.collect()
    traced_total = tracemalloc.get_traced_memory()[0]
    small.store._entries.clear()  # type: ignore[attr-defined]
    gc.collect()
    traced_index = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    per_signal_index = traced_index / small_summary.registered
    per_signal_audit = (traced_total - traced_index) / small_summary.registered
    del small

    sample = [r.model_dump(mode="json") for r in requests[:20_000]]
    check = Verwijsindex(MemoryStore(), clock=FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    start = time.perf_counter()
    check.register_many(sample)
    t_dicts = time.perf_counter() - start

    active = summary.registered
    print(f"python {platform.python_version()} on {platform.machine()}, {n:,} registrations")
    print(
        f"  subjects with 2+ signals: "
        f"{sum(1 for v in _counts(rows).values() if v > 1) / len(_counts(rows)):.0%}"
    )
    print(f"{'measurement':<52} {'per second':>12} {'ratio':>7}")
    print(f"{'dict grouping + pair count (baseline)':<52} {n / t_base:12,.0f} {1:6.2f}x")
    print(
        f"{'register_many, validated requests, audit on':<52} {n / t_engine:12,.0f} "
        f"{t_base / t_engine:6.2f}x"
    )
    print(
        f"{'register_many from dicts (pydantic validation), 20 k':<52} "
        f"{len(sample) / t_dicts:12,.0f} {t_base / n * len(sample) / t_dicts:6.2f}x"
    )
    print(
        f"registered {summary.registered:,}, idempotent {summary.existing:,}, "
        f"matches {summary.matches:,} (baseline pairs {pairs:,}), "
        f"notifications {summary.notifications:,}, audit entries {audit_entries:,}"
    )
    print(
        f"memory per active signal at {m:,} (tracemalloc): {per_signal_index:,.0f} bytes in the "
        f"index (signals, subjects, matches, outbox), {per_signal_audit:,.0f} more for the "
        "in-memory audit log"
    )
    print(f"memory per active signal at {n:,} (RSS, all of it): {rss_total / active:,.0f} bytes")
    print(
        f"goal >= 100 k/s: {'met' if n / t_engine >= 100_000 else 'NOT met'}; "
        f"goal <= 500 B/signal: {'met' if per_signal_index <= 500 else 'NOT met'}"
    )


def _counts(rows: list[tuple[tuple[str, bytes], str]]) -> dict[tuple[str, bytes], int]:
    counts: dict[tuple[str, bytes], int] = defaultdict(int)
    for key, _ in rows:
        counts[key] += 1
    return counts


if __name__ == "__main__":
    main()
