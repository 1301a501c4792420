"""ristretto255 scalars (32 bytes, little-endian, reduced modulo L) on libsodium.

Every operation that may touch a secret (the server key, a blind, a proof nonce) runs in
libsodium's constant-time Ed25519 scalar functions, which equal the ristretto255 ones byte for
byte (same group order L). Only public scalars are ever turned into Python integers.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Final

from nacl import bindings as sodium

from verwijsindex_core.errors import InvalidScalar
from verwijsindex_core.pseudonym._args import plain_bytes
from verwijsindex_core.pseudonym.oprf._ristretto import L

__all__: list[str] = []

SCALAR_SIZE: Final = 32
ZERO: Final = bytes(SCALAR_SIZE)


def is_zero(k: bytes) -> bool:
    """Constant-time test for the zero scalar."""
    return hmac.compare_digest(k, ZERO)


def from_uniform(data: bytes) -> bytes:
    """Reduce 64 uniform bytes modulo L (RFC 9497 HashToScalar's last step)."""
    return bytes(sodium.crypto_core_ed25519_scalar_reduce(data))


def random_nonzero() -> bytes:
    """A uniformly random non-zero scalar (RFC 9497 RandomScalar)."""
    while True:
        k = from_uniform(secrets.token_bytes(64))
        if not is_zero(k):
            return k


def parse(data: object, field: str, *, nonzero: bool = True) -> bytes:
    """Check that ``data`` is a canonical scalar (32 bytes, < L, non-zero unless allowed); a
    ``bytes`` subclass comes back as plain ``bytes``."""
    k = plain_bytes(data)
    if k is None:
        raise InvalidScalar(field, "type", f"must be {SCALAR_SIZE} bytes (bytes)")
    if len(k) != SCALAR_SIZE:
        raise InvalidScalar(field, "scalar-length", f"must be {SCALAR_SIZE} bytes")
    # A one-off comparison; the value is not used in any loop or branch afterwards.
    if int.from_bytes(k, "little") >= L:
        raise InvalidScalar(field, "canonical", "is not reduced modulo the group order")
    if nonzero and is_zero(k):
        raise InvalidScalar(field, "non-zero", "must not be zero")
    return k


def mul(a: bytes, b: bytes) -> bytes:
    return bytes(sodium.crypto_core_ed25519_scalar_mul(a, b))


def add(a: bytes, b: bytes) -> bytes:
    return bytes(sodium.crypto_core_ed25519_scalar_add(a, b))


def sub(a: bytes, b: bytes) -> bytes:
    return bytes(sodium.crypto_core_ed25519_scalar_sub(a, b))


def invert(a: bytes) -> bytes:
    """Multiplicative inverse; the caller guarantees ``a`` is non-zero."""
    return bytes(sodium.crypto_core_ed25519_scalar_invert(a))
