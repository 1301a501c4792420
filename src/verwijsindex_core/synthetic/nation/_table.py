"""The columnar signal table: one row per registration, numpy columns, the engine's semantics.

Time is an int64 *event time*: ``day << DAY_SHIFT | k`` with ``day`` a proleptic Gregorian
ordinal (:meth:`datetime.date.toordinal`) and ``k`` the event's place within that day, so
that events on one day keep their order, as they do in a running index. A signal is *live* at
event time ``t`` when ``registered <= t < end``; its ``end`` is the earliest of

- ``stopped``: the professional ended it (risk gone) or the subject died, or :data:`NO_STOP`;
- the start of its planned end day: ``planned_end``, or (0) the policy's default term
  counted from the registration day (:func:`~verwijsindex_core.matching.anniversary`);
- the start of the day the subject turns 23 (:func:`~verwijsindex_core.matching.turns_23_on`
  of ``born``).

The dates come from the rules of :mod:`verwijsindex_core.matching` (computed once per distinct
day, then looked up), never from a copy of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import (
    MAX_PARENTS,
    Domain,
    Policy,
    anniversary,
    max_planned_end,
    turns_23_on,
)

__all__ = [
    "DAY_SHIFT",
    "DOMAINS",
    "NO_STOP",
    "SignalTable",
    "day_of",
    "drop_idempotent",
    "event_time",
    "re_registrations",
    "signal_ends",
]

DAY_SHIFT: Final = 20
"""An event time is ``day << DAY_SHIFT | k``: up to 1,048,576 ordered events a day."""
NO_STOP: Final = int(np.iinfo(np.int64).max)
"""``stopped`` of a signal nobody ended."""
DOMAINS: Final = tuple(Domain)
"""``domain`` column values index this tuple (the seven domains in declaration order)."""

I64 = npt.NDArray[np.int64]
Array = npt.NDArray[np.generic]
_BLOCK: Final = 1 << 18

_COLUMNS: Final = {
    # name: (dtype, what)
    "subject": (np.int64, "subject key (a pseudonym's number), >= 0"),
    "organisation": (np.int32, "organisation number, >= 0"),
    "professional": (np.int32, "professional number, unique over all organisations, >= 0"),
    "domain": (np.int8, "index into DOMAINS"),
    "municipality": (np.int16, "index into the table's municipalities"),
    "registered": (np.int64, "event time of the registration"),
    "stopped": (np.int64, "event time the signal was ended, or NO_STOP"),
    "planned_end": (np.int32, "planned end day (ordinal), 0 for the policy's default"),
    "born": (np.int32, "the subject's date of birth (ordinal)"),
}


def event_time(day: npt.ArrayLike, k: npt.ArrayLike = 0) -> I64:
    """``day << DAY_SHIFT | k``: the event time of the ``k``-th event on ``day``."""
    days = np.asarray(day, dtype=np.int64)
    ks = np.asarray(k, dtype=np.int64)
    if np.any(ks < 0) or np.any(ks >= 1 << DAY_SHIFT):
        raise ValidationError("k", "range", f"must lie in [0, 2**{DAY_SHIFT})")
    return np.asarray((days << DAY_SHIFT) | ks, dtype=np.int64)


def day_of(times: npt.ArrayLike) -> I64:
    """The day ordinal of event times."""
    return np.asarray(np.asarray(times, dtype=np.int64) >> DAY_SHIFT, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class SignalTable:
    """Signals as columns (every column one numpy array of the same length).

    ``parents`` is an ``(n, k)`` int64 array (``k <= MAX_PARENTS``) of parent keys, ``-1``
    for none: the keys of the subject's parents, the same on every row of a subject (a
    population-register feed; the engine learns them with the subject's first signal).
    ``municipalities`` names the ``municipality`` indexes (CBS codes such as ``GM0518``).
    """

    subject: npt.NDArray[np.int64]
    organisation: npt.NDArray[np.int32]
    professional: npt.NDArray[np.int32]
    domain: npt.NDArray[np.int8]
    municipality: npt.NDArray[np.int16]
    registered: npt.NDArray[np.int64]
    stopped: npt.NDArray[np.int64]
    planned_end: npt.NDArray[np.int32]
    born: npt.NDArray[np.int32]
    parents: npt.NDArray[np.int64]
    municipalities: tuple[str, ...]

    def __post_init__(self) -> None:
        n = None
        for name, (dtype, _) in _COLUMNS.items():
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.ndim != 1:
                raise ValidationError(name, "type", "must be a one-dimensional numpy array")
            if value.dtype != dtype:
                raise ValidationError(name, "dtype", f"must have dtype {np.dtype(dtype).name}")
            if n is None:
                n = len(value)
            elif len(value) != n:
                raise ValidationError(name, "length", "every column must have the same length")
        parents = self.parents
        if not isinstance(parents, np.ndarray) or parents.dtype != np.int64 or parents.ndim != 2:
            raise ValidationError("parents", "type", "must be an (n, k) int64 numpy array")
        if len(parents) != n or not 1 <= parents.shape[1] <= MAX_PARENTS:
            raise ValidationError(
                "parents", "shape", f"must have one row per signal and 1-{MAX_PARENTS} columns"
            )
        if not isinstance(self.municipalities, tuple) or not all(
            isinstance(m, str) for m in self.municipalities
        ):
            raise ValidationError("municipalities", "type", "must be a tuple of codes")

    def __len__(self) -> int:
        return len(self.subject)

    def __repr__(self) -> str:  # never the keys themselves
        return f"SignalTable({len(self):,} signals, {len(self.municipalities)} municipalities)"

    def columns(self) -> dict[str, Array]:
        """The columns by name (``parents`` as ``parent_0``, ``parent_1``, ...)."""
        out: dict[str, Array] = {name: getattr(self, name) for name in _COLUMNS}
        for c in range(self.parents.shape[1]):
            out[f"parent_{c}"] = self.parents[:, c]
        return out

    def take(self, rows: npt.ArrayLike | slice) -> SignalTable:
        """The rows ``rows`` (indexes, a boolean mask or a slice) as a new table."""
        index = rows if isinstance(rows, slice) else np.asarray(rows)
        if not isinstance(index, slice) and index.dtype.kind not in "iub":
            raise ValidationError("rows", "type", "must be indexes, a boolean mask or a slice")
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in (*_COLUMNS, "parents"):
            values[name] = values[name][index]
        return SignalTable(**values)

    @staticmethod
    def concat(tables: list[SignalTable]) -> SignalTable:
        """Row-wise concatenation of tables with the same municipalities."""
        if not tables:
            raise ValidationError("tables", "empty", "needs at least one table")
        first = tables[0]
        if any(t.municipalities != first.municipalities for t in tables):
            raise ValidationError("municipalities", "same", "tables must share municipalities")
        values: dict[str, object] = {"municipalities": first.municipalities}
        for name in (*_COLUMNS, "parents"):
            values[name] = np.concatenate([getattr(t, name) for t in tables])
        return SignalTable(**values)  # type: ignore[arg-type]

    def check(self, policy: Policy) -> None:
        """The rules a registration passes in the engine, on every row at once: keys and
        indexes in range, the subject 0-22 on the registration day, a planned end after the
        registration and at most ``policy.max_signal_years`` later, a stop after the
        registration. Raises :class:`ValidationError` naming the column and the rule."""
        if len(self) == 0:
            return
        checks: list[tuple[str, str, str, npt.NDArray[np.bool_]]] = [
            ("subject", "range", "keys are >= 0", self.subject < 0),
            ("organisation", "range", "numbers are >= 0", self.organisation < 0),
            ("professional", "range", "numbers are >= 0", self.professional < 0),
            ("domain", "range", "indexes DOMAINS", (self.domain < 0) | (self.domain >= 7)),
            (
                "municipality",
                "range",
                "indexes municipalities",
                (self.municipality < 0) | (self.municipality >= len(self.municipalities)),
            ),
            ("registered", "range", "event times are >= 0", self.registered < 0),
            ("stopped", "after-registration", "lies after it", self.stopped <= self.registered),
            ("parents", "range", "keys are >= 0, or -1 for none", self.parents < -1),
        ]
        for name, rule, what, bad in checks:
            if bool(np.any(bad)):
                raise ValidationError(name, rule, f"{int(np.count_nonzero(bad))} rows: {what}")
        days = day_of(self.registered)
        low, high = int(days.min()), int(days.max())
        turns = _turns_23(self.born)
        if bool(np.any(self.born > days)):
            raise ValidationError("born", "future", "lies after the registration date")
        if bool(np.any(turns <= days)):
            raise ValidationError("born", "age-limit", "the subject is 23 or older")
        given = self.planned_end != 0
        latest = _by_day(low, high, lambda d: max_planned_end(d, policy.max_signal_years))
        late = given & (self.planned_end > latest[days - low])
        early = given & (self.planned_end <= days)
        if bool(np.any(early)):
            raise ValidationError("planned_end", "after-registration", "must lie after it")
        if bool(np.any(late)):
            raise ValidationError(
                "planned_end",
                "max-duration",
                f"may lie at most {policy.max_signal_years} years after registration",
            )


def _by_day(low: int, high: int, rule: Callable[[date], date]) -> npt.NDArray[np.int32]:
    """``rule`` (a date rule of matching) for every day from ``low`` to ``high``, as ordinals."""
    return np.fromiter(
        (rule(date.fromordinal(d)).toordinal() for d in range(low, high + 1)),
        dtype=np.int32,
        count=high - low + 1,
    )


@lru_cache(maxsize=4)
def _turns_table(low: int, high: int) -> npt.NDArray[np.int32]:
    table = _by_day(low, high, turns_23_on)
    table.setflags(write=False)
    return table


def _turns_23(born: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """:func:`turns_23_on` of each date of birth (a table per 4,096-day block, cached)."""
    if len(born) == 0:
        return np.zeros(0, dtype=np.int32)
    low = int(born.min()) & ~4095
    high = (int(born.max()) | 4095) + 1
    table = _turns_table(low, high)
    return table[born - low]


def signal_ends(table: SignalTable, policy: Policy) -> I64:
    """The event time each signal stops being live under ``policy`` (see the module).
    Computed in blocks, so that it needs no more memory than its answer."""
    n = len(table)
    ends = np.empty(n, dtype=np.int64)
    if n == 0:
        return ends
    low = int(table.registered.min()) >> DAY_SHIFT
    high = int(table.registered.max()) >> DAY_SHIFT
    years = policy.default_signal_years
    default = _by_day(low, high, lambda d: anniversary(d, years))
    for i in range(0, n, _BLOCK):
        block = slice(i, i + _BLOCK)
        days = table.registered[block] >> DAY_SHIFT
        planned = table.planned_end[block]
        last = np.where(planned != 0, planned, default[days - low]).astype(np.int64)
        np.minimum(last, _turns_23(table.born[block]), out=last)
        last <<= DAY_SHIFT
        np.minimum(last, table.stopped[block], out=ends[block])
    return ends


def _hash_keys(a: npt.NDArray[np.int64], b: npt.NDArray[np.int32], bits: int) -> I64:
    mixed = a.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    mixed ^= b.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
    mixed ^= mixed >> np.uint64(29)
    return np.asarray(mixed >> np.uint64(64 - bits), dtype=np.int64)


def re_registrations(table: SignalTable, policy: Policy) -> npt.NDArray[np.bool_]:
    """Which rows are re-registrations: the subject and professional already have a live
    signal at the row's registration time, so the engine creates nothing (design §4). Rows
    are taken in event-time order (ties in row order)."""
    n = len(table)
    again = np.zeros(n, dtype=np.bool_)
    if n < 2:
        return again
    ends = signal_ends(table, policy)
    row_bits = max(1, (n - 1).bit_length())
    packed = _hash_keys(table.subject, table.professional, 63 - row_bits) << row_bits
    packed |= np.arange(n, dtype=np.int64)
    packed.sort()
    rows = packed & ((1 << row_bits) - 1)
    group = packed >> row_bits
    same = np.flatnonzero(group[1:] == group[:-1])
    if len(same) == 0:
        return again
    # Candidate rows (rare): every row of a group of two or more; resolve them in Python.
    members = np.unique(np.concatenate([rows[same], rows[same + 1]]))
    keys = zip(table.subject[members].tolist(), table.professional[members].tolist(), strict=True)
    by_key: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    reg, end = table.registered[members].tolist(), ends[members].tolist()
    for key, row, r, e in zip(keys, members.tolist(), reg, end, strict=True):
        by_key.setdefault(key, []).append((r, row, e))
    for events in by_key.values():
        if len(events) < 2:
            continue
        events.sort()
        live_until = -1
        for r, row, e in events:
            if r < live_until:
                again[row] = True
            else:
                live_until = e
    return again


def drop_idempotent(table: SignalTable, policy: Policy) -> SignalTable:
    """The table without re-registrations (:func:`re_registrations`), in its order."""
    again = re_registrations(table, policy)
    return table.take(~again) if bool(again.any()) else table
