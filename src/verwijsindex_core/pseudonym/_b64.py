"""Strict, unpadded base64url (RFC 4648 §5) as used in key files and pseudonym text."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Final

_ALPHABET: Final = re.compile(r"[A-Za-z0-9_-]*")


def b64u_encode(data: bytes) -> str:
    """Unpadded base64url text of ``data``."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(value: object) -> bytes | None:
    """Bytes of canonical unpadded base64url text, or ``None`` when ``value`` is not exactly that.

    Rejects padding, other alphabets, white space, non-canonical trailing bits and anything
    that is not text, so that each byte string has exactly one accepted text form. Returns
    ``None`` rather than raising so the caller can raise its own error that names the field
    (and never the value).
    """
    if type(value) is str:
        text = value
    elif isinstance(value, str):
        text = str.__str__(value)  # a subclass's own methods play no part
    else:
        return None
    if _ALPHABET.fullmatch(text) is None or len(text) % 4 == 1:
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    if b64u_encode(data) != text:
        return None
    return data
