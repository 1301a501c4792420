from __future__ import annotations

import pickle
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import nine_digits, oracle_valid, valid_bsn_digits
from verwijsindex_core import Bsn, InvalidBsn, ValidationError, VerwijsindexError
from verwijsindex_core.pseudonym import BsnRule, are_valid_bsns, is_valid_bsn, mask_bsn, random_bsn

VALID = "111222333"  # passes the 11-test; a textbook example, not a person


def test_parse_plain_digits() -> None:
    assert Bsn.parse(VALID).digits == VALID
    assert Bsn(VALID) == Bsn.parse(VALID)


@pytest.mark.parametrize(
    "text", ["111 222 333", "111.222.333", "1112.22.333", " 111222333 ", "1.1.1.2.2.2.3.3.3"]
)
def test_spaces_and_dots_are_separators(text: str) -> None:
    assert Bsn.parse(text).digits == VALID


def test_eight_digits_get_one_leading_zero() -> None:
    rng = random.Random(1)
    digits = next(d for d in (random_bsn(rng).digits for _ in range(1000)) if d[0] == "0")
    assert Bsn.parse(digits[1:]).digits == digits


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (111222333, BsnRule.TYPE),
        (None, BsnRule.TYPE),
        (b"111222333", BsnRule.TYPE),
        ("", BsnRule.EMPTY),
        (" . ", BsnRule.EMPTY),
        ("11122233a", BsnRule.CHARACTERS),
        ("111-222-333", BsnRule.CHARACTERS),
        ("111222333\n", BsnRule.CHARACTERS),
        ("\t111222333", BsnRule.CHARACTERS),
        ("١١١٢٢٢٣٣٣", BsnRule.CHARACTERS),  # Arabic-Indic digits: isdigit() is True for them
        ("１１１２２２３３３", BsnRule.CHARACTERS),  # full-width digits
        ("111222333²", BsnRule.CHARACTERS),
        ("+11222333", BsnRule.CHARACTERS),
        ("111_222_333", BsnRule.CHARACTERS),
        ("1112223", BsnRule.LENGTH),
        ("1", BsnRule.LENGTH),
        ("1112223330", BsnRule.LENGTH),
        ("0111222333", BsnRule.LENGTH),
        ("000000000", BsnRule.ALL_ZEROS),
        ("00000000", BsnRule.ALL_ZEROS),
        ("0000.00.000", BsnRule.ALL_ZEROS),
        ("111222334", BsnRule.ELEVEN_TEST),
        ("123456789", BsnRule.ELEVEN_TEST),
    ],
)
def test_rejections_name_the_rule(value: object, rule: BsnRule) -> None:
    with pytest.raises(InvalidBsn) as info:
        Bsn.parse(value)  # type: ignore[arg-type]
    err = info.value
    assert err.rule == rule.value
    assert err.field == "bsn"
    assert rule.value in str(err)
    assert isinstance(err, ValueError)
    assert isinstance(err, ValidationError)
    assert isinstance(err, VerwijsindexError)
    assert not is_valid_bsn(value)


def test_field_name_is_configurable() -> None:
    with pytest.raises(InvalidBsn, match=r"^parent_bsn: ") as info:
        Bsn.parse("123456789", field="parent_bsn")
    assert info.value.field == "parent_bsn"


def test_error_messages_never_contain_the_value() -> None:
    for value in ("111222334", "11122233a", "1112223", "123.456.789"):
        with pytest.raises(InvalidBsn) as info:
            Bsn.parse(value)
        text = str(info.value) + repr(info.value)
        digits = value.replace(".", "")
        assert digits not in text
        assert digits[:6] not in text


def test_repr_str_format_are_masked() -> None:
    bsn = Bsn(VALID)
    for shown in (repr(bsn), str(bsn), f"{bsn}", f"{bsn!r}", f"{bsn:>12}", f"{bsn}", str([bsn])):
        assert VALID not in shown
        assert "111222" not in shown
        assert "******333" in shown
    assert bsn.masked == "******333"


