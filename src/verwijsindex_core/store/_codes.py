"""The small integer codes the database stores write for enum values, and the municipality
number of a ``GMxxxx`` code: one table for :class:`SQLiteStore` and :class:`PostgresStore`,
so that both write the same codes (a database written today must read the same tomorrow, and
the two layouts stay the same).

Append only: a code, once written, keeps its meaning.
"""

from __future__ import annotations

from typing import Final

from verwijsindex_core.audit import AuditEvent
from verwijsindex_core.matching._model import (
    Domain,
    EndReason,
    MatchKind,
    NotificationKind,
    SignalStatus,
)

__all__: list[str] = []  # the stores' own vocabulary, imported by name

DOMAINS: Final = (
    Domain.JEUGDHULP,
    Domain.JEUGDGEZONDHEIDSZORG,
    Domain.GEZONDHEIDSZORG,
    Domain.ONDERWIJS,
    Domain.MAATSCHAPPELIJKE_ONDERSTEUNING,
    Domain.WERK_EN_INKOMEN,
    Domain.POLITIE_EN_JUSTITIE,
)
STATUSES: Final = (SignalStatus.ACTIVE, SignalStatus.INACTIVE)
REASONS: Final = (
    EndReason.RISK_GONE,
    EndReason.UNJUSTIFIED,
    EndReason.PLANNED_END,
    EndReason.AGE_LIMIT,
    EndReason.DECEASED,
)
MATCH_KINDS: Final = (MatchKind.DIRECT, MatchKind.FAMILY)
NOTE_KINDS: Final = (
    NotificationKind.MATCH,
    NotificationKind.HISTORY_EXISTS,
    NotificationKind.MOVE,
)
EVENTS: Final = tuple(AuditEvent)  # AuditEvent is append-only by contract
CODE: Final[dict[object, int]] = {
    member: code
    for table in (DOMAINS, STATUSES, REASONS, MATCH_KINDS, NOTE_KINDS, EVENTS)
    for code, member in enumerate(table)
}
"""The code of every member of the tables above."""


def gm(code: str) -> int:
    """The number of a municipality code (``GM0518`` -> 518)."""
    return int(code[2:])


def gm_text(number: int | None) -> str | None:
    """The municipality code of a number (518 -> ``GM0518``), or None."""
    return None if number is None else f"GM{number:04d}"
