"""After the server suite (this file sorts last): no BSN a test sent to any server appears in
any access log, any server's standard error, or any database file (with its WAL), nor in a
``pg_dump`` of the PostgreSQL test database when a server ran on it.

It first sends BSNs where they do not belong (paths, query strings, headers, every kind of
body error), then scans the files of every server this run started, while the shared server
still runs (its WAL holds the recent writes) and again after it stopped.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from _server import BSNS, ORG_A, PROFESSIONAL, SERVERS, bsn, register_body, shared_keyed


def _scan() -> list[str]:
    found = []
    for server in SERVERS:
        for path in server.files():
            data = path.read_bytes()
            found += [f"{path}: {digits}" for digits in BSNS if digits.encode() in data]
    for dbname in sorted({_dbname(s.db) for s in SERVERS if not isinstance(s.db, Path)}):
        from _postgres import cluster

        dump = cluster().pg_dump(dbname)
        found += [f"pg_dump {dbname}: {digits}" for digits in BSNS if digits.encode() in dump]
    return found


def _dbname(url: str) -> str:
    return urlsplit(url).path.strip("/")


def test_bsns_in_the_wrong_places_leave_no_trace() -> None:
    server = shared_keyed()
    misplaced = [bsn(900 + i).digits for i in range(6)]
    with server.http(ORG_A.id) as a, server.http() as anonymous:
        assert a.get(f"/signals/{misplaced[0]}").status_code == 404
        assert a.get(
            f"/signals/{misplaced[0]}/history", params={"reason": misplaced[1]}
        ).status_code in (400, 404)
        assert a.get("/matches", params={"professional_id": misplaced[2]}).status_code in (200, 400)
        assert (
            anonymous.get(
                "/matches", headers={"Authorization": f"Bearer {misplaced[3]}"}
            ).status_code
            == 401
        )
        assert a.get(f"/{misplaced[4]}").status_code == 404
        bad = register_body(bsn(910), municipality=misplaced[5], remarks=misplaced[4])
        bad["professional"] = {**PROFESSIONAL, "phone": misplaced[3] + "x"}
        assert a.post("/signals", json=bad).status_code == 400
        assert (
            a.post("/signals", json=register_body(bsn(911), date_of_birth="1990-01-01")).status_code
            == 400
        )
        good = a.post("/signals", json=register_body(bsn(912)))
        assert good.status_code == 201


def test_no_bsn_in_any_log_or_database_file() -> None:
    assert len(BSNS) >= 9 and len(SERVERS) >= 1
    assert _scan() == []
    for server in SERVERS:
        server.stop()
    leaks = _scan()
    assert leaks == [], leaks[:10]
    for server in SERVERS:  # logs, and for SQLite the database file (and its WAL)
        assert len(server.files()) >= (3 if isinstance(server.db, Path) else 2)


@pytest.fixture(autouse=True, scope="module")
def _every_server_has_logged() -> None:
    for server in SERVERS:
        assert server.stderr.exists()
