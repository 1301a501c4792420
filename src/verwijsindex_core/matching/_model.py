"""The domain model: who is involved, never why.

Every model forbids unknown fields (``extra="forbid"``) and is frozen. There is no free-text
field: names, functions and contact details are short, constrained strings; everything else is
an enum, a date, an id or a pseudonym.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    Strict,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from verwijsindex_core._pydantic import Model
from verwijsindex_core.errors import InvalidPseudonym
from verwijsindex_core.pseudonym import Pseudonym

__all__ = [
    "MAX_ALIASES",
    "MAX_PARENTS",
    "Actor",
    "Contact",
    "Domain",
    "EndReason",
    "HistoryNotice",
    "HistoryViewReason",
    "IndexStatistics",
    "InformingDuty",
    "Match",
    "MatchKind",
    "Notification",
    "NotificationKind",
    "Organisation",
    "PostponementGround",
    "Professional",
    "PseudonymField",
    "Rectification",
    "RegisterRequest",
    "Registration",
    "Signal",
    "SignalStatus",
]

MAX_PARENTS: Final = 4
"""A child has at most 4 parents (per key) in the index."""
MAX_ALIASES: Final = 4
"""A subject is given under at most 4 live keys at once."""

_STRICT: Final = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

Identifier = Annotated[
    str, Strict(), StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
]
"""An id chosen by the vendor or the index: 1-64 of letters, digits, ``.``, ``_``, ``-``."""
PersonName = Annotated[
    str,
    Strict(),
    StringConstraints(min_length=1, max_length=100, pattern=r"^[^\W\d_][\w .,'’()-]*$"),
]
"""A name: starts with a letter; letters, digits, spaces and ``.,'’()-`` only; at most 100."""
FunctionTitle = Annotated[
    str,
    Strict(),
    StringConstraints(min_length=1, max_length=60, pattern=r"^[^\W\d_][\w .,'’()/&+-]*$"),
]
"""A job title such as ``Jeugdverpleegkundige``: at most 60 characters, no line breaks."""
Phone = Annotated[str, Strict(), StringConstraints(pattern=r"^\+?[0-9][0-9 -]{7,18}[0-9]$")]
Email = Annotated[
    str,
    Strict(),
    StringConstraints(
        max_length=254, pattern=r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
    ),
]
Municipality = Annotated[str, Strict(), StringConstraints(pattern=r"^GM[0-9]{4}$")]
"""A CBS municipality code, ``GM0518`` for Den Haag."""


_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _to_date(value: Any) -> date:
    # A date, or its ISO text (JSON): never an int, float, bytes or datetime, which pydantic's
    # lax mode would turn into a date.
    if type(value) is date:
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date_from_datetime_parsing", "not a valid date") from None
    raise PydanticCustomError("date_type", "must be a date or YYYY-MM-DD text")


IsoDate = Annotated[
    date, PlainValidator(_to_date), WithJsonSchema({"type": "string", "format": "date"})
]
"""A calendar date: a ``date`` (not a ``datetime``) or ``YYYY-MM-DD`` text."""


def _text_or_member(value: Any) -> Any:
    """Before an enum field: a member or exact text passes on; bytes, numbers and the like are
    refused (pydantic's lax mode would read ``b"jeugdhulp"`` as a member)."""
    if isinstance(value, StrEnum) or type(value) is str:
        return value
    raise PydanticCustomError("enum", "must be one of the allowed values")


def _to_pseudonym(value: Any) -> Any:
    if isinstance(value, str):
        return Pseudonym.parse(value)
    if not isinstance(value, Pseudonym):
        raise InvalidPseudonym("pseudonym", "type", "must be a Pseudonym or its text form")
    return value