def test_bsn_is_immutable_hashable_picklable() -> None:
    bsn = Bsn(VALID)
    with pytest.raises(AttributeError):
        bsn._digits = "123456782"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        bsn.extra = 1  # type: ignore[attr-defined]
    assert {bsn, Bsn("111 222 333")} == {bsn}
    assert pickle.loads(pickle.dumps(bsn)) == bsn
    assert bsn != VALID


def test_mask_bsn() -> None:
    assert mask_bsn("111222333") == "******333"
    assert mask_bsn("123") == "***"
    assert mask_bsn("") == ""


def test_exactly_the_count_of_valid_numbers_in_a_prefix_block() -> None:
    # Among 000000000..000099999 exactly the oracle's count passes (exhaustive, small block).
    block = [f"{n:09d}" for n in range(100_000)]
    expected = [oracle_valid(d) for d in block]
    assert [is_valid_bsn(d) for d in block] == expected
    assert are_valid_bsns(block) == expected
    assert sum(expected) == 9091 - 1  # one in eleven, less 000000000


@given(valid_bsn_digits())
def test_every_valid_bsn_is_accepted(digits: str) -> None:
    assert Bsn.parse(digits).digits == digits
    assert is_valid_bsn(digits)
    assert are_valid_bsns([digits]) == [True]


@given(nine_digits)
def test_fast_paths_agree_with_the_oracle(digits: str) -> None:
    assert is_valid_bsn(digits) == oracle_valid(digits)
    assert are_valid_bsns([digits]) == [oracle_valid(digits)]


@given(valid_bsn_digits(), st.integers(0, 8), st.integers(1, 9))
def test_every_single_digit_change_is_caught(digits: str, position: int, delta: int) -> None:
    # Weights 9..2 and -1 are all non-zero modulo the prime 11, so changing one digit always
    # changes the sum modulo 11: the changed number is rejected, exactly as the oracle says.
    changed = digits[:position] + str((int(digits[position]) + delta) % 10) + digits[position + 1 :]
    assert changed != digits
    assert not oracle_valid(changed)
    assert not is_valid_bsn(changed)
    with pytest.raises(InvalidBsn) as info:
        Bsn.parse(changed)
    assert info.value.rule in {BsnRule.ELEVEN_TEST.value, BsnRule.ALL_ZEROS.value}


@given(valid_bsn_digits(), st.integers(0, 7))
def test_adjacent_transpositions_are_caught(digits: str, position: int) -> None:
    swapped = digits[:position] + digits[position + 1] + digits[position] + digits[position + 2 :]
    assert is_valid_bsn(swapped) == (swapped == digits)


@given(st.lists(st.one_of(nine_digits, valid_bsn_digits(), st.text(max_size=12)), max_size=50))
def test_batch_check_equals_per_item_check(values: list[str]) -> None:
    assert are_valid_bsns(values) == [is_valid_bsn(v) for v in values]


def test_batch_check_handles_mixed_chunks_and_iterables() -> None:
    rng = random.Random(7)
    values: list[object] = [random_bsn(rng).digits for _ in range(20_000)]
    values[5] = "000000000"
    values[9000] = 12345
    values[15000] = "1112.22.333"
    values[15001] = "11122233"
    expected = [is_valid_bsn(v) for v in values]
    assert are_valid_bsns(values) == expected
    assert are_valid_bsns(iter(values)) == expected
    assert expected[5] is False and expected[9000] is False and expected[15000] is True


@given(st.integers(0, 2**64))
def test_random_bsn_is_valid(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(20):
        assert oracle_valid(random_bsn(rng).digits)


def test_random_bsn_is_deterministic_per_seed() -> None:
    a = [random_bsn(random.Random(3)).digits for _ in range(3)]
    assert len(set(a)) == 1
