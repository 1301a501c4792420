"""API credentials of the reference server: issue, verify and revoke bearer tokens.

A token is ``vit1_<id>_<secret>``: ``id`` (16 hex characters) is public and finds the
credential; ``secret`` (32 random bytes, base64url) is shown once, when the token is issued,
and never stored: the store keeps a random per-credential salt and
``HMAC-SHA256(salt, secret)``, compared in constant time. The secret has 256 bits of entropy,
so a fast keyed hash is enough (a slow password hash protects guessable secrets only).

A credential names an organisation and a role:

- ``organisation``: a care organisation registering and reading its own signals; it must be
  provisioned first (:meth:`Credentials.add_organisation`), since registrations need its name,
  domain and municipality;
- ``operator``: the index's operator, recording moves, deaths and parent links (a
  population-register feed);
- ``municipality``: handles inzage requests of the subjects' rights holders.

Nothing here authorises an operation on subject data: the server maps roles to routes, and
the engine decides which objects an organisation may see.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from verwijsindex_core.errors import NotPermitted, UnknownRecord, ValidationError
from verwijsindex_core.matching import Actor, Organisation
from verwijsindex_core.pseudonym._b64 import b64u_decode, b64u_encode
from verwijsindex_core.store import CredentialRecord, Store

__all__ = ["ROLES", "Credentials", "IssuedToken", "Principal"]

ROLES: Final = ("organisation", "operator", "municipality")
"""The roles a credential may have."""

_PREFIX: Final = "vit1_"
_TOKEN: Final = re.compile(r"vit1_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
_SALT_SIZE: Final = 16
_DUMMY_SALT: Final = bytes(_SALT_SIZE)


ORGANISATION_CACHE_SECONDS: Final = 10.0
"""How long :meth:`Credentials.verify` reuses a provisioned organisation it has read."""


def _refused() -> NotPermitted:
    return NotPermitted("authorization", "credential", "no valid bearer token")


def _hash(salt: bytes, secret: bytes) -> bytes:
    return hmac.digest(salt, secret, "sha256")


def _check_role(role: object) -> str:
    if type(role) is not str or role not in ROLES:
        raise ValidationError("role", "role", "must be one of: " + ", ".join(ROLES))
    return role


def _check_organisation_id(value: object, field: str = "organisation") -> str:
    try:
        return Actor(organisation_id=value).organisation_id  # type: ignore[arg-type]
    except ValidationError:
        raise ValidationError(
            field, "identifier", "must be 1-64 letters, digits, '.', '_' or '-'"
        ) from None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a verified token speaks for: the organisation (from the credential, never from a
    request) and the role. ``organisation`` is the provisioned organisation of an
    ``organisation`` credential (None for the other roles)."""

    credential_id: str
    organisation_id: str
    role: str
    organisation: Organisation | None = None

    @property
    def actor(self) -> Actor:
        return Actor(organisation_id=self.organisation_id)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new credential: :attr:`token` is the only copy of the secret (show it once)."""

    credential_id: str
    organisation_id: str
    role: str
    token: str

    def __repr__(self) -> str:
        return (
            f"IssuedToken(credential_id={self.credential_id!r}, "
            f"organisation_id={self.organisation_id!r}, role={self.role!r}, token='vit1_…')"
        )


class Credentials:
    """Credentials and provisioned organisations on a :class:`~verwijsindex_core.store.Store`.

    The store is used from one thread, like the store itself demands (a SQLite store is one
    connection per thread).
    """

    def __init__(self, store: Store) -> None:
        if not hasattr(store, "get_credential"):
            raise ValidationError("store", "type", "must be a Store")
        self._store = store
        self._organisations: dict[str, tuple[Organisation, float]] = {}

    # --- organisations ----------------------------------------------------------------------

    def add_organisation(self, organisation: Organisation) -> Organisation:
        """Provision (or update) an organisation that may then get credentials."""
        if not isinstance(organisation, Organisation):
            raise ValidationError("organisation", "type", "must be an Organisation")
        with self._store.transaction():
            self._store.put_organisation(organisation)
        return organisation

    def organisation(self, organisation_id: str) -> Organisation | None:
        """A provisioned organisation, or None."""
        return self._store.get_organisation(_check_organisation_id(organisation_id))

    # --- credentials ------------------------------------------------------------------------

    def issue(self, organisation_id: str, role: str = "organisation") -> IssuedToken:
        """Issue a credential; the returned token is the only copy of its secret.

        An ``organisation`` credential needs the organisation provisioned first.
        """
        org_id = _check_organisation_id(organisation_id)
        kind = _check_role(role)
        if kind == "organisation" and self._store.get_organisation(org_id) is None:
            raise UnknownRecord(
                "organisation",
                "not-provisioned",
                "is not provisioned; add it first (verwijsindex organisations add)",
            )
        credential_id = secrets.token_hex(8)
        secret = secrets.token_bytes(32)
        salt = secrets.token_bytes(_SALT_SIZE)
        record = CredentialRecord(
            id=credential_id,
            organisation_id=org_id,
            role=kind,
            salt=salt,
            secret_hash=_hash(salt, secret),
            created_at=datetime.now(UTC),
        )
        with self._store.transaction():
            self._store.put_credential(record)
        return IssuedToken(
            credential_id, org_id, kind, f"{_PREFIX}{credential_id}_{b64u_encode(secret)}"
        )

    def verify(self, token: object) -> Principal:
        """The principal of a valid, unrevoked token; :class:`NotPermitted` (field
        ``authorization``, rule ``credential``) otherwise, the same for every reason."""
        found = _TOKEN.fullmatch(token) if type(token) is str else None
        if found is None:
            raise _refused()
        secret = b64u_decode(found.group(2))
        record = self._store.get_credential(found.group(1))
        if record is None or secret is None:
            hmac.compare_digest(_hash(_DUMMY_SALT, secret or b""), bytes(32))  # same work
            raise _refused()
        if not hmac.compare_digest(_hash(record.salt, secret), record.secret_hash):
            raise _refused()
        if record.revoked:
            raise _refused()
        organisation = None
        if record.role == "organisation":
            organisation = self._organisation(record.organisation_id)
            if organisation is None:
                raise _refused()
        return Principal(record.id, record.organisation_id, record.role, organisation)

    def _organisation(self, organisation_id: str) -> Organisation | None:
        """The provisioned organisation, kept for :data:`ORGANISATION_CACHE_SECONDS` (the
        credential itself is read on every verification, so a revocation counts at once)."""
        now = time.monotonic()
        cached = self._organisations.get(organisation_id)
        if cached is not None and now - cached[1] < ORGANISATION_CACHE_SECONDS:
            return cached[0]
        found = self._store.get_organisation(organisation_id)
        if found is not None:
            if len(self._organisations) > 10_000:
                self._organisations.clear()
            self._organisations[organisation_id] = (found, now)
        return found

    def revoke(self, credential_id: str) -> bool:
        """Revoke a credential by its public id (the ``<id>`` of ``vit1_<id>_...``); False when
        there is none."""
        if type(credential_id) is not str or re.fullmatch(r"[0-9a-f]{16}", credential_id) is None:
            raise ValidationError("credential", "credential-id", "must be 16 hex characters")
        with self._store.transaction():
            return self._store.revoke_credential(credential_id)

    def of(self, organisation_id: str) -> list[CredentialRecord]:
        """The organisation's credentials (ids, roles, revoked; never a secret)."""
        return self._store.credentials_of(_check_organisation_id(organisation_id))

    def __repr__(self) -> str:
        return f"Credentials(store={type(self._store).__name__})"
