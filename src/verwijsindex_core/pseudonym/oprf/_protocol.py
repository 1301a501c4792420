"""RFC 9497 Oblivious Pseudorandom Functions, suite ristretto255-SHA512: OPRF, VOPRF, POPRF.

Section numbers below are those of RFC 9497. Element and scalar encodings are exactly the
RFC's (ristretto255 encodings; scalars little-endian). Every element that arrives from the
other party is decoded and checked (canonical, on the group, not the identity) before use.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Final, NoReturn, final

from verwijsindex_core.errors import (
    InvalidElement,
    InvalidOprfInput,
    InvalidScalar,
    OprfError,
    ProofError,
)
from verwijsindex_core.pseudonym._args import check_batch, check_instance, plain_bytes
from verwijsindex_core.pseudonym.oprf import _scalar as scalar
from verwijsindex_core.pseudonym.oprf._group import Group, get_group

__all__ = [
    "ELEMENT_SIZE",
    "OUTPUT_SIZE",
    "PROOF_SIZE",
    "SCALAR_SIZE",
    "SUITE_ID",
    "BlindState",
    "Client",
    "Evaluation",
    "Mode",
    "Server",
    "derive_key_pair",
    "generate_key_pair",
]

SUITE_ID: Final = "ristretto255-SHA512"
ELEMENT_SIZE: Final = 32
SCALAR_SIZE: Final = scalar.SCALAR_SIZE
PROOF_SIZE: Final = 2 * SCALAR_SIZE
OUTPUT_SIZE: Final = 64
MAX_BATCH: Final = 65_535  # the composite index is a 2-byte counter (§2.2.1)
_MAX_INPUT: Final = 65_535  # inputs and info are framed with a 2-byte length


class Mode(IntEnum):
    """Protocol variant (§3): base, verifiable, partially oblivious (with public ``info``)."""

    OPRF = 0
    VOPRF = 1
    POPRF = 2


def check_mode(mode: object) -> Mode:
    """A :class:`Mode`, or its number as a plain ``int`` (not a bool, float or text)."""
    if isinstance(mode, Mode):
        return mode
    if type(mode) is not int:
        raise OprfError("mode", "type", "must be a Mode (OPRF, VOPRF or POPRF)")
    if mode not in Mode._value2member_map_:
        raise OprfError("mode", "mode", "must be 0 (OPRF), 1 (VOPRF) or 2 (POPRF)")
    return Mode(mode)


def _i2osp2(n: int) -> bytes:
    return n.to_bytes(2, "big")


def _framed(*parts: bytes) -> bytes:
    return b"".join(_i2osp2(len(part)) + part for part in parts)


def expand_message_xmd(msg: bytes, dst: bytes, length: int) -> bytes:
    """RFC 9380 §5.3.1 expand_message_xmd with SHA-512."""
    if len(dst) > 255 or length > 255 * 64 or length > 65_535:
        raise ValueError("expand_message_xmd: DST or length out of range")
    ell = -(-length // 64)
    dst_prime = dst + bytes([len(dst)])
    b0 = hashlib.sha512(bytes(128) + msg + _i2osp2(length) + b"\x00" + dst_prime).digest()
    blocks = [hashlib.sha512(b0 + b"\x01" + dst_prime).digest()]
    for i in range(2, ell + 1):
        mixed = bytes(a ^ b for a, b in zip(b0, blocks[-1], strict=True))
        blocks.append(hashlib.sha512(mixed + bytes([i]) + dst_prime).digest())
    return b"".join(blocks)[:length]


class _Suite:
    """The suite's hash functions for one mode on one group backend (§4.1)."""

    def __init__(self, mode: Mode, group: Group) -> None:
        self.mode = mode
        self.group = group
        self.context = b"OPRFV1-" + bytes([mode]) + b"-" + SUITE_ID.encode()
        self._h2g_dst = b"HashToGroup-" + self.context
        self._h2s_dst = b"HashToScalar-" + self.context

    def hash_to_group(self, msg: bytes) -> bytes:
        element = self.group.from_uniform(expand_message_xmd(msg, self._h2g_dst, 64))
        if self.group.is_identity(element):
            raise InvalidOprfInput("input", "InvalidInput", "hashes to the identity element")
        return element

    def hash_to_scalar(self, msg: bytes, dst: bytes | None = None) -> bytes:
        return scalar.from_uniform(expand_message_xmd(msg, dst or self._h2s_dst, 64))

    def decode(self, data: object, field: str) -> bytes:
        """DeserializeElement (§4.1): canonical, valid, and not the identity."""
        return self.decode_pair(data, field)[0]

    def decode_pair(self, data: object, field: str) -> tuple[bytes, bytes]:
        """:meth:`decode`'s element with the encoding it came from (as plain ``bytes``)."""
        raw = plain_bytes(data)
        if raw is None:
            raise InvalidElement(field, "type", f"must be {ELEMENT_SIZE} bytes (bytes)")
        if len(raw) != ELEMENT_SIZE:
            raise InvalidElement(field, "element-length", f"must be {ELEMENT_SIZE} bytes")
        element = self.group.decode(raw)
        if element is None:
            raise InvalidElement(
                field, "element-encoding", "is not a canonical ristretto255 encoding"
            )
        if raw == bytes(ELEMENT_SIZE):
            raise InvalidElement(field, "non-identity", "is the identity element")
        return element, raw

    def info_scalar(self, info: bytes) -> bytes:
        """POPRF: m = HashToScalar("Info" || len || info) (§3.3.3); ``info`` is checked."""
        return self.hash_to_scalar(b"Info" + _i2osp2(len(info)) + info)

    def finalize_hash(self, data: bytes, info: bytes | None, unblinded: bytes) -> bytes:
        """Hash(len || input [|| len || info] || len || element || "Finalize") (§3.3)."""
        parts = (data, unblinded) if info is None else (data, info, unblinded)
        return hashlib.sha512(_framed(*parts) + b"Finalize").digest()

    # --- DLEQ proofs (§2.2) ------------------------------------------------------------------

    def _composites(
        self,
        k: bytes | None,
        b_enc: bytes,
        cs: Sequence[tuple[bytes, bytes]],
        ds: Sequence[tuple[bytes, bytes]],
    ) -> tuple[bytes, bytes]:
        """ComputeComposites (verifier, ``k`` None) or ComputeCompositesFast (prover)."""
        group = self.group
        seed_dst = b"Seed-" + self.context
        seed = hashlib.sha512(_framed(b_enc, seed_dst)).digest()
        m = z = group.identity
        for i, ((c, c_enc), (d, d_enc)) in enumerate(zip(cs, ds, strict=True)):
            transcript = _framed(seed) + _i2osp2(i) + _framed(c_enc, d_enc) + b"Composite"
            di = self.hash_to_scalar(transcript)
            m = group.add(group.mult(di, c), m)
            if k is None:
                z = group.add(group.mult(di, d), z)
        if k is not None:
            z = group.mult(k, m)
        return m, z

    def _challenge(self, b_enc: bytes, m: bytes, z: bytes, t2: bytes, t3: bytes) -> bytes:
        encode = self.group.encode
        parts = (b_enc, encode(m), encode(z), encode(t2), encode(t3))
        return self.hash_to_scalar(_framed(*parts) + b"Challenge")

    def generate_proof(
        self,
        k: bytes,
        b_enc: bytes,
        cs: Sequence[tuple[bytes, bytes]],
        ds: Sequence[tuple[bytes, bytes]],
        r: bytes,
    ) -> bytes:
        """GenerateProof with A = the generator and B = k*A (§2.2.1)."""
        m, z = self._composites(k, b_enc, cs, ds)
        t2 = self.group.mult_base(r)
        t3 = self.group.mult(r, m)
        c = self._challenge(b_enc, m, z, t2, t3)
        s = scalar.sub(r, scalar.mul(c, k))
        return c + s

    def verify_proof(
        self,
        b: bytes,
        b_enc: bytes,
        cs: Sequence[tuple[bytes, bytes]],
        ds: Sequence[tuple[bytes, bytes]],
        proof: bytes,
    ) -> bool:
        """VerifyProof with A = the generator (§2.2.2)."""
        try:
            c = scalar.parse(proof[:SCALAR_SIZE], "proof.c", nonzero=False)
            s = scalar.parse(proof[SCALAR_SIZE:], "proof.s", nonzero=False)
        except InvalidScalar:
            return False  # a non-canonical scalar is simply a proof that does not verify
        group = self.group
        m, z = self._composites(None, b_enc, cs, ds)
        t2 = group.add(group.mult_base(s), group.mult(c, b))
        t3 = group.add(group.mult(s, m), group.mult(c, z))
        return hmac.compare_digest(self._challenge(b_enc, m, z, t2, t3), c)


