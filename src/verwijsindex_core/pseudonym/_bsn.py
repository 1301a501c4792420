"""The citizen service number (BSN): parsing, the 11-test, masking.

Source of the rules: Wet algemene bepalingen burgerservicenummer art. 1; the check ("elfproef")
as published by RvIG: digits d1..d9 with weights 9, 8, 7, 6, 5, 4, 3, 2 and -1, the weighted
sum divisible by 11. ``000000000`` passes that sum but is never issued, so it is rejected.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Final, final

from verwijsindex_core.errors import InvalidBsn, ValidationError
from verwijsindex_core.pseudonym._args import check_batch, check_field_name, check_text, plain_str

__all__ = ["Bsn", "BsnRule", "are_valid_bsns", "is_valid_bsn", "mask_bsn", "random_bsn"]

_WEIGHTS: Final = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_ZEROS: Final = "000000000"
_SEPARATORS: Final = str.maketrans("", "", " .")
_FIELD: Final = "bsn"


class BsnRule(StrEnum):
    """The rule a rejected BSN broke, in the order they are checked."""

    TYPE = "type"
    """The value is not a ``str``."""
    EMPTY = "empty"
    """Nothing is left after removing spaces and dots."""
    CHARACTERS = "characters"
    """A character other than ASCII ``0-9``, space or dot."""
    LENGTH = "length"
    """Not 8 or 9 digits (8 digits are read with one leading zero)."""
    ALL_ZEROS = "all-zeros"
    """``000000000`` passes the 11-test but is never issued."""
    ELEVEN_TEST = "eleven-test"
    """The weighted digit sum is not divisible by 11."""


_EXPLANATIONS: Final = {
    BsnRule.TYPE: "a BSN must be given as text (str)",
    BsnRule.EMPTY: "is empty",
    BsnRule.CHARACTERS: "may contain only the digits 0-9, spaces and dots",
    BsnRule.LENGTH: "must have 9 digits (or 8, read with a leading zero)",
    BsnRule.ALL_ZEROS: "000000000 is not a BSN",
    BsnRule.ELEVEN_TEST: "fails the 11-test (elfproef)",
}


def _table(weights: tuple[int, ...]) -> dict[str, int]:
    """Weighted digit sums of every three-digit string for three consecutive weights."""
    return {
        f"{n:03d}": sum(int(c) * w for c, w in zip(f"{n:03d}", weights, strict=True))
        for n in range(1000)
    }


# Three lookups replace nine multiplications; a key that is not three ASCII digits is simply
# absent, so the lookup doubles as the character check on the fast path.
_T0: Final = _table(_WEIGHTS[0:3])
_T1: Final = _table(_WEIGHTS[3:6])
_T2: Final = _table(_WEIGHTS[6:9])


def _check(value: object) -> tuple[str, BsnRule | None]:  # noqa: PLR0911 (one per rule)
    """Full checks in rule order: the canonical 9 digits and ``None``, or ``""`` and the rule
    broken. Returns rather than raises, so that :func:`is_valid_bsn` stays cheap on bad input.
    """
    text = plain_str(value)  # a str subclass is copied: its own methods play no part
    if text is None:
        return "", BsnRule.TYPE
    digits = text.translate(_SEPARATORS)
    if not digits:
        return "", BsnRule.EMPTY
    if not (digits.isascii() and digits.isdigit()):
        return "", BsnRule.CHARACTERS
    if len(digits) == 8:
        digits = "0" + digits
    elif len(digits) != 9:
        return "", BsnRule.LENGTH
    if digits == _ZEROS:
        return "", BsnRule.ALL_ZEROS
    if (_T0[digits[:3]] + _T1[digits[3:6]] + _T2[digits[6:]]) % 11:
        return "", BsnRule.ELEVEN_TEST
    return digits, None


def _canonical(value: object, field: str = _FIELD) -> str:
    """Canonical 9-digit form of ``value`` or :class:`InvalidBsn`; 9 clean digits are fast."""
    if type(value) is str and len(value) == 9:
        try:
            total = _T0[value[:3]] + _T1[value[3:6]] + _T2[value[6:]]
        except KeyError:
            pass
        else:
            if total % 11 == 0 and value != _ZEROS:
                return value
    digits, rule = _check(value)
    if rule is not None:
        raise InvalidBsn(field, rule.value, _EXPLANATIONS[rule])
    return digits


def mask_bsn(digits: str) -> str:
    """Mask all but the last three characters: ``"111222333"`` -> ``"******333"``.

    Meant for a hint a person may see. The text is not validated as a BSN; anything shorter
    than four characters is masked entirely.
    """
    digits = check_text(digits, "digits")
    if len(digits) < 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 3) + digits[-3:]


@final
class Bsn:
    """A validated BSN in canonical 9-digit form.

    ``Bsn("1112.22.333")`` and :meth:`Bsn.parse` accept a ``str`` with spaces and dots as
    separators; 8 digits are read with one leading zero. Anything else raises
    :class:`~verwijsindex_core.errors.InvalidBsn` whose ``rule`` is a :class:`BsnRule` value.

    ``repr()``, ``str()`` and ``format()`` show only the last three digits; the full number is
    available only through the explicit :attr:`digits` accessor.
    """

    __slots__ = ("_digits",)

    _digits: str

    def __init__(self, value: str, *, field: str = _FIELD) -> None:
        if field is not _FIELD:  # the default needs no check (the CSV hot path uses it)
            field = check_field_name(field)
        object.__setattr__(self, "_digits", _canonical(value, field))

    @classmethod
    def parse(cls, value: str, *, field: str = _FIELD) -> Bsn:
        """Validate ``value`` and return a :class:`Bsn`; ``field`` names the input in errors."""
        return cls(value, field=field)

    @property
    def digits(self) -> str:
        """The full canonical 9 digits. Handle with care: this is the personal identifier."""
        return self._digits

    @property
    def masked(self) -> str:
        """The masked form, e.g. ``******333``, safe for people and logs."""
        return mask_bsn(self._digits)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Bsn is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Bsn is immutable")

    def __repr__(self) -> str:
        return f"Bsn('{self.masked}')"

    def __str__(self) -> str:
        return self.masked

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Bsn):
            return self._digits == other._digits
        return NotImplemented

    def __hash__(self) -> int:
        return hash((Bsn, self._digits))

    def __reduce__(self) -> tuple[type[Bsn], tuple[str]]:
        return (Bsn, (self._digits,))


def is_valid_bsn(value: object) -> bool:
    """True when ``value`` is accepted by :meth:`Bsn.parse`, without raising."""
    if type(value) is str and len(value) == 9:
        try:
            total = _T0[value[:3]] + _T1[value[3:6]] + _T2[value[6:]]
        except KeyError:
            pass  # not nine ASCII digits: the full checks decide (separators, 8 digits)
        else:
            return total % 11 == 0 and value != _ZEROS
    return _check(value)[1] is None


# --- batch 11-test -------------------------------------------------------------------------
#
# For a chunk of clean 9-digit strings the weighted sums are computed for the whole chunk at
# once by one big-integer multiplication: the ASCII bytes are spread into 16-bit slots, so the
# chunk is a number X = sum c_k * 65536**k, and X * P with P = sum w_j * 65536**(8 - j) has in
# slot 9*i + 8 exactly sum_j w_j * c_{9i+j}: the weighted sum of item i (no slot can overflow:
# at most nine terms of 57 * 10). The weight -1 is used as 10, equal modulo 11, to keep all
# terms positive. A 64 K-entry table then says which slot values pass. This runs at C speed;
# any chunk that is not clean 9-digit ASCII falls back to the per-item check.

_BATCH_WEIGHTS: Final = (9, 8, 7, 6, 5, 4, 3, 2, 10)
_SLOT: Final = 1 << 16
_MULTIPLIER: Final = sum(w * _SLOT ** (8 - j) for j, w in enumerate(_BATCH_WEIGHTS))
_ASCII_OFFSET: Final = ord("0") * sum(_BATCH_WEIGHTS)
_PASSES: Final = tuple((v - _ASCII_OFFSET) % 11 == 0 for v in range(_SLOT))
_CHUNK: Final = 8192


def _chunk_fast(chunk: Sequence[object]) -> list[bool] | None:
    # Only str's own methods are used (join, str.__len__ and the joined text), so a str
    # subclass cannot disguise an item's length or content.
    try:
        joined = "".join(chunk)  # type: ignore[arg-type]  # TypeError for non-str is handled
    except TypeError:
        return None
    n = len(chunk)
    if len(joined) != 9 * n or not (joined.isascii() and joined.isdigit()):
        return None
    if n and (min(map(str.__len__, chunk)) != 9):  # type: ignore[arg-type]
        return None
    raw = joined.encode("ascii")
    wide = bytearray(2 * len(raw))
    wide[0::2] = raw
    product = int.from_bytes(wide, "little") * _MULTIPLIER
    slots = memoryview(product.to_bytes(2 * len(raw) + 2 * 9, "little")).cast("H")
    flags = list(map(_PASSES.__getitem__, slots[8 : 9 * n : 9].tolist()))
    if _ZEROS in joined:
        for i in range(n):
            if joined[9 * i : 9 * i + 9] == _ZEROS:
                flags[i] = False
    return flags


def are_valid_bsns(values: Iterable[object]) -> list[bool]:
    """For each value, whether :func:`is_valid_bsn` accepts it; fast for large batches.

    Chunks of clean 9-digit strings are checked at C speed; any other chunk is checked item by
    item with exactly the rules of :meth:`Bsn.parse`. ``values`` is any iterable but a single
    ``str`` or ``bytes`` or a mapping (:class:`ValidationError`, field ``values``).
    """
    items = check_batch(values, "values", "values to check")
    out: list[bool] = []
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        flags = _chunk_fast(chunk)
        out.extend(flags if flags is not None else map(is_valid_bsn, chunk))
    return out


def bsn_batch(bsns: object) -> Sequence[object]:
    """A batch of BSNs: any iterable but a single ``str`` or ``bytes`` or a mapping."""
    return check_batch(bsns, "bsns", "BSNs (Bsn or str)")


def random_bsn(rng: random.Random) -> Bsn:
    """A uniformly drawn synthetic BSN that passes the 11-test (for tests and synthetic data).

    Eight digits are drawn and the ninth solved for; a prefix whose check digit would be 10 is
    drawn again, so every valid number is equally likely. ``rng`` is a :class:`random.Random`
    (seeded for reproducible data).
    """
    if not isinstance(rng, random.Random):
        raise ValidationError("rng", "type", "must be a random.Random")
    while True:
        prefix = f"{rng.randrange(100_000_000):08d}"
        check = sum(int(c) * w for c, w in zip(prefix, _WEIGHTS[:8], strict=True)) % 11
        if check < 10:
            digits = prefix + str(check)
            if digits != _ZEROS:
                return Bsn(digits)
