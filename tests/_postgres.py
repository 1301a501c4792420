"""A throwaway PostgreSQL cluster for the tests: ``initdb`` + ``pg_ctl`` from the installed
server binaries (Debian's ``postgresql`` package keeps them in /usr/lib/postgresql/<ver>/bin),
a Unix socket in a private temporary folder and no TCP port at all.

The cluster starts on first use and stops when the test process exits. initdb refuses to run
as root, so under root (CI) the server runs as the unprivileged ``postgres`` user the Debian
package creates (``nobody`` when there is none); as a normal user it runs as that user. The
test client connects over the socket as the cluster's superuser ``verwijsindex`` (trust
authentication: only the owner of the folder can reach the socket).

``postgres_store()`` is the shared suite's factory (``tests/_factories.py``): every call
gives an empty :class:`PostgresStore` in a schema of its own in one database, so stores never
see each other's rows. Creating the tables costs about 0.1 s, and the suite makes a store per
example, so the schema of a store that was garbage-collected is emptied (``DELETE``) and
handed to the next one.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any

from _system import require

__all__ = [
    "Cluster",
    "bindir",
    "cluster",
    "new_schema",
    "postgres_available",
    "postgres_store",
    "require_postgres",
]

INSTALL = "sh scripts/install-system-packages.sh (Debian package postgresql)"
SUPERUSER = "verwijsindex"
SETTINGS = {
    "listen_addresses": "''",  # the Unix socket only: no port on any network interface
    "max_connections": "300",
    "shared_buffers": "64MB",
    "fsync": "off",  # a throwaway cluster: speed over surviving a power cut
    "full_page_writes": "off",
    "synchronous_commit": "on",  # commits are still flushed to the OS (the crash tests)
    "max_locks_per_transaction": "256",
    "log_min_messages": "warning",
    "timezone": "'UTC'",
}


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", path.parent.parent.name)) or (0,)


def bindir() -> Path | None:
    """The folder of the newest installed ``initdb``/``pg_ctl``/``postgres``/``pg_dump``."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version)
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return None if initdb is None else Path(initdb).resolve().parent


def postgres_available() -> bool:
    folder = bindir()
    return folder is not None and all(
        (folder / p).exists() for p in ("initdb", "pg_ctl", "postgres", "pg_dump")
    )


def require_postgres() -> None:
    """Skip (locally) or fail (CI) unless the server binaries and psycopg are installed."""
    require(postgres_available(), "the PostgreSQL server (initdb, pg_ctl)", INSTALL)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        require(False, "psycopg 3", "pip install -e '.[test]'")


def _server_user() -> str | None:
    """The unprivileged user the server runs as when we are root (None: ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and no unprivileged user (postgres, nobody) exists")


class Cluster:
    """One running cluster in a private folder (data directory, socket, log)."""

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        folder = bindir()
        if folder is None:  # pragma: no cover - callers check postgres_available first
            raise RuntimeError("no PostgreSQL server binaries")
        self.bin = folder
        self.user = _server_user()
        self.root = Path(tempfile.mkdtemp(prefix="vi-pg-"))
        self.data = self.root / "data"
        self.socket_dir = str(self.root)
        self.port = 5432  # names the socket file only: listen_addresses is empty
        self.log = self.root / "server.log"
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(f"unix_socket_directories = '{self.socket_dir}'\nport = {self.port}\n")
            for name, value in {**SETTINGS, **(settings or {})}.items():
                conf.write(f"{name} = {value}\n")
        self.start()
        atexit.register(self.destroy)

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(self.bin / program), *args],
            capture_output=True,
            text=True,
            check=False,
            user=self.user,
            cwd=self.root,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}{log}")
        return done

    def start(self) -> None:
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log))

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", str(self.data))

    def crash_and_restart(self) -> None:
        """An immediate shutdown (no checkpoint, like a crash of the server), then recovery."""
        self.stop("immediate")
        self.start()

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host={self.socket_dir} port={self.port} user={SUPERUSER} dbname={dbname}"

    def url(self, dbname: str = "postgres") -> str:
        """The same connection as a ``postgresql://`` URL (socket folder as the host)."""
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def pg_dump(self, dbname: str) -> bytes:
        done = subprocess.run(
            [
                str(self.bin / "pg_dump"),
                "--host",
                self.socket_dir,
                "--port",
                str(self.port),
                "--username",
                SUPERUSER,
                dbname,
            ],
            capture_output=True,
            check=True,
        )
        return done.stdout


_CLUSTER: Cluster | None = None
_LOCK = threading.Lock()
_NAMES = itertools.count(1)
_FREE: list[str] = []  # schemas whose store is gone: emptied and reused
_ADMIN: list[Any] = []  # one connection for emptying them


def cluster() -> Cluster:
    """The test run's cluster, started on first use (skips or fails without PostgreSQL)."""
    global _CLUSTER  # noqa: PLW0603 - one cluster per test process, started lazily
    require_postgres()
    with _LOCK:
        if _CLUSTER is None:
            _CLUSTER = Cluster()
        return _CLUSTER


def new_schema() -> str:
    return f"t{os.getpid()}_{next(_NAMES)}"


def _reused_schema() -> str | None:
    if not _FREE:
        return None
    import psycopg

    schema = _FREE.pop()
    if not _ADMIN:
        _ADMIN.append(psycopg.connect(cluster().dsn(), autocommit=True))
    conn = _ADMIN[0]
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> "
            "'schema_version'",
            (schema,),
        )
    ]
    conn.execute("".join(f'DELETE FROM "{schema}"."{t}";' for t in tables))
    return schema


def postgres_store():  # type: ignore[no-untyped-def]
    """A fresh, empty PostgresStore: its own schema in the cluster's database."""
    from verwijsindex_core.store import PostgresStore

    dsn = cluster().dsn()
    schema = _reused_schema() or new_schema()
    store = PostgresStore(dsn, schema=schema, max_connections=4)
    weakref.finalize(store, _FREE.append, schema)
    return store
