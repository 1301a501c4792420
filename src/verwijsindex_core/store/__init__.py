"""Stores: where the index keeps subjects, signals, matches, the outbox and the audit log.

- :class:`Store`: the protocol every store implements (the extension interface), with its
  vocabulary: :class:`SubjectRecord`, :class:`SignalRecord`, :class:`MatchRecord`,
  :class:`NotificationRecord`, :class:`NewRows`, :class:`StoreCounts` and ``SubjectKey``.
- :class:`MemoryStore`: dicts, for tests, simulations and short-lived indexes.
- :class:`SQLiteStore`: one SQLite file, the embedded durable default.
- :class:`PostgresStore`: PostgreSQL for many workers (extra ``[postgres]``; imported on
  first use, so the package works without psycopg).
- :func:`open_store`: the store a ``--db`` value names (a file path or a ``postgresql://``
  URL); :func:`describe_db` shows such a value without its password.

A new store is one module implementing :class:`Store`; ``docs/architecture.md`` says where it
goes and how the shared test suite picks it up.
"""

import typing

from verwijsindex_core.store._memory import MemoryStore
from verwijsindex_core.store._open import (
    companion_base,
    database_in_use,
    db_argument,
    describe_db,
    drop_tables,
    is_database_url,
    open_store,
)
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

if typing.TYPE_CHECKING:
    from verwijsindex_core.store._postgres import POSTGRES_SCHEMA_VERSION, PostgresStore

__all__ = [
    "POSTGRES_SCHEMA_VERSION",
    "SCHEMA_VERSION",
    "CredentialRecord",
    "MatchRecord",
    "MemoryStore",
    "NewRows",
    "NotificationRecord",
    "PostgresStore",
    "SQLiteStore",
    "SignalRecord",
    "Store",
    "StoreCounts",
    "SubjectKey",
    "SubjectRecord",
    "companion_base",
    "database_in_use",
    "db_argument",
    "describe_db",
    "drop_tables",
    "is_database_url",
    "mask_key",
    "open_store",
]


def __getattr__(name: str) -> object:
    """``PostgresStore`` is imported on first use: the package works without psycopg."""
    if name in ("PostgresStore", "POSTGRES_SCHEMA_VERSION"):
        try:
            from verwijsindex_core.store import _postgres  # noqa: PLC0415 - on first use
        except ImportError as exc:
            raise ImportError(
                f"{name} needs psycopg: pip install 'verwijsindex-core[postgres]'"
            ) from exc
        value = getattr(_postgres, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
