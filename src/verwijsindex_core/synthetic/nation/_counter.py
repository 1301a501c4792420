"""Counter-based random numbers: a uniform is a hash of (seed, field, item), so that any item's
draw (a family's municipality, say) can be made on its own, in any order, and always comes
out the same. The hash is SplitMix64's: the state ``key(seed, field) + item * golden`` through
its finaliser, which passes BigCrush as a generator."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

__all__: list[str] = []  # helpers of the generator, imported by name

_MASK: Final = (1 << 64) - 1
_GOLDEN: Final = 0x9E3779B97F4A7C15
_M1: Final = 0xBF58476D1CE4E5B9
_M2: Final = 0x94D049BB133111EB
_TO_UNIT: Final = 2.0**-53


def _finalise(z: int) -> int:
    """SplitMix64's finaliser on one Python int (for the keys)."""
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def field_key(seed: int, field: int) -> int:
    """The 64-bit key of one field's stream under ``seed``."""
    return _finalise((_finalise(seed & _MASK) + (field + 1) * _GOLDEN) & _MASK)


def counter_uniforms(key: int, items: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """A uniform in [0, 1) (53 bits) for each item number of ``items`` in the stream ``key``
    (:func:`field_key`): the same item always gets the same number."""
    x = items.astype(np.uint64)
    x *= np.uint64(_GOLDEN)  # wraps modulo 2**64, as meant
    x += np.uint64(key)
    x ^= x >> np.uint64(30)
    x *= np.uint64(_M1)
    x ^= x >> np.uint64(27)
    x *= np.uint64(_M2)
    x ^= x >> np.uint64(31)
    x >>= np.uint64(11)
    out = x.astype(np.float64)
    out *= _TO_UNIT
    return out
