"""The nation generator: families, births, moves and signal episodes, vectorised with numpy and
produced in chunks of families (each chunk seeded from the configuration's seed and its
number, so the result does not depend on the chunk size's history)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from verwijsindex_core.synthetic.nation._geography import Geography, make_geography
from verwijsindex_core.synthetic.nation._model import CBS_AGE_GROUPS, NationConfig
from verwijsindex_core.synthetic.nation._table import SignalTable, _turns_23, event_time

__all__ = ["Nation", "People", "build_nation", "generate_nation", "nation_geography"]

I64 = npt.NDArray[np.int64]
_YEAR: Final = 365.2425
_PARENT_BASE: Final = 1 << 40  # parent keys: a range of their own, apart from subjects


@dataclass(frozen=True, eq=False)
class People:
    """The young people of the nation (one row each): key, date of birth (ordinal), family,
    municipality on the start date, the day of the family's move (0: none) and where to."""

    key: npt.NDArray[np.int64]
    born: npt.NDArray[np.int32]
    family: npt.NDArray[np.int64]
    municipality: npt.NDArray[np.int16]
    move_day: npt.NDArray[np.int32]
    move_to: npt.NDArray[np.int16]
    parents: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.key)

    def __repr__(self) -> str:
        return f"People({len(self):,})"


@dataclass(frozen=True, eq=False)
class Nation:
    """A generated nation: its geography, its young people and their signals."""

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
    age = rng.choice(ages, size=n, p=weights / weights.sum())
    within = rng.random(n)
    born = start - ((age + within) * _YEAR).astype(np.int64)
    return np.asarray(born, dtype=np.int64)


