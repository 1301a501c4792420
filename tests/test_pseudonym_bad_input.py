"""A corpus of bad arguments to the public pseudonym API, as a new user might pass them.

Every call gets a typed error (a ``VerwijsindexError``) that names the field and the rule,
never a raw ``TypeError``, ``OverflowError``, ``AttributeError`` or ``ValueError`` from deep
inside, and its message never holds the value given (nor a BSN, key or pseudonym).

Which error: a BSN value gives ``InvalidBsn``, pseudonym parts ``InvalidPseudonym``, key
material and ring contents ``KeyRingError`` (its subclass ``UnknownKey`` for an id the ring
lacks), an OPRF argument an ``OprfError`` (``InvalidElement``, ``InvalidScalar``,
``InvalidOprfInput`` where they fit), and every other option (paths, flags, dates, purposes,
field names, ``rng``, batches of BSNs) a ``ValidationError``. A wrong *type* has the rule
``type`` (a ring entry that is not a ``Key`` keeps its older rule ``key-type``).

By design, and tested at the end: ``is_valid_bsn``/``are_valid_bsns`` answer ``False`` for any
garbage item (predicates do not raise); objects holding secrets refuse pickling with
``TypeError``; keys, rings, BSNs and pseudonyms are immutable (``AttributeError``); an error
raised by the caller's own ``evaluate`` callback passes through unchanged; and a key-file error
names the file (a path is not a secret, and people need to know which file).
"""

from __future__ import annotations

import pickle
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from _system import require_library
from verwijsindex_core.errors import (
    BackendUnavailable,
    InvalidBsn,
    InvalidElement,
    InvalidOprfInput,
    InvalidPseudonym,
    InvalidScalar,
    KeyRingError,
    OprfError,
    UnknownKey,
    ValidationError,
    VerwijsindexError,
)
from verwijsindex_core.pseudonym import (
    Bsn,
    Key,
    KeyRing,
    Pseudonym,
    Pseudonymiser,
    are_valid_bsns,
    is_valid_bsn,
    mask_bsn,
    pseudonym_text,
    random_bsn,
)
from verwijsindex_core.pseudonym._b64 import b64u_encode
from verwijsindex_core.pseudonym.oprf import (
    BlindPseudonymiser,
    BlindRequest,
    BlindState,
    Client,
    Evaluation,
    Mode,
    PseudonymService,
    Server,
    derive_key_pair,
    generate_key_pair,
    oprf_key_id,
)

BSN = "111222333"  # a textbook example that passes the 11-test, not a person
SECRET = bytes(range(100, 132))
KEY = Key(SECRET)
RING = KeyRing(KEY)
PSEUDONYMISER = Pseudonymiser(RING)
PSEUDONYM = PSEUDONYMISER.pseudonymise(BSN)
SK, PK = derive_key_pair(bytes(range(32)), b"bad-input corpus", Mode.VOPRF, backend="portable")
SERVER = Server(Mode.VOPRF, SK, backend="portable")
CLIENT = Client(Mode.VOPRF, PK, backend="portable")
STATE = CLIENT.blind([b"x"])
EVALUATION = SERVER.blind_evaluate(STATE.blinded_elements)
SERVICE = PseudonymService(SK, backend="portable")
VENDOR = BlindPseudonymiser(PK, backend="portable")
REQUEST = VENDOR.blind([BSN])
TOO_MANY = [b"x"] * 65_536

NEVER_SHOWN = [
    BSN,
    SECRET.hex(),
    b64u_encode(SECRET),
    SK.hex(),
    b64u_encode(SK),
    PSEUDONYM.text,
    b64u_encode(PSEUDONYM.digest),
]


class Disguised(str):
    """Text whose own methods lie: a BSN check must only use ``str``'s."""

    def translate(self, *args: Any) -> str:
        return BSN

    def isdigit(self) -> bool:
        return True

    def isascii(self) -> bool:
        return True

    def __len__(self) -> int:
        return 9

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0

    def encode(self, *args: Any, **kwargs: Any) -> bytes:
        return b"subject"


class BytesPath:
    """An ``os.PathLike`` that answers bytes, which ``pathlib`` cannot take."""

    def __fspath__(self) -> bytes:
        return b"keys.json"


