"""Authorisation probes: organisation B against every route, on organisation A's objects.

Every answer is 404 (an object of another organisation does not exist for B) or 403 (a route
of another role), and no byte of A's data (organisation, names, contact data, pseudonym,
object ids) appears in any body. A's objects are unchanged afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from _server import (
    BSNS,
    PROFESSIONAL,
    ServerProcess,
    add_organisations,
    bsn,
    organisation,
    problem,
    register_body,
    shared_keyed,
)
from verwijsindex_core.matching import Domain

# Organisations of this module only: nothing another test did can connect them.
ORG_A = organisation("probe-a", Domain.ONDERWIJS, "Basisschool Zonnebloem")
ORG_B = organisation("probe-b", Domain.JEUGDHULP, "Jeugdteam Zuid")
ORG_C = organisation("probe-c", Domain.GEZONDHEIDSZORG, "Huisartsenpraktijk Plein")

A_PROFESSIONAL = {
    "id": "a-mentor-7",
    "name": "Bram Jansen",
    "function": "Intern begeleider",
    "phone": "070-7654321",
    "email": "bram@regenboog.example",
}


@pytest.fixture(scope="module")
def server() -> ServerProcess:
    found = shared_keyed()
    add_organisations(found, [ORG_A, ORG_B, ORG_C])
    BSNS.add("111222333")  # sent by the role probes below
    return found


@pytest.fixture(scope="module")
def a_world(server: ServerProcess) -> dict[str, Any]:
    """A's signal on a subject with a match (A and C), A's notifications, and A's ended
    signal with history."""
    subject = bsn(100)
    with server.http(ORG_A.id) as a, server.http(ORG_C.id) as c:
        own = a.post("/signals", json=register_body(subject, professional=A_PROFESSIONAL))
        assert own.status_code == 201
        ended = own.json()["signal"]
        assert (
            a.post(f"/signals/{ended['id']}/end", json={"reason": "risk_gone"}).status_code == 204
        )
        live = a.post(
            "/signals",
            json=register_body(subject, professional={**A_PROFESSIONAL, "id": "a-mentor-8"}),
        ).json()
        assert live["history_notice"] is not None
        made = c.post("/signals", json=register_body(subject, professional=dict(PROFESSIONAL)))
        match = made.json()["matches"][0]
        notes = a.get("/notifications").json()["notifications"]
        assert notes
        before = {
            "signal": a.get(f"/signals/{live['signal']['id']}").json(),
            "matches": a.get("/matches").json(),
            "notifications": a.get("/notifications").json(),
        }
    return {
        "subject": subject,
        "signal": live["signal"],
        "ended": ended,
        "match": match,
        "notes": notes,
        "before": before,
    }


def _strings(world: dict[str, Any]) -> list[str]:
    """A's data as text: organisation, names and contact data, pseudonym, BSN."""
    signal = world["signal"]
    return [
        ORG_A.id,
        ORG_A.name,
        signal["subject"],
        signal["subject"][-12:],
        world["subject"].digits,
        *A_PROFESSIONAL.values(),
    ]


def _id_leaks(doc: object, world: dict[str, Any]) -> list[str]:
    """A's object ids where B's answer names objects: signals, the match, notifications."""
    signals = {world["signal"]["id"], world["ended"]["id"]}
    notes = {n["id"] for n in world["notes"]}
    found: list[str] = []

    def walk(value: object, kind: str) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item, kind)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key in ("signal_a", "signal_b", "signal_id", "coordinator_signal"):
                    if item in signals:
                        found.append(key)
                elif key == "match_id" and item == world["match"]["id"]:
                    found.append(key)
                elif key == "id" and kind == "matches" and item == world["match"]["id"]:
                    found.append("matches.id")
                elif key == "id" and kind == "notifications" and item in notes:
                    found.append("notifications.id")
                else:
                    walk(item, key if key in ("matches", "notifications") else kind)

    walk(doc, "")
    return found


def _numbers(value: object) -> Iterator[int]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "status":
                yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, int) and not isinstance(value, bool):
        yield value


