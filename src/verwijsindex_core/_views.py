"""Records to public models, in one place: what the facade (and through it the server) shows.

The store's records hold ids; the models a professional sees hold contacts and pseudonyms.
"""

from __future__ import annotations

from verwijsindex_core.errors import UnknownRecord
from verwijsindex_core.matching import Contact, Match, Notification, Signal
from verwijsindex_core.pseudonym import Pseudonym
from verwijsindex_core.store import (
    MatchRecord,
    NotificationRecord,
    SignalRecord,
    Store,
    SubjectKey,
    SubjectRecord,
)

__all__ = [
    "contact_model",
    "match_model",
    "notification_model",
    "primary_alias",
    "signal_model",
]


def primary_alias(subject: SubjectRecord, prefer_key: str | None = None) -> SubjectKey:
    """The alias to show (and to audit under): the one under ``prefer_key`` (the active key)
    when the subject has one, else the oldest."""
    if prefer_key is not None:
        for alias in subject.aliases:
            if alias[0] == prefer_key:
                return alias
    if not subject.aliases:  # pragma: no cover - a stored subject has an alias
        raise UnknownRecord("subject", "unknown", "has no pseudonym")
    return subject.aliases[0]


def signal_model(record: SignalRecord, subject: SubjectKey) -> Signal:
    return Signal.model_construct(
        id=record.id,
        subject=Pseudonym._trusted(*subject),
        organisation_id=record.organisation_id,
        professional=record.professional,
        domain=record.domain,
        municipality=record.municipality,
        registered_on=record.registered_on,
        planned_end=record.planned_end,
        status=record.status,
        ended_on=record.ended_on,
        end_reason=record.end_reason,
    )


def match_model(record: MatchRecord) -> Match:
    return Match.model_construct(
        id=record.id,
        signal_a=record.signal_a,
        signal_b=record.signal_b,
        kind=record.kind,
        cross_region=record.cross_region,
        created_on=record.created_on,
        coordinator_signal=record.coordinator_signal,
        afgestemd=record.afgestemd,
    )


def contact_model(store: Store, record: SignalRecord) -> Contact:
    organisation = store.get_organisation(record.organisation_id)
    p = record.professional
    return Contact.model_construct(
        signal_id=record.id,
        organisation_id=record.organisation_id,
        organisation_name=organisation.name if organisation else record.organisation_id,
        professional_name=p.name,
        function=p.function,
        phone=p.phone,
        email=p.email,
        domain=record.domain,
    )


def notification_model(store: Store, record: NotificationRecord) -> Notification:
    match = store.get_match(record.match_id) if record.match_id is not None else None
    contacts = []
    for signal_id in record.about:
        signal = store.get_signal(signal_id)
        if signal is not None:
            contacts.append(contact_model(store, signal))
    return Notification.model_construct(
        id=record.id,
        organisation_id=record.organisation_id,
        professional_id=record.professional_id,
        kind=record.kind,
        created_on=record.created_on,
        signal_id=record.signal_id,
        match_id=record.match_id,
        match_kind=match.kind if match else None,
        cross_region=match.cross_region if match else False,
        contacts=tuple(contacts),
    )
