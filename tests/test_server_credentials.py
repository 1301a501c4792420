"""Credentials (``_credentials.py``) on every store, and the demo's tokens with a real server."""

from __future__ import annotations

import json
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from _factories import STORE_FACTORIES
from _server import SCRIPT, SERVERS, TMP, ServerProcess, organisation
from verwijsindex_core import NotPermitted, UnknownRecord, ValidationError
from verwijsindex_core._credentials import Credentials
from verwijsindex_core.store import Store

STORES: dict[str, Callable[[], Store]] = {
    name: factory for name, factory in STORE_FACTORIES.items() if name in ("memory", "sqlite")
}


@pytest.fixture(params=sorted(STORES))
def credentials(request: pytest.FixtureRequest) -> Credentials:
    found = Credentials(STORES[request.param]())
    found.add_organisation(organisation("org-1"))
    return found


def test_issue_and_verify(credentials: Credentials) -> None:
    issued = credentials.issue("org-1")
    principal = credentials.verify(issued.token)
    assert (principal.organisation_id, principal.role) == ("org-1", "organisation")
    assert principal.organisation == organisation("org-1")
    assert principal.credential_id == issued.credential_id
    assert issued.token not in repr(issued) and issued.token[-20:] not in repr(issued)
    other = credentials.issue("brp", "operator")
    assert credentials.verify(other.token).organisation is None
    assert other.token != issued.token


def test_only_a_salted_hash_is_stored(credentials: Credentials) -> None:
    a, b = credentials.issue("org-1"), credentials.issue("org-1")
    records = {r.id: r for r in credentials.of("org-1")}
    assert set(records) == {a.credential_id, b.credential_id}
    for issued in (a, b):
        record = records[issued.credential_id]
        secret = issued.token.split("_", 2)[2]
        assert secret.encode() not in record.secret_hash + record.salt
        assert len(record.salt) == 16 and len(record.secret_hash) == 32
    assert records[a.credential_id].salt != records[b.credential_id].salt


@pytest.mark.parametrize(
    "token",
    [None, 5, b"vit1_", "", "vit1_", "Bearer x", "vit1_0123456789abcdef_" + "A" * 42,
     "vit1_0123456789ABCDEF_" + "A" * 43, "vit2_0123456789abcdef_" + "A" * 43],
)  # fmt: skip
def test_malformed_tokens_are_refused(credentials: Credentials, token: Any) -> None:
    with pytest.raises(NotPermitted) as info:
        credentials.verify(token)
    assert (info.value.field, info.value.rule) == ("authorization", "credential")


def test_wrong_secret_unknown_id_and_revoked_are_refused_alike(credentials: Credentials) -> None:
    issued = credentials.issue("org-1")
    prefix, ident, secret = issued.token.split("_", 2)
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "Q")
    refusals = []
    for token in (f"{prefix}_{ident}_{flipped}", f"{prefix}_{'0' * 16}_{secret}"):
        with pytest.raises(NotPermitted) as info:
            credentials.verify(token)
        refusals.append(str(info.value))
    assert credentials.revoke(issued.credential_id)
    with pytest.raises(NotPermitted) as revoked:
        credentials.verify(issued.token)
    refusals.append(str(revoked.value))
    assert len(set(refusals)) == 1
    assert not credentials.revoke("0" * 16)


def test_issue_checks_its_arguments(credentials: Credentials) -> None:
    with pytest.raises(UnknownRecord):
        credentials.issue("org-2")  # an organisation credential needs a provisioned one
    with pytest.raises(ValidationError) as role:
        credentials.issue("org-1", "admin")
    assert role.value.rule == "role"
    with pytest.raises(ValidationError) as ident:
        credentials.issue("111222333 x", "operator")
    assert ident.value.field == "organisation" and "111222333" not in str(ident.value)
    with pytest.raises(ValidationError):
        credentials.revoke("x" * 16)
    with pytest.raises(ValidationError):
        credentials.add_organisation({"id": "org-3"})  # type: ignore[arg-type]


def test_the_demo_provisions_tokens_that_serve_accepts(tmp_path: Path) -> None:
    """The README's main command, then ``verwijsindex serve`` on its files, as docs/server.md
    shows: the demo's tokens work at once."""
    directory = TMP / "demo"
    directory.mkdir()
    built = subprocess.run(
        [str(SCRIPT), "demo", "--subjects", "300", "--days", "20"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    tokens_path = directory / "verwijsindex-demo.tokens.json"
    assert stat.S_IMODE(tokens_path.stat().st_mode) == 0o600
    tokens = json.loads(tokens_path.read_text())
    assert "DEMO ONLY" in tokens["_demo_only"]
    assert tokens["operator"].startswith("vit1_") and tokens["municipality"].startswith("vit1_")
    organisations = [k for k in tokens if k not in ("_demo_only", "operator", "municipality")]
    assert len(organisations) >= 7
    server = _serve_demo(directory)
    try:
        for who in (*organisations[:3], "operator"):
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            path = "/v1/matches" if who != "operator" else "/v1/deaths"
            response = httpx.request(
                "GET" if who != "operator" else "POST",
                server.url + path,
                headers=headers,
                json=None if who != "operator" else {},
            )
            assert response.status_code == (200 if who != "operator" else 400), response.text
    finally:
        server.stop()


def _serve_demo(directory: Path) -> ServerProcess:
    import re
    import time

    stderr = directory / "stderr.txt"
    with stderr.open("wb") as err:
        process = subprocess.Popen(
            [str(SCRIPT), "serve", "--db", "verwijsindex-demo.db", "--keys",
             "verwijsindex-demo.keys.json", "--port", "0", "--access-log", "access.log"],
            cwd=directory, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"listening on (http://[^/\s]+)/v1", stderr.read_text())
        if found:
            break
        assert process.poll() is None, stderr.read_text()
        time.sleep(0.05)
    else:
        process.kill()
        raise AssertionError("serve did not start")
    server = ServerProcess(
        directory,
        directory / "verwijsindex-demo.db",
        process,
        found.group(1),
        directory / "access.log",
        stderr,
    )
    SERVERS.append(server)
    while httpx.get(server.url + "/v1/health").status_code != 200:
        time.sleep(0.05)
    return server
