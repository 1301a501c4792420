"""The synthetic BSN range: every made-up BSN of the demo, the tests and the research kit.

A synthetic BSN is a nine-digit number that starts with :data:`SYNTHETIC_BSN_FIRST_DIGIT`
(9) and passes the 11-test: 9,090,909 values, 900000004 the first. The range is this
library's convention, documented in ``docs/research.md``: no public source found says that
numbers starting with 9 are never issued, so the range makes synthetic data recognisable, it
does not guarantee that a number belongs to nobody. Synthetic data carry no personal data, so
a coincidence with a real number reveals nothing.
"""

from __future__ import annotations

import random
from typing import Final

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.pseudonym import Bsn, is_valid_bsn

__all__ = [
    "SYNTHETIC_BSN_COUNT",
    "SYNTHETIC_BSN_FIRST_DIGIT",
    "SyntheticBsns",
    "is_synthetic_bsn",
    "random_synthetic_bsn",
]

SYNTHETIC_BSN_FIRST_DIGIT: Final = 9
"""Synthetic BSNs are the 11-test-valid numbers 900000000-999999999."""
SYNTHETIC_BSN_COUNT: Final = 9_090_909
"""How many numbers the synthetic range holds (checked by a test that counts them)."""

_WEIGHTS: Final = (9, 8, 7, 6, 5, 4, 3, 2)


def is_synthetic_bsn(value: object) -> bool:
    """Whether ``value`` is a nine-digit string in the synthetic range that passes the
    11-test."""
    return (
        isinstance(value, str)
        and len(value) == 9
        and value[0] == str(SYNTHETIC_BSN_FIRST_DIGIT)
        and is_valid_bsn(value)
    )


def random_synthetic_bsn(rng: random.Random) -> Bsn:
    """A uniformly drawn BSN from the synthetic range (eight digits drawn, the ninth solved
    for; a prefix whose check digit would be 10 is drawn again)."""
    if not isinstance(rng, random.Random):
        raise ValidationError("rng", "type", "must be a random.Random")
    while True:
        prefix = SYNTHETIC_BSN_FIRST_DIGIT * 10_000_000 + rng.randrange(10_000_000)
        digits = f"{prefix:08d}"
        check = sum(int(c) * w for c, w in zip(digits, _WEIGHTS, strict=True)) % 11
        if check < 10:
            return Bsn(digits + str(check))


class SyntheticBsns:
    """Draws distinct synthetic BSNs: a population never gives two people one number."""

    __slots__ = ("_rng", "_used")

    def __init__(self, rng: random.Random) -> None:
        if not isinstance(rng, random.Random):
            raise ValidationError("rng", "type", "must be a random.Random")
        self._rng = rng
        self._used: set[str] = set()

    def draw(self) -> Bsn:
        """A synthetic BSN not drawn before by this object."""
        if len(self._used) >= SYNTHETIC_BSN_COUNT // 2:
            raise ValidationError(
                "population", "synthetic-range", "too many people for the synthetic BSN range"
            )
        while True:
            bsn = random_synthetic_bsn(self._rng)
            if bsn.digits not in self._used:
                self._used.add(bsn.digits)
                return bsn
