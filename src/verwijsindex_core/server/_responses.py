"""The bodies of successful answers that are not a library model of their own."""

from __future__ import annotations

from pydantic import ConfigDict

from verwijsindex_core._pydantic import Model
from verwijsindex_core.matching import Contact, Match, Notification

__all__: list[str] = []

_OUT = ConfigDict(extra="forbid", frozen=True)


class MatchList(Model):
    """``listMatches`` and ``setParents``: matches, each between two signals."""

    model_config = _OUT
    matches: tuple[Match, ...]


class NotificationList(Model):
    """``listNotifications``: the outbox, oldest first."""

    model_config = _OUT
    notifications: tuple[Notification, ...]


class ContactList(Model):
    """``viewHistory``: the earlier professionals' contact data."""

    model_config = _OUT
    contacts: tuple[Contact, ...]


class Acknowledged(Model):
    """``acknowledgeNotifications``: how many left the outbox."""

    model_config = _OUT
    acknowledged: int


class DeathRecorded(Model):
    """``recordDeath``: the signals that ended."""

    model_config = _OUT
    ended_signals: tuple[int, ...]


class MoveRecorded(Model):
    """``recordMove``: the notice to the new region's coordinator, if one was needed."""

    model_config = _OUT
    notification: Notification | None


class OprfEvaluation(Model):
    """``evaluateOprf``: the evaluated elements (base64url, in request order) and the DLEQ
    proof (base64url; None in OPRF mode) under the service key ``key_id``."""

    model_config = _OUT
    key_id: str
    elements: tuple[str, ...]
    proof: str | None


class Health(Model):
    """``health``: the server answers."""

    model_config = _OUT
    status: str
    api_version: str
