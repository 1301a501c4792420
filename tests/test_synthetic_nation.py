"""The synthetic nation: deterministic, calibrated in shape, synthetic BSNs only, columns with
the engine's rules, readable back from NPZ (and Parquet)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import Policy, anniversary, turns_23_on
from verwijsindex_core.pseudonym import are_valid_bsns
from verwijsindex_core.synthetic import (
    SYNTHETIC_BSN_COUNT,
    SyntheticBsns,
    is_synthetic_bsn,
    random_synthetic_bsn,
)
from verwijsindex_core.synthetic.nation import (
    CBS_AGE_GROUPS,
    DAY_SHIFT,
    NO_STOP,
    NationConfig,
    NationRates,
    SignalTable,
    build_nation,
    event_time,
    generate_nation,
    load_nation,
    signal_ends,
    synthetic_bsns,
    write_nation,
    write_parquet,
)

SMALL = NationConfig(seed=3, people=40_000, days=365)


@pytest.fixture(scope="module")
def nation():
    return build_nation(SMALL)


def test_the_same_seed_gives_the_same_nation(nation) -> None:
    again = build_nation(SMALL)
    for name, column in nation.signals.columns().items():
        assert np.array_equal(column, again.signals.columns()[name]), name
    assert np.array_equal(nation.people.born, again.people.born)
    other = build_nation(NationConfig(seed=4, people=40_000, days=365))
    assert not np.array_equal(other.people.born[:1000], nation.people.born[:1000])


def test_shape_of_the_nation(nation) -> None:
    geo = nation.geography
    assert len(geo.codes) == 342 and len(geo.region_names) == 42
    assert set(np.unique(geo.region).tolist()) == set(range(42))
    assert len(geo.org_domain) >= 342 * 7 and geo.professionals > 10 * len(geo.org_domain) * 0.8
    Policy(regions=geo.regions)  # a valid region table
    people = nation.people
    start = SMALL.start.toordinal()
    young = people.born <= start
    assert abs(int(young.sum()) - SMALL.people) <= 4  # stops at the family that completes it
    # Families of 1-4 children, one or two parents, and some half-siblings.
    sizes = np.bincount(np.unique(people.family, return_inverse=True)[1])
    assert sizes.max() <= 4
    parents = people.parents
    assert np.all(parents[:, 0] >= 0)
    shared = np.unique(parents[:, 0], return_counts=True)[1]
    assert (shared > 1).any()
    # The age pyramid follows the CBS groups (ages 0-19 on the start date) within 15 %.
    ages = (start - people.born[young]) / 365.2425
    cbs = np.array([n for _, n in CBS_AGE_GROUPS[:4]], dtype=float)
    got = np.histogram(ages, bins=[0, 5, 10, 15, 20])[0].astype(float)
    assert np.all(np.abs(got / got.sum() - cbs / cbs.sum()) < 0.15 * cbs / cbs.sum())


def test_signals_pass_the_engine_rules(nation) -> None:
    signals = nation.signals
    policy = Policy(regions=nation.geography.regions)
    signals.check(policy)  # raises on any row the engine would refuse
    assert signals.parents.shape[1] == 2
    assert len(np.unique(signals.domain)) == 7
    days = signals.registered >> DAY_SHIFT
    assert days.min() >= SMALL.start.toordinal()
    assert days.max() < SMALL.start.toordinal() + SMALL.days


def test_people_are_computed_on_demand_and_agree_with_the_signals() -> None:
    nation = build_nation(NationConfig(seed=5, people=20_000, days=365))
    people, signals = nation.people, nation.signals
    assert not people.computed
    count = len(people)  # known without computing the columns
    assert not people.computed and repr(people) == f"People({count:,})"
    assert len(people.key) == count and people.computed
    assert np.array_equal(people.key, np.arange(count))
    # A signal's subject is a row of the people table: the same birth day and parents.
    assert np.array_equal(people.born[signals.subject], signals.born)
    assert np.array_equal(people.parents[signals.subject], signals.parents)
    # Chunks give the same people as the whole.
    chunks = list(generate_nation(NationConfig(seed=5, people=20_000, days=365)))
    assert np.array_equal(np.concatenate([p.move_to for p, _ in chunks]), people.move_to)


def test_households_are_drawn_per_family_alone() -> None:
    from verwijsindex_core.synthetic.nation._generate import _households, nation_geography

    config = NationConfig(seed=7, people=10_000)
    geo = nation_geography(config)
    everyone = np.arange(50_000, dtype=np.int64)
    some = np.array([49_999, 3, 17_000, 3], dtype=np.int64)
    whole, part = _households(config, geo, everyone), _households(config, geo, some)
    for name in ("parents", "home", "move_day", "move_to"):
        assert np.array_equal(getattr(whole, name)[some], getattr(part, name)), name
    rates = config.rates
    assert abs(np.mean(whole.parents[:, 1] >= 0) - rates.two_parent_share) < 0.01
    moved = np.mean(whole.move_day > 0)
    assert abs(moved - (1 - np.exp(-rates.moves_per_family_year))) < 0.005


def test_episodes_follow_the_poisson_model() -> None:
    from verwijsindex_core.synthetic.nation._generate import _episodes

    config = NationConfig(seed=8, days=730)
    families = 2_000_000
    ep = _episodes(np.random.default_rng(1), config, families)
    years = config.days / 365.2425
    rates = config.rates
    for risk, (share, rate) in enumerate(
        zip(rates.risk_shares, rates.episodes_per_year, strict=True)
    ):
        expected = families * share * rate * years
        got = int(np.count_nonzero(ep.risk == risk))
        assert abs(got - expected) < 5 * np.sqrt(expected) + 0.01 * expected, risk
    days = ep.day - config.start.toordinal()
    assert days.min() >= 0 and days.max() < config.days
    assert abs(days.mean() - config.days / 2) < 5  # uniform over the period
    assert np.all(np.diff(ep.family) >= 0)


def test_the_first_eligible_birth_day_is_exact() -> None:
    from verwijsindex_core.synthetic.nation._generate import _first_eligible_birth

    for start in (date(2020, 1, 1), date(2020, 2, 29), date(2021, 3, 1), date(2043, 2, 28)):
        first = date.fromordinal(_first_eligible_birth(start.toordinal()))
        assert turns_23_on(first) > start >= turns_23_on(date.fromordinal(first.toordinal() - 1))


def test_for_signals_gives_exactly_that_many() -> None:
    for n in (1, 5_000):
        chunks = list(generate_nation(NationConfig.for_signals(n, seed=1)))
        assert sum(len(s) for _, s in chunks) == n


@pytest.mark.parametrize(
    "config",
    [  # 35 years: chunks of about 17,000 families
        NationConfig(seed=4, people=200_000, days=12_747, signals=40_000),
        NationConfig(seed=4, people=30_000, days=12_747),
    ],
    ids=["by signals (columns allocated once)", "by people (concatenated)"],
)
def test_build_nation_equals_its_chunks_joined(config: NationConfig) -> None:
    chunks = [s for _, s in generate_nation(config)]
    assert len(chunks) > 1, "the test needs several chunks"
    built = build_nation(config).signals
    joined = SignalTable.concat(chunks)
    assert len(built) == len(joined)
    for name, column in joined.columns().items():
        assert np.array_equal(built.columns()[name], column), name


def test_synthetic_bsn_range_holds_the_documented_count() -> None:
    numbers = synthetic_bsns(np.arange(0, SYNTHETIC_BSN_COUNT, 997))
    assert len(np.unique(numbers)) == len(numbers)
    assert all(is_synthetic_bsn(f"{n:09d}") for n in numbers[:5000].tolist())
    with pytest.raises(ValidationError) as err:
        synthetic_bsns([SYNTHETIC_BSN_COUNT])
    assert err.value.rule == "synthetic-range"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, SYNTHETIC_BSN_COUNT - 1), min_size=1, max_size=200, unique=True))
def test_synthetic_bsns_are_distinct_valid_and_in_range(persons: list[int]) -> None:
    digits = [f"{n:09d}" for n in synthetic_bsns(persons).tolist()]
    assert len(set(digits)) == len(digits)
    assert all(are_valid_bsns(digits)) and all(d[0] == "9" for d in digits)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32))
def test_random_synthetic_bsns_are_in_range(seed: int) -> None:
    import random

    assert is_synthetic_bsn(random_synthetic_bsn(random.Random(seed)).digits)
    drawn = SyntheticBsns(random.Random(seed))
    assert len({drawn.draw().digits for _ in range(50)}) == 50


@settings(max_examples=60, deadline=None)
@given(
    registered=st.dates(date(2015, 1, 1), date(2030, 12, 31)),
    k=st.integers(0, (1 << DAY_SHIFT) - 1),
    age_days=st.integers(0, 23 * 365 - 1),
    planned=st.one_of(st.none(), st.integers(1, 700)),
    stop=st.one_of(st.none(), st.integers(0, 900)),
    years=st.sampled_from([1, 2]),
)
def test_signal_ends_follow_the_rules(
    *,
    registered: date,
    k: int,
    age_days: int,
    planned: int | None,
    stop: int | None,
    years: int,
) -> None:
    from verwijsindex_core.synthetic.nation import SignalTable

    born = date.fromordinal(registered.toordinal() - age_days)
    start = int(event_time(registered.toordinal(), k))
    stopped = NO_STOP if stop is None else start + 1 + stop * (1 << DAY_SHIFT)
    planned_day = 0 if planned is None else registered.toordinal() + planned
    table = SignalTable(
        subject=np.array([1]),
        organisation=np.array([0], dtype=np.int32),
        professional=np.array([0], dtype=np.int32),
        domain=np.array([0], dtype=np.int8),
        municipality=np.array([0], dtype=np.int16),
        registered=np.array([start]),
        stopped=np.array([stopped]),
        planned_end=np.array([planned_day], dtype=np.int32),
        born=np.array([born.toordinal()], dtype=np.int32),
        parents=np.array([[-1]]),
        municipalities=("GM0518",),
    )
    policy = Policy(default_signal_years=years, regions={})
    planned_date = (
        anniversary(registered, years) if planned is None else date.fromordinal(planned_day)
    )
    last = min(planned_date, turns_23_on(born)).toordinal() << DAY_SHIFT
    assert int(signal_ends(table, policy)[0]) == min(last, stopped)


def test_npz_round_trip_and_parquet(nation, tmp_path: Path) -> None:
    write_nation(nation, tmp_path / "n", people=True)
    write_nation(nation, tmp_path / "m")  # without people.npz: drawn again when read
    assert (tmp_path / "n" / "people.npz").is_file()
    assert not (tmp_path / "m" / "people.npz").exists()
    again, other = load_nation(tmp_path / "n"), load_nation(tmp_path / "m")
    assert again.config == nation.config
    for name, column in nation.signals.columns().items():
        assert np.array_equal(column, again.signals.columns()[name]), name
    assert again.geography.regions == nation.geography.regions
    assert len(other.people) == len(nation.people) and not other.people.computed
    for name, column in nation.people.columns().items():
        assert np.array_equal(column, again.people.columns()[name]), name
        assert np.array_equal(column, other.people.columns()[name]), name
    write_nation(nation, tmp_path / "n")  # a stale people.npz goes
    assert not (tmp_path / "n" / "people.npz").exists()
    with np.load(tmp_path / "n" / "signals.npz") as plain:  # any numpy reads it
        assert len(plain["subject"]) == len(nation.signals)
    duckdb = pytest.importorskip("duckdb")
    paths = write_parquet(nation, tmp_path / "p")
    con = duckdb.connect()
    count = con.execute(f"SELECT count(*) FROM '{paths[0].as_posix()}'").fetchall()
    con.close()
    assert count[0][0] == len(nation.signals)


def test_bad_configurations_raise_our_errors(tmp_path: Path) -> None:
    for bad in (
        {"people": 10},
        {"days": 0},
        {"seed": -1},
        {"signals": 0},
        {"rates": "x"},
    ):
        with pytest.raises(ValidationError):
            NationConfig(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as err:
        NationRates(risk_shares=(0.5, 0.5, 0.5))
    assert err.value.rule == "shares"
    with pytest.raises(ValidationError) as err:
        load_nation(tmp_path)
    assert (err.value.field, err.value.rule) == ("directory", "read")
    with pytest.raises(ValidationError):
        event_time([1], [1 << DAY_SHIFT])