# Values that are not text, for arguments that must be text (or a Bsn).
NOT_TEXT: list[Any] = [
    None,
    True,
    0,
    10**100,
    1.5,
    float("nan"),
    b"111222333",
    bytearray(b"111222333"),
    memoryview(b"111222333"),
    {"bsn": BSN},
    [BSN],
    (BSN,),
    object(),
    date(2026, 1, 1),
]
# Values that are not bytes, for arguments that must be bytes.
NOT_BYTES: list[Any] = [
    None,
    True,
    0,
    10**100,
    1.5,
    "bad-value-text",
    bytearray(32),
    memoryview(bytes(32)),
    [0] * 32,
    {"key": 1},
    object(),
]
# Values that are not a batch: single values, mappings, things that do not iterate.
NOT_A_BATCH: list[Any] = [
    None,
    True,
    0,
    10**100,
    1.5,
    BSN,
    b"111222333",
    bytearray(b"111222333"),
    {BSN: 1},
    object(),
]
NOT_A_FLAG: list[Any] = [None, 0, 1, "no", "false", 1.0, [], b"\x00"]
NOT_A_PATH: list[Any] = [None, True, 5, 10**100, 1.5, b"keys.json", ["keys.json"], BytesPath()]
NOT_A_DATE: list[Any] = [datetime(2026, 1, 1, 12), "2026-01-01", 20260101, True, 1.5, b"x"]
NOT_A_MODE: list[Any] = [None, True, 1.5, "voprf-mode", b"\x01", [1]]
BAD_MODE_NUMBER: list[Any] = [3, -1, 10**100]
BAD_BACKEND_TYPE: list[Any] = [5, True, b"native", ["native"]]


@dataclass(frozen=True)
class Case:
    name: str
    call: Callable[[Path], object]
    error: type[VerwijsindexError]
    field: str
    rule: str
    value: object


CASES: list[Case] = []


def add(  # noqa: PLR0917 - one corpus row reads as: name, call, error, field, rule, values
    name: str,
    call: Callable[[Path], object],
    error: type[VerwijsindexError],
    field: str,
    rule: str,
    values: list[Any],
) -> None:
    """One case per value: ``call(tmp, value)`` must raise ``error(field, rule)``."""
    for i, value in enumerate(values):
        label = f"{name}[{i}:{type(value).__name__}]"
        CASES.append(Case(label, lambda tmp, f=call, v=value: f(tmp, v), error, field, rule, value))


# --- BSN --------------------------------------------------------------------------------------

add("Bsn", lambda _, v: Bsn(v), InvalidBsn, "bsn", "type", NOT_TEXT)
add("Bsn.parse", lambda _, v: Bsn.parse(v), InvalidBsn, "bsn", "type", NOT_TEXT)
add("Bsn disguised", lambda _, v: Bsn(v), InvalidBsn, "bsn", "characters", [Disguised("no")])
add("Bsn eleven", lambda _, v: Bsn.parse(v), InvalidBsn, "bsn", "eleven-test", ["111222334"])
add("Bsn huge", lambda _, v: Bsn(v), InvalidBsn, "bsn", "length", ["1" * 1_000_000])
add(
    "Bsn field type",
    lambda _, v: Bsn.parse("111222334", field=v),
    ValidationError,
    "field",
    "type",
    [None, 5, b"parent_bsn", ["parent_bsn"]],
)
add(
    "Bsn field format",
    lambda _, v: Bsn.parse("111222334", field=v),
    ValidationError,
    "field",
    "field-format",
    ["", BSN, "bsn\nforged log line", "x" * 101, "1.2.3"],
)
add("mask_bsn", lambda _, v: mask_bsn(v), ValidationError, "digits", "type", NOT_TEXT)
add(
    "are_valid_bsns", lambda _, v: are_valid_bsns(v), ValidationError, "values", "type", NOT_A_BATCH
)
add(
    "random_bsn",
    lambda _, v: random_bsn(v),
    ValidationError,
    "rng",
    "type",
    [None, 5, "bad-value-text", random, random.random, b"\x00"],
)

# --- keys -------------------------------------------------------------------------------------

add("Key type", lambda _, v: Key(v), KeyRingError, "key", "type", NOT_BYTES)
add(
    "Key length",
    lambda _, v: Key(v),
    KeyRingError,
    "key",
    "key-length",
    [b"", bytes(31), bytes(33), bytes(1_000_000)],
)
add(
    "Key created",
    lambda _, v: Key(SECRET, created=v),
    ValidationError,
    "created",
    "type",
    NOT_A_DATE,
)
add(
    "Key.generate created",
    lambda _, v: Key.generate(created=v),
    ValidationError,
    "created",
    "type",
    NOT_A_DATE,
)
add(
    "Key.derive purpose",
    lambda _, v: KEY.derive(v),
    ValidationError,
    "purpose",
    "purpose-format",
    ["", "Subject Data", "a" * 33, "-leading", "sub ject", Disguised("Bad Purpose")],
)
add(
    "Key.derive purpose type",
    lambda _, v: KEY.derive(v),
    ValidationError,
    "purpose",
    "type",
    [None, 5, b"subject", ["subject"], {"subject": 1}],
)
add(
    "Key.derive length type",
    lambda _, v: KEY.derive("subject", v),
    ValidationError,
    "length",
    "type",
    [None, "32", 1.5, True, b"\x20"],
)
add(
    "Key.derive length range",
    lambda _, v: KEY.derive("subject", v),
    ValidationError,
    "length",
    "range",
    [0, -1, 8161, 10**100],
)

