"""A corpus of bad registrations: each gives a typed error naming field and rule, and stores
nothing (no subject, signal, match, notification or audit entry)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from _factories import (
    START,
    STORE_FACTORIES,
    TODAY,
    child_born,
    index,
    organisation,
    professional,
    subject,
)
from verwijsindex_core import (
    RequesterRuleError,
    ValidationError,
    Verwijsindex,
    VerwijsindexError,
)
from verwijsindex_core.matching import Actor, Domain, Organisation, RegisterRequest

ORG = organisation(1, Domain.JEUGDHULP)
PRO = professional(ORG, 1)
SUBJECT = subject(1)


def base() -> dict[str, Any]:
    return {
        "subject": SUBJECT.text,
        "date_of_birth": child_born(10).isoformat(),
        "organisation": ORG.model_dump(mode="json"),
        "professional": PRO.model_dump(mode="json"),
        "municipality": "GM0518",
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
    for f in ("subject", "date_of_birth", "organisation", "professional", "municipality")
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
    (f"municipality {r!r}", top(municipality=r))
    for r in ("Den Haag", "GM518", "gm0518", "GM05180", "", 518, b"GM0518", None)
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
    ("organisation.region (no such field)", nested("organisation", region="haaglanden")),
]
CASES += [(f"postponement {g!r}", top(postponement=g)) for g in ("no reason", "", "other", 1)]
CASES += [
    ("organisation as text", top(organisation="org-1")),
    ("professional as list", top(professional=["p1"])),
    ("request as list", [base()]),  # type: ignore[list-item]
    ("signal id supplied", top(id=5)),
    ("status supplied", top(status="inactive")),
]


CASES += [
    (f"date_of_birth {v!r:.30}", top(date_of_birth=v))
    for v in (
        20150101,
        1420070400,
        0,
        1.5,
        b"2015-01-01",
        "2015-01-01T00:00",
        "20150101",
        True,
        [2015, 1, 1],
        {"year": 2015},
    )
]
CASES += [
    (f"planned_end {v!r:.30}", top(planned_end=v))
    for v in (20270101, 1.0, b"2027-01-01", "2027-01-01T00:00:00")
]
CASES += [
    ("organisation id as bytes", nested("organisation", id=b"org-1")),
    ("organisation name as int", nested("organisation", name=5)),
    ("professional phone as int", nested("professional", phone=701234567)),
    ("domain as bytes", top(domain=b"jeugdhulp")),
    ("organisation.domain as bytes", nested("organisation", domain=b"jeugdhulp")),
    ("postponement as bytes", top(postponement=b"safety_of_others")),
    ("aliases not a list", top(aliases="vi1.x")),
    ("alias under the subject's key", top(aliases=[SUBJECT.text])),
    ("five aliases", top(aliases=[subject(i).text for i in range(30, 35)])),
]


def snapshot(vi: Verwijsindex) -> tuple[object, ...]:
    store = vi._store
    return (
        list(store.subjects()),
        list(store.all_signals()),
        list(store.all_matches()),
        list(store.all_notifications()),
        len(list(store.audit_entries())),
    )


def test_the_corpus_is_large() -> None:
    assert len(CASES) >= 100
    assert len({name for name, _ in CASES}) == len(CASES)


@pytest.mark.parametrize("store", sorted(STORE_FACTORIES))
@pytest.mark.parametrize(("name", "request_"), CASES, ids=[name for name, _ in CASES])
def test_bad_input_is_refused_and_stores_nothing(
    store: str, name: str, request_: dict[str, Any]
) -> None:
    vi, _ = index(store)
    vi.submit(top(subject=subject(2).text))  # one good registration, so "nothing" is visible
    before = snapshot(vi)
    with pytest.raises(ValidationError) as info:
        vi.submit(request_)
    assert info.value.field and info.value.rule
    assert snapshot(vi) == before
    # The message names field and rule, never the value given.
    text = str(info.value)
    for value in ("zorgen", "mishandeling", "<script>", "DROP TABLE", "111222333", "vi1.", "2015"):
        assert value not in text


def test_the_good_base_request_is_accepted() -> None:
    vi, _ = index()
    assert vi.submit(base()).created
    assert START.date() == TODAY


# --- every facade method, with arguments a new user might pass -------------------------------

ACTOR = Actor(organisation_id=ORG.id, professional_id=PRO.id)
HUGE = 2**70
BAD_IDS = [HUGE, -1, 0, "1", 1.0, True, None, b"1", [1], {"id": 1}]
BAD_ACTORS = [
    {"organisation_id": ORG.id},
    ORG.id,
    None,
    ("org-1", "p1"),
    ORG,
    5,
]
BAD_SUBJECTS_FACADE = [
    "111 222 333",
    "111222333",
    SUBJECT.text,
    SUBJECT.text.encode(),
    111222333,
    None,
    {"bsn": "111222333"},
    [SUBJECT.text],
    [],
    [SUBJECT, SUBJECT],
]


def _calls() -> list[tuple[str, Any]]:
    """(name, call) pairs: each call must raise our ValidationError and store nothing."""
    calls: list[tuple[str, Any]] = []
    for v in BAD_IDS:
        calls += [
            (f"signal({v!r:.20})", lambda vi, v=v: vi.signal(v, ACTOR)),
            (f"end_signal({v!r:.20})", lambda vi, v=v: vi.end_signal(v, "risk_gone", ACTOR)),
            (
                f"view_history({v!r:.20})",
                lambda vi, v=v: vi.view_history(v, "risk_assessment", ACTOR),
            ),
            (f"mark_afgestemd({v!r:.20})", lambda vi, v=v: vi.mark_afgestemd(v, ACTOR)),
            (
                f"mark_coordinator(match {v!r:.20})",
                lambda vi, v=v: vi.mark_coordinator(v, 1, ACTOR),
            ),
            (
                f"mark_coordinator(signal {v!r:.20})",
                lambda vi, v=v: vi.mark_coordinator(1, v, ACTOR),
            ),
            (f"acknowledge([{v!r:.20}])", lambda vi, v=v: vi.acknowledge(ACTOR, [v])),
        ]
    for v in (5, "5", b"12", None, {1: 2}, 5.0):
        calls.append((f"acknowledge({v!r:.20})", lambda vi, v=v: vi.acknowledge(ACTOR, v)))
    for a in BAD_ACTORS:
        calls += [
            (f"matches_for({a!r:.20})", lambda vi, a=a: vi.matches_for(a)),
            (f"notifications_for({a!r:.20})", lambda vi, a=a: vi.notifications_for(a)),
            (f"acknowledge(actor {a!r:.20})", lambda vi, a=a: vi.acknowledge(a, [1])),
            (f"signal(actor {a!r:.20})", lambda vi, a=a: vi.signal(1, a)),
            (f"end_signal(actor {a!r:.20})", lambda vi, a=a: vi.end_signal(1, "risk_gone", a)),
            (f"record_death(actor {a!r:.20})", lambda vi, a=a: vi.record_death(SUBJECT, a)),
            (
                f"record_move(actor {a!r:.20})",
                lambda vi, a=a: vi.record_move(SUBJECT, "GM0599", a),
            ),
            (f"set_parents(actor {a!r:.20})", lambda vi, a=a: vi.set_parents(SUBJECT, [], a)),
            (
                f"rectify(actor {a!r:.20})",
                lambda vi, a=a: vi.rectify_date_of_birth(SUBJECT, child_born(9), a),
            ),
            (f"mark_afgestemd(actor {a!r:.20})", lambda vi, a=a: vi.mark_afgestemd(1, a)),
            (
                f"inzage(actor {a!r:.20})",
                lambda vi, a=a: vi.inzage(
                    SUBJECT, date_of_birth=child_born(10), requesters=["parent"], actor=a
                ),
            ),
        ]
    for s in BAD_SUBJECTS_FACADE:
        calls += [
            (f"record_death({s!r:.20})", lambda vi, s=s: vi.record_death(s, ACTOR)),
            (f"record_move({s!r:.20})", lambda vi, s=s: vi.record_move(s, "GM0599", ACTOR)),
            (f"set_parents(child {s!r:.20})", lambda vi, s=s: vi.set_parents(s, [SUBJECT], ACTOR)),
            (f"set_parents(parent {s!r:.20})", lambda vi, s=s: vi.set_parents(SUBJECT, [s], ACTOR)),
            (
                f"rectify({s!r:.20})",
                lambda vi, s=s: vi.rectify_date_of_birth(s, child_born(9), ACTOR),
            ),
            (
                f"inzage({s!r:.20})",
                lambda vi, s=s: vi.inzage(
                    s, date_of_birth=child_born(10), requesters=["parent"], actor=ACTOR
                ),
            ),
            (
                f"register({s!r:.20})",
                lambda vi, s=s: vi.register(
                    s,
                    date_of_birth=child_born(10),
                    organisation=ORG,
                    professional=PRO,
                    municipality="GM0518",
                ),
            ),
        ]
    for d in (20150101, 1.5, b"2015-01-01", "2015-01-01", datetime(2015, 1, 1), None):
        calls += [
            (
                f"register(date_of_birth {d!r:.20})",
                lambda vi, d=d: vi.register(
                    SUBJECT,
                    date_of_birth=d,
                    organisation=ORG,
                    professional=PRO,
                    municipality="GM0518",
                ),
            ),
            (
                f"rectify(date_of_birth {d!r:.20})",
                lambda vi, d=d: vi.rectify_date_of_birth(SUBJECT, d, ACTOR),
            ),
            (
                f"inzage(date_of_birth {d!r:.20})",
                lambda vi, d=d: vi.inzage(
                    SUBJECT, date_of_birth=d, requesters=["parent"], actor=ACTOR
                ),
            ),
        ]
    for m in ("Den Haag", 518, b"GM0518", None, "gm0518"):
        calls.append(
            (f"record_move(municipality {m!r})", lambda vi, m=m: vi.record_move(SUBJECT, m, ACTOR))
        )
    for r in ("because", 1, None, b"risk_gone", "planned_end", "deceased"):
        calls.append((f"end_signal(reason {r!r})", lambda vi, r=r: vi.end_signal(1, r, ACTOR)))
        calls.append((f"view_history(reason {r!r})", lambda vi, r=r: vi.view_history(1, r, ACTOR)))
    for kw, v in (
        ("organisation", "org-1"),
        ("organisation", {"id": "bad id"}),
        ("professional", ["p1"]),
        ("parents", SUBJECT),
        ("parents", "111222333"),
        ("parents", [SUBJECT, SUBJECT]),
        ("parents", [SUBJECT.text]),
        ("municipality", 518),
        ("domain", 7),
        ("planned_end", "soon"),
    ):
        calls.append(
            (
                f"register({kw}={v!r:.20})",
                lambda vi, kw=kw, v=v: vi.register(
                    SUBJECT,
                    **{
                        "date_of_birth": child_born(10),
                        "organisation": ORG,
                        "professional": PRO,
                        "municipality": "GM0518",
                        kw: v,
                    },
                ),
            )
        )
    for v in ("requests", 5, None, {"a": 1}, [5], [None], [base(), "x"]):
        calls.append((f"register_many({v!r:.20})", lambda vi, v=v: vi.register_many(v)))
    for v in (5, "parent", None, [5], [b"parent"], [None]):
        calls.append(
            (
                f"inzage(requesters {v!r:.20})",
                lambda vi, v=v: vi.inzage(
                    SUBJECT, date_of_birth=child_born(10), requesters=v, actor=ACTOR
                ),
            )
        )
    return calls


CALLS = _calls()


def test_the_facade_corpus_is_large_and_named_uniquely() -> None:
    assert len(CALLS) >= 250
    assert len({name for name, _ in CALLS}) == len(CALLS)


@pytest.mark.parametrize("store", sorted(STORE_FACTORIES))
@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
def test_every_facade_method_refuses_bad_arguments(store: str, name: str, call: Any) -> None:
    vi, _ = index(store)
    vi.submit(base())  # the subject exists, with signal 1
    before = snapshot(vi)
    with pytest.raises(VerwijsindexError) as info:
        call(vi)
    error = info.value
    assert isinstance(error, (ValidationError, RequesterRuleError)), (type(error), str(error))
    assert error.field and error.rule
    assert snapshot(vi) == before
    text = str(error)
    for value in ("111222333", "111 222 333", SUBJECT.text, "vi1.", str(HUGE)):
        assert value not in text


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (Organisation, {"id": "111222333 x", "name": "X", "domain": "x", "municipality": "1"}),
        (Actor, {"organisation_id": "111 222 333"}),
        (Actor, {"organisation_id": b"org-1"}),
        (RegisterRequest, {"subject": "111222333", "date_of_birth": 20150101}),
    ],
)
def test_models_answer_with_our_error_and_never_the_value(model: Any, data: dict[str, Any]) -> None:
    for build in (lambda: model(**data), lambda: model.model_validate(data)):
        with pytest.raises(ValidationError) as info:
            build()
        assert info.value.errors and info.value.field
        assert "111222333" not in str(info.value) and "111 222 333" not in str(info.value)
