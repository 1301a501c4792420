"""The reference server as a vendor meets it: a real uvicorn process, raw HTTP and the client."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import httpx
import pytest

from _server import (
    ORG_A,
    ORG_B,
    ORG_C,
    PROFESSIONAL,
    SCRIPT,
    ServerProcess,
    bsn,
    problem,
    register_body,
    shared_keyed,
)
from verwijsindex_core.client import Client
from verwijsindex_core.inzage import verify_report
from verwijsindex_core.matching import Professional
from verwijsindex_core.store import SQLiteStore


@pytest.fixture(scope="module")
def server() -> ServerProcess:
    return shared_keyed()


def test_register_two_organisations_match_and_see_each_others_contact(
    server: ServerProcess,
) -> None:
    subject = bsn(1)
    with server.http(ORG_A.id) as a, server.http(ORG_C.id) as c:
        first = a.post("/signals", json=register_body(subject))
        assert first.status_code == 201, first.text
        assert first.headers["api-version"] == "1.0.0"
        mine = first.json()
        assert mine["created"] and mine["signal"]["organisation_id"] == ORG_A.id
        assert mine["informing_duty"]["inform_parents"] is True
        assert mine["matches"] == []
        second = c.post(
            "/signals", json=register_body(subject, professional={**PROFESSIONAL, "id": "c-1"})
        )
        assert second.status_code == 201
        made = second.json()
        assert len(made["matches"]) == 1
        assert all(n["organisation_id"] == ORG_C.id for n in made["notifications"])
        contacts = [c for n in made["notifications"] for c in n["contacts"]]
        assert [c["organisation_id"] for c in contacts] == [ORG_A.id]
        assert contacts[0]["organisation_name"] == ORG_A.name
        # Again: idempotent, 201 with created false.
        again = c.post(
            "/signals", json=register_body(subject, professional={**PROFESSIONAL, "id": "c-1"})
        )
        assert again.status_code == 201 and again.json()["created"] is False
        outbox = a.get("/notifications").json()["notifications"]
        mine_now = [n for n in outbox if n["match_id"] == made["matches"][0]["id"]]
        assert mine_now and mine_now[0]["contacts"][0]["organisation_id"] == ORG_C.id


def test_the_client_covers_an_organisations_day(server: ServerProcess) -> None:
    subject, sibling, parent = bsn(10), bsn(11), bsn(12)
    mentor = Professional(organisation_id=ORG_A.id, **PROFESSIONAL)
    born = date(2015, 6, 1)
    with (
        Client(server.url, server.tokens[ORG_A.id]) as a,
        Client(server.url + "/v1/", server.tokens[ORG_B.id]) as b,
        Client(server.url, server.tokens["operator"]) as operator,
        Client(server.url, server.tokens["municipality"]) as municipality,
    ):
        assert a.health()["status"] == "ok"
        reg = a.register_signal(
            subject,
            date_of_birth=born,
            professional=mentor,
            municipality="GM0518",
            parents=[parent],
        )
        assert reg.created and reg.signal.organisation_id == ORG_A.id
        assert a.get_signal(reg.signal.id) == reg.signal
        other = b.register_signal(
            subject,
            date_of_birth=born,
            professional={**PROFESSIONAL, "id": "b-7"},
            municipality="GM0518",
        )
        (match,) = other.matches
        assert match in a.list_matches()
        assert a.mark_coordinator(match.id, reg.signal.id).coordinator_signal == reg.signal.id
        assert b.mark_afgestemd(match.id).afgestemd
        notes = a.list_notifications()
        assert any(n.match_id == match.id for n in notes)
        assert a.acknowledge_notifications([n.id for n in notes]) == len(notes)
        assert a.list_notifications() == []
        # The operator links a sibling with the same parent: a family match when both live.
        sib = b.register_signal(
            sibling,
            date_of_birth=born,
            professional=mentor.model_dump(exclude={"organisation_id"}),
            municipality="GM0518",
        )
        family = operator.set_parents(sibling, [parent])
        assert [m.kind for m in family] == ["family"]
        move = operator.record_move(subject, "GM0599")
        assert move is not None and move.kind == "move"
        report = municipality.request_inzage(subject, date_of_birth=born, requesters=["parent"])
        assert verify_report(json.dumps(report).encode()).subject == "******" + subject.digits[-3:]
        page = municipality.request_inzage(
            subject, date_of_birth=born, requesters=["parent"], format="html", lang="en"
        )
        assert page.startswith("<!DOCTYPE html>") and subject.digits not in page
        a.end_signal(reg.signal.id, "risk_gone")
        assert a.get_signal(reg.signal.id).status == "inactive"
        again = a.register_signal(
            subject, date_of_birth=born, professional=mentor, municipality="GM0518"
        )
        assert again.history_notice is not None
        history = a.view_history(again.signal.id, "continuity_of_care")
        assert [c.signal_id for c in history] == [reg.signal.id]
        assert operator.record_death(sibling) == [sib.signal.id]


def test_every_answer_carries_api_version_and_errors_are_problems(server: ServerProcess) -> None:
    with server.http(ORG_A.id) as a, server.http() as anonymous:
        answers = [
            anonymous.get("/health"),
            anonymous.get("/openapi.json"),
            anonymous.get("/matches"),  # 401
            a.get("/nowhere"),  # unknown route
            a.get("/matches/"),  # trailing slash: 404, not a redirect
            a.delete("/matches"),  # 405
            a.get("/signals/not-a-number"),
            a.get("/signals/99999999"),
            a.post("/signals", content=b"{", headers={"content-type": "application/json"}),
            a.post("/signals", content=b"bsn=1", headers={"content-type": "text/plain"}),
        ]
    for response in answers:
        assert response.headers["api-version"] == "1.0.0", response.request.url
        if response.status_code >= 400:
            problem(response)
    assert [r.status_code for r in answers] == [200, 200, 401, 404, 404, 405, 400, 404, 400, 415]
    assert answers[2].headers["www-authenticate"] == "Bearer"
    assert "GET" in answers[5].headers["allow"]
    assert problem(answers[6])["invalid-params"][0]["name"] == "signal_id"


def test_openapi_document_is_public_versioned_and_complete(server: ServerProcess) -> None:
    response = httpx.get(server.url + "/v1/openapi.json")
    assert response.headers["access-control-allow-origin"] == "*"
    doc = response.json()
    assert doc["openapi"].startswith("3.") and doc["info"]["version"] == "1.0.0"
    assert doc["servers"] == [{"url": "/v1"}]
    operations = {
        op["operationId"]: (method, path)
        for path, item in doc["paths"].items()
        for method, op in item.items()
    }
    assert set(operations) == {
        "registerSignal", "getSignal", "endSignal", "listMatches", "markCoordinator",
        "markAfgestemd", "listNotifications", "acknowledgeNotifications", "viewHistory",
        "recordMove", "recordDeath", "setParents", "requestInzage", "evaluateOprf", "health",
    }  # fmt: skip
    for path in doc["paths"]:  # kebab-case, no trailing slash, never a BSN
        for segment in path.removeprefix("/").split("/"):
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*|\{[a-z_]+\}", segment), path
        assert "bsn" not in path
    for item in doc["paths"].values():
        for op in item.values():
            assert "422" not in op["responses"]
            for status, answer in op["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(answer["content"]) == ["application/problem+json"]
            for parameter in op.get("parameters", ()):
                assert parameter["in"] in ("path", "query") and "bsn" not in parameter["name"]
    body = doc["components"]["schemas"]["RegisterSignalRequest"]
    assert "bsn" in body["properties"] and "organisation" not in body["properties"]


def test_all_validation_errors_at_once_never_echoing_a_value(server: ServerProcess) -> None:
    secret_bsn = bsn(20).digits
    body = {
        "bsn": secret_bsn[:-1] + str((int(secret_bsn[-1]) + 1) % 10),  # fails the 11-test
        "date_of_birth": "15-01-2016",
        "professional": {**PROFESSIONAL, "phone": "zorgen om thuis", "email": "x"},
        "municipality": "Den Haag",
        "remarks": "vermoeden van mishandeling",
    }
    with server.http(ORG_A.id) as a:
        response = a.post("/signals", json=body)
    doc = problem(response)
    assert response.status_code == 400
    names = {p["name"] for p in doc["invalid-params"]}
    assert names == {
        "bsn", "date_of_birth", "professional.phone", "professional.email", "municipality",
        "remarks",
    }  # fmt: skip
    assert all(p["reason"] and p["rule"] for p in doc["invalid-params"])
    for value in (body["bsn"], "15-01-2016", "zorgen", "Den Haag", "mishandeling"):
        assert value not in response.text


def test_client_raises_the_library_error_with_field_and_rule(server: ServerProcess) -> None:
    from verwijsindex_core import InvalidBsn, NotPermitted, UnknownRecord, ValidationError

    mentor = dict(PROFESSIONAL)
    with Client(server.url, server.tokens[ORG_B.id]) as b:
        with pytest.raises(UnknownRecord) as missing:
            b.get_signal(987654)
        assert (missing.value.field, missing.value.rule) == ("signal_id", "unknown")
        with pytest.raises(ValidationError) as invalid:
            b.register_signal(
                bsn(21),
                date_of_birth=date(2016, 1, 1),
                professional={**mentor, "phone": "x", "email": "y"},
                municipality="nowhere",
            )
        fields = {e["field"] for e in invalid.value.errors}
        assert fields == {"professional.phone", "professional.email", "municipality"}
        with pytest.raises(NotPermitted) as role:
            b.record_death(bsn(22))
        assert (role.value.field, role.value.rule) == ("role", "role")
    with Client(server.url, "vit1_0000000000000000_" + "A" * 43) as nobody:
        with pytest.raises(NotPermitted) as refused:
            nobody.list_matches()
        assert (refused.value.field, refused.value.rule) == ("authorization", "credential")
    with server.http("operator") as operator:
        wrong = operator.post("/deaths", json={"bsn": "111222334"})
    assert problem(wrong)["type"] == "urn:verwijsindex-core:problem:invalid-bsn"
    assert issubclass(InvalidBsn, ValidationError)


def test_request_body_limit_is_413(server: ServerProcess) -> None:
    with server.http(ORG_A.id) as a:
        huge = a.post(
            "/signals",
            content=b'{"bsn": "' + b"1" * 300_000 + b'"}',
            headers={"content-type": "application/json"},
        )
    assert huge.status_code == 413
    assert problem(huge)["rule"] == "body-size"
    assert "1111111111" not in huge.text


def test_access_log_has_route_templates_and_organisations_only(server: ServerProcess) -> None:
    with server.http(ORG_B.id) as b:
        b.get("/signals/424242")
        b.get("/notifications")
    lines = [json.loads(line) for line in server.access_log.read_text().splitlines()]
    assert lines, "one line per request"
    for line in lines:
        assert set(line) == {"time", "method", "route", "status", "duration_ms", "organisation"}
    routes = {line["route"] for line in lines}
    assert "/v1/signals/{signal_id}" in routes and "/v1/signals/424242" not in routes
    assert {"organisation": ORG_B.id, "status": 404} in [
        {"organisation": x["organisation"], "status": x["status"]} for x in lines
    ]


def test_provisioning_commands(tmp_path: Path) -> None:
    db = tmp_path / "index.db"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SCRIPT), *args], capture_output=True, text=True, check=False, timeout=120
        )

    added = run("organisations", "add", "--db", str(db), "--id", "school-1", "--name",
                "De Regenboog", "--domain", "onderwijs", "--municipality", "GM0518")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout == ""
    issued = run("credentials", "issue", "--db", str(db), "--organisation", "school-1")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert issued.stdout == token + "\n" and token.startswith("vit1_")
    assert token not in issued.stderr
    unknown = run("credentials", "issue", "--db", str(db), "--organisation", "nobody")
    assert unknown.returncode == 1 and "not-provisioned" in unknown.stderr
    operator = run("credentials", "issue", "--db", str(db), "--organisation", "brp", "--role",
                   "operator")  # fmt: skip
    assert operator.returncode == 0
    with SQLiteStore(db) as store:
        (record,) = store.credentials_of("school-1")
        assert token.split("_", 2)[2].encode() not in record.secret_hash + record.salt
    wal = db.with_name(db.name + "-wal")
    raw = db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert token.split("_", 2)[2].encode() not in raw
    revoked = run("credentials", "revoke", "--db", str(db), "--id", token.split("_")[1])
    assert revoked.returncode == 0
    again = run("credentials", "revoke", "--db", str(db), "--id", "0" * 16)
    assert again.returncode == 1
    bad_domain = run("organisations", "add", "--db", str(db), "--id", "x", "--name", "X",
                     "--domain", "zorg", "--municipality", "GM0518")  # fmt: skip
    assert bad_domain.returncode == 2


@pytest.mark.parametrize(
    ("args", "rule"),
    [
        ([], "required"),  # keyed without a key ring
        (["--mode", "blind"], "required"),  # blind without OPRF keys
        (["--host", "0.0.0.0", "--keys", "{keys}"], "tls-required"),
        (["--keys", "{keys}", "--tls-certfile", "c.pem"], "tls-pair"),
    ],
)
def test_serve_refuses_unsafe_settings(tmp_path: Path, args: list[str], rule: str) -> None:
    from verwijsindex_core import KeyRing

    keys = tmp_path / "keys.json"
    KeyRing.generate().save(keys)
    given = [a.replace("{keys}", str(keys)) for a in args]
    done = subprocess.run(
        [str(SCRIPT), "serve", "--db", str(tmp_path / "x.db"), "--port", "0", *given],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1
    assert f"(rule: {rule})" in done.stderr
    assert "listening" not in done.stderr
