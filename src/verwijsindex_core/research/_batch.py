"""Batch matching on columns: the matches the online engine makes, computed for a whole table
at once, as pairs or only as counts.

Semantics (the engine's, design §4; ``tests/_reference.py`` is the oracle). Two signals match
when they may match (different organisations; with ``same_organisation_matching`` also two
professionals of one organisation) and are live at one moment: ``max(registered) <
min(end)`` (:func:`~verwijsindex_core.synthetic.nation.signal_ends`). On one subject that is a
*direct* match; on two subjects that share a parent a *family* match. A match is *cross-region*
when the signals' municipalities lie in different covenant regions (``Policy.region_of``). The
engine makes exactly these pairs when every signal of a subject carries the subject's parents
(so that the index knows them from its first signal on) and re-registrations are dropped
(:func:`~verwijsindex_core.synthetic.nation.re_registrations`).

How (no pair is materialised when only counts are asked):

1. Rows are ranked by event time (a packed ``np.sort``: key and row in one int64, which the
   SIMD sort orders several times faster than ``argsort``).
2. A second packed sort orders ranks by group (subject; for families each (parent, row)), so
   every group is a run ordered by time.
3. Runs are walked in chunks of about a million positions: for each distance ``d`` the rows
   ``i`` whose ``i + d`` is in the same run *and still live* at its registration stay
   candidates. Because a run is in time order, a row that has ended before its ``d``-th
   successor starts ends before all later ones, so it drops out: the work is the number of
   overlapping pairs, not the number of pairs in a group.
4. Pairs that may match are counted with ``np.bincount`` per (kind, region pair) and (kind,
   domain pair), or kept as pairs.

A family pair found through parent ``p`` counts only when ``p`` is the smallest parent the two
subjects share (children of the same two parents are met twice).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import Policy
from verwijsindex_core.synthetic.nation import (
    DAY_SHIFT,
    DOMAINS,
    SignalTable,
    re_registrations,
    signal_ends,
)

__all__ = ["DIRECT", "FAMILY", "MatchCounts", "MatchPairs", "match_counts", "match_pairs"]

DIRECT: Final = 0
"""Kind index of a direct match (one subject)."""
FAMILY: Final = 1
"""Kind index of a family match (siblings: subjects that share a parent)."""

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
_BLOCK: Final = 1 << 18
_IDEMPOTENT: Final = ("drop", "trust")


@dataclass(frozen=True, eq=False)
class MatchCounts:
    """Match counts per kind (index :data:`DIRECT`, :data:`FAMILY`).

    ``region_pairs[kind, r1, r2]`` with ``r1 <= r2`` (indexes into ``regions``) and
    ``domain_pairs[kind, d1, d2]`` with ``d1 <= d2`` (indexes into ``DOMAINS``) count each
    match once. ``signals`` is the number of signals matched (after dropping
    re-registrations, ``dropped`` of them).
    """

    regions: tuple[str, ...]
    region_pairs: npt.NDArray[np.int64]
    domain_pairs: npt.NDArray[np.int64]
    signals: int
    dropped: int

    @property
    def direct(self) -> int:
        return int(self.region_pairs[DIRECT].sum())

    @property
    def family(self) -> int:
        return int(self.region_pairs[FAMILY].sum())

    @property
    def total(self) -> int:
        return self.direct + self.family

    def cross_region(self, kind: int | None = None) -> int:
        """Matches between two regions (of one kind, or both)."""
        pairs = self.region_pairs if kind is None else self.region_pairs[kind]
        return int(pairs.sum() - np.trace(pairs, axis1=-2, axis2=-1).sum())

    def per_region(self, kind: int | None = None) -> dict[str, int]:
        """Matches that involve each region (a cross-region match counts for both)."""
        pairs = self.region_pairs.sum(axis=0) if kind is None else self.region_pairs[kind]
        both = pairs.sum(axis=0) + pairs.sum(axis=1) - np.diagonal(pairs)
        return {name: int(v) for name, v in zip(self.regions, both.tolist(), strict=True)}

    def per_domain_pair(self, kind: int | None = None) -> dict[tuple[str, str], int]:
        """Matches per (domain, domain), each unordered pair once."""
        pairs = self.domain_pairs.sum(axis=0) if kind is None else self.domain_pairs[kind]
        return {
            (DOMAINS[a].value, DOMAINS[b].value): int(pairs[a, b])
            for a in range(7)
            for b in range(a, 7)
            if pairs[a, b]
        }

    def summary(self) -> dict[str, int]:
        return {
            "signals": self.signals,
            "dropped_re_registrations": self.dropped,
            "direct": self.direct,
            "family": self.family,
            "cross_region_direct": self.cross_region(DIRECT),
            "cross_region_family": self.cross_region(FAMILY),
        }

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, MatchCounts)
            and self.regions == other.regions
            and np.array_equal(self.region_pairs, other.region_pairs)
            and np.array_equal(self.domain_pairs, other.domain_pairs)
            and (self.signals, self.dropped) == (other.signals, other.dropped)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"MatchCounts(direct={self.direct:,}, family={self.family:,})"


@dataclass(frozen=True, eq=False)
class MatchPairs:
    """Match pairs: rows ``a < b`` of the table (after dropping re-registrations: rows of
    ``table`` as given), their kind and whether they cross a region boundary."""

    a: I64
    b: I64
    kind: npt.NDArray[np.int8]
    cross: Bools

    def __len__(self) -> int:
        return len(self.a)

    def __repr__(self) -> str:
        return f"MatchPairs({len(self):,})"

    def as_set(self) -> set[tuple[int, int, int, bool]]:
        return set(
            zip(
                self.a.tolist(),
                self.b.tolist(),
                self.kind.tolist(),
                self.cross.tolist(),
                strict=True,
            )
        )


@dataclass
class _Prepared:
    table: SignalTable
    rows: I64  # positions in the caller's table of the rows kept
    ends: I64
    region: npt.NDArray[np.int16]
    regions: tuple[str, ...]
    by_time: npt.NDArray[np.integer] | None  # rank -> row; None: rows are in time order
    rank_bits: int
    same_org: bool
    dropped: int
    period: tuple[int, int] | None

    def made(self, at: I64) -> Bools | bool:
        """Whether matches made at event times ``at`` fall in the period counted."""
        if self.period is None:
            return True
        return (at >= self.period[0]) & (at < self.period[1])


def _packed_order(keys: I64, low_bits: int) -> I64 | None:
    """``argsort(keys)`` (stable) through one packed ``np.sort``, when ``keys`` fit; else
    ``None``."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    low = int(keys.min())
    span = int(keys.max()) - low
    if span.bit_length() + low_bits > 63:
        return None
    packed = keys - low
    packed <<= low_bits
    _or_positions(packed)
    packed.sort()
    packed &= (1 << low_bits) - 1
    return packed