# --- key rings --------------------------------------------------------------------------------

add("KeyRing active", lambda _, v: KeyRing(v), KeyRingError, "keys", "key-type", [None, SECRET, 5])
add(
    "KeyRing retired",
    lambda _, v: KeyRing(KEY, v),
    KeyRingError,
    "retired",
    "type",
    [None, 5, 1.5, object(), "ab", b"ab", {KEY: 1}, KEY],
)
add(
    "KeyRing retired item",
    lambda _, v: KeyRing(KEY, [v]),
    KeyRingError,
    "keys",
    "key-type",
    [None, SECRET, "bad-value-text"],
)
add(
    "KeyRing.generate",
    lambda _, v: KeyRing.generate(created=v),
    ValidationError,
    "created",
    "type",
    NOT_A_DATE,
)
add(
    "from_env name type",
    lambda _, v: KeyRing.from_env(v, environ={}),
    ValidationError,
    "name",
    "type",
    [None, 5, b"VERWIJSINDEX_KEYS", ["VERWIJSINDEX_KEYS"], {"a": 1}],
)
add(
    "from_env name",
    lambda _, v: KeyRing.from_env(v, environ={}),
    ValidationError,
    "name",
    "env-name",
    ["", BSN, "A=B", "X\x00Y", "bad name", "1VAR", "V" * 129],
)
add(
    "from_env environ",
    lambda _, v: KeyRing.from_env("X", environ=v),
    ValidationError,
    "environ",
    "type",
    [5, "X=abc", ["X"], b"X", object()],
)
add(
    "from_env value type",
    lambda _, v: KeyRing.from_env("X", environ={"X": v}),
    KeyRingError,
    "X",
    "type",
    [5, SECRET, [b64u_encode(SECRET)], 1.5],
)
add(
    "from_env value format",
    lambda _, v: KeyRing.from_env("X", environ={"X": v}),
    KeyRingError,
    "X",
    "key-format",
    ["", BSN, SECRET.hex(), b64u_encode(SECRET)[:-1], "," * 1000],
)
add("KeyRing.load path", lambda _, v: KeyRing.load(v), ValidationError, "path", "type", NOT_A_PATH)
add(
    "KeyRing.load NUL",
    lambda _, v: KeyRing.load(v),
    ValidationError,
    "path",
    "path",
    ["keys\x00.json"],
)
add(
    "KeyRing.load flag",
    lambda tmp, v: KeyRing.load(tmp / "keys.json", check_permissions=v),
    ValidationError,
    "check_permissions",
    "type",
    NOT_A_FLAG,
)
add("KeyRing.save path", lambda _, v: RING.save(v), ValidationError, "path", "type", NOT_A_PATH)
add(
    "KeyRing.save flag",
    lambda tmp, v: RING.save(tmp / "new.json", overwrite=v),
    ValidationError,
    "overwrite",
    "type",
    NOT_A_FLAG,
)
add(
    "KeyRing.get type",
    lambda _, v: RING.get(v),
    ValidationError,
    "key_id",
    "type",
    [None, 5, b"abcdefgh", ["abcdefgh"], {"a": 1}, bytearray(b"abcdefgh")],
)
add(
    "KeyRing.get unknown",
    lambda _, v: RING.get(v),
    UnknownKey,
    "key_id",
    "known-key",
    [BSN, "zzzzzzzz"],
)
add("KeyRing.drop", lambda _, v: RING.drop(v), ValidationError, "key_id", "type", [None, 5, ["x"]])
add("KeyRing.drop unknown", lambda _, v: RING.drop(v), UnknownKey, "key_id", "known-key", [BSN])
add(
    "KeyRing.rotate",
    lambda _, v: RING.rotate(created=v),
    ValidationError,
    "created",
    "type",
    NOT_A_DATE,
)

# --- keyed pseudonyms -------------------------------------------------------------------------

