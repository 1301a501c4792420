"""Who calls: the bearer token, verified against the store, and the role a route needs.

401 for a missing, malformed, unknown or revoked token (the same answer for each); 403 when
the token's role may not use the route. The organisation of every request is the
credential's, never one named in a request. Which *objects* an organisation may see is the
engine's decision (an object of another organisation is 404, as if it did not exist).
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request

from verwijsindex_core._credentials import Credentials, Principal
from verwijsindex_core.errors import NotPermitted
from verwijsindex_core.server._edge import ORGANISATION_KEY

__all__: list[str] = []

ROUTE_ROLES: Final = {
    "registerSignal": "organisation",
    "getSignal": "organisation",
    "endSignal": "organisation",
    "listMatches": "organisation",
    "markCoordinator": "organisation",
    "markAfgestemd": "organisation",
    "listNotifications": "organisation",
    "acknowledgeNotifications": "organisation",
    "viewHistory": "organisation",
    "evaluateOprf": "organisation",
    "recordMove": "operator",
    "recordDeath": "operator",
    "setParents": "operator",
    "requestInzage": "municipality",
}
"""The role each operation needs (``health`` needs none)."""


def authorise(request: Request, credentials: Credentials, operation: str) -> Principal:
    """The caller, with the role ``operation`` needs; raises :class:`NotPermitted`."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotPermitted("authorization", "credential", "no valid bearer token")
    principal = credentials.verify(token.strip())
    request.scope.setdefault("state", {})[ORGANISATION_KEY] = principal.organisation_id
    needed = ROUTE_ROLES[operation]
    if principal.role != needed:
        raise NotPermitted("role", "role", f"this operation is for the {needed} role")
    return principal
