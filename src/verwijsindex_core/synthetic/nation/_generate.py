"""The nation generator: families, births, moves and signal episodes, vectorised with numpy and
produced in chunks of families (a chunk's draws come from the configuration's seed and the
chunk's number, so the result does not depend on the chunk size's history).

Only the families that have an episode are drawn in full: every family gets its children and
their birth days (the young people are counted and numbered), and one uniform that says
whether it has an episode in the period and in which risk class. A family's household (its
parents, municipality and move) is a counter-based draw (:mod:`._counter`) of the seed and the
family's number, made for the families with an episode when their signals are made, and for
all families only when :class:`People` columns are read. That is the model of
:class:`NationRates` exactly: the risk class and episodes of a family are independent of the
rest of it, and a family has at least one episode with chance ``sum(share * (1 - exp(-rate *
years)))``; given one, the first lies at a truncated-exponential time and the others follow
as a Poisson process after it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from verwijsindex_core.synthetic.nation._counter import counter_uniforms, field_key
from verwijsindex_core.synthetic.nation._geography import Geography, make_geography
from verwijsindex_core.synthetic.nation._model import CBS_AGE_GROUPS, NationConfig
from verwijsindex_core.synthetic.nation._people import People
from verwijsindex_core.synthetic.nation._table import (
    _COLUMNS,
    NO_STOP,
    SignalTable,
    _turns_23,
    event_time,
)

__all__ = ["Nation", "People", "build_nation", "generate_nation", "nation_geography"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
_YEAR: Final = 365.2425
_PARENT_BASE: Final = 1 << 40  # parent keys: a range of their own, apart from subjects
# Streams of the counter-based household draws (the field numbers of field_key).
_TWO, _HALF, _OTHER, _HOME, _MOVES, _MOVE_DAY, _FAR, _SAME_REGION, _NEAR = range(9)


@dataclass(frozen=True, eq=False)
class Nation:
    """A generated nation: its geography, its young people and their signals (the people's
    columns are computed when first read: see :class:`People`)."""

    config: NationConfig
    geography: Geography
    people: People
    signals: SignalTable

    def __repr__(self) -> str:
        return f"Nation({len(self.people):,} young people, {len(self.signals):,} signals)"


def nation_geography(config: NationConfig) -> Geography:
    """The municipalities, regions and organisations of ``config`` (from its seed)."""
    rates = config.rates
    return make_geography(
        np.random.default_rng([config.seed, 0]),
        municipalities=config.municipalities,
        regions=config.regions,
        organisations=max(rates.organisations, config.municipalities * 7),
        professionals_per_organisation=rates.professionals_per_organisation,
    )


def _ragged(counts: I64) -> tuple[I64, I64]:
    """For groups of ``counts``: the group of each item and its place in the group."""
    total = int(counts.sum())
    group = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    place = np.arange(total, dtype=np.int64) - np.repeat(starts, counts)
    return group, place


def _pick(cumulative: F64, u: F64) -> I64:
    """``searchsorted(cumulative, u, side="right")`` (an inverse-CDF draw; ``cumulative``
    ends at 1.0) through a guide table: a bucket of ``u`` gives the first candidate, then a few
    vectorised steps forward. Exact, and several times faster than a binary search per draw."""
    if len(cumulative) <= 8:  # a few comparisons beat any lookup
        index = np.zeros(len(u), dtype=np.int64)
        for edge in cumulative[:-1].tolist():
            index += u >= edge
        return index
    buckets = 8 * len(cumulative)
    guide = np.searchsorted(cumulative, np.arange(buckets) / buckets, side="right")
    index = guide[(u * buckets).astype(np.int64)]
    ahead = np.flatnonzero(cumulative[index] <= u)
    while len(ahead):
        index[ahead] += 1
        ahead = ahead[cumulative[index[ahead]] <= u[ahead]]
    return index.astype(np.int64)


def _cumulative(weights: npt.ArrayLike) -> F64:
    """Cumulative shares of ``weights``, the last exactly 1.0 (for :func:`_pick`)."""
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
    cumulative /= cumulative[-1]
    cumulative[-1] = 1.0
    return cumulative


def _birth_days(rng: np.random.Generator, n: int, config: NationConfig) -> I64:
    """First children's birth days: ages on the start date drawn from the CBS groups (ages
    up to 27, so that younger siblings of older first children fill the top ages), births
    during the period at the rate of the youngest group."""
    start = config.start.toordinal()
    per_year = [people / 5 for _, people in CBS_AGE_GROUPS]
    ages = list(range(-((config.days + 364) // 365), 28))
    weights = np.array(
        [per_year[0] if a < 0 else per_year[min(a // 5, len(per_year) - 1)] for a in ages],
        dtype=np.float64,
    )
    # The first year after the start is only partly inside the period.
    weights[0] *= (config.days % 365 or 365) / 365
    age = _pick(_cumulative(weights), rng.random(n)) + ages[0]
    within = rng.random(n)
    return start - ((age + within) * _YEAR).astype(np.int64)


class _Demography(NamedTuple):
    """A chunk's children (in family order) and families."""

    born: I64  # per child: birth day (ordinal)
    eligible: Bools  # per child: 0-22 at some time in the period
    sizes: I64  # per family: children
    first: I64  # per family: its first child's row