@dataclass(frozen=True)
class Evaluation:
    """What the server returns: evaluated elements (encoded) and, in VOPRF/POPRF, the proof.

    Built from what arrives over the wire too, so it checks the shape: ``elements`` an
    iterable of at most 65,535 ``bytes`` (kept as a tuple), ``proof`` ``bytes`` or ``None``.
    Whether the elements and the proof are valid is :meth:`Client.finalize`'s to decide.
    """

    elements: tuple[bytes, ...]
    proof: bytes | None = None

    def __post_init__(self) -> None:
        items = check_batch(self.elements, "elements", "bytes", limit=MAX_BATCH, error=OprfError)
        elements = tuple(plain_bytes(item) for item in items)
        for i, element in enumerate(elements):
            if element is None:
                raise OprfError(f"elements[{i}]", "type", "must be bytes")
        object.__setattr__(self, "elements", elements)
        if self.proof is not None:
            proof = plain_bytes(self.proof)
            if proof is None:
                raise OprfError("proof", "type", "must be bytes or None")
            object.__setattr__(self, "proof", proof)


@final
class BlindState:
    """The client's secret state between :meth:`Client.blind` and :meth:`Client.finalize`.

    Holds the inputs and the blinds: never log, store or send it. Only
    :attr:`blinded_elements` goes to the server. Its ``repr`` shows the mode and batch size.
    """

    __slots__ = ("_backend", "_blinded", "_blinds", "_info", "_inputs", "_mode", "_tweaked_key")

    def __init__(
        self,
        mode: Mode,
        *,
        inputs: tuple[bytes, ...],
        blinds: tuple[bytes, ...],
        blinded: tuple[tuple[bytes, bytes], ...],
        info: bytes | None,
        tweaked_key: bytes | None,
        backend: str,
    ) -> None:
        # Made by Client.blind only; the checks keep a hand-made state from failing obscurely.
        parts: dict[str, object] = {"inputs": inputs, "blinds": blinds, "blinded": blinded}
        for field, value in parts.items():
            if not isinstance(value, tuple) or len(value) != len(inputs):
                raise OprfError(field, "type", "must be a tuple with one item per input")
        for field, value in (("info", info), ("tweaked_key", tweaked_key)):
            if value is not None and type(value) is not bytes:
                raise OprfError(field, "type", "must be bytes or None")
        if type(backend) is not str:
            raise OprfError("backend", "type", "must be text (str)")
        self._mode = check_mode(mode)
        self._backend = backend
        self._inputs = inputs
        self._blinds = blinds
        self._blinded = blinded
        self._info = info
        self._tweaked_key = tweaked_key

    @property
    def blinded_elements(self) -> tuple[bytes, ...]:
        """The encoded blinded elements to send to the server, in input order."""
        return tuple(enc for _, enc in self._blinded)

    def __len__(self) -> int:
        return len(self._inputs)

    def __repr__(self) -> str:
        return f"BlindState(mode={self._mode.name}, size={len(self._inputs)})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("BlindState holds secrets and is not picklable")


