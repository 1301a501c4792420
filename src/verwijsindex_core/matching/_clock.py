"""Time is injected: rules never read the system clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "FixedClock", "SystemClock"]


class Clock(Protocol):
    def today(self) -> date: ...

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock, in UTC (the index's legal dates are days in Europe/Amsterdam; a
    deployment may pass its own clock)."""

    def today(self) -> date:
        return self.now().date()

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that moves only when told: for tests, simulations and the demo."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._now = start

    def today(self) -> date:
        return self._now.date()

    def now(self) -> datetime:
        return self._now

    def advance(self, *, days: int = 0, seconds: float = 0) -> None:
        self._now += timedelta(days=days, seconds=seconds)

    def set(self, moment: datetime) -> None:
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
