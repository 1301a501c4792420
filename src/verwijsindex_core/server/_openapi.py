"""The OpenAPI document served at ``/v1/openapi.json`` (NL API Design Rules
``/core/doc-openapi``, ``/core/publish-openapi``).

FastAPI lists the routes, their path and query parameters and operation ids; the bodies are
described here, from the library's own models (the field patterns, enums and limits are the
models', not repeated), because the routes read their bodies themselves in order to report
every problem of a request at once. Every error answer is ``application/problem+json``.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from verwijsindex_core.inzage import Requester
from verwijsindex_core.matching import (
    MAX_ALIASES,
    MAX_PARENTS,
    EndReason,
    HistoryViewReason,
    Match,
    Notification,
    Professional,
    RegisterRequest,
    Registration,
    Signal,
)
from verwijsindex_core.server._auth import ROUTE_ROLES
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

__all__: list[str] = []

_REF: Final = "#/components/schemas/{model}"
_ERRORS: Final = (400, 401, 403, 404, 413, 415, 503)
_DESCRIPTIONS: Final = {
    400: "Invalid input: every problem in invalid-params",
    401: "No valid bearer token",
    403: "The token's role may not use this operation",
    404: "No such object of this organisation (another organisation's object is 404 too)",
    413: "The request body is too large",
    415: "The body is not application/json",
    429: "Too many blinded elements for now: wait Retry-After seconds",
    500: "The server could not answer (no details are given)",
    503: "The database is busy or unavailable: retry",
}

# operationId -> (success status, response schema name or None, request body name or None)
_OPERATIONS: Final[dict[str, tuple[int, str | None, str | None]]] = {
    "registerSignal": (201, "Registration", "RegisterSignalRequest"),
    "getSignal": (200, "Signal", None),
    "endSignal": (204, None, "EndSignalRequest"),
    "viewHistory": (200, "ContactList", None),
    "listMatches": (200, "MatchList", None),
    "markCoordinator": (200, "Match", "MarkCoordinatorRequest"),
    "markAfgestemd": (200, "Match", None),
    "listNotifications": (200, "NotificationList", None),
    "acknowledgeNotifications": (200, "Acknowledged", "AcknowledgeRequest"),
    "recordMove": (200, "MoveRecorded", "RecordMoveRequest"),
    "recordDeath": (200, "DeathRecorded", "RecordDeathRequest"),
    "setParents": (200, "MatchList", "SetParentsRequest"),
    "requestInzage": (200, None, "InzageRequest"),
    "evaluateOprf": (200, "OprfEvaluation", "OprfEvaluationRequest"),
    "health": (200, "Health", None),
}

_PROBLEM: Final = {
    "type": "object",
    "description": "RFC 9457 problem details; never repeats a value of the request.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string", "description": "the input or object concerned"},
        "rule": {"type": "string", "description": "the rule it broke (stable identifier)"},
        "invalid-params": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "reason"],
                "properties": {
                    "name": {"type": "string"},
                    "reason": {"type": "string"},
                    "rule": {"type": "string"},
                },
            },
        },
    },
}


def _components() -> dict[str, Any]:
    models: list[type[BaseModel]] = [
        Registration,
        Signal,
        Match,
        Notification,
        MatchList,
        NotificationList,
        ContactList,
        Acknowledged,
        DeathRecorded,
        MoveRecorded,
        OprfEvaluation,
        Health,
    ]
    _, found = models_json_schema([(m, "serialization") for m in models], ref_template=_REF)
    schemas: dict[str, Any] = found["$defs"]
    schemas["Problem"] = _PROBLEM
    return schemas


def _subject_schemas(mode: str) -> tuple[str, dict[str, Any]]:
    """The subject member of a body and its schema in ``mode``."""
    if mode == "keyed":
        return "bsn", {
            "type": "string",
            "description": "The citizen service number (BSN): 9 digits (8 get a leading "
            "zero); spaces and dots are allowed. Only ever in a request body.",
            "examples": ["111222333"],
        }
    pseudonym = copy.deepcopy(
        RegisterRequest.model_json_schema(ref_template=_REF)["properties"]["subject"]
    )
    pseudonym.pop("title", None)
    return "pseudonym", {
        "description": "The subject's blind pseudonym (vi1.<key id>.<digest>), or one per "
        "live OPRF service key, the active key's first.",
        "oneOf": [
            pseudonym,
            {"type": "array", "items": pseudonym, "minItems": 1, "maxItems": MAX_ALIASES},
        ],
    }


def _bodies(mode: str, max_batch: int) -> dict[str, Any]:
    request = RegisterRequest.model_json_schema(ref_template=_REF)
    fields = request["properties"]
    professional = copy.deepcopy(Professional.model_json_schema(ref_template=_REF))
    del professional["properties"]["organisation_id"]
    professional["required"].remove("organisation_id")
    professional["title"] = "ProfessionalInput"
    professional["description"] = "The professional (the organisation is the credential's)."
    name, subject = _subject_schemas(mode)
    parents = {"type": "array", "items": subject, "maxItems": MAX_PARENTS}

    def body(properties: dict[str, Any], required: list[str], description: str) -> dict[str, Any]:
        return {
            "type": "object",
            "description": description,
            "additionalProperties": False,
            "properties": properties,
            "required": required,
        }

    municipality = fields["municipality"]
    date_of_birth = fields["date_of_birth"]
    return {
        "ProfessionalInput": professional,
        "RegisterSignalRequest": body(
            {
                name: subject,
                "date_of_birth": date_of_birth,
                "professional": {"$ref": _REF.format(model="ProfessionalInput")},
                "municipality": {
                    **municipality,
                    "description": "the municipality whose covenant the signal falls under "
                    "(usually the organisation's)",
                },
                "domain": fields["domain"],
                "planned_end": fields["planned_end"],
                "parents": parents,
                "postponement": fields["postponement"],
            },
            [name, "date_of_birth", "professional", "municipality"],
            "A signal: the organisation is the credential's.",
        ),
        "EndSignalRequest": body(
            {
                "reason": {
                    "type": "string",
                    "enum": [EndReason.RISK_GONE.value, EndReason.UNJUSTIFIED.value],
                }
            },
            ["reason"],
            "risk_gone keeps the signal as history; unjustified deletes it.",
        ),
        "MarkCoordinatorRequest": body(
            {"signal_id": {"type": "integer", "minimum": 1}},
            ["signal_id"],
            "The party's signal that coordinates.",
        ),
        "AcknowledgeRequest": body(
            {
                "ids": {"type": "array", "items": {"type": "integer", "minimum": 1}},
                "professional_id": professional["properties"]["id"],
            },
            ["ids"],
            "Notification ids to remove from the outbox.",
        ),
        "RecordMoveRequest": body(
            {name: subject, "municipality": municipality},
            [name, "municipality"],
            "The subject moved to a municipality.",
        ),
        "RecordDeathRequest": body({name: subject}, [name], "The subject died."),
        "SetParentsRequest": body(
            {name: subject, "parents": parents},
            [name, "parents"],
            "The child (the subject) and its parents.",
        ),
        "InzageRequest": body(
            {
                name: subject,
                "date_of_birth": date_of_birth,
                "requesters": {
                    "type": "array",
                    "items": {"type": "string", "enum": [r.value for r in Requester]},
                    "minItems": 1,
                    "maxItems": 2,
                },
                "format": {"type": "string", "enum": ["json", "html"], "default": "json"},
                "lang": {"type": "string", "enum": ["nl", "en"], "default": "nl"},
            },
            [name, "date_of_birth", "requesters"],
            "Who asks (under 12 a parent; 12-15 both; 16+ the young person).",
        ),
        "OprfEvaluationRequest": body(
            {
                "blinded_elements": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": max_batch,
                    "items": {"type": "string", "pattern": "^[A-Za-z0-9_-]{43}$"},
                }
            },
            ["blinded_elements"],
            "Blinded elements (base64url, 32 bytes each) from BlindPseudonymiser.blind.",
        ),
    }


def _responses(operation: str, status: int, schema: str | None) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": "OK" if status != 201 else "Created"}
    if operation == "requestInzage":
        ok["content"] = {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["report", "signature"],
                    "properties": {"report": {"type": "object"}, "signature": {"type": "object"}},
                }
            },
            "text/html": {"schema": {"type": "string"}},
        }
    elif schema is not None:
        ok["content"] = {"application/json": {"schema": {"$ref": _REF.format(model=schema)}}}
    else:
        ok["description"] = "Done (no content)"
    responses: dict[str, Any] = {str(status): ok}
    errors = (*_ERRORS, 429) if operation == "evaluateOprf" else _ERRORS
    for code in errors if operation != "health" else ():
        responses[str(code)] = {
            "description": _DESCRIPTIONS[code],
            "content": {
                "application/problem+json": {"schema": {"$ref": _REF.format(model="Problem")}}
            },
        }
    return responses


def openapi_document(app: FastAPI, *, version: str, mode: str, max_batch: int) -> dict[str, Any]:
    """The document, built once per app."""
    doc = get_openapi(
        title="verwijsindex-core reference server",
        version=version,
        description=(
            "The verwijsindex (Jeugdwet 7.1) over HTTP. Every request but health carries "
            "'Authorization: Bearer <token>'; the organisation is always the token's. "
            f"This server runs in {mode} mode: subjects are sent as "
            + ("'bsn'." if mode == "keyed" else "'pseudonym' (blind, never a BSN).")
        ),
        routes=app.routes,
    )
    doc["servers"] = [{"url": "/v1"}]
    paths: dict[str, Any] = {}
    for path, item in doc.get("paths", {}).items():
        paths[path.removeprefix("/v1")] = item
        for operation in item.values():
            op_id = operation["operationId"]
            status, schema, body = _OPERATIONS[op_id]
            operation["responses"] = _responses(op_id, status, schema)
            if body is not None:
                operation["requestBody"] = {
                    "required": op_id != "markAfgestemd",
                    "content": {"application/json": {"schema": {"$ref": _REF.format(model=body)}}},
                }
            if op_id in ROUTE_ROLES:
                operation["security"] = [{"bearerAuth": []}]
                role = ROUTE_ROLES[op_id]
                operation["description"] = (
                    operation.get("description", "") + f"\n\nRole: {role}."
                ).strip()
            for parameter in operation.get("parameters", ()):
                if parameter["name"] == "reason":
                    parameter["schema"] = {"$ref": _REF.format(model="HistoryViewReason")}
    doc["paths"] = paths
    schemas = _components()
    schemas.update(_bodies(mode, max_batch))
    schemas["HistoryViewReason"] = {"type": "string", "enum": [r.value for r in HistoryViewReason]}
    doc["components"] = {
        "schemas": schemas,
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "A token from 'verwijsindex credentials issue' (vit1_...).",
            }
        },
    }
    return doc
