"""Batch matching equals the online engine: random small event sequences run through
``Engine`` on a ``MemoryStore`` (registrations, re-registrations, ends, unjustified deletions,
deaths, sweeps), the created signals turned into a ``SignalTable``, and the engine's matches
compared with ``match_pairs`` and ``match_counts`` (numpy and DuckDB), under both policies."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _factories import organisation, professional
from verwijsindex_core.errors import ValidationError, VerwijsindexError
from verwijsindex_core.matching import (
    Domain,
    EndReason,
    Engine,
    MatchKind,
    Policy,
    RegisterInput,
)
from verwijsindex_core.pseudonym import Key, KeyRing, Pseudonymiser
from verwijsindex_core.research import (
    DIRECT,
    FAMILY,
    duckdb_match_counts,
    match_counts,
    match_pairs,
)
from verwijsindex_core.store import MemoryStore, SubjectKey
from verwijsindex_core.synthetic import SyntheticBsns
from verwijsindex_core.synthetic.nation import (
    DOMAINS,
    NO_STOP,
    SignalTable,
    event_time,
    re_registrations,
)

START = date(2026, 3, 2)
PSEUDONYMS = Pseudonymiser(KeyRing(Key(bytes(range(32)))))
_BSNS = SyntheticBsns(random.Random(13))
PEOPLE = [_BSNS.draw() for _ in range(6)]
PARENT_PEOPLE = [_BSNS.draw() for _ in range(4)]
KEYS: list[SubjectKey] = [
    (p.key_id, p.digest) for p in PSEUDONYMS.pseudonymise_many(PEOPLE + PARENT_PEOPLE)
]
# Six children; families overlap: 0-1-2 share parent 0 (and 0-1 also parent 1, full
# siblings), 2-3 share parent 2 (half-siblings of 0 and 1 through 2), 4 has parent 3, 5 none.
PARENTS: list[tuple[int, ...]] = [(0, 1), (0, 1), (0, 2), (2,), (3,), ()]
BORN = [
    START - timedelta(days=400),
    date(2016, 2, 29),
    date(2012, 6, 1),
    date(2003, 3, 20),  # turns 23 during the sequence
    date(2019, 12, 31),
    START - timedelta(days=30),
]
MUNICIPALITIES = ("GM0518", "GM0503", "GM0599", "GM0344")
ORGS = [
    organisation(0, Domain.JEUGDHULP, "GM0518"),
    organisation(1, Domain.ONDERWIJS, "GM0503"),
    organisation(2, Domain.POLITIE_EN_JUSTITIE, "GM0599"),
    organisation(3, Domain.GEZONDHEIDSZORG, "GM0344"),
]
PROFS = [[professional(o, n) for n in range(2)] for o in ORGS]
POLICIES = {
    "default": Policy(regions={"GM0518": "haaglanden", "GM0503": "haaglanden"}),
    "same-org-two-years": Policy(
        same_organisation_matching=True,
        default_signal_years=2,
        regions={"GM0518": "haaglanden", "GM0503": "delft", "GM0599": "rijnmond"},
    ),
}

event = st.one_of(
    st.tuples(
        st.just("register"),
        st.integers(0, 5),  # subject
        st.integers(0, 3),  # organisation
        st.integers(0, 1),  # professional
        st.one_of(st.none(), st.integers(-2, 800)),  # planned end, days from today
    ),
    st.tuples(st.just("end"), st.integers(0, 10_000), st.booleans()),
    st.tuples(st.just("death"), st.integers(0, 5)),
    st.tuples(st.just("day"), st.integers(1, 200)),
)


@dataclass
class Run:
    """The engine and the table rows of the same events."""

    policy: Policy
    store: MemoryStore = field(default_factory=MemoryStore)
    today: date = START
    k: int = 0  # the event's place within today
    rows: dict[str, list[int]] = field(default_factory=dict)
    row_of_signal: dict[int, int] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)  # rows of signals deleted as unjustified
    live: list[tuple[int, int]] = field(default_factory=list)  # (signal id, organisation)
    absorbed: dict[int, list[int]] = field(default_factory=dict)  # re-registration rows

    def __post_init__(self) -> None:
        self.engine = Engine(self.store, self.policy)
        for name in (
            "subject",
            "organisation",
            "professional",
            "domain",
            "municipality",
            "registered",
            "stopped",
            "planned_end",
            "born",
            "p0",
            "p1",
        ):
            self.rows[name] = []

    def now(self) -> int:
        self.k += 1
        return int(event_time(self.today.toordinal(), self.k))

    def register(self, s: int, o: int, p: int, days: int | None) -> None:
        planned = None if days is None else self.today + timedelta(days=days)
        data = RegisterInput(
            subjects=(KEYS[s],),
            date_of_birth=BORN[s],
            organisation=ORGS[o],
            professional=PROFS[o][p],
            domain=ORGS[o].domain,
            municipality=ORGS[o].municipality,
            planned_end=planned,
            parents=tuple(KEYS[6 + q] for q in PARENTS[s]),
        )
        at = self.now()
        try:
            with self.store.transaction():
                outcome = self.engine.register(data, self.today)
        except VerwijsindexError:
            return  # refused (age, planned end, deceased): the table has no row either
        parents = [*PARENTS[s], -1, -1]
        row = len(self.rows["subject"])
        for name, value in (
            ("subject", s),
            ("organisation", o),
            ("professional", o * 2 + p),
            ("domain", DOMAINS.index(ORGS[o].domain)),
            ("municipality", MUNICIPALITIES.index(ORGS[o].municipality)),
            ("registered", at),
            ("stopped", NO_STOP),
            ("planned_end", 0 if planned is None else planned.toordinal()),
            ("born", BORN[s].toordinal()),
            ("p0", parents[0]),
            ("p1", parents[1]),
        ):
            self.rows[name].append(value)
        if outcome.created:
            self.row_of_signal[outcome.signal_id] = row
            self.live.append((outcome.signal_id, o))
        else:  # absorbed by a live signal: it goes when that signal is deleted
            self.absorbed.setdefault(outcome.signal_id, []).append(row)

    def end(self, pick: int, unjustified: bool) -> None:
        if not self.live:
            return
        signal_id, o = self.live.pop(pick % len(self.live))
        at = self.now()
        reason = EndReason.UNJUSTIFIED if unjustified else EndReason.RISK_GONE
        try:
            with self.store.transaction():
                self.engine.end_signal(signal_id, reason, _actor(ORGS[o].id), self.today)
        except VerwijsindexError:
            return  # no longer live (planned end, 23rd birthday, death)
        row = self.row_of_signal[signal_id]
        if unjustified:
            self.deleted.add(row)
            self.deleted.update(self.absorbed.get(signal_id, ()))
        else:
            self.rows["stopped"][row] = at

    def death(self, s: int) -> None:
        at = self.now()
        try:
            with self.store.transaction():
                ended = self.engine.record_death((KEYS[s],), self.today)
        except VerwijsindexError:
            return
        for signal_id in ended:
            row = self.row_of_signal[signal_id]
            self.rows["stopped"][row] = min(self.rows["stopped"][row], at)

    def day(self, days: int) -> None:
        self.today += timedelta(days=days)
        self.k = 0
        with self.store.transaction():
            self.engine.sweep(self.today)

    def table(self) -> tuple[SignalTable, list[int]]:
        """The rows of every registration (re-registrations included) but the deleted."""
        keep = [r for r in range(len(self.rows["subject"])) if r not in self.deleted]
        col = {name: np.asarray(values)[keep] for name, values in self.rows.items()}
        table = SignalTable(
            subject=col["subject"].astype(np.int64),
            organisation=col["organisation"].astype(np.int32),
            professional=col["professional"].astype(np.int32),
            domain=col["domain"].astype(np.int8),
            municipality=col["municipality"].astype(np.int16),
            registered=col["registered"].astype(np.int64),
            stopped=col["stopped"].astype(np.int64),
            planned_end=col["planned_end"].astype(np.int32),
            born=col["born"].astype(np.int32),
            parents=np.stack([col["p0"], col["p1"]], axis=1).astype(np.int64),
            municipalities=MUNICIPALITIES,
        )
        return table, keep

    def engine_matches(self, keep: list[int]) -> set[tuple[int, int, int, bool]]:
        position = {row: i for i, row in enumerate(keep)}
        found = set()
        for m in self.store.all_matches():
            a = position[self.row_of_signal[m.signal_a]]
            b = position[self.row_of_signal[m.signal_b]]
            kind = DIRECT if m.kind is MatchKind.DIRECT else FAMILY
            found.add((min(a, b), max(a, b), kind, m.cross_region))
        return found


def _actor(organisation_id: str):
    from verwijsindex_core.matching import Actor

    return Actor(organisation_id=organisation_id)


def play(policy: Policy, events: list[tuple[object, ...]]) -> Run:
    run = Run(policy)
    for e in events:
        match e:
            case ("register", s, o, p, days):
                run.register(s, o, p, days)  # type: ignore[arg-type]
            case ("end", pick, unjustified):
                run.end(pick, unjustified)  # type: ignore[arg-type]
            case ("death", s):
                run.death(s)  # type: ignore[arg-type]
            case ("day", days):
                run.day(days)  # type: ignore[arg-type]
    return run


@pytest.mark.parametrize("policy_name", list(POLICIES))
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(events=st.lists(event, min_size=1, max_size=45))
def test_batch_equals_the_engine(policy_name: str, events: list[tuple[object, ...]]) -> None:
    policy = POLICIES[policy_name]
    run = play(policy, events)
    table, keep = run.table()
    want = run.engine_matches(keep)
    pairs = match_pairs(table, policy)
    assert pairs.as_set() == want
    counts = match_counts(table, policy)
    assert counts.direct == sum(1 for m in want if m[2] == DIRECT)
    assert counts.family == sum(1 for m in want if m[2] == FAMILY)
    assert counts.cross_region() == sum(1 for m in want if m[3])
    # Every row the engine did not create is a re-registration, and only those.
    created = {position for position, row in enumerate(keep) if row in run.row_of_signal.values()}
    again = re_registrations(table, policy)
    assert {int(r) for r in np.flatnonzero(~again)} == created
    assert counts.dropped == int(again.sum())


@pytest.mark.parametrize("policy_name", list(POLICIES))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.lists(event, min_size=1, max_size=45), family=st.booleans())
def test_duckdb_gives_the_same_counts(
    policy_name: str, events: list[tuple[object, ...]], family: bool
) -> None:
    pytest.importorskip("duckdb")
    policy = POLICIES[policy_name]
    table, _ = play(policy, events).table()
    assert duckdb_match_counts(table, policy, family=family) == match_counts(
        table, policy, family=family
    )


def test_counts_do_not_depend_on_row_order() -> None:
    events: list[tuple[object, ...]] = []
    rng = random.Random(5)
    for _ in range(300):
        events.append(("register", rng.randrange(6), rng.randrange(4), rng.randrange(2), None))
        if rng.random() < 0.2:
            events.append(("day", rng.randrange(1, 60)))
    policy = POLICIES["default"]
    table, _ = play(policy, events).table()
    shuffled = table.take(np.random.default_rng(1).permutation(len(table)))
    assert match_counts(shuffled, policy) == match_counts(table, policy)


def test_bad_arguments_raise_our_errors() -> None:
    table, _ = play(POLICIES["default"], [("register", 0, 0, 0, None)]).table()
    with pytest.raises(ValidationError) as err:
        match_counts("table")  # type: ignore[arg-type]
    assert (err.value.field, err.value.rule) == ("table", "type")
    with pytest.raises(ValidationError) as err:
        match_counts(table, "policy")  # type: ignore[arg-type]
    assert err.value.field == "policy"
    with pytest.raises(ValidationError) as err:
        match_counts(table, idempotent="maybe")
    assert err.value.field == "idempotent"
    with pytest.raises(ValidationError) as err:
        match_counts(table, family="yes")  # type: ignore[arg-type]
    assert err.value.field == "family"
    with pytest.raises(ValidationError) as err:
        match_counts(table, period=(START, START))
    assert err.value.field == "period"
