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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final

from verwijsindex_core._facade import Verwijsindex
from verwijsindex_core._progress import Progress
from verwijsindex_core.errors import UnknownRecord, ValidationError
from verwijsindex_core.matching import Actor, EndReason, FixedClock, MatchKind, Policy
from verwijsindex_core.pseudonym import Key, KeyRing, Pseudonymiser
from verwijsindex_core.store import SQLiteStore
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
    """A year of professionals at work. It sees only what the facade answers (every read
    of subject data goes through an audited facade method, as in a vendor's system)."""

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
        # signal id -> (planned end, who registered it): the signals the simulation believes live
        self.live: dict[int, tuple[date, Actor]] = {}
        self.deleted: set[int] = set()
        self.subject_of: dict[str, tuple[Child, Family]] = {}
        self.domains: Counter[str] = Counter()
        # Sample candidates: (what, child, signal ids that must survive) in order of discovery.
        self.candidates: list[tuple[str, Child, tuple[int, ...]]] = []

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
                municipality=org.municipality,
                planned_end=planned,
                parents=parents,
            )
        except ValidationError:
            self.stats.refused += 1  # e.g. the child turned 23 or is not born yet
            return
        self.subject_of[result.signal.subject.text] = (child, family)
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
        if result.history_notice is not None:
            self.stats.history_notices += 1
            self.candidates.append(("history (ended and live signals)", child, (signal.id,)))

    def _end_some(self) -> None:
        rng = self.rng
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            if not self.live:
                return
            signal_id = rng.choice(sorted(self.live))
            planned_end, actor = self.live.pop(signal_id)
            if planned_end <= self.clock.today():
                continue  # the sweep ends it
            if rng.random() < 0.04:
                self.vi.end_signal(signal_id, EndReason.UNJUSTIFIED, actor)
                self.deleted.add(signal_id)
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
        try:
            self.vi.record_move(child.bsn, self.rng.choice(others), actor)
        except UnknownRecord:  # its only signal was withdrawn: the index forgot the subject
            del self.subject_of[text]
            return
        self.stats.moves += 1

    def _record_a_death(self) -> None:
        for text in sorted(self.subject_of, key=lambda _: self.rng.random()):
            child, _ = self.subject_of[text]
            try:
                ended = self.vi.record_death(child.bsn, Actor(organisation_id="brp-feed"))
            except UnknownRecord:
                continue
            for signal_id in ended:
                self.live.pop(signal_id, None)
            self.stats.deaths += 1
            return

    def _poll_outboxes(self) -> None:
        for org in self.population.organisations:
            actor = Actor(organisation_id=org.id)
            notes = self.vi.notifications_for(actor)
            if notes:
                self.stats.notifications_delivered += self.vi.acknowledge(
                    actor, [n.id for n in notes]
                )

    def run(self, days: int, progress: Progress | None) -> None:
        death_day = self.rng.randrange(days // 3, days) if days > 3 else -1
        for day in range(days):
            for _ in range(self.rng.choice((2, 3, 4, 4, 5, 6, 7))):
                self._register()
                self.clock.advance(seconds=self.rng.randrange(60, 3600))
            self._end_some()
            self._move_someone()
            if day == death_day:
                self._record_a_death()
            if day % 7 == 6:
                self._poll_outboxes()
            self.clock.set(START + timedelta(days=day + 1))
            report = self.vi.sweep()
            for signal_id in (*report.ended_planned, *report.ended_age):
                self.live.pop(signal_id, None)
            self.stats.ended_planned += len(report.ended_planned)
            self.stats.ended_age += len(report.ended_age)
            self.stats.purged += len(report.purged)
            if progress is not None:
                progress.update(self.stats.registrations, day + 1)
        self.stats.signals_per_domain = dict(sorted(self.domains.items()))

    def samples(self) -> list[tuple[str, Child]]:
        """A few subjects worth an inzage: a direct match, a family match, history."""
        found: dict[str, Child] = {}
        for what, child, signals in self.candidates:
            if what in found or any(s in self.deleted for s in signals):
                continue
            if what.startswith("history") and signals[0] not in self.live:
                continue
            found[what] = child
        return list(found.items())


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
    totals = vi.statistics()
    stats.matches_direct = totals.matches_direct
    stats.matches_family = totals.matches_family
    stats.matches_cross_region = totals.matches_cross_region
    stats.active_at_end = totals.signals_active
    verified = vi.verify_audit()
    stats.audit_entries = verified.entries
    if not verified.ok:  # pragma: no cover - would be a bug
        raise ValidationError("audit", "chain", f"broken at {verified.position}")
    # Metadata, not subject data: what built this file, for reopening it.
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
        saved = store.get_meta("demo")
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
    samples = sim.samples()
    lines = [
        "# Synthetic subjects of the verwijsindex demo (made-up BSNs that pass the 11-test).",
        f"# Database: {db}. Key ring (demo only, derived from seed {seed}): {keys_path}",
        "# bsn        born        what",
    ]
    lines += [
        f"{child.bsn.digits}  {child.date_of_birth.isoformat()}  {what}" for what, child in samples
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
    out(
        f"  verwijsindex inzage --db {db} --bsn-file - --date-of-birth YYYY-MM-DD --as parent "
        "--out report.html: what the index holds about one of them (docs/inzage.md)"
    )
    out("  docs/domain-rules.md: the rules the simulation just applied, with their sources")
    return stats
