"""Child process for the crash and concurrency tests (run as a script, never imported).

python _sqlite_child.py ingest DB START BATCH_SIZE   # batches until killed; prints each
python _sqlite_child.py register DB WORKER COUNT     # one transaction per registration
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from verwijsindex_core import Verwijsindex
from verwijsindex_core.matching import Domain, FixedClock, Organisation, Professional
from verwijsindex_core.pseudonym import Pseudonym
from verwijsindex_core.store import SQLiteStore

CLOCK = datetime(2026, 3, 2, 9, tzinfo=UTC)


def organisation(org_id: str) -> Organisation:
    return Organisation(
        id=org_id,
        name="Organisatie",
        domain=Domain.JEUGDHULP,
        municipality="GM0518",
    )


def professional(org: Organisation, n: int) -> Professional:
    return Professional(
        id=f"{org.id}-p{n}",
        name="Professional",
        function="Mentor",
        phone="070-1234567",
        email=f"p{n}@x.example",
        organisation_id=org.id,
    )


def subject(n: int) -> Pseudonym:
    return Pseudonym._trusted("aaaaaaaa", n.to_bytes(32, "big"))


def ingest(db: Path, start: int, size: int) -> None:
    vi = Verwijsindex(SQLiteStore(db), clock=FixedClock(CLOCK))
    rng = random.Random(start)
    for batch in range(start, start + 10_000):
        org = organisation(f"batch-{batch}")
        requests = [
            {
                "subject": subject(rng.randrange(500)),
                "date_of_birth": date(2015, 1, 1),
                "organisation": org,
                "professional": professional(org, i),
                "municipality": "GM0518",
            }
            for i in range(size)
        ]
        vi.register_many(requests)
        print(batch, flush=True)


def register(db: Path, worker: int, count: int) -> None:
    vi = Verwijsindex(SQLiteStore(db, busy_timeout=60), clock=FixedClock(CLOCK))
    rng = random.Random(worker)
    org = organisation(f"worker-{worker}")
    for _ in range(count):
        vi.register(
            subject(rng.randrange(15)),
            date_of_birth=date(2015, 1, 1),
            organisation=org,
            professional=professional(org, rng.randrange(2)),
            municipality="GM0518",
        )
    print("done", flush=True)


if __name__ == "__main__":
    mode, db, a, b = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    (ingest if mode == "ingest" else register)(db, a, b)
