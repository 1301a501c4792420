"""The routes: each checks the caller, reads its request, calls one facade method, answers.

No rule and no SQL here: the facade and the engine check every value and decide what an
organisation may see (another organisation's object is :class:`UnknownRecord`, 404). Route
names are English, like the library's model whose fields the bodies carry
(``docs/server.md`` records the decision); paths are kebab-case, without a trailing slash.
"""

from __future__ import annotations

import json
from typing import Any, Final, Literal

import anyio.to_thread
from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from verwijsindex_core._credentials import Principal
from verwijsindex_core._pydantic import Model
from verwijsindex_core.errors import ValidationError
from verwijsindex_core.inzage import render_html
from verwijsindex_core.matching import Actor, RegisterRequest
from verwijsindex_core.pseudonym import Pseudonym
from verwijsindex_core.pseudonym._b64 import b64u_decode, b64u_encode
from verwijsindex_core.pseudonym.oprf import ELEMENT_SIZE
from verwijsindex_core.server._auth import authorise
from verwijsindex_core.server._bodies import Collect, iso_date, read_json
from verwijsindex_core.server._problems import Problem
from verwijsindex_core.server._responses import (
    Acknowledged,
    ContactList,
    DeathRecorded,
    Health,
    MatchList,
    MoveRecorded,
    NotificationList,
    OprfEvaluation,
)
from verwijsindex_core.server._service import Service

__all__ = ["API_VERSION"]

API_VERSION: Final = "1.0.0"
"""The API's full version (``API-Version`` header); the path carries its major, ``/v1``."""

router = APIRouter(prefix="/v1")

_PLACEHOLDER: Final = Pseudonym("aaaaaaaa", bytes(32))
"""Stands in for an invalid subject while the rest of a registration is checked, so that
one answer lists every problem."""
_PASSED_ON: Final = ("date_of_birth", "municipality", "domain", "planned_end", "postponement")
"""Members of a registration body the facade checks as they are."""
_REGISTER_FIELDS: Final = (
    "date_of_birth",
    "professional",
    "municipality",
    "domain",
    "planned_end",
    "parents",
    "postponement",
)


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _json(model: Model, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status, media_type="application/json")


def _caller(request: Request, operation: str) -> tuple[Service, Principal]:
    service = _service(request)
    return service, authorise(request, service.credentials, operation)


def _actor(who: Principal, professional_id: object = None) -> Actor:
    if professional_id is None:
        return who.actor
    return Actor(organisation_id=who.organisation_id, professional_id=professional_id)  # type: ignore[arg-type]


# --- signals -------------------------------------------------------------------------------------


def _registration_request(
    service: Service, who: Principal, body: dict[str, Any]
) -> RegisterRequest:
    subjects = service.subjects
    field = subjects.field
    collect = Collect(subjects.rename)
    subjects.check_names(collect, body)
    collect.names(
        {k: v for k, v in body.items() if k != "bsn" or subjects.mode == "keyed"},
        (field, *_REGISTER_FIELDS),
        (field, "date_of_birth", "professional", "municipality"),
    )
    aliases = collect.call(subjects.pseudonyms, body[field], field) if field in body else None
    parents = collect.call(subjects.parents, body.get("parents", []))
    parent_pseudonyms = [
        p
        for i, parent in enumerate(parents or ())
        for p in service.index.pseudonyms(parent, f"parents[{i}]")
    ]
    organisation = who.organisation
    assert organisation is not None  # an organisation credential names a provisioned one
    professional = body.get("professional")
    if isinstance(professional, dict):
        if "organisation_id" in professional:
            collect.add(
                ValidationError(
                    "professional.organisation_id",
                    "extra_forbidden",
                    "comes from the credential, not from the request",
                )
            )
        professional = {**professional, "organisation_id": organisation.id}
    values: dict[str, Any] = {
        "subject": aliases[0] if aliases else _PLACEHOLDER,
        "aliases": aliases[1:] if aliases else (),
        "organisation": organisation,
        "parents": tuple(parent_pseudonyms),
    }
    values.update({k: body[k] for k in _PASSED_ON if k in body})
    if "professional" in body:
        values["professional"] = professional
    request = collect.call(RegisterRequest.model_validate, values)
    collect.raise_any()
    assert request is not None
    return request


@router.post("/signals", operation_id="registerSignal", status_code=201)
async def register_signal(request: Request) -> Response:
    """Register a signal ("I am involved"): 201 with the signal, its matches, the
    notifications with the other parties' contacts, the informing duty and any history
    notice. Registering an identical live signal again returns it (``created`` false)."""
    service, who = _caller(request, "registerSignal")
    body = await read_json(request)
    registration = service.index.submit(_registration_request(service, who, body))
    return _json(registration, 201)  # the facade answers with the registrant's part only