def _or_positions(packed: I64, shift: int = 0, extra: int = 0) -> None:
    """``packed[i] |= i << shift | extra`` in blocks (no array of positions at once)."""
    for i in range(0, len(packed), _BLOCK):
        block = packed[i : i + _BLOCK]
        positions = np.arange(i, i + len(block), dtype=np.int64)
        if shift:
            positions <<= shift
        block |= positions | extra


def _period(period: object) -> tuple[int, int] | None:
    if period is None:
        return None
    if (
        not isinstance(period, tuple)
        or len(period) != 2
        or not all(isinstance(d, date) for d in period)
        or not period[0] < period[1]
    ):
        raise ValidationError("period", "dates", "must be (first day, day after the last)")
    return (period[0].toordinal() << DAY_SHIFT, period[1].toordinal() << DAY_SHIFT)


def _prepare(
    table: SignalTable,
    policy: Policy | None,
    *,
    check: bool,
    idempotent: str,
    period: object = None,
) -> _Prepared:
    if not isinstance(table, SignalTable):
        raise ValidationError("table", "type", "must be a SignalTable")
    if policy is None:
        policy = Policy(regions={})
    if not isinstance(policy, Policy):
        raise ValidationError("policy", "type", "must be a Policy")
    if idempotent not in _IDEMPOTENT:
        raise ValidationError("idempotent", "choice", "must be 'drop' or 'trust'")
    if check:
        table.check(policy)
    n_given = len(table)
    rows = np.arange(n_given, dtype=np.int64)
    dropped = 0
    if idempotent == "drop":
        again = re_registrations(table, policy)
        if bool(again.any()):
            rows = np.flatnonzero(~again)
            dropped = int(again.sum())
            table = table.take(rows)
    names = sorted({policy.region_of(code) for code in table.municipalities})
    index = {name: i for i, name in enumerate(names)}
    region_of_m = np.asarray(
        [index[policy.region_of(code)] for code in table.municipalities], dtype=np.int16
    )
    region = region_of_m[table.municipality] if len(region_of_m) else np.zeros(0, np.int16)
    ends = signal_ends(table, policy)
    n = len(table)
    rank_bits = max(1, (n - 1).bit_length()) if n else 1
    registered = table.registered
    by_time: npt.NDArray[np.integer] | None = None
    if n >= 2 and not bool(np.all(registered[1:] >= registered[:-1])):
        found = _packed_order(registered, rank_bits)
        order = found if found is not None else np.argsort(registered, kind="stable")
        by_time = order.astype(np.int32) if n < 1 << 31 else order
        del order, found
    return _Prepared(
        table=table,
        rows=rows,
        ends=ends,
        region=region,
        regions=tuple(names),
        by_time=by_time,
        rank_bits=rank_bits,
        same_org=policy.same_organisation_matching,
        dropped=dropped,
        period=_period(period),
    )


