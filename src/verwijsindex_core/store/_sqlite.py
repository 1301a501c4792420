"""The durable store: one SQLite file (stdlib ``sqlite3``), WAL mode, explicit transactions.

A unit of work (a registration batch with its matches, notifications and audit entries)
commits together or not at all (:meth:`SQLiteStore.transaction`, ``BEGIN IMMEDIATE``). The
schema is versioned with ``PRAGMA user_version`` and migrated forward on open. Rows are
compact: integer surrogate keys (subjects, pseudonyms, parties, professionals), days as
integers, enums as small codes; subjects are pseudonyms (key + digest) with their turns-23
date only: no BSN, no date of birth and no key ever reaches the file. Every read has an index
behind it; ``tests/test_sqlite.py`` checks each statement's query plan.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final, TypeVar

from verwijsindex_core.audit import AuditEntry, AuditEvent, from_micros, to_micros
from verwijsindex_core.errors import StoreError
from verwijsindex_core.matching._model import (
    EndReason,
    Organisation,
    Professional,
    SignalStatus,
)
from verwijsindex_core.pseudonym._b64 import b64u_encode
from verwijsindex_core.store._codes import CODE as _CODE
from verwijsindex_core.store._codes import DOMAINS as _DOMAINS
from verwijsindex_core.store._codes import EVENTS as _EVENTS
from verwijsindex_core.store._codes import MATCH_KINDS as _MATCH_KINDS
from verwijsindex_core.store._codes import NOTE_KINDS as _NOTE_KINDS
from verwijsindex_core.store._codes import REASONS as _REASONS
from verwijsindex_core.store._codes import STATUSES as _STATUSES
from verwijsindex_core.store._codes import gm as _gm
from verwijsindex_core.store._codes import gm_text as _gm_text
from verwijsindex_core.store._protocol import NewRows, StoreCounts
from verwijsindex_core.store._records import (
    CredentialRecord,
    MatchRecord,
    NotificationRecord,
    SignalRecord,
    SubjectKey,
    SubjectRecord,
    alias_of_text,
)

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

T = TypeVar("T")

_SCHEMA_V2: Final = """
CREATE TABLE counters (kind TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE keys (id INTEGER PRIMARY KEY, key_id TEXT NOT NULL UNIQUE);
CREATE TABLE parties (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, doc TEXT);
CREATE TABLE professionals (
    id INTEGER PRIMARY KEY, party INTEGER NOT NULL, ident TEXT NOT NULL,
    name TEXT, function TEXT, phone TEXT, email TEXT, UNIQUE (party, ident));
CREATE TABLE subjects (
    id INTEGER PRIMARY KEY, turns_23 INTEGER NOT NULL, deceased INTEGER NOT NULL DEFAULT 0,
    municipality INTEGER);
CREATE TABLE pseudonyms (
    id INTEGER PRIMARY KEY, digest BLOB NOT NULL, key INTEGER NOT NULL, subject INTEGER);
CREATE UNIQUE INDEX pseudonyms_digest ON pseudonyms (digest, key);
CREATE INDEX pseudonyms_subject ON pseudonyms (subject) WHERE subject IS NOT NULL;
CREATE TABLE parents (
    child INTEGER NOT NULL, parent INTEGER NOT NULL, PRIMARY KEY (child, parent)) WITHOUT ROWID;
CREATE INDEX parents_parent ON parents (parent);
CREATE TABLE signals (
    id INTEGER PRIMARY KEY, subject INTEGER NOT NULL, party INTEGER NOT NULL,
    professional INTEGER NOT NULL, domain INTEGER NOT NULL, municipality INTEGER NOT NULL,
    registered_on INTEGER NOT NULL, planned_end INTEGER NOT NULL, status INTEGER NOT NULL,
    ended_on INTEGER, end_reason INTEGER, due INTEGER);
CREATE INDEX signals_subject ON signals (subject);
CREATE INDEX signals_party ON signals (party, professional);
CREATE INDEX signals_due ON signals (due) WHERE status = 0;
CREATE INDEX signals_ended ON signals (ended_on) WHERE status = 1;
CREATE TABLE matches (
    id INTEGER PRIMARY KEY, signal_a INTEGER NOT NULL, signal_b INTEGER NOT NULL,
    kind INTEGER NOT NULL, cross_region INTEGER NOT NULL, created_on INTEGER NOT NULL,
    coordinator_signal INTEGER, afgestemd INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX matches_pair ON matches (signal_a, signal_b);
CREATE INDEX matches_b ON matches (signal_b);
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY, party INTEGER NOT NULL, professional INTEGER,
    kind INTEGER NOT NULL, created_on INTEGER NOT NULL, signal_id INTEGER, match_id INTEGER,
    about TEXT NOT NULL);
CREATE INDEX notifications_outbox ON notifications (party, id);
CREATE INDEX notifications_signal ON notifications (signal_id) WHERE signal_id IS NOT NULL;
CREATE INDEX notifications_match ON notifications (match_id) WHERE match_id IS NOT NULL;
CREATE TABLE notification_about (
    signal_id INTEGER NOT NULL, notification_id INTEGER NOT NULL,
    PRIMARY KEY (signal_id, notification_id)) WITHOUT ROWID;
CREATE INDEX notification_about_note ON notification_about (notification_id);
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, event INTEGER NOT NULL, subject INTEGER,
    actor INTEGER, actor_professional TEXT NOT NULL, responsible INTEGER, detail TEXT NOT NULL,
    hash BLOB NOT NULL);