def _demography(config: NationConfig, number: int, families: int) -> _Demography:
    """Children of the chunk's families: 1-4 each, 300-1,500 days apart."""
    rng, rates = np.random.default_rng([config.seed, 1, number]), config.rates
    sizes = _pick(_cumulative(rates.family_sizes), rng.random(families)) + 1
    first = np.cumsum(sizes) - sizes
    spacing = rng.integers(300, 1500, size=int(sizes.sum()))
    spacing[first] = 0
    born = np.cumsum(spacing)  # then less the family's sum so far, plus its first birth day
    born += np.repeat(_birth_days(rng, families, config) - born[first], sizes)
    eligible = (born >= _first_eligible_birth(config.start.toordinal())) & (
        born < config.start.toordinal() + config.days
    )
    return _Demography(born, eligible, sizes, first)


@lru_cache(maxsize=16)
def _first_births(start: int, days: int) -> npt.NDArray[np.int32]:
    """For each day of the period: the first birth day of someone not yet 23 that day
    (``turns_23_on`` is monotone, so those born from it on are)."""
    births = np.arange(start - 23 * 366 - 2, start + days - 23 * 365 + 2, dtype=np.int32)
    turns = _turns_23(births)
    first = births[np.searchsorted(turns, np.arange(start, start + days), side="right")]
    first.setflags(write=False)
    return first


def _first_eligible_birth(start: int) -> int:
    """The first birth day of someone 0-22 at some time in a period starting on ``start``
    (then born before the period's end)."""
    return int(_first_births(start, 1)[0])


class _Households(NamedTuple):
    """Per family: parents' keys (two columns), municipality, move day (0: none) and target."""

    parents: I64
    home: I64
    move_day: I64
    move_to: I64


def _households(config: NationConfig, geo: Geography, families: I64) -> _Households:
    """The households of the families numbered ``families`` (numbers over the whole nation),
    each drawn from the seed and the family's number alone."""
    rates, seed, per_chunk = config.rates, config.seed, _families_per_chunk(config)

    def uniform(field: int) -> F64:
        return counter_uniforms(field_key(seed, field), families)

    parents = np.empty((len(families), 2), dtype=np.int64)
    parents[:, 0] = _PARENT_BASE + 2 * families
    parents[:, 1] = np.where(uniform(_TWO) < rates.two_parent_share, parents[:, 0] + 1, -1)
    # Half-siblings: the first parent is another family's (of the same chunk) first parent.
    half = uniform(_HALF) < rates.half_sibling_share
    if half.any():
        place = families[half] % per_chunk
        step = 1 + (uniform(_OTHER)[half] * (per_chunk - 1)).astype(np.int64)
        other = families[half] - place + (place + step) % per_chunk
        parents[half, 0] = _PARENT_BASE + 2 * other
    cumulative = _cumulative(geo.weight)
    home = _pick(cumulative, uniform(_HOME))
    years = config.days / _YEAR
    moves = uniform(_MOVES) < -np.expm1(-rates.moves_per_family_year * years)
    day = config.start.toordinal() + (uniform(_MOVE_DAY) * config.days).astype(np.int64)
    move_day = np.where(moves, day, 0)
    far = _pick(cumulative, uniform(_FAR))
    # Within the region: another municipality of the same region, when it has one.
    by_region = np.argsort(geo.region, kind="stable")
    region_start = np.searchsorted(geo.region[by_region], np.arange(len(geo.region_names)))
    region_count = np.bincount(geo.region, minlength=len(geo.region_names))
    r = geo.region[home].astype(np.int64)
    near = by_region[region_start[r] + (uniform(_NEAR) * region_count[r]).astype(np.int64)]
    same = (uniform(_SAME_REGION) < rates.move_in_region_share) & (near != home)
    move_to = np.where(same, near, far).astype(np.int64)
    return _Households(parents, home, move_day, move_to)


