"""schemathesis against the served ``/v1/openapi.json``: generated requests for every
operation, valid and invalid, with the token of the role the operation needs. Bounded (a
fixed number of examples per operation, derandomised) and checked: no 5xx ever; every 4xx
is ``application/problem+json`` with ``API-Version``; every answer carries ``API-Version``
and its documented content type."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from _server import BSNS, ORG_A, ServerProcess, shared_keyed
from verwijsindex_core.server._auth import ROUTE_ROLES

EXAMPLES = 12
"""Per operation and generation mode: 29 x 12 = 348 generated requests."""
OPERATIONS = sorted({*ROUTE_ROLES, "health"})


@pytest.fixture(scope="module")
def server() -> ServerProcess:
    found = shared_keyed()
    BSNS.add("111222333")  # the documented example BSN may reach the server too
    return found


@pytest.fixture(scope="module")
def api_schema(server: ServerProcess) -> Any:
    return schemathesis.openapi.from_url(server.url + "/v1/openapi.json")


def _token(server: ServerProcess, operation_id: str) -> dict[str, str]:
    role = ROUTE_ROLES.get(operation_id)
    who = {"organisation": ORG_A.id, "operator": "operator", "municipality": "municipality"}
    return server.headers(who[role]) if role else {}


def _operation(api_schema: Any, operation_id: str) -> Any:
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.definition.raw["operationId"] == operation_id:
            return operation
    raise AssertionError(f"{operation_id} is not in openapi.json")


def _header(response: Any, name: str) -> str:
    values = response.headers.get(name) or [""]
    return str(values[0])


def _check(server: ServerProcess, operation_id: str, case: Any) -> None:
    response = case.call(base_url=server.url + "/v1", headers=_token(server, operation_id))
    status = response.status_code
    assert status < 500, (operation_id, status, response.text[:500])
    assert _header(response, "api-version") == "1.0.0"
    content_type = _header(response, "content-type")
    if 400 <= status < 500:
        assert content_type == "application/problem+json", (operation_id, status)
        doc = json.loads(response.content)
        assert {"type", "title", "status", "detail"} <= set(doc)
        assert doc["status"] == status
    elif status != 204:
        assert content_type.startswith(("application/json", "text/html")), content_type


@pytest.mark.parametrize(
    ("operation_id", "mode"),
    [
        (operation_id, mode)
        for operation_id in OPERATIONS
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (operation_id, mode) != ("health", GenerationMode.NEGATIVE)  # nothing to break
    ],
)
def test_generated_requests_get_no_5xx_and_problem_details(
    server: ServerProcess, api_schema: Any, operation_id: str, mode: GenerationMode
) -> None:
    strategy = _operation(api_schema, operation_id).as_strategy(generation_mode=mode)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: Any) -> None:
        _check(server, operation_id, case)

    run()