class _Chunk:
    """One chunk of families and what they generate."""

    def __init__(self, config: NationConfig, geo: Geography, number: int, families: int) -> None:
        self.config, self.geo, self.rates = config, geo, config.rates
        self.rng = np.random.default_rng([config.seed, 1, number])
        self.families = families

    def people(self) -> tuple[I64, I64, npt.NDArray[np.bool_], I64]:
        """Children: family, birth day, eligible during the period, family sizes."""
        rng, rates, cfg = self.rng, self.rates, self.config
        sizes = rng.choice(len(rates.family_sizes), size=self.families, p=rates.family_sizes) + 1
        sizes = sizes.astype(np.int64)
        family, place = _ragged(sizes)
        spacing = rng.integers(300, 1500, size=len(family))
        spacing[place == 0] = 0
        offset = np.cumsum(spacing)
        offset -= np.repeat(offset[np.cumsum(sizes) - sizes], sizes)
        born = _birth_days(rng, self.families, cfg)[family] + offset
        start, end = cfg.start.toordinal(), cfg.start.toordinal() + cfg.days
        eligible = born < end
        if eligible.any():
            turns = np.zeros(len(born), dtype=np.int64)
            turns[eligible] = _turns_23(born[eligible].astype(np.int32))
            eligible &= turns > start
        return family, born, eligible, sizes

    def households(self) -> tuple[npt.NDArray[np.int64], ...]:
        """Per family: parents (two columns), risk class, municipality, move day and target."""
        rng, rates, geo, cfg = self.rng, self.rates, self.geo, self.config
        f = self.families
        parents = np.full((f, 2), -1, dtype=np.int64)
        parents[:, 0] = np.arange(f)
        two = rng.random(f) < rates.two_parent_share
        parents[two, 1] = f + np.flatnonzero(two)
        half = np.flatnonzero(rng.random(f) < rates.half_sibling_share)
        if f > 1 and len(half):
            other = (half + rng.integers(1, f, size=len(half))) % f
            parents[half, 0] = parents[other, 0]  # shares a parent with another family
        risk = rng.choice(3, size=f, p=rates.risk_shares).astype(np.int64)
        cumulative = np.cumsum(geo.weight)
        cumulative[-1] = 1.0
        home = np.searchsorted(cumulative, rng.random(f), side="right").astype(np.int64)
        years = cfg.days / _YEAR
        moves = rng.random(f) < 1 - np.exp(-rates.moves_per_family_year * years)
        move_day = np.where(
            moves, cfg.start.toordinal() + rng.integers(0, cfg.days, size=f), 0
        ).astype(np.int64)
        far = np.searchsorted(cumulative, rng.random(f), side="right").astype(np.int64)
        # Within the region: another municipality of the same region, when it has one.
        same_region = rng.random(f) < rates.move_in_region_share
        by_region = np.argsort(geo.region, kind="stable")
        region_start = np.searchsorted(geo.region[by_region], np.arange(len(geo.region_names)))
        region_count = np.bincount(geo.region, minlength=len(geo.region_names))
        r = geo.region[home].astype(np.int64)
        near = by_region[region_start[r] + (rng.random(f) * region_count[r]).astype(np.int64)]
        move_to = np.where(same_region & (near != home), near, far).astype(np.int64)
        return parents, risk, home, move_day, move_to

    def signals(
        self,
        family: I64,
        born: I64,
        eligible: npt.NDArray[np.bool_],
        sizes: I64,
        households: tuple[npt.NDArray[np.int64], ...],
    ) -> dict[str, npt.NDArray[np.generic]]:
        rng, rates, geo, cfg = self.rng, self.rates, self.geo, self.config
        _, risk, home, move_day, move_to = households
        start = cfg.start.toordinal()
        end = start + cfg.days
        years = cfg.days / _YEAR
        rate = np.asarray(rates.episodes_per_year, dtype=np.float64)[risk]
        episodes = rng.poisson(rate * years).astype(np.int64)
        ep_family = np.repeat(np.arange(self.families, dtype=np.int64), episodes)
        ep_day = start + rng.integers(0, cfg.days, size=len(ep_family))
        # Every child of the family, per episode.
        first_child = np.cumsum(sizes) - sizes
        ec_episode, place = _ragged(sizes[ep_family])
        child = first_child[ep_family[ec_episode]] + place
        fam = ep_family[ec_episode]
        involved = eligible[child] & (
            rng.random(len(child)) < np.asarray(rates.involvement)[risk[fam]]
        )
        ec_episode, child, fam = ec_episode[involved], child[involved], fam[involved]
        count = 1 + rng.poisson(np.asarray(rates.extra_signals)[risk[fam]]).astype(np.int64)
        sig = np.repeat(np.arange(len(child), dtype=np.int64), count)
        child, fam = child[sig], fam[sig]
        day = ep_day[ec_episode[sig]] + rng.integers(0, rates.episode_days, size=len(sig))
        turns = np.zeros(len(child), dtype=np.int64)
        ok = (day < end) & (day >= born[child])
        turns[ok] = _turns_23(born[child][ok].astype(np.int32))
        ok &= day < turns
        child, fam, day = child[ok], fam[ok], day[ok]
        n = len(child)

        municipality = np.where(
            (move_day[fam] > 0) & (day >= move_day[fam]), move_to[fam], home[fam]
        )
        age = (day - born[child]) / _YEAR
        bands = np.asarray([a for a, _ in rates.domain_by_age], dtype=np.float64)
        band = np.searchsorted(bands, age, side="right") - 1
        cum = np.cumsum(np.asarray([w for _, w in rates.domain_by_age]), axis=1)
        domain = (rng.random(n)[:, None] > cum[band]).sum(axis=1).clip(0, 6).astype(np.int64)

        where = rng.random(n)
        pick = rng.random(n)
        md = municipality * 7 + domain
        rd = geo.region[municipality].astype(np.int64) * 7 + domain
        local = geo.md_orgs[geo.md_start[md] + (pick * geo.md_count[md]).astype(np.int64)]
        regional = geo.rd_orgs[geo.rd_start[rd] + (pick * geo.rd_count[rd]).astype(np.int64)]
        national = geo.d_orgs[geo.d_start[domain] + (pick * geo.d_count[domain]).astype(np.int64)]
        own = rates.own_municipality_share
        org = np.where(
            where < own,
            local,
            np.where(where < own + rates.own_region_share, regional, national),
        ).astype(np.int32)
        prof = geo.prof_first[org] + (rng.random(n) * geo.prof_count[org]).astype(np.int32)

        registered = event_time(day, rng.integers(0, 1 << 20, size=n))
        low, high = rates.planned_days
        explicit = rng.random(n) >= rates.default_end_share
        planned = np.where(explicit, day + rng.integers(low, high, size=n), 0).astype(np.int32)
        term = np.where(explicit, planned - day, 365)
        stops = rng.random(n) < rates.stop_share
        stop_day = day + 1 + (rng.random(n) * (term - 1)).astype(np.int64)
        stopped = np.where(
            stops, event_time(stop_day, rng.integers(0, 1 << 20, size=n)), np.iinfo(np.int64).max
        )
        return {
            "child": child,
            "organisation": org,
            "professional": prof.astype(np.int32),
            "domain": domain.astype(np.int8),
            "municipality": geo.org_municipality[org],  # the organisation's, as in the demo
            "registered": registered,
            "stopped": stopped.astype(np.int64),
            "planned_end": planned,
        }