CREATE INDEX audit_subject ON audit (subject) WHERE subject IS NOT NULL;
CREATE TABLE credentials (
    id TEXT PRIMARY KEY, party INTEGER NOT NULL, role TEXT NOT NULL, salt BLOB NOT NULL,
    secret_hash BLOB NOT NULL, created_at INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
CREATE INDEX credentials_party ON credentials (party);
"""

_MIGRATIONS: Final[tuple[str | None, ...]] = (
    None,  # version 1: the 0.1 layout (text keys); not migrated, see _migrate
    _SCHEMA_V2,
)
SCHEMA_VERSION: Final = len(_MIGRATIONS)

# Stable codes: store/_codes.py (the same in SQLiteStore and PostgresStore).
_ACTIVE: Final = 0
_DAY: Final = date.toordinal
_FROM_DAY: Final = date.fromordinal


def _day(value: int | None) -> date | None:
    return None if value is None else _FROM_DAY(value)


_SIGNAL_SELECT: Final = (
    "SELECT s.id, s.subject, p.name, pr.ident, pr.name, pr.function, pr.phone, pr.email, "
    "s.domain, s.municipality, s.registered_on, s.planned_end, s.status, s.ended_on, "
    "s.end_reason FROM signals AS s JOIN parties AS p ON p.id = s.party "
    "JOIN professionals AS pr ON pr.id = s.professional"
)
_MATCH_COLUMNS: Final = (
    "id, signal_a, signal_b, kind, cross_region, created_on, coordinator_signal, afgestemd"
)
_NOTE_SELECT: Final = (
    "SELECT n.id, p.name, pr.ident, n.kind, n.created_on, n.signal_id, n.match_id, n.about "
    "FROM notifications AS n JOIN parties AS p ON p.id = n.party "
    "LEFT JOIN professionals AS pr ON pr.id = n.professional"
)
_AUDIT_SELECT: Final = (
    "SELECT a.seq, a.at, a.event, k.key_id, ps.digest, o.name, a.actor_professional, r.name, "
    "a.detail, a.hash FROM audit AS a "
    "LEFT JOIN pseudonyms AS ps ON ps.id = a.subject LEFT JOIN keys AS k ON k.id = ps.key "
    "LEFT JOIN parties AS o ON o.id = a.actor LEFT JOIN parties AS r ON r.id = a.responsible"
)


class SQLiteStore:
    """The :class:`~verwijsindex_core.store.Store` in one SQLite file.

    ``busy_timeout`` (seconds) is how long a writer waits for another process's transaction;
    on top of SQLite's own wait, a transaction that still finds the database locked is retried
    up to ``retries`` times. ``cache_mb`` sizes SQLite's page cache (64 MB by default: the
    indexes a registration touches at a million signals). Use one instance per thread or
    process; several processes may share the file.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout: float = 30.0,
        retries: int = 5,
        synchronous: str = "NORMAL",
        cache_mb: int = 64,
    ) -> None:
        if synchronous not in ("NORMAL", "FULL", "OFF"):
            raise StoreError("synchronous", "pragma", "must be NORMAL, FULL or OFF")
        if type(cache_mb) is not int or not 1 <= cache_mb <= 65536:
            raise StoreError("cache_mb", "range", "must be an int from 1 to 65536")
        self.path = Path(path)
        self._retries = retries
        self._busy_timeout = busy_timeout
        try:
            self._db = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=True
            )
            # Switching to WAL needs the write lock: wait for it like any writer does (two
            # processes opening a new file at once would otherwise fail now and then).
            self._with_retry(lambda: self._db.execute("PRAGMA journal_mode=WAL").fetchone())
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.execute(f"PRAGMA cache_size=-{cache_mb * 1024}")
            self._db.execute("PRAGMA foreign_keys=OFF")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError("database", "open", f"{self.path} cannot be opened ({exc})") from None
        self._depth = 0
        # Ids of values that never change once written (keys, parties, professionals): kept
        # for the connection's life.
        self._keys: dict[str, int] = {}
        self._key_ids: dict[int, str] = {}
        self._parties: dict[str, int] = {}
        self._party_names: dict[int, str] = {}
        self._organisations: dict[str, Organisation] = {}
        self._professionals: dict[tuple[int, str], tuple[int, Professional | None]] = {}
        self._professional_rows: dict[int, Professional] = {}
        # Inside a write transaction (BEGIN IMMEDIATE holds the lock) nothing changes under
        # us: counters, the audit head and pseudonym ids are read once and kept until COMMIT.
        self._counters: dict[str, int] = {}
        self._dirty: set[str] = set()
        self._head: AuditEntry | None = None
        self._head_known = False
        self._pseudonyms: dict[tuple[int, bytes], int | None] = {}

    # --- schema ---------------------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                "database",
                "schema-version",
                f"{self.path} has schema version {version}, newer than this library's "
                f"{SCHEMA_VERSION}",
            )
        if version == 1:
            raise StoreError(
                "database",
                "schema-version",
                f"{self.path} has schema version 1 (verwijsindex-core 0.1), whose layout this "
                "release does not migrate; rebuild it (the demo: verwijsindex demo --fresh)",
            )
        for target in range(max(version, 1) + 1, SCHEMA_VERSION + 1):
            self._with_retry(functools.partial(self._apply, target))

    def _apply(self, target: int) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if self._db.execute("PRAGMA user_version").fetchone()[0] < target:
                script = _MIGRATIONS[target - 1] or ""
                for statement in script.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={int(target)}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _with_retry(self, work: Callable[[], T]) -> T:
        for attempt in range(self._retries + 1):
            try:
                return work()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if attempt == self._retries:
                    raise StoreError(
                        "database", "locked", f"{self.path} is still locked after retries"
                    ) from None
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    # --- transactions ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; nested calls join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._with_retry(lambda: self._db.execute("BEGIN IMMEDIATE"))
        self._depth = 1
        try:
            yield
            self._flush_counters()
        except BaseException:
            self._depth = 0
            self._db.execute("ROLLBACK")
            self._forget(rolled_back=True)
            raise
        self._depth = 0
        try:
            self._with_retry(lambda: self._db.execute("COMMIT"))
        finally:
            self._forget(rolled_back=False)

    def _forget(self, *, rolled_back: bool) -> None:
        self._counters.clear()
        self._dirty.clear()
        self._head, self._head_known = None, False
        self._pseudonyms.clear()
        self._organisations.clear()
        if rolled_back:  # ids inserted by the rolled-back transaction are gone again
            self._keys.clear()
            self._key_ids.clear()
            self._parties.clear()
            self._party_names.clear()
            self._professionals.clear()
            self._professional_rows.clear()

    def _flush_counters(self) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO counters (kind, value) VALUES (?, ?)",
            [(kind, self._counters[kind]) for kind in sorted(self._dirty)],
        )
        self._dirty.clear()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    def _x(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, params)

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """A write outside :meth:`transaction` commits on its own."""
        if self._depth:
            yield
        else:
            with self.transaction():
                yield

    def next_id(self, kind: str) -> int:
        if not self._depth:
            with self.transaction():
                return self.next_id(kind)
        counters = self._counters
        if kind not in counters:
            row = self._x("SELECT value FROM counters WHERE kind = ?", (kind,)).fetchone()
            counters[kind] = 0 if row is None else int(row[0])
            self._dirty.add(kind)
        counters[kind] += 1
        return counters[kind]

    def get_meta(self, key: str) -> str | None:
        row = self._x("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._write():
            self._x("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # --- interned values ------------------------------------------------------------------------

    def _key(self, key_id: str) -> int:
        number = self._keys.get(key_id)
        if number is None:
            self._x("INSERT OR IGNORE INTO keys (key_id) VALUES (?)", (key_id,))
            number = int(self._x("SELECT id FROM keys WHERE key_id = ?", (key_id,)).fetchone()[0])
            self._keys[key_id], self._key_ids[number] = number, key_id
        return number

    def _key_id(self, number: int) -> str:
        key_id = self._key_ids.get(number)
        if key_id is None:
            key_id = str(self._x("SELECT key_id FROM keys WHERE id = ?", (number,)).fetchone()[0])
            self._keys[key_id], self._key_ids[number] = number, key_id
        return key_id

    def _party(self, name: str) -> int:
        number = self._parties.get(name)
        if number is None:
            self._x("INSERT OR IGNORE INTO parties (name) VALUES (?)", (name,))
            number = int(self._x("SELECT id FROM parties WHERE name = ?", (name,)).fetchone()[0])
            self._parties[name], self._party_names[number] = number, name
        return number

    def _known_party(self, name: str) -> int | None:
        number = self._parties.get(name)
        if number is None:
            row = self._x("SELECT id FROM parties WHERE name = ?", (name,)).fetchone()
            if row is None:
                return None
            number = self._parties[name] = int(row[0])
            self._party_names[number] = name
        return number

    def _professional(self, professional: Professional) -> int:
        party = self._party(professional.organisation_id)
        known = self._professionals.get((party, professional.id))
        if known is not None and (known[1] is professional or known[1] == professional):
            return known[0]
        p = professional
        self._x(
            "INSERT INTO professionals (party, ident, name, function, phone, email) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (party, ident) DO UPDATE SET "
            "name = excluded.name, function = excluded.function, phone = excluded.phone, "
            "email = excluded.email",
            (party, p.id, p.name, p.function, p.phone, p.email),
        )
        number = int(
            self._x(
                "SELECT id FROM professionals WHERE party = ? AND ident = ?", (party, p.id)
            ).fetchone()[0]
        )
        self._professionals[(party, p.id)] = (number, professional)
        return number

    def _professional_ref(self, party: int, ident: str) -> int:
        """The row of a professional named in a notification (or an actor)."""
        known = self._professionals.get((party, ident))
        if known is not None:
            return known[0]
        self._x("INSERT OR IGNORE INTO professionals (party, ident) VALUES (?, ?)", (party, ident))
        number = int(
            self._x(
                "SELECT id FROM professionals WHERE party = ? AND ident = ?", (party, ident)
            ).fetchone()[0]
        )
        self._professionals[(party, ident)] = (number, None)
        return number

    def _pseudonym(self, key: SubjectKey, *, create: bool) -> int | None:
        """The row id of an alias (None when unknown and not ``create``)."""
        cache_key = (self._key(key[0]), key[1])
        if cache_key in self._pseudonyms:
            number = self._pseudonyms[cache_key]
            if number is not None or not create:
                return number
        row = self._x(
            "SELECT id FROM pseudonyms WHERE digest = ? AND key = ?", (key[1], cache_key[0])
        ).fetchone()
        if row is None and create:
            number = self.next_id("pseudonym")
            self._x(
                "INSERT INTO pseudonyms (id, digest, key) VALUES (?, ?, ?)",
                (number, key[1], cache_key[0]),
            )
            row = (number,)
        result = None if row is None else int(row[0])
        if self._depth:
            self._pseudonyms[cache_key] = result
        return result

    # --- organisations --------------------------------------------------------------------------

    def put_organisation(self, organisation: Organisation) -> None:
        known = self._organisations.get(organisation.id)
        if known is organisation or known == organisation:
            return
        with self._write():
            party = self._party(organisation.id)
            self._x(
                "UPDATE parties SET doc = ? WHERE id = ?",
                (organisation.model_dump_json(), party),
            )
            self._organisations[organisation.id] = organisation

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        cached = self._organisations.get(organisation_id)
        if cached is not None:
            return cached
        row = self._x("SELECT doc FROM parties WHERE name = ?", (organisation_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        organisation = Organisation.model_validate_json(row[0])
        if self._depth:
            self._organisations[organisation_id] = organisation
        return organisation

    # --- inserts --------------------------------------------------------------------------------

    def insert(self, rows: NewRows) -> None:
        with self._write():
            self._insert(rows)

    def _insert(self, rows: NewRows) -> None:
        db = self._db
        if rows.subjects:
            db.executemany(
                "INSERT INTO subjects (id, turns_23, deceased, municipality) VALUES (?, ?, ?, ?)",
                [
                    (
                        s.id,
                        _DAY(s.turns_23),
                        int(s.deceased),
                        None if s.municipality is None else _gm(s.municipality),
                    )
                    for s in rows.subjects
                ],
            )
        aliases = [(a, s.id) for s in rows.subjects for a in s.aliases] + rows.aliases
        if aliases:
            new, known = [], []
            for alias, subject_id in aliases:
                number = self._pseudonym(alias, create=False)
                if number is None:
                    number = self.next_id("pseudonym")
                    self._pseudonyms[(self._key(alias[0]), alias[1])] = number
                    new.append((number, alias[1], self._key(alias[0]), subject_id))
                else:
                    known.append((subject_id, number))
            db.executemany(
                "INSERT INTO pseudonyms (id, digest, key, subject) VALUES (?, ?, ?, ?)", new
            )
            db.executemany("UPDATE pseudonyms SET subject = ? WHERE id = ?", known)
        if rows.parents:
            db.executemany(
                "INSERT OR IGNORE INTO parents (child, parent) VALUES (?, ?)",
                [(child, self._pseudonym(parent, create=True)) for child, parent in rows.parents],
            )
        if rows.signals:
            db.executemany(
                "INSERT INTO signals (id, subject, party, professional, domain, municipality, "
                "registered_on, planned_end, status, ended_on, end_reason, due) "
                "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "CASE WHEN ?9 = 0 THEN min(?8, turns_23) END FROM subjects WHERE id = ?2",
                [
                    (
                        s.id,
                        s.subject,
                        self._party(s.organisation_id),
                        self._professional(s.professional),
                        _CODE[s.domain],
                        _gm(s.municipality),
                        _DAY(s.registered_on),
                        _DAY(s.planned_end),
                        _CODE[s.status],
                        None if s.ended_on is None else _DAY(s.ended_on),
                        None if s.end_reason is None else _CODE[s.end_reason],
                    )
                    for s in rows.signals
                ],
            )
        if rows.matches:
            db.executemany(
                f"INSERT INTO matches ({_MATCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        m.id,
                        m.signal_a,
                        m.signal_b,
                        _CODE[m.kind],
                        int(m.cross_region),
                        _DAY(m.created_on),
                        m.coordinator_signal,
                        int(m.afgestemd),
                    )
                    for m in rows.matches
                ],
            )
        if rows.notifications:
            values: list[tuple[object, ...]] = []
            about: list[tuple[int, int]] = []
            for n in rows.notifications:
                party = self._party(n.organisation_id)
                values.append(
                    (
                        n.id,
                        party,
                        None
                        if n.professional_id is None
                        else self._professional_ref(party, n.professional_id),
                        _CODE[n.kind],
                        _DAY(n.created_on),
                        n.signal_id,
                        n.match_id,
                        ",".join(map(str, n.about)),
                    )
                )
                if n.match_id is None:  # the match's own notes go with the match
                    about.extend((s, n.id) for s in set(n.about))
            db.executemany(
                "INSERT INTO notifications (id, party, professional, kind, created_on, "
                "signal_id, match_id, about) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            db.executemany(
                "INSERT OR IGNORE INTO notification_about (signal_id, notification_id) "
                "VALUES (?, ?)",
                about,
            )

    # --- subjects -------------------------------------------------------------------------------

    def subject_ids(self, aliases: Iterable[SubjectKey]) -> dict[SubjectKey, int]:
        wanted: dict[tuple[int, bytes], SubjectKey] = {}
        for alias in aliases:
            key = self._keys.get(alias[0])
            if key is None:
                row = self._x("SELECT id FROM keys WHERE key_id = ?", (alias[0],)).fetchone()
                if row is None:
                    continue
                key = self._keys[alias[0]] = int(row[0])
                self._key_ids[key] = alias[0]
            wanted[(key, alias[1])] = alias
        found: dict[SubjectKey, int] = {}
        keys = list(wanted)
        for start in range(0, len(keys), 500):  # one indexed probe per digest, 500 a statement
            chunk = keys[start : start + 500]
            rows = self._x(
                "SELECT key, digest, id, subject FROM pseudonyms WHERE digest IN "
                f"({','.join('?' * len(chunk))})",
                [digest for _, digest in chunk],
            ).fetchall()
            known = {(k, bytes(d)): (i, s) for k, d, i, s in rows}
            for cache_key in chunk:
                hit = known.get(cache_key)
                if self._depth:
                    self._pseudonyms[cache_key] = None if hit is None else int(hit[0])
                if hit is not None and hit[1] is not None:
                    found[wanted[cache_key]] = int(hit[1])
        return found

    def get_subject(self, subject_id: int) -> SubjectRecord | None:
        row = self._x(
            "SELECT turns_23, deceased, municipality FROM subjects WHERE id = ?", (subject_id,)
        ).fetchone()
        if row is None:
            return None
        aliases = tuple(
            (self._key_id(key), bytes(digest))
            for key, digest in self._x(
                "SELECT key, digest FROM pseudonyms WHERE subject = ? ORDER BY id", (subject_id,)
            )
        )
        return SubjectRecord(subject_id, _FROM_DAY(row[0]), aliases, bool(row[1]), _gm_text(row[2]))

    def update_subject(self, record: SubjectRecord) -> None:
        with self._write():
            turns_23 = _DAY(record.turns_23)
            self._x(
                "UPDATE subjects SET turns_23 = ?, deceased = ?, municipality = ? WHERE id = ?",
                (
                    turns_23,
                    int(record.deceased),
                    None if record.municipality is None else _gm(record.municipality),
                    record.id,
                ),
            )
            self._x(
                "UPDATE signals SET due = min(planned_end, ?) WHERE subject = ? AND status = 0",
                (turns_23, record.id),
            )

    def merge_subjects(self, gone: int, into: int) -> None:
        with self._write():
            self._x("UPDATE pseudonyms SET subject = ? WHERE subject = ?", (into, gone))
            self._x("UPDATE signals SET subject = ? WHERE subject = ?", (into, gone))
            self._x(
                "INSERT OR IGNORE INTO parents (child, parent) "
                "SELECT ?, parent FROM parents WHERE child = ?",
                (into, gone),
            )
            self._x("DELETE FROM parents WHERE child = ?", (gone,))
            self._x(
                "UPDATE subjects SET deceased = max(deceased, "
                "(SELECT deceased FROM subjects WHERE id = ?2)), municipality = coalesce("
                "municipality, (SELECT municipality FROM subjects WHERE id = ?2)) WHERE id = ?1",
                (into, gone),
            )
            self._x("DELETE FROM subjects WHERE id = ?", (gone,))

    def delete_subject(self, subject_id: int) -> None:
        with self._write():
            # The pseudonym rows stay (without a subject): the audit log still names them.
            self._x("UPDATE pseudonyms SET subject = NULL WHERE subject = ?", (subject_id,))
            self._x("DELETE FROM parents WHERE child = ?", (subject_id,))
            self._x("DELETE FROM subjects WHERE id = ?", (subject_id,))

    def parents_of(self, subject_id: int) -> frozenset[SubjectKey]:
        rows = self._x(
            "SELECT ps.key, ps.digest FROM parents AS pa JOIN pseudonyms AS ps "
            "ON ps.id = pa.parent WHERE pa.child = ?",
            (subject_id,),
        )
        return frozenset((self._key_id(k), bytes(d)) for k, d in rows)

    def children_of(self, parent: SubjectKey) -> frozenset[int]:
        number = self._pseudonym(parent, create=False)
        if number is None:
            return frozenset()
        rows = self._x("SELECT child FROM parents WHERE parent = ?", (number,))
        return frozenset(int(r[0]) for r in rows)

    # --- signals --------------------------------------------------------------------------------

    def _signal(self, row: tuple[Any, ...]) -> SignalRecord:
        professional = Professional.model_construct(
            id=row[3],
            name=row[4],
            function=row[5],
            phone=row[6],
            email=row[7],
            organisation_id=row[2],
        )
        return SignalRecord(
            row[0],
            row[1],
            row[2],
            professional,
            _DOMAINS[row[8]],
            f"GM{row[9]:04d}",
            _FROM_DAY(row[10]),
            _FROM_DAY(row[11]),
            _STATUSES[row[12]],
            _day(row[13]),
            None if row[14] is None else _REASONS[row[14]],
        )

    def get_signal(self, signal_id: int) -> SignalRecord | None:
        row = self._x(f"{_SIGNAL_SELECT} WHERE s.id = ?", (signal_id,)).fetchone()
        return None if row is None else self._signal(row)

    def signals_of(self, subject_id: int) -> list[SignalRecord]:
        rows = self._x(f"{_SIGNAL_SELECT} WHERE s.subject = ? ORDER BY s.id", (subject_id,))
        return [self._signal(r) for r in rows]

    def signals_of_organisation(
        self, organisation_id: str, professional_id: str | None = None
    ) -> list[SignalRecord]:
        party = self._known_party(organisation_id)
        if party is None:
            return []
        if professional_id is None:
            rows = self._x(f"{_SIGNAL_SELECT} WHERE s.party = ? ORDER BY s.id", (party,))
        else:
            professional = self._professional_row(party, professional_id)
            if professional is None:
                return []
            rows = self._x(
                f"{_SIGNAL_SELECT} WHERE s.party = ? AND s.professional = ? ORDER BY s.id",
                (party, professional),
            )
        return [self._signal(r) for r in rows]

    def set_signal_state(
        self,
        signal_id: int,
        status: SignalStatus,
        ended_on: date | None,
        reason: EndReason | None,
    ) -> None:
        with self._write():
            self._x(
                "UPDATE signals SET status = ?1, ended_on = ?2, end_reason = ?3, due = "
                "CASE WHEN ?1 = 0 THEN (SELECT min(signals.planned_end, s.turns_23) "
                "FROM subjects AS s WHERE s.id = signals.subject) END WHERE id = ?4",
                (
                    _CODE[status],
                    None if ended_on is None else _DAY(ended_on),
                    None if reason is None else _CODE[reason],
                    signal_id,
                ),
            )

    def delete_signal(self, signal_id: int) -> None:
        with self._write():
            match_ids = [
                r[0]
                for r in self._x(
                    "SELECT id FROM matches WHERE signal_a = ?1 UNION ALL "
                    "SELECT id FROM matches WHERE signal_b = ?1",
                    (signal_id,),
                )
            ]
            note_ids = {
                r[0]
                for r in self._x("SELECT id FROM notifications WHERE signal_id = ?", (signal_id,))
            }
            note_ids.update(
                r[0]
                for r in self._x(
                    "SELECT notification_id FROM notification_about WHERE signal_id = ?",
                    (signal_id,),
                )
            )
            for match_id in match_ids:
                note_ids.update(
                    r[0]
                    for r in self._x("SELECT id FROM notifications WHERE match_id = ?", (match_id,))
                )
            self._drop_notifications(sorted(note_ids))
            self._db.executemany("DELETE FROM matches WHERE id = ?", [(m,) for m in match_ids])
            self._x("DELETE FROM signals WHERE id = ?", (signal_id,))

    def active_due_by(self, day: date) -> list[int]:
        # INDEXED BY: without statistics SQLite would rather walk the table in id order.
        rows = self._x(
            "SELECT id FROM signals INDEXED BY signals_due WHERE status = 0 AND due <= ?",
            (_DAY(day),),
        )
        return sorted(r[0] for r in rows)

    def inactive_ended_by(self, day: date) -> list[int]:
        rows = self._x(
            "SELECT id FROM signals INDEXED BY signals_ended WHERE status = 1 AND ended_on <= ?",
            (_DAY(day),),
        )
        return sorted(r[0] for r in rows)

    # --- matches --------------------------------------------------------------------------------

    @staticmethod
    def _match(row: tuple[Any, ...]) -> MatchRecord:
        return MatchRecord(
            row[0],
            row[1],
            row[2],
            _MATCH_KINDS[row[3]],
            bool(row[4]),
            _FROM_DAY(row[5]),
            row[6],
            bool(row[7]),
        )

    def get_match(self, match_id: int) -> MatchRecord | None:
        row = self._x(f"SELECT {_MATCH_COLUMNS} FROM matches WHERE id = ?", (match_id,)).fetchone()
        return None if row is None else self._match(row)

    def find_match(self, signal_a: int, signal_b: int) -> MatchRecord | None:
        a, b = (signal_a, signal_b) if signal_a < signal_b else (signal_b, signal_a)
        row = self._x(
            f"SELECT {_MATCH_COLUMNS} FROM matches WHERE signal_a = ? AND signal_b = ?", (a, b)
        ).fetchone()
        return None if row is None else self._match(row)

    def matches_of_signal(self, signal_id: int) -> list[MatchRecord]:
        rows = self._x(
            f"SELECT {_MATCH_COLUMNS} FROM matches WHERE signal_a = ?1 UNION ALL "
            f"SELECT {_MATCH_COLUMNS} FROM matches WHERE signal_b = ?1 ORDER BY id",
            (signal_id,),
        )
        return [self._match(r) for r in rows]

    def _professional_row(self, party: int, professional_id: str) -> int | None:
        row = self._x(
            "SELECT id FROM professionals WHERE party = ? AND ident = ?", (party, professional_id)
        ).fetchone()
        return None if row is None else int(row[0])

    def matches_of_organisation(
        self, organisation_id: str, professional_id: str | None = None
    ) -> list[tuple[SignalRecord, MatchRecord]]:
        party = self._known_party(organisation_id)
        if party is None:
            return []
        where, params = "s.party = ?1", [party]
        if professional_id is not None:
            professional = self._professional_row(party, professional_id)
            if professional is None:
                return []
            where, params = "s.party = ?1 AND s.professional = ?2", [party, professional]
        columns = ", ".join(f"m.{c.strip()}" for c in _MATCH_COLUMNS.split(","))
        pairs = [
            (r[0], self._match(r[1:]))
            for r in self._x(
                f"SELECT s.id, {columns} FROM signals AS s JOIN matches AS m "
                f"ON m.signal_a = s.id WHERE {where} UNION ALL "
                f"SELECT s.id, {columns} FROM signals AS s JOIN matches AS m "
                f"ON m.signal_b = s.id WHERE {where}",
                params,
            ).fetchall()
        ]
        signals = {i: self.get_signal(i) for i in {own for own, _ in pairs}}
        found = [(s, m) for own, m in pairs if (s := signals[own]) is not None]
        return sorted(found, key=lambda pair: (pair[1].id, pair[0].id))

    def set_coordinator(self, match_id: int, signal_id: int) -> None:
        with self._write():
            self._x("UPDATE matches SET coordinator_signal = ? WHERE id = ?", (signal_id, match_id))

    def set_afgestemd(self, match_id: int) -> None:
        with self._write():
            self._x("UPDATE matches SET afgestemd = 1 WHERE id = ?", (match_id,))

    # --- outbox ---------------------------------------------------------------------------------

    @staticmethod
    def _note(row: tuple[Any, ...]) -> NotificationRecord:
        about = tuple(int(x) for x in row[7].split(",")) if row[7] else ()
        return NotificationRecord(
            row[0], row[1], row[2], _NOTE_KINDS[row[3]], _FROM_DAY(row[4]), row[5], row[6], about
        )

    def get_notification(self, note_id: int) -> NotificationRecord | None:
        row = self._x(f"{_NOTE_SELECT} WHERE n.id = ?", (note_id,)).fetchone()
        return None if row is None else self._note(row)

    def _drop_notifications(self, note_ids: Sequence[int]) -> None:
        ids = [(i,) for i in note_ids]
        self._db.executemany("DELETE FROM notifications WHERE id = ?", ids)
        self._db.executemany("DELETE FROM notification_about WHERE notification_id = ?", ids)

    def pending_notifications(
        self, organisation_id: str, professional_id: str | None = None
    ) -> list[NotificationRecord]:
        party = self._known_party(organisation_id)
        if party is None:
            return []
        if professional_id is None:
            rows = self._x(f"{_NOTE_SELECT} WHERE n.party = ? ORDER BY n.id", (party,))
        else:
            rows = self._x(
                f"{_NOTE_SELECT} WHERE n.party = ? AND pr.ident = ? ORDER BY n.id",
                (party, professional_id),
            )
        return [self._note(r) for r in rows]

    def acknowledge(
        self, organisation_id: str, professional_id: str | None, ids: Sequence[int]
    ) -> list[NotificationRecord]:
        party = self._known_party(organisation_id)
        if party is None or not ids:
            return []
        with self._write():
            done = []
            for note_id in ids:
                row = self._x(f"{_NOTE_SELECT} WHERE n.id = ? AND n.party = ?", (note_id, party))
                found = row.fetchone()
                if found is None:
                    continue
                record = self._note(found)
                if professional_id is None or record.professional_id == professional_id:
                    done.append(record)
            self._drop_notifications([n.id for n in done])
            return done

    # --- credentials ----------------------------------------------------------------------------

    _CREDENTIAL_SELECT: Final = (
        "SELECT c.id, p.name, c.role, c.salt, c.secret_hash, c.created_at, c.revoked "
        "FROM credentials AS c JOIN parties AS p ON p.id = c.party"
    )

    @staticmethod
    def _credential(row: tuple[Any, ...]) -> CredentialRecord:
        return CredentialRecord(
            row[0], row[1], row[2], bytes(row[3]), bytes(row[4]), from_micros(row[5]), bool(row[6])
        )

    def put_credential(self, record: CredentialRecord) -> None:
        with self._write():
            self._x(
                "INSERT INTO credentials VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    self._party(record.organisation_id),
                    record.role,
                    record.salt,
                    record.secret_hash,
                    to_micros(record.created_at),
                    int(record.revoked),
                ),
            )

    def get_credential(self, credential_id: str) -> CredentialRecord | None:
        row = self._x(f"{self._CREDENTIAL_SELECT} WHERE c.id = ?", (credential_id,)).fetchone()
        return None if row is None else self._credential(row)

    def revoke_credential(self, credential_id: str) -> bool:
        with self._write():
            done = self._x("UPDATE credentials SET revoked = 1 WHERE id = ?", (credential_id,))
            return done.rowcount > 0

    def credentials_of(self, organisation_id: str) -> list[CredentialRecord]:
        party = self._known_party(organisation_id)
        if party is None:
            return []
        rows = self._x(f"{self._CREDENTIAL_SELECT} WHERE c.party = ? ORDER BY c.id", (party,))
        return [self._credential(r) for r in rows]

    # --- audit ----------------------------------------------------------------------------------

    def _entry(self, row: tuple[Any, ...], prev_hash: bytes) -> AuditEntry:
        subject = "" if row[3] is None else f"vi1.{row[3]}.{b64u_encode(bytes(row[4]))}"
        return AuditEntry(
            row[0],
            from_micros(row[1]),
            _EVENTS[row[2]].value,
            subject,
            row[5] or "",
            row[6],
            row[7] or "",
            row[8],
            prev_hash,
            bytes(row[9]),
        )

    def _subject_ref(self, text: str) -> int | None:
        if not text:
            return None
        alias = alias_of_text(text)
        if alias is None:
            raise StoreError("audit.subject", "pseudonym", "is not a pseudonym's text form")
        return self._pseudonym(alias, create=True)

    def audit_append(self, entry: AuditEntry) -> None:
        self.audit_extend([entry])

    def audit_extend(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        with self._write():
            parties: dict[str, int | None] = {"": None}
            rows = []
            micros = {entries[0].at: to_micros(entries[0].at)}
            for e in entries:
                for name in (e.actor_organisation, e.responsible_organisation):
                    if name not in parties:
                        parties[name] = self._party(name)
                rows.append(
                    (
                        e.seq,
                        micros[e.at] if e.at in micros else to_micros(e.at),
                        _CODE[AuditEvent(e.event)],
                        self._subject_ref(e.subject),
                        parties[e.actor_organisation],
                        e.actor_professional,
                        parties[e.responsible_organisation],
                        e.detail,
                        e.hash,
                    )
                )
            self._db.executemany("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self._head, self._head_known = entries[-1], True

    def audit_last(self) -> AuditEntry | None:
        if self._depth and self._head_known:
            return self._head
        rows = self._x(f"{_AUDIT_SELECT} ORDER BY a.seq DESC LIMIT 2").fetchall()
        head = None
        if rows:
            prev = bytes(rows[1][9]) if len(rows) > 1 else bytes(32)
            head = self._entry(rows[0], prev)
        if self._depth:
            self._head, self._head_known = head, True
        return head

    def audit_entries(self) -> Iterator[AuditEntry]:
        prev = bytes(32)
        cursor = self._db.execute(f"{_AUDIT_SELECT} ORDER BY a.seq")
        while rows := cursor.fetchmany(4096):
            for row in rows:
                entry = self._entry(row, prev)
                prev = entry.hash
                yield entry

    def audit_entries_for(self, subjects: Iterable[str]) -> list[AuditEntry]:
        refs = {r for s in subjects if s and (r := self._subject_ref_known(s)) is not None}
        found: list[AuditEntry] = []
        for ref in sorted(refs):
            for row in self._x(
                f"{_AUDIT_SELECT.replace('SELECT ', 'SELECT p.hash, ', 1)} "
                "LEFT JOIN audit AS p ON p.seq = a.seq - 1 WHERE a.subject = ?",
                (ref,),
            ):
                found.append(self._entry(row[1:], bytes(row[0]) if row[0] else bytes(32)))
        return sorted(found, key=lambda e: e.seq)

    def _subject_ref_known(self, text: str) -> int | None:
        alias = alias_of_text(text)
        if alias is None:
            return None
        key_id, digest = alias
        key = self._keys.get(key_id)
        if key is None:
            row = self._x("SELECT id FROM keys WHERE key_id = ?", (key_id,)).fetchone()
            if row is None:
                return None
            key = int(row[0])
        row = self._x(
            "SELECT id FROM pseudonyms WHERE digest = ? AND key = ?", (digest, key)
        ).fetchone()
        return None if row is None else int(row[0])

    # --- export ---------------------------------------------------------------------------------

    def counts(self) -> StoreCounts:
        one = self._x(
            "SELECT (SELECT count(*) FROM subjects), "
            "(SELECT count(*) FROM signals WHERE status = 0), "
            "(SELECT count(*) FROM signals WHERE status = 1), "
            "(SELECT count(*) FROM matches WHERE kind = 0), "
            "(SELECT count(*) FROM matches WHERE kind = 1), "
            "(SELECT count(*) FROM matches WHERE cross_region = 1), "
            "(SELECT count(*) FROM notifications), "
            "(SELECT coalesce(max(seq), 0) FROM audit)"
        ).fetchone()
        return StoreCounts(*map(int, one))

    def subjects(self) -> Iterator[SubjectRecord]:
        ids = [r[0] for r in self._x("SELECT id FROM subjects ORDER BY id").fetchall()]
        return iter([r for i in ids if (r := self.get_subject(i)) is not None])

    def all_signals(self) -> Iterator[SignalRecord]:
        rows = self._x(f"{_SIGNAL_SELECT} ORDER BY s.id").fetchall()
        return iter([self._signal(r) for r in rows])

    def all_matches(self) -> Iterator[MatchRecord]:
        rows = self._x(f"SELECT {_MATCH_COLUMNS} FROM matches ORDER BY id").fetchall()
        return iter([self._match(r) for r in rows])

    def all_notifications(self) -> Iterator[NotificationRecord]:
        rows = self._x(f"{_NOTE_SELECT} ORDER BY n.id").fetchall()
        return iter([self._note(r) for r in rows])

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` result (``"ok"`` when the file is sound)."""
        return str(self._x("PRAGMA integrity_check").fetchone()[0])

    def explain(self, sql: str, params: Sequence[Any] = ()) -> list[str]:
        """``EXPLAIN QUERY PLAN`` of a statement (for the index tests)."""
        return [str(r[3]) for r in self._x(f"EXPLAIN QUERY PLAN {sql}", params)]
