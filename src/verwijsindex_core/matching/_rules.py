"""The rules of the law, one pure function each, with their source.

Nothing here reads the clock: every date is an argument. ``docs/domain-rules.md`` lists each
rule with its source and the function that implements it, and says which sources were checked
and which rules are choices of this library rather than rules of the law.
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
    "forced_end",
    "informing_duty",
    "max_planned_end",
    "may_match",
    "move_needs_notice",
    "purge_on",
    "rights_holders",
    "turns_23_on",
]

AGE_LIMIT: Final = 23
"""A subject is eligible while younger than 23: a signal is removed "with effect from the day
the young person reaches the age of 23" (Jeugdwet art. 7.1.4.5 lid 2 sub b)."""
MAX_SIGNAL_YEARS: Final = 2
"""A signal is removed "at most two years after it was made" (Jeugdwet art. 7.1.4.5 lid 2
sub a)."""
RETENTION_YEARS: Final = 5
"""A signal removed because the risk is gone or because its term ran out is kept five years in
the historical archive (Jeugdwet art. 7.1.4.6, referring to art. 7.1.4.5 lid 1 sub b and lid 2
sub a). The engine keeps every inactive signal this long (``docs/domain-rules.md``, open
points)."""


def anniversary(day: date, years: int) -> date:
    """``day`` plus whole ``years``; 29 February becomes 1 March in a non-leap target year.

    The 1 March reading is this library's choice, not a rule of an article: no Dutch statute
    says on which day someone born on 29 February reaches an age in a common year (Burgerlijk
    Wetboek art. 1:2 is about the unborn child; the Algemene termijnenwet only extends
    statutory time limits that end on a weekend or public holiday). The reasoning: on
    28 February the anniversary (29 February) has not yet come, so the year is not complete;
    the first day not before it is 1 March. This is also how the legal position is commonly
    reported (de Volkskrant, schrikkeldag 2020). Every whole-year period uses it (age, the
    23rd birthday, the 2-year maximum, the 5-year retention), so the rules agree.
    """
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return day.replace(year=year)


def age_on(date_of_birth: date, day: date) -> int:
    """Completed years of age on ``day`` (birthdays by :func:`anniversary`: 29 February
    counts on 1 March in a common year).

    Raises :class:`ValidationError` (field ``date_of_birth``, rule ``future``) when ``day``
    is before the birth: there are no prenatal subjects (design §4; a choice of this library,
    not a rule taken from the Jeugdwet).
    """
    if day < date_of_birth:
        raise ValidationError("date_of_birth", "future", "lies after the date of the event")
    years = day.year - date_of_birth.year
    if anniversary(date_of_birth, years) > day:
        years -= 1
    return years


def turns_23_on(date_of_birth: date) -> date:
    """The day the subject turns 23: from that day on every signal on them is removed
    (Jeugdwet art. 7.1.4.5 lid 2 sub b, "met ingang van de dag dat de jeugdige de leeftijd van
    drieëntwintig jaar bereikt")."""
    return anniversary(date_of_birth, AGE_LIMIT)


def check_subject_eligible(date_of_birth: date, day: date) -> date:
    """Raise :class:`ValidationError` (field ``date_of_birth``) unless eligible on ``day``;
    returns the date the subject turns 23.

    Eligible means 0 <= age < 23: rule ``future`` before the birth (no prenatal subjects, see
    :func:`age_on`), rule ``age-limit`` from the 23rd birthday on, because from that day a
    signal is removed (Jeugdwet art. 7.1.4.5 lid 2 sub b), so none can be made.
    """
    if day < date_of_birth:
        raise ValidationError("date_of_birth", "future", "lies after the registration date")
    turns_23 = turns_23_on(date_of_birth)
    if day >= turns_23:
        raise ValidationError(
            "date_of_birth", "age-limit", "the subject is 23 or older (Jeugdwet 7.1.4.5 lid 2b)"
        )
    return turns_23


def max_planned_end(registered_on: date, max_years: int = MAX_SIGNAL_YEARS) -> date:
    """The latest planned end of a signal registered on ``registered_on``: ``max_years``
    whole years later (Jeugdwet art. 7.1.4.5 lid 2 sub a, "ten hoogste twee jaar nadat zij is
    gedaan"; a policy may lower the maximum to 1, never raise it)."""
    return anniversary(registered_on, max_years)


