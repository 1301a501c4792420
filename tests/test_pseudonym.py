from __future__ import annotations

import pickle
import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import valid_bsn_digits
from verwijsindex_core import Bsn, InvalidBsn, InvalidPseudonym, KeyRing, Pseudonym, Pseudonymiser
from verwijsindex_core.errors import UnknownKey, ValidationError
from verwijsindex_core.pseudonym import Key, random_bsn

RING_A = KeyRing(Key(bytes(range(32)), created=date(2026, 1, 1)))
RING_B = KeyRing(Key(bytes(range(1, 33)), created=date(2026, 1, 1)))
SUBJECT_A = Pseudonymiser(RING_A)
SUBJECT_B = Pseudonymiser(RING_B)
PARENT_A = Pseudonymiser(RING_A, purpose="parent")


def test_text_form_is_versioned_and_self_describing() -> None:
    p = SUBJECT_A.pseudonymise("111222333")
    version, key_id, body = p.text.split(".")
    assert version == "vi1"
    assert key_id == RING_A.active.id == p.key_id
    assert len(body) == 43
    assert len(p.digest) == 32


@given(valid_bsn_digits())
def test_deterministic_per_key(digits: str) -> None:
    assert SUBJECT_A.pseudonymise(digits) == Pseudonymiser(RING_A).pseudonymise(Bsn(digits))


@given(valid_bsn_digits())
def test_different_keys_or_purposes_differ(digits: str) -> None:
    a, b, parent = (x.pseudonymise(digits) for x in (SUBJECT_A, SUBJECT_B, PARENT_A))
    assert a != b and a.digest != b.digest
    assert a != parent and a.digest != parent.digest
    assert a.key_id == parent.key_id


@given(valid_bsn_digits(), valid_bsn_digits())
def test_different_bsns_differ(first: str, second: str) -> None:
    same = SUBJECT_A.pseudonymise(first) == SUBJECT_A.pseudonymise(second)
    assert same == (first == second)


@given(valid_bsn_digits())
def test_parse_round_trip(digits: str) -> None:
    p = SUBJECT_A.pseudonymise(digits)
    assert Pseudonym.parse(p.text) == p
    assert Pseudonym(p.key_id, p.digest) == p
    assert hash(Pseudonym.parse(p.text)) == hash(p)
    assert pickle.loads(pickle.dumps(p)) == p


@given(st.binary(min_size=32, max_size=32), st.from_regex(r"[a-z2-7]{8}", fullmatch=True))
def test_parse_round_trip_any_digest(digest: bytes, key_id: str) -> None:
    p = Pseudonym(key_id, digest)
    assert Pseudonym.parse(p.text) == p


def test_many_equals_one_by_one_and_accepts_str_and_bsn() -> None:
    rng = random.Random(5)
    bsns = [random_bsn(rng) for _ in range(500)]
    mixed: list[Bsn | str] = [b if i % 2 else b.digits for i, b in enumerate(bsns)]
    assert SUBJECT_A.pseudonymise_many(mixed) == [SUBJECT_A.pseudonymise(b) for b in bsns]
    assert SUBJECT_A.pseudonymise_many(iter(bsns)) == SUBJECT_A.pseudonymise_many(bsns)
    assert SUBJECT_A.pseudonymise_many([]) == []


def test_many_raises_on_invalid_text() -> None:
    with pytest.raises(InvalidBsn) as info:
        SUBJECT_A.pseudonymise_many(["111222333", "111222334"])
    assert info.value.rule == "eleven-test"


def test_rotation_window_pseudonymises_under_every_live_key() -> None:
    rotated = RING_A.rotate(created=date(2026, 6, 1))
    p = Pseudonymiser(rotated)
    both = p.pseudonymise_all_keys("111222333")
    assert [x.key_id for x in both] == [rotated.active.id, RING_A.active.id]
    # The retired key's pseudonym equals what the old ring made: old records still match.
    assert both[1] == SUBJECT_A.pseudonymise("111222333")
    assert both[0] == p.pseudonymise("111222333")
    assert p.pseudonymise_with("111222333", RING_A.active.id) == both[1]
    with pytest.raises(UnknownKey):
        p.pseudonymise_with("111222333", "aaaaaaaa")


def test_equality_rules() -> None:
    p = SUBJECT_A.pseudonymise("111222333")
    other_key = Pseudonym("aaaaaaaa", p.digest)
    assert p != other_key
    assert p != p.text
    assert p != p.digest
    assert len({p, Pseudonym.parse(p.text), other_key}) == 2


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("vi2.abcdefgh.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "version"),
        ("", "version"),
        ("vi1.", "format"),
        ("vi1.ABCDEFGH.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "format"),
        ("vi1.abcdefg1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "format"),
        ("vi1.abcdefgh.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "format"),
        ("vi1.abcdefgh.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "format"),
        ("vi1.abcdefgh.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", "format"),
        (" vi1.abcdefgh.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "version"),
        ("vi1.abcdefgh.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", "format"),
        # 43 characters carry 258 bits; the last two must be zero in the canonical form.
        ("vi1.abcdefgh.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", "encoding"),
    ],
)
def test_parse_errors_name_the_rule(text: str, rule: str) -> None:
    with pytest.raises(InvalidPseudonym) as info:
        Pseudonym.parse(text, field="subject")
    assert info.value.rule == rule
    assert info.value.field == "subject"
    assert isinstance(info.value, ValueError)
    assert text[13:] == "" or text[13:] not in str(info.value)


def test_parse_rejects_non_text() -> None:
    with pytest.raises(InvalidPseudonym) as info:
        Pseudonym.parse(b"vi1.abcdefgh.x")  # type: ignore[arg-type]
    assert info.value.rule == "type"


def test_constructor_validates() -> None:
    with pytest.raises(InvalidPseudonym, match="digest"):
        Pseudonym("abcdefgh", b"short")
    with pytest.raises(InvalidPseudonym, match="key_id"):
        Pseudonym("ABC", bytes(32))


def test_pseudonym_is_immutable() -> None:
    p = SUBJECT_A.pseudonymise("111222333")
    with pytest.raises(AttributeError):
        p._digest = bytes(32)  # type: ignore[misc]


def test_purpose_is_validated() -> None:
    with pytest.raises(ValidationError) as info:
        Pseudonymiser(RING_A, purpose="Subject Data")
    assert info.value.field == "purpose"
    for ok in ("subject", "parent", "a", "x-1"):
        assert Pseudonymiser(RING_A, purpose=ok).purpose == ok


def test_digests_many_are_the_pseudonym_digests() -> None:
    rng = random.Random(8)
    bsns = [random_bsn(rng) for _ in range(300)]
    digests = SUBJECT_A.digests_many(bsns)
    assert digests == [p.digest for p in SUBJECT_A.pseudonymise_many(bsns)]
    assert SUBJECT_A.active_key_id == RING_A.active.id
    assert all(type(d) is bytes and len(d) == 32 for d in digests)


def test_pseudonym_text_helper_matches_the_object() -> None:
    from verwijsindex_core.pseudonym import pseudonym_text

    p = SUBJECT_A.pseudonymise("111222333")
    assert pseudonym_text(p.key_id, p.digest) == p.text