PseudonymField = Annotated[
    Pseudonym,
    PlainValidator(_to_pseudonym),
    PlainSerializer(lambda p: p.text, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^vi1\.[a-z2-7]{8}\.[A-Za-z0-9_-]{43}$"}),
]
"""A :class:`Pseudonym` (or its ``vi1.`` text), serialised as text in JSON."""


class Domain(StrEnum):
    """The seven domains professionals come from (multisignaal.nl/voor-ouders)."""

    JEUGDHULP = "jeugdhulp"
    JEUGDGEZONDHEIDSZORG = "jeugdgezondheidszorg"
    GEZONDHEIDSZORG = "gezondheidszorg"
    ONDERWIJS = "onderwijs"
    MAATSCHAPPELIJKE_ONDERSTEUNING = "maatschappelijke-ondersteuning"
    WERK_EN_INKOMEN = "werk-en-inkomen"
    POLITIE_EN_JUSTITIE = "politie-en-justitie"

    @property
    def label_nl(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]


_LABELS: Final = {
    Domain.JEUGDHULP: ("Jeugdhulp", "Youth care"),
    Domain.JEUGDGEZONDHEIDSZORG: ("Jeugdgezondheidszorg", "Youth health care"),
    Domain.GEZONDHEIDSZORG: ("Gezondheidszorg", "Health care"),
    Domain.ONDERWIJS: ("Onderwijs", "Education"),
    Domain.MAATSCHAPPELIJKE_ONDERSTEUNING: ("Maatschappelijke ondersteuning", "Social support"),
    Domain.WERK_EN_INKOMEN: ("Werk & Inkomen", "Work & income"),
    Domain.POLITIE_EN_JUSTITIE: ("Politie & Justitie", "Police & justice"),
}


class SignalStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class EndReason(StrEnum):
    """Why a signal ended. ``unjustified`` deletes it; every other reason keeps history."""

    RISK_GONE = "risk_gone"
    """The professional's concern is gone (lid 1): inactive, kept as history."""
    UNJUSTIFIED = "unjustified"
    """Registered in error (wrong subject): hard-deleted with its matches (lid 1)."""
    PLANNED_END = "planned_end"
    AGE_LIMIT = "age_limit"
    DECEASED = "deceased"


class MatchKind(StrEnum):
    DIRECT = "direct"
    FAMILY = "family"


class NotificationKind(StrEnum):
    MATCH = "match"
    HISTORY_EXISTS = "history_exists"
    MOVE = "move"


class PostponementGround(StrEnum):
    """Recorded grounds for postponing the informing duty (Haaglanden juridisch kader)."""

    SAFETY_OF_YOUNG_PERSON = "safety_of_young_person"
    SAFETY_OF_OTHERS = "safety_of_others"
    INTERESTS_OF_INVESTIGATION = "interests_of_investigation"


class HistoryViewReason(StrEnum):
    """The stated reason for viewing earlier professionals' contact data (handreikingmelden)."""

    CONTINUITY_OF_CARE = "continuity_of_care"
    RISK_ASSESSMENT = "risk_assessment"
    CONTACT_EARLIER_PROFESSIONAL = "contact_earlier_professional"


DomainField = Annotated[Domain, BeforeValidator(_text_or_member)]
GroundField = Annotated[PostponementGround, BeforeValidator(_text_or_member)]


class Organisation(Model):
    model_config = _STRICT

    id: Identifier
    name: PersonName
    domain: DomainField
    municipality: Municipality
    """Where the organisation is established; the covenant region follows from it
    (:meth:`Policy.region_of`)."""


class Professional(Model):
    model_config = _STRICT

    id: Identifier
    name: PersonName
    function: FunctionTitle
    phone: Phone
    email: Email
    organisation_id: Identifier


class Actor(Model):
    """Who performs an action: an organisation and, where one acts, its professional."""

    model_config = _STRICT

    organisation_id: Identifier
    professional_id: Identifier | None = None


class Contact(Model):
    """What one party of a match learns about the other: how to reach them."""

    model_config = _STRICT

    signal_id: int
    organisation_id: Identifier
    organisation_name: PersonName
    professional_name: PersonName
    function: FunctionTitle
    phone: Phone
    email: Email
    domain: Domain


class Signal(Model):
    model_config = _STRICT

    id: int = Field(ge=1)
    subject: PseudonymField
    organisation_id: Identifier
    professional: Professional
    domain: Domain
    municipality: Municipality
    """The municipality whose covenant the signal falls under."""
    registered_on: date
    planned_end: date
    status: SignalStatus
    ended_on: date | None = None
    end_reason: EndReason | None = None


class Match(Model):
    model_config = _STRICT

    id: int = Field(ge=1)
    signal_a: int
    signal_b: int
    kind: MatchKind
    cross_region: bool
    created_on: date
    coordinator_signal: int | None = None
    afgestemd: bool = False


class Notification(Model):
    model_config = _STRICT

    id: int = Field(ge=1)
    organisation_id: Identifier
    professional_id: Identifier | None
    kind: NotificationKind
    created_on: date
    signal_id: int | None = None
    """The recipient's own signal this is about (None for a region coordinator)."""
    match_id: int | None = None
    match_kind: MatchKind | None = None
    cross_region: bool = False
    contacts: tuple[Contact, ...] = ()
    """The other side (match), or every active signal on a subject that moved (move)."""


class HistoryNotice(Model):
    """Tells the new professional that earlier (inactive) signals exist; nothing more."""

    model_config = _STRICT

    signal_id: int
    inactive_signals: int = Field(ge=1)


class InformingDuty(Model):
    """Whom the registering professional must inform (parents < 16, young person >= 12).

    Informing may be postponed only with a recorded ground (Haaglanden juridisch kader).
    """

    model_config = _STRICT

    inform_parents: bool
    inform_young_person: bool
    postponed: bool = False
    ground: PostponementGround | None = None

    @model_validator(mode="after")
    def _ground_recorded(self) -> InformingDuty:
        if self.postponed != (self.ground is not None):
            raise ValueError("postponed requires a recorded ground, and a ground postponement")
        return self


class RegisterRequest(Model):
    """A registration as a vendor or the server submits it (subject already pseudonymised)."""

    model_config = _STRICT

    subject: PseudonymField
    aliases: tuple[PseudonymField, ...] = Field(default=(), max_length=MAX_ALIASES - 1)
    """The subject's pseudonym under each further live key (key rotation: one per key, the
    active key's in ``subject``), so that the index finds the subject under any of them."""
    date_of_birth: IsoDate
    organisation: Organisation
    professional: Professional
    municipality: Municipality
    """The municipality whose covenant the signal falls under (usually the registering
    organisation's); signals in different covenant regions make a cross-region match."""
    domain: DomainField | None = None
    """Defaults to the organisation's domain."""
    planned_end: IsoDate | None = None
    parents: tuple[PseudonymField, ...] = Field(default=(), max_length=MAX_PARENTS * MAX_ALIASES)
    """The parents' pseudonyms: at most 4 parents, each under every live key."""
    postponement: GroundField | None = None
    """Set to postpone informing, with the recorded ground."""


class Registration(Model):
    """What :meth:`Verwijsindex.register` returns."""

    model_config = _STRICT

    signal: Signal
    created: bool
    """False when an identical active signal existed (re-registration is idempotent)."""
    matches: tuple[Match, ...] = ()
    """The new signal's matches (never matches between other organisations)."""
    notifications: tuple[Notification, ...] = ()
    """The notifications addressed to the registering organisation; each other party finds
    its own in its outbox (:meth:`Verwijsindex.notifications_for`)."""
    informing_duty: InformingDuty
    history_notice: HistoryNotice | None = None


class Rectification(Model):
    """What :meth:`Verwijsindex.rectify_date_of_birth` changed (AVG art. 16)."""

    model_config = _STRICT

    reopened: tuple[int, ...] = ()
    """Signals ended at a 23rd birthday that the corrected date of birth does not give."""
    corrected: tuple[int, ...] = ()
    """Ended signals whose end date or reason the corrected date of birth changes."""
    matches: tuple[Match, ...] = ()
    """Matches made by signals the correction made live again (reopened, or active signals
    of a subject now younger than 23)."""


class IndexStatistics(Model):
    """Totals of the whole index, without any subject data (reports, the demo, monitoring)."""

    model_config = _STRICT

    subjects: int
    signals_active: int
    signals_inactive: int
    matches_direct: int
    matches_family: int
    matches_cross_region: int
    notifications_pending: int
    audit_entries: int
