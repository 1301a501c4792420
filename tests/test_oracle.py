"""The engine equals the brute-force reference on random event sequences, on every store.

Hypothesis drives both with the same registrations, ends, deaths, moves, parent links,
coordinator marks, acknowledgements, history views and clock advances with sweeps; after
every step the results (ids included), the raised errors and the whole store must agree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from _factories import STORE_FACTORIES, TODAY, organisation, professional, subject
from _reference import Reference
from verwijsindex_core.errors import VerwijsindexError
from verwijsindex_core.matching import (
    EndReason,
    Engine,
    Policy,
    RegisterInput,
    Store,
    turns_23_on,
)

SUBJECTS = [subject(i) for i in range(6)]
KEYS = [(p.key_id, p.digest) for p in SUBJECTS]
PARENTS = [(p.key_id, p.digest) for p in (subject(100 + i) for i in range(3))]
# Ages from newborn to nearly 23, so that 23rd birthdays fall inside the simulated period.
DOBS = [
    TODAY - timedelta(days=30),
    date(TODAY.year - 7, 2, 28),
    date(2008, 2, 29),
    date(TODAY.year - 15, 6, 1),
    TODAY.replace(year=TODAY.year - 23) + timedelta(days=40),
    date(TODAY.year - 12, 12, 31),
]
ORGS = [
    organisation(0, municipality="GM0518"),
    organisation(1, municipality="GM0503"),
    organisation(2, municipality="GM0599"),
]
PROFS = [[professional(o, n) for n in range(2)] for o in ORGS]
MUNICIPALITIES = ["GM0518", "GM0503", "GM0599", "GM0344"]
POLICIES = {
    "default": Policy(),
    "same-org-regions": Policy(
        same_organisation_matching=True,
        history_notice=False,
        default_signal_years=2,
        regions={"GM0518": "haaglanden", "GM0503": "haaglanden", "GM0599": "rijnmond"},
    ),
}


def engine_snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    return {
        "subjects": sorted(
            (s.key, s.turns_23, s.deceased, s.municipality) for s in store.subjects()
        ),
        "signals": sorted(
            (
                s.id,
                s.subject,
                s.organisation_id,
                s.professional.id,
                s.domain.value,
                s.region,
                s.registered_on,
                s.planned_end,
                s.status.value,
                s.ended_on,
                s.end_reason.value if s.end_reason else None,
            )
            for s in store.all_signals()
        ),
        "matches": sorted(
            (
                m.id,
                m.signal_a,
                m.signal_b,
                m.kind.value,
                m.cross_region,
                m.created_on,
                m.coordinator_signal,
                m.afgestemd,
            )
            for m in store.all_matches()
        ),
        "notifications": sorted(
            (
                n.id,
                n.organisation_id,
                n.professional_id,
                n.kind.value,
                n.created_on,
                n.signal_id,
                n.match_id,
                n.about,
            )
            for n in store.all_notifications()
        ),
    }


def outcome(fn: Callable[[], Any]) -> Any:
    try:
        return ("ok", fn())
    except VerwijsindexError as exc:
        return ("error", type(exc).__name__, getattr(exc, "rule", None))


def machine_for(store_name: str, policy_name: str) -> type[RuleBasedStateMachine]:
    policy = POLICIES[policy_name]

    class EngineAgainstReference(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.store = STORE_FACTORIES[store_name]()
            self.engine = Engine(self.store, policy)
            self.ref = Reference(policy)
            self.today = TODAY
            self.steps = 0

        def check(self, engine_fn: Callable[[], Any], ref_fn: Callable[[], Any]) -> None:
            got, want = outcome(engine_fn), outcome(ref_fn)
            assert got == want
            self.steps += 1

        @rule(
            s=st.integers(0, 5),
            o=st.integers(0, 2),
            p=st.integers(0, 1),
            days=st.one_of(st.none(), st.integers(-3, 800), st.just("23rd-birthday")),
            parents=st.sets(st.integers(0, 2), max_size=2),
            dob_shift=st.sampled_from([0, 0, 0, 0, 366]),
        )
        def register(  # noqa: PLR0917 (hypothesis passes the drawn values by name)
            self, s: int, o: int, p: int, days: int | str | None, parents: set[int], dob_shift: int
        ) -> None:
            data = RegisterInput(
                subject=KEYS[s],
                date_of_birth=DOBS[s] + timedelta(days=dob_shift),
                organisation=ORGS[o],
                professional=PROFS[o][p],
                domain=ORGS[o].domain,
                region=ORGS[o].municipality,
                planned_end=(
                    None
                    if days is None
                    else turns_23_on(DOBS[s])
                    if isinstance(days, str)
                    else self.today + timedelta(days=days)
                ),
                parents=tuple(PARENTS[i] for i in sorted(parents)),
            )

            def run_engine() -> tuple[object, ...]:
                r = self.engine.register(data, self.today)
                return (r.signal_id, r.created, r.match_ids, r.notification_ids)

            self.check(run_engine, lambda: self.ref.register(data, self.today))

        @rule(
            signal=st.integers(1, 30), reason=st.sampled_from(list(EndReason)), o=st.integers(0, 2)
        )
        def end_signal(self, signal: int, reason: EndReason, o: int) -> None:
            self.check(
                lambda: self.engine.end_signal(signal, reason, ORGS[o].id, self.today) and None,
                lambda: self.ref.end_signal(signal, reason, ORGS[o].id, self.today),
            )

        @rule(s=st.integers(0, 5))
        def record_death(self, s: int) -> None:
            self.check(
                lambda: self.engine.record_death(KEYS[s], self.today),
                lambda: self.ref.record_death(KEYS[s], self.today),
            )

        @rule(s=st.integers(0, 5), m=st.sampled_from(MUNICIPALITIES))
        def record_move(self, s: int, m: str) -> None:
            self.check(
                lambda: self.engine.record_move(KEYS[s], m, self.today),
                lambda: self.ref.record_move(KEYS[s], m, self.today),
            )

        @rule(s=st.integers(0, 5), parents=st.lists(st.integers(0, 2), min_size=0, max_size=3))
        def set_parents(self, s: int, parents: list[int]) -> None:
            keys = [PARENTS[i] for i in parents]
            self.check(
                lambda: self.engine.set_parents(KEYS[s], keys, self.today)[0],
                lambda: self.ref.set_parents(KEYS[s], keys, self.today),
            )

        @rule(match=st.integers(1, 20), signal=st.integers(1, 30), o=st.integers(0, 2))
        def mark(self, match: int, signal: int, o: int) -> None:
            self.check(
                lambda: self.engine.mark_coordinator(match, signal, ORGS[o].id) and None,
                lambda: self.ref.mark_coordinator(match, signal, ORGS[o].id),
            )
            self.check(
                lambda: self.engine.mark_afgestemd(match, ORGS[o].id) and None,
                lambda: self.ref.mark_afgestemd(match, ORGS[o].id),
            )

        @rule(o=st.integers(0, 2), ids=st.lists(st.integers(1, 60), max_size=5))
        def acknowledge(self, o: int, ids: list[int]) -> None:
            self.check(
                lambda: self.store.acknowledge(ORGS[o].id, ids),
                lambda: self.ref.acknowledge(ORGS[o].id, ids),
            )

        @rule(
            signal=st.integers(1, 30),
            o=st.integers(0, 2),
            p=st.one_of(st.none(), st.integers(0, 1)),
        )
        def read(self, signal: int, o: int, p: int | None) -> None:
            self.check(
                lambda: [s.id for s in self.engine.history(signal, ORGS[o].id, self.today)],
                lambda: self.ref.history(signal, ORGS[o].id, self.today),
            )
            prof = None if p is None else PROFS[o][p].id
            self.check(
                lambda: [(m.id, own.id) for own, m in self.engine.matches_for(ORGS[o].id, prof)],
                lambda: self.ref.matches_for(ORGS[o].id, prof),
            )

        @precondition(lambda self: self.steps > 0)
        @rule(days=st.sampled_from([1, 30, 200, 400]))
        def advance_without_sweep(self, days: int) -> None:
            # Results must not depend on when the sweep last ran.
            self.today += timedelta(days=days)

        @precondition(lambda self: self.steps > 0)
        @rule(days=st.sampled_from([0, 1, 7, 30, 180, 365, 400, 800, 1900]))
        def advance_and_sweep(self, days: int) -> None:
            self.today += timedelta(days=days)

            def run_engine() -> tuple[list[int], list[int], list[int]]:
                r = self.engine.sweep(self.today)
                return (list(r.ended_planned), list(r.ended_age), list(r.purged))

            self.check(run_engine, lambda: self.ref.sweep(self.today))

        @invariant()
        def same_store(self) -> None:
            assert engine_snapshot(self.store) == self.ref.snapshot()

    EngineAgainstReference.__name__ = f"EngineAgainstReference_{store_name}_{policy_name}"
    return EngineAgainstReference


@pytest.mark.parametrize("policy_name", sorted(POLICIES))
@pytest.mark.parametrize("store_name", sorted(STORE_FACTORIES))
def test_engine_equals_reference(store_name: str, policy_name: str) -> None:
    machine = machine_for(store_name, policy_name)
    machine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
    machine.TestCase().runTest()


def test_the_reference_is_exercised() -> None:
    """A sanity check that a plain scenario makes matches, family matches and notices."""
    policy = Policy()
    ref = Reference(policy)
    a = RegisterInput(
        KEYS[0], DOBS[3], ORGS[0], PROFS[0][0], ORGS[0].domain, "GM0518", parents=(PARENTS[0],)
    )
    b = RegisterInput(KEYS[0], DOBS[3], ORGS[1], PROFS[1][0], ORGS[1].domain, "GM0503")
    c = RegisterInput(
        KEYS[1], DOBS[1], ORGS[2], PROFS[2][0], ORGS[2].domain, "GM0599", parents=(PARENTS[0],)
    )
    ref.register(a, TODAY)
    assert ref.register(b, TODAY)[2] == (1,)
    assert ref.register(c, TODAY)[2] == (2, 3)
    kinds = [m.kind for m in ref.matches]
    assert kinds == ["direct", "family", "family"]