@router.get("/signals/{signal_id}", operation_id="getSignal")
async def get_signal(request: Request, signal_id: int) -> Response:
    """One of the organisation's own signals."""
    service, who = _caller(request, "getSignal")
    return _json(service.index.signal(signal_id, who.actor))


@router.post("/signals/{signal_id}/end", operation_id="endSignal", status_code=204)
async def end_signal(request: Request, signal_id: int) -> Response:
    """End one's own signal: ``risk_gone`` keeps it as history, ``unjustified`` deletes it
    with its matches."""
    service, who = _caller(request, "endSignal")
    body = await read_json(request)
    collect = Collect()
    collect.names(body, ("reason",), ("reason",))
    collect.raise_any()
    service.index.end_signal(signal_id, body["reason"], who.actor)
    return Response(status_code=204)


@router.get("/signals/{signal_id}/history", operation_id="viewHistory")
async def view_history(request: Request, signal_id: int, reason: str = Query(...)) -> Response:
    """Earlier professionals' contact data on the signal's subject, for a stated reason
    (audited)."""
    service, who = _caller(request, "viewHistory")
    contacts = service.index.view_history(signal_id, reason, who.actor)
    return _json(ContactList.model_construct(contacts=tuple(contacts)))


# --- matches -------------------------------------------------------------------------------------


@router.get("/matches", operation_id="listMatches")
async def list_matches(request: Request, professional_id: str | None = None) -> Response:
    """The matches on the organisation's signals (its professional's, if one is named)."""
    service, who = _caller(request, "listMatches")
    matches = service.index.matches_for(_actor(who, professional_id))
    return _json(MatchList.model_construct(matches=tuple(matches)))


@router.post("/matches/{match_id}/coordinator", operation_id="markCoordinator")
async def mark_coordinator(request: Request, match_id: int) -> Response:
    """Mark which party's signal coordinates the match (a party may)."""
    service, who = _caller(request, "markCoordinator")
    body = await read_json(request)
    collect = Collect()
    collect.names(body, ("signal_id",), ("signal_id",))
    collect.raise_any()
    return _json(service.index.mark_coordinator(match_id, body["signal_id"], who.actor))


@router.post("/matches/{match_id}/afgestemd", operation_id="markAfgestemd")
async def mark_afgestemd(request: Request, match_id: int) -> Response:
    """Mark the match "afgestemd": the parties have coordinated (no body)."""
    service, who = _caller(request, "markAfgestemd")
    body = await read_json(request, required=False)
    collect = Collect()
    collect.names(body, ())
    collect.raise_any()
    return _json(service.index.mark_afgestemd(match_id, who.actor))


# --- notifications -------------------------------------------------------------------------------


@router.get("/notifications", operation_id="listNotifications")
async def list_notifications(request: Request, professional_id: str | None = None) -> Response:
    """The organisation's outbox (its professional's, if one is named), oldest first. A
    notification stays until it is acknowledged (at-least-once delivery)."""
    service, who = _caller(request, "listNotifications")
    notes = service.index.notifications_for(_actor(who, professional_id))
    return _json(NotificationList.model_construct(notifications=tuple(notes)))


@router.post("/notifications/acknowledge", operation_id="acknowledgeNotifications")
async def acknowledge_notifications(request: Request) -> Response:
    """Remove delivered notifications from the outbox; ids not in it are ignored."""
    service, who = _caller(request, "acknowledgeNotifications")
    body = await read_json(request)
    collect = Collect()
    collect.names(body, ("ids", "professional_id"), ("ids",))
    actor = collect.call(_actor, who, body.get("professional_id"))
    collect.raise_any()
    assert actor is not None
    return _json(Acknowledged(acknowledged=service.index.acknowledge(actor, body["ids"])))


# --- the operator's feeds ------------------------------------------------------------------------


def _subject_body(
    service: Service,
    body: dict[str, Any],
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
) -> tuple[Collect, Any]:
    """The checks of a body naming one subject: its names, and the subject itself."""
    subjects = service.subjects
    collect = Collect(subjects.rename)
    subjects.check_names(collect, body)
    collect.names(
        {k: v for k, v in body.items() if k != "bsn" or subjects.mode == "keyed"},
        (subjects.field, *required, *optional),
        (subjects.field, *required),
    )
    found = (
        collect.call(subjects.subject, body[subjects.field], subjects.field)
        if subjects.field in body
        else None
    )
    return collect, found


@router.post("/moves", operation_id="recordMove")
async def record_move(request: Request) -> Response:
    """The subject moved to ``municipality``: the new region's coordinator learns of every
    live signal, unless the subject stays in its covenant region."""
    service, who = _caller(request, "recordMove")
    body = await read_json(request)
    collect, subject = _subject_body(service, body, ("municipality",))
    collect.raise_any()
    note = service.index.record_move(subject, body["municipality"], who.actor)
    return _json(MoveRecorded.model_construct(notification=note))


