"""verwijsindex-core: building blocks for a Dutch verwijsindex (Jeugdwet §7.1).

Validate a BSN, pseudonymise it with a key that stays where it belongs (keyed, or blind with
an OPRF), match signals on pseudonyms only, log every access in a hash chain and answer
inzage completely. :class:`Verwijsindex` is the one way in; ``docs/architecture.md`` maps the
packages: ``pseudonym``, ``matching``, ``store``, ``audit``, ``inzage``, ``synthetic``.
"""

from verwijsindex_core._facade import BatchSummary, Verwijsindex
from verwijsindex_core.errors import (
    BackendUnavailable,
    InvalidBsn,
    InvalidElement,
    InvalidOprfInput,
    InvalidPseudonym,
    InvalidScalar,
    KeyFileError,
    KeyRingError,
    NotPermitted,
    OprfError,
    ProofError,
    ReportSignatureError,
    RequesterRuleError,
    StoreError,
    UnknownKey,
    UnknownRecord,
    ValidationError,
    VerwijsindexError,
)
from verwijsindex_core.pseudonym import (
    Bsn,
    Key,
    KeyRing,
    Pseudonym,
    Pseudonymiser,
    are_valid_bsns,
    is_valid_bsn,
)

__version__ = "0.1.0"

__all__ = [
    "BackendUnavailable",
    "BatchSummary",
    "Bsn",
    "InvalidBsn",
    "InvalidElement",
    "InvalidOprfInput",
    "InvalidPseudonym",
    "InvalidScalar",
    "Key",
    "KeyFileError",
    "KeyRing",
    "KeyRingError",
    "NotPermitted",
    "OprfError",
    "ProofError",
    "Pseudonym",
    "Pseudonymiser",
    "ReportSignatureError",
    "RequesterRuleError",
    "StoreError",
    "UnknownKey",
    "UnknownRecord",
    "ValidationError",
    "Verwijsindex",
    "VerwijsindexError",
    "__version__",
    "are_valid_bsns",
    "is_valid_bsn",
]
