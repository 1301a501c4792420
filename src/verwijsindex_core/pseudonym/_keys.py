"""Pseudonymisation keys and the key ring (one active key, any number of retired ones).

A key is 32 random bytes from :mod:`secrets`. Its id is derived from the key (a 40-bit
fingerprint in lower-case base32), so a key loaded from a bare environment variable has the
same id as the same key loaded from a file, and a file whose id and key disagree is refused.
Sub-keys per purpose are derived with HKDF-SHA256 (RFC 5869), so one master key can serve
several purposes without their pseudonyms being linkable.

The raw key never appears in ``repr``, ``str``, exceptions or logs.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Final, NoReturn, final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from verwijsindex_core.errors import KeyRingError, UnknownKey, ValidationError
from verwijsindex_core.pseudonym._args import (
    check_batch,
    check_text,
    plain_bytes,
    plain_str,
)
from verwijsindex_core.pseudonym._b64 import b64u_decode, b64u_encode
from verwijsindex_core.pseudonym._keyfile import (
    BadField,
    derive_key_id,
    load_key_document,
    save_key_document,
)

__all__ = ["KEY_ENV_VAR", "KEY_SIZE", "Key", "KeyRing"]

KEY_SIZE: Final = 32
"""Bytes in a master key (256 bits)."""

KEY_ENV_VAR: Final = "VERWIJSINDEX_KEYS"
"""Default environment variable for :meth:`KeyRing.from_env`."""

_FILE_FORMAT: Final = "verwijsindex-core/keyring"
_FILE_VERSION: Final = 1
_HKDF_INFO: Final = b"verwijsindex-core/v1/subkey/"
_PURPOSE_RE: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_MAX_DERIVE: Final = 255 * 32  # HKDF-SHA256 output limit (RFC 5869 §2.3)
_ENV_NAME_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


def _today() -> date:
    return datetime.now(UTC).date()


def check_purpose(purpose: object) -> str:
    """Return ``purpose`` if it is 1-32 of ``a-z 0-9 -`` starting with a letter or digit."""
    text = check_text(purpose, "purpose")
    if _PURPOSE_RE.fullmatch(text) is None:
        raise ValidationError(
            "purpose", "purpose-format", "must be 1-32 characters of a-z, 0-9 and '-'"
        )
    return text


def _check_created(created: object) -> date | None:
    # A datetime is a date too, but its isoformat() would make a key file that cannot be read.
    if created is None or type(created) is date:
        return created
    raise ValidationError("created", "type", "must be a datetime.date (not a datetime) or None")


@final
class Key:
    """One 256-bit pseudonymisation master key with its derived id and creation date."""

    __slots__ = ("_created", "_id", "_secret")

    _secret: bytes
    _id: str
    _created: date | None

    def __init__(self, secret: bytes, *, created: date | None = None) -> None:
        checked = plain_bytes(secret)
        if checked is None:
            raise KeyRingError("key", "type", f"must be {KEY_SIZE} bytes (bytes)")
        if len(checked) != KEY_SIZE:
            raise KeyRingError("key", "key-length", f"must be exactly {KEY_SIZE} bytes")
        object.__setattr__(self, "_secret", checked)
        object.__setattr__(self, "_id", derive_key_id("key", checked))
        object.__setattr__(self, "_created", _check_created(created))

    @classmethod
    def generate(cls, *, created: date | None = None) -> Key:
        """A fresh random key from :func:`secrets.token_bytes`; ``created`` defaults to today."""
        return cls(secrets.token_bytes(KEY_SIZE), created=_check_created(created) or _today())

    @property
    def id(self) -> str:
        """Short public id (8 characters), safe to log and to put in pseudonyms."""
        return self._id

    @property
    def created(self) -> date | None:
        """Creation date, or ``None`` when unknown (a key loaded from the environment)."""
        return self._created

    def derive(self, purpose: str, length: int = 32) -> bytes:
        """HKDF-SHA256 sub-key for ``purpose`` (RFC 5869, no salt, info names the purpose);
        ``length`` is 1 to 8160 bytes."""
        info = _HKDF_INFO + check_purpose(purpose).encode("ascii")
        if type(length) is not int:
            raise ValidationError("length", "type", "must be an int")
        if not 1 <= length <= _MAX_DERIVE:
            raise ValidationError("length", "range", f"must be 1 to {_MAX_DERIVE} bytes")
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(
            self._secret
        )

    def _export(self) -> str:
        """The base64url secret; only for writing a key file."""
        return b64u_encode(self._secret)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Key is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Key):
            return NotImplemented
        return hmac.compare_digest(self._secret, other._secret)

    def __hash__(self) -> int:
        return hash(self._id)

    def __repr__(self) -> str:
        created = self._created.isoformat() if self._created else None
        return f"Key(id='{self._id}', created={created!r})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("Key objects are not picklable: save the KeyRing to a key file instead")


def _parse_entry(entry: object, field: str, bad: BadField) -> tuple[Key, str]:
    """One ``keys[i]`` object of a key file as (key, status)."""
    if not isinstance(entry, dict) or set(entry) != {"id", "secret", "created", "status"}:
        raise bad(field, "fields", "must have exactly id, secret, created and status")
    secret = b64u_decode(entry["secret"])
    if secret is None or len(secret) != KEY_SIZE:
        raise bad(f"{field}.secret", "key-format", f"is not a {KEY_SIZE}-byte base64url key")
    try:
        created = None if entry["created"] is None else date.fromisoformat(entry["created"])
    except (TypeError, ValueError):
        raise bad(f"{field}.created", "date", "is not an ISO date or null") from None
    key = Key(secret, created=created)
    if entry["id"] != key.id:
        raise bad(f"{field}.id", "key-id", "does not match the key (file damaged?)")
    if entry["status"] not in ("active", "retired"):
        raise bad(f"{field}.status", "status", "must be 'active' or 'retired'")
    return key, entry["status"]


@final
class KeyRing:
    """One active key (used for new pseudonyms) and retired keys (still matched on).

    Immutable: :meth:`rotate` and :meth:`drop` return a new ring. ``keys`` lists the active key
    first. Typical life cycle: :meth:`generate` once, :meth:`save` to a file with mode 0600,
    :meth:`load` in each process; :meth:`rotate` starts a rotation window in which
    pseudonyms are made under every live key; :meth:`drop` ends it.
    """

    __slots__ = ("_keys",)

    _keys: tuple[Key, ...]

    def __init__(self, active: Key, retired: Iterable[Key] = ()) -> None:
        given = (active, *check_batch(retired, "retired", "Key objects", error=KeyRingError))
        keys = tuple(k for k in given if isinstance(k, Key))
        if len(keys) != len(given):
            raise KeyRingError("keys", "key-type", "every entry must be a Key")
        ids = [k.id for k in keys]
        if len(set(ids)) != len(ids):
            raise KeyRingError("keys", "unique-key-id", "the same key appears twice")
        object.__setattr__(self, "_keys", keys)

    # --- construction -----------------------------------------------------------------------

    @classmethod
    def generate(cls, *, created: date | None = None) -> KeyRing:
        """A ring with one fresh active key."""
        return cls(Key.generate(created=created))

    @classmethod
    def from_env(
        cls, name: str = KEY_ENV_VAR, *, environ: Mapping[str, str] | None = None
    ) -> KeyRing:
        """Load keys from an environment variable: base64url keys separated by commas.

        The first key is the active one, the others are retired. Creation dates are unknown.
        ``environ`` replaces :data:`os.environ` (a mapping of names to values), for tests.
        """
        name = check_text(name, "name")
        if _ENV_NAME_RE.fullmatch(name) is None:
            raise ValidationError(
                "name",
                "env-name",
                "must be a variable name: A-Z, a-z, 0-9 and _, not a digit first",
            )
        if environ is not None and not isinstance(environ, Mapping):
            raise ValidationError("environ", "type", "must be a mapping like os.environ")
        env = os.environ if environ is None else environ
        found = env.get(name)
        if found is None:
            raise KeyRingError(name, "required", "the environment variable is not set")
        value = plain_str(found)
        if value is None:
            raise KeyRingError(name, "type", "the value must be text (str)")
        keys: list[Key] = []
        for position, part in enumerate(value.split(","), start=1):
            secret = b64u_decode(part.strip())
            if secret is None or len(secret) != KEY_SIZE:
                raise KeyRingError(
                    name,
                    "key-format",
                    f"entry {position} is not a {KEY_SIZE}-byte base64url key",
                )
            keys.append(Key(secret))
        return cls(keys[0], keys[1:])

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, check_permissions: bool = True) -> KeyRing:
        """Read a key file written by :meth:`save`.

        With ``check_permissions`` (the default) a file that group or others may read or write
        is refused on POSIX systems, as ssh does with private keys.
        """
        doc, bad = load_key_document(
            path,
            file_format=_FILE_FORMAT,
            version=_FILE_VERSION,
            check_permissions=check_permissions,
        )
        entries = doc.get("keys")
        if not isinstance(entries, list) or not entries:
            raise bad("keys", "keys", "must be a non-empty list")
        parsed = [_parse_entry(entry, f"keys[{i}]", bad) for i, entry in enumerate(entries)]
        active = [key for key, status in parsed if status == "active"]
        if len(active) != 1:
            raise bad("keys", "one-active", "must hold exactly one active key")
        try:
            return cls(active[0], [key for key, status in parsed if status == "retired"])
        except KeyRingError:
            raise bad("keys", "unique-key-id", "holds the same key twice") from None

    # --- persistence ------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Write the ring as JSON to ``path`` with mode 0600.

        Refuses to replace an existing file unless ``overwrite``: losing a key makes every
        pseudonym made with it unmatchable. With ``overwrite`` the file is replaced atomically.
        """
        doc: dict[str, object] = {
            "format": _FILE_FORMAT,
            "version": _FILE_VERSION,
            "keys": [
                {
                    "id": key.id,
                    "secret": key._export(),
                    "created": key.created.isoformat() if key.created else None,
                    "status": "active" if i == 0 else "retired",
                }
                for i, key in enumerate(self._keys)
            ],
        }
        save_key_document(path, doc, overwrite=overwrite)

    # --- use --------------------------------------------------------------------------------

    @property
    def active(self) -> Key:
        """The key new pseudonyms are made with."""
        return self._keys[0]

    @property
    def retired(self) -> tuple[Key, ...]:
        """Keys still matched on during a rotation window."""
        return self._keys[1:]

    @property
    def keys(self) -> tuple[Key, ...]:
        """Every live key, the active one first."""
        return self._keys

    def get(self, key_id: str) -> Key:
        """The live key with ``key_id``; :class:`UnknownKey` when there is none."""
        wanted = check_text(key_id, "key_id")
        for key in self._keys:
            if key.id == wanted:
                return key
        # The id is not repeated: a caller may have passed something else by mistake (a BSN).
        raise UnknownKey("key_id", "known-key", "no live key in the ring has that id")

    def rotate(self, *, created: date | None = None) -> KeyRing:
        """A new ring with a fresh active key; the current active key becomes retired."""
        return KeyRing(Key.generate(created=created), self._keys)

    def drop(self, key_id: str) -> KeyRing:
        """A new ring without the retired key ``key_id`` (ends a rotation window)."""
        key = self.get(key_id)
        if key is self.active:
            raise KeyRingError("key_id", "keep-active", "the active key cannot be dropped")
        return KeyRing(self.active, [k for k in self.retired if k is not key])

    def __contains__(self, key_id: object) -> bool:
        return any(key.id == key_id for key in self._keys)

    def __iter__(self) -> Iterator[Key]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("KeyRing is immutable")

    def __repr__(self) -> str:
        retired = tuple(k.id for k in self.retired)
        return f"KeyRing(active='{self.active.id}', retired={retired!r})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("KeyRing objects are not picklable: save the ring to a key file instead")
