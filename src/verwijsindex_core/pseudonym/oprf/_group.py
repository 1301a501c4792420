"""The group behind the OPRF: one small interface, two backends.

- ``native``: the system libsodium's ristretto255 functions through :mod:`ctypes`
  (``libsodium23`` on Debian). Elements are ristretto255 encodings.
- ``portable``: PyNaCl's Ed25519 functions, with the ristretto255 encoding (RFC 9496) done in
  Python. Elements are Ed25519 encodings of a representative point; see design §3 for why
  scalar multiplication goes through ``4P`` and a scalar divided by 4.

:func:`get_group` picks ``native`` when it loads and ``portable`` otherwise; the environment
variable ``VERWIJSINDEX_OPRF_BACKEND`` (``native`` or ``portable``) forces one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import cache
from typing import Final, Protocol

from nacl import bindings as sodium

from verwijsindex_core.errors import BackendUnavailable, OprfError
from verwijsindex_core.pseudonym._args import check_text
from verwijsindex_core.pseudonym.oprf import _ristretto as r255
from verwijsindex_core.pseudonym.oprf import _scalar as scalar

__all__ = ["BACKEND_ENV_VAR"]

BACKEND_ENV_VAR: Final = "VERWIJSINDEX_OPRF_BACKEND"
ELEMENT_SIZE: Final = 32
GENERATOR: Final = bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")
IDENTITY_ENCODING: Final = bytes(ELEMENT_SIZE)


class Group(Protocol):
    """Operations on ristretto255 elements in a backend's own representation (bytes)."""

    name: str
    identity: bytes
    generator: bytes

    def decode(self, data: bytes) -> bytes | None:
        """The element of a canonical encoding (identity included); ``None`` if invalid."""

    def encode(self, element: bytes) -> bytes:
        """The canonical 32-byte ristretto255 encoding."""

    def from_uniform(self, data: bytes) -> bytes:
        """RFC 9496 element derivation from 64 uniform bytes."""

    def mult(self, k: bytes, element: bytes) -> bytes:
        """``k * element`` for a reduced scalar ``k``."""

    def mult_base(self, k: bytes) -> bytes:
        """``k * generator``."""

    def add(self, a: bytes, b: bytes) -> bytes:
        """``a + b``."""

    def is_identity(self, element: bytes) -> bool:
        """Whether the element is the group's identity."""


# --- portable: PyNaCl's Ed25519 primitives ----------------------------------------------------

_ED_IDENTITY: Final = r255.ed25519_bytes(0, 1)
_ED_T4: Final = r255.ed25519_bytes(r255.SQRT_M1, 0)  # (sqrt(-1), 0): a point of order 4
_INV2: Final = pow(2, -1, r255.L).to_bytes(32, "little")
_INV4: Final = pow(4, -1, r255.L).to_bytes(32, "little")
_INV8: Final = pow(8, -1, r255.L).to_bytes(32, "little")
_MASK255: Final = (1 << 255) - 1
_NEG_SQRT_M1: Final = r255.P - r255.SQRT_M1
_FULL: Final = b"F"  # the element is the Ed25519 point that follows
_HALF: Final = b"H"  # the element is twice the Ed25519 point that follows


def _ed_x(point: bytes) -> int:
    """The x-coordinate of an Ed25519 point, without a square root: ``P + (i, 0) = (i*y, i*x)``."""
    shifted = sodium.crypto_core_ed25519_add(point, _ED_T4)
    return (int.from_bytes(shifted, "little") & _MASK255) * _NEG_SQRT_M1 % r255.P


