"""RFC 9497 OPRF/VOPRF/POPRF: published vectors on both backends, tampering, validation.

Every test runs on both backends; the native one needs the system libsodium and skips locally
without it (saying what to install), and fails in CI (tests/_system.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _system import require_library
from verwijsindex_core.errors import (
    BackendUnavailable,
    InvalidElement,
    InvalidScalar,
    OprfError,
    ProofError,
)
from verwijsindex_core.pseudonym.oprf import (
    BACKEND_ENV_VAR,
    Client,
    Evaluation,
    Mode,
    Server,
    available_backends,
    default_backend,
    derive_key_pair,
    generate_key_pair,
)
from verwijsindex_core.pseudonym.oprf._group import get_group

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "vectors" / "rfc9497-ristretto255-sha512.json"
LOCAL = ROOT / "tests" / "vectors" / "rfc9497-ristretto255-sha512.json"
RFC9497 = json.loads((SHARED if SHARED.exists() else LOCAL).read_text())
BACKENDS = ["native", "portable"]
H = bytes.fromhex


def _require(backend: str) -> None:
    if backend == "native":
        require_library("sodium", "libsodium23")


def _cases() -> list[Any]:
    cases = []
    for suite in RFC9497["suites"]:
        for number, vector in enumerate(suite["vectors"]):
            for backend in BACKENDS:
                batch = vector["Input"].count(",") + 1
                name = f"{backend}-{suite['mode']}-{number}-batch{batch}"
                cases.append(pytest.param(backend, suite, vector, id=name))
    return cases


def test_the_shipped_copy_equals_the_shared_vectors() -> None:
    # tests/vectors keeps a copy so that the suite also runs outside the workspace.
    if SHARED.exists():
        assert json.loads(LOCAL.read_text()) == json.loads(SHARED.read_text())


def test_native_backend_loads_where_libsodium_is_installed() -> None:
    # The README's test command installs libsodium23; without it the native half of every
    # test here would skip, which CI does not allow.
    _require("native")
    assert available_backends() == ["native", "portable"]


def test_every_mode_and_a_batch_is_covered() -> None:
    assert {s["mode"] for s in RFC9497["suites"]} == {"OPRF", "VOPRF", "POPRF"}
    assert any("," in v["Input"] for s in RFC9497["suites"] for v in s["vectors"])


@pytest.mark.parametrize(("backend", "suite", "vector"), _cases())
def test_rfc9497_vector(backend: str, suite: dict[str, Any], vector: dict[str, str]) -> None:
    _require(backend)
    mode = Mode[suite["mode"]]
    sk, pk = derive_key_pair(H(suite["Seed"]), H(suite["KeyInfo"]), mode, backend=backend)
    assert sk.hex() == suite["skSm"]
    if "pkSm" in suite:
        assert pk.hex() == suite["pkSm"]
    server = Server(mode, sk, backend=backend)
    assert server.public_key == pk
    client = Client(mode, None if mode == Mode.OPRF else pk, backend=backend)
    inputs = [H(x) for x in vector["Input"].split(",")]
    blinds = [H(x) for x in vector["Blind"].split(",")]
    info = H(vector["Info"]) if "Info" in vector else b""

    state = client.blind(inputs, blinds=blinds, info=info)
    assert ",".join(b.hex() for b in state.blinded_elements) == vector["BlindedElement"]
    proof_random = H(vector["ProofRandomScalar"]) if "ProofRandomScalar" in vector else None
    evaluation = server.blind_evaluate(state.blinded_elements, info=info, proof_random=proof_random)
    assert ",".join(e.hex() for e in evaluation.elements) == vector["EvaluationElement"]
    if "Proof" in vector:
        assert evaluation.proof is not None
        assert evaluation.proof.hex() == vector["Proof"]
    else:
        assert evaluation.proof is None
    outputs = client.finalize(state, evaluation)
    assert ",".join(o.hex() for o in outputs) == vector["Output"]
    for data, output in zip(inputs, outputs, strict=True):
        assert server.evaluate(data, info=info) == output


# --- the protocol's guarantees, as properties -----------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    _require(str(request.param))
    return str(request.param)


@pytest.fixture(scope="module")
def voprf(backend: str) -> tuple[Server, Client]:
    sk, pk = generate_key_pair(backend=backend)
    return Server(Mode.VOPRF, sk, backend=backend), Client(Mode.VOPRF, pk, backend=backend)


@settings(max_examples=25)
@given(data=st.binary(max_size=64))
def test_same_input_same_output_with_fresh_blinds(
    voprf: tuple[Server, Client], data: bytes
) -> None:
    server, client = voprf
    first, second = client.blind([data]), client.blind([data])
    assert first.blinded_elements != second.blinded_elements  # blinds never repeat
    out1 = client.finalize(first, server.blind_evaluate(first.blinded_elements))
    out2 = client.finalize(second, server.blind_evaluate(second.blinded_elements))
    assert out1 == out2 == [server.evaluate(data)]


@settings(max_examples=25)
@given(data=st.binary(max_size=64))
def test_different_keys_are_unlinkable(backend: str, data: bytes) -> None:
    outputs = set()
    for _ in range(2):
        sk, _ = generate_key_pair(backend=backend)
        outputs.add(Server(Mode.OPRF, sk, backend=backend).evaluate(data))
    assert len(outputs) == 2


def test_blinded_elements_never_repeat_for_one_input(voprf: tuple[Server, Client]) -> None:
    _, client = voprf
    seen = {client.blind([b"111222333"]).blinded_elements[0] for _ in range(200)}
    assert len(seen) == 200


@settings(max_examples=10)
@given(inputs=st.lists(st.binary(max_size=20), min_size=1, max_size=6))
def test_batches_equal_one_by_one(voprf: tuple[Server, Client], inputs: list[bytes]) -> None:
    server, client = voprf
    state = client.blind(inputs)
    outputs = client.finalize(state, server.blind_evaluate(state.blinded_elements))
    assert outputs == [server.evaluate(x) for x in inputs]


def test_poprf_info_separates_outputs(backend: str) -> None:
    sk, pk = generate_key_pair(backend=backend)
    server, client = (
        Server(Mode.POPRF, sk, backend=backend),
        Client(Mode.POPRF, pk, backend=backend),
    )
    results = []
    for info in (b"region-a", b"region-b"):
        state = client.blind([b"x"], info=info)
        evaluation = server.blind_evaluate(state.blinded_elements, info=info)
        results.append(client.finalize(state, evaluation)[0])
    assert results[0] != results[1]
    # A server that evaluates under other info fails the proof.
    state = client.blind([b"x"], info=b"region-a")
    with pytest.raises(ProofError):
        client.finalize(state, server.blind_evaluate(state.blinded_elements, info=b"region-b"))


# --- tampering ---------------------------------------------------------------------------------


def _voprf_round(voprf: tuple[Server, Client], n: int = 3) -> tuple[Any, Evaluation]:
    server, client = voprf
    state = client.blind([f"input {i}".encode() for i in range(n)])
    return state, server.blind_evaluate(state.blinded_elements)


def test_a_flipped_proof_bit_is_refused(voprf: tuple[Server, Client]) -> None:
    _, client = voprf
    state, evaluation = _voprf_round(voprf)
    assert evaluation.proof is not None
    for position in (0, 5, 31, 32, 40, 63):
        proof = bytearray(evaluation.proof)
        proof[position] ^= 0x01
        with pytest.raises(ProofError):
            client.finalize(state, Evaluation(evaluation.elements, bytes(proof)))


def test_a_swapped_batch_is_refused(voprf: tuple[Server, Client]) -> None:
    _, client = voprf
    state, evaluation = _voprf_round(voprf)
    swapped = (evaluation.elements[1], evaluation.elements[0], *evaluation.elements[2:])
    with pytest.raises(ProofError):
        client.finalize(state, Evaluation(swapped, evaluation.proof))


def test_another_key_is_refused(voprf: tuple[Server, Client], backend: str) -> None:
    _, client = voprf
    other = Server(Mode.VOPRF, generate_key_pair(backend=backend)[0], backend=backend)
    state = client.blind([b"a", b"b"])
    with pytest.raises(ProofError):
        client.finalize(state, other.blind_evaluate(state.blinded_elements))


def test_a_replaced_element_is_refused(voprf: tuple[Server, Client]) -> None:
    server, client = voprf
    state, evaluation = _voprf_round(voprf)
    stranger = server.blind_evaluate(client.blind([b"other"]).blinded_elements).elements[0]
    forged = (stranger, *evaluation.elements[1:])
    with pytest.raises(ProofError):
        client.finalize(state, Evaluation(forged, evaluation.proof))


def test_missing_or_malformed_proof_is_refused(voprf: tuple[Server, Client]) -> None:
    _, client = voprf
    state, evaluation = _voprf_round(voprf)
    for proof in (None, b"", b"\x00" * 63, b"\xff" * 64):
        with pytest.raises(ProofError):
            client.finalize(state, Evaluation(evaluation.elements, proof))


def test_batch_size_must_match(voprf: tuple[Server, Client]) -> None:
    _, client = voprf
    state, evaluation = _voprf_round(voprf)
    with pytest.raises(OprfError, match="batch-size"):
        client.finalize(state, Evaluation(evaluation.elements[:2], evaluation.proof))


def test_oprf_mode_has_no_proof_and_tampering_changes_the_output(backend: str) -> None:
    sk, _ = generate_key_pair(backend=backend)
    server, client = Server(Mode.OPRF, sk, backend=backend), Client(Mode.OPRF, backend=backend)
    state = client.blind([b"a", b"b"])
    evaluation = server.blind_evaluate(state.blinded_elements)
    assert evaluation.proof is None
    swapped = Evaluation(tuple(reversed(evaluation.elements)))
    assert client.finalize(state, swapped) != client.finalize(state, evaluation)


# --- invalid elements, scalars and arguments --------------------------------------------------

RFC9496 = json.loads((ROOT / "tests" / "vectors" / "ristretto255-rfc9496.json").read_text())
INVALID = [bytes.fromhex(v["encoding"]) for v in RFC9496["invalid_encodings"]]
EXTRA_INVALID = [
    bytes(32),  # the identity: a valid encoding, but never a valid protocol element
    bytes.fromhex(RFC9496["generator_multiples"][1])[:31] + b"\xf6",  # the generator, bit 255 set
    b"\x01" * 31,  # too short
]


@pytest.mark.parametrize("encoding", INVALID + EXTRA_INVALID, ids=lambda e: e.hex()[:12])
def test_invalid_elements_are_refused_everywhere(
    voprf: tuple[Server, Client], encoding: bytes
) -> None:
    server, client = voprf
    with pytest.raises(InvalidElement, match=r"blinded_elements\[1\]"):
        server.blind_evaluate([client.blind([b"ok"]).blinded_elements[0], encoding])
    state, evaluation = _voprf_round(voprf, 1)
    with pytest.raises(InvalidElement, match=r"evaluation.elements\[0\]"):
        client.finalize(state, Evaluation((encoding,), evaluation.proof))
    with pytest.raises(InvalidElement, match="server_public_key"):
        Client(Mode.VOPRF, encoding, backend=client.backend)


def test_bit_255_is_refused_by_both_backends(backend: str) -> None:
    generator = bytes.fromhex(RFC9496["generator_multiples"][1])
    high = generator[:31] + bytes([generator[31] | 0x80])
    group = get_group(backend)
    assert group.decode(generator) is not None
    assert group.decode(high) is None


@pytest.mark.parametrize(
    "secret",
    [bytes(32), b"\xff" * 32, bytes.fromhex("edd3f55c1a631258d69cf7a2def9de14" + "00" * 15 + "10")],
    ids=["zero", "all-ff", "order"],
)
def test_invalid_secret_keys_are_refused(secret: bytes) -> None:
    with pytest.raises(InvalidScalar):
        Server(Mode.OPRF, secret)
    with pytest.raises(InvalidScalar):
        Server(Mode.OPRF, secret[:31])


def test_arguments_are_checked(voprf: tuple[Server, Client], backend: str) -> None:
    server, client = voprf
    with pytest.raises(OprfError, match="batch-size"):
        server.blind_evaluate([])
    with pytest.raises(OprfError, match="batch-size"):
        client.blind([])
    with pytest.raises(OprfError, match="mode"):
        client.blind([b"x"], info=b"only for POPRF")
    with pytest.raises(OprfError, match="mode"):
        server.evaluate(b"x", info=b"only for POPRF")
    with pytest.raises(OprfError, match="required"):
        Client(Mode.VOPRF, backend=backend)
    with pytest.raises(OprfError, match="mode"):
        Client(Mode.OPRF, server.public_key, backend=backend)
    with pytest.raises(OprfError, match="one blind per input"):
        client.blind([b"a", b"b"], blinds=[bytes([1]) + bytes(31)])
    with pytest.raises(InvalidScalar):
        client.blind([b"a"], blinds=[bytes(32)])
    with pytest.raises(OprfError, match="seed"):
        derive_key_pair(b"short", b"", Mode.OPRF)
    with pytest.raises(OprfError, match="type"):
        client.blind(["text is not bytes"])  # type: ignore[list-item]
    other = Client(Mode.POPRF, server.public_key, backend=backend)
    with pytest.raises(OprfError, match="mode"):
        other.finalize(client.blind([b"x"]), Evaluation((server.public_key,), b""))


def test_secret_holders_do_not_show_or_pickle_secrets(voprf: tuple[Server, Client]) -> None:
    import pickle

    server, client = voprf
    state = client.blind([b"111222333"])
    for obj in (server, client, state):
        shown = repr(obj)
        assert "111222333" not in shown
        assert server._sk.hex()[:16] not in shown
    for secret_holder in (server, state):
        with pytest.raises(TypeError):
            pickle.dumps(secret_holder)


def test_backend_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BACKEND_ENV_VAR, "portable")
    assert default_backend() == "portable"
    assert Server(Mode.OPRF, generate_key_pair()[0]).backend == "portable"
    monkeypatch.setenv(BACKEND_ENV_VAR, "quantum")
    with pytest.raises(BackendUnavailable, match="backend-name"):
        default_backend()
    monkeypatch.delenv(BACKEND_ENV_VAR)
    assert default_backend() == available_backends()[0]