def _check_batch(items: object, field: str, what: str) -> Sequence[object]:
    """A batch of 1 to 65,535 items (any iterable but a single bytes or str value)."""
    batch = check_batch(items, field, what, limit=MAX_BATCH, error=OprfError)
    if not batch:
        raise OprfError(field, "batch-size", "must hold at least one item")
    return batch


def _check_bytes(value: object, field: str) -> bytes:
    data = plain_bytes(value)
    if data is None:
        raise OprfError(field, "type", "must be bytes")
    if len(data) > _MAX_INPUT:
        raise InvalidOprfInput(field, "input-length", f"longer than {_MAX_INPUT} bytes")
    return data


def _check_info(info: object, mode: Mode) -> bytes:
    """``info``: bytes in every mode, and empty unless the mode is POPRF."""
    data = _check_bytes(info, "info")
    if data and mode != Mode.POPRF:
        raise OprfError("info", "mode", "only POPRF mode takes info")
    return data


@final
class Server:
    """The key holder: evaluates blinded elements without seeing the inputs (§3.3).

    ``secret_key`` is a 32-byte scalar (from :func:`generate_key_pair` or
    :func:`derive_key_pair`). It only ever reaches libsodium. ``backend`` names a group backend
    (``"native"`` or ``"portable"``); by default the fastest available one is used.
    """

    __slots__ = ("_mode", "_pk", "_sk", "_suite")

    def __init__(self, mode: Mode, secret_key: bytes, *, backend: str | None = None) -> None:
        self._mode = check_mode(mode)
        self._suite = _Suite(self._mode, get_group(backend))
        self._sk = scalar.parse(secret_key, "secret_key")
        self._pk = self._suite.group.encode(self._suite.group.mult_base(self._sk))

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def public_key(self) -> bytes:
        """The encoded public key ``sk * G`` that clients verify proofs against."""
        return self._pk

    @property
    def backend(self) -> str:
        return self._suite.group.name

    def _tweak(self, info: bytes) -> bytes:
        t = scalar.add(self._sk, self._suite.info_scalar(info))
        if scalar.is_zero(t):
            raise InvalidOprfInput("info", "InverseError", "makes the tweaked key zero")
        return t

    def blind_evaluate(
        self,
        blinded_elements: Sequence[bytes],
        *,
        info: bytes = b"",
        proof_random: bytes | None = None,
    ) -> Evaluation:
        """Evaluate a batch of blinded elements (BlindEvaluate, batched as in §3.3.2).

        ``info`` is the public POPRF input (POPRF mode only). ``proof_random`` fixes the proof
        nonce and exists for known-answer tests only: never pass it in production.
        """
        batch = _check_batch(blinded_elements, "blinded_elements", "encoded elements (bytes)")
        suite, group = self._suite, self._suite.group
        decoded = [
            suite.decode_pair(data, f"blinded_elements[{i}]") for i, data in enumerate(batch)
        ]
        info = _check_info(info, self._mode)
        if proof_random is not None:
            proof_random = scalar.parse(proof_random, "proof_random")
        if self._mode == Mode.POPRF:
            t = self._tweak(info)
            k = scalar.invert(t)
        else:
            t = k = self._sk
        evaluated = [group.mult(k, element) for element, _ in decoded]
        encoded = tuple(group.encode(e) for e in evaluated)
        if self._mode == Mode.OPRF:
            return Evaluation(encoded)
        r = proof_random if proof_random is not None else scalar.random_nonzero()
        pairs = list(zip(evaluated, encoded, strict=True))
        if self._mode == Mode.VOPRF:
            proof = suite.generate_proof(t, self._pk, decoded, pairs, r)
        else:
            tweaked = group.encode(group.mult_base(t))
            proof = suite.generate_proof(t, tweaked, pairs, decoded, r)
        return Evaluation(encoded, proof)

    def evaluate(self, data: bytes, *, info: bytes = b"") -> bytes:
        """The PRF output for ``data`` computed directly by the key holder (§3.3.1-3.3.3)."""
        suite, group = self._suite, self._suite.group
        data = _check_bytes(data, "input")
        info = _check_info(info, self._mode)
        element = suite.hash_to_group(data)
        if self._mode == Mode.POPRF:
            evaluated = group.mult(scalar.invert(self._tweak(info)), element)
            return suite.finalize_hash(data, info, group.encode(evaluated))
        return suite.finalize_hash(data, None, group.encode(group.mult(self._sk, element)))

    def __repr__(self) -> str:
        return f"Server(mode={self._mode.name}, backend='{self.backend}')"

    def __reduce__(self) -> NoReturn:
        raise TypeError("Server holds the secret key and is not picklable")


