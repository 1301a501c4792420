"""Synthetic-range BSNs for person numbers, vectorised (the range: ``synthetic._bsns``)."""

from __future__ import annotations

from functools import cache
from math import gcd
from typing import Final

import numpy as np
import numpy.typing as npt

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.synthetic._bsns import SYNTHETIC_BSN_COUNT, SYNTHETIC_BSN_FIRST_DIGIT

__all__ = ["synthetic_bsns"]

_STEP: Final = 1_000_003  # a prime that does not divide the count: i -> i * STEP + 7 permutes
assert gcd(_STEP, SYNTHETIC_BSN_COUNT) == 1


@cache
def _valid_numbers() -> npt.NDArray[np.int32]:
    prefix = np.arange(10_000_000, dtype=np.int64) + SYNTHETIC_BSN_FIRST_DIGIT * 10_000_000
    total = np.zeros(len(prefix), dtype=np.int64)
    rest = prefix.copy()
    for weight in (2, 3, 4, 5, 6, 7, 8, 9):
        total += (rest % 10) * weight
        rest //= 10
    check = total % 11
    ok = check < 10
    numbers = (prefix[ok] * 10 + check[ok]).astype(np.int32)
    numbers.setflags(write=False)
    return numbers


def synthetic_bsns(persons: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """The synthetic BSN (as a number; nine digits, first digit 9) of each person number in
    ``persons`` (0 <= n < 9,090,909): distinct numbers give distinct BSNs, and neighbours do
    not get neighbouring BSNs. Format one with ``f"{n:09d}"``."""
    index = np.asarray(persons)
    if index.dtype.kind not in "iu":
        raise ValidationError("persons", "type", "must be integer person numbers")
    index = index.astype(np.int64)
    if index.size and (int(index.min()) < 0 or int(index.max()) >= SYNTHETIC_BSN_COUNT):
        raise ValidationError(
            "persons", "synthetic-range", f"person numbers lie in [0, {SYNTHETIC_BSN_COUNT:,})"
        )
    found = _valid_numbers()[(index * _STEP + 7) % SYNTHETIC_BSN_COUNT]
    return np.asarray(found, dtype=np.int64)
