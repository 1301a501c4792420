"""Build an :class:`InzageReport` from a store and the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Final

from verwijsindex_core.audit import AuditEntry
from verwijsindex_core.inzage._model import (
    InzageReport,
    ReportAccess,
    ReportMatch,
    ReportParty,
    ReportSignal,
    Requester,
)
from verwijsindex_core.matching import (
    MatchRecord,
    Policy,
    SignalRecord,
    SignalStatus,
    Store,
    SubjectKey,
    purge_on,
)

__all__ = ["PURPOSES", "build_report"]

PURPOSES: Final[dict[str, str]] = {
    "register": "registration",
    "register-existing": "registration-repeated",
    "end-signal": "signal-ended",
    "delete-signal": "signal-deleted",
    "record-death": "death-recorded",
    "record-move": "move-recorded",
    "set-parents": "parents-linked",
    "view-history": "history-viewed",
    "read-matches": "matches-consulted",
    "read-notifications": "notifications-delivered",
    "mark-coordinator": "coordinator-marked",
    "mark-afgestemd": "match-afgestemd",
    "sweep-end": "signal-ended-automatically",
    "inzage": "inzage",
    "inzage-refused": "inzage-refused",
}


def _delete_on(signal: SignalRecord, turns_23: date, policy: Policy) -> date:
    if signal.status is SignalStatus.INACTIVE and signal.ended_on is not None:
        return purge_on(signal.ended_on, policy.retention_years)
    return purge_on(min(signal.planned_end, turns_23), policy.retention_years)


def _report_signal(
    s: SignalRecord, organisation: str, turns_23: date, today: date, delete_on: date
) -> ReportSignal:
    status, ended_on = s.status.value, s.ended_on
    reason = s.end_reason.value if s.end_reason else None
    forced = min(s.planned_end, turns_23)
    if s.status is SignalStatus.ACTIVE and forced <= today:
        # Past its end but not swept yet: report it as the law has it, ended.
        status, ended_on = "inactive", forced
        reason = "planned_end" if s.planned_end <= turns_23 else "age_limit"
    return ReportSignal(
        number=s.id,
        organisation=organisation,
        organisation_id=s.organisation_id,
        professional=s.professional.name,
        function=s.professional.function,
        phone=s.professional.phone,
        email=s.professional.email,
        domain=s.domain.value,
        region=s.region,
        registered_on=s.registered_on,
        planned_end=s.planned_end,
        status=status,  # type: ignore[arg-type]
        ended_on=ended_on,
        end_reason=reason,
        delete_on=delete_on,
    )


def build_report(
    store: Store,
    audit_entries: Iterable[AuditEntry],
    subject: SubjectKey,
    subject_text: str,
    *,
    masked: str,
    generated_at: datetime,
    generated_by: str,
    requested_by: tuple[Requester, ...],
    policy: Policy,
) -> InzageReport:
    """Everything about ``subject`` in ``store`` and the audit log, and nothing else."""
    record = store.get_subject(subject)
    turns_23 = record.turns_23 if record else generated_at.date()

    def org_name(organisation_id: str) -> str:
        organisation = store.get_organisation(organisation_id)
        return organisation.name if organisation else organisation_id

    own = store.signals_of(subject)
    own_ids = {s.id for s in own}
    delete_on = {s.id: _delete_on(s, turns_23, policy) for s in own}
    today = generated_at.date()
    signals = [
        _report_signal(s, org_name(s.organisation_id), turns_23, today, delete_on[s.id])
        for s in own
    ]
    seen: dict[int, MatchRecord] = {}
    for s in own:
        for m in store.matches_of_signal(s.id):
            seen.setdefault(m.id, m)
    matches = []
    recipients = {org_name(s.organisation_id) for s in own}
    for m in sorted(seen.values(), key=lambda m: m.id):
        mine = m.signal_a if m.signal_a in own_ids else m.signal_b
        other_id = m.signal_b if mine == m.signal_a else m.signal_a
        other = store.get_signal(other_id)
        if other is None:  # pragma: no cover - a match is deleted with its signals
            continue
        other_turns = store.get_subject(other.subject)
        other_delete = _delete_on(other, other_turns.turns_23 if other_turns else turns_23, policy)
        coordinator = store.get_signal(m.coordinator_signal) if m.coordinator_signal else None
        matches.append(
            ReportMatch(
                number=m.id,
                created_on=m.created_on,
                kind=m.kind.value,
                cross_region=m.cross_region,
                own_signal=mine,
                other=ReportParty(
                    organisation=org_name(other.organisation_id), domain=other.domain.value
                ),
                coordinator=org_name(coordinator.organisation_id) if coordinator else None,
                afgestemd=m.afgestemd,
                delete_on=min(delete_on[mine], other_delete),
            )
        )
        recipients.add(org_name(other.organisation_id))
        if m.cross_region:
            a, b = store.get_signal(m.signal_a), store.get_signal(m.signal_b)
            for side in (a, b):
                if side is not None:
                    recipients.add(policy.coordinator_of(policy.region_of(side.region)))
    accesses = []
    for entry in audit_entries:
        if entry.subject != subject_text:
            continue
        accesses.append(
            ReportAccess(
                at=entry.at,
                organisation=org_name(entry.actor_organisation),
                purpose=PURPOSES.get(entry.event, entry.event),
            )
        )
        if entry.event == "record-move" and entry.detail.startswith("to="):
            municipality = entry.detail[3:]
            recipients.add(policy.coordinator_of(policy.region_of(municipality)))
    origin = ["registration-by-professionals"]
    if store.parents_of(subject):
        origin.append("parent-links-by-professionals-or-population-register")
    return InzageReport(
        subject=masked,
        generated_at=generated_at,
        generated_by=generated_by,
        requested_by=requested_by,
        signals=tuple(signals),
        matches=tuple(matches),
        accesses=tuple(accesses),
        recipients=tuple(sorted(recipients)),
        origin=tuple(origin),
    )
