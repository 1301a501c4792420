"""The pseudonym value type: key id + 32-byte digest, with a versioned text form."""

from __future__ import annotations

import hmac
import re
from typing import Final, final

from verwijsindex_core.errors import InvalidPseudonym
from verwijsindex_core.pseudonym._args import check_field_name, plain_bytes, plain_str
from verwijsindex_core.pseudonym._b64 import b64u_decode, b64u_encode

__all__ = ["DIGEST_SIZE", "KEY_ID_PATTERN", "Pseudonym", "pseudonym_text"]

DIGEST_SIZE: Final = 32
"""Bytes in a pseudonym digest (HMAC-SHA256 output size)."""

KEY_ID_PATTERN: Final = r"[a-z2-7]{8}"
"""A key id: 8 characters of lower-case base32 (40 bits of the key's fingerprint)."""

_VERSION: Final = "vi1"
_KEY_ID_RE: Final = re.compile(KEY_ID_PATTERN)
_TEXT_RE: Final = re.compile(rf"{_VERSION}\.({KEY_ID_PATTERN})\.([A-Za-z0-9_-]{{43}})")
_FIELD: Final = "pseudonym"
_TEXT_LENGTH: Final = len(_VERSION) + 1 + 8 + 1 + 43

_tuple_new = tuple.__new__


def _check_parts(key_id: object, digest: object) -> tuple[str, bytes]:
    """Plain ``(key_id, digest)`` once both are of the form a pseudonym holds."""
    text = plain_str(key_id)
    if text is None:
        raise InvalidPseudonym("key_id", "type", "must be text (str)")
    if _KEY_ID_RE.fullmatch(text) is None:
        raise InvalidPseudonym(
            "key_id", "key-id-format", "must be 8 characters of lower-case base32"
        )
    raw = plain_bytes(digest)
    if raw is None:
        raise InvalidPseudonym("digest", "type", f"must be {DIGEST_SIZE} bytes (bytes)")
    if len(raw) != DIGEST_SIZE:
        raise InvalidPseudonym("digest", "digest-length", f"must be {DIGEST_SIZE} bytes")
    return text, raw


def unchecked_text(key_id: str, digest: bytes) -> str:
    """:func:`pseudonym_text` without the checks, for values this package has just computed
    (the bulk path of ``verwijsindex pseudonymise``)."""
    return f"{_VERSION}.{key_id}.{b64u_encode(digest)}"


def pseudonym_text(key_id: str, digest: bytes) -> str:
    """The text form ``vi1.<key-id>.<base64url digest>`` of a (key id, digest) pair.

    Equals ``Pseudonym(key_id, digest).text`` without building the object (for bulk output
    with :meth:`Pseudonymiser.digests_many`); the arguments are checked as the constructor
    checks them (:class:`InvalidPseudonym`).
    """
    return unchecked_text(*_check_parts(key_id, digest))


@final
class Pseudonym(tuple[str, bytes]):
    """A subject's pseudonym under one key: ``key_id`` plus a 32-byte digest.

    The text form is versioned and self-describing, ``vi1.<key-id>.<base64url digest>``, and
    is available only through the explicit :attr:`text` accessor; :meth:`parse` reads it back.
    ``repr()``, ``str()`` and ``format()`` show a masked form (``vi1.<key-id>.…<4 chars>``)
    that is safe in logs. Equality compares digests in constant time; pseudonyms under
    different keys are never equal. Instances are immutable and hashable.

    Implementation note: a pseudonym is an immutable pair ``(key_id, digest)`` (a ``tuple``
    subclass), because building millions of them is on the hot path of every batch job.
    """

    __slots__ = ()

    def __new__(cls, key_id: str, digest: bytes) -> Pseudonym:
        return _tuple_new(cls, _check_parts(key_id, digest))

    @classmethod
    def _trusted(cls, key_id: str, digest: bytes) -> Pseudonym:
        """Construct without validation, for values this package has just computed."""
        return _tuple_new(cls, (key_id, digest))

    @classmethod
    def parse(cls, text: str, *, field: str = _FIELD) -> Pseudonym:
        """Read the text form written by :attr:`text`; raise :class:`InvalidPseudonym` else."""
        if field is not _FIELD:
            field = check_field_name(field)
        value = plain_str(text)
        if value is None:
            raise InvalidPseudonym(field, "type", "a pseudonym must be given as text (str)")
        if not value.startswith(_VERSION + "."):
            raise InvalidPseudonym(
                field, "version", f"must start with '{_VERSION}.' (the only version known)"
            )
        found = _TEXT_RE.fullmatch(value) if len(value) == _TEXT_LENGTH else None
        if found is None:
            raise InvalidPseudonym(
                field, "format", f"must be '{_VERSION}.<8-char key id>.<43-char base64url>'"
            )
        digest = b64u_decode(found.group(2))
        if digest is None:
            raise InvalidPseudonym(field, "encoding", "digest is not canonical base64url")
        return cls._trusted(found.group(1), digest)

    @property
    def key_id(self) -> str:
        """Id of the key (or OPRF service key) this pseudonym was made with."""
        return self[0]

    @property
    def digest(self) -> bytes:
        """The 32 raw bytes."""
        return self[1]

    @property
    def text(self) -> str:
        """The full versioned text form, for storage and exchange, not for logs."""
        return pseudonym_text(self[0], self[1])

    @property
    def masked(self) -> str:
        """A short hint that is safe in logs: version, key id and 4 of 43 digest characters."""
        return f"{_VERSION}.{self[0]}.…{b64u_encode(self[1])[-4:]}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Pseudonym):
            return NotImplemented
        same_digest = hmac.compare_digest(self[1], other[1])
        return same_digest and self[0] == other[0]

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = tuple.__hash__

    def __repr__(self) -> str:
        return f"Pseudonym('{self.masked}')"

    def __str__(self) -> str:
        return self.masked

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)

    def __reduce__(self) -> tuple[type[Pseudonym], tuple[str, bytes]]:
        return (Pseudonym, (self[0], self[1]))
