"""``verwijsindex demo``: a synthetic region, a simulated year, a SQLite file to look at.

Everything is synthetic and deterministic for a seed: the population, the BSNs (generated to
pass the 11-test) and even the demo's pseudonymisation key, which is derived from the seed so
that runs can be compared. That key protects nothing: never use it for real data.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from verwijsindex_core._facade import Verwijsindex
from verwijsindex_core._progress import Progress
from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import (
    Actor,
    EndReason,
    FixedClock,
    MatchKind,
    Policy,
    SignalStatus,
    SQLiteStore,
)
from verwijsindex_core.pseudonym import Key, KeyRing, Pseudonym, Pseudonymiser
from verwijsindex_core.synthetic import Child, Family, Population, generate_population

__all__ = ["DemoStats", "run_demo"]

START: Final = datetime(2025, 11, 3, 8, 30, tzinfo=UTC)
SAMPLES_NAME: Final = "SAMPLE-SUBJECTS.txt"


@dataclass
class DemoStats:
    seed: int
    subjects: int
    days: int
    registrations: int = 0
    idempotent: int = 0
    refused: int = 0
    signals_per_domain: dict[str, int] = field(default_factory=dict)
    active_at_end: int = 0
    matches_direct: int = 0
    matches_family: int = 0
    matches_cross_region: int = 0
    history_notices: int = 0
    ended_risk_gone: int = 0
    deleted_unjustified: int = 0
    ended_planned: int = 0
    ended_age: int = 0
    purged: int = 0
    moves: int = 0
    deaths: int = 0
    notifications_delivered: int = 0
    audit_entries: int = 0


def _demo_ring(seed: int) -> KeyRing:
    secret = hashlib.sha256(b"verwijsindex-core demo key, never for real data:%d" % seed).digest()
    return KeyRing(Key(secret, created=START.date()))


def _companions(db: Path) -> list[Path]:
    return [
        db,
        db.with_name(db.name + "-wal"),
        db.with_name(db.name + "-shm"),
        db.with_name(db.stem + ".keys.json"),
        db.with_name(SAMPLES_NAME),
    ]


class _Simulation:
    def __init__(
        self,
        vi: Verwijsindex,
        population: Population,
        rng: random.Random,
        stats: DemoStats,
        clock: FixedClock,
    ) -> None:
        self.vi, self.population, self.rng, self.stats, self.clock = (
            vi,
            population,
            rng,
            stats,
            clock,
        )
        children = population.children
        self.at_risk = rng.sample(children, max(1, len(children) // 8))
        self.children = children
        self.live: list[int] = []
        self.subject_of: dict[str, tuple[Child, Family]] = {}
        self.domains: Counter[str] = Counter()

    def _register(self) -> None:
        rng, vi = self.rng, self.vi
        child, family = rng.choice(self.at_risk if rng.random() < 0.85 else self.children)
        org = rng.choice(self.population.organisations)
        pro = rng.choice(self.population.professionals[org.id])
        planned = (
            None
            if rng.random() < 0.6
            else self.clock.today() + timedelta(days=rng.randrange(60, 700))
        )
        parents = family.parents if rng.random() < 0.6 else ()
        try:
            result = vi.register(
                child.bsn,
                date_of_birth=child.date_of_birth,
                organisation=org,
                professional=pro,
                region=org.municipality,
                planned_end=planned,
                parents=parents,
            )
        except ValidationError:
            self.stats.refused += 1  # e.g. the child turned 23 or is not born yet
            return
        self.subject_of[result.signal.subject.text] = (child, family)
        if not result.created:
            self.stats.idempotent += 1
            return
        self.stats.registrations += 1
        self.domains[result.signal.domain.value] += 1
        self.live.append(result.signal.id)
        if result.history_notice is not None:
            self.stats.history_notices += 1

    def _end_some(self) -> None:
        rng = self.rng
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            if not self.live:
                return
            signal_id = self.live.pop(rng.randrange(len(self.live)))
            record = self.vi.store.get_signal(signal_id)
            if record is None or record.status is not SignalStatus.ACTIVE:
                continue
            if record.planned_end <= self.clock.today():
                continue
            actor = Actor(
                organisation_id=record.organisation_id, professional_id=record.professional.id
            )
            if rng.random() < 0.04:
                self.vi.end_signal(signal_id, EndReason.UNJUSTIFIED, actor)
                self.stats.deleted_unjustified += 1
            else:
                self.vi.end_signal(signal_id, EndReason.RISK_GONE, actor)
                self.stats.ended_risk_gone += 1

    def _move_someone(self) -> None:
        if not self.subject_of or self.rng.random() > 0.3:
            return
        text = self.rng.choice(sorted(self.subject_of))
        child, _ = self.subject_of[text]
        others = [c for c in self.population.regions if c != child.municipality]
        actor = Actor(organisation_id="brp-feed")
        self.vi.record_move(child.bsn, self.rng.choice(others), actor)
        self.stats.moves += 1

    def _poll_outboxes(self) -> None:
        for org in self.population.organisations:
            notes = self.vi.notifications_for(org.id)
            if notes:
                self.stats.notifications_delivered += self.vi.acknowledge(
                    org.id, [n.id for n in notes]
                )

    def run(self, days: int, progress: Progress | None) -> None:
        death_day = self.rng.randrange(days // 3, days) if days > 3 else -1
        for day in range(days):
            for _ in range(self.rng.choice((2, 3, 4, 4, 5, 6, 7))):
                self._register()
                self.clock.advance(seconds=self.rng.randrange(60, 3600))
            self._end_some()
            self._move_someone()
            if day == death_day and self.subject_of:
                child, _ = self.subject_of[self.rng.choice(sorted(self.subject_of))]
                self.vi.record_death(child.bsn, Actor(organisation_id="brp-feed"))
                self.stats.deaths += 1
            if day % 7 == 6:
                self._poll_outboxes()
            self.clock.set(START + timedelta(days=day + 1))
            report = self.vi.sweep()
            self.stats.ended_planned += len(report.ended_planned)
            self.stats.ended_age += len(report.ended_age)
            self.stats.purged += len(report.purged)
            if progress is not None:
                progress.update(self.stats.registrations, day + 1)
        self.stats.signals_per_domain = dict(sorted(self.domains.items()))


def _samples(vi: Verwijsindex, sim: _Simulation) -> list[tuple[str, str, Child]]:
    """A few subjects worth an inzage: a direct match, a family match, history."""
    store = vi.store
    found: dict[str, tuple[str, Child]] = {}
    by_signal = {s.id: s for s in store.all_signals()}
    for match in store.all_matches():
        signal = by_signal.get(match.signal_a)
        if signal is None:
            continue
        text = Pseudonym._trusted(*signal.subject).text
        kind = "direct match" if match.kind is MatchKind.DIRECT else "family match"
        if kind not in found and text in sim.subject_of:
            found[kind] = (text, sim.subject_of[text][0])
    for signal in by_signal.values():
        text = Pseudonym._trusted(*signal.subject).text
        if "history" in found or text not in sim.subject_of:
            continue
        states = {s.status for s in store.signals_of(signal.subject)}
        if states == {SignalStatus.ACTIVE, SignalStatus.INACTIVE}:
            found["history (ended and live signals)"] = (text, sim.subject_of[text][0])
    return [(what, text, child) for what, (text, child) in found.items()]


def _summary(stats: DemoStats, db: Path) -> list[str]:
    rows = [
        f"verwijsindex demo: {stats.subjects:,} synthetic young people, {stats.days} days "
        f"simulated (seed {stats.seed}), database {db}",
        "",
        f"{'signals registered':<34}{stats.registrations:>8,}",
    ]
    rows += [f"  {domain:<32}{count:>8,}" for domain, count in stats.signals_per_domain.items()]
    rows += [
        f"{'re-registrations (idempotent)':<34}{stats.idempotent:>8,}",
        f"{'refused (age, not yet born)':<34}{stats.refused:>8,}",
        f"{'active at the end':<34}{stats.active_at_end:>8,}",
        f"{'matches, direct':<34}{stats.matches_direct:>8,}",
        f"{'matches, family':<34}{stats.matches_family:>8,}",
        f"{'matches across regions':<34}{stats.matches_cross_region:>8,}",
        f"{'history notices':<34}{stats.history_notices:>8,}",
        f"{'ended: risk gone':<34}{stats.ended_risk_gone:>8,}",
        f"{'deleted: unjustified':<34}{stats.deleted_unjustified:>8,}",
        f"{'ended: planned end':<34}{stats.ended_planned:>8,}",
        f"{'ended: 23rd birthday':<34}{stats.ended_age:>8,}",
        f"{'purged (5 years after ending)':<34}{stats.purged:>8,}",
        f"{'moves / deaths':<34}{stats.moves:>5,} / {stats.deaths}",
        f"{'notifications delivered':<34}{stats.notifications_delivered:>8,}",
        f"{'audit entries (chain verified)':<34}{stats.audit_entries:>8,}",
    ]
    return rows


def _finish(vi: Verwijsindex, store: SQLiteStore, stats: DemoStats) -> None:
    """Count what the simulation left behind, verify the audit chain, save the stats."""
    for match in store.all_matches():
        if match.kind is MatchKind.DIRECT:
            stats.matches_direct += 1
        else:
            stats.matches_family += 1
        stats.matches_cross_region += int(match.cross_region)
    stats.active_at_end = sum(1 for s in store.all_signals() if s.status is SignalStatus.ACTIVE)
    verified = vi.verify_audit()
    stats.audit_entries = verified.entries
    if not verified.ok:  # pragma: no cover - would be a bug
        raise ValidationError("audit", "chain", f"broken at {verified.position}")
    with store.transaction():
        store.set_meta("demo", json.dumps(asdict(stats)))


def run_demo(
    db: Path,
    *,
    seed: int = 2026,
    subjects: int = 10_000,
    days: int = 365,
    fresh: bool = False,
    progress_stream: object = None,
    show_progress: bool = False,
    out: Callable[[str], None] = print,
) -> DemoStats:
    """Build (or reopen) the demo database and print its summary."""
    keys_path = db.with_name(db.stem + ".keys.json")
    samples_path = db.with_name(SAMPLES_NAME)
    if db.exists() and not fresh:
        store = SQLiteStore(db)
        saved = store.meta("demo")
        store.close()
        if saved is None:
            raise ValidationError(
                "db",
                "not-a-demo",
                "exists and was not made by the demo; use --fresh or another --db",
            )
        stats = DemoStats(**json.loads(saved))
        for line in _summary(stats, db):
            out(line)
        out("")
        out(f"(already built; pass --fresh to rebuild) samples: {samples_path}")
        return stats
    if fresh:
        for path in _companions(db):
            path.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    ring = _demo_ring(seed)
    ring.save(keys_path)
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible on purpose
    population = generate_population(rng, subjects=subjects, today=START.date())
    clock = FixedClock(START)
    store = SQLiteStore(db)
    vi = Verwijsindex(
        store,
        pseudonymiser=Pseudonymiser(ring),
        clock=clock,
        policy=Policy(regions=population.regions),
    )
    stats = DemoStats(seed=seed, subjects=subjects, days=days)
    progress = (
        Progress("simulating", days, progress_stream, enabled=show_progress, unit="signals")  # type: ignore[arg-type]
        if progress_stream is not None
        else None
    )
    sim = _Simulation(vi, population, rng, stats, clock)
    sim.run(days, progress)
    if progress is not None:
        progress.finish(stats.registrations, days)
    _finish(vi, store, stats)
    samples = _samples(vi, sim)
    lines = [
        "# Synthetic subjects of the verwijsindex demo (made-up BSNs that pass the 11-test).",
        f"# Database: {db}. Key ring (demo only, derived from seed {seed}): {keys_path}",
        "# bsn        born        what",
    ]
    lines += [
        f"{child.bsn.digits}  {child.date_of_birth.isoformat()}  {what}"
        for what, _, child in samples
    ]
    samples_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store.close()
    for line in _summary(stats, db):
        out(line)
    out("")
    out("Where to look next:")
    out(
        f"  {samples_path}: synthetic BSNs of subjects with a direct match, a family match, history"
    )
    out(f"  sqlite3 {db} 'SELECT kind, count(*) FROM matches GROUP BY kind'")  # noqa: S608
    out("  docs/domain-rules.md: the rules the simulation just applied, with their sources")
    return stats
