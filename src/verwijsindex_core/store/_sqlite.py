"""The durable store: one SQLite file (stdlib ``sqlite3``), WAL mode, explicit transactions.

A registration, its matches, notifications and audit entry commit together or not at all
(:meth:`SQLiteStore.transaction`, ``BEGIN IMMEDIATE``). The schema is versioned with
``PRAGMA user_version`` and migrated forward on open. Subjects are stored as pseudonyms (key
id + digest) with their turns-23 date only: no BSN, no date of birth and no key ever reaches
the file.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, TypeVar

from verwijsindex_core.audit import AuditEntry
from verwijsindex_core.errors import StoreError
from verwijsindex_core.matching._model import (
    Domain,
    EndReason,
    MatchKind,
    NotificationKind,
    Organisation,
    Professional,
    SignalStatus,
)
from verwijsindex_core.matching._records import (
    MatchRecord,
    NotificationRecord,
    SignalRecord,
    SubjectKey,
    SubjectRecord,
)

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

T = TypeVar("T")

_MIGRATIONS: Final[tuple[str, ...]] = (
    # version 1
    """
    CREATE TABLE counters (kind TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE organisations (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE subjects (
        key_id TEXT NOT NULL, digest BLOB NOT NULL, turns_23 TEXT NOT NULL,
        deceased INTEGER NOT NULL DEFAULT 0, municipality TEXT,
        PRIMARY KEY (key_id, digest)) WITHOUT ROWID;
    CREATE INDEX subjects_turns_23 ON subjects (turns_23);
    CREATE TABLE parents (
        child_key_id TEXT NOT NULL, child_digest BLOB NOT NULL,
        parent_key_id TEXT NOT NULL, parent_digest BLOB NOT NULL,
        PRIMARY KEY (child_key_id, child_digest, parent_key_id, parent_digest)) WITHOUT ROWID;
    CREATE INDEX parents_parent ON parents (parent_key_id, parent_digest);
    CREATE TABLE signals (
        id INTEGER PRIMARY KEY, key_id TEXT NOT NULL, digest BLOB NOT NULL,
        organisation_id TEXT NOT NULL, professional_id TEXT NOT NULL,
        professional_name TEXT NOT NULL, professional_function TEXT NOT NULL,
        professional_phone TEXT NOT NULL, professional_email TEXT NOT NULL,
        domain TEXT NOT NULL, region TEXT NOT NULL, registered_on TEXT NOT NULL,
        planned_end TEXT NOT NULL, status TEXT NOT NULL, ended_on TEXT, end_reason TEXT);
    CREATE INDEX signals_subject ON signals (key_id, digest);
    CREATE INDEX signals_organisation ON signals (organisation_id);
    CREATE INDEX signals_planned ON signals (status, planned_end);
    CREATE INDEX signals_ended ON signals (status, ended_on);
    CREATE TABLE matches (
        id INTEGER PRIMARY KEY, signal_a INTEGER NOT NULL, signal_b INTEGER NOT NULL,
        kind TEXT NOT NULL, cross_region INTEGER NOT NULL, created_on TEXT NOT NULL,
        coordinator_signal INTEGER, afgestemd INTEGER NOT NULL DEFAULT 0,
        UNIQUE (signal_a, signal_b));
    CREATE INDEX matches_b ON matches (signal_b);
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY, organisation_id TEXT NOT NULL, professional_id TEXT,
        kind TEXT NOT NULL, created_on TEXT NOT NULL, signal_id INTEGER, match_id INTEGER,
        about TEXT NOT NULL);
    CREATE INDEX notifications_organisation ON notifications (organisation_id, id);
    CREATE INDEX notifications_match ON notifications (match_id);
    CREATE TABLE notification_signals (
        signal_id INTEGER NOT NULL, notification_id INTEGER NOT NULL,
        PRIMARY KEY (signal_id, notification_id)) WITHOUT ROWID;
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY, at TEXT NOT NULL, event TEXT NOT NULL, subject TEXT NOT NULL,
        actor_organisation TEXT NOT NULL, actor_professional TEXT NOT NULL,
        responsible_organisation TEXT NOT NULL, detail TEXT NOT NULL,
        prev_hash BLOB NOT NULL, hash BLOB NOT NULL);
    CREATE INDEX audit_subject ON audit (subject);
    """,
)
SCHEMA_VERSION: Final = len(_MIGRATIONS)

_SIGNAL_COLUMNS: Final = (
    "id, key_id, digest, organisation_id, professional_id, professional_name, "
    "professional_function, professional_phone, professional_email, domain, region, "
    "registered_on, planned_end, status, ended_on, end_reason"
)


def _d(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


class SQLiteStore:
    """The engine's :class:`~verwijsindex_core.matching.Store` in one SQLite file.

    ``busy_timeout`` (seconds) is how long a writer waits for another process's transaction;
    on top of SQLite's own wait, a transaction that still finds the database locked is retried
    up to ``retries`` times. Use one instance per thread or process.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout: float = 30.0,
        retries: int = 5,
        synchronous: str = "NORMAL",
    ) -> None:
        self.path = Path(path)
        self._retries = retries
        try:
            self._db = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=True
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            if synchronous not in ("NORMAL", "FULL", "OFF"):
                raise StoreError("synchronous", "pragma", "must be NORMAL, FULL or OFF")
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError("database", "open", f"{self.path} cannot be opened ({exc})") from None
        self._depth = 0
        self._orgs: dict[str, Organisation] = {}
        # Inside a write transaction (BEGIN IMMEDIATE holds the lock) the counters and the
        # audit head cannot change under us, so they are read once and kept until COMMIT.
        self._counters: dict[str, int] = {}
        self._dirty: set[str] = set()
        self._head: AuditEntry | None = None
        self._head_known = False

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
        for target in range(version + 1, SCHEMA_VERSION + 1):
            self._with_retry(functools.partial(self._apply, target))

    def _apply(self, target: int) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if self._db.execute("PRAGMA user_version").fetchone()[0] < target:
                for statement in _MIGRATIONS[target - 1].split(";"):
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
            self._forget()
            raise
        self._depth = 0
        try:
            self._with_retry(lambda: self._db.execute("COMMIT"))
        finally:
            self._forget()

    def _forget(self) -> None:
        self._orgs.clear()
        self._counters.clear()
        self._dirty.clear()
        self._head, self._head_known = None, False

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

    def _x(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, tuple(params))

    def meta(self, key: str) -> str | None:
        row = self._x("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._x("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def next_id(self, kind: str) -> int:
        if not self._depth:  # outside a transaction: one statement, committed at once
            self._x("INSERT OR IGNORE INTO counters (kind, value) VALUES (?, 0)", (kind,))
            row = self._x(
                "UPDATE counters SET value = value + 1 WHERE kind = ? RETURNING value", (kind,)
            ).fetchone()
            return int(row[0])
        if kind not in self._counters:
            row = self._x("SELECT value FROM counters WHERE kind = ?", (kind,)).fetchone()
            self._counters[kind] = 0 if row is None else int(row[0])
        self._counters[kind] += 1
        self._dirty.add(kind)
        return self._counters[kind]

    # --- organisations --------------------------------------------------------------------------

    def put_organisation(self, organisation: Organisation) -> None:
        if self._orgs.get(organisation.id) == organisation:
            return
        self._x(
            "INSERT OR REPLACE INTO organisations (id, doc) VALUES (?, ?)",
            (organisation.id, organisation.model_dump_json()),
        )
        self._orgs[organisation.id] = organisation

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        cached = self._orgs.get(organisation_id)
        if cached is not None:
            return cached
        row = self._x("SELECT doc FROM organisations WHERE id = ?", (organisation_id,)).fetchone()
        if row is None:
            return None
        organisation = Organisation.model_validate_json(row[0])
        self._orgs[organisation_id] = organisation
        return organisation

    # --- subjects -------------------------------------------------------------------------------

    @staticmethod
    def _subject(row: tuple[Any, ...]) -> SubjectRecord:
        return SubjectRecord(
            (row[0], bytes(row[1])), date.fromisoformat(row[2]), bool(row[3]), row[4]
        )

    def get_subject(self, key: SubjectKey) -> SubjectRecord | None:
        row = self._x(
            "SELECT key_id, digest, turns_23, deceased, municipality FROM subjects "
            "WHERE key_id = ? AND digest = ?",
            key,
        ).fetchone()
        return None if row is None else self._subject(row)

    def add_subject(self, record: SubjectRecord) -> None:
        self._x(
            "INSERT INTO subjects (key_id, digest, turns_23, deceased, municipality) "
            "VALUES (?, ?, ?, ?, ?)",
            (*record.key, record.turns_23.isoformat(), int(record.deceased), record.municipality),
        )

    def set_deceased(self, key: SubjectKey) -> None:
        self._x("UPDATE subjects SET deceased = 1 WHERE key_id = ? AND digest = ?", key)

    def set_municipality(self, key: SubjectKey, municipality: str) -> None:
        self._x(
            "UPDATE subjects SET municipality = ? WHERE key_id = ? AND digest = ?",
            (municipality, *key),
        )

    def subjects(self) -> Iterator[SubjectRecord]:
        rows = self._x(
            "SELECT key_id, digest, turns_23, deceased, municipality FROM subjects"
        ).fetchall()
        return iter([self._subject(r) for r in rows])

    def add_parents(self, child: SubjectKey, parents: Iterable[SubjectKey]) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO parents VALUES (?, ?, ?, ?)",
            [(*child, *parent) for parent in parents],
        )

    def parents_of(self, child: SubjectKey) -> frozenset[SubjectKey]:
        rows = self._x(
            "SELECT parent_key_id, parent_digest FROM parents "
            "WHERE child_key_id = ? AND child_digest = ?",
            child,
        )
        return frozenset((r[0], bytes(r[1])) for r in rows)

    def children_of(self, parent: SubjectKey) -> frozenset[SubjectKey]:
        rows = self._x(
            "SELECT child_key_id, child_digest FROM parents "
            "WHERE parent_key_id = ? AND parent_digest = ?",
            parent,
        )
        return frozenset((r[0], bytes(r[1])) for r in rows)

    # --- signals --------------------------------------------------------------------------------

    @staticmethod
    def _signal(row: tuple[Any, ...]) -> SignalRecord:
        professional = Professional.model_construct(
            id=row[4],
            name=row[5],
            function=row[6],
            phone=row[7],
            email=row[8],
            organisation_id=row[3],
        )
        return SignalRecord(
            row[0],
            (row[1], bytes(row[2])),
            row[3],
            professional,
            Domain(row[9]),
            row[10],
            date.fromisoformat(row[11]),
            date.fromisoformat(row[12]),
            SignalStatus(row[13]),
            _d(row[14]),
            None if row[15] is None else EndReason(row[15]),
        )

    def add_signal(self, record: SignalRecord) -> None:
        p = record.professional
        self._x(
            f"INSERT INTO signals ({_SIGNAL_COLUMNS}) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                *record.subject,
                record.organisation_id,
                p.id,
                p.name,
                p.function,
                p.phone,
                p.email,
                record.domain.value,
                record.region,
                record.registered_on.isoformat(),
                record.planned_end.isoformat(),
                record.status.value,
                record.ended_on.isoformat() if record.ended_on else None,
                record.end_reason.value if record.end_reason else None,
            ),
        )

    def get_signal(self, signal_id: int) -> SignalRecord | None:
        row = self._x(
            f"SELECT {_SIGNAL_COLUMNS} FROM signals WHERE id = ?", (signal_id,)
        ).fetchone()
        return None if row is None else self._signal(row)

    def signals_of(self, subject: SubjectKey) -> list[SignalRecord]:
        rows = self._x(
            f"SELECT {_SIGNAL_COLUMNS} FROM signals WHERE key_id = ? AND digest = ? ORDER BY id",
            subject,
        )
        return [self._signal(r) for r in rows]

    def signals_of_organisation(self, organisation_id: str) -> list[SignalRecord]:
        rows = self._x(
            f"SELECT {_SIGNAL_COLUMNS} FROM signals WHERE organisation_id = ? ORDER BY id",
            (organisation_id,),
        )
        return [self._signal(r) for r in rows]

    def end_signal(self, signal_id: int, ended_on: date, reason: EndReason) -> None:
        self._x(
            "UPDATE signals SET status = 'inactive', ended_on = ?, end_reason = ? WHERE id = ?",
            (ended_on.isoformat(), reason.value, signal_id),
        )

    def delete_signal(self, signal_id: int) -> None:
        match_ids = [
            r[0]
            for r in self._x(
                "SELECT id FROM matches WHERE signal_a = ? OR signal_b = ?", (signal_id, signal_id)
            )
        ]
        note_ids = {
            r[0]
            for r in self._x(
                "SELECT notification_id FROM notification_signals WHERE signal_id = ?",
                (signal_id,),
            )
        }
        for match_id in match_ids:
            note_ids.update(
                r[0]
                for r in self._x("SELECT id FROM notifications WHERE match_id = ?", (match_id,))
            )
        self._drop_notifications(note_ids)
        self._db.executemany("DELETE FROM matches WHERE id = ?", [(m,) for m in match_ids])
        self._x("DELETE FROM signals WHERE id = ?", (signal_id,))

    def active_ending_by(self, day: date) -> list[int]:
        rows = self._x(
            "SELECT id FROM signals WHERE status = 'active' AND planned_end <= ? ORDER BY id",
            (day.isoformat(),),
        )
        return [r[0] for r in rows]

    def subjects_turning_23_by(self, day: date) -> list[SubjectKey]:
        rows = self._x(
            "SELECT DISTINCT s.key_id, s.digest FROM subjects AS s JOIN signals AS g "
            "ON g.key_id = s.key_id AND g.digest = s.digest "
            "WHERE s.turns_23 <= ? AND g.status = 'active'",
            (day.isoformat(),),
        )
        return sorted((r[0], bytes(r[1])) for r in rows)

    def inactive_ended_by(self, day: date) -> list[int]:
        rows = self._x(
            "SELECT id FROM signals WHERE status = 'inactive' AND ended_on <= ? ORDER BY id",
            (day.isoformat(),),
        )
        return [r[0] for r in rows]

    def all_signals(self) -> Iterator[SignalRecord]:
        rows = self._x(f"SELECT {_SIGNAL_COLUMNS} FROM signals ORDER BY id").fetchall()
        return iter([self._signal(r) for r in rows])

    # --- matches --------------------------------------------------------------------------------

    @staticmethod
    def _match(row: tuple[Any, ...]) -> MatchRecord:
        return MatchRecord(
            row[0],
            row[1],
            row[2],
            MatchKind(row[3]),
            bool(row[4]),
            date.fromisoformat(row[5]),
            row[6],
            bool(row[7]),
        )

    _MATCH_COLUMNS: Final = (
        "id, signal_a, signal_b, kind, cross_region, created_on, coordinator_signal, afgestemd"
    )

    def add_match(self, record: MatchRecord) -> None:
        self._x(
            f"INSERT INTO matches ({self._MATCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                record.signal_a,
                record.signal_b,
                record.kind.value,
                int(record.cross_region),
                record.created_on.isoformat(),
                record.coordinator_signal,
                int(record.afgestemd),
            ),
        )

    def get_match(self, match_id: int) -> MatchRecord | None:
        row = self._x(
            f"SELECT {self._MATCH_COLUMNS} FROM matches WHERE id = ?", (match_id,)
        ).fetchone()
        return None if row is None else self._match(row)

    def find_match(self, signal_a: int, signal_b: int) -> MatchRecord | None:
        a, b = (signal_a, signal_b) if signal_a < signal_b else (signal_b, signal_a)
        row = self._x(
            f"SELECT {self._MATCH_COLUMNS} FROM matches WHERE signal_a = ? AND signal_b = ?",
            (a, b),
        ).fetchone()
        return None if row is None else self._match(row)

    def matches_of_signal(self, signal_id: int) -> list[MatchRecord]:
        rows = self._x(
            f"SELECT {self._MATCH_COLUMNS} FROM matches WHERE signal_a = ? OR signal_b = ? "
            "ORDER BY id",
            (signal_id, signal_id),
        )
        return [self._match(r) for r in rows]

    def set_coordinator(self, match_id: int, signal_id: int) -> None:
        self._x("UPDATE matches SET coordinator_signal = ? WHERE id = ?", (signal_id, match_id))

    def set_afgestemd(self, match_id: int) -> None:
        self._x("UPDATE matches SET afgestemd = 1 WHERE id = ?", (match_id,))

    def all_matches(self) -> Iterator[MatchRecord]:
        rows = self._x(f"SELECT {self._MATCH_COLUMNS} FROM matches ORDER BY id").fetchall()
        return iter([self._match(r) for r in rows])

    # --- outbox ---------------------------------------------------------------------------------

    @staticmethod
    def _note(row: tuple[Any, ...]) -> NotificationRecord:
        about = tuple(int(x) for x in row[7].split(",")) if row[7] else ()
        return NotificationRecord(
            row[0],
            row[1],
            row[2],
            NotificationKind(row[3]),
            date.fromisoformat(row[4]),
            row[5],
            row[6],
            about,
        )

    _NOTE_COLUMNS: Final = (
        "id, organisation_id, professional_id, kind, created_on, signal_id, match_id, about"
    )

    def add_notification(self, record: NotificationRecord) -> None:
        self._x(
            f"INSERT INTO notifications ({self._NOTE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                record.organisation_id,
                record.professional_id,
                record.kind.value,
                record.created_on.isoformat(),
                record.signal_id,
                record.match_id,
                ",".join(map(str, record.about)),
            ),
        )
        signals = {s for s in (record.signal_id, *record.about) if s is not None}
        self._db.executemany(
            "INSERT OR IGNORE INTO notification_signals VALUES (?, ?)",
            [(s, record.id) for s in signals],
        )

    def get_notification(self, note_id: int) -> NotificationRecord | None:
        row = self._x(
            f"SELECT {self._NOTE_COLUMNS} FROM notifications WHERE id = ?", (note_id,)
        ).fetchone()
        return None if row is None else self._note(row)

    def _drop_notifications(self, note_ids: Iterable[int]) -> None:
        ids = [(i,) for i in note_ids]
        self._db.executemany("DELETE FROM notifications WHERE id = ?", ids)
        self._db.executemany("DELETE FROM notification_signals WHERE notification_id = ?", ids)

    def pending_notifications(self, organisation_id: str) -> list[NotificationRecord]:
        rows = self._x(
            f"SELECT {self._NOTE_COLUMNS} FROM notifications WHERE organisation_id = ? ORDER BY id",
            (organisation_id,),
        )
        return [self._note(r) for r in rows]

    def acknowledge(self, organisation_id: str, ids: Iterable[int]) -> int:
        wanted = list(dict.fromkeys(ids))
        found = [
            i
            for i in wanted
            if self._x(
                "SELECT 1 FROM notifications WHERE id = ? AND organisation_id = ?",
                (i, organisation_id),
            ).fetchone()
        ]
        self._drop_notifications(found)
        return len(found)

    def all_notifications(self) -> Iterator[NotificationRecord]:
        rows = self._x(f"SELECT {self._NOTE_COLUMNS} FROM notifications ORDER BY id").fetchall()
        return iter([self._note(r) for r in rows])

    # --- audit ----------------------------------------------------------------------------------

    @staticmethod
    def _entry(row: tuple[Any, ...]) -> AuditEntry:
        return AuditEntry(
            row[0],
            datetime.fromisoformat(row[1]),
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            bytes(row[8]),
            bytes(row[9]),
        )

    def audit_append(self, entry: AuditEntry) -> None:
        self._x(
            "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.seq, entry.at.isoformat(), *entry[2:8], entry.prev_hash, entry.hash),
        )
        if self._depth:
            self._head, self._head_known = entry, True

    def audit_last(self) -> AuditEntry | None:
        if self._depth and self._head_known:
            return self._head
        row = self._x("SELECT * FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        head = None if row is None else self._entry(row)
        if self._depth:
            self._head, self._head_known = head, True
        return head

    def audit_entries(self) -> Iterator[AuditEntry]:
        cursor = self._db.execute("SELECT * FROM audit ORDER BY seq")
        return (self._entry(row) for row in cursor)

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` result (``"ok"`` when the file is sound)."""
        return str(self._x("PRAGMA integrity_check").fetchone()[0])
