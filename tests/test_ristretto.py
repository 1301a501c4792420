"""ristretto255 (RFC 9496) on both backends, and the differential test native vs portable.

The native backend needs the system libsodium: without it these tests skip locally (saying
what to install) and fail in CI (tests/_system.py)."""

from __future__ import annotations

import ast
import ctypes
import hashlib
import json
import random
import re
from itertools import pairwise
from pathlib import Path

import pytest

from _system import require_library
from verwijsindex_core.pseudonym.oprf import _group
from verwijsindex_core.pseudonym.oprf import _ristretto as r255
from verwijsindex_core.pseudonym.oprf import _scalar as scalar
from verwijsindex_core.pseudonym.oprf._group import NATIVE_SIGNATURES, Group, get_group
from verwijsindex_core.pseudonym.oprf._protocol import expand_message_xmd

ROOT = Path(__file__).resolve().parent.parent
V = json.loads((ROOT / "tests" / "vectors" / "ristretto255-rfc9496.json").read_text())
BACKENDS = ["native", "portable"]
N_DIFFERENTIAL = 2000


def _require_native() -> None:
    require_library("sodium", "libsodium23")


@pytest.fixture(params=BACKENDS)
def group(request: pytest.FixtureRequest) -> Group:
    if request.param == "native":
        _require_native()
    return get_group(str(request.param))


def test_constants_satisfy_their_definitions() -> None:
    p, d = r255.P, r255.D
    assert d == -121665 * pow(121666, -1, p) % p
    assert r255.SQRT_M1**2 % p == p - 1
    assert r255.SQRT_AD_MINUS_ONE**2 % p == (-d - 1) % p
    assert r255.INVSQRT_A_MINUS_D**2 * (-1 - d) % p == 1
    assert (1 - d * d) % p == r255.ONE_MINUS_D_SQ
    assert (d - 1) ** 2 % p == r255.D_MINUS_ONE_SQ


def test_generator_multiples(group: Group) -> None:
    expected = [bytes.fromhex(h) for h in V["generator_multiples"]]
    assert len(expected) == 16
    running = group.identity
    for k, encoding in enumerate(expected):
        assert group.encode(running) == encoding, k
        if k:
            assert group.encode(group.mult_base(k.to_bytes(32, "little"))) == encoding, k
            decoded = group.decode(encoding)
            assert decoded is not None
            assert group.encode(decoded) == encoding
        running = group.add(running, group.generator)
    assert group.encode(group.mult_base(scalar.ZERO)) == bytes(32)


def test_decoding_and_multiplying_by_the_order_minus_one(group: Group) -> None:
    minus_one = (r255.L - 1).to_bytes(32, "little")
    g = group.decode(bytes.fromhex(V["generator_multiples"][1]))
    assert g is not None
    # (L-1)*G + G = identity, so (L-1)*G is the negation of G.
    assert group.encode(group.add(group.mult(minus_one, g), g)) == bytes(32)


@pytest.mark.parametrize("case", V["invalid_encodings"], ids=lambda c: c["encoding"][:12])
def test_invalid_encodings_do_not_decode(group: Group, case: dict[str, str]) -> None:
    data = bytes.fromhex(case["encoding"])
    assert r255.decode(data) is None
    assert group.decode(data) is None, case["why"]


def test_there_are_29_invalid_encodings_of_four_kinds() -> None:
    kinds = {c["why"] for c in V["invalid_encodings"]}
    assert len(V["invalid_encodings"]) == 29
    assert len(kinds) == 5


@pytest.mark.parametrize("case", V["one_way_map"], ids=lambda c: c["label"][:20])
def test_one_way_map(group: Group, case: dict[str, str]) -> None:
    uniform = hashlib.sha512(case["label"].encode()).digest()
    assert uniform.hex() == case["input"]
    assert group.encode(group.from_uniform(uniform)).hex() == case["output"]


def test_expand_message_xmd_sha512() -> None:
    spec = V["expand_message_xmd_sha512"]
    for vector in spec["vectors"]:
        out = expand_message_xmd(vector["msg"].encode(), spec["dst"].encode(), 32)
        assert out.hex() == vector["uniform_bytes"]
    long = expand_message_xmd(b"abc", b"DST", 200)
    assert len(long) == 200
    assert long[:64] != long[64:128]


# --- differential: the portable backend equals the native one, byte for byte ---------------


@pytest.fixture
def native_required() -> None:
    _require_native()


needs_native = pytest.mark.usefixtures("native_required")


def _pair() -> tuple[Group, Group]:
    return get_group("native"), get_group("portable")


def _elements(rng: random.Random, n: int) -> list[bytes]:
    native = get_group("native")
    return [native.encode(native.from_uniform(rng.randbytes(64))) for _ in range(n)]


