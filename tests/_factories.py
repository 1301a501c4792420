"""Synthetic organisations, professionals and subjects for the matching tests (no real data)."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from _postgres import postgres_available, postgres_store
from _system import in_ci
from verwijsindex_core import KeyRing, Pseudonymiser, Verwijsindex
from verwijsindex_core.matching import Domain, FixedClock, Organisation, Policy, Professional
from verwijsindex_core.pseudonym import Key, Pseudonym, random_bsn
from verwijsindex_core.store import MemoryStore, SQLiteStore, Store

RING = KeyRing(Key(bytes(range(32))))
PSEUDONYMISER = Pseudonymiser(RING)
START = datetime(2026, 3, 2, 9, 0)
TODAY = START.date()

_TMP = tempfile.TemporaryDirectory(prefix="verwijsindex-tests-")


def sqlite_store() -> SQLiteStore:
    """A real SQLite file in a fresh directory (removed when the test run ends)."""
    return SQLiteStore(Path(tempfile.mkdtemp(dir=_TMP.name)) / "store.db")


STORE_FACTORIES: dict[str, Callable[[], Store]] = {"memory": MemoryStore, "sqlite": sqlite_store}
"""The shared store suite runs on every store listed here (one entry per store)."""
if postgres_available() or in_ci():  # a throwaway cluster for the run (tests/_postgres.py)
    STORE_FACTORIES["postgres"] = postgres_store


def organisation(
    n: int, domain: Domain | None = None, municipality: str = "GM0518"
) -> Organisation:
    domains = list(Domain)
    return Organisation(
        id=f"org-{n}",
        name=f"Organisatie {n}",
        domain=domain or domains[n % len(domains)],
        municipality=municipality,
    )


def professional(org: Organisation, n: int) -> Professional:
    return Professional(
        id=f"{org.id}-p{n}",
        name=f"Professional {n}",
        function="Jeugdverpleegkundige",
        phone="070-1234567",
        email=f"p{n}@{org.id}.example",
        organisation_id=org.id,
    )


def subject(seed: int) -> Pseudonym:
    return PSEUDONYMISER.pseudonymise(random_bsn(random.Random(seed)))


def index(store: str = "memory", policy: Policy | None = None) -> tuple[Verwijsindex, FixedClock]:
    clock = FixedClock(START)
    return (
        Verwijsindex(
            STORE_FACTORIES[store](), pseudonymiser=PSEUDONYMISER, clock=clock, policy=policy
        ),
        clock,
    )


def child_born(years_ago: int, today: date = TODAY) -> date:
    return date(today.year - years_ago, 1, 15)
