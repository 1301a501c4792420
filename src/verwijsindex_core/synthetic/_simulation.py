"""A simulated stretch of time in a verwijsindex: professionals register and end signals,
families move, the daily sweep runs. The demo runs it on a SQLite file.

Every rate is per young person (:class:`SimulationRates`), so a region twice as large gets
twice the signals, ends and moves a day, and matches grow with it. The simulation sees only
what the index answers, through the methods of :class:`SimulatedIndex` (the public facade,
:class:`verwijsindex_core.Verwijsindex`, has them), as a vendor's system would.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from verwijsindex_core.errors import UnknownRecord, ValidationError
from verwijsindex_core.matching import (
    Actor,
    EndReason,
    FixedClock,
    MatchKind,
    Notification,
    Organisation,
    Professional,
    Registration,
    SweepReport,
)
from verwijsindex_core.pseudonym import Bsn
from verwijsindex_core.synthetic._population import Child, Family, Population

__all__ = ["SimulatedIndex", "Simulation", "SimulationRates", "SimulationStats", "poisson"]


class SimulatedIndex(Protocol):
    """The part of the facade the simulation uses."""

    def register(
        self,
        subject: Bsn,
        *,
        date_of_birth: date,
        organisation: Organisation,
        professional: Professional,
        municipality: str,
        planned_end: date | None = None,
        parents: Iterable[Bsn] = (),
    ) -> Registration: ...

    def end_signal(self, signal_id: int, reason: EndReason, actor: Actor) -> None: ...

    def record_move(self, subject: Bsn, municipality: str, actor: Actor) -> object: ...

    def record_death(self, subject: Bsn, actor: Actor) -> list[int]: ...

    def notifications_for(self, actor: Actor) -> list[Notification]: ...

    def acknowledge(self, actor: Actor, ids: Iterable[int]) -> int: ...

    def sweep(self) -> SweepReport: ...


@dataclass(frozen=True)
class SimulationRates:
    """The simulation's rates, per young person (and per year where it says so).

    The defaults are the demo's: a busy urban region where about one young person in six
    gets a signal a year, most of them in an at-risk eighth of the population. At 10,000
    young people that is the demo's familiar 1,600 signals a year.
    """

    signals_per_person_year: float = 0.162
    at_risk_share: float = 1 / 8
    at_risk_signal_share: float = 0.85
    default_end_share: float = 0.6
    planned_days: tuple[int, int] = (60, 700)
    parents_given_share: float = 0.6
    ends_per_person_year: float = 0.051
    unjustified_share: float = 0.04
    moves_per_person_year: float = 0.011
    deaths_per_person_year: float = 0.0001

    def __post_init__(self) -> None:
        for name in (
            "signals_per_person_year",
            "ends_per_person_year",
            "moves_per_person_year",
            "deaths_per_person_year",
        ):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value <= 100:
                raise ValidationError(name, "range", "must be a number from 0 to 100")
        for name in (
            "at_risk_share",
            "at_risk_signal_share",
            "default_end_share",
            "parents_given_share",
            "unjustified_share",
        ):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValidationError(name, "share", "must lie between 0 and 1")
        low, high = self.planned_days
        if not (isinstance(low, int) and isinstance(high, int) and 1 <= low < high <= 730):
            raise ValidationError("planned_days", "range", "1 <= low < high <= 730 days")


@dataclass
class SimulationStats:
    """What the simulation did (counts only, no subject data)."""

    registrations: int = 0
    idempotent: int = 0
    refused: int = 0
    signals_per_domain: dict[str, int] = field(default_factory=dict)
    history_notices: int = 0
    ended_risk_gone: int = 0
    deleted_unjustified: int = 0
    ended_planned: int = 0
    ended_age: int = 0
    purged: int = 0
    moves: int = 0
    deaths: int = 0
    notifications_delivered: int = 0


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method below 30, a rounded normal above: plenty for a
    simulation)."""
    if mean <= 0:
        return 0
    if mean >= 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class _Bag:
    """Signal ids with O(1) insert, remove and a seeded random pick (order-stable)."""

    __slots__ = ("_items", "_where")

    def __init__(self) -> None:
        self._items: list[int] = []
        self._where: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: int) -> None:
        if item not in self._where:
            self._where[item] = len(self._items)
            self._items.append(item)

    def discard(self, item: int) -> None:
        at = self._where.pop(item, None)
        if at is None:
            return
        last = self._items.pop()
        if at < len(self._items):
            self._items[at] = last
            self._where[last] = at

    def pick(self, rng: random.Random) -> int:
        return self._items[rng.randrange(len(self._items))]


