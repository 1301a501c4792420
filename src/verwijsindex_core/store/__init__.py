"""Stores: where the index keeps subjects, signals, matches, the outbox and the audit log.

- :class:`Store`: the protocol every store implements (the extension interface), with its
  vocabulary: :class:`SubjectRecord`, :class:`SignalRecord`, :class:`MatchRecord`,
  :class:`NotificationRecord`, :class:`NewRows`, :class:`StoreCounts` and ``SubjectKey``.
- :class:`MemoryStore`: dicts, for tests, simulations and short-lived indexes.
- :class:`SQLiteStore`: one SQLite file, the embedded durable default.

A new store is one module implementing :class:`Store`; ``docs/architecture.md`` says where it
goes and how the shared test suite picks it up.
"""

from verwijsindex_core.store._memory import MemoryStore
from verwijsindex_core.store._protocol import NewRows, Store, StoreCounts
from verwijsindex_core.store._records import (
    CredentialRecord,
    MatchRecord,
    NotificationRecord,
    SignalRecord,
    SubjectKey,
    SubjectRecord,
    mask_key,
)
from verwijsindex_core.store._sqlite import SCHEMA_VERSION, SQLiteStore

__all__ = [
    "SCHEMA_VERSION",
    "CredentialRecord",
    "MatchRecord",
    "MemoryStore",
    "NewRows",
    "NotificationRecord",
    "SQLiteStore",
    "SignalRecord",
    "Store",
    "StoreCounts",
    "SubjectKey",
    "SubjectRecord",
    "mask_key",
]