def _families_per_chunk(config: NationConfig) -> int:
    """Chunks of at most about a million signals and a million people."""
    years = max(config.days / _YEAR, 1.0)
    return int(max(1_000, min(400_000, 600_000 / years)))


def generate_nation(config: NationConfig) -> Iterator[tuple[People, SignalTable]]:
    """The nation in chunks of families: (people, signals) per chunk, keys numbered on from
    the previous chunks. Stops at ``config.people`` young people on the start date, or at
    ``config.signals`` signals when that is set (the last chunk cut to the exact number)."""
    geo = nation_geography(config)
    start = config.start.toordinal()
    per_chunk = _families_per_chunk(config)
    people_done = signals_done = 0
    person_base = parent_base = 0
    number = 0
    while True:
        chunk = _Chunk(config, geo, number, per_chunk)
        number += 1
        family, born, eligible, sizes = chunk.people()
        households = chunk.households()
        made = chunk.signals(family, born, eligible, sizes, households)
        parents_f, _, home, move_day, move_to = households

        # Where to stop: at the family that completes the count.
        at_start = eligible & (born <= start)
        per_family = np.bincount(family, weights=at_start, minlength=per_chunk)
        if config.signals is None:
            need = config.people - people_done
            cut = int(np.searchsorted(np.cumsum(per_family), need)) + 1
        else:
            sig_family = np.bincount(family[made["child"]], minlength=per_chunk)
            need = config.signals - signals_done
            cut = int(np.searchsorted(np.cumsum(sig_family), need)) + 1
        last = cut <= per_chunk or people_done > 4 * config.people  # (rates too low)
        cut = min(cut, per_chunk)

        keep_child = eligible & (family < cut)
        key = np.full(len(family), -1, dtype=np.int64)
        key[keep_child] = person_base + np.arange(int(keep_child.sum()), dtype=np.int64)
        parents = np.where(parents_f >= 0, _PARENT_BASE + parent_base + parents_f, -1)
        people = People(
            key=key[keep_child],
            born=born[keep_child].astype(np.int32),
            family=family[keep_child] + (number - 1) * per_chunk,
            municipality=home[family[keep_child]].astype(np.int16),
            move_day=move_day[family[keep_child]].astype(np.int32),
            move_to=move_to[family[keep_child]].astype(np.int16),
            parents=parents[family[keep_child]],
        )
        child = made["child"]
        rows = family[child] < cut
        if config.signals is not None and last:
            rows &= np.cumsum(rows) <= config.signals - signals_done
        child = child[rows]
        signals = SignalTable(
            subject=key[child],
            organisation=made["organisation"][rows],
            professional=made["professional"][rows],
            domain=made["domain"][rows],
            municipality=made["municipality"][rows],
            registered=made["registered"][rows],
            stopped=made["stopped"][rows],
            planned_end=made["planned_end"][rows],
            born=born[child].astype(np.int32),
            parents=parents[family[child]],
            municipalities=geo.codes,
        )
        people_done += int(per_family[:cut].sum())
        signals_done += len(signals)
        person_base += int(keep_child.sum())
        parent_base += 2 * per_chunk
        yield people, signals
        if last:
            return


def build_nation(config: NationConfig) -> Nation:
    """The whole nation in memory (numpy columns; ``generate_nation`` gives it in chunks)."""
    chunks = list(generate_nation(config))
    people = People(
        **{
            name: np.concatenate([getattr(p, name) for p, _ in chunks])
            for name in ("key", "born", "family", "municipality", "move_day", "move_to", "parents")
        }
    )
    signals = SignalTable.concat([s for _, s in chunks])
    return Nation(config, nation_geography(config), people, signals)
