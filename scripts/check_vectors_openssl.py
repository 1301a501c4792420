"""Re-check tests/vectors/hmac-pseudonyms.json with OpenSSL, independently of the library.

Every step (key id, HKDF sub-key, HMAC digest) is computed by the ``openssl`` command; only
the text encodings (base32, base64url) use the Python standard library. Exits 0 when every
vector matches, 1 with the failing vector numbers otherwise, 2 when there is no ``openssl``.

    python scripts/check_vectors_openssl.py [tests/vectors/hmac-pseudonyms.json]
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "vectors" / "hmac-pseudonyms.json"
KEY_ID_LABEL = b"verwijsindex-core/v1/key-id\x00"
HKDF_INFO = b"verwijsindex-core/v1/subkey/"


def openssl(args: list[str], data: bytes = b"") -> str:
    done = subprocess.run(["openssl", *args], input=data, capture_output=True, check=True)
    return done.stdout.decode().strip()


def hexdigits(text: str) -> str:
    """The hex digest from openssl's output ("SHA2-256(stdin)= ab.." or "AB:CD:..")."""
    return text.rsplit("=", 1)[-1].strip().replace(":", "").lower()


def check(vector: dict[str, str], label: bytes) -> list[str]:
    problems = []
    key = bytes.fromhex(vector["key"])
    fingerprint = bytes.fromhex(hexdigits(openssl(["dgst", "-sha256"], KEY_ID_LABEL + key)))
    key_id = base64.b32encode(fingerprint[:5]).decode().lower()
    if key_id != vector["key_id"]:
        problems.append("key_id")
    info = HKDF_INFO + vector["purpose"].encode()
    subkey = hexdigits(
        openssl(
            [
                *("kdf", "-keylen", "32", "-kdfopt", "digest:SHA256"),
                *("-kdfopt", f"hexkey:{key.hex()}", "-kdfopt", f"hexinfo:{info.hex()}", "HKDF"),
            ]
        )
    )
    if subkey != vector["subkey"]:
        problems.append("subkey")
    message = label + vector["canonical"].encode()
    digest = hexdigits(
        openssl(["mac", "-digest", "SHA256", "-macopt", f"hexkey:{subkey}", "HMAC"], message)
    )
    if digest != vector["digest"]:
        problems.append("digest")
    text = base64.urlsafe_b64encode(bytes.fromhex(digest)).rstrip(b"=").decode()
    if f"vi1.{key_id}.{text}" != vector["pseudonym"]:
        problems.append("pseudonym")
    return problems


def main() -> int:
    if shutil.which("openssl") is None:
        print("the openssl command is not installed (Debian package openssl)", file=sys.stderr)
        return 2
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    doc = json.loads(path.read_text())
    label = bytes.fromhex(doc["construction"]["label_hex"])
    failures = 0
    for number, vector in enumerate(doc["vectors"]):
        problems = check(vector, label)
        if problems:
            failures += 1
            print(f"vector {number}: mismatch in {', '.join(problems)}")
    print(f"{len(doc['vectors']) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