@final
class Client:
    """The party with the inputs: blinds them, and unblinds the server's evaluation (§3.3).

    In VOPRF and POPRF mode ``server_public_key`` is required, and :meth:`finalize` refuses an
    evaluation whose proof does not verify against it.
    """

    __slots__ = ("_mode", "_pk", "_pk_enc", "_suite")

    def __init__(
        self, mode: Mode, server_public_key: bytes | None = None, *, backend: str | None = None
    ) -> None:
        self._mode = check_mode(mode)
        self._suite = _Suite(self._mode, get_group(backend))
        if self._mode == Mode.OPRF:
            if server_public_key is not None:
                raise OprfError("server_public_key", "mode", "OPRF mode has no public key")
            self._pk = self._pk_enc = b""
        else:
            if server_public_key is None:
                raise OprfError(
                    "server_public_key", "required", f"required in {self._mode.name} mode"
                )
            self._pk, self._pk_enc = self._suite.decode_pair(server_public_key, "server_public_key")

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def backend(self) -> str:
        return self._suite.group.name

    def blind(
        self,
        inputs: Sequence[bytes],
        *,
        info: bytes = b"",
        blinds: Sequence[bytes] | None = None,
    ) -> BlindState:
        """Blind a batch of inputs (Blind, §3.3.1). Send ``state.blinded_elements``.

        ``blinds`` fixes the blinding scalars and exists for known-answer tests only: reusing
        a blind links requests, so never pass it in production.
        """
        batch = _check_batch(inputs, "inputs", "inputs (bytes)")
        suite, group = self._suite, self._suite.group
        data = tuple(_check_bytes(x, f"inputs[{i}]") for i, x in enumerate(batch))
        if blinds is None:
            chosen = tuple(scalar.random_nonzero() for _ in data)
        else:
            given = _check_batch(blinds, "blinds", "scalars (bytes)")
            if len(given) != len(data):
                raise OprfError("blinds", "batch-size", "one blind per input")
            chosen = tuple(scalar.parse(b, f"blinds[{i}]") for i, b in enumerate(given))
        checked_info = _check_info(info, self._mode)
        tweaked: bytes | None = None
        info_used: bytes | None = None
        if self._mode == Mode.POPRF:
            info_used = checked_info
            tweaked_element = group.add(group.mult_base(suite.info_scalar(info_used)), self._pk)
            if group.is_identity(tweaked_element):
                raise InvalidOprfInput("info", "InvalidInput", "gives the identity tweaked key")
            tweaked = tweaked_element
        blinded = []
        for x, blind in zip(data, chosen, strict=True):
            element = group.mult(blind, suite.hash_to_group(x))
            blinded.append((element, group.encode(element)))
        return BlindState(
            self._mode,
            inputs=data,
            blinds=chosen,
            blinded=tuple(blinded),
            info=info_used,
            tweaked_key=tweaked,
            backend=group.name,
        )

    def finalize(self, state: BlindState, evaluation: Evaluation) -> list[bytes]:
        """Verify (VOPRF/POPRF) and unblind the evaluation into the PRF outputs (Finalize)."""
        check_instance(state, BlindState, "state", "a BlindState from blind()", error=OprfError)
        check_instance(evaluation, Evaluation, "evaluation", "an Evaluation", error=OprfError)
        if state._mode != self._mode:
            raise OprfError("state", "mode", "made by a client in another mode")
        if state._backend != self.backend:
            raise OprfError("state", "backend", "made by a client on another group backend")
        if len(evaluation.elements) != len(state):
            raise OprfError(
                "evaluation.elements", "batch-size", "one element per blinded input is required"
            )
        suite, group = self._suite, self._suite.group
        evaluated = [
            suite.decode_pair(data, f"evaluation.elements[{i}]")
            for i, data in enumerate(evaluation.elements)
        ]
        if self._mode != Mode.OPRF:
            proof = evaluation.proof
            if not isinstance(proof, bytes) or len(proof) != PROOF_SIZE:
                raise ProofError("evaluation.proof", "proof", f"must be {PROOF_SIZE} bytes")
            if self._mode == Mode.VOPRF:
                ok = suite.verify_proof(self._pk, self._pk_enc, state._blinded, evaluated, proof)
            else:
                tweaked = state._tweaked_key or group.identity  # always set in POPRF mode
                tweaked_enc = group.encode(tweaked)
                ok = suite.verify_proof(tweaked, tweaked_enc, evaluated, state._blinded, proof)
            if not ok:
                raise ProofError(
                    "evaluation.proof",
                    "DLEQ proof",
                    "does not verify against the server's public key and these elements",
                )
        outputs = []
        for x, blind, (element, _) in zip(state._inputs, state._blinds, evaluated, strict=True):
            unblinded = group.encode(group.mult(scalar.invert(blind), element))
            outputs.append(suite.finalize_hash(x, state._info, unblinded))
        return outputs

    def __repr__(self) -> str:
        return f"Client(mode={self._mode.name}, backend='{self.backend}')"


