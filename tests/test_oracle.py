"""The engine equals the brute-force reference on random event sequences, on every store.

Hypothesis drives both with the same registrations (one by one and in batches), ends, deaths,
moves, parent links, rectifications, coordinator marks, acknowledgements, reads and clock
advances with sweeps. Subjects are given under either of two keys or both (a key rotation in
the middle of the sequence), so subjects are linked and merged. After every step the results
(ids included), the raised errors and the whole store must agree.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from _factories import STORE_FACTORIES, TODAY, organisation, professional
from _reference import Reference
from verwijsindex_core import KeyRing, Pseudonymiser
from verwijsindex_core.errors import VerwijsindexError
from verwijsindex_core.matching import (
    Actor,
    EndReason,
    Engine,
    Policy,
    RegisterInput,
    turns_23_on,
)
from verwijsindex_core.pseudonym import Key, random_bsn
from verwijsindex_core.store import Store, SubjectKey

# Two keys: the old one and the one a rotation brings. Every person has a pseudonym under each.
OLD = Pseudonymiser(KeyRing(Key(bytes(range(32)))))
NEW = Pseudonymiser(KeyRing(Key(bytes(range(1, 33)))))


def _keys(seed: int) -> tuple[SubjectKey, SubjectKey]:
    import random

    bsn = random_bsn(random.Random(seed))
    old, new = OLD.pseudonymise(bsn), NEW.pseudonymise(bsn)
    return (old.key_id, old.digest), (new.key_id, new.digest)


PEOPLE = [_keys(i) for i in range(6)]
PARENT_PEOPLE = [_keys(100 + i) for i in range(3)]
PARENT_KEYS = [k for pair in PARENT_PEOPLE for k in pair]
# Which aliases a call gives: old only, new only, both (either order).
ALIAS_SETS = [(0,), (1,), (0, 1), (1, 0)]
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
    "same-org-own-regions": Policy(
        same_organisation_matching=True,
        history_notice=False,
        default_signal_years=2,
        regions={"GM0518": "haaglanden", "GM0503": "delft", "GM0599": "rijnmond"},
    ),
}


def aliases(person: int, which: int) -> tuple[SubjectKey, ...]:
    return tuple(PEOPLE[person][k] for k in ALIAS_SETS[which])


def engine_snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    subjects = list(store.subjects())
    return {
        "subjects": sorted(
            (s.id, tuple(sorted(s.aliases)), s.turns_23, s.deceased, s.municipality)
            for s in subjects
        ),
        "parents": sorted((s.id, p) for s in subjects for p in store.parents_of(s.id)),
        "signals": sorted(
            (
                s.id,
                s.subject,
                s.organisation_id,
                s.professional.id,
                s.domain.value,
                s.municipality,
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
        return ("error", type(exc).__name__, exc.rule)


registration = st.fixed_dictionaries(
    {
        "s": st.integers(0, 5),
        "which": st.integers(0, 3),
        "o": st.integers(0, 2),
        "p": st.integers(0, 1),
        "days": st.one_of(st.none(), st.integers(-3, 800), st.just("23rd-birthday")),
        "parents": st.sets(st.integers(0, len(PARENT_KEYS) - 1), max_size=3),
        "dob_shift": st.sampled_from([0, 0, 0, 0, 366]),
    }
)


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
            with self.store.transaction():
                got = outcome(engine_fn)
            want = outcome(ref_fn)
            assert got == want
            self.steps += 1

        def _input(self, r: dict[str, Any]) -> RegisterInput:
            days = r["days"]
            return RegisterInput(
                subjects=aliases(r["s"], r["which"]),
                date_of_birth=DOBS[r["s"]] + timedelta(days=r["dob_shift"]),
                organisation=ORGS[r["o"]],
                professional=PROFS[r["o"]][r["p"]],
                domain=ORGS[r["o"]].domain,
                municipality=ORGS[r["o"]].municipality,
                planned_end=(
                    None
                    if days is None
                    else turns_23_on(DOBS[r["s"]])
                    if isinstance(days, str)
                    else self.today + timedelta(days=days)
                ),
                parents=tuple(PARENT_KEYS[i] for i in sorted(r["parents"])),
            )

        @rule(r=registration)
        def register(self, r: dict[str, Any]) -> None:
            data = self._input(r)

            def run_engine() -> tuple[object, ...]:
                o = self.engine.register(data, self.today)
                return (o.signal_id, o.created, o.match_ids, o.notification_ids)

            self.check(run_engine, lambda: self.ref.register(data, self.today))

        @rule(batch=st.lists(registration, min_size=1, max_size=4))
        def register_many(self, batch: list[dict[str, Any]]) -> None:
            """A batch equals the same requests one by one; an invalid one changes nothing."""
            inputs = [self._input(r) for r in batch]

            def run_engine() -> list[tuple[object, ...]]:
                outcomes = self.engine.register_many(inputs, self.today)
                return [(o.signal_id, o.created, o.match_ids, o.notification_ids) for o in outcomes]

            def run_reference() -> list[tuple[object, ...]]:
                saved = copy.deepcopy(self.ref, {id(policy): policy})
                try:
                    return [self.ref.register(d, self.today) for d in inputs]
                except VerwijsindexError:
                    self.ref.__dict__.update(saved.__dict__)
                    raise

            self.check(run_engine, run_reference)

        @rule(
            signal=st.integers(1, 30), reason=st.sampled_from(list(EndReason)), o=st.integers(0, 2)
        )
        def end_signal(self, signal: int, reason: EndReason, o: int) -> None:
            actor = Actor(organisation_id=ORGS[o].id)
            self.check(
                lambda: self.engine.end_signal(signal, reason, actor, self.today) and None,
                lambda: self.ref.end_signal(signal, reason, ORGS[o].id, self.today),
            )

        @rule(s=st.integers(0, 5), which=st.integers(0, 3))
        def record_death(self, s: int, which: int) -> None:
            keys = aliases(s, which)
            self.check(
                lambda: self.engine.record_death(keys, self.today),
                lambda: self.ref.record_death(keys, self.today),
            )

        @rule(s=st.integers(0, 5), which=st.integers(0, 3), m=st.sampled_from(MUNICIPALITIES))
        def record_move(self, s: int, which: int, m: str) -> None:
            keys = aliases(s, which)
            self.check(
                lambda: self.engine.record_move(keys, m, self.today),
                lambda: self.ref.record_move(keys, m, self.today),
            )

        @rule(
            s=st.integers(0, 5),
            which=st.integers(0, 3),
            parents=st.lists(st.integers(0, len(PARENT_KEYS) - 1), min_size=0, max_size=3),
        )
        def set_parents(self, s: int, which: int, parents: list[int]) -> None:
            keys = aliases(s, which)
            linked = [PARENT_KEYS[i] for i in parents]
            self.check(
                lambda: self.engine.set_parents(keys, linked, self.today)[0],
                lambda: self.ref.set_parents(keys, linked, self.today),
            )

        @rule(
            s=st.integers(0, 5),
            which=st.integers(0, 3),
            shift=st.sampled_from([0, -400, 400, -3000, 3000, 365 * 23]),
        )
        def rectify(self, s: int, which: int, shift: int) -> None:
            keys = aliases(s, which)
            dob = DOBS[s] + timedelta(days=shift)

            def run_engine() -> tuple[list[int], list[int], list[int]]:
                o = self.engine.rectify(keys, dob, self.today)
                return (list(o.reopened), list(o.corrected), list(o.match_ids))

            self.check(run_engine, lambda: self.ref.rectify(keys, dob, self.today))

        @rule(match=st.integers(1, 20), signal=st.integers(1, 30), o=st.integers(0, 2))
        def mark(self, match: int, signal: int, o: int) -> None:
            actor = Actor(organisation_id=ORGS[o].id)
            self.check(
                lambda: self.engine.mark_coordinator(match, signal, actor) and None,
                lambda: self.ref.mark_coordinator(match, signal, ORGS[o].id),
            )
            self.check(
                lambda: self.engine.mark_afgestemd(match, actor) and None,
                lambda: self.ref.mark_afgestemd(match, ORGS[o].id),
            )

        @rule(
            o=st.integers(0, 2),
            p=st.one_of(st.none(), st.integers(0, 1)),
            ids=st.lists(st.integers(1, 60), max_size=5),
        )
        def acknowledge(self, o: int, p: int | None, ids: list[int]) -> None:
            prof = None if p is None else PROFS[o][p].id
            actor = Actor(organisation_id=ORGS[o].id, professional_id=prof)
            self.check(
                lambda: [n.id for n in self.engine.notifications_for(actor)],
                lambda: self.ref.notifications_for(ORGS[o].id, prof),
            )
            self.check(
                lambda: [n.id for n in self.engine.acknowledge(actor, ids)],
                lambda: self.ref.acknowledge(ORGS[o].id, prof, ids),
            )

        @rule(
            signal=st.integers(1, 30),
            o=st.integers(0, 2),
            p=st.one_of(st.none(), st.integers(0, 1)),
        )
        def read(self, signal: int, o: int, p: int | None) -> None:
            prof = None if p is None else PROFS[o][p].id
            actor = Actor(organisation_id=ORGS[o].id, professional_id=prof)
            self.check(
                lambda: [s.id for s in self.engine.history(signal, actor, self.today)[1]],
                lambda: self.ref.history(signal, ORGS[o].id, self.today),
            )
            self.check(
                lambda: [(m.id, own.id) for own, m in self.engine.matches_for(actor)],
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
    machine.TestCase.settings = settings(
        max_examples=int(os.environ.get("ORACLE_EXAMPLES", "150")),
        stateful_step_count=40,
        deadline=None,
    )
    machine.TestCase().runTest()


def test_the_reference_is_exercised() -> None:
    """A sanity check that a plain scenario makes matches, family matches and notices."""
    policy = Policy()
    ref = Reference(policy)
    kid, other = aliases(0, 0), aliases(1, 0)
    parent = (PARENT_KEYS[0],)
    a = RegisterInput(kid, DOBS[3], ORGS[0], PROFS[0][0], ORGS[0].domain, "GM0518", parents=parent)
    b = RegisterInput(kid, DOBS[3], ORGS[1], PROFS[1][0], ORGS[1].domain, "GM0503")
    c = RegisterInput(
        other, DOBS[1], ORGS[2], PROFS[2][0], ORGS[2].domain, "GM0599", parents=parent
    )
    ref.register(a, TODAY)
    assert ref.register(b, TODAY)[2] == (1,)
    assert ref.register(c, TODAY)[2] == (2, 3)
    assert [m.kind for m in ref.matches] == ["direct", "family", "family"]


def test_a_rotation_links_the_keys_and_a_merge_matches() -> None:
    """Known under the old key only by one organisation and under the new key only by
    another, a subject is two subjects until a registration gives both keys: then one."""
    engine = Engine(STORE_FACTORIES["memory"](), Policy())
    old, new = aliases(0, 0), aliases(0, 1)
    first = engine.register(
        RegisterInput(old, DOBS[3], ORGS[0], PROFS[0][0], ORGS[0].domain, "GM0518"), TODAY
    )
    second = engine.register(
        RegisterInput(new, DOBS[3], ORGS[1], PROFS[1][0], ORGS[1].domain, "GM0518"), TODAY
    )
    assert first.subject_id != second.subject_id and not second.match_ids
    both = engine.register(
        RegisterInput(aliases(0, 2), DOBS[3], ORGS[2], PROFS[2][0], ORGS[2].domain, "GM0518"),
        TODAY,
    )
    assert both.subject_id == first.subject_id
    # The merge matched the first two, then the third matched both.
    assert len(both.match_ids) == 3
    assert len(list(engine.store.subjects())) == 1


@pytest.mark.parametrize("store_name", sorted(STORE_FACTORIES))
@settings(max_examples=60, deadline=None)
@given(
    before=st.lists(registration, max_size=4),
    batch=st.lists(registration, min_size=1, max_size=8),
)
def test_a_batch_equals_the_same_requests_one_by_one(
    store_name: str, before: list[dict[str, Any]], batch: list[dict[str, Any]]
) -> None:
    """register_many == register, request after request: the same outcomes, ids and store,
    duplicates and parent links inside one batch included; an invalid batch stores nothing."""
    machine = machine_for(store_name, "default")
    one, many = machine(), machine()
    for r in before:
        for m in (one, many):
            outcome(lambda m=m, r=r: m.engine.register(m._input(r), TODAY))
    sequential = outcome(lambda: [one.engine.register(one._input(r), TODAY) for r in batch])
    snapshot_many = engine_snapshot(many.store)
    batched = outcome(lambda: many.engine.register_many([many._input(r) for r in batch], TODAY))
    if batched[0] == "ok":
        assert sequential == batched
        assert engine_snapshot(one.store) == engine_snapshot(many.store)
    else:
        assert sequential[0] == "error" and sequential[1:] == batched[1:]
        assert engine_snapshot(many.store) == snapshot_many  # all or nothing
