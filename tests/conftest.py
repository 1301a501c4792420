"""Shared test helpers: synthetic BSN strategies and an independent 11-test oracle."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile(
    "ci", parent=settings.get_profile("default"), max_examples=200, derandomize=False
)
settings.load_profile("ci" if os.environ.get("CI") else "default")

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def oracle_valid(digits: str) -> bool:
    """The 11-test written out the slow, obvious way (the oracle for the fast versions)."""
    if len(digits) != 9 or any(c not in "0123456789" for c in digits):
        return False
    if digits == "000000000":
        return False
    total = 0
    for char, weight in zip(digits, WEIGHTS, strict=True):
        total += int(char) * weight
    return total % 11 == 0


@st.composite
def valid_bsn_digits(draw: st.DrawFn) -> str:
    """Nine digits that pass the 11-test (synthetic; drawn, never a real list)."""
    prefix = draw(st.text("0123456789", min_size=8, max_size=8))
    check = sum(int(c) * w for c, w in zip(prefix, WEIGHTS[:8], strict=True)) % 11
    digits = prefix + str(check)
    from hypothesis import assume

    assume(check < 10 and digits != "000000000")
    return digits


nine_digits = st.text("0123456789", min_size=9, max_size=9)