add(
    "Pseudonymiser ring",
    lambda _, v: Pseudonymiser(v),
    ValidationError,
    "keyring",
    "type",
    [None, KEY, SECRET, "bad-value-text", {}, [KEY], 5],
)
add(
    "Pseudonymiser purpose",
    lambda _, v: Pseudonymiser(RING, purpose=v),
    ValidationError,
    "purpose",
    "purpose-format",
    ["", "Subject", Disguised("Bad Purpose")],
)
add(
    "Pseudonymiser purpose type",
    lambda _, v: Pseudonymiser(RING, purpose=v),
    ValidationError,
    "purpose",
    "type",
    [None, 5, b"subject"],
)
add("pseudonymise", lambda _, v: PSEUDONYMISER.pseudonymise(v), InvalidBsn, "bsn", "type", NOT_TEXT)
add(
    "pseudonymise_with bsn",
    lambda _, v: PSEUDONYMISER.pseudonymise_with(v, KEY.id),
    InvalidBsn,
    "bsn",
    "type",
    NOT_TEXT,
)
add(
    "pseudonymise_with key_id",
    lambda _, v: PSEUDONYMISER.pseudonymise_with(BSN, v),
    ValidationError,
    "key_id",
    "type",
    [None, 5, b"abcdefgh", ["abcdefgh"], {"a": 1}, bytearray(b"abcdefgh")],
)
add(
    "pseudonymise_with unknown",
    lambda _, v: PSEUDONYMISER.pseudonymise_with(BSN, v),
    UnknownKey,
    "key_id",
    "known-key",
    [BSN, "zzzzzzzz", Disguised("zz")],
)
add(
    "pseudonymise_all_keys",
    lambda _, v: PSEUDONYMISER.pseudonymise_all_keys(v),
    InvalidBsn,
    "bsn",
    "type",
    NOT_TEXT,
)
add(
    "pseudonymise_many",
    lambda _, v: PSEUDONYMISER.pseudonymise_many(v),
    ValidationError,
    "bsns",
    "type",
    NOT_A_BATCH,
)
add(
    "pseudonymise_many item",
    lambda _, v: PSEUDONYMISER.pseudonymise_many([BSN, v]),
    InvalidBsn,
    "bsn",
    "type",
    NOT_TEXT,
)
add(
    "digests_many",
    lambda _, v: PSEUDONYMISER.digests_many(v),
    ValidationError,
    "bsns",
    "type",
    NOT_A_BATCH,
)

# --- pseudonyms -------------------------------------------------------------------------------

add(
    "Pseudonym key_id type",
    lambda _, v: Pseudonym(v, bytes(32)),
    InvalidPseudonym,
    "key_id",
    "type",
    [None, 5, b"abcdefgh", ["abcdefgh"]],
)
add(
    "Pseudonym key_id format",
    lambda _, v: Pseudonym(v, bytes(32)),
    InvalidPseudonym,
    "key_id",
    "key-id-format",
    ["ABCDEFGH", BSN, "", "abcdefgh" * 1000],
)
add(
    "Pseudonym digest type",
    lambda _, v: Pseudonym("abcdefgh", v),
    InvalidPseudonym,
    "digest",
    "type",
    NOT_BYTES,
)
add(
    "Pseudonym digest length",
    lambda _, v: Pseudonym("abcdefgh", v),
    InvalidPseudonym,
    "digest",
    "digest-length",
    [b"", bytes(31), bytes(10_000)],
)
add(
    "pseudonym_text key_id",
    lambda _, v: pseudonym_text(v, bytes(32)),
    InvalidPseudonym,
    "key_id",
    "type",
    [None, 5],
)
add(
    "pseudonym_text digest",
    lambda _, v: pseudonym_text("abcdefgh", v),
    InvalidPseudonym,
    "digest",
    "type",
    [None, "bad-value-text", bytearray(32)],
)
add(
    "Pseudonym.parse type",
    lambda _, v: Pseudonym.parse(v),
    InvalidPseudonym,
    "pseudonym",
    "type",
    [None, 5, PSEUDONYM.text.encode(), [PSEUDONYM.text], PSEUDONYM],
)
add(
    "Pseudonym.parse version",
    lambda _, v: Pseudonym.parse(v),
    InvalidPseudonym,
    "pseudonym",
    "version",
    [BSN, "1" * 1_000_000, Disguised("x")],
)
add(
    "Pseudonym.parse format",
    lambda _, v: Pseudonym.parse(v),
    InvalidPseudonym,
    "pseudonym",
    "format",
    ["vi1." + "a" * 1_000_000, PSEUDONYM.text + "\n", PSEUDONYM.text[:-1]],
)
add(
    "Pseudonym.parse field",
    lambda _, v: Pseudonym.parse("x", field=v),
    ValidationError,
    "field",
    "field-format",
    ["", BSN, "subject\r\nforged", PSEUDONYM.text[:12] + "\n"],
)

# --- OPRF protocol ----------------------------------------------------------------------------

