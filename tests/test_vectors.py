"""Known-answer vectors: the library against tests/vectors, and the vectors against OpenSSL."""

from __future__ import annotations

import hmac
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from _system import require_program
from verwijsindex_core.pseudonym import BSN_LABEL, Key, KeyRing, Pseudonym, Pseudonymiser

ROOT = Path(__file__).resolve().parent.parent
VECTORS = json.loads((ROOT / "tests" / "vectors" / "hmac-pseudonyms.json").read_text())["vectors"]


def test_there_are_vectors_for_every_purpose_and_input_form() -> None:
    assert len(VECTORS) >= 40
    assert {v["purpose"] for v in VECTORS} == {"subject", "parent"}
    assert any("." in v["input"] for v in VECTORS)
    assert any(len(v["input"]) == 8 for v in VECTORS)


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"{v['key_id']}-{v['purpose']}")
def test_library_reproduces_vector(vector: dict[str, str]) -> None:
    key = Key(bytes.fromhex(vector["key"]))
    assert key.id == vector["key_id"]
    assert key.derive(vector["purpose"]).hex() == vector["subkey"]
    pseudonymiser = Pseudonymiser(KeyRing(key), purpose=vector["purpose"])
    pseudonym = pseudonymiser.pseudonymise(vector["input"])
    assert pseudonym.digest.hex() == vector["digest"]
    assert pseudonym.text == vector["pseudonym"]
    assert Pseudonym.parse(vector["pseudonym"]) == pseudonym
    assert pseudonymiser.pseudonymise_many([vector["input"]]) == [pseudonym]


def test_openssl_agrees_with_every_vector() -> None:
    # Skips locally without openssl; fails in CI, which installs it (README test command).
    require_program("openssl")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_vectors_openssl.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(VECTORS)} passed, 0 failed" in done.stdout


def test_openssl_check_fails_on_a_tampered_vector(tmp_path: Path) -> None:
    require_program("openssl")
    doc = json.loads((ROOT / "tests" / "vectors" / "hmac-pseudonyms.json").read_text())
    doc["vectors"] = doc["vectors"][:2]
    flipped = bytearray.fromhex(doc["vectors"][1]["digest"])
    flipped[0] ^= 1
    doc["vectors"][1]["digest"] = flipped.hex()
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(doc))
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_vectors_openssl.py"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "vector 1: mismatch in digest" in done.stdout


# RFC 4231 test case 2 and RFC 5869 test case 3: the primitives the construction rests on.
def test_hmac_sha256_rfc4231_case_2() -> None:
    mac = hmac.digest(b"Jefe", b"what do ya want for nothing?", "sha256").hex()
    assert mac == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_hkdf_sha256_rfc5869_case_3() -> None:
    okm = HKDF(hashes.SHA256(), 42, salt=None, info=b"").derive(bytes([0x0B] * 22))
    assert okm.hex() == (
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
    )


def test_label_is_the_documented_one() -> None:
    assert BSN_LABEL == b"verwijsindex-core/v1/bsn\x00"
