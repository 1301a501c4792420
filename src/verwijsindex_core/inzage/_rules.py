"""Who may ask for inzage (a pure rule, with its source)."""

from __future__ import annotations

from collections.abc import Iterable

from verwijsindex_core.errors import RequesterRuleError
from verwijsindex_core.inzage._model import Requester
from verwijsindex_core.matching import RightsHolders, rights_holders

__all__ = ["check_requesters"]


def check_requesters(age: int, requesters: Iterable[Requester | str]) -> tuple[Requester, ...]:
    """Under 12 a parent with authority alone; 12-15 the young person and a parent together;
    16 and older the young person alone. Returns the requesters in a fixed order or raises
    :class:`RequesterRuleError`.

    The age groups come from :func:`~verwijsindex_core.matching.rights_holders`: the practice
    of Verwijsindex Midden-Nederland (verwijsindexmiddennederland.nl/uwrechten), with the same
    age categories as WGBO art. 7:465 lid 1 BW (under 12) and Jeugdwet art. 7.3.4 lid 2 (12 to
    15). UAVG art. 5, cited here before, is about consent and does not decide who asks."""
    try:
        given = {Requester(r) for r in requesters}
    except ValueError:
        raise RequesterRuleError(
            "requesters", "requester-kind", "each must be 'youth' or 'parent'"
        ) from None
    holders = rights_holders(age)
    if holders is RightsHolders.PARENT and given != {Requester.PARENT}:
        raise RequesterRuleError(
            "requesters", "parent-under-12", "under 12 a parent with parental authority asks, alone"
        )
    if holders is RightsHolders.PARENT_AND_YOUTH and given != {Requester.PARENT, Requester.YOUTH}:
        raise RequesterRuleError(
            "requesters",
            "together-12-to-15",
            "from 12 to 15 the young person and a parent ask together",
        )
    if holders is RightsHolders.YOUTH and given != {Requester.YOUTH}:
        raise RequesterRuleError(
            "requesters", "youth-16-plus", "from 16 the young person asks, alone"
        )
    return tuple(sorted(given, key=lambda r: r.value))