add("Client mode type", lambda _, v: Client(v, PK), OprfError, "mode", "type", NOT_A_MODE)
add("Client mode number", lambda _, v: Client(v, PK), OprfError, "mode", "mode", BAD_MODE_NUMBER)
add(
    "Client public key type",
    lambda _, v: Client(Mode.VOPRF, v),
    InvalidElement,
    "server_public_key",
    "type",
    [5, "bad-value-key", bytearray(32), [PK], True],
)
add(
    "Client public key length",
    lambda _, v: Client(Mode.VOPRF, v),
    InvalidElement,
    "server_public_key",
    "element-length",
    [b"", PK + b"\x00", PK[:31]],
)
add(
    "Client public key identity",
    lambda _, v: Client(Mode.VOPRF, v),
    InvalidElement,
    "server_public_key",
    "non-identity",
    [bytes(32)],
)
add(
    "Client backend type",
    lambda _, v: Client(Mode.VOPRF, PK, backend=v),
    OprfError,
    "backend",
    "type",
    BAD_BACKEND_TYPE,
)
add(
    "Client backend name",
    lambda _, v: Client(Mode.VOPRF, PK, backend=v),
    BackendUnavailable,
    "backend",
    "backend-name",
    ["quantum-backend", "NATIVE"],
)
add("Client.blind inputs", lambda _, v: CLIENT.blind(v), OprfError, "inputs", "type", NOT_A_BATCH)
add(
    "Client.blind empty",
    lambda _, v: CLIENT.blind(v),
    OprfError,
    "inputs",
    "batch-size",
    [[], iter(())],
)
add(
    "Client.blind too many",
    lambda _, v: CLIENT.blind(v),
    OprfError,
    "inputs",
    "batch-size",
    [TOO_MANY],
)
add(
    "Client.blind input",
    lambda _, v: CLIENT.blind([b"ok", v]),
    OprfError,
    "inputs[1]",
    "type",
    [None, BSN, 5, bytearray(b"x"), [b"x"]],
)
add(
    "Client.blind input length",
    lambda _, v: CLIENT.blind([v]),
    InvalidOprfInput,
    "inputs[0]",
    "input-length",
    [bytes(65_536)],
)
add(
    "Client.blind info type",
    lambda _, v: CLIENT.blind([b"x"], info=v),
    OprfError,
    "info",
    "type",
    [None, "bad-value-text", 5, bytearray(b"x")],
)
add(
    "Client.blind info mode",
    lambda _, v: CLIENT.blind([b"x"], info=v),
    OprfError,
    "info",
    "mode",
    [b"only-for-poprf"],
)
add(
    "Client.blind blinds",
    lambda _, v: CLIENT.blind([b"x"], blinds=v),
    OprfError,
    "blinds",
    "type",
    [5, bytes(32), "bad-value-text"],
)
add(
    "Client.blind blinds count",
    lambda _, v: CLIENT.blind([b"x"], blinds=v),
    OprfError,
    "blinds",
    "batch-size",
    [[], [SK, SK]],
)
add(
    "Client.blind blind type",
    lambda _, v: CLIENT.blind([b"x"], blinds=[v]),
    InvalidScalar,
    "blinds[0]",
    "type",
    [None, "bad-value-text", 5, bytearray(32)],
)
add(
    "Client.blind blind zero",
    lambda _, v: CLIENT.blind([b"x"], blinds=[v]),
    InvalidScalar,
    "blinds[0]",
    "non-zero",
    [bytes(32)],
)
add(
    "Client.blind blind canonical",
    lambda _, v: CLIENT.blind([b"x"], blinds=[v]),
    InvalidScalar,
    "blinds[0]",
    "canonical",
    [b"\xff" * 32],
)
add(
    "Client.finalize state",
    lambda _, v: CLIENT.finalize(v, EVALUATION),
    OprfError,
    "state",
    "type",
    [None, "bad-value-text", EVALUATION, REQUEST],
)
add(
    "Client.finalize evaluation",
    lambda _, v: CLIENT.finalize(STATE, v),
    OprfError,
    "evaluation",
    "type",
    [None, "bad-value-text", (PK,), [EVALUATION.elements, EVALUATION.proof]],
)
add("Evaluation elements", lambda _, v: Evaluation(v), OprfError, "elements", "type", NOT_A_BATCH)
add(
    "Evaluation element",
    lambda _, v: Evaluation((PK, v)),
    OprfError,
    "elements[1]",
    "type",
    [None, "bad-value-text", 5, bytearray(32)],
)
add(
    "Evaluation too many",
    lambda _, v: Evaluation(v),
    OprfError,
    "elements",
    "batch-size",
    [TOO_MANY],
)
add(
    "Evaluation proof",
    lambda _, v: Evaluation((PK,), v),
    OprfError,
    "proof",
    "type",
    ["bad-value-text", 5, [b"x"], bytearray(64)],
)
add(
    "BlindState mode",
    lambda _, v: BlindState(
        v, inputs=(), blinds=(), blinded=(), info=None, tweaked_key=None, backend="portable"
    ),
    OprfError,
    "mode",
    "type",
    NOT_A_MODE,
)
add(
    "BlindState parts",
    lambda _, v: BlindState(
        Mode.VOPRF, inputs=(b"x",), blinds=v, blinded=(), info=None, tweaked_key=None, backend=""
    ),
    OprfError,
    "blinds",
    "type",
    [None, [SK], ()],
)
add("Server mode type", lambda _, v: Server(v, SK), OprfError, "mode", "type", NOT_A_MODE)
add("Server mode number", lambda _, v: Server(v, SK), OprfError, "mode", "mode", BAD_MODE_NUMBER)
add(
    "Server key type",
    lambda _, v: Server(Mode.VOPRF, v),
    InvalidScalar,
    "secret_key",
    "type",
    NOT_BYTES,
)
add(
    "Server key length",
    lambda _, v: Server(Mode.VOPRF, v),
    InvalidScalar,
    "secret_key",
    "scalar-length",
    [b"", SK[:31], SK + b"\x00"],
)
add(
    "Server key zero",
    lambda _, v: Server(Mode.VOPRF, v),
    InvalidScalar,
    "secret_key",
    "non-zero",
    [bytes(32)],
)
add(
    "Server key canonical",
    lambda _, v: Server(Mode.VOPRF, v),
    InvalidScalar,
    "secret_key",
    "canonical",
    [b"\xff" * 32],
)
add(
    "blind_evaluate batch",
    lambda _, v: SERVER.blind_evaluate(v),
    OprfError,
    "blinded_elements",
    "type",
    NOT_A_BATCH,
)
add(
    "blind_evaluate empty",
    lambda _, v: SERVER.blind_evaluate(v),
    OprfError,
    "blinded_elements",
    "batch-size",
    [[], (), TOO_MANY],
)
add(
    "blind_evaluate element",
    lambda _, v: SERVER.blind_evaluate([v]),
    InvalidElement,
    "blinded_elements[0]",
    "type",
    [None, "bad-value-text", 5, bytearray(32)],
)
add(
    "blind_evaluate encoding",
    lambda _, v: SERVER.blind_evaluate([v]),
    InvalidElement,
    "blinded_elements[0]",
    "element-encoding",
    [b"\xff" * 32, PK[:31] + bytes([PK[31] | 0x80])],
)
add(
    "blind_evaluate info",
    lambda _, v: SERVER.blind_evaluate(STATE.blinded_elements, info=v),
    OprfError,
    "info",
    "type",
    [None, "bad-value-text", 5],
)
add(
    "blind_evaluate proof_random",
    lambda _, v: SERVER.blind_evaluate(STATE.blinded_elements, proof_random=v),
    InvalidScalar,
    "proof_random",
    "type",
    ["bad-value-text", 5, bytearray(32)],
)
add(
    "blind_evaluate proof_random zero",
    lambda _, v: SERVER.blind_evaluate(STATE.blinded_elements, proof_random=v),
    InvalidScalar,
    "proof_random",
    "non-zero",
    [bytes(32)],
)
add("Server.evaluate", lambda _, v: SERVER.evaluate(v), OprfError, "input", "type", NOT_BYTES)
add(
    "Server.evaluate length",
    lambda _, v: SERVER.evaluate(v),
    InvalidOprfInput,
    "input",
    "input-length",
    [bytes(65_536)],
)
add(
    "Server.evaluate info",
    lambda _, v: SERVER.evaluate(b"x", info=v),
    OprfError,
    "info",
    "type",
    [None, "bad-value-text", 5],
)
add(
    "derive_key_pair seed",
    lambda _, v: derive_key_pair(v, b"", Mode.OPRF),
    OprfError,
    "seed",
    "type",
    NOT_BYTES,
)
add(
    "derive_key_pair seed length",
    lambda _, v: derive_key_pair(v, b"", Mode.OPRF),
    OprfError,
    "seed",
    "seed-length",
    [b"", bytes(31), bytes(10**6)],
)
add(
    "derive_key_pair info",
    lambda _, v: derive_key_pair(bytes(32), v, Mode.OPRF),
    OprfError,
    "info",
    "type",
    [None, "bad-value-text", 5],
)
add(
    "derive_key_pair mode",
    lambda _, v: derive_key_pair(bytes(32), b"", v),
    OprfError,
    "mode",
    "type",
    NOT_A_MODE,
)
add(
    "generate_key_pair backend",
    lambda _, v: generate_key_pair(backend=v),
    OprfError,
    "backend",
    "type",
    BAD_BACKEND_TYPE,
)
add(
    "oprf_key_id type", lambda _, v: oprf_key_id(v), InvalidElement, "public_key", "type", NOT_BYTES
)
add(
    "oprf_key_id length",
    lambda _, v: oprf_key_id(v),
    InvalidElement,
    "public_key",
    "element-length",
    [b"", PK[:31], bytes(10**6)],
)

