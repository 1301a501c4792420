"""Child process for the PostgreSQL crash and concurrency tests (run as a script).

python _postgres_child.py ingest DSN SCHEMA START BATCH_SIZE  # batches until killed; prints each
python _postgres_child.py register DSN SCHEMA WORKER COUNT   # one transaction per registration

``register`` spreads its registrations over 15 shared subjects in three families (five
children share a parent), so that concurrent workers race on direct and family matches.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, date, datetime

from verwijsindex_core import Verwijsindex
from verwijsindex_core.matching import Domain, FixedClock, Organisation, Professional
from verwijsindex_core.pseudonym import Pseudonym
from verwijsindex_core.store import PostgresStore

CLOCK = datetime(2026, 3, 2, 9, tzinfo=UTC)
BORN = date(2015, 1, 1)
SUBJECTS = 15


def organisation(org_id: str) -> Organisation:
    return Organisation(
        id=org_id, name="Organisatie", domain=Domain.JEUGDHULP, municipality="GM0518"
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


def parent_of(n: int) -> Pseudonym:
    """Subjects 0-4, 5-9 and 10-14 are three families."""
    return Pseudonym._trusted("aaaaaaaa", (10_000 + n // 5).to_bytes(32, "big"))


def ingest(dsn: str, schema: str, start: int, size: int) -> None:
    vi = Verwijsindex(PostgresStore(dsn, schema=schema), clock=FixedClock(CLOCK))
    rng = random.Random(start)
    for batch in range(start, start + 10_000):
        org = organisation(f"batch-{batch}")
        requests = [
            {
                "subject": subject(rng.randrange(500)),
                "date_of_birth": BORN,
                "organisation": org,
                "professional": professional(org, i),
                "municipality": "GM0518",
            }
            for i in range(size)
        ]
        vi.register_many(requests)
        print(batch, flush=True)


def register(dsn: str, schema: str, worker: int, count: int) -> None:
    vi = Verwijsindex(PostgresStore(dsn, schema=schema), clock=FixedClock(CLOCK))
    rng = random.Random(worker)
    org = organisation(f"worker-{worker}")
    for _ in range(count):
        n = rng.randrange(SUBJECTS)
        vi.register(
            subject(n),
            date_of_birth=BORN,
            organisation=org,
            professional=professional(org, rng.randrange(2)),
            municipality="GM0518",
            parents=[parent_of(n)],
        )
    print("done", flush=True)


if __name__ == "__main__":
    mode, dsn, schema, a, b = sys.argv[1], sys.argv[2], sys.argv[3], *map(int, sys.argv[4:6])
    (ingest if mode == "ingest" else register)(dsn, schema, a, b)
