"""Report signatures over RFC 8785 (JCS) bytes of the JSON as received, not of a model.

Known answers from RFC 8785 (§3.2.2 example, §3.2.3 sorting example, Appendix B numbers),
a cross-check against ECMAScript itself (node), the golden report signed by 0.1 ("a report
signed today keeps verifying"), the one narrow case where 0.1's bytes differ from JCS, and
the verification order (signature first, model second).
"""

from __future__ import annotations

import copy
import json
import math
import random
import struct
import subprocess
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl import signing

from _inzage_scenario import GOLDEN, SIGNER
from _system import require_program
from verwijsindex_core.inzage import (
    InzageReport,
    ReportAccess,
    ReportMatch,
    ReportParty,
    ReportSignal,
    ReportSignatureError,
    Requester,
    canonical_json,
    jcs_canonicalize,
    verify_report,
)
from verwijsindex_core.pseudonym._b64 import b64u_encode

V1_GOLDEN = GOLDEN / "report.signed-v1.json"


def _v1_bytes(report_json: Any) -> bytes:
    """What 0.1 signed (its ``canonical_json``), written out here as it was."""
    return json.dumps(
        report_json, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


# --- RFC 8785 known answers --------------------------------------------------------------------


def test_rfc8785_section_3_2_2_example() -> None:
    received = (
        '{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n'
        '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n'
        '  "literals": [null, true, false]\n}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert jcs_canonicalize(json.loads(received)) == expected.encode("utf-8")  # §3.2.4: UTF-8


def test_rfc8785_section_3_2_3_sorting_by_utf16_code_units() -> None:
    received = json.loads(
        '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", '
        '"\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", '
        '"\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", '
        '"\\u00f6": "Latin Small Letter O With Diaeresis"}'
    )
    canonical = jcs_canonicalize(received).decode("utf-8")
    names = list(json.loads(canonical))
    assert names == ["\r", "1", "\u0080", "ö", "€", "😀", "\ufb33"]
    # By code point U+1F600 would sort after U+FB33; by UTF-16 (D83D DE00) it sorts before.
    assert sorted(received) != names
    assert canonical.startswith('{"\\r":"Carriage Return","1":"One","\u0080":"Control",')


@pytest.mark.parametrize(
    ("ieee754", "expected"),
    [  # RFC 8785 Appendix B
        ("0000000000000000", "0"),
        ("8000000000000000", "0"),
        ("0000000000000001", "5e-324"),
        ("8000000000000001", "-5e-324"),
        ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("ffefffffffffffff", "-1.7976931348623157e+308"),
        ("4340000000000000", "9007199254740992"),
        ("c340000000000000", "-9007199254740992"),
        ("4430000000000000", "295147905179352830000"),
        ("44b52d02c7e14af5", "9.999999999999997e+22"),
        ("44b52d02c7e14af6", "1e+23"),
        ("44b52d02c7e14af7", "1.0000000000000001e+23"),
        ("444b1ae4d6e2ef4e", "999999999999999700000"),
        ("444b1ae4d6e2ef4f", "999999999999999900000"),
        ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
        ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("41b3de4355555553", "333333333.3333332"),
        ("41b3de4355555554", "333333333.33333325"),
        ("41b3de4355555555", "333333333.3333333"),
        ("41b3de4355555556", "333333333.3333334"),
        ("41b3de4355555557", "333333333.33333343"),
        ("becbf647612f3696", "-0.0000033333333333333333"),
        ("43143ff3c1cb0959", "1424953923781206.2"),
    ],
)
def test_rfc8785_appendix_b_numbers(ieee754: str, expected: str) -> None:
    (value,) = struct.unpack(">d", bytes.fromhex(ieee754))
    assert jcs_canonicalize(value) == expected.encode()


@pytest.mark.parametrize("ieee754", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_rfc8785_appendix_b_nan_and_infinity_are_refused(ieee754: str) -> None:
    (value,) = struct.unpack(">d", bytes.fromhex(ieee754))
    with pytest.raises(ReportSignatureError) as info:
        jcs_canonicalize({"n": [value]}, field="report")
    assert (info.value.field, info.value.rule) == ("report.n[0]", "jcs-number")


def test_string_escaping_of_every_control_character() -> None:
    text = "".join(chr(c) for c in range(0x20)) + '"\\/\x7f\u2028\u2029é😀'
    short = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}
    expected = (
        '"'
        + "".join(short.get(c, f"\\u{c:04x}") for c in range(0x20))
        + '\\"\\\\/\x7f\u2028\u2029é😀"'
    )
    assert jcs_canonicalize(text) == expected.encode("utf-8")
    assert "\\u001f" in expected and "\\u000b" in expected  # lowercase hex, 4 digits


def test_integers_and_integral_floats() -> None:
    assert jcs_canonicalize([0, -0, 7, -(2**53) + 1, 2**53 - 1]) == (
        b"[0,0,7,-9007199254740991,9007199254740991]"
    )
    # A float is a double and is written as ECMAScript writes it.
    assert jcs_canonicalize([4.0, -0.0, 2.0**60, 1e21, 0.1]) == (
        b"[4,0,1152921504606847000,1e+21,0.1]"
    )


@pytest.mark.parametrize(
    ("value", "field", "rule"),
    [
        ({"a": 2**53}, "report.a", "jcs-number"),  # outside I-JSON's exact integers
        ({"a": [-(2**53) - 1]}, "report.a[0]", "jcs-number"),
        ({"a": [10**400]}, "report.a[0]", "jcs-number"),
        ({"a": math.nan}, "report.a", "jcs-number"),
        ({"s": "ok\ud800"}, "report.s", "jcs-string"),  # lone surrogate: not Unicode
        ({"\udc00": 1}, "report.?", "jcs-string"),
        ({1: "x"}, "report", "jcs-type"),
        ({"a": b"bytes"}, "report.a", "jcs-type"),
        ({"a": {1, 2}}, "report.a", "jcs-type"),
    ],
)
def test_what_jcs_refuses(value: Any, field: str, rule: str) -> None:
    with pytest.raises(ReportSignatureError) as info:
        jcs_canonicalize(value, field="report")
    assert (info.value.field, info.value.rule) == (field, rule)


def test_nesting_deeper_than_the_recursion_limit_is_refused() -> None:
    deep: list[Any] = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ReportSignatureError) as info:
        jcs_canonicalize({"a": deep}, field="report")
    assert (info.value.field, info.value.rule) == ("report", "jcs-depth")


def test_member_names_in_error_fields_are_only_plain_identifiers() -> None:
    with pytest.raises(ReportSignatureError) as info:
        jcs_canonicalize({"111222333": {"bad": math.inf}}, field="report")
    assert info.value.field == "report.?.bad"
    assert "111222333" not in str(info.value)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _es_int(text: str) -> int | float:
    """Read an integer as ECMAScript does: a double (exact below 2**53)."""
    number = int(text)
    return number if abs(number) < 2**53 else float(number)


def _as_numbers(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return [_as_numbers(v) for v in value]
    return {k: _as_numbers(v) for k, v in value.items()}


@settings(max_examples=300, deadline=None)
@given(value=json_values)
def test_jcs_reads_back_as_the_same_value_and_is_idempotent(value: Any) -> None:
    canonical = jcs_canonicalize(value)
    again = json.loads(canonical, parse_int=_es_int)
    assert _as_numbers(again) == _as_numbers(value)
    assert jcs_canonicalize(again) == canonical


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.randrange(-(2**53) + 1, 2**53)
    if kind == 2:
        bits = rng.getrandbits(64)
        (value,) = struct.unpack(">d", bits.to_bytes(8, "big"))
        return value if math.isfinite(value) else rng.random()
    if kind in (3, 4):
        return _random_text(rng)
    if kind == 5:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {_random_text(rng): _random_json(rng, depth + 1) for _ in range(rng.randrange(5))}


def _random_text(rng: random.Random) -> str:
    pools = [(0, 0x20), (0x20, 0x7F), (0x7F, 0x100), (0xE000, 0xFFFF), (0x1F600, 0x1F650)]
    chars = []
    for _ in range(rng.randrange(6)):
        low, high = rng.choice(pools)
        chars.append(chr(rng.randrange(low, high)))
    return "".join(chars)


_NODE_JCS = """
// RFC 8785 Appendix A: JCS on ECMAScript's own JSON.stringify and default (UTF-16) sort.
function jcs(o) {
  if (o === null || typeof o !== "object") { return JSON.stringify(o); }
  if (Array.isArray(o)) { return "[" + o.map(jcs).join(",") + "]"; }
  return "{" + Object.keys(o).sort().map(function (k) {
    return JSON.stringify(k) + ":" + jcs(o[k]);
  }).join(",") + "}";
}
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(input.map(jcs)));
"""


def test_jcs_equals_ecmascript_on_random_values() -> None:
    node = require_program("node", "nodejs")
    rng = random.Random(8785)
    values = [_random_json(rng) for _ in range(3000)]
    done = subprocess.run(
        [node, "-e", _NODE_JCS],
        input=json.dumps(values, ensure_ascii=True),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    expected = json.loads(done.stdout)
    assert len(expected) == len(values)
    mismatches = [
        (v, e) for v, e in zip(values, expected, strict=True) if jcs_canonicalize(v) != e.encode()
    ]
    assert mismatches[:3] == []


# --- a report signed today keeps verifying -----------------------------------------------------


def test_the_report_signed_by_0_1_keeps_verifying() -> None:
    text = V1_GOLDEN.read_text(encoding="utf-8")
    report = verify_report(text, expected_public_key=SIGNER.public_key)
    assert report.subject == "******650" and report.signals and report.matches
    doc = json.loads(text)
    assert _v1_bytes(doc["report"]) == jcs_canonicalize(doc["report"])  # same bytes here


def test_a_version_1_report_reads_into_todays_model() -> None:
    """Report version 2 renamed the signal's ``region`` (a municipality code) to
    ``municipality``; a version-1 document still verifies, and reads with the new name."""
    doc = json.loads(V1_GOLDEN.read_text(encoding="utf-8"))
    report = verify_report(doc)
    assert doc["report"]["version"] == "1" and report.version == "2"
    assert [s.municipality for s in report.signals] == [
        s["region"] for s in doc["report"]["signals"]
    ]
    again = SIGNER.sign(report)  # signed today: version 2's field name, still verifiable
    assert "region" not in again["report"]["signals"][0]
    assert verify_report(again) == report


def test_key_order_white_space_and_escapes_of_the_received_json_do_not_matter() -> None:
    doc = json.loads(V1_GOLDEN.read_text(encoding="utf-8"))

    def reversed_members(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: reversed_members(value[k]) for k in reversed(list(value))}
        if isinstance(value, list):
            return [reversed_members(v) for v in value]
        return value

    shuffled = reversed_members(doc)
    assert list(shuffled["report"]) != list(doc["report"])
    for text in (
        json.dumps(shuffled, indent=7, ensure_ascii=True),  # \u00eb escapes, odd indents
        json.dumps(shuffled, separators=(" ,  ", " :\t")).replace("/", "\\/"),
    ):
        assert verify_report(text) == verify_report(doc)
    as_bytes = json.dumps(shuffled, ensure_ascii=False).encode("utf-8")
    assert verify_report(as_bytes) == verify_report(doc)
    # A number is its value: 4.0 and 4e0 are the number 4.
    written = json.dumps(doc).replace('"answer_term_weeks": 4', '"answer_term_weeks": 4.0e0')
    assert "4.0e0" in written
    assert verify_report(written).answer_term_weeks == 4


def _altered(doc: dict[str, Any]) -> None:
    with pytest.raises(ReportSignatureError) as info:
        verify_report(doc)
    assert (info.value.field, info.value.rule) == ("signature", "altered")


def test_any_changed_value_or_member_is_refused_with_field_and_rule() -> None:
    doc = json.loads(V1_GOLDEN.read_text(encoding="utf-8"))
    changes = [
        lambda r: r["signals"][0].update(number="13"),  # same digits, a string now
        lambda r: r["signals"][0].update(ended_on=None),
        lambda r: r["signals"][1].update(email="medewerker2@maatsc-3.example "),
        lambda r: r["matches"][0].update(afgestemd=True),
        lambda r: r["matches"][0]["other"].update(domain="onderwijs"),
        lambda r: r["accesses"].pop(),
        lambda r: r.update(notes="added member"),
        lambda r: r.pop("recipients"),
        lambda r: r["signals"].reverse(),
        lambda r: r.update(answer_term_weeks=4.5),
    ]
    for change in changes:
        tampered = copy.deepcopy(doc)
        change(tampered["report"])
        _altered(tampered)


def test_the_signature_is_checked_before_the_model() -> None:
    key = signing.SigningKey(bytes(range(32)))  # SIGNER's seed (tests/_inzage_scenario.py)
    doc = json.loads(V1_GOLDEN.read_text(encoding="utf-8"))
    doc["report"]["notes"] = "a member the model does not have"
    # Unsigned change: refused as altered, the model never sees it.
    _altered(copy.deepcopy(doc))
    # Signed (by the right key) but not a report: the signature holds, the model refuses.
    doc["signature"]["value"] = b64u_encode(
        key.sign(jcs_canonicalize(doc["report"], field="report")).signature
    )
    with pytest.raises(ReportSignatureError) as info:
        verify_report(doc)
    assert (info.value.field, info.value.rule) == ("report", "format")


def test_malformed_documents() -> None:
    text = V1_GOLDEN.read_text(encoding="utf-8")
    duplicate = text.replace('"version": "1",', '"version": "1", "version": "1",', 1)
    cases = [
        (duplicate, "document", "duplicate-member"),
        (text.replace('"answer_term_weeks": 4', '"answer_term_weeks": NaN'), "document", "format"),
        (text[:-20], "document", "format"),
        (b"\xff\xfe\x00", "document", "format"),
        ("[]", "document", "format"),
        ('{"report": [], "signature": {}}', "document", "format"),
        (
            text.replace('"algorithm": "Ed25519"', '"algorithm": "RS256"'),
            "signature.algorithm",
            "algorithm",
        ),
        (text.replace('"number": 13,', '"number": 9007199254740993,', 1), "signature", "altered"),
        (
            text.replace('"answer_term_weeks": 4', '"answer_term_weeks": 1e400'),
            "report.answer_term_weeks",
            "jcs-number",
        ),
    ]
    for document, field, rule in cases:
        with pytest.raises(ReportSignatureError) as info:
            verify_report(document)
        assert (info.value.field, info.value.rule) == (field, rule), document[:80]
        assert SIGNER.fingerprint not in str(info.value)


# --- 0.1's bytes and JCS: byte-identical for every report the model can produce, but one case --

_text = st.text(max_size=12)
_day = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
_int = st.integers(-(2**53) + 1, 2**53 - 1)
_signal = st.builds(
    ReportSignal,
    number=_int,
    organisation=_text,
    organisation_id=_text,
    professional=_text,
    function=_text,
    phone=_text,
    email=_text,
    domain=_text,
    municipality=_text,
    registered_on=_day,
    planned_end=_day,
    status=st.sampled_from(["active", "inactive"]),
    ended_on=st.none() | _day,
    end_reason=st.none() | _text,
    delete_on=_day,
)
_match = st.builds(
    ReportMatch,
    number=_int,
    created_on=_day,
    kind=st.sampled_from(["direct", "family"]),
    cross_region=st.booleans(),
    own_signal=_int,
    other=st.builds(ReportParty, organisation=_text, domain=_text),
    coordinator=st.none() | _text,
    afgestemd=st.booleans(),
    delete_on=_day,
)
_moment = st.datetimes(timezones=st.none() | st.just(UTC))
_access = st.builds(ReportAccess, at=_moment, organisation=_text, purpose=_text)


def _reports(ints: st.SearchStrategy[int] = _int) -> st.SearchStrategy[InzageReport]:
    return st.builds(
        InzageReport,
        subject=st.just("******123"),
        generated_at=_moment,
        generated_by=_text,
        requested_by=st.lists(st.sampled_from(list(Requester)), max_size=2).map(tuple),
        purpose=_text,
        signals=st.lists(_signal, max_size=3).map(tuple),
        matches=st.lists(_match, max_size=2).map(tuple),
        accesses=st.lists(_access, max_size=3).map(tuple),
        recipients=st.lists(_text, max_size=3).map(tuple),
        origin=st.lists(_text, max_size=2).map(tuple),
        rights=st.lists(_text, max_size=2).map(tuple),
        answer_term_weeks=ints,
    )


@settings(max_examples=200, deadline=None)
@given(report=_reports())
def test_0_1_bytes_equal_jcs_for_every_report_with_integers_below_2_53(
    report: InzageReport,
) -> None:
    # Member names are the model's ASCII field names (so code point order is UTF-16 order);
    # strings escape the same way (control characters, quote, backslash; nothing else);
    # integers of magnitude below 2**53 are written the same. Reports hold no floats.
    assert canonical_json(report) == _v1_bytes(report.model_dump(mode="json"))
    signed = SIGNER.sign(report)
    assert verify_report(json.dumps(signed)) == report


@settings(max_examples=50, deadline=None)
@given(
    report=_reports(st.integers(2**53, 2**80) | st.integers(-(2**80), -(2**53))),
)
def test_0_1_signatures_on_integers_of_2_53_and_more_keep_verifying(
    report: InzageReport,
) -> None:
    """The one case where the bytes may differ: JCS writes such an integer as a double (or
    refuses it when a double cannot hold it), 0.1 wrote its digits. Only for documents that
    hold such an integer does verification also try 0.1's bytes."""
    key = signing.SigningKey(bytes(range(32)))
    report_json = report.model_dump(mode="json")
    doc = {
        "report": report_json,
        "signature": {
            "algorithm": "Ed25519",
            "public_key": b64u_encode(SIGNER.public_key),
            "fingerprint": SIGNER.fingerprint,
            "value": b64u_encode(key.sign(_v1_bytes(report_json)).signature),
        },
    }
    assert verify_report(json.dumps(doc, ensure_ascii=False)) == report
    tampered = copy.deepcopy(doc)
    tampered["report"]["answer_term_weeks"] += 1
    _altered(tampered)


def test_signing_refuses_an_integer_a_double_cannot_hold() -> None:
    report = InzageReport(
        subject="******123",
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        generated_by="test",
        requested_by=(Requester.PARENT,),
        answer_term_weeks=2**53 + 1,
    )
    with pytest.raises(ReportSignatureError) as info:
        SIGNER.sign(report)
    assert (info.value.field, info.value.rule) == ("report.answer_term_weeks", "jcs-number")