# --- blind pseudonyms -------------------------------------------------------------------------

add(
    "BlindPseudonymiser mode type",
    lambda _, v: BlindPseudonymiser(PK, mode=v),
    OprfError,
    "mode",
    "type",
    NOT_A_MODE,
)
add(
    "BlindPseudonymiser mode",
    lambda _, v: BlindPseudonymiser(PK, mode=v),
    OprfError,
    "mode",
    "mode",
    [Mode.POPRF, 2, 7, 10**100],
)
add(
    "BlindPseudonymiser key",
    lambda _, v: BlindPseudonymiser(v),
    InvalidElement,
    "server_public_key",
    "type",
    [5, "bad-value-key", bytearray(32)],
)
add(
    "BlindPseudonymiser key_id",
    lambda _, v: BlindPseudonymiser(PK, key_id=v),
    OprfError,
    "key_id",
    "key-id-format",
    ["ABCDEFGH", BSN, "", "abcdefgh\n"],
)
add(
    "BlindPseudonymiser key_id type",
    lambda _, v: BlindPseudonymiser(PK, key_id=v),
    OprfError,
    "key_id",
    "type",
    [5, b"abcdefgh", ["abcdefgh"], True],
)
add(
    "BlindPseudonymiser no key",
    lambda _, v: BlindPseudonymiser(v, mode=Mode.OPRF),
    OprfError,
    "key_id",
    "required",
    [None],
)
add(
    "BlindPseudonymiser backend",
    lambda _, v: BlindPseudonymiser(PK, backend=v),
    OprfError,
    "backend",
    "type",
    BAD_BACKEND_TYPE,
)
add("vendor.blind", lambda _, v: VENDOR.blind(v), ValidationError, "bsns", "type", NOT_A_BATCH)
add(
    "vendor.blind empty",
    lambda _, v: VENDOR.blind(v),
    OprfError,
    "bsns",
    "batch-size",
    [[], iter(())],
)
add(
    "vendor.blind too many",
    lambda _, v: VENDOR.blind(v),
    OprfError,
    "bsns",
    "batch-size",
    [[BSN] * 65_536],
)
add("vendor.blind item", lambda _, v: VENDOR.blind([v]), InvalidBsn, "bsn", "type", NOT_TEXT)
add(
    "vendor.blind invalid",
    lambda _, v: VENDOR.blind([BSN, v]),
    InvalidBsn,
    "bsn",
    "eleven-test",
    ["111222334"],
)
add(
    "vendor.finalize request",
    lambda _, v: VENDOR.finalize(v, EVALUATION),
    OprfError,
    "request",
    "type",
    [None, STATE, "bad-value-text", [REQUEST]],
)
add(
    "vendor.finalize evaluation",
    lambda _, v: VENDOR.finalize(REQUEST, v),
    OprfError,
    "evaluation",
    "type",
    [None, "bad-value-text", (PK,)],
)
add(
    "pseudonymise_many evaluate",
    lambda _, v: VENDOR.pseudonymise_many([BSN], v),
    OprfError,
    "evaluate",
    "type",
    [None, 5, "bad-value-text", SERVICE],
)
add(
    "pseudonymise_many answer",
    lambda _, v: VENDOR.pseudonymise_many([BSN], lambda elements: v),
    OprfError,
    "evaluation",
    "type",
    [None, [b"x"], "answer", EVALUATION.elements],
)
add(
    "pseudonymise_many bsns",
    lambda _, v: VENDOR.pseudonymise_many(v, SERVICE.blind_evaluate),
    ValidationError,
    "bsns",
    "type",
    NOT_A_BATCH,
)
add(
    "BlindRequest",
    lambda _, v: BlindRequest(v),
    OprfError,
    "state",
    "type",
    [None, "bad-value-text", REQUEST],
)
add(
    "PseudonymService key",
    lambda _, v: PseudonymService(v),
    InvalidScalar,
    "secret_key",
    "type",
    NOT_BYTES,
)
add(
    "PseudonymService mode",
    lambda _, v: PseudonymService(SK, mode=v),
    OprfError,
    "mode",
    "type",
    NOT_A_MODE,
)
add(
    "PseudonymService POPRF",
    lambda _, v: PseudonymService(SK, mode=v),
    OprfError,
    "mode",
    "mode",
    [Mode.POPRF, 2, 9],
)
add(
    "PseudonymService.generate mode",
    lambda _, v: PseudonymService.generate(mode=v),
    OprfError,
    "mode",
    "type",
    NOT_A_MODE,
)
add(
    "PseudonymService.generate backend",
    lambda _, v: PseudonymService.generate(backend=v),
    OprfError,
    "backend",
    "type",
    BAD_BACKEND_TYPE,
)
add(
    "service.blind_evaluate",
    lambda _, v: SERVICE.blind_evaluate(v),
    OprfError,
    "blinded_elements",
    "type",
    NOT_A_BATCH,
)
add(
    "service.pseudonymise",
    lambda _, v: SERVICE.pseudonymise(v),
    InvalidBsn,
    "bsn",
    "type",
    NOT_TEXT,
)
add("service.save path", lambda _, v: SERVICE.save(v), ValidationError, "path", "type", NOT_A_PATH)
add(
    "service.save flag",
    lambda tmp, v: SERVICE.save(tmp / "svc.json", overwrite=v),
    ValidationError,
    "overwrite",
    "type",
    NOT_A_FLAG,
)
add(
    "PseudonymService.load path",
    lambda _, v: PseudonymService.load(v),
    ValidationError,
    "path",
    "type",
    NOT_A_PATH,
)
add(
    "PseudonymService.load flag",
    lambda tmp, v: PseudonymService.load(tmp / "svc.json", check_permissions=v),
    ValidationError,
    "check_permissions",
    "type",
    NOT_A_FLAG,
)