class _Episodes(NamedTuple):
    """Episodes in family order: family (place in the chunk), risk class, day."""

    family: I64
    risk: I64
    day: I64


def _episodes(rng: np.random.Generator, config: NationConfig, families: int) -> _Episodes:
    """Which families have episodes (one uniform each), and their episodes' days."""
    rates, years = config.rates, config.days / _YEAR
    lam = np.asarray(rates.episodes_per_year, dtype=np.float64) * years
    some = np.asarray(rates.risk_shares) * -np.expm1(-lam)  # P(class, at least one)
    u = rng.random(families)
    family = np.flatnonzero(u < some.sum()).astype(np.int64)
    if len(family) == 0:
        return _Episodes(family, family, family)
    risk = _pick(_cumulative(some), u[family] / some.sum())
    mean = lam[risk]
    # Given at least one: the first at a truncated-exponential time in [0, 1) of the period,
    # then a Poisson process over the rest.
    first = -np.log1p(rng.random(len(family)) * np.expm1(-mean)) / mean
    count = 1 + rng.poisson(mean * (1 - first)).astype(np.int64)
    episode, place = _ragged(count)
    at = first[episode]
    later = place > 0
    at[later] += (1 - at[later]) * rng.random(int(later.sum()))
    day = config.start.toordinal() + np.minimum(
        (at * config.days).astype(np.int64), config.days - 1
    )
    return _Episodes(family[episode], risk[episode], day)


class _Rows(NamedTuple):
    """Signals of a chunk before their organisations: child row, family, day, risk class."""

    child: I64
    family: I64
    day: I64
    risk: I64


def _signal_rows(
    rng: np.random.Generator, config: NationConfig, demo: _Demography, ep: _Episodes
) -> _Rows:
    """Every child of the family per episode; the involved ones get 1 + Poisson signals within
    ``episode_days``, kept while the child is 0-22 and within the period. Children who cannot
    have a signal in the episode (born after it, or 23 at its start) are left out before the
    draws: a draw for them could only be dropped."""
    rates, start = config.rates, config.start.toordinal()
    first_births = _first_births(start, config.days)
    ep_index, place = _ragged(demo.sizes[ep.family])
    child = demo.first[ep.family[ep_index]] + place
    born, ep_day = demo.born[child], ep.day[ep_index]
    live = (born < ep_day + rates.episode_days) & (born >= first_births[ep_day - start])
    ep_index, child = ep_index[live], child[live]
    risk = ep.risk[ep_index]
    involved = rng.random(len(child)) < np.asarray(rates.involvement)[risk]
    ep_index, child, risk = ep_index[involved], child[involved], risk[involved]
    count = 1 + rng.poisson(np.asarray(rates.extra_signals)[risk]).astype(np.int64)
    sig = np.repeat(np.arange(len(child), dtype=np.int64), count)
    child, risk, ep_index = child[sig], risk[sig], ep_index[sig]
    day = ep.day[ep_index] + rng.integers(0, rates.episode_days, size=len(sig))
    born = demo.born[child]
    ok = day < start + config.days
    day[~ok] = start  # (dropped below; keeps the lookup in range)
    ok &= (day >= born) & (born >= first_births[day - start])
    return _Rows(child[ok], ep.family[ep_index[ok]], day[ok], risk[ok])


def _domains(rng: np.random.Generator, config: NationConfig, age: F64) -> I64:
    """A domain per signal, by the weights of its age band (``age`` in years)."""
    bands = [a for a, _ in config.rates.domain_by_age]
    band = np.full(len(age), -1, dtype=np.int64)  # searchsorted(bands, age, side="right") - 1
    for first_age in bands:
        band += age >= first_age
    # One inverse-CDF draw over the bands' cumulative weights laid end to end: band + u.
    cum = np.cumsum(np.asarray([w for _, w in config.rates.domain_by_age]), axis=1)
    laid = (np.arange(len(bands))[:, None] + cum).ravel() / len(bands)
    laid[-1] = 1.0
    domain: I64 = _pick(laid, (band + rng.random(len(age))) / len(bands)) - cum.shape[1] * band
    np.minimum(domain, cum.shape[1] - 1, out=domain)
    return domain


