"""The simulator (moved from the demo): rates per young person, so signals scale with the
population; synthetic-range BSNs in the population; checked rates."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verwijsindex_core import KeyRing, Pseudonymiser, Verwijsindex
from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import FixedClock, Policy
from verwijsindex_core.pseudonym import Key
from verwijsindex_core.store import MemoryStore
from verwijsindex_core.synthetic import (
    Simulation,
    SimulationRates,
    generate_population,
    is_synthetic_bsn,
    poisson,
)

START = datetime(2025, 11, 3, 8, 30, tzinfo=UTC)


def simulate(subjects: int, days: int, seed: int = 1) -> Simulation:
    rng = random.Random(seed)
    population = generate_population(rng, subjects=subjects, today=START.date())
    clock = FixedClock(START)
    index = Verwijsindex(
        MemoryStore(),
        pseudonymiser=Pseudonymiser(KeyRing(Key(bytes(range(32))))),
        clock=clock,
        policy=Policy(regions=population.regions),
    )
    sim = Simulation(index, population, rng, clock, start=START)
    sim.run(days)
    return sim


def test_signals_scale_with_the_population() -> None:
    small, large = simulate(1_000, 60), simulate(8_000, 60)
    expected = SimulationRates().signals_per_person_year * 60 / 365
    for sim, people in ((small, 1_000), (large, 8_000)):
        got = sim.stats.registrations + sim.stats.idempotent + sim.stats.refused
        assert abs(got - expected * people) < 5 * (expected * people) ** 0.5 + 5
    assert large.stats.registrations > 5 * small.stats.registrations


def test_the_population_uses_distinct_synthetic_bsns() -> None:
    population = generate_population(random.Random(2), subjects=3_000, today=START.date())
    bsns = [c.bsn.digits for f in population.families for c in f.children]
    bsns += [p.digits for f in population.families for p in f.parents]
    assert len(set(bsns)) == len(bsns)
    assert all(is_synthetic_bsn(b) for b in bsns)


@settings(max_examples=40, deadline=None)
@given(mean=st.floats(0, 80), seed=st.integers(0, 2**31))
def test_poisson_draws_have_the_mean(mean: float, seed: int) -> None:
    rng = random.Random(seed)
    draws = [poisson(rng, mean) for _ in range(400)]
    assert all(d >= 0 for d in draws)
    assert abs(sum(draws) / 400 - mean) < 6 * (mean / 400) ** 0.5 + 0.05


@pytest.mark.parametrize(
    "bad",
    [
        {"signals_per_person_year": -1},
        {"at_risk_share": 2},
        {"planned_days": (0, 10)},
        {"planned_days": (10, 800)},
    ],
)
def test_bad_rates_raise_our_errors(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SimulationRates(**bad)  # type: ignore[arg-type]
