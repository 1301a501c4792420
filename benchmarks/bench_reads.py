"""Reads that follow the answer: the cost of each read the facade offers, at growing index
sizes, on the in-memory and the SQLite store.

    python benchmarks/bench_reads.py [--sizes 10000,100000,1000000] [--stores memory,sqlite]

For each size the index is filled with the population of bench_engine.py for that size
(registrations in batches of 10,000), then each read is timed: the list reads over the same
25 organisations at every size, the others 15 times (median): ``matches_for`` and
``notifications_for`` per returned item, ``acknowledge`` of one notification, ``inzage`` of
one subject, and the daily ``sweep`` when nothing is due. Every read writes its audit entries,
as in use. The ratio is each figure against the smallest size's, in the same run. Goal
(issue 10): within 2 x between 10 k and 1 M signals.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import population
from verwijsindex_core import Verwijsindex
from verwijsindex_core.matching import (
    Actor,
    FixedClock,
    RegisterRequest,
    RightsHolders,
    age_on,
    rights_holders,
)
from verwijsindex_core.store import MemoryStore, SQLiteStore, Store

CLOCK = datetime(2026, 3, 2, 9, tzinfo=UTC)
REQUESTERS = {
    RightsHolders.PARENT: ["parent"],
    RightsHolders.PARENT_AND_YOUTH: ["parent", "youth"],
    RightsHolders.YOUTH: ["youth"],
}
REPEAT = 15


def timed(call: Callable[[], int], repeat: int = REPEAT) -> float:
    """Median seconds per item over ``repeat`` calls (``call`` returns its item count)."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        items = call()
        samples.append((time.perf_counter() - start) / max(items, 1))
    return statistics.median(samples)


def per_item(call: Callable[[Actor], int], actors: list[Actor]) -> float:
    """Seconds per returned item, over the answers to all ``actors`` together."""
    items, elapsed = 0, 0.0
    for actor in actors:
        start = time.perf_counter()
        items += call(actor)
        elapsed += time.perf_counter() - start
    return elapsed / max(items, 1)


def measure(store: Store, requests: list[RegisterRequest], seed: int) -> dict[str, float]:
    vi = Verwijsindex(store, clock=FixedClock(CLOCK))
    for i in range(0, len(requests), 10_000):
        vi.register_many(requests[i : i + 10_000])
    rng = random.Random(seed)
    sample = rng.sample(requests, REPEAT * 3)
    # The same 25 organisations at every size (2,000 in the population): per returned item,
    # over all their answers together.
    orgs = [Actor(organisation_id=f"org-{80 * k}") for k in range(25)]
    gc.collect()
    gc.freeze()  # the inputs are not the index: keep the collector off them while timing
    out: dict[str, float] = {}
    vi.matches_for(Actor(organisation_id="org-1"))  # warm up
    out["matches_for, per match"] = per_item(lambda a: len(vi.matches_for(a)), orgs)
    out["notifications_for, per notification"] = per_item(
        lambda a: len(vi.notifications_for(a)), orgs
    )
    pending = []
    for r in sample:
        actor = Actor(organisation_id=r.organisation.id)
        notes_of = vi.notifications_for(actor)
        if notes_of:
            pending.append((actor, notes_of[0].id))

    def acknowledge() -> int:
        actor, note = pending.pop()
        vi.acknowledge(actor, [note])
        return 1

    out["acknowledge, one notification"] = timed(acknowledge, min(REPEAT, len(pending)))
    subjects = [(r.subject, r.date_of_birth) for r in sample]
    office = Actor(organisation_id="gemeente")

    def inzage_any() -> int:
        # The requesters the rule wants at the subject's age (a refused request costs a
        # different amount: it must not decide the figure).
        subject, born = subjects.pop()
        who = REQUESTERS[rights_holders(age_on(born, CLOCK.date()))]
        vi.inzage(subject, date_of_birth=born, requesters=who, actor=office)
        return 1

    out["inzage, one subject"] = timed(inzage_any)
    vi.sweep()  # today's work done: what remains is the cost of a sweep with nothing due
    out["sweep, nothing due"] = timed(lambda: (vi.sweep(), 1)[1])
    gc.unfreeze()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--stores", default="memory,sqlite")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for name in args.stores.split(","):
        results: dict[int, dict[str, float]] = {}
        for size in sizes:
            gc.collect()
            with tempfile.TemporaryDirectory() as tmp:
                store: Store = (
                    MemoryStore() if name == "memory" else SQLiteStore(Path(tmp) / "reads.db")
                )
                # A whole population per size: its subjects have all their signals.
                results[size] = measure(store, population(size, args.seed), args.seed)
                if isinstance(store, SQLiteStore):
                    store.close()
        print(f"\n{name} store: microseconds (median of {REPEAT}), ratio to {sizes[0]:,} signals")
        header = f"{'read':<38}" + "".join(f"{s:>14,}" for s in sizes) + f"{'ratio':>9}"
        print(header)
        worst = 0.0
        for read in results[sizes[0]]:
            cells = "".join(f"{results[s][read] * 1e6:14,.1f}" for s in sizes)
            ratio = results[sizes[-1]][read] / results[sizes[0]][read]
            worst = max(worst, ratio)
            print(f"{read:<38}{cells}{ratio:8.2f}x")
        print(f"goal within 2 x: {'met' if worst <= 2 else 'NOT met'} (worst {worst:.2f}x)")


if __name__ == "__main__":
    main()