def _organisations(
    rng: np.random.Generator, config: NationConfig, geo: Geography, age: F64, home: I64
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
    """Organisation and domain per signal: domains by ``age`` (years); the organisation in the
    municipality ``home`` (where the family lives that day), else its region, else anywhere."""
    rates, n = config.rates, len(age)
    domain = _domains(rng, config, age)
    where, pick = rng.random(n), rng.random(n)
    # Level 0: (municipality, domain), 1: (region, domain), 2: domain; their organisation
    # lists laid end to end.
    level = (where >= rates.own_municipality_share).astype(np.int64)
    level += where >= rates.own_municipality_share + rates.own_region_share
    unit = home.copy()
    regional = level == 1
    unit[regional] = geo.region[home[regional]]
    unit[level == 2] = 0
    base = np.array([0, len(geo.md_start), len(geo.md_start) + len(geo.rd_start)])
    group = base[level] + unit * 7 + domain
    start = np.concatenate(
        [
            geo.md_start,
            len(geo.md_orgs) + geo.rd_start,
            len(geo.md_orgs) + len(geo.rd_orgs) + geo.d_start,
        ]
    )
    count = np.concatenate([geo.md_count, geo.rd_count, geo.d_count])
    orgs = np.concatenate([geo.md_orgs, geo.rd_orgs, geo.d_orgs])
    org = orgs[start[group] + (pick * count[group]).astype(np.int64)]
    return org.astype(np.int32), domain


def _ends(
    rng: np.random.Generator, config: NationConfig, day: I64
) -> tuple[I64, I64, npt.NDArray[np.int32]]:
    """Registration and stop event times and the planned end day of signals made on ``day``."""
    rates, n = config.rates, len(day)
    registered = event_time(day, rng.integers(0, 1 << 20, size=n))
    low, high = rates.planned_days
    explicit = rng.random(n) >= rates.default_end_share
    planned = np.where(explicit, day + rng.integers(low, high, size=n), 0).astype(np.int32)
    term = np.where(explicit, planned - day, 365)
    stops = rng.random(n) < rates.stop_share
    stop_day = day + 1 + (rng.random(n) * (term - 1)).astype(np.int64)
    stopped = np.where(stops, event_time(stop_day, rng.integers(0, 1 << 20, size=n)), NO_STOP)
    return registered, stopped.astype(np.int64), planned


class _Made(NamedTuple):
    """A chunk's signals: rows (child, family, ...), households of their families, columns."""

    rows: _Rows
    parents: I64
    columns: dict[str, npt.NDArray[np.generic]]


def _chunk_signals(
    config: NationConfig, geo: Geography, number: int, families: int, demo: _Demography
) -> _Made:
    """The signals of chunk ``number`` (its ``families`` families, ``demo``), in family order."""
    rng = np.random.default_rng([config.seed, 2, number])
    rows = _signal_rows(rng, config, demo, _episodes(rng, config, families))
    # Households of the families with signals only (rows are in family order).
    new = np.ones(len(rows.family), dtype=np.bool_)
    new[1:] = rows.family[1:] != rows.family[:-1]
    which = np.cumsum(new) - 1
    house = _households(config, geo, number * families + rows.family[new])
    moved = (house.move_day[which] > 0) & (rows.day >= house.move_day[which])
    home = np.where(moved, house.move_to[which], house.home[which])
    age = (rows.day - demo.born[rows.child]) / _YEAR
    org, domain = _organisations(rng, config, geo, age, home)
    prof = geo.prof_first[org] + (rng.random(len(org)) * geo.prof_count[org]).astype(np.int32)
    registered, stopped, planned = _ends(rng, config, rows.day)
    columns: dict[str, npt.NDArray[np.generic]] = {
        "organisation": org,
        "professional": prof.astype(np.int32),
        "domain": domain.astype(np.int8),
        "municipality": geo.org_municipality[org],  # the organisation's, as in the demo
        "registered": registered,
        "stopped": stopped,
        "planned_end": planned,
    }
    return _Made(rows, house.parents[which], columns)


def _families_per_chunk(config: NationConfig) -> int:
    """Chunks of at most about a million signals and a million people."""
    years = max(config.days / _YEAR, 1.0)
    return int(max(1_000, min(400_000, 600_000 / years)))


def _chunk_people(
    config: NationConfig, geo: Geography, number: int, cut: int, person_base: int
) -> People:
    """The young people of chunk ``number``'s first ``cut`` families (drawn again)."""
    families = _families_per_chunk(config)
    demo = _demography(config, number, families)
    rows = len(demo.born) if cut >= families else int(demo.first[cut])
    child = np.flatnonzero(demo.eligible[:rows])
    family = number * families + np.repeat(np.arange(families), demo.sizes)[child]
    house = _households(config, geo, family)
    return People(
        key=person_base + np.arange(len(child), dtype=np.int64),
        born=demo.born[child].astype(np.int32),
        family=family,
        municipality=house.home.astype(np.int16),
        move_day=house.move_day.astype(np.int32),
        move_to=house.move_to.astype(np.int16),
        parents=house.parents,
    )


def _cut(config: NationConfig, demo: _Demography, made: _Made, done: tuple[int, int]) -> int:
    """Families of the chunk to keep: up to the one that completes the count (people on the
    start date, or signals when ``config.signals`` is set); all of them when it is not
    reached. ``done``: people and signals of the chunks before."""
    families = len(demo.sizes)
    if config.signals is None:
        at_start = demo.eligible & (demo.born <= config.start.toordinal())
        per_family = np.add.reduceat(at_start, demo.first, dtype=np.int64)
        need = config.people - done[0]
    else:
        per_family = np.bincount(made.rows.family, minlength=families)
        need = config.signals - done[1]
    return int(np.searchsorted(np.cumsum(per_family), need)) + 1


def _signal_table(
    geo: Geography, demo: _Demography, made: _Made, rows: Bools, keys: I64
) -> SignalTable:
    """The chunk's signals ``rows`` as a table, subjects numbered by ``keys`` (per child)."""
    child = made.rows.child[rows]
    return SignalTable(
        subject=keys[child],
        born=demo.born[child].astype(np.int32),
        parents=made.parents[rows],
        municipalities=geo.codes,
        **{name: column[rows] for name, column in made.columns.items()},  # type: ignore[arg-type]
    )


def generate_nation(config: NationConfig) -> Iterator[tuple[People, SignalTable]]:
    """The nation in chunks of families: (people, signals) per chunk, keys numbered on from
    the previous chunks. Stops at ``config.people`` young people on the start date, or at
    ``config.signals`` signals when that is set (the last chunk cut to the exact number).
    The people's columns are computed when first read (:class:`People`)."""
    geo = nation_geography(config)
    start = config.start.toordinal()
    per_chunk = _families_per_chunk(config)
    people_done = signals_done = person_base = 0
    number = 0
    while True:
        demo = _demography(config, number, per_chunk)
        made = _chunk_signals(config, geo, number, per_chunk, demo)
        cut = _cut(config, demo, made, (people_done, signals_done))
        last = cut <= per_chunk or people_done > 4 * config.people  # (rates too low)
        cut = min(cut, per_chunk)
        kept = len(demo.born) if cut >= per_chunk else int(demo.first[cut])
        rank = np.cumsum(demo.eligible[:kept]) - 1  # the kept children's place among them
        rows = made.rows.family < cut
        if config.signals is not None and last:
            rows &= np.cumsum(rows) <= config.signals - signals_done
        signals = _signal_table(geo, demo, made, rows, person_base + rank)
        count = int(rank[-1]) + 1 if kept else 0
        people = People.on_demand(
            count, partial(_chunk_people, config, geo, number, cut, person_base)
        )
        at_start = demo.eligible[:kept] & (demo.born[:kept] <= start)
        people_done += int(np.count_nonzero(at_start))
        signals_done += len(signals)
        person_base += count
        number += 1
        yield people, signals
        if last:
            return


def build_nation(config: NationConfig) -> Nation:
    """The whole nation in memory (numpy columns; ``generate_nation`` gives it in chunks).
    The signals are made at once; the people's columns when first read."""
    parts: list[People] = []

    def signal_chunks() -> Iterator[SignalTable]:
        for people, signals in generate_nation(config):
            parts.append(people)
            yield signals

    signals = _gather(signal_chunks(), config.signals)
    people = People.on_demand(sum(len(p) for p in parts), partial(People.concat, parts))
    return Nation(config, nation_geography(config), people, signals)


def _gather(chunks: Iterator[SignalTable], capacity: int | None) -> SignalTable:
    """The chunks as one table. With a known most number of rows (``config.signals``) the
    columns are allocated once and each chunk is copied in and let go, instead of keeping
    every chunk for a concatenation at the end: half the memory touched for the first time
    (which is what costs here, not the copying) and a lower peak."""
    if capacity is None:
        return SignalTable.concat(list(chunks))
    first = next(chunks)
    columns = {name: np.empty(capacity, getattr(first, name).dtype) for name in _COLUMNS}
    parents = np.empty((capacity, first.parents.shape[1]), np.int64)
    filled = 0
    for table in itertools.chain([first], chunks):  # the last chunk is cut to fit exactly
        n = len(table)
        for name, column in columns.items():
            column[filled : filled + n] = getattr(table, name)
        parents[filled : filled + n] = table.parents
        filled += n
    return SignalTable(
        municipalities=first.municipalities,
        parents=parents[:filled],
        **{name: column[:filled] for name, column in columns.items()},
    )
