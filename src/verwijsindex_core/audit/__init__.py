"""The append-only, hash-chained audit log (NEN 7513): every write and every read of subject
data leaves an entry; :func:`verify` detects an edited, removed, inserted or reordered one."""

from verwijsindex_core.audit._log import (
    GENESIS,
    AuditEntry,
    AuditEvent,
    AuditLog,
    AuditStorage,
    MemoryAuditStorage,
    VerifyResult,
    entry_hash,
    from_micros,
    to_micros,
    verify,
)

__all__ = [
    "GENESIS",
    "AuditEntry",
    "AuditEvent",
    "AuditLog",
    "AuditStorage",
    "MemoryAuditStorage",
    "VerifyResult",
    "entry_hash",
    "from_micros",
    "to_micros",
    "verify",
]