class PortableGroup:
    """ristretto255 on libsodium's Ed25519 functions (as bundled with PyNaCl >= 1.6.2).

    An element is an Ed25519 point with a tag: ``F`` + P stands for P itself, ``H`` + P for
    2P ("half" form). Decoded and hashed elements are full; products and sums are kept half,
    because ENCODE of 2P needs one inversion where ENCODE of P needs a square root.

    A decoded ristretto255 element lies in 2E and may carry 4-torsion, which libsodium's
    ``noclamp`` multiplication rejects. Multiplication therefore uses ``4P`` (in the prime-order
    subgroup, two additions) times ``k/4`` (or ``k/8`` to land in half form) modulo L: the
    result differs from ``k*P`` by 4-torsion only, which the encoding ignores. The
    x-coordinate is recovered without a square root: adding the order-4 point ``(i, 0)`` maps
    ``(x, y)`` to ``(i*y, i*x)``, so libsodium's addition hands over ``i*x`` in the y field.
    """

    name = "portable"
    identity = _HALF + _ED_IDENTITY
    generator = _FULL + r255.ed25519_bytes(*r255.to_affine(r255.decode(GENERATOR) or r255.IDENTITY))

    def decode(self, data: bytes) -> bytes | None:
        # RFC 9496 DECODE without its square root: y = (1 - s^2) / (1 + s^2) needs one
        # inversion, and x is the non-negative root of x^2 = 4 s^2 / v, which exists exactly
        # when DECODE's was_square holds. libsodium finds x while adding (i, 0) to (y, sign 0),
        # and refuses the point when x^2 has no root.
        if len(data) != 32:
            return None
        s = int.from_bytes(data, "little")
        if s >= r255.P or s & 1:
            return None
        ss = s * s % r255.P
        y = (1 - ss) * pow(1 + ss, -1, r255.P) % r255.P
        if y == 0:
            return None
        candidate = y.to_bytes(32, "little")
        try:
            x = _ed_x(candidate)
        except RuntimeError:
            return None  # not on the curve: DECODE's was_square is false
        if (x * y % r255.P) & 1:  # DECODE refuses a negative t = x*y
            return None
        return _FULL + candidate

    def encode(self, element: bytes) -> bytes:
        tag, point = element[:1], element[1:]
        y = int.from_bytes(point, "little") & _MASK255
        x = _ed_x(point)
        if tag == _HALF:
            encoded = r255.encode_double(x, y)
            if encoded is not None:
                return encoded
            point = sodium.crypto_core_ed25519_add(point, point)  # small order: the slow way
            y, x = int.from_bytes(point, "little") & _MASK255, _ed_x(point)
        return r255.encode((x, y, 1, x * y % r255.P))

    def from_uniform(self, data: bytes) -> bytes:
        return _FULL + r255.ed25519_bytes(*r255.to_affine(r255.from_uniform(data)))

    def is_identity(self, element: bytes) -> bool:
        # The identity's coset E[4] is exactly the points with x*y = 0, i.e. y in {0, 1, -1}.
        # A half point stands for 2P; its own y decides the same way for the points this class
        # makes (prime order or small order, never mixed).
        y = int.from_bytes(element[1:], "little") & _MASK255
        return y in (0, 1, r255.P - 1)

    def mult(self, k: bytes, element: bytes) -> bytes:
        if scalar.is_zero(k):
            return self.identity
        tag, point = element[:1], element[1:]
        double = sodium.crypto_core_ed25519_add(point, point)
        quadruple = sodium.crypto_core_ed25519_add(double, double)
        # Full P: (k/8) * 4P, which doubled is k*P. Half H (= P/2): (k/4) * 4H = k*H.
        factor = _INV8 if tag == _FULL else _INV4
        try:
            product = sodium.crypto_scalarmult_ed25519_noclamp(scalar.mul(k, factor), quadruple)
        except RuntimeError:
            return self.identity  # 4P is the identity: P was pure torsion
        return _HALF + bytes(product)

    def mult_base(self, k: bytes) -> bytes:
        if scalar.is_zero(k):
            return self.identity
        return _HALF + bytes(sodium.crypto_scalarmult_ed25519_base_noclamp(scalar.mul(k, _INV2)))

    def add(self, a: bytes, b: bytes) -> bytes:
        if a[:1] == b[:1]:
            return a[:1] + bytes(sodium.crypto_core_ed25519_add(a[1:], b[1:]))
        full = [
            x[1:] if x[:1] == _FULL else sodium.crypto_core_ed25519_add(x[1:], x[1:])
            for x in (a, b)
        ]
        return _FULL + bytes(sodium.crypto_core_ed25519_add(full[0], full[1]))


# --- native: the system libsodium's ristretto255 API ------------------------------------------

_BUFFER: Final = ctypes.c_char_p  # unsigned char *: ctypes passes bytes and string buffers
NATIVE_SIGNATURES: Final[
    dict[str, tuple[type[ctypes.c_int], tuple[type[ctypes.c_char_p], ...]]]
] = {
    # name: (restype, argtypes), as declared in libsodium's headers (>= 1.0.18)
    "sodium_init": (ctypes.c_int, ()),
    "crypto_core_ristretto255_is_valid_point": (ctypes.c_int, (_BUFFER,)),  # (p)
    "crypto_core_ristretto255_add": (ctypes.c_int, (_BUFFER, _BUFFER, _BUFFER)),  # (r, p, q)
    "crypto_core_ristretto255_from_hash": (ctypes.c_int, (_BUFFER, _BUFFER)),  # (p, r)
    "crypto_scalarmult_ristretto255": (ctypes.c_int, (_BUFFER, _BUFFER, _BUFFER)),  # (q, n, p)
    "crypto_scalarmult_ristretto255_base": (ctypes.c_int, (_BUFFER, _BUFFER)),  # (q, n)
}
"""Every libsodium function the native backend calls, with its return and argument types.

:func:`_load_native` declares both on each function before any call, so ctypes checks and
converts every argument instead of guessing (an undeclared function takes anything and is
assumed to return ``int``). The tests check that the module calls no other function."""