def _saved_service(tmp: Path) -> Path:
    path = tmp / "svc.json"
    SERVICE.save(path)
    return path


add(
    "PseudonymService.load backend",
    lambda tmp, v: PseudonymService.load(_saved_service(tmp), backend=v),
    OprfError,
    "backend",
    "type",
    BAD_BACKEND_TYPE,
)


def _traces(value: object) -> list[str]:
    """How ``value`` could show in a message, when it is distinctive enough to look for."""
    if isinstance(value, str) and len(value) >= 4:
        return [str.__str__(value)[:200]]
    if isinstance(value, (bytes, bytearray)) and len(value) >= 4:
        return [bytes(value).hex()[:64], repr(bytes(value))[:64]]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return [str(value)]
    return []


def test_the_corpus_is_large_and_names_are_unique() -> None:
    assert len(CASES) >= 400
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_argument_gives_a_typed_error(case: Case, tmp_path: Path) -> None:
    with pytest.raises(VerwijsindexError) as info:
        case.call(tmp_path)
    error = info.value
    assert type(error) is case.error, (type(error).__name__, str(error))
    assert (error.field, error.rule) == (case.field, case.rule), str(error)
    message = str(error) + repr(error) + str(error.args)
    for trace in _traces(case.value) + NEVER_SHOWN:
        assert trace not in message
    assert "\n" not in str(error)
    assert list(tmp_path.iterdir()) in ([], [tmp_path / "svc.json"])  # nothing half-written