class Simulation:
    """Days of professionals at work on ``index``: registrations (Poisson, per young
    person), ends by the professional, moves, deaths, weekly outbox polls, the daily sweep.

    ``clock`` is the index's clock; the simulation moves it through each day and to
    ``start + day`` at every midnight. Deterministic for a seeded ``rng``.
    """

    def __init__(
        self,
        index: SimulatedIndex,
        population: Population,
        rng: random.Random,
        clock: FixedClock,
        *,
        start: datetime,
        rates: SimulationRates | None = None,
        stats: SimulationStats | None = None,
    ) -> None:
        self.index, self.population, self.rng, self.clock = index, population, rng, clock
        self.start = start
        self.rates = rates or SimulationRates()
        self.stats = stats if stats is not None else SimulationStats()
        children = population.children
        if not children:
            raise ValidationError("population", "empty", "has no young people")
        self.children = children
        at_risk = max(1, round(len(children) * self.rates.at_risk_share))
        self.at_risk = rng.sample(children, at_risk)
        # signal id -> (planned end, who registered it): the signals the simulation believes live
        self.live: dict[int, tuple[date, Actor]] = {}
        self._live_ids = _Bag()
        self.deleted: set[int] = set()
        self.dead: set[str] = set()  # BSN digits of subjects recorded as deceased
        self.subject_of: dict[str, tuple[Child, Family]] = {}
        self._subjects: list[str] = []
        self.domains: Counter[str] = Counter()
        # Sample candidates: (what, child, signal ids that must survive) in order of discovery.
        self.candidates: list[tuple[str, Child, tuple[int, ...]]] = []

    def _per_day(self, per_person_year: float) -> float:
        return per_person_year * len(self.children) / 365

    def _forget(self, signal_id: int) -> None:
        self.live.pop(signal_id, None)
        self._live_ids.discard(signal_id)

    def _register(self) -> None:
        rng, rates = self.rng, self.rates
        pool = self.at_risk if rng.random() < rates.at_risk_signal_share else self.children
        child, family = rng.choice(pool)
        org = rng.choice(self.population.organisations)
        pro = rng.choice(self.population.professionals[org.id])
        low, high = rates.planned_days
        planned = (
            None
            if rng.random() < rates.default_end_share
            else self.clock.today() + timedelta(days=rng.randrange(low, high))
        )
        parents = family.parents if rng.random() < rates.parents_given_share else ()
        try:
            result = self.index.register(
                child.bsn,
                date_of_birth=child.date_of_birth,
                organisation=org,
                professional=pro,
                municipality=org.municipality,
                planned_end=planned,
                parents=parents,
            )
        except ValidationError:
            self.stats.refused += 1  # e.g. the child turned 23 or is not born yet
            return
        text = result.signal.subject.text
        if text not in self.subject_of:
            self._subjects.append(text)
        self.subject_of[text] = (child, family)
        signal = result.signal
        for match in result.matches:
            what = "direct match" if match.kind is MatchKind.DIRECT else "family match"
            self.candidates.append((what, child, (match.signal_a, match.signal_b)))
        if not result.created:
            self.stats.idempotent += 1
            return
        self.stats.registrations += 1
        self.domains[signal.domain.value] += 1
        self.live[signal.id] = (
            signal.planned_end,
            Actor(organisation_id=org.id, professional_id=pro.id),
        )
        self._live_ids.add(signal.id)
        if result.history_notice is not None:
            self.stats.history_notices += 1
            self.candidates.append(("history (ended and live signals)", child, (signal.id,)))

    def _end_some(self) -> None:
        rng = self.rng
        for _ in range(poisson(rng, self._per_day(self.rates.ends_per_person_year))):
            if not self._live_ids:
                return
            signal_id = self._live_ids.pick(rng)
            planned_end, actor = self.live[signal_id]
            self._forget(signal_id)
            if planned_end <= self.clock.today():
                continue  # the sweep ends it
            if rng.random() < self.rates.unjustified_share:
                self.index.end_signal(signal_id, EndReason.UNJUSTIFIED, actor)
                self.deleted.add(signal_id)
                self.stats.deleted_unjustified += 1
            else:
                self.index.end_signal(signal_id, EndReason.RISK_GONE, actor)
                self.stats.ended_risk_gone += 1

    def _move_some(self) -> None:
        rng = self.rng
        for _ in range(poisson(rng, self._per_day(self.rates.moves_per_person_year))):
            if not self._subjects:
                return
            at = rng.randrange(len(self._subjects))
            text = self._subjects[at]
            child, _ = self.subject_of[text]
            others = [c for c in self.population.regions if c != child.municipality]
            try:
                self.index.record_move(
                    child.bsn, rng.choice(others), Actor(organisation_id="brp-feed")
                )
            except UnknownRecord:  # its only signal was withdrawn: the index forgot the subject
                del self.subject_of[text]
                self._subjects[at] = self._subjects[-1]
                self._subjects.pop()
                continue
            self.stats.moves += 1

    def _record_a_death(self) -> None:
        for text in sorted(self._subjects, key=lambda _: self.rng.random()):
            child, _ = self.subject_of[text]
            try:
                ended = self.index.record_death(child.bsn, Actor(organisation_id="brp-feed"))
            except (UnknownRecord, ValidationError):  # forgotten, or already recorded
                continue
            for signal_id in ended:
                self._forget(signal_id)
            self.dead.add(child.bsn.digits)
            self.stats.deaths += 1
            return

    def _poll_outboxes(self) -> None:
        for org in self.population.organisations:
            actor = Actor(organisation_id=org.id)
            notes = self.index.notifications_for(actor)
            if notes:
                self.stats.notifications_delivered += self.index.acknowledge(
                    actor, [n.id for n in notes]
                )

    def _death_days(self, days: int) -> set[int]:
        if days <= 3:
            return set()
        expected = self.rates.deaths_per_person_year * len(self.children) * days / 365
        count = max(1, round(expected)) if expected > 0 else 0
        return {self.rng.randrange(days // 3, days) for _ in range(count)}

    def run(self, days: int, progress: Callable[[int, int], None] | None = None) -> None:
        """Simulate ``days`` days; ``progress(registrations, day)`` after each."""
        death_days = self._death_days(days)
        rng = self.rng
        per_day = self._per_day(self.rates.signals_per_person_year)
        for day in range(days):
            count = poisson(rng, per_day)
            step = max(61, min(3600, 36_000 // max(1, count)))  # a working day, at most
            for _ in range(count):
                self._register()
                self.clock.advance(seconds=rng.randrange(60, step))
            self._end_some()
            self._move_some()
            if day in death_days:
                self._record_a_death()
            if day % 7 == 6:
                self._poll_outboxes()
            self.clock.set(self.start + timedelta(days=day + 1))
            report = self.index.sweep()
            for signal_id in (*report.ended_planned, *report.ended_age):
                self._forget(signal_id)
            self.stats.ended_planned += len(report.ended_planned)
            self.stats.ended_age += len(report.ended_age)
            self.stats.purged += len(report.purged)
            if progress is not None:
                progress(self.stats.registrations, day + 1)
        self.stats.signals_per_domain = dict(sorted(self.domains.items()))

    def samples(self) -> list[tuple[str, Child]]:
        """A few subjects worth an inzage: a direct match, a family match, history."""
        found: dict[str, Child] = {}
        for what, child, signals in self.candidates:
            if what in found or any(s in self.deleted for s in signals):
                continue
            if child.bsn.digits in self.dead:  # a sample should be able to register again
                continue
            if what.startswith("history") and signals[0] not in self.live:
                continue
            found[what] = child
        return list(found.items())
