"""ristretto255 (RFC 9496) field arithmetic, encoding, decoding and the one-way map, in Python.

Used by the portable backend, which hands every operation on a secret scalar to libsodium's
Ed25519 functions and only does the public encoding work here. Python integers are not
constant time: this module must only ever see public values or the client's own hash of its
input (see ``docs/pseudonymisation.md``).

Points are in extended twisted Edwards coordinates ``(X, Y, Z, T)`` with ``x = X/Z``,
``y = Y/Z``, ``x*y = T/Z`` on ``-x^2 + y^2 = 1 + d x^2 y^2``.
"""

from __future__ import annotations

from typing import Final

__all__: list[str] = []

P: Final = 2**255 - 19
"""The field prime."""
L: Final = 2**252 + 27742317777372353535851937790883648493
"""The prime order of the ristretto255 group (and of Ed25519's main subgroup)."""

# Constants of RFC 9496 §4.1 (their defining equations are checked by the tests).
D: Final = 37095705934669439343138083508754565189542113879843219016388785533085940283555
SQRT_M1: Final = 19681161376707505956807079304988542015446066515923890162744021073123829784752
SQRT_AD_MINUS_ONE: Final = (
    25063068953384623474111414158702152701244531502492656460079210482610430750235
)
INVSQRT_A_MINUS_D: Final = (
    54469307008909316920995813868745141605393597292927456921205312896311721017578
)
ONE_MINUS_D_SQ: Final = 1159843021668779879193775521855586647937357759715417654439879720876111806838
D_MINUS_ONE_SQ: Final = (
    40440834346308536858101042469323190826248399146238708352240133220865137265952
)
_EXP: Final = (P - 5) // 8
_MASK255: Final = (1 << 255) - 1

Point = tuple[int, int, int, int]
IDENTITY: Final[Point] = (0, 1, 1, 0)


def is_negative(x: int) -> bool:
    """RFC 9496 IS_NEGATIVE: the canonical representative is odd."""
    return bool((x % P) & 1)


def ct_abs(x: int) -> int:
    """RFC 9496 CT_ABS (not constant time here: public values only)."""
    x %= P
    return P - x if x & 1 else x


def sqrt_ratio_m1(u: int, v: int) -> tuple[bool, int]:
    """RFC 9496 §4.2 SQRT_RATIO_M1: (was_square, non-negative sqrt(u/v) or sqrt(i*u/v))."""
    v3 = v * v % P * v % P
    v7 = v3 * v3 % P * v % P
    r = u * v3 % P * pow(u * v7 % P, _EXP, P) % P
    check = v * r % P * r % P
    u_neg = -u % P
    correct = check == u % P
    flipped = check == u_neg
    flipped_i = check == u_neg * SQRT_M1 % P
    if flipped or flipped_i:
        r = r * SQRT_M1 % P
    return correct or flipped, ct_abs(r)


def decode(data: bytes) -> Point | None:
    """RFC 9496 §4.3.1 DECODE; ``None`` for an invalid encoding (the caller names the error)."""
    if len(data) != 32:
        return None
    s = int.from_bytes(data, "little")
    if s >= P or s & 1:  # non-canonical (bit 255 included) or negative
        return None
    ss = s * s % P
    u1 = (1 - ss) % P
    u2 = (1 + ss) % P
    u2_sqr = u2 * u2 % P
    v = (-(D * u1 % P * u1) - u2_sqr) % P
    was_square, invsqrt = sqrt_ratio_m1(1, v * u2_sqr % P)
    den_x = invsqrt * u2 % P
    den_y = invsqrt * den_x % P * v % P
    x = ct_abs(2 * s * den_x)
    y = u1 * den_y % P
    t = x * y % P
    if not was_square or t & 1 or y == 0:
        return None
    return (x, y, 1, t)