def _probes(world: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any] | None, set[int]]]:
    """(name, method, path, body, allowed statuses) for every route."""
    s, m, e = world["signal"]["id"], world["match"]["id"], world["ended"]["id"]
    subject = world["subject"].digits
    note_ids = [n["id"] for n in world["notes"]]
    return [
        ("getSignal", "GET", f"/signals/{s}", None, {404}),
        ("getSignal ended", "GET", f"/signals/{e}", None, {404}),
        ("endSignal", "POST", f"/signals/{s}/end", {"reason": "unjustified"}, {404}),
        ("viewHistory", "GET", f"/signals/{s}/history?reason=risk_assessment", None, {404}),
        ("markCoordinator", "POST", f"/matches/{m}/coordinator", {"signal_id": s}, {404}),
        ("markAfgestemd", "POST", f"/matches/{m}/afgestemd", None, {404}),
        ("recordMove", "POST", "/moves", {"bsn": subject, "municipality": "GM0599"}, {403}),
        ("recordDeath", "POST", "/deaths", {"bsn": subject}, {403}),
        ("setParents", "POST", "/parent-links", {"bsn": subject, "parents": []}, {403}),
        (
            "requestInzage",
            "POST",
            "/inzage-requests",
            {"bsn": subject, "date_of_birth": "2016-01-15", "requesters": ["parent"]},
            {403},
        ),
        ("listMatches", "GET", "/matches", None, {200}),
        ("listNotifications", "GET", "/notifications", None, {200}),
        (
            "acknowledgeNotifications",
            "POST",
            "/notifications/acknowledge",
            {"ids": note_ids},
            {200},
        ),
        ("registerSignal", "POST", "/signals", None, {201}),
    ]


def test_organisation_b_sees_nothing_of_organisation_a(
    server: ServerProcess, a_world: dict[str, Any]
) -> None:
    strings = _strings(a_world)
    with server.http(ORG_B.id) as b:
        for name, method, path, given, allowed in _probes(a_world):
            # registerSignal: B registers a subject of its own; nothing of A's may come back.
            body = given or (
                register_body(bsn(101), professional={**PROFESSIONAL, "id": "b-9"})
                if name == "registerSignal"
                else None
            )
            response = b.request(method, path, json=body)
            assert response.status_code in allowed, (name, response.status_code, response.text)
            for text in strings:
                assert text not in response.text, (name, text)
            if response.status_code >= 400:
                problem(response)
                assert list(_numbers(response.json())) == [], name  # no id at all
            elif response.content:
                assert _id_leaks(response.json(), a_world) == [], name
        ids = [n["id"] for n in a_world["notes"]]
        acknowledged = b.post("/notifications/acknowledge", json={"ids": ids})
        assert acknowledged.json() == {"acknowledged": 0}
    with server.http(ORG_A.id) as a:
        after = {
            "signal": a.get(f"/signals/{a_world['signal']['id']}").json(),
            "matches": a.get("/matches").json(),
            "notifications": a.get("/notifications").json(),
        }
    assert after == a_world["before"], "B changed nothing of A's"


@pytest.mark.parametrize(
    ("who", "method", "path", "body"),
    [
        ("municipality", "POST", "/signals", {"bsn": "111222333"}),
        ("municipality", "GET", "/matches", None),
        ("operator", "POST", "/signals", {"bsn": "111222333"}),
        ("operator", "POST", "/inzage-requests", {}),
        (ORG_A.id, "POST", "/deaths", {"bsn": "111222333"}),
        (ORG_A.id, "POST", "/moves", {}),
        (ORG_A.id, "POST", "/inzage-requests", {}),
        ("municipality", "POST", "/oprf-evaluations", {"blinded_elements": []}),
    ],
)
def test_a_role_cannot_use_another_roles_routes(
    server: ServerProcess, who: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    with server.http(who) as client:
        response = client.request(method, path, json=body)
    assert response.status_code == 403
    assert problem(response)["rule"] == "role"
    assert "111222333" not in response.text


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer  x",
        "Basic dXNlcjpwYXNz",
        "Bearer vit1_0000000000000000_" + "A" * 43,
        "Bearer not-a-token",
        "bearer " + "x" * 5000,
    ],
)
def test_without_a_valid_token_every_route_is_401(
    server: ServerProcess, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    for method, path in (("GET", "/matches"), ("POST", "/signals"), ("GET", "/signals/1")):
        response = httpx.request(method, server.url + "/v1" + path, headers=headers, json={})
        assert response.status_code == 401
        assert problem(response)["rule"] == "credential"


def test_a_token_with_a_wrong_secret_or_a_revoked_token_is_401(server: ServerProcess) -> None:
    from verwijsindex_core._credentials import Credentials
    from verwijsindex_core.store import SQLiteStore

    token = server.tokens[ORG_B.id]
    prefix, ident, secret = token.split("_", 2)
    forged = f"{prefix}_{ident}_{secret[:-2]}{'AA' if secret[-2:] != 'AA' else 'BA'}"
    response = httpx.get(server.url + "/v1/matches", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    with SQLiteStore(server.db) as store:
        fresh = Credentials(store).issue(ORG_B.id)
    headers = {"Authorization": f"Bearer {fresh.token}"}
    assert httpx.get(server.url + "/v1/matches", headers=headers).status_code == 200
    with SQLiteStore(server.db) as store:
        assert Credentials(store).revoke(fresh.credential_id)
    assert httpx.get(server.url + "/v1/matches", headers=headers).status_code == 401
