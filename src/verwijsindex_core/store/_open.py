"""Opening a store from a ``--db`` value: the one way the command line, the demo and the
server turn what an operator typed into a store.

- a file path (``verwijsindex-demo.db``): :class:`~verwijsindex_core.store.SQLiteStore`;
- a ``postgresql://`` (or ``postgres://``) URL: :class:`~verwijsindex_core.store.PostgresStore`
  (extra ``[postgres]``). libpq's own URL parameters pass through (``?host=/run/postgresql``,
  ``sslmode=verify-full``, ...); ``schema=NAME`` picks the schema the tables live in.

:func:`describe_db` is the value as it may be printed or logged: a URL loses its password.
:func:`db_argument` is the ``type=`` of a ``--db`` option (a ``Path`` would eat a URL's
``//``); :func:`companion_base` names the files that go with a database (key ring, samples,
tokens); :func:`database_in_use` says whether a database holds anything yet.
"""

from __future__ import annotations

import typing
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from verwijsindex_core.errors import StoreError
from verwijsindex_core.store._sqlite import SQLiteStore

if typing.TYPE_CHECKING:
    from verwijsindex_core.store._postgres import PostgresStore

__all__ = [
    "companion_base",
    "database_in_use",
    "db_argument",
    "describe_db",
    "drop_tables",
    "is_database_url",
    "open_store",
]

_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(db: str | Path) -> bool:
    """True for a PostgreSQL URL, False for a file path."""
    return isinstance(db, str) and db.lower().startswith(_SCHEMES)


def _split_schema(url: str) -> tuple[str, str | None]:
    """The URL without a ``schema`` parameter (libpq refuses unknown ones), and the schema."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [v for k, v in query if k == "schema"]
    if not schemas:
        return url, None
    rest = urlencode([(k, v) for k, v in query if k != "schema"], safe="/")
    return urlunsplit(parts._replace(query=rest)), schemas[-1]


def open_store(db: str | Path, *, max_connections: int = 8) -> SQLiteStore | PostgresStore:
    """The store a ``--db`` value names (created if new, migrated if old). ``max_connections``
    bounds a PostgreSQL store's pool (one connection per concurrent transaction)."""
    if isinstance(db, Path) or not is_database_url(db):
        if not isinstance(db, (str, Path)) or not str(db):
            raise StoreError("db", "type", "must be a file path or a postgresql:// URL")
        return SQLiteStore(Path(db))
    try:
        from verwijsindex_core.store._postgres import PostgresStore  # noqa: PLC0415 - extra
    except ImportError:
        raise StoreError(
            "db",
            "extra",
            "a postgresql:// database needs psycopg: pip install 'verwijsindex-core[postgres]'",
        ) from None
    url, schema = _split_schema(db)
    return PostgresStore(url, schema=schema, max_connections=max_connections)


def db_argument(value: str) -> str | Path:
    """A ``--db`` value as the command line should keep it: a URL as text, a file as a path."""
    return value if is_database_url(value) else Path(value)


def companion_base(db: str | Path) -> Path:
    """The path the files that go with a database are named after (``<stem>.keys.json``
    beside it, ...): a SQLite file itself; for a server database, ``<database name>.db`` in
    the current folder (a URL names no folder)."""
    if not is_database_url(db):
        return Path(db)
    name = urlsplit(str(db)).path.strip("/") or "verwijsindex"
    return Path(f"{Path(name).name}.db")


def database_in_use(db: str | Path) -> bool:
    """Whether the database holds anything: a SQLite file that exists; a server database
    with metadata or audit entries (every change to the index writes one)."""
    if not is_database_url(db):
        return Path(db).exists()
    store = open_store(db)
    try:
        return isinstance(store, SQLiteStore) or store.in_use()
    finally:
        store.close()


def drop_tables(db: str | Path) -> None:
    """Drop every table of the index in a server database (``--fresh``; a SQLite file is
    simply deleted by the caller)."""
    store = open_store(db)
    if isinstance(store, SQLiteStore):
        store.close()
        raise StoreError("db", "type", "drop_tables is for a postgresql:// database")
    store.drop_schema()


def describe_db(db: str | Path) -> str:
    """``db`` as it may be shown: a file path as given, a URL without its password, whether
    in the user part (``postgresql://vi:PASSWORD@host/db``) or a parameter
    (``?password=...``): each shows as ``***``."""
    if not is_database_url(db):
        return str(db)
    text = str(db)
    parts = urlsplit(text)
    if parts.password is not None:
        user = parts.username or ""
        host = parts.netloc.rpartition("@")[2]
        text = urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == "password" for k, _ in query):
        hidden = urlencode([(k, "***" if k == "password" else v) for k, v in query], safe="/*")
        # (not urlunsplit: it would fold an empty host, postgresql:///db, to postgresql:/db)
        text = text.partition("?")[0] + "?" + hidden
    return text
