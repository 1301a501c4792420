"""Real reference servers for the server tests: ``verwijsindex serve`` as a process.

Every server listens on 127.0.0.1 on a free port (``--port 0``; the address is read from the
line ``serve`` announces), writes its JSON access log and its standard error to files in a
temporary directory, and runs on a real SQLite file (or, given ``db``, a PostgreSQL
database). :data:`SERVERS` and :data:`BSNS` record every server started and every BSN a test
sent, so that the last server test (``test_server_zz_leaks.py``) can scan every log, stderr
and database file for every BSN.
"""

from __future__ import annotations

import atexit
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from verwijsindex_core import KeyRing
from verwijsindex_core._credentials import Credentials
from verwijsindex_core.matching import Domain, Organisation
from verwijsindex_core.pseudonym import Bsn, random_bsn
from verwijsindex_core.pseudonym._b64 import b64u_encode
from verwijsindex_core.pseudonym.oprf import PseudonymService
from verwijsindex_core.store import open_store

SCRIPT = Path(sys.executable).parent / "verwijsindex"
TMP = Path(tempfile.mkdtemp(prefix="verwijsindex-server-tests-"))
atexit.register(shutil.rmtree, TMP, True)  # registered first: runs after every server stopped

BSNS: set[str] = set()
"""Every BSN (9 digits) a server test sent to a server."""
SERVERS: list[ServerProcess] = []
"""Every server started in this test run (stopped or not), for the leak scan."""

PROFESSIONAL = {
    "id": "p-1",
    "name": "Anna de Vries",
    "function": "Jeugdverpleegkundige",
    "phone": "070-1234567",
    "email": "anna@example.org",
}


def bsn(seed: int) -> Bsn:
    """A synthetic BSN, recorded for the leak scan."""
    value = random_bsn(random.Random(f"server-tests-{seed}"))
    BSNS.add(value.digits)
    return value


def organisation(org_id: str, domain: Domain = Domain.JEUGDHULP, name: str = "") -> Organisation:
    return Organisation(
        id=org_id, name=name or f"Organisatie {org_id}", domain=domain, municipality="GM0518"
    )


@dataclass
class ServerProcess:
    """A running ``verwijsindex serve`` and its files."""

    directory: Path
    db: Path | str
    process: subprocess.Popen[bytes]
    url: str
    access_log: Path
    stderr: Path
    tokens: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def http(self, who: str | None = None) -> httpx.Client:
        headers = self.headers(who) if who is not None else {}
        return httpx.Client(base_url=self.url + "/v1", headers=headers, timeout=60)

    def files(self) -> list[Path]:
        """Every file the server wrote: logs, the database and its WAL (a SQLite one)."""
        if not isinstance(self.db, Path):
            return [p for p in (self.access_log, self.stderr) if p.exists()]
        return [
            p
            for p in (
                self.access_log,
                self.stderr,
                self.db,
                self.db.with_name(self.db.name + "-wal"),
                self.db.with_name(self.db.name + "-shm"),
            )
            if p.exists()
        ]


def provision(
    db: Path | str, organisations: list[Organisation], *, operator: bool = True
) -> dict[str, str]:
    """Organisations with a token each (by id), plus ``operator`` and ``municipality``."""
    with open_store(db) as store:
        credentials = Credentials(store)
        tokens = {}
        for org in organisations:
            credentials.add_organisation(org)
            tokens[org.id] = credentials.issue(org.id).token
        if operator:
            tokens["operator"] = credentials.issue("brp-feed", "operator").token
            tokens["municipality"] = credentials.issue("gemeente-x", "municipality").token
    return tokens


def add_organisations(server: ServerProcess, organisations: list[Organisation]) -> None:
    """Provision more organisations on a running server (it reads credentials per request)."""
    server.tokens.update(provision(server.db, organisations, operator=False))


def start_server(
    name: str,
    *args: str,
    organisations: list[Organisation] = (),  # type: ignore[assignment]
    keyed: bool = True,
    env: dict[str, str] | None = None,
    db: str | None = None,
) -> ServerProcess:
    """Start a server in a fresh directory (keyed: with a new key ring) and wait until it
    answers; ``args`` are further ``serve`` options. ``db``: a ``postgresql://`` URL instead
    of a new SQLite file (the report-signing key then lives in the directory)."""
    directory = TMP / name
    directory.mkdir(parents=True)
    database: Path | str = directory / "index.db" if db is None else db
    if db is not None:
        args = (*args, "--signing-key", str(directory / "report-signing.key"))
    tokens = provision(database, list(organisations))
    options = ["--db", str(database), "--port", "0", "--access-log", str(directory / "access.log")]
    extra: dict[str, Any] = {}
    if keyed:
        KeyRing.generate().save(directory / "keys.json")
        options += ["--keys", str(directory / "keys.json")]
        extra["keys"] = directory / "keys.json"
    stderr = directory / "stderr.txt"
    with stderr.open("wb") as err:
        process = subprocess.Popen(
            [str(SCRIPT), "serve", *options, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, **(env or {})},
        )
    url = _wait_for_address(process, stderr)
    server = ServerProcess(
        directory, database, process, url, directory / "access.log", stderr, tokens, extra
    )
    SERVERS.append(server)
    atexit.register(server.stop)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/v1/health", timeout=5).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"server {name} did not start: {stderr.read_text()}")
        time.sleep(0.05)


def _wait_for_address(process: subprocess.Popen[bytes], stderr: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"listening on (https?://[^/\s]+)/v1", stderr.read_text())
        if found:
            return found.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"serve did not announce its address: {stderr.read_text()}")


def oprf_service(directory: Path) -> tuple[Path, PseudonymService, str]:
    """A new OPRF service key file, the service and its public key (base64url)."""
    path = directory / "oprf.json"
    service = PseudonymService.generate()
    service.save(path)
    return path, service, b64u_encode(service.public_key)


_SHARED: dict[str, ServerProcess] = {}

ORG_A = organisation("org-a", Domain.ONDERWIJS, "De Regenboog")
ORG_B = organisation("org-b", Domain.JEUGDHULP, "Jeugdzorg Oost")
ORG_C = organisation("org-c", Domain.GEZONDHEIDSZORG, "Huisartsen Noord")


def shared_keyed() -> ServerProcess:
    """The session's keyed server (organisations A, B, C; operator; municipality; an OPRF
    key, so that it also answers evaluateOprf)."""
    if "keyed" not in _SHARED:
        directory = TMP / "oprf-keys"
        directory.mkdir(exist_ok=True)
        key, service, public = oprf_service(directory)
        server = start_server(
            "shared-keyed", "--oprf-key", str(key), organisations=[ORG_A, ORG_B, ORG_C]
        )
        server.extra.update(oprf=service, oprf_public=public)
        _SHARED["keyed"] = server
    return _SHARED["keyed"]


def register_body(subject: Bsn, **changes: Any) -> dict[str, Any]:
    """A valid keyed registration body (a 10-year-old) with ``changes``."""
    body: dict[str, Any] = {
        "bsn": subject.digits,
        "date_of_birth": "2016-01-15",
        "professional": dict(PROFESSIONAL),
        "municipality": "GM0518",
    }
    body.update(changes)
    return body


def problem(response: httpx.Response) -> dict[str, Any]:
    """The problem details of an error response, after checking their form."""
    assert response.headers["content-type"] == "application/problem+json", response.text
    assert response.headers.get("api-version"), "API-Version on every response"
    doc: dict[str, Any] = json.loads(response.content)
    assert {"type", "title", "status", "detail"} <= set(doc), doc
    assert doc["status"] == response.status_code
    return doc
