"""Regenerate tests/vectors/hmac-pseudonyms.json from the library (then re-check them with
scripts/check_vectors_openssl.py, which does not use the library at all).

    python scripts/make_hmac_vectors.py > tests/vectors/hmac-pseudonyms.json

The keys are fixed byte patterns and the BSNs synthetic 11-test-valid numbers: test data only.
"""

from __future__ import annotations

import json
import random

from verwijsindex_core.pseudonym import BSN_LABEL, Bsn, Key, KeyRing, Pseudonymiser, random_bsn

KEYS = [bytes(range(32)), bytes([0xA5] * 32), bytes(range(255, 223, -1))]
PURPOSES = ["subject", "parent"]


def main() -> None:
    rng = random.Random(9497)
    inputs = ["111222333", "1112.22.333", "111 222 333"]
    inputs += [random_bsn(rng).digits for _ in range(4)]
    zero_led = next(d for d in (random_bsn(rng).digits for _ in range(10_000)) if d[0] == "0")
    inputs.append(zero_led[1:])  # eight digits: read with a leading zero
    vectors = []
    for secret in KEYS:
        key = Key(secret)
        for purpose in PURPOSES:
            pseudonymiser = Pseudonymiser(KeyRing(key), purpose=purpose)
            for text in inputs:
                pseudonym = pseudonymiser.pseudonymise(text)
                vectors.append(
                    {
                        "key": secret.hex(),
                        "key_id": key.id,
                        "purpose": purpose,
                        "input": text,
                        "canonical": Bsn(text).digits,
                        "subkey": key.derive(purpose).hex(),
                        "digest": pseudonym.digest.hex(),
                        "pseudonym": pseudonym.text,
                    }
                )
    doc = {
        "description": "Known-answer vectors for keyed BSN pseudonyms (verwijsindex-core v1).",
        "construction": {
            "key_id": "lower(base32(SHA-256('verwijsindex-core/v1/key-id' || 0x00 || key)[0:5]))",
            "subkey": "HKDF-SHA256(ikm=key, salt=none, info='verwijsindex-core/v1/subkey/' || "
            "purpose, L=32)",
            "digest": "HMAC-SHA256(subkey, label || canonical nine ASCII digits)",
            "label_hex": BSN_LABEL.hex(),
            "pseudonym": "'vi1.' || key_id || '.' || base64url(digest) without padding",
        },
        "note": "Synthetic BSNs that pass the 11-test and fixed test keys: never real data.",
        "vectors": vectors,
    }
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
