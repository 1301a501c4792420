"""HMAC-SHA256 (RFC 2104) with pre-keyed states, for one key and many short messages.

``hmac.digest`` runs the key schedule (two compressions of the padded key) on every call.
Here the inner state, with the key and a fixed message prefix already absorbed, and the outer
state are computed once; each message then costs two state copies and two short hashes.
Known-answer tests check the result against ``hmac.digest`` and OpenSSL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from hashlib import _Hash

__all__: list[str] = []

_BLOCK: Final = 64  # SHA-256 block size in bytes
_IPAD: Final = bytes(x ^ 0x36 for x in range(256))
_OPAD: Final = bytes(x ^ 0x5C for x in range(256))


class PrekeyedHmac:
    """HMAC-SHA256 under ``key`` of ``prefix || message`` for any message."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes, prefix: bytes = b"") -> None:
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        padded = key.ljust(_BLOCK, b"\0")
        self._inner: _Hash = hashlib.sha256(padded.translate(_IPAD))
        self._inner.update(prefix)
        self._outer: _Hash = hashlib.sha256(padded.translate(_OPAD))

    def digest(self, message: bytes) -> bytes:
        """The 32-byte MAC of ``prefix || message``."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def many(self, messages: Iterable[bytes]) -> list[bytes]:
        """MACs of ``prefix || m`` for each message, in order (the batch hot path)."""
        inner_copy = self._inner.copy
        outer_copy = self._outer.copy
        out: list[bytes] = []
        append = out.append
        for message in messages:
            inner = inner_copy()
            inner.update(message)
            outer = outer_copy()
            outer.update(inner.digest())
            append(outer.digest())
        return out
