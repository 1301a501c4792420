"""The one exception tree of verwijsindex-core.

Every error the library raises on purpose derives from :class:`VerwijsindexError`; where a
builtin fits, the error subclasses it too (an invalid value is also a ``ValueError``), so
callers can catch either.

Messages name the *field* and the *rule* that was broken, never the value: a BSN, a key or a
pseudonym must not reach a log file through an exception. Where a person needs a hint, the
caller masks the value (``******333``) itself; errors carry no value at all.
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
    "StoreError",
    "UnknownKey",
    "UnknownRecord",
    "ValidationError",
    "VerwijsindexError",
]


class VerwijsindexError(Exception):
    """Base class of every error raised by verwijsindex-core."""


class ValidationError(VerwijsindexError, ValueError):
    """A value broke a rule. ``field`` names the input, ``rule`` the rule that was broken.

    ``rule`` is a short stable identifier (for example ``"eleven-test"``) that programs may
    match on; the message adds a sentence for people.
    """

    def __init__(
        self,
        field: str,
        rule: str,
        explanation: str,
        *,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        self.field = field
        self.rule = rule
        self.explanation = explanation
        self.errors: list[dict[str, str]] = errors or [{"field": field, "rule": rule}]
        """Every problem found at once (``field`` and ``rule`` each): the first is the above."""
        super().__init__(f"{field}: {explanation} (rule: {rule})")

    def __reduce__(self) -> tuple[object, ...]:
        # Keep the error picklable (multiprocessing) with its attributes intact.
        return (_rebuild, (type(self), self.field, self.rule, self.explanation, self.errors))


def _rebuild(
    kind: type[ValidationError],
    field: str,
    rule: str,
    explanation: str,
    errors: list[dict[str, str]],
) -> ValidationError:
    return kind(field, rule, explanation, errors=errors)


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
    """No signal, match or notification with that id (or not one the caller may see)."""


class NotPermitted(VerwijsindexError, PermissionError):
    """The actor may not do this (not its signal, policy forbids it, requester rule)."""


class StoreError(VerwijsindexError):
    """The database cannot be used (newer schema, locked for too long, damaged)."""