# --- by design --------------------------------------------------------------------------------

GARBAGE: list[Any] = [*NOT_TEXT, Disguised("garbage"), "", "x" * 1_000_000, "\x00" * 9]


@pytest.mark.parametrize("value", GARBAGE, ids=lambda v: type(v).__name__)
def test_predicates_answer_false_and_never_raise(value: object) -> None:
    assert is_valid_bsn(value) is False
    assert are_valid_bsns([value]) == [False]
    assert are_valid_bsns([BSN, value, BSN]) == [True, False, True]


def test_a_str_subclass_cannot_disguise_length_or_zeros_in_a_batch() -> None:
    class Nine(str):
        def __len__(self) -> int:
            return 9

        def __eq__(self, other: object) -> bool:
            return False

        __hash__ = str.__hash__

    # 8 + 10 digits are 18 characters, like two BSNs, but neither item is one of nine digits.
    assert are_valid_bsns([Nine("11122233"), Nine("3111222333")]) == [False, False]
    assert are_valid_bsns([Nine("000000000"), BSN]) == [False, True]
    assert is_valid_bsn(Nine(BSN)) is True  # a genuine BSN in a subclass is still one


def test_text_and_bytes_subclasses_are_stored_as_plain_values() -> None:
    class Text(str):
        pass

    class Raw(bytes):
        pass

    bsn = Bsn(Text(BSN))
    assert type(bsn.digits) is str
    p = Pseudonym(Text(PSEUDONYM.key_id), Raw(PSEUDONYM.digest))
    assert type(p.key_id) is str and type(p.digest) is bytes and p == PSEUDONYM
    assert type(Pseudonym.parse(Text(PSEUDONYM.text)).key_id) is str
    assert Key(Raw(SECRET)) == KEY
    assert Pseudonymiser(RING, purpose=Text("subject")).purpose.__class__ is str


@pytest.mark.parametrize("holder", [KEY, RING, SERVER, STATE, SERVICE, REQUEST], ids=repr)
def test_secret_holders_refuse_pickling_with_type_error(holder: object) -> None:
    # On purpose: a pickle would put the secret (or the BSNs) in a file or a queue.
    with pytest.raises(TypeError):
        pickle.dumps(holder)


def test_value_objects_are_immutable() -> None:
    for obj in (KEY, RING, Bsn(BSN)):
        with pytest.raises(AttributeError):
            obj.extra = 1  # type: ignore[attr-defined]


def test_the_callers_evaluate_function_errors_pass_through() -> None:
    class ServiceDown(Exception):
        pass

    def down(elements: object) -> Evaluation:
        raise ServiceDown

    with pytest.raises(ServiceDown):
        VENDOR.pseudonymise_many([BSN], down)


def test_a_state_from_another_backend_is_refused() -> None:
    require_library("sodium", "libsodium23")  # skips locally without it, fails in CI
    native = Client(Mode.VOPRF, PK, backend="native")
    with pytest.raises(OprfError) as info:
        native.finalize(STATE, EVALUATION)  # STATE was made on the portable backend
    assert (info.value.field, info.value.rule) == ("state", "backend")


def test_key_file_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent-keys.json"
    with pytest.raises(KeyRingError) as info:
        KeyRing.load(missing)
    assert (info.value.field, info.value.rule) == ("key_file", "read")
    assert str(missing) in str(info.value)
