"""A corpus of bad registrations: each gives a typed error naming field and rule, and stores
nothing (no subject, signal, match, notification or audit entry)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from _factories import START, TODAY, child_born, index, organisation, professional, subject
from verwijsindex_core import ValidationError
from verwijsindex_core.matching import Domain

ORG = organisation(1, Domain.JEUGDHULP)
PRO = professional(ORG, 1)
SUBJECT = subject(1)


def base() -> dict[str, Any]:
    return {
        "subject": SUBJECT.text,
        "date_of_birth": child_born(10).isoformat(),
        "organisation": ORG.model_dump(mode="json"),
        "professional": PRO.model_dump(mode="json"),
        "region": "GM0518",
    }


def top(**changes: Any) -> dict[str, Any]:
    request = base()
    request.update(changes)
    return request


def nested(part: str, **changes: Any) -> dict[str, Any]:
    request = base()
    request[part] = {**request[part], **changes}
    return request


def without(*path: str) -> dict[str, Any]:
    request = base()
    target = request
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return request


FREE_TEXT = [
    "reason",
    "notes",
    "diagnosis",
    "problem",
    "plan",
    "comment",
    "remarks",
    "free_text",
    "bsn",
    "description",
    "zorg_signaal",
    "toelichting",
]
CASES: list[tuple[str, dict[str, Any]]] = []
CASES += [(f"unknown field {f}", top(**{f: "anything"})) for f in FREE_TEXT]
CASES += [
    (f"organisation.{f}", nested("organisation", **{f: "x"})) for f in ("notes", "kvk", "reason")
]
CASES += [
    (f"professional.{f}", nested("professional", **{f: "x"})) for f in ("notes", "bsn", "reason")
]
CASES += [
    (f"missing {f}", without(f))
    for f in ("subject", "date_of_birth", "organisation", "professional", "region")
]
CASES += [
    (f"missing professional.{f}", without("professional", f))
    for f in ("id", "name", "function", "phone", "email", "organisation_id")
]
CASES += [
    (f"domain {d!r}", top(domain=d))
    for d in ("zorg", "", "JEUGDHULP", "jeugd hulp", 7, "police", ["jeugdhulp"])
]
CASES += [
    (f"organisation.domain {d!r}", nested("organisation", domain=d)) for d in ("", "school", 1)
]
BAD_SUBJECTS = [
    "",
    "111222333",
    "vi2.abcdefgh." + "A" * 43,
    "vi1.short",
    "vi1.ABCDEFGH." + "A" * 43,
    "vi1.abcdefgh." + "A" * 42,
    "vi1.abcdefgh." + "A" * 44,
    " vi1.abcdefgh." + "A" * 43,
    "vi1.abcdefgh." + "A" * 42 + "B",
    12345,
    None,
    ["vi1"],
]
CASES += [(f"subject {i} {s!r:.24}", top(subject=s)) for i, s in enumerate(BAD_SUBJECTS)]
CASES += [
    ("parent malformed", top(parents=["not a pseudonym"])),
    ("five parents", top(parents=[subject(i).text for i in range(10, 15)])),
    ("parent is the subject", top(parents=[SUBJECT.text])),
    ("duplicate parents", top(parents=[subject(10).text, subject(10).text])),
    ("parents not a list", top(parents=5)),
]
CASES += [
    ("born tomorrow", top(date_of_birth=(TODAY + timedelta(days=1)).isoformat())),
    ("born next year", top(date_of_birth=(TODAY + timedelta(days=400)).isoformat())),
    ("born in 2090", top(date_of_birth="2090-01-01")),
    ("turns 23 today", top(date_of_birth=TODAY.replace(year=TODAY.year - 23).isoformat())),
    (
        "aged 23 and a day",
        top(date_of_birth=(TODAY.replace(year=TODAY.year - 23) - timedelta(days=1)).isoformat()),
    ),
    ("aged 30", top(date_of_birth="1996-01-01")),
    ("aged 100", top(date_of_birth="1926-01-01")),
    ("month 13", top(date_of_birth="2015-13-01")),
    ("day 32", top(date_of_birth="2015-01-32")),
    ("29 Feb in a non-leap year", top(date_of_birth="2015-02-29")),
    ("yesterday as text", top(date_of_birth="yesterday")),
    ("empty date", top(date_of_birth="")),
    ("Dutch date order", top(date_of_birth="15-01-2016")),
    ("planned end today", top(planned_end=TODAY.isoformat())),
    ("planned end yesterday", top(planned_end=(TODAY - timedelta(days=1)).isoformat())),
    (
        "planned end in 2 years and a day",
        top(
            planned_end=(
                date(TODAY.year + 2, TODAY.month, TODAY.day) + timedelta(days=1)
            ).isoformat()
        ),
    ),
    ("planned end in 5 years", top(planned_end=date(TODAY.year + 5, 1, 1).isoformat())),
    ("planned end garbage", top(planned_end="soon")),
]
CASES += [
    ("organisation name 101 chars", nested("organisation", name="A" * 101)),
    ("professional name 200 chars", nested("professional", name="A" * 200)),
    ("function 61 chars", nested("professional", function="A" * 61)),
    ("email 300 chars", nested("professional", email="a" * 290 + "@x.example")),
    ("id 65 chars", nested("organisation", id="o" * 65)),
    ("professional id 65 chars", nested("professional", id="p" * 65)),
    ("empty name", nested("professional", name="")),
    ("empty function", nested("professional", function="")),
]
CASES += [
    (f"free text in name {n!r:.20}", nested("professional", name=n))
    for n in (
        "Anna\nzorgen om thuissituatie",
        "Anna\tde Vries",
        "<script>alert(1)</script>",
        "Anna; DROP TABLE signals",
        "Anna 😀",
        "1 Anna",
        "_anna",
        "Anna\x00",
        "Anna {x}",
        "Anna: vermoeden van mishandeling",
    )
]
CASES += [
    (f"free text in function {f!r:.20}", nested("professional", function=f))
    for f in ("Jeugdarts\nmaakt zich zorgen", "Mentor <b>", "Arts #1", "Arts: vermoeden")
]
CASES += [
    (f"phone {p!r}", nested("professional", phone=p))
    for p in ("abc", "123", "+31 6", "06123456789012345678901", "06-12345678\n", "", "06 1234 567x")
]
CASES += [
    (f"email {e!r}", nested("professional", email=e))
    for e in (
        "anna",
        "anna@",
        "@example.nl",
        "anna@example",
        "anna de vries@example.nl",
        "anna@exa mple.nl",
        "",
    )
]
CASES += [
    (f"region {r!r}", top(region=r)) for r in ("Den Haag", "GM518", "gm0518", "GM05180", "", 518)
]
CASES += [
    (f"organisation.municipality {m!r}", nested("organisation", municipality=m))
    for m in ("0518", "GM 0518")
]
CASES += [
    ("professional of another organisation", nested("professional", organisation_id="org-99")),
    ("organisation id with space", nested("organisation", id="org 1")),
    ("organisation id with slash", nested("organisation", id="org/1")),
    ("professional id starting with dash", nested("professional", id="-p1")),
    ("region id with dots only", nested("organisation", region="..")),
]
CASES += [(f"postponement {g!r}", top(postponement=g)) for g in ("no reason", "", "other", 1)]
CASES += [
    ("organisation as text", top(organisation="org-1")),
    ("professional as list", top(professional=["p1"])),
    ("request as list", [base()]),  # type: ignore[list-item]
    ("signal id supplied", top(id=5)),
    ("status supplied", top(status="inactive")),
]


def test_the_corpus_is_large() -> None:
    assert len(CASES) >= 100
    assert len({name for name, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "request_"), CASES, ids=[name for name, _ in CASES])
def test_bad_input_is_refused_and_stores_nothing(name: str, request_: dict[str, Any]) -> None:
    vi, _ = index()
    vi.submit(top(subject=subject(2).text))  # one good registration, so "nothing" is visible
    before = (
        list(vi.store.subjects()),
        list(vi.store.all_signals()),
        list(vi.store.all_matches()),
        list(vi.store.all_notifications()),
        len(list(vi.audit.entries())),
    )
    with pytest.raises(ValidationError) as info:
        vi.submit(request_)
    assert info.value.field and info.value.rule
    after = (
        list(vi.store.subjects()),
        list(vi.store.all_signals()),
        list(vi.store.all_matches()),
        list(vi.store.all_notifications()),
        len(list(vi.audit.entries())),
    )
    assert after == before
    # The message names field and rule, never the value given.
    text = str(info.value)
    for value in ("zorgen", "mishandeling", "<script>", "DROP TABLE", "111222333"):
        assert value not in text


def test_the_good_base_request_is_accepted() -> None:
    vi, _ = index()
    assert vi.submit(base()).created
    assert START.date() == TODAY
