"""The bad-input corpus of ``test_bad_input.py`` through HTTP: every case is a 400 naming the
fields it broke, never echoing a value, and nothing is stored (no subject, signal, match,
notification or audit entry).

The corpus is written for the facade (a pseudonym subject, the organisation in the request);
on a keyed server the subject is a ``bsn`` and the organisation is the credential's, so each
case is translated: the pseudonyms of the corpus become the BSNs they were made from, and an
``organisation`` member is itself an error (it comes from the token). Cases whose dates are
relative to the corpus's fixed day are rebuilt relative to the server's real day.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from _server import BSNS, ORG_A, ServerProcess, bsn, problem, shared_keyed
from test_bad_input import CASES, ORG, base
from verwijsindex_core import is_valid_bsn
from verwijsindex_core.pseudonym import random_bsn
from verwijsindex_core.store import SQLiteStore

TODAY = datetime.now(UTC).date()
BASE_BSN = bsn(500)
_CORPUS_BSNS = {}
for _seed in range(60):  # the corpus's subjects: _factories.subject(seed)
    from _factories import subject as _corpus_subject

    _CORPUS_BSNS[_corpus_subject(_seed).text] = random_bsn(random.Random(_seed)).digits
BSNS.update(_CORPUS_BSNS.values())


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _relative_dates() -> dict[str, tuple[str, str]]:
    """The date cases of the corpus, relative to the server's day."""
    in_two_years = date(TODAY.year + 2, TODAY.month, min(TODAY.day, 28))
    return {
        "born tomorrow": ("date_of_birth", (TODAY + timedelta(days=1)).isoformat()),
        "born next year": ("date_of_birth", (TODAY + timedelta(days=400)).isoformat()),
        "turns 23 today": ("date_of_birth", _years_before(TODAY, 23).isoformat()),
        "aged 23 and a day": (
            "date_of_birth",
            (_years_before(TODAY, 23) - timedelta(days=1)).isoformat(),
        ),
        "planned end today": ("planned_end", TODAY.isoformat()),
        "planned end yesterday": ("planned_end", (TODAY - timedelta(days=1)).isoformat()),
        "planned end in 2 years and a day": (
            "planned_end",
            (in_two_years + timedelta(days=3)).isoformat(),
        ),
        "planned end in 5 years": ("planned_end", date(TODAY.year + 5, 1, 1).isoformat()),
    }


BASE_DATE = date(TODAY.year - 10, 1, 15).isoformat()
CORPUS_BASE = base()


def _translate(case: dict[str, Any] | list[Any]) -> Any:
    """A facade request of the corpus as the keyed server's body."""
    if not isinstance(case, dict):
        return case
    body: dict[str, Any] = {}
    for key, value in case.items():
        if key == "subject":
            body["bsn"] = BASE_BSN.digits if value == CORPUS_BASE["subject"] else value
        elif key == "organisation":
            if value != CORPUS_BASE["organisation"]:
                body["organisation"] = value  # an error of its own: not a member of the body
        elif key == "professional" and isinstance(value, dict):
            person = dict(value)
            if person.get("organisation_id") == ORG.id:
                del person["organisation_id"]
            body["professional"] = person
        elif key == "parents" and isinstance(value, list):
            body["parents"] = [
                BASE_BSN.digits
                if v == CORPUS_BASE["subject"]
                else _CORPUS_BSNS.get(v, v)
                if isinstance(v, str)
                else v
                for v in value
            ]
        elif key == "date_of_birth" and value == CORPUS_BASE["date_of_birth"]:
            body[key] = BASE_DATE
        else:
            body[key] = value
    return body


HTTP_BASE = _translate(CORPUS_BASE)


def _has_bytes(value: object) -> bool:
    if isinstance(value, dict):
        return any(_has_bytes(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_bytes(v) for v in value)
    return isinstance(value, bytes)


def _http_cases() -> Iterator[Any]:
    dates = _relative_dates()
    for name, request in CASES:
        body = _translate(request)
        if name in dates:
            key, value = dates[name]
            body = {**HTTP_BASE, key: value}
        if _has_bytes(body):
            continue  # JSON has no bytes: a client sends text, which is a different case
        if body == HTTP_BASE:
            # The corpus's "professional.organisation_id missing": on HTTP that is the
            # normal form (the server fills it in from the credential).
            continue
        subject = body.get("bsn") if isinstance(body, dict) else None
        if isinstance(subject, str) and subject != BASE_BSN.digits and is_valid_bsn(subject):
            continue  # "111222333" is a bad pseudonym but a valid BSN
        yield pytest.param(name, body, id=name)


HTTP_CASES = list(_http_cases())


def _expected(body: Any) -> set[str]:
    """The top-level members a case changed: one of them must be named."""
    if not isinstance(body, dict):
        return {"body"}
    keys = set(body) | set(HTTP_BASE)
    return {k for k in keys if body.get(k, KeyError) != HTTP_BASE.get(k, KeyError)}


@pytest.fixture(scope="module")
def server() -> ServerProcess:
    return shared_keyed()


@pytest.fixture(scope="module")
def store(server: ServerProcess) -> Iterator[SQLiteStore]:
    with SQLiteStore(server.db) as opened:
        yield opened


def test_the_http_corpus_is_large() -> None:
    assert len(HTTP_CASES) >= 140
    assert len(HTTP_CASES) >= len(CASES) - 10


def test_the_translated_base_is_accepted(server: ServerProcess) -> None:
    with server.http(ORG_A.id) as a:
        response = a.post("/signals", json=HTTP_BASE)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(("name", "body"), HTTP_CASES)
def test_bad_input_over_http_is_400_and_stores_nothing(
    server: ServerProcess, store: SQLiteStore, name: str, body: Any
) -> None:
    before = store.counts()
    with server.http(ORG_A.id) as a:
        response = a.post("/signals", json=body)
    assert response.status_code == 400, (name, response.text)
    doc = problem(response)
    params = doc["invalid-params"]
    assert params and all(p["name"] and p["reason"] and p["rule"] for p in params)
    named = {p["name"].split(".")[0].split("[")[0] for p in params}
    assert named & _expected(body), (name, named, _expected(body))
    assert store.counts() == before
    for value in ("zorgen", "mishandeling", "<script>", "DROP TABLE", "2090", BASE_BSN.digits):
        assert value not in response.text
    for digits in _CORPUS_BSNS.values():
        assert digits not in response.text


BAD_BSNS = [
    "",
    "12345678x",
    "1234567890",
    "000000000",
    "1112223 34",
    " ",
    "١١١٢٢٢٣٣٣",
    111222333,
    None,
    ["111222333"],
    {"digits": "111222333"},
    True,
]


@pytest.mark.parametrize("value", BAD_BSNS, ids=[repr(v)[:20] for v in BAD_BSNS])
def test_bad_bsns_over_http_name_the_bsn(
    server: ServerProcess, store: SQLiteStore, value: object
) -> None:
    before = store.counts()
    with server.http(ORG_A.id) as a:
        response = a.post("/signals", json={**HTTP_BASE, "bsn": value})
    assert response.status_code == 400
    assert [p["name"] for p in problem(response)["invalid-params"]] == ["bsn"]
    assert store.counts() == before
    assert "111222333" not in response.text
