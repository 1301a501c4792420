"""Every rule at its boundaries (design §4), plus properties.

One section per function of ``verwijsindex_core.matching._rules``; sources are in the
docstrings there and in ``docs/domain-rules.md``.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verwijsindex_core.errors import ValidationError
from verwijsindex_core.matching import (
    AGE_LIMIT,
    MAX_SIGNAL_YEARS,
    RETENTION_YEARS,
    RightsHolders,
    age_on,
    anniversary,
    check_planned_end,
    check_subject_eligible,
    forced_end,
    informing_duty,
    max_planned_end,
    move_needs_notice,
    purge_on,
    rights_holders,
    turns_23_on,
)

DAY = timedelta(days=1)
DOB = date(2010, 6, 15)
LEAPLING = date(2008, 2, 29)

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
ages = st.integers(0, AGE_LIMIT - 1)
regions = st.sampled_from(["haaglanden", "rijnmond", "utrecht", "GM0344"])


def eligible(date_of_birth: date, day: date) -> bool:
    """Whether :func:`check_subject_eligible` accepts the subject on ``day``."""
    try:
        check_subject_eligible(date_of_birth, day)
    except ValidationError:
        return False
    return True


def test_the_constants_of_the_law() -> None:
    assert AGE_LIMIT == 23  # Jeugdwet art. 7.1.4.5 lid 2 sub b
    assert MAX_SIGNAL_YEARS == 2  # lid 2 sub a
    assert RETENTION_YEARS == 5  # art. 7.1.4.6


# --- anniversary -------------------------------------------------------------------------------


def test_anniversary_keeps_the_calendar_day() -> None:
    assert anniversary(DOB, 0) == DOB
    assert anniversary(DOB, 1) == date(2011, 6, 15)
    assert anniversary(DOB, -1) == date(2009, 6, 15)
    assert anniversary(date(2026, 2, 28), 2) == date(2028, 2, 28)
    assert anniversary(date(2026, 3, 1), 2) == date(2028, 3, 1)


def test_anniversary_of_29_february() -> None:
    assert anniversary(LEAPLING, 1) == date(2009, 3, 1)
    assert anniversary(LEAPLING, 4) == date(2012, 2, 29)
    assert anniversary(LEAPLING, -1) == date(2007, 3, 1)
    assert anniversary(LEAPLING, -4) == date(2004, 2, 29)
    # 2100 is not a leap year (divisible by 100, not by 400); 2000 was.
    assert anniversary(date(2096, 2, 29), 4) == date(2100, 3, 1)
    assert anniversary(date(1996, 2, 29), 4) == date(2000, 2, 29)


@given(dates, st.integers(-40, 40))
def test_anniversary_moves_only_the_year(day: date, years: int) -> None:
    after = anniversary(day, years)
    assert after.year == day.year + years
    if (day.month, day.day) == (2, 29):
        assert (after.month, after.day) in ((2, 29), (3, 1))
    else:
        assert (after.month, after.day) == (day.month, day.day)
    assert (after > day) == (years > 0)


@given(dates, st.integers(0, 40), st.integers(0, 40))
def test_anniversaries_are_monotonic(day: date, a: int, b: int) -> None:
    if a <= b:
        assert anniversary(day, a) <= anniversary(day, b)


# --- age_on --------------------------------------------------------------------------------------


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
    assert info.value.field == "date_of_birth"
    with pytest.raises(ValidationError, match="future"):
        check_subject_eligible(DOB, DOB - DAY)
    assert not eligible(DOB, DOB - DAY)


@given(dates, st.integers(0, 40))
def test_age_on_the_nth_anniversary_is_n(dob: date, years: int) -> None:
    assert age_on(dob, anniversary(dob, years)) == years
    if years:
        assert age_on(dob, anniversary(dob, years) - DAY) == years - 1


@given(dates, dates)
def test_age_is_monotonic_and_eligibility_matches_age(dob: date, day: date) -> None:
    if day < dob:
        assert not eligible(dob, day)
        return
    age = age_on(dob, day)
    assert age_on(dob, day + DAY) in (age, age + 1)
    assert eligible(dob, day) == (age < 23)


# --- turns_23_on and check_subject_eligible --------------------------------------------------


def test_eligibility_around_the_23rd_birthday() -> None:
    birthday_23 = turns_23_on(DOB)
    assert birthday_23 == date(2033, 6, 15)
    assert eligible(DOB, birthday_23 - DAY)
    assert check_subject_eligible(DOB, birthday_23 - DAY) == birthday_23
    for day in (birthday_23, birthday_23 + DAY):
        assert not eligible(DOB, day)
        with pytest.raises(ValidationError) as info:
            check_subject_eligible(DOB, day)
        assert info.value.rule == "age-limit"
        assert info.value.field == "date_of_birth"
    assert eligible(DOB, DOB)
    assert check_subject_eligible(DOB, DOB) == birthday_23


def test_leapling_turns_23_on_1_march() -> None:
    assert eligible(LEAPLING, date(2031, 2, 28))
    assert check_subject_eligible(LEAPLING, date(2031, 2, 28)) == date(2031, 3, 1)
    assert not eligible(LEAPLING, date(2031, 3, 1))


@given(dates)
def test_turns_23_is_the_first_day_of_age_23(dob: date) -> None:
    birthday = turns_23_on(dob)
    assert age_on(dob, birthday) == 23
    assert age_on(dob, birthday - DAY) == 22


@given(dates, dates)
def test_check_subject_eligible_refuses_exactly_outside_0_to_22(dob: date, day: date) -> None:
    refused = "future" if day < dob else "age-limit" if day >= turns_23_on(dob) else None
    if refused is not None:
        with pytest.raises(ValidationError) as info:
            check_subject_eligible(dob, day)
        assert info.value.rule == refused
        return
    assert check_subject_eligible(dob, day) == turns_23_on(dob)
    assert 0 <= age_on(dob, day) < AGE_LIMIT


# --- max_planned_end and check_planned_end -----------------------------------------------------


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


def test_a_one_year_policy_at_its_boundary() -> None:
    registered = date(2026, 3, 2)
    check_planned_end(registered, date(2027, 3, 2), 1)
    with pytest.raises(ValidationError) as info:
        check_planned_end(registered, date(2027, 3, 3), 1)
    assert info.value.rule == "max-duration"
    assert info.value.field == "planned_end"


def test_registered_on_29_february_may_run_until_1_march() -> None:
    registered = date(2028, 2, 29)
    check_planned_end(registered, date(2030, 3, 1))
    with pytest.raises(ValidationError, match="max-duration"):
        check_planned_end(registered, date(2030, 3, 2))


@given(dates, st.integers(1, MAX_SIGNAL_YEARS))
def test_the_latest_planned_end_is_accepted_and_the_day_after_is_not(
    registered: date, years: int
) -> None:
    latest = max_planned_end(registered, years)
    assert latest == anniversary(registered, years)
    check_planned_end(registered, latest, years)
    with pytest.raises(ValidationError) as info:
        check_planned_end(registered, latest + DAY, years)
    assert info.value.rule == "max-duration"
    with pytest.raises(ValidationError) as info:
        check_planned_end(registered, registered, years)
    assert info.value.rule == "after-registration"


# --- informing_duty and rights_holders ---------------------------------------------------------


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


@given(ages)
def test_someone_is_always_informed(age: int) -> None:
    parents, youth = informing_duty(age)
    assert parents or youth
    assert parents == (age < 16)
    assert youth == (age >= 12)


@given(ages)
def test_informing_and_rights_use_the_same_age_groups(age: int) -> None:
    parents, youth = informing_duty(age)
    holders = rights_holders(age)
    assert parents == (holders in (RightsHolders.PARENT, RightsHolders.PARENT_AND_YOUTH))
    assert youth == (holders in (RightsHolders.YOUTH, RightsHolders.PARENT_AND_YOUTH))


@given(ages, ages)
def test_the_young_persons_say_only_grows_with_age(a: int, b: int) -> None:
    order = [RightsHolders.PARENT, RightsHolders.PARENT_AND_YOUTH, RightsHolders.YOUTH]
    if a <= b:
        assert order.index(rights_holders(a)) <= order.index(rights_holders(b))


# --- purge_on ------------------------------------------------------------------------------------


def test_purge_after_five_years() -> None:
    ended = date(2026, 3, 2)
    assert purge_on(ended) == date(2031, 3, 2)
    assert purge_on(date(2024, 2, 29)) == date(2029, 3, 1)
    assert purge_on(ended, 1) == date(2027, 3, 2)


@given(dates, st.integers(1, 100))
def test_purge_is_whole_years_after_the_end(ended: date, years: int) -> None:
    assert purge_on(ended, years) == anniversary(ended, years)
    assert purge_on(ended, years) > ended
    assert purge_on(ended) == purge_on(ended, RETENTION_YEARS)


@given(dates, st.integers(-3, 3))
def test_the_sweeps_purge_window_misses_nothing(today: date, offset: int) -> None:
    # Engine.sweep only looks at signals that ended on or before this cutoff.
    cutoff = anniversary(today, -5) + DAY
    ended = cutoff + timedelta(days=offset)
    if purge_on(ended) <= today:
        assert ended <= cutoff


# --- forced_end ----------------------------------------------------------------------------------


def test_forced_end_is_the_planned_end_or_the_23rd_birthday() -> None:
    birthday = turns_23_on(DOB)
    assert forced_end(birthday - DAY, birthday) == (birthday - DAY, "planned_end")
    # A tie: the planned end is the reason (the signal was due to end that day anyway).
    assert forced_end(birthday, birthday) == (birthday, "planned_end")
    assert forced_end(birthday + DAY, birthday) == (birthday, "age_limit")
    assert forced_end(birthday + 400 * DAY, birthday) == (birthday, "age_limit")


def test_forced_end_of_a_leapling() -> None:
    birthday = turns_23_on(LEAPLING)
    assert birthday == date(2031, 3, 1)
    assert forced_end(date(2031, 2, 28), birthday) == (date(2031, 2, 28), "planned_end")
    assert forced_end(date(2031, 3, 2), birthday) == (date(2031, 3, 1), "age_limit")


@given(dates, dates)
def test_forced_end_is_the_minimum_with_its_reason(planned_end: date, turns_23: date) -> None:
    end, why = forced_end(planned_end, turns_23)
    assert end == min(planned_end, turns_23)
    assert why == ("planned_end" if planned_end <= turns_23 else "age_limit")
    assert end <= planned_end and end <= turns_23


@given(dates, dates, st.integers(1, 2))
def test_a_valid_signal_never_outlives_the_law(dob: date, registered: date, years: int) -> None:
    if not eligible(dob, registered):
        return
    end, _ = forced_end(max_planned_end(registered, years), turns_23_on(dob))
    assert registered < end <= anniversary(registered, MAX_SIGNAL_YEARS)
    assert age_on(dob, end - DAY) < AGE_LIMIT


# --- move_needs_notice ---------------------------------------------------------------------------


def test_no_live_signals_no_notice() -> None:
    none: frozenset[str] = frozenset()
    assert not move_needs_notice(None, "rijnmond", none)
    assert not move_needs_notice("haaglanden", "rijnmond", none)
    assert not move_needs_notice("rijnmond", "rijnmond", none)


def test_a_move_with_a_recorded_residence() -> None:
    live = frozenset({"haaglanden"})
    assert move_needs_notice("haaglanden", "rijnmond", live)
    assert not move_needs_notice("haaglanden", "haaglanden", live)
    # The recorded residence decides, wherever the signals were registered.
    assert not move_needs_notice("rijnmond", "rijnmond", live)
    assert move_needs_notice("rijnmond", "haaglanden", live)


def test_a_first_move_without_a_recorded_residence() -> None:
    assert not move_needs_notice(None, "haaglanden", frozenset({"haaglanden"}))
    assert move_needs_notice(None, "rijnmond", frozenset({"haaglanden"}))
    assert move_needs_notice(None, "haaglanden", frozenset({"haaglanden", "rijnmond"}))


@given(st.none() | regions, regions)
def test_move_needs_notice_is_false_without_live_signals(
    previous: str | None, new_region: str
) -> None:
    assert not move_needs_notice(previous, new_region, frozenset())


@given(st.none() | regions, regions, st.frozensets(regions, min_size=1))
def test_move_needs_notice_exactly_when_leaving_the_region(
    previous: str | None, new_region: str, live: frozenset[str]
) -> None:
    expected = previous != new_region if previous is not None else live != {new_region}
    assert move_needs_notice(previous, new_region, live) == expected
    # Staying in one's own region never tells a coordinator.
    assert not move_needs_notice(new_region, new_region, live)


def test_may_match_across_organisations_and_within_only_by_policy() -> None:
    from verwijsindex_core.matching import may_match

    assert may_match("a", "p1", "b", "p1", same_organisation_matching=False)
    assert not may_match("a", "p1", "a", "p2", same_organisation_matching=False)
    assert may_match("a", "p1", "a", "p2", same_organisation_matching=True)
    assert not may_match("a", "p1", "a", "p1", same_organisation_matching=True)
