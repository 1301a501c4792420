"""The hash-chained audit log: every kind of tampering is found, and where."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from verwijsindex_core.audit import (
    GENESIS,
    AuditEntry,
    AuditEvent,
    AuditLog,
    MemoryAuditStorage,
    entry_hash,
    verify,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def build(n: int = 10) -> list[AuditEntry]:
    log = AuditLog(MemoryAuditStorage())
    for i in range(n):
        log.append(
            AuditEvent.REGISTER if i % 2 else AuditEvent.READ_MATCHES,
            T0 + timedelta(minutes=i),
            subject=f"vi1.aaaaaaaa.{i:043d}",
            actor_organisation=f"org-{i % 3}",
            actor_professional=f"p{i}",
            responsible_organisation=f"org-{i % 3}",
            detail=f"signal={i}",
        )
    return list(log.entries())


def test_an_untouched_chain_verifies() -> None:
    entries = build()
    result = verify(entries)
    assert result.ok and result.entries == 10 and result.head == entries[-1].hash
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(entries))
    assert verify([]).ok


@pytest.mark.parametrize(
    "field",
    [
        "at",
        "event",
        "subject",
        "actor_organisation",
        "actor_professional",
        "responsible_organisation",
        "detail",
    ],
)
def test_an_edited_entry_is_found(field: str) -> None:
    entries = build()
    value = getattr(entries[4], field)
    changed = value + timedelta(seconds=1) if isinstance(value, datetime) else value + "x"
    entries[4] = entries[4]._replace(**{field: changed})
    result = verify(entries)
    assert (
        not result.ok and result.position == 4 and "does not match its hash" in str(result.problem)
    )


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries = build()
    forged = entries[4]._replace(detail="signal=999")
    entries[4] = forged._replace(hash=entry_hash(forged))
    result = verify(entries)
    assert not result.ok and result.position == 5 and "link" in str(result.problem)


def test_a_removed_entry_is_found() -> None:
    entries = build()
    del entries[6]
    result = verify(entries)
    assert not result.ok and result.position == 6


def test_an_inserted_entry_is_found() -> None:
    entries = build()
    entries.insert(3, entries[2])
    result = verify(entries)
    assert not result.ok and result.position == 3


def test_reordered_entries_are_found() -> None:
    entries = build()
    entries[2], entries[3] = entries[3], entries[2]
    result = verify(entries)
    assert not result.ok and result.position == 2


def test_a_changed_hash_is_found() -> None:
    entries = build()
    entries[0] = entries[0]._replace(hash=bytes(32))
    result = verify(entries)
    assert not result.ok and result.position == 0


def test_cutting_the_tail_is_found_against_an_anchored_head() -> None:
    entries = build()
    anchored = verify(entries).head
    cut = verify(entries[:-2])
    assert cut.ok  # the shorter chain is consistent in itself ...
    assert cut.head != anchored  # ... which is why the head must be anchored elsewhere


def test_for_subject_returns_only_that_subjects_entries() -> None:
    storage = MemoryAuditStorage()
    log = AuditLog(storage)
    for entry in build(6):
        storage.audit_append(entry)
    assert [e.seq for e in log.for_subject(f"vi1.aaaaaaaa.{3:043d}")] == [4]
