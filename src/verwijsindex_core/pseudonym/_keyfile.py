"""Versioned JSON key documents and key ids: one of each, for the key ring and the OPRF service.

A key document is a JSON object with ``format`` and ``version`` members, kept in a private
file (mode 0600, see :mod:`._files`). :func:`load_key_document` reads and checks that much and
hands back the object with a ``bad(field, rule, what)`` function that makes the
:class:`~verwijsindex_core.errors.KeyFileError` for whatever the caller checks next, naming
the file and never a value. :func:`derive_key_id` derives the public 8-character id of a key from a
fingerprint of what identifies it (the master key itself, or an OPRF public key).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Final, Literal

from verwijsindex_core.errors import KeyFileError
from verwijsindex_core.pseudonym._args import check_flag, check_path
from verwijsindex_core.pseudonym._files import read_private, write_private

__all__: list[str] = []

BadField = Callable[[str, str, str], KeyFileError]
"""``bad(field, rule, what)``: the error for a member of a key document that breaks a rule."""

KeyKind = Literal["key", "oprf-key"]
"""What a key id fingerprints: a pseudonymisation master key, or an OPRF service public key."""

_KEY_ID_LABELS: Final[dict[str, bytes]] = {
    "key": b"verwijsindex-core/v1/key-id\x00",
    "oprf-key": b"verwijsindex-core/v1/oprf-key-id\x00",
}


def derive_key_id(kind: KeyKind, material: bytes) -> str:
    """The 8-character public id of a key: lower-case base32 of the first 40 bits of
    SHA-256(``"verwijsindex-core/v1/<kind>-id" 0x00 || material``).

    ``kind`` says what ``material`` is (``"key"``: the 32-byte master key; ``"oprf-key"``: the
    OPRF public key), so that ids of different kinds of keys never coincide by construction.
    """
    fingerprint = hashlib.sha256(_KEY_ID_LABELS[kind] + material).digest()
    return base64.b32encode(fingerprint[:5]).decode("ascii").lower()


def parse_key_document(
    raw: bytes, where: str, *, file_format: str, version: int
) -> tuple[dict[str, object], BadField]:
    """The JSON object in ``raw`` once its ``format`` and ``version`` are the expected ones,
    and the ``bad`` function for the caller's further checks (``where`` names the file)."""

    def bad(field: str, rule: str, what: str) -> KeyFileError:
        return KeyFileError(field, rule, f"{what} (key file {where})")

    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise bad("document", "json", "is not valid JSON") from None
    if not isinstance(doc, dict):
        raise bad("document", "json", "is not a JSON object")
    found = doc.get("format")
    if type(found) is not str or found != file_format:
        raise bad("format", "format", f"must be '{file_format}'")
    found = doc.get("version")
    if type(found) is not int or found != version:  # true and 1.0 are not 1 here
        raise bad("version", "version", f"must be {version}")
    return doc, bad


def load_key_document(
    path: object, *, file_format: str, version: int, check_permissions: object
) -> tuple[dict[str, object], BadField]:
    """Read a key document from the private file ``path``: checked arguments, the permission
    check (unless ``check_permissions`` is False), then :func:`parse_key_document`."""
    checked = check_path(path)
    raw = read_private(
        checked, check_permissions=check_flag(check_permissions, "check_permissions")
    )
    return parse_key_document(raw, str(checked), file_format=file_format, version=version)


def save_key_document(path: object, doc: dict[str, object], *, overwrite: object) -> None:
    """Write ``doc`` as indented JSON to the private file ``path`` (mode 0600, atomically;
    an existing file is replaced only when ``overwrite`` is True)."""
    checked = check_path(path)
    data = (json.dumps(doc, indent=2) + "\n").encode("utf-8")
    write_private(checked, data, overwrite=check_flag(overwrite, "overwrite"))
