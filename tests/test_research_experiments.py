"""Policy and identifier experiments: tables with the invariants each question implies."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import Policy
from verwijsindex_core.pseudonym import is_valid_bsn
from verwijsindex_core.research import (
    ERROR_KINDS,
    eleven_test_detection,
    family_matching_experiment,
    identifier_experiment,
    region_boundaries_experiment,
    same_organisation_experiment,
    signal_term_experiment,
    typo,
)
from verwijsindex_core.synthetic.nation import NationConfig, build_nation, synthetic_bsns

PERIOD = (date(2020, 1, 1), date(2021, 1, 1))


@pytest.fixture(scope="module")
def nation():
    return build_nation(NationConfig(seed=5, people=25_000, days=730, start=date(2019, 1, 1)))


def test_policy_experiments(nation) -> None:
    signals, policy = nation.signals, Policy(regions=nation.geography.regions)
    same = same_organisation_experiment(signals, policy, period=PERIOD).as_dicts()
    assert same[1]["total"] >= same[0]["total"] > 0
    family = family_matching_experiment(signals, policy, period=PERIOD).as_dicts()
    assert family[1]["family"] == 0 and family[1]["direct"] == family[0]["direct"]
    term = signal_term_experiment(signals, policy, period=PERIOD).as_dicts()
    assert term[1]["total"] > term[0]["total"]
    regions = region_boundaries_experiment(signals, policy, period=PERIOD).as_dicts()
    assert regions[1]["cross share"] == 0.0
    assert regions[2]["cross share"] >= regions[0]["cross share"] > 0
    assert "| setting |" in same_organisation_experiment(signals, policy).to_markdown()


def test_the_eleven_test_catches_substitutions_and_transpositions() -> None:
    rows = {r["error"]: r for r in eleven_test_detection(3_000).as_dicts()}
    assert rows["substitution"]["caught %"] == 1.0
    assert rows["transposition"]["caught %"] == 1.0
    assert 0.85 < float(rows["dropped digit"]["caught %"]) < 0.96  # about 10 in 11


@settings(max_examples=100, deadline=None)
@given(person=st.integers(0, 9_000_000), kind=st.sampled_from(ERROR_KINDS), seed=st.integers())
def test_a_typo_changes_the_number(person: int, kind: str, seed: int) -> None:
    digits = f"{int(synthetic_bsns([person])[0]):09d}"
    typed = typo(digits, kind, np.random.default_rng(abs(seed)))
    assert typed != digits
    assert len(typed) == (8 if kind == "dropped digit" else 9)
    if kind != "dropped digit":  # single substitutions and swaps never pass the 11-test
        assert not is_valid_bsn(typed)


def test_identifier_experiment(nation) -> None:
    policy = Policy(regions=nation.geography.regions)
    table = identifier_experiment(nation.signals.take(slice(0, 8_000)), policy, rate=0.05)
    rows = {r["error"]: r for r in table.as_dicts()}
    for kind in ("substitution", "transposition"):
        assert rows[kind]["refused: 11-test"] == rows[kind]["signals hit"]
        assert rows[kind]["matches false"] == 0
    dropped = rows["dropped digit"]
    assert dropped["signals hit"] == (
        dropped["refused: 11-test"]
        + dropped["refused: date of birth"]
        + dropped["new subject"]
        + dropped["someone else"]
    )
    assert all(r["matches lost"] > 0 for r in rows.values())
    with pytest.raises(ValidationError) as err:
        identifier_experiment(nation.signals, policy, rate=2)
    assert err.value.field == "rate"
    with pytest.raises(ValidationError):
        typo("123", "substitution", np.random.default_rng(1))
