"""The one exception tree of verwijsindex-core.

Every error the library raises on purpose derives from :class:`VerwijsindexError`; where a
builtin fits, the error subclasses it too (an invalid value is also a ``ValueError``), so
callers can catch either::

    VerwijsindexError                      field, rule, explanation
    ├── ValidationError (ValueError)       + errors: every problem found at once
    │   ├── InvalidBsn
    │   └── InvalidPseudonym
    ├── KeyRingError
    │   ├── UnknownKey (LookupError)
    │   └── KeyFileError
    ├── OprfError
    │   ├── InvalidElement (ValueError)
    │   ├── InvalidScalar (ValueError)
    │   ├── InvalidOprfInput (ValueError)
    │   ├── ProofError
    │   └── BackendUnavailable (RuntimeError)
    ├── UnknownRecord (LookupError)        absent, or not the caller's: the same answer
    ├── NotPermitted (PermissionError)
    │   └── RequesterRuleError             inzage asked by the wrong rights holders
    ├── ReportSignatureError               a signed inzage report does not verify
    └── StoreError                         the database cannot be used

Every error carries ``field`` (the input or object concerned) and ``rule`` (a short, stable
identifier programs may match on, e.g. ``"eleven-test"``) as attributes; the message is
``"<field>: <explanation> (rule: <rule>)"``. Messages never hold the value of a BSN, a key or a
pseudonym: where a person needs a hint, the caller masks the value (``******333``) itself.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailable",
    "InvalidBsn",
    "InvalidElement",
    "InvalidOprfInput",
    "InvalidPseudonym",
    "InvalidScalar",
    "KeyFileError",
    "KeyRingError",
    "NotPermitted",
    "OprfError",
    "ProofError",
    "ReportSignatureError",
    "RequesterRuleError",
    "StoreError",
    "UnknownKey",
    "UnknownRecord",
    "ValidationError",
    "VerwijsindexError",
]


class VerwijsindexError(Exception):
    """Base class of every error raised by verwijsindex-core.

    ``field`` names the input or object concerned, ``rule`` the rule that was broken (a short
    stable identifier), ``explanation`` says it in a sentence for people.
    """

    def __init__(self, field: str, rule: str, explanation: str) -> None:
        self.field = field
        self.rule = rule
        self.explanation = explanation
        super().__init__(f"{field}: {explanation} (rule: {rule})")

    def __str__(self) -> str:
        return f"{self.field}: {self.explanation} (rule: {self.rule})"

    def __reduce__(self) -> tuple[object, ...]:
        # Picklable (multiprocessing, the server's workers) with the attributes intact.
        return (_rebuild, (type(self), self.field, self.rule, self.explanation, None))


class ValidationError(VerwijsindexError, ValueError):
    """A value broke a rule. ``errors`` lists every problem found at once (``field`` and
    ``rule`` each); the first one is also ``field`` and ``rule``."""

    def __init__(
        self,
        field: str,
        rule: str,
        explanation: str,
        *,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(field, rule, explanation)
        self.errors: list[dict[str, str]] = errors or [{"field": field, "rule": rule}]

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.field, self.rule, self.explanation, self.errors))

    def prefixed(self, prefix: str) -> ValidationError:
        """The same error with ``prefix`` (``"requests[3]."``) before every field."""
        errors = [{"field": prefix + e["field"], "rule": e["rule"]} for e in self.errors]
        return type(self)(prefix + self.field, self.rule, self.explanation, errors=errors)


def _rebuild(
    kind: type[VerwijsindexError],
    field: str,
    rule: str,
    explanation: str,
    errors: list[dict[str, str]] | None,
) -> VerwijsindexError:
    if issubclass(kind, ValidationError):
        return kind(field, rule, explanation, errors=errors)
    return kind(field, rule, explanation)


class InvalidBsn(ValidationError):
    """A citizen service number (BSN) failed validation; ``rule`` says which check."""


class InvalidPseudonym(ValidationError):
    """A pseudonym's text or bytes are not of the versioned form this library writes."""


class KeyRingError(VerwijsindexError):
    """A key ring is malformed or used in a way it does not allow."""


class UnknownKey(KeyRingError, LookupError):
    """No live key in the ring has the requested key id."""


class KeyFileError(KeyRingError):
    """A key file could not be read or written, is malformed, or is readable by others."""


class OprfError(VerwijsindexError):
    """Base class of the blind pseudonymisation (RFC 9497 OPRF) errors."""


class InvalidElement(OprfError, ValueError):
    """Bytes that are not the canonical encoding of a non-identity ristretto255 element."""


class InvalidScalar(OprfError, ValueError):
    """Bytes that are not a canonical, non-zero ristretto255 scalar."""


class InvalidOprfInput(OprfError, ValueError):
    """An input (or POPRF info) that the protocol cannot evaluate (RFC 9497 InvalidInputError,
    InverseError): it hashes to the identity, or the tweaked key is zero."""


class ProofError(OprfError):
    """The server's DLEQ proof does not verify: wrong key, altered or reordered elements."""


class BackendUnavailable(OprfError, RuntimeError):
    """The requested group backend cannot be used here (e.g. no system libsodium)."""


class UnknownRecord(VerwijsindexError, LookupError):
    """No signal, match, notification or subject with that id, or not one the caller may see
    (the same answer for both, so that existence does not leak)."""


class NotPermitted(VerwijsindexError, PermissionError):
    """The actor may not do this (policy forbids it, or the role does not allow it)."""


class RequesterRuleError(NotPermitted):
    """Inzage asked by the wrong rights holders for the subject's age; ``rule`` names the
    rule (``parent-under-12``, ``together-12-to-15``, ``youth-16-plus``, ``requester-kind``)."""


class ReportSignatureError(VerwijsindexError):
    """A signed inzage report is malformed, altered, or signed by another key."""


class StoreError(VerwijsindexError):
    """The database cannot be used (newer schema, locked for too long, damaged)."""
