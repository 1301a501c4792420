"""Signals, matches and the rules of the law (design §4).

- Model: :class:`Domain`, :class:`Organisation`, :class:`Professional`, :class:`Signal`,
  :class:`Match`, :class:`Notification`, :class:`HistoryNotice`, :class:`RegisterRequest`, ...
- Rules: pure functions with their sources (:func:`age_on`, :func:`turns_23_on`, ...).
- :class:`Engine` on a :class:`Store` (:class:`MemoryStore` here), with a :class:`Policy`.
- Time: :class:`Clock`, :class:`SystemClock`, :class:`FixedClock`.

Most callers use :class:`verwijsindex_core.Verwijsindex`, which wires these together.
"""

from verwijsindex_core.matching._clock import Clock, FixedClock, SystemClock
from verwijsindex_core.matching._engine import Engine, RegisterInput, RegisterOutcome, SweepReport
from verwijsindex_core.matching._model import (
    Actor,
    Contact,
    Domain,
    EndReason,
    HistoryNotice,
    HistoryViewReason,
    InformingDuty,
    Match,
    MatchKind,
    Notification,
    NotificationKind,
    Organisation,
    PostponementGround,
    Professional,
    PseudonymField,
    RegisterRequest,
    Registration,
    Signal,
    SignalStatus,
)
from verwijsindex_core.matching._policy import Policy
from verwijsindex_core.matching._records import (
    MatchRecord,
    NotificationRecord,
    SignalRecord,
    SubjectKey,
    SubjectRecord,
)
from verwijsindex_core.matching._rules import (
    AGE_LIMIT,
    MAX_SIGNAL_YEARS,
    RETENTION_YEARS,
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
from verwijsindex_core.matching._sqlite import SCHEMA_VERSION, SQLiteStore
from verwijsindex_core.matching._store import MemoryStore, Store

__all__ = [
    "AGE_LIMIT",
    "MAX_SIGNAL_YEARS",
    "RETENTION_YEARS",
    "SCHEMA_VERSION",
    "Actor",
    "Clock",
    "Contact",
    "Domain",
    "EndReason",
    "Engine",
    "FixedClock",
    "HistoryNotice",
    "HistoryViewReason",
    "InformingDuty",
    "Match",
    "MatchKind",
    "MatchRecord",
    "MemoryStore",
    "Notification",
    "NotificationKind",
    "NotificationRecord",
    "Organisation",
    "Policy",
    "PostponementGround",
    "Professional",
    "PseudonymField",
    "RegisterInput",
    "RegisterOutcome",
    "RegisterRequest",
    "Registration",
    "RightsHolders",
    "SQLiteStore",
    "Signal",
    "SignalRecord",
    "SignalStatus",
    "Store",
    "SubjectKey",
    "SubjectRecord",
    "SweepReport",
    "SystemClock",
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
