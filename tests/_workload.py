"""One workload that runs every statement the facade, the engine and inzage use (all but the
export methods), for the tests that check each statement's plan on a database store
(``test_sqlite.py`` and ``test_postgres.py``): registrations one by one and in a batch, with
parent links, matches and history; reads, acknowledgements, coordinator and afgestemd marks,
ends of both kinds, history, a move, a death, parent links, rectification, inzage, and the
daily sweep after a year and after the retention period."""

from __future__ import annotations

import random
from datetime import datetime

from _factories import PSEUDONYMISER, child_born, organisation, professional
from verwijsindex_core import Verwijsindex
from verwijsindex_core.matching import Actor, Domain, FixedClock, Policy
from verwijsindex_core.pseudonym import random_bsn
from verwijsindex_core.store import Store

REGIONS = {"GM0518": "haaglanden", "GM0599": "rijnmond"}


def exercise_every_operation(store: Store, start: datetime) -> None:
    """Run the workload on ``store`` (trace its statements before calling this)."""
    clock = FixedClock(start)
    vi = Verwijsindex(
        store, pseudonymiser=PSEUDONYMISER, clock=clock, policy=Policy(regions=REGIONS)
    )
    rng = random.Random(9)
    bsns = [random_bsn(rng) for _ in range(40)]
    parents = [random_bsn(rng) for _ in range(10)]
    orgs = [organisation(i, Domain.JEUGDHULP, "GM0518" if i % 2 else "GM0599") for i in range(4)]
    born = child_born(8)
    results = []
    for i in range(120):
        org = orgs[(i + i // 40) % 4]
        results.append(
            vi.register(
                bsns[i % 40],
                date_of_birth=born,
                organisation=org,
                professional=professional(org, i % 2),
                municipality=org.municipality,
                parents=[parents[i % 10]],
            )
        )
    vi.register_many(
        [
            {
                "subject": PSEUDONYMISER.pseudonymise(bsns[i % 40]),
                "date_of_birth": born,
                "organisation": orgs[3],
                "professional": professional(orgs[3], 5 + i % 3),
                "municipality": "GM0518",
                "parents": [PSEUDONYMISER.pseudonymise(parents[i % 10])],
            }
            for i in range(60)
        ]
    )
    first = results[0].signal
    owner = Actor(organisation_id=first.organisation_id, professional_id=first.professional.id)
    vi.signal(first.id, owner)
    vi.matches_for(owner)
    vi.matches_for(Actor(organisation_id=orgs[2].id))
    vi.notifications_for(owner)
    notes = vi.notifications_for(Actor(organisation_id=orgs[1].id))
    vi.acknowledge(Actor(organisation_id=orgs[1].id), [n.id for n in notes])
    match = results[40].matches[0]
    vi.mark_coordinator(match.id, match.signal_a, Actor(organisation_id=orgs[0].id))
    vi.mark_afgestemd(match.id, Actor(organisation_id=orgs[0].id))
    vi.end_signal(results[5].signal.id, "risk_gone", Actor(organisation_id=orgs[1].id))
    vi.view_history(results[45].signal.id, "risk_assessment", Actor(organisation_id=orgs[2].id))
    vi.end_signal(results[6].signal.id, "unjustified", Actor(organisation_id=orgs[2].id))
    vi.record_move(bsns[3], "GM0599", Actor(organisation_id="brp"))
    vi.record_death(bsns[4], Actor(organisation_id="brp"))
    vi.set_parents(bsns[7], [parents[1]], Actor(organisation_id="brp"))
    vi.rectify_date_of_birth(bsns[8], born, Actor(organisation_id="brp"))
    vi.inzage(bsns[2], date_of_birth=born, requesters=["parent"], actor=Actor(organisation_id="gm"))
    clock.advance(days=400)
    vi.sweep()
    clock.advance(days=6 * 365)
    vi.sweep()
