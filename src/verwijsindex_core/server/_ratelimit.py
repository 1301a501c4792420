"""A token bucket per organisation (``evaluateOprf``: one token per blinded element).

In memory, per worker process: with N workers an organisation may use up to N times the rate.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__: list[str] = []


class RateLimiter:
    """``rate`` tokens per second, at most ``burst`` saved up, per key."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str, tokens: int) -> int:
        """Take ``tokens`` for ``key``: 0 when granted, else the whole seconds to wait
        (``Retry-After``); nothing is taken then."""
        now = self._clock()
        saved, then = self._buckets.get(key, (self._burst, now))
        saved = min(self._burst, saved + (now - then) * self._rate)
        if tokens <= saved:
            self._buckets[key] = (saved - tokens, now)
            return 0
        self._buckets[key] = (saved, now)
        return max(1, math.ceil((tokens - saved) / self._rate))