@router.post("/deaths", operation_id="recordDeath")
async def record_death(request: Request) -> Response:
    """The subject died: every live signal ends; no new signals after."""
    service, who = _caller(request, "recordDeath")
    body = await read_json(request)
    collect, subject = _subject_body(service, body)
    collect.raise_any()
    ended = service.index.record_death(subject, who.actor)
    return _json(DeathRecorded(ended_signals=tuple(ended)))


@router.post("/parent-links", operation_id="setParents")
async def set_parents(request: Request) -> Response:
    """Link a child (the subject) to its parents; may make family matches."""
    service, who = _caller(request, "setParents")
    body = await read_json(request)
    collect, child = _subject_body(service, body, ("parents",))
    parents = collect.call(service.subjects.parents, body.get("parents", []))
    collect.raise_any()
    matches = service.index.set_parents(child, parents or [], who.actor)
    return _json(MatchList.model_construct(matches=tuple(matches)))


# --- inzage --------------------------------------------------------------------------------------


@router.post("/inzage-requests", operation_id="requestInzage")
async def request_inzage(request: Request) -> Response:
    """Everything the index holds about a subject, for its rights holders: the signed JSON
    report (``format`` json, the default) or the HTML report (``format`` html, in ``lang``
    nl or en). The requesters must fit the subject's age."""
    service, who = _caller(request, "requestInzage")
    body = await read_json(request)
    collect, subject = _subject_body(
        service, body, ("date_of_birth", "requesters"), ("format", "lang")
    )
    born = collect.call(iso_date, body.get("date_of_birth"), "date_of_birth")
    form: Literal["json", "html"] = body.get("format", "json")
    lang: Literal["nl", "en"] = body.get("lang", "nl")
    if form not in ("json", "html"):
        collect.add(ValidationError("format", "format", "must be json or html"))
    if lang not in ("nl", "en"):
        collect.add(ValidationError("lang", "lang", "must be nl or en"))
    collect.raise_any()
    assert born is not None
    report = service.index.inzage(
        subject, date_of_birth=born, requesters=body["requesters"], actor=who.actor
    )
    if form == "html":
        return HTMLResponse(render_html(report, lang, service.signer.fingerprint))
    return Response(
        json.dumps(service.signer.sign(report), ensure_ascii=False),
        media_type="application/json",
    )


# --- blind pseudonyms ----------------------------------------------------------------------------


@router.post("/oprf-evaluations", operation_id="evaluateOprf")
async def evaluate_oprf(request: Request) -> Response:
    """Evaluate a batch of blinded elements with the service's OPRF key (RFC 9497): the
    elements and the proof. The service never sees a BSN. Rate-limited per organisation
    (429 with ``Retry-After``)."""
    service, who = _caller(request, "evaluateOprf")
    oprf = service.oprf
    if oprf is None:
        raise Problem(
            404,
            "not-found",
            "route: this server does not evaluate OPRF",
            field="route",
            rule="unknown-route",
        )
    body = await read_json(request)
    collect = Collect()
    collect.names(body, ("blinded_elements",), ("blinded_elements",))
    collect.raise_any()
    given = body["blinded_elements"]
    limit = service.settings.oprf_max_batch
    if not isinstance(given, list) or not 1 <= len(given) <= limit:
        raise ValidationError(
            "blinded_elements", "batch-size", f"must be a list of 1 to {limit} elements"
        )
    elements: list[bytes] = []
    for i, text in enumerate(given):
        raw = b64u_decode(text) if isinstance(text, str) else None
        if raw is None or len(raw) != ELEMENT_SIZE:
            collect.add(
                ValidationError(
                    f"blinded_elements[{i}]",
                    "encoding",
                    f"must be {ELEMENT_SIZE} bytes as base64url text",
                )
            )
        else:
            elements.append(raw)
    collect.raise_any()
    wait = service.limiter.take(who.organisation_id, len(elements))
    if wait:
        raise Problem(
            429,
            "rate-limited",
            "organisation: too many blinded elements; retry later",
            field="organisation",
            rule="rate-limit",
            headers={"Retry-After": str(wait)},
        )
    evaluation = await anyio.to_thread.run_sync(oprf.blind_evaluate, elements)
    return _json(
        OprfEvaluation(
            key_id=oprf.key_id,
            elements=tuple(b64u_encode(e) for e in evaluation.elements),
            proof=None if evaluation.proof is None else b64u_encode(evaluation.proof),
        )
    )


@router.get("/health", operation_id="health")
async def health() -> Response:
    """The server answers (no credential needed)."""
    return _json(Health(status="ok", api_version=API_VERSION))