def derive_key_pair(
    seed: bytes, info: bytes, mode: Mode, *, backend: str | None = None
) -> tuple[bytes, bytes]:
    """DeriveKeyPair (§3.2.1): a deterministic (secret key, public key) from a 32-byte seed."""
    checked = plain_bytes(seed)
    if checked is None:
        raise OprfError("seed", "type", "must be 32 bytes (bytes)")
    if len(checked) != 32:
        raise OprfError("seed", "seed-length", "must be 32 bytes")
    seed = checked
    info = _check_bytes(info, "info")
    suite = _Suite(check_mode(mode), get_group(backend))
    derive_input = seed + _i2osp2(len(info)) + info
    dst = b"DeriveKeyPair" + suite.context
    for counter in range(256):
        sk = suite.hash_to_scalar(derive_input + bytes([counter]), dst)
        if not scalar.is_zero(sk):
            return sk, suite.group.encode(suite.group.mult_base(sk))
    raise OprfError("seed", "DeriveKeyPairError", "no key pair derivable")  # pragma: no cover


def generate_key_pair(*, backend: str | None = None) -> tuple[bytes, bytes]:
    """A random (secret key, public key) pair (§3.2); the same pair serves every mode."""
    group = get_group(backend)
    sk = scalar.random_nonzero()
    return sk, group.encode(group.mult_base(sk))