def encode(point: Point, invsqrt: int | None = None) -> bytes:
    """RFC 9496 §4.3.2 ENCODE of an extended point.

    ``invsqrt`` may pass in the non-negative ``1/sqrt(u1 * u2^2)`` when the caller knows it
    (see :func:`encode_double`); otherwise SQRT_RATIO_M1 computes it.
    """
    x0, y0, z0, t0 = point
    u1 = (z0 + y0) * (z0 - y0) % P
    u2 = x0 * y0 % P
    if invsqrt is None:
        _, invsqrt = sqrt_ratio_m1(1, u1 * u2 % P * u2 % P)
    den1 = invsqrt * u1 % P
    den2 = invsqrt * u2 % P
    z_inv = den1 * den2 % P * t0 % P
    if is_negative(t0 * z_inv):
        x, y = y0 * SQRT_M1 % P, x0 * SQRT_M1 % P
        den_inv = den1 * INVSQRT_A_MINUS_D % P
    else:
        x, y = x0, y0
        den_inv = den2
    if is_negative(x * z_inv):
        y = -y % P
    s = ct_abs(den_inv * (z0 - y))
    return s.to_bytes(32, "little")


def encode_double(x: int, y: int) -> bytes | None:
    """ENCODE(2H) for the affine point ``H = (x, y)`` with one inversion and no square root.

    Doubling H gives ``(X:Y:Z:T) = (E*F : G*K : F*G : E*K)`` with ``E = 2xy``,
    ``G = y^2 - x^2``, ``F = G - 2`` and ``K = -(x^2 + y^2)``. Then ``u1 * u2^2`` of ENCODE is
    ``(E F G^2 K)^2 (F^2 - K^2)``, and on the curve ``F^2 - K^2 = 4 x^2 y^2 (a - d)``, so
    ``1/sqrt(u1 u2^2) = +-INVSQRT_A_MINUS_D / (2 x y E F G^2 K)``. Returns ``None`` when that
    denominator is zero (H of small order), for the caller to fall back on :func:`encode`.
    """
    xx, yy = x * x % P, y * y % P
    e = 2 * x * y % P
    g = (yy - xx) % P
    f = (g - 2) % P
    k = -(xx + yy) % P
    denominator = 2 * x * y % P * e % P * f % P * g % P * g % P * k % P
    if denominator == 0:
        return None
    invsqrt = ct_abs(INVSQRT_A_MINUS_D * pow(denominator, -1, P))
    return encode((e * f % P, g * k % P, f * g % P, e * k % P), invsqrt)


def add(p: Point, q: Point) -> Point:
    """Extended-coordinates addition on the twisted Edwards curve (a = -1)."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = t1 * 2 * D % P * t2 % P
    d = z1 * 2 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _map(t: int) -> Point:
    """RFC 9496 §4.3.4 MAP, the Elligator-based one-way map of a field element."""
    r = SQRT_M1 * t % P * t % P
    u = (r + 1) * ONE_MINUS_D_SQ % P
    v = (-1 - r * D) * (r + D) % P
    was_square, s = sqrt_ratio_m1(u, v)
    s_prime = -ct_abs(s * t) % P
    if not was_square:
        s = s_prime
    c = P - 1 if was_square else r
    n = (c * (r - 1) % P * D_MINUS_ONE_SQ - v) % P
    w0 = 2 * s * v % P
    w1 = n * SQRT_AD_MINUS_ONE % P
    w2 = (1 - s * s) % P
    w3 = (1 + s * s) % P
    return (w0 * w3 % P, w2 * w1 % P, w1 * w3 % P, w0 * w2 % P)


def from_uniform(data: bytes) -> Point:
    """RFC 9496 §4.3.4 element derivation from 64 uniform bytes (two maps, added)."""
    if len(data) != 64:
        raise ValueError("from_uniform needs 64 bytes")
    r0 = (int.from_bytes(data[:32], "little") & _MASK255) % P
    r1 = (int.from_bytes(data[32:], "little") & _MASK255) % P
    return add(_map(r0), _map(r1))


def to_affine(point: Point) -> tuple[int, int]:
    """Affine ``(x, y)`` of an extended point."""
    x, y, z, _ = point
    z_inv = pow(z, -1, P)
    return x * z_inv % P, y * z_inv % P


def ed25519_bytes(x: int, y: int) -> bytes:
    """The Ed25519 (RFC 8032) compressed encoding of the affine point ``(x, y)``."""
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def scalar_mult(k: int, point: Point) -> Point:
    """Double-and-add ``k * point`` (public values only: for tests and constants)."""
    result = IDENTITY
    addend = point
    while k:
        if k & 1:
            result = add(result, addend)
        addend = add(addend, addend)
        k >>= 1
    return result
