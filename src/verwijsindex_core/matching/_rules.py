"""The rules of the law, one pure function each, with their source.

Nothing here reads the clock: every date is an argument. ``docs/domain-rules.md`` lists each
rule with its source and the function that implements it.
"""

from __future__ import annotations

import calendar
from datetime import date
from enum import StrEnum
from typing import Final

from verwijsindex_core.errors import ValidationError

__all__ = [
    "AGE_LIMIT",
    "MAX_SIGNAL_YEARS",
    "RETENTION_YEARS",
    "RightsHolders",
    "age_on",
    "anniversary",
    "check_planned_end",
    "check_subject_eligible",
    "informing_duty",
    "is_eligible",
    "max_planned_end",
    "purge_on",
    "rights_holders",
    "turns_23_on",
]

AGE_LIMIT: Final = 23
"""A subject is eligible while younger than 23 (Jeugdwet art. 7.1.4.5 lid 2 sub b)."""
MAX_SIGNAL_YEARS: Final = 2
"""A signal runs at most 2 years (Jeugdwet art. 7.1.4.5 lid 2 sub a)."""
RETENTION_YEARS: Final = 5
"""Inactive signals are purged 5 years after they ended (MULTIsignaal practice)."""


def anniversary(day: date, years: int) -> date:
    """``day`` plus whole ``years``; 29 February becomes 1 March in a non-leap target year.

    Source: the Dutch birthday rule for 29 February (Burgerlijk Wetboek art. 1:2 read with
    the Algemene termijnenwet practice; Kamerstuk 31855-4 uses completed years of age).
    """
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return day.replace(year=year)


def age_on(date_of_birth: date, day: date) -> int:
    """Completed years of age on ``day`` (the birthday rule: 29 Feb counts on 1 Mar).

    Raises :class:`ValidationError` (field ``date_of_birth``, rule ``future``) when ``day``
    is before the birth: there are no prenatal subjects (Kamerstuk 31855-4).
    """
    if day < date_of_birth:
        raise ValidationError("date_of_birth", "future", "lies after the date of the event")
    years = day.year - date_of_birth.year
    if anniversary(date_of_birth, years) > day:
        years -= 1
    return years


def turns_23_on(date_of_birth: date) -> date:
    """The day the subject turns 23, on which every signal on them ends (lid 2 sub b)."""
    return anniversary(date_of_birth, AGE_LIMIT)


def is_eligible(date_of_birth: date, day: date) -> bool:
    """0 <= age < 23 on ``day`` (Jeugdwet art. 7.1.4.5 lid 2 sub b; no prenatal subjects)."""
    return date_of_birth <= day < turns_23_on(date_of_birth)


def check_subject_eligible(date_of_birth: date, day: date) -> date:
    """Raise :class:`ValidationError` (field ``date_of_birth``) unless eligible on ``day``
    (0 <= age < 23, Jeugdwet 7.1.4.5 lid 2b); returns the date the subject turns 23."""
    if day < date_of_birth:
        raise ValidationError("date_of_birth", "future", "lies after the registration date")
    turns_23 = turns_23_on(date_of_birth)
    if day >= turns_23:
        raise ValidationError(
            "date_of_birth", "age-limit", "the subject is 23 or older (Jeugdwet 7.1.4.5 lid 2b)"
        )
    return turns_23


def max_planned_end(registered_on: date, max_years: int = MAX_SIGNAL_YEARS) -> date:
    """The latest planned end of a signal registered on ``registered_on`` (lid 2 sub a)."""
    return anniversary(registered_on, max_years)


def check_planned_end(
    registered_on: date, planned_end: date, max_years: int = MAX_SIGNAL_YEARS
) -> None:
    """A planned end lies after registration and at most ``max_years`` later (lid 2 sub a)."""
    if planned_end <= registered_on:
        raise ValidationError("planned_end", "after-registration", "must lie after registration")
    if planned_end > max_planned_end(registered_on, max_years):
        raise ValidationError(
            "planned_end",
            "max-duration",
            f"may lie at most {max_years} years after registration (Jeugdwet 7.1.4.5 lid 2a)",
        )


def informing_duty(age: int) -> tuple[bool, bool]:
    """Who the professional must inform of the signal: (parents, young person).

    Parents while the subject is younger than 16, the young person from 12 on (both from 12
    to 15). Source: Haaglanden juridisch kader verwijsindex; WGBO/Jeugdwet age thresholds.
    """
    return age < 16, age >= 12


class RightsHolders(StrEnum):
    """Who exercises the subject's rights (inzage, correction, objection)."""

    PARENT = "parent"
    PARENT_AND_YOUTH = "parent-and-youth"
    YOUTH = "youth"


def rights_holders(age: int) -> RightsHolders:
    """A parent alone under 12; parent and young person together 12-15; the young person
    alone from 16 (verwijsindexmiddennederland.nl/uwrechten; AVG art. 8 UAVG art. 5)."""
    if age < 12:
        return RightsHolders.PARENT
    if age < 16:
        return RightsHolders.PARENT_AND_YOUTH
    return RightsHolders.YOUTH


def purge_on(ended_on: date, years: int = RETENTION_YEARS) -> date:
    """The day an inactive signal (and its matches and notices) is purged (MULTIsignaal)."""
    return anniversary(ended_on, years)