def _mix(keys: I64, bits: int) -> I64:
    mixed = keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    mixed ^= mixed >> np.uint64(31)
    return np.asarray(mixed >> np.uint64(64 - bits), dtype=np.int64)


def _rows_of(p: _Prepared, ranks: I64) -> I64:
    """Table rows of time ranks."""
    return ranks if p.by_time is None else p.by_time[ranks].astype(np.int64)


def _key_range(values: I64, bits: int) -> tuple[int, bool]:
    """(base, hashed): keys fit ``bits`` after subtracting ``base``, or must be hashed."""
    base, top = int(values.min()), int(values.max())
    return base, (top - base).bit_length() > bits


def _chunk_size(n: int) -> int:
    return int(min(1 << 19, max(1 << 16, n // 16)))


def _chunks(packed: I64, shift: int) -> Iterator[tuple[int, int]]:
    """[c0, c1) position ranges of about a chunk that never split a group."""
    n = len(packed)
    size = _chunk_size(n)
    c0 = 0
    while c0 < n:
        c1 = min(n, c0 + size)
        while c1 < n:
            g = packed[c1 - 1] >> shift
            window = packed[c1 : c1 + 4096] >> shift
            change = np.flatnonzero(window != g)
            if len(change):
                c1 += int(change[0])
                break
            c1 += len(window)
        yield c0, c1
        c0 = c1


def _overlapping(group: I64, start: I64, end: I64) -> Iterator[tuple[I64, I64]]:
    """Local position pairs (i, j), i < j, in one group, with j registered while i is live
    (time-ordered groups: a row that ended before one successor ended before all later)."""
    n = len(group)
    cand = np.flatnonzero((group[1:] == group[:-1]) & (start[1:] < end[:-1]))
    d = 1
    while len(cand):
        yield cand, cand + d
        d += 1
        nxt = cand + d
        inside = nxt < n
        cand, nxt = cand[inside], nxt[inside]
        keep = (group[nxt] == group[cand]) & (start[nxt] < end[cand])
        cand = cand[keep]


class _Sink:
    """Receives matched pairs: counts them, and keeps them when asked."""

    def __init__(self, regions: int, keep_pairs: bool) -> None:
        self.r = regions
        self.region_pairs = np.zeros((2, regions * regions), dtype=np.int64)
        self.domain_pairs = np.zeros((2, 49), dtype=np.int64)
        self.keep = keep_pairs
        self.pairs: list[tuple[I64, I64, int, Bools]] = []

    def add(
        self,
        kind: int,
        rows: tuple[I64, I64],
        region: tuple[npt.NDArray[np.int16], npt.NDArray[np.int16]],
        domain: tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]],
    ) -> None:
        ra, rb = region[0].astype(np.int64), region[1].astype(np.int64)
        lo, hi = np.minimum(ra, rb), np.maximum(ra, rb)
        self.region_pairs[kind] += np.bincount(lo * self.r + hi, minlength=self.r * self.r)
        da, db = domain[0].astype(np.int64), domain[1].astype(np.int64)
        dlo, dhi = np.minimum(da, db), np.maximum(da, db)
        self.domain_pairs[kind] += np.bincount(dlo * 7 + dhi, minlength=49)
        if self.keep:
            a, b = rows
            self.pairs.append((np.minimum(a, b), np.maximum(a, b), kind, ra != rb))


def _may_match(
    org: npt.NDArray[np.int32], prof: npt.NDArray[np.int32], i: I64, j: I64, same_org: bool
) -> Bools:
    """:func:`verwijsindex_core.matching.may_match` over columns: different organisations, or
    with same-organisation matching on, different professionals (a vectorised form of the one
    rule; the oracle test checks that both agree)."""
    differ: Bools = np.asarray(org[i] != org[j])
    if same_org:
        differ |= prof[i] != prof[j]
    return differ


def _direct(p: _Prepared, sink: _Sink) -> None:
    t = p.table
    n = len(t)
    if n < 2:
        return
    base, hashed = _key_range(t.subject, 63 - p.rank_bits)
    # (subject, rank) packed: sorting it orders every subject's signals by time.
    packed = np.empty(n, dtype=np.int64)
    for at in range(0, n, _BLOCK):
        rows = _rows_of(p, np.arange(at, min(n, at + _BLOCK), dtype=np.int64))
        keys = t.subject[rows]
        keys = _mix(keys, 63 - p.rank_bits) if hashed else keys - base
        packed[at : at + len(rows)] = keys << p.rank_bits
    _or_positions(packed)
    packed.sort()
    shift = p.rank_bits
    mask = (1 << shift) - 1
    for c0, c1 in _chunks(packed, shift):
        part = packed[c0:c1]
        group = part >> shift
        rows = _rows_of(p, part & mask)
        start, end = t.registered[rows], p.ends[rows]
        org, prof = t.organisation[rows], t.professional[rows]
        subject = t.subject[rows] if hashed else None
        parents = np.sort(t.parents[rows], axis=1)
        same = group[1:] == group[:-1]
        if subject is not None:
            same &= subject[1:] == subject[:-1]
        if bool(np.any(same & np.any(parents[1:] != parents[:-1], axis=1))):
            raise ValidationError(
                "parents", "per-subject", "must be the same on every signal of a subject"
            )
        del parents, same
        region, domain = p.region[rows], t.domain[rows]
        for first, second in _overlapping(group, start, end):
            ok = _may_match(org, prof, first, second, p.same_org) & p.made(start[second])
            if subject is not None:
                ok &= subject[first] == subject[second]
            i, j = first[ok], second[ok]
            sink.add(DIRECT, (rows[i], rows[j]), (region[i], region[j]), (domain[i], domain[j]))


def _parent_range(t: SignalTable) -> tuple[int, int, int] | None:
    """(known parent keys, smallest, largest), or None when fewer than two are known."""
    count, base, top = 0, None, None
    for c in range(t.parents.shape[1]):
        column = t.parents[:, c]
        known = column >= 0
        found = int(known.sum())
        if found:
            count += found
            smallest = int(np.where(known, column, np.iinfo(np.int64).max).min())
            largest = int(np.where(known, column, -1).max())
            base = smallest if base is None else min(base, smallest)
            top = largest if top is None else max(top, largest)
    if count < 2 or base is None or top is None:
        return None
    return count, base, top


def _family_keys(p: _Prepared) -> tuple[I64, int, bool] | None:
    """(parent, rank, column) of every parent of every signal, packed and sorted, built in
    blocks; with the shift of the parent part and whether parents were hashed."""
    t = p.table
    n = len(t)
    span = _parent_range(t)
    if span is None:
        return None
    count, base, top = span
    low_bits = p.rank_bits + 2
    hashed = (top - base).bit_length() > 63 - low_bits
    packed = np.empty(count, dtype=np.int64)
    at = 0
    for i in range(0, n, _BLOCK):
        ranks = np.arange(i, min(n, i + _BLOCK), dtype=np.int64)
        rows = _rows_of(p, ranks)
        for c in range(t.parents.shape[1]):
            keys = t.parents[rows, c]
            where = np.flatnonzero(keys >= 0)
            if not len(where):
                continue
            keys = keys[where]
            keys = _mix(keys, 63 - low_bits) if hashed else keys - base
            keys <<= low_bits
            keys |= (ranks[where] << 2) | c
            packed[at : at + len(keys)] = keys
            at += len(keys)
    packed.sort()
    return packed, low_bits, hashed


def _family(p: _Prepared, sink: _Sink) -> None:
    t = p.table
    k = t.parents.shape[1]
    built = _family_keys(p)
    if built is None:
        return
    packed, shift, hashed = built
    mask = (1 << shift) - 1
    for c0, c1 in _chunks(packed, shift):
        part = packed[c0:c1]
        group = part >> shift
        ranks = part & mask
        rows = _rows_of(p, ranks >> 2)
        col = ranks & 3
        del ranks
        start, end = t.registered[rows], p.ends[rows]
        org, prof = t.organisation[rows], t.professional[rows]
        subject = t.subject[rows]
        parents = t.parents[rows]
        parent = parents[np.arange(len(rows)), col]
        region, domain = p.region[rows], t.domain[rows]
        for first, second in _overlapping(group, start, end):
            ok = (subject[first] != subject[second]) & p.made(start[second])
            ok &= _may_match(org, prof, first, second, p.same_org)
            if hashed:
                ok &= parent[first] == parent[second]
            i, j = first[ok], second[ok]
            # Count the pair once: through the smallest parent the two subjects share.
            via = parent[i]
            smaller_shared = np.zeros(len(i), dtype=np.bool_)
            for ca in range(k):
                q = parents[i, ca]
                lower = (q >= 0) & (q < via)
                if not lower.any():
                    continue
                for cb in range(k):
                    smaller_shared |= lower & (q == parents[j, cb])
            i, j = i[~smaller_shared], j[~smaller_shared]
            sink.add(FAMILY, (rows[i], rows[j]), (region[i], region[j]), (domain[i], domain[j]))


def _run(
    table: SignalTable,
    policy: Policy | None,
    *,
    family: bool,
    check: bool,
    idempotent: str,
    keep_pairs: bool,
    period: object,
) -> tuple[_Prepared, _Sink]:
    if type(family) is not bool:
        raise ValidationError("family", "type", "must be True or False")
    if type(check) is not bool:
        raise ValidationError("check", "type", "must be True or False")
    p = _prepare(table, policy, check=check, idempotent=idempotent, period=period)
    sink = _Sink(max(1, len(p.regions)), keep_pairs)
    _direct(p, sink)
    if family:
        _family(p, sink)
    return p, sink


def match_counts(
    table: SignalTable,
    policy: Policy | None = None,
    *,
    family: bool = True,
    check: bool = True,
    idempotent: str = "drop",
    period: tuple[date, date] | None = None,
) -> MatchCounts:
    """Count the matches the engine makes on ``table`` under ``policy`` (default: the
    default policy with no region table, so every municipality is its own region), per kind,
    region pair and domain pair, without materialising pairs.

    ``family=False`` leaves family matching out (an experiment; the engine always does it).
    ``period=(first, end)`` counts only matches made on days ``first <= day < end`` (the
    later signal's registration day). ``check`` runs :meth:`SignalTable.check`;
    ``idempotent="trust"`` skips dropping re-registrations
    (:func:`~verwijsindex_core.synthetic.nation.re_registrations`) for a table known to hold
    created signals only.
    """
    p, sink = _run(
        table,
        policy,
        family=family,
        check=check,
        idempotent=idempotent,
        keep_pairs=False,
        period=period,
    )
    r = max(1, len(p.regions))
    return MatchCounts(
        regions=p.regions or ("",),
        region_pairs=sink.region_pairs.reshape(2, r, r),
        domain_pairs=sink.domain_pairs.reshape(2, 7, 7),
        signals=len(p.table),
        dropped=p.dropped,
    )


def match_pairs(
    table: SignalTable,
    policy: Policy | None = None,
    *,
    family: bool = True,
    check: bool = True,
    idempotent: str = "drop",
    period: tuple[date, date] | None = None,
) -> MatchPairs:
    """The match pairs themselves (rows of ``table``), as :func:`match_counts` counts them."""
    p, sink = _run(
        table,
        policy,
        family=family,
        check=check,
        idempotent=idempotent,
        keep_pairs=True,
        period=period,
    )
    if not sink.pairs:
        empty = np.zeros(0, dtype=np.int64)
        return MatchPairs(empty, empty, np.zeros(0, dtype=np.int8), np.zeros(0, dtype=np.bool_))
    a = p.rows[np.concatenate([x[0] for x in sink.pairs])]
    b = p.rows[np.concatenate([x[1] for x in sink.pairs])]
    kind = np.concatenate([np.full(len(x[0]), x[2], dtype=np.int8) for x in sink.pairs])
    cross = np.concatenate([x[3] for x in sink.pairs])
    return MatchPairs(a, b, kind, cross)