def _bind(library: ctypes.CDLL) -> dict[str, ctypes._NamedFuncPointer]:
    """The functions of :data:`NATIVE_SIGNATURES`, each with its types declared."""
    bound = {}
    for name, (restype, argtypes) in NATIVE_SIGNATURES.items():
        function = getattr(library, name)
        function.restype = restype
        function.argtypes = argtypes
        bound[name] = function
    return bound


class NativeGroup:
    """ristretto255 on the system libsodium (>= 1.0.18) through :mod:`ctypes`.

    libsodium 1.0.18 ignores bit 255 of an encoding when it checks canonicity; RFC 9496
    forbids it, so :meth:`decode` checks that bit itself before asking libsodium. Every input
    reaching libsodium has been checked to be 32 bytes (64 for :meth:`from_uniform`) by the
    protocol layer, which is what the C functions read.
    """

    name = "native"
    identity = IDENTITY_ENCODING
    generator = GENERATOR

    def __init__(
        self, library: ctypes.CDLL, functions: dict[str, ctypes._NamedFuncPointer]
    ) -> None:
        self.library = library
        self.functions = functions
        self._is_valid = functions["crypto_core_ristretto255_is_valid_point"]
        self._add = functions["crypto_core_ristretto255_add"]
        self._from_hash = functions["crypto_core_ristretto255_from_hash"]
        self._mult = functions["crypto_scalarmult_ristretto255"]
        self._mult_base = functions["crypto_scalarmult_ristretto255_base"]

    def decode(self, data: bytes) -> bytes | None:
        if len(data) != ELEMENT_SIZE or data[31] & 0x80:
            return None
        return bytes(data) if self._is_valid(data) == 1 else None

    def encode(self, element: bytes) -> bytes:
        return element

    def is_identity(self, element: bytes) -> bool:
        return element == IDENTITY_ENCODING

    def from_uniform(self, data: bytes) -> bytes:
        out = ctypes.create_string_buffer(ELEMENT_SIZE)
        if self._from_hash(out, data) != 0:  # pragma: no cover - never fails for 64 bytes
            raise BackendUnavailable(
                "native", "from-hash", "crypto_core_ristretto255_from_hash failed"
            )
        return out.raw

    def mult(self, k: bytes, element: bytes) -> bytes:
        out = ctypes.create_string_buffer(ELEMENT_SIZE)
        # Returns -1 exactly when the result is the identity (k = 0 or element = identity).
        return out.raw if self._mult(out, k, element) == 0 else IDENTITY_ENCODING

    def mult_base(self, k: bytes) -> bytes:
        out = ctypes.create_string_buffer(ELEMENT_SIZE)
        return out.raw if self._mult_base(out, k) == 0 else IDENTITY_ENCODING

    def add(self, a: bytes, b: bytes) -> bytes:
        out = ctypes.create_string_buffer(ELEMENT_SIZE)
        if self._add(out, a, b) != 0:  # pragma: no cover - inputs are valid elements
            raise BackendUnavailable("native", "add", "crypto_core_ristretto255_add failed")
        return out.raw


@cache
def _load_native() -> NativeGroup:
    name = ctypes.util.find_library("sodium") or "libsodium.so.23"
    try:
        library = ctypes.CDLL(name)
    except OSError:
        raise BackendUnavailable(
            "native",
            "libsodium",
            "the system libsodium is not installed (Debian: apt-get install libsodium23)",
        ) from None
    missing = [symbol for symbol in NATIVE_SIGNATURES if not hasattr(library, symbol)]
    if missing:
        raise BackendUnavailable(
            "native", "libsodium", f"libsodium lacks {', '.join(missing)} (need >= 1.0.18)"
        )
    functions = _bind(library)
    if functions["sodium_init"]() < 0:
        raise BackendUnavailable("native", "libsodium", "sodium_init failed")
    return NativeGroup(library, functions)


_PORTABLE: Final = PortableGroup()


def native_available() -> bool:
    """Whether the native backend loads on this machine."""
    try:
        _load_native()
    except BackendUnavailable:
        return False
    return True


def get_group(name: str | None = None) -> Group:
    """The backend called ``name``, or the one ``VERWIJSINDEX_OPRF_BACKEND`` names, or else
    native when it loads and portable otherwise."""
    if name is not None:
        name = check_text(name, "backend", error=OprfError)
    chosen = name or os.environ.get(BACKEND_ENV_VAR) or "auto"
    if chosen == "portable":
        return _PORTABLE
    if chosen == "native":
        return _load_native()
    if chosen == "auto":
        return _load_native() if native_available() else _PORTABLE
    raise BackendUnavailable(
        "backend", "backend-name", "unknown backend name; use 'native' or 'portable'"
    )
