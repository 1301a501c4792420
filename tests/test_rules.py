"""Every rule at its boundaries (design §4), plus properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import (
    RightsHolders,
    age_on,
    anniversary,
    check_planned_end,
    check_subject_eligible,
    informing_duty,
    is_eligible,
    max_planned_end,
    purge_on,
    rights_holders,
    turns_23_on,
)

DAY = timedelta(days=1)
DOB = date(2010, 6, 15)
LEAPLING = date(2008, 2, 29)


def test_age_around_a_birthday() -> None:
    assert age_on(DOB, date(2026, 6, 14)) == 15
    assert age_on(DOB, date(2026, 6, 15)) == 16
    assert age_on(DOB, date(2026, 6, 16)) == 16
    assert age_on(DOB, DOB) == 0


def test_29_february_counts_on_1_march_in_non_leap_years() -> None:
    assert age_on(LEAPLING, date(2026, 2, 28)) == 17
    assert age_on(LEAPLING, date(2026, 3, 1)) == 18
    assert age_on(LEAPLING, date(2028, 2, 28)) == 19
    assert age_on(LEAPLING, date(2028, 2, 29)) == 20
    assert anniversary(LEAPLING, 1) == date(2009, 3, 1)
    assert anniversary(LEAPLING, 4) == date(2012, 2, 29)
    assert turns_23_on(LEAPLING) == date(2031, 3, 1)


def test_no_prenatal_subjects() -> None:
    with pytest.raises(ValidationError) as info:
        age_on(DOB, DOB - DAY)
    assert info.value.rule == "future"
    with pytest.raises(ValidationError, match="future"):
        check_subject_eligible(DOB, DOB - DAY)
    assert not is_eligible(DOB, DOB - DAY)


def test_eligibility_around_the_23rd_birthday() -> None:
    birthday_23 = turns_23_on(DOB)
    assert birthday_23 == date(2033, 6, 15)
    assert is_eligible(DOB, birthday_23 - DAY)
    check_subject_eligible(DOB, birthday_23 - DAY)
    for day in (birthday_23, birthday_23 + DAY):
        assert not is_eligible(DOB, day)
        with pytest.raises(ValidationError) as info:
            check_subject_eligible(DOB, day)
        assert info.value.rule == "age-limit"
    assert is_eligible(DOB, DOB)


def test_leapling_turns_23_on_1_march() -> None:
    assert is_eligible(LEAPLING, date(2031, 2, 28))
    assert not is_eligible(LEAPLING, date(2031, 3, 1))


def test_planned_end_at_most_two_years() -> None:
    registered = date(2026, 3, 2)
    assert max_planned_end(registered) == date(2028, 3, 2)
    check_planned_end(registered, date(2028, 3, 2))
    check_planned_end(registered, registered + DAY)
    with pytest.raises(ValidationError) as info:
        check_planned_end(registered, date(2028, 3, 3))
    assert info.value.rule == "max-duration"
    for bad in (registered, registered - DAY):
        with pytest.raises(ValidationError) as info:
            check_planned_end(registered, bad)
        assert info.value.rule == "after-registration"
    assert max_planned_end(date(2028, 2, 29)) == date(2030, 3, 1)
    assert max_planned_end(registered, 1) == date(2027, 3, 2)


@pytest.mark.parametrize(
    ("age", "parents", "youth"),
    [
        (0, True, False),
        (11, True, False),
        (12, True, True),
        (15, True, True),
        (16, False, True),
        (22, False, True),
    ],
)
def test_informing_duty_thresholds(age: int, parents: bool, youth: bool) -> None:
    assert informing_duty(age) == (parents, youth)


@pytest.mark.parametrize(
    ("age", "who"),
    [
        (0, RightsHolders.PARENT),
        (11, RightsHolders.PARENT),
        (12, RightsHolders.PARENT_AND_YOUTH),
        (15, RightsHolders.PARENT_AND_YOUTH),
        (16, RightsHolders.YOUTH),
        (22, RightsHolders.YOUTH),
    ],
)
def test_rights_holders_thresholds(age: int, who: RightsHolders) -> None:
    assert rights_holders(age) is who


def test_purge_after_five_years() -> None:
    ended = date(2026, 3, 2)
    assert purge_on(ended) == date(2031, 3, 2)
    assert purge_on(date(2024, 2, 29)) == date(2029, 3, 1)
    assert purge_on(ended, 1) == date(2027, 3, 2)


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@given(dates, st.integers(0, 40))
def test_age_on_the_nth_anniversary_is_n(dob: date, years: int) -> None:
    assert age_on(dob, anniversary(dob, years)) == years
    if years:
        assert age_on(dob, anniversary(dob, years) - DAY) == years - 1


@given(dates, dates)
def test_age_is_monotonic_and_eligibility_matches_age(dob: date, day: date) -> None:
    if day < dob:
        assert not is_eligible(dob, day)
        return
    age = age_on(dob, day)
    assert age_on(dob, day + DAY) in (age, age + 1)
    assert is_eligible(dob, day) == (age < 23)


@given(dates, st.integers(-3, 3))
def test_the_sweeps_purge_window_misses_nothing(today: date, offset: int) -> None:
    # Engine.sweep only looks at signals that ended on or before this cutoff.
    cutoff = anniversary(today, -5) + DAY
    ended = cutoff + timedelta(days=offset)
    if purge_on(ended) <= today:
        assert ended <= cutoff
