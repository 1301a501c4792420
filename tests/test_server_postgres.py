"""The reference server on PostgreSQL: settings that take a ``postgresql://`` URL, the
provisioning commands on one, a real server process on a real cluster (restart included),
and a database error that never shows the database to a client.

The concurrency test against two worker processes on PostgreSQL is in
``test_server_concurrency.py``, next to the same test on SQLite.
"""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from _postgres import cluster, new_schema, require_postgres
from _server import (
    PROFESSIONAL,
    SCRIPT,
    TMP,
    _wait_for_address,
    bsn,
    organisation,
    start_server,
)
from verwijsindex_core import NotPermitted, StoreError, ValidationError
from verwijsindex_core._credentials import Credentials
from verwijsindex_core.client import Client
from verwijsindex_core.server import ServerSettings
from verwijsindex_core.server._problems import problem_for_error
from verwijsindex_core.store import PostgresStore, open_store

URL = "postgresql://vi:s3cr3t-pw@db.example:5432/index"


def _url() -> str:
    """A URL of a new, empty schema in the test cluster."""
    require_postgres()
    return f"{cluster().url()}&schema={new_schema()}"


def test_settings_keep_a_url_as_text_and_a_file_as_a_path(tmp_path: Path) -> None:
    signing = tmp_path / "sign.key"
    on_pg = ServerSettings(db=URL, keys=tmp_path / "k.json", signing_key=signing)
    assert on_pg.db == URL and on_pg.signing_key_path == signing
    on_file = ServerSettings(db=str(tmp_path / "index.db"), keys=tmp_path / "k.json")
    assert on_file.db == tmp_path / "index.db"
    assert on_file.signing_key_path == tmp_path / "index.report-signing.key"
    # the settings a multi-worker server hands its workers as JSON keep both forms
    assert ServerSettings.model_validate_json(on_pg.model_dump_json()).db == URL
    assert ServerSettings.model_validate_json(on_file.model_dump_json()).db == on_file.db


def test_a_server_on_a_url_needs_a_signing_key(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        ServerSettings(db=URL, keys=tmp_path / "k.json")
    assert (info.value.field, info.value.rule) == ("signing_key", "required")
    assert "s3cr3t" not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [URL, "postgresql:///index?host=/run/pg&password=s3cr3t-pw&sslmode=require"],
)
def test_the_settings_never_show_a_password(tmp_path: Path, url: str) -> None:
    settings = ServerSettings(db=url, keys=tmp_path / "k.json", signing_key=tmp_path / "s")
    shown = repr(settings)
    assert "s3cr3t" not in shown and "***" in shown and "index" in shown


def test_an_empty_db_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        ServerSettings(db="", keys=tmp_path / "k.json")
    assert info.value.field == "db"


def test_a_database_error_does_not_show_the_database_to_the_client() -> None:
    error = StoreError("db", "unavailable", f"cannot connect to {URL} (connection refused)")
    status, body = problem_for_error(error)[:2]
    assert status == 503
    text = str(body)
    assert "db.example" not in text and "s3cr3t" not in text and "refused" not in text
    assert "busy or unavailable" in text


def test_provisioning_commands_take_a_url() -> None:
    url = _url()
    run = [str(SCRIPT)]
    done = subprocess.run(
        [*run, "organisations", "add", "--db", url, "--id", "pg-org", "--name", "Wijkteam",
         "--domain", "jeugdhulp", "--municipality", "GM0518"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "provisioned organisation pg-org" in done.stderr and "host=" not in done.stderr
    issued = subprocess.run(
        [*run, "credentials", "issue", "--db", url, "--organisation", "pg-org"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    with open_store(url) as store:
        assert isinstance(store, PostgresStore)
        principal = Credentials(store).verify(token)
        assert principal.organisation_id == "pg-org"
    credential_id = token.split("_")[1]
    revoked = subprocess.run(
        [*run, "credentials", "revoke", "--db", url, "--id", credential_id],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert revoked.returncode == 0, revoked.stderr
    with open_store(url) as store, pytest.raises(NotPermitted):
        Credentials(store).verify(token)
    unknown = subprocess.run(
        [*run, "credentials", "revoke", "--db", url, "--id", "0" * 16],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert unknown.returncode != 0 and "no credential with that id" in unknown.stderr


def test_serve_on_a_url_without_a_signing_key_refuses_to_start() -> None:
    url = _url()
    done = subprocess.run(
        [str(SCRIPT), "serve", "--db", url, "--keys", str(TMP / "none.json"), "--port", "0"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "signing_key" in done.stderr and "listening" not in done.stderr


def test_a_server_on_postgresql_matches_keeps_its_data_over_a_restart_and_stores_no_bsn() -> None:
    require_postgres()
    name = f"srv_{new_schema()}"
    url = cluster().url(cluster().create_database(name).rpartition("dbname=")[2])
    orgs = [organisation("pg-a"), organisation("pg-b")]
    subject = bsn(7001)
    server = start_server("postgres-restart", organisations=orgs, db=url)
    try:
        with Client(server.url, server.tokens["pg-a"]) as a:
            first = a.register_signal(
                subject, date_of_birth=date(2014, 5, 6), professional=PROFESSIONAL,
                municipality="GM0518",
            )  # fmt: skip
        assert first.matches == ()
    finally:
        server.stop()
    assert server.process.returncode is not None
    signing_key = server.directory / "report-signing.key"
    assert signing_key.exists() and signing_key.stat().st_mode & 0o077 == 0
    # a second server on the same database and the same keys and signing key
    log = server.directory / "again.txt"
    with log.open("wb") as err:
        again = subprocess.Popen(
            [str(SCRIPT), "serve", "--db", url, "--keys", str(server.extra["keys"]),
             "--signing-key", str(signing_key), "--port", "0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    try:
        address = _wait_for_address(again, log)
        with Client(address, server.tokens["pg-b"]) as b:
            second = b.register_signal(
                subject, date_of_birth=date(2014, 5, 6),
                professional={**PROFESSIONAL, "id": "p-2"}, municipality="GM0518",
            )  # fmt: skip
        assert len(second.matches) == 1
        contacts = [c for n in second.notifications for c in n.contacts]
        assert [c.organisation_id for c in contacts] == ["pg-a"]
    finally:
        again.terminate()
        again.wait(timeout=30)
    assert subject.digits not in log.read_text()
    dump = cluster().pg_dump(name)
    assert b"COPY" in dump and subject.digits.encode() not in dump
    assert b"2014-05-06" not in dump  # a date of birth is kept only as the turns-23 date
