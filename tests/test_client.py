"""The client without a server: its own argument checks, its errors and its repr.

(Everything it does with a server is in the server tests, against a real one.)
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest

from verwijsindex_core import (
    InvalidBsn,
    NotPermitted,
    StoreError,
    UnknownRecord,
    ValidationError,
    VerwijsindexError,
)
from verwijsindex_core.client import Client
from verwijsindex_core.client._problems import error_from_problem
from verwijsindex_core.pseudonym import random_bsn

TOKEN = "vit1_0123456789abcdef_" + "S" * 43
NOWHERE = "http://127.0.0.1:9"  # discard port: nothing listens there


@pytest.mark.parametrize(
    ("url", "token", "field"),
    [
        ("ftp://example.org", TOKEN, "base_url"),
        ("example.org", TOKEN, "base_url"),
        (5, TOKEN, "base_url"),
        (NOWHERE, "", "token"),
        (NOWHERE, "two words", "token"),
        (NOWHERE, TOKEN[:10] + "\n" + TOKEN[10:], "token"),
        (NOWHERE, b"bytes", "token"),
    ],
)
def test_constructor_checks_its_arguments(url: Any, token: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Client(url, token)
    assert info.value.field == field
    assert TOKEN not in str(info.value)


def test_repr_hides_the_token() -> None:
    with Client(NOWHERE, TOKEN) as client:
        assert TOKEN not in repr(client) and "S" * 10 not in repr(client)


CALLS = [
    ("get_signal", lambda c: c.get_signal("1"), "signal_id"),
    ("get_signal bool", lambda c: c.get_signal(True), "signal_id"),
    ("end_signal", lambda c: c.end_signal(1.0, "risk_gone"), "signal_id"),
    ("end_signal reason", lambda c: c.end_signal(1, None), "reason"),
    ("view_history", lambda c: c.view_history(1, 5), "reason"),
    ("mark_coordinator", lambda c: c.mark_coordinator(1, "2"), "signal_id"),
    ("mark_afgestemd", lambda c: c.mark_afgestemd(None), "match_id"),
    ("acknowledge ids", lambda c: c.acknowledge_notifications("12"), "ids"),
    ("acknowledge id", lambda c: c.acknowledge_notifications([1, "2"]), "ids[1]"),
    ("list_matches", lambda c: c.list_matches(5), "professional_id"),
    ("register text subject", lambda c: c.register_signal(
        "111222333", date_of_birth=date(2015, 1, 1), professional={}, municipality="GM0518"
    ), "subject"),
    ("register date", lambda c: c.register_signal(
        random_bsn(random.Random(1)), date_of_birth="2015-01-01", professional={},
        municipality="GM0518",
    ), "date_of_birth"),
    ("register professional", lambda c: c.register_signal(
        random_bsn(random.Random(1)), date_of_birth=date(2015, 1, 1), professional="p-1",
        municipality="GM0518",
    ), "professional"),
    ("register parents", lambda c: c.register_signal(
        random_bsn(random.Random(1)), date_of_birth=date(2015, 1, 1), professional={},
        municipality="GM0518", parents="111222333",
    ), "parents"),
    ("record_death", lambda c: c.record_death(["111222333"]), "subject"),
    ("record_move", lambda c: c.record_move(random_bsn(random.Random(1)), 518), "municipality"),
    ("set_parents", lambda c: c.set_parents(random_bsn(random.Random(1)), [5]), "parents[0]"),
    ("inzage requesters", lambda c: c.request_inzage(
        random_bsn(random.Random(1)), date_of_birth=date(2015, 1, 1), requesters="parent"
    ), "requesters"),
    ("evaluate_oprf", lambda c: c.evaluate_oprf(b"abc"), "blinded_elements"),
    ("evaluate_oprf element", lambda c: c.evaluate_oprf(["abc"]), "blinded_elements[0]"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "call", "field"), CALLS, ids=[c[0] for c in CALLS])
def test_methods_check_arguments_before_sending(name: str, call: Any, field: str) -> None:
    client = Client(NOWHERE, TOKEN)  # nothing listens: a request would fail otherwise
    with client, pytest.raises(ValidationError) as info:
        call(client)
    assert info.value.field == field, name
    assert "111222333" not in str(info.value)


def test_an_unreachable_server_is_our_error() -> None:
    with Client(NOWHERE, TOKEN, timeout=2) as client, pytest.raises(VerwijsindexError) as info:
        client.health()
    assert info.value.rule == "unreachable"
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize(
    ("status", "body", "kind", "field", "rule"),
    [
        (400, b'{"type": "urn:verwijsindex-core:problem:invalid-bsn", "field": "bsn", '
              b'"rule": "eleven-test", "detail": "bsn: fails the 11-test", "status": 400, '
              b'"invalid-params": [{"name": "bsn", "reason": "x", "rule": "eleven-test"}]}',
         InvalidBsn, "bsn", "eleven-test"),
        (404, b'{"type": "urn:verwijsindex-core:problem:unknown-record", "field": "signal_id",'
              b' "rule": "unknown", "detail": "signal_id: no such signal", "status": 404}',
         UnknownRecord, "signal_id", "unknown"),
        (429, b'{"type": "urn:verwijsindex-core:problem:rate-limited", "field": "organisation",'
              b' "rule": "rate-limit", "detail": "organisation: wait", "status": 429}',
         NotPermitted, "organisation", "rate-limit"),
        (502, b"<html>Bad gateway</html>", VerwijsindexError, "response", "http-502"),
        (503, b"not json", StoreError, "response", "http-503"),
        (400, b'{"type": "urn:verwijsindex-core:problem:errors", "status": 400}',
         ValidationError, "response", "http-400"),
        (418, b"[1, 2]", VerwijsindexError, "response", "http-418"),
    ],
)  # fmt: skip
def test_problems_become_the_library_errors(
    status: int, body: bytes, kind: type[Exception], field: str, rule: str
) -> None:
    error = error_from_problem(status, body)
    assert type(error) is kind
    assert (error.field, error.rule) == (field, rule)


def test_validation_problems_keep_every_field() -> None:
    body = (
        b'{"type": "urn:verwijsindex-core:problem:validation-error", "status": 400,'
        b' "field": "a", "rule": "r1", "detail": "2 problems", "invalid-params":'
        b' [{"name": "a", "reason": "x", "rule": "r1"}, {"name": "b.c", "reason": "y",'
        b' "rule": "r2"}]}'
    )
    error = error_from_problem(400, body)
    assert isinstance(error, ValidationError)
    assert error.errors == [{"field": "a", "rule": "r1"}, {"field": "b.c", "rule": "r2"}]