@needs_native
def test_differential_from_uniform() -> None:
    native, portable = _pair()
    rng = random.Random(1)
    for _ in range(N_DIFFERENTIAL):
        data = rng.randbytes(64)
        assert portable.encode(portable.from_uniform(data)) == native.from_uniform(data)


@needs_native
def test_differential_decode_encode() -> None:
    native, portable = _pair()
    rng = random.Random(2)
    for encoding in _elements(rng, N_DIFFERENTIAL):
        decoded = portable.decode(encoding)
        assert decoded is not None
        assert portable.encode(decoded) == encoding
    for _ in range(N_DIFFERENTIAL):  # random bytes: both accept or both refuse
        data = rng.randbytes(32)
        assert (portable.decode(data) is None) == (native.decode(data) is None)


@needs_native
def test_differential_scalar_mult() -> None:
    native, portable = _pair()
    rng = random.Random(3)
    for encoding in _elements(rng, N_DIFFERENTIAL):
        k = scalar.from_uniform(rng.randbytes(64))
        element = portable.decode(encoding)
        assert element is not None
        assert portable.encode(portable.mult(k, element)) == native.mult(k, encoding)


@needs_native
def test_differential_base_mult_and_add() -> None:
    native, portable = _pair()
    rng = random.Random(4)
    encodings = _elements(rng, N_DIFFERENTIAL + 1)
    for k_bytes, (a, b) in zip(
        (rng.randbytes(64) for _ in range(N_DIFFERENTIAL)), pairwise(encodings), strict=True
    ):
        k = scalar.from_uniform(k_bytes)
        assert portable.encode(portable.mult_base(k)) == native.mult_base(k)
        pa, pb = portable.decode(a), portable.decode(b)
        assert pa is not None and pb is not None
        assert portable.encode(portable.add(pa, pb)) == native.add(a, b)


@needs_native
def test_differential_edge_scalars() -> None:
    native, portable = _pair()
    element = _elements(random.Random(5), 1)[0]
    pe = portable.decode(element)
    assert pe is not None
    for k in (0, 1, 2, 3, 4, 5, r255.L - 1, r255.L - 4):
        kb = k.to_bytes(32, "little")
        assert portable.encode(portable.mult(kb, pe)) == native.mult(kb, element)
        assert portable.encode(portable.mult_base(kb)) == native.mult_base(kb)


# --- the native backend declares the C signature of everything it calls ---------------------

_SYMBOL = re.compile(r"(sodium|crypto|randombytes)_\w+")


def _libsodium_names_in_group_module() -> set[str]:
    """Every libsodium function name the native backend's module mentions: string constants
    (getattr on the CDLL) and attributes of anything but PyNaCl's ``sodium`` bindings."""
    tree = ast.parse(Path(_group.__file__).read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)
        elif isinstance(node, ast.Attribute):
            pynacl = isinstance(node.value, ast.Name) and node.value.id == "sodium"
            if not pynacl:
                names.add(node.attr)
    return {name for name in names if _SYMBOL.fullmatch(name)}


def test_every_libsodium_function_the_module_names_has_a_declared_signature() -> None:
    # Runs without libsodium: a function added to the module must be added to the table.
    assert _libsodium_names_in_group_module() == set(NATIVE_SIGNATURES)
    for name, (restype, argtypes) in NATIVE_SIGNATURES.items():
        assert restype is ctypes.c_int, name
        assert isinstance(argtypes, tuple), name
        assert all(t is ctypes.c_char_p for t in argtypes), name
    assert NATIVE_SIGNATURES["sodium_init"] == (ctypes.c_int, ())


@needs_native
def test_loaded_native_functions_have_argtypes_and_restype() -> None:
    native = _group._load_native()
    assert set(native.functions) == set(NATIVE_SIGNATURES)
    for name, (restype, argtypes) in NATIVE_SIGNATURES.items():
        function = getattr(native.library, name)  # the CDLL's own (cached) function object
        assert function is native.functions[name], name
        assert function.argtypes == argtypes, name
        assert function.restype is restype, name
    # Whatever C function the group object holds is one of the declared ones.
    held = [v for v in vars(native).values() if isinstance(v, ctypes._CFuncPtr)]
    assert len(held) == 5
    assert all(any(v is f for f in native.functions.values()) for v in held)


@needs_native
def test_declared_argtypes_refuse_what_c_cannot_take() -> None:
    native = _group._load_native()
    with pytest.raises(ctypes.ArgumentError):
        native.functions["crypto_core_ristretto255_is_valid_point"]("not bytes")
    with pytest.raises(TypeError, match="at least 3 arguments"):
        native.functions["crypto_core_ristretto255_add"](ctypes.create_string_buffer(32))
