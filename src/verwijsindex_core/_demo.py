"""``verwijsindex demo``: a synthetic region, a simulated year, a SQLite file to look at.

Everything is synthetic and deterministic for a seed: the population, the BSNs (generated to
pass the 11-test) and even the demo's pseudonymisation key, which is derived from the seed so
that runs can be compared. That key protects nothing: never use it for real data.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from verwijsindex_core._demo_credentials import provision_demo_credentials
from verwijsindex_core._facade import Verwijsindex
from verwijsindex_core._progress import Progress
from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import FixedClock, Policy
from verwijsindex_core.pseudonym import Key, KeyRing, Pseudonymiser
from verwijsindex_core.store import (
    Store,
    companion_base,
    database_in_use,
    describe_db,
    drop_tables,
    is_database_url,
    open_store,
)
from verwijsindex_core.synthetic import Simulation, SimulationStats, generate_population

__all__ = ["DemoStats", "run_demo"]

START: Final = datetime(2025, 11, 3, 8, 30, tzinfo=UTC)
SAMPLES_NAME: Final = "SAMPLE-SUBJECTS.txt"


@dataclass(kw_only=True)
class DemoStats(SimulationStats):
    """The simulation's counts (:class:`SimulationStats`) and what the index held after."""

    seed: int
    subjects: int
    days: int
    active_at_end: int = 0
    matches_direct: int = 0
    matches_family: int = 0
    matches_cross_region: int = 0
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


def _summary(stats: DemoStats, db: Path | str) -> list[str]:
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


def _finish(vi: Verwijsindex, store: Store, stats: DemoStats) -> None:
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
    db: Path | str,
    *,
    seed: int = 2026,
    subjects: int = 10_000,
    days: int = 365,
    fresh: bool = False,
    progress_stream: object = None,
    show_progress: bool = False,
    out: Callable[[str], None] = print,
) -> DemoStats:
    """Build (or reopen) the demo database and print its summary. ``db`` is a SQLite file or
    a postgresql:// URL (then the key ring, samples and tokens go to the current folder)."""
    # The database, as given and as shown; and the file its companions are named after.
    where, shown, db = db, describe_db(db), companion_base(db)
    keys_path = db.with_name(db.stem + ".keys.json")
    samples_path = db.with_name(SAMPLES_NAME)
    if database_in_use(where) and not fresh:
        store = open_store(where)
        saved = store.get_meta("demo")
        store.close()
        if saved is None:
            raise ValidationError(
                "db",
                "not-a-demo",
                "exists and was not made by the demo; use --fresh or another --db",
            )
        stats = DemoStats(**json.loads(saved))
        for line in _summary(stats, shown):
            out(line)
        out("")
        out(f"(already built; pass --fresh to rebuild) samples: {samples_path}")
        return stats
    if fresh:
        for path in _companions(db):
            path.unlink(missing_ok=True)
        if is_database_url(where):
            drop_tables(where)
    db.parent.mkdir(parents=True, exist_ok=True)
    ring = _demo_ring(seed)
    ring.save(keys_path)
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible on purpose
    population = generate_population(rng, subjects=subjects, today=START.date())
    clock = FixedClock(START)
    store = open_store(where)
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
    # The simulator (synthetic package): rates per young person, so a larger --subjects
    # gives proportionally more signals, ends and moves a day.
    sim = Simulation(vi, population, rng, clock, start=START, stats=stats)
    sim.run(days, None if progress is None else progress.update)
    if progress is not None:
        progress.finish(stats.registrations, days)
    _finish(vi, store, stats)
    samples = sim.samples()
    lines = [
        "# Synthetic subjects of the verwijsindex demo (made-up BSNs that pass the 11-test).",
        f"# Database: {shown}. Key ring (demo only, derived from seed {seed}): {keys_path}",
        "# bsn        born        what",
    ]
    lines += [
        f"{child.bsn.digits}  {child.date_of_birth.isoformat()}  {what}" for what, child in samples
    ]
    samples_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    provision_demo_credentials(store, population.organisations, db)  # for verwijsindex serve
    store.close()
    for line in _summary(stats, shown):
        out(line)
    out("")
    out("Where to look next:")
    out(
        f"  {samples_path}: synthetic BSNs of subjects with a direct match, a family match, history"
    )
    out(
        f"  verwijsindex inzage --db {shown} --bsn-file - --date-of-birth YYYY-MM-DD --as parent "
        "--out report.html: what the index holds about one of them (docs/inzage.md)"
    )
    out("  docs/domain-rules.md: the rules the simulation just applied, with their sources")
    return stats
