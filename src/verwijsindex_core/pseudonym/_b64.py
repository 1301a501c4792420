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


def b64u_decode(text: str) -> bytes | None:
    """Bytes of canonical unpadded base64url ``text``, or ``None`` when it is not exactly that.

    Rejects padding, other alphabets, white space and non-canonical trailing bits, so that each
    byte string has exactly one accepted text form. Returns ``None`` rather than raising so the
    caller can raise its own error that names the field (and never the value).
    """
    if not isinstance(text, str) or _ALPHABET.fullmatch(text) is None or len(text) % 4 == 1:
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    if b64u_encode(data) != text:
        return None
    return data
