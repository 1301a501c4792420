"""A small progress bar on a text stream (stderr), throttled so it costs nothing per row."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress"]

_WIDTH = 28


class Progress:
    """Draws ``label [#####.....]  45%  1,234 rows  56,789 rows/s`` in place on ``stream``.

    ``total`` is the expected number of bytes (``None`` when unknown: then only rows and rate
    are shown). Redraws at most every ``interval`` seconds. Does nothing when not ``enabled``.
    """

    def __init__(
        self,
        label: str,
        total: int | None,
        stream: TextIO,
        *,
        enabled: bool = True,
        interval: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
        unit: str = "rows",
    ) -> None:
        self._unit = unit
        self._label = label
        self._total = total
        self._stream = stream
        self._enabled = enabled
        self._interval = interval
        self._clock = clock
        self._start = clock()
        self._last = float("-inf")

    def update(self, rows: int, done: int) -> None:
        """Report ``rows`` rows and ``done`` bytes processed so far."""
        if not self._enabled:
            return
        now = self._clock()
        if now - self._last < self._interval:
            return
        self._last = now
        self._draw(rows, done, now)

    def finish(self, rows: int, done: int) -> None:
        """Draw the final state and end the line."""
        if not self._enabled:
            return
        self._draw(rows, done, self._clock())
        self._stream.write("\n")
        self._stream.flush()

    def _draw(self, rows: int, done: int, now: float) -> None:
        elapsed = max(now - self._start, 1e-9)
        parts = [self._label]
        if self._total:
            fraction = min(done / self._total, 1.0)
            filled = int(fraction * _WIDTH)
            parts.append(f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {fraction:4.0%}")
        parts.append(f"{rows:,} {self._unit}")
        parts.append(f"{rows / elapsed:,.0f} {self._unit}/s")
        self._stream.write("\r" + "  ".join(parts))
        self._stream.flush()