def check_planned_end(
    registered_on: date, planned_end: date, max_years: int = MAX_SIGNAL_YEARS
) -> None:
    """A planned end lies after registration (rule ``after-registration``) and at most
    ``max_years`` later (rule ``max-duration``; Jeugdwet art. 7.1.4.5 lid 2 sub a)."""
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
    to 15). Sources: regional practice. Verwijsindex Haaglanden (folder for young people)
    informs the young person, and the parents too while the young person is younger than 16.
    The lower bound of 12 for informing the young person is this library's reading, by the
    age categories Dutch law uses for a minor's own say (WGBO: art. 7:465 lid 1 BW, under 12
    the parents); it was not found in a regional text. Practice differs per region.
    """
    return age < 16, age >= 12


class RightsHolders(StrEnum):
    """Who exercises the subject's rights (inzage, correction, objection)."""

    PARENT = "parent"
    PARENT_AND_YOUTH = "parent-and-youth"
    YOUTH = "youth"


def rights_holders(age: int) -> RightsHolders:
    """A parent alone under 12; parent and young person together 12-15; the young person
    alone from 16.

    Source: the practice of Verwijsindex Midden-Nederland (verwijsindexmiddennederland.nl/
    uwrechten: under 12 the parent or legal representative; until 16 young person and parent
    together; from 16 the young person). The same age categories as WGBO art. 7:465 lid 1 BW
    (under 12) and Jeugdwet art. 7.3.4 lid 2 (from 12 to 16 the parents' consent too). AVG
    art. 8 and UAVG art. 5, cited here before, are about consent, on which the index does not
    rest; they do not say who exercises the rights.
    """
    if age < 12:
        return RightsHolders.PARENT
    if age < 16:
        return RightsHolders.PARENT_AND_YOUTH
    return RightsHolders.YOUTH


def purge_on(ended_on: date, years: int = RETENTION_YEARS) -> date:
    """The day an inactive signal (and its matches and notifications) is purged: ``years``
    whole years after it ended (five: Jeugdwet art. 7.1.4.6, the historical archive)."""
    return anniversary(ended_on, years)


def forced_end(planned_end: date, turns_23: date) -> tuple[date, str]:
    """The day a signal ends by itself and why: its planned end (Jeugdwet art. 7.1.4.5 lid 2
    sub a) or the subject's 23rd birthday (lid 2 sub b), whichever comes first. Returns
    ``(day, "planned_end")``, or ``(day, "age_limit")`` when the birthday comes strictly
    first (on a tie the planned end is the reason). Used by the sweep, by rectification and
    by the inzage report."""
    if planned_end <= turns_23:
        return planned_end, "planned_end"
    return turns_23, "age_limit"


def move_needs_notice(
    previous_region: str | None, new_region: str, live_signal_regions: frozenset[str]
) -> bool:
    """Whether a move must be reported to the new region's coordinator.

    Source: handreikingmelden.nl: when a young person moves to another municipality, the
    index sends a message with all active signals to the new municipality's coordinator
    (regievoerder). This library has one coordinator per covenant region
    (:meth:`Policy.coordinator_of`), so the notice goes to the new region's coordinator, and
    not when the subject stays in its covenant region (a choice): the recorded previous
    residence lies in the new region, or, with no residence recorded yet, every live signal
    falls under the new region already. There is nothing to report without live signals.
    """
    if not live_signal_regions:
        return False
    if previous_region is not None:
        return previous_region != new_region
    return live_signal_regions != frozenset({new_region})


def may_match(
    organisation_a: str,
    professional_a: str,
    organisation_b: str,
    professional_b: str,
    *,
    same_organisation_matching: bool,
) -> bool:
    """Whether two live signals may match: always across organisations; within one
    organisation only when the policy switches same-organisation matching on, and never a
    professional with themselves (design §4; MULTIsignaal matches professionals, not
    organisations, where a region chooses so)."""
    if organisation_a != organisation_b:
        return True
    return same_organisation_matching and professional_a != professional_b
