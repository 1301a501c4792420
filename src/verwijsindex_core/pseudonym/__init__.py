"""BSN validation and pseudonymisation (design §3).

- :class:`Bsn` parses and validates a citizen service number; its ``repr`` is masked.
- :class:`KeyRing` holds one active and any retired 256-bit keys (:class:`Key`).
- :class:`Pseudonymiser` turns a :class:`Bsn` into a :class:`Pseudonym` with HMAC-SHA256.
"""

from verwijsindex_core.pseudonym._bsn import (
    Bsn,
    BsnRule,
    are_valid_bsns,
    is_valid_bsn,
    mask_bsn,
    random_bsn,
)
from verwijsindex_core.pseudonym._keys import KEY_ENV_VAR, KEY_SIZE, Key, KeyRing
from verwijsindex_core.pseudonym._pseudonym import (
    DIGEST_SIZE,
    KEY_ID_PATTERN,
    Pseudonym,
    pseudonym_text,
)
from verwijsindex_core.pseudonym._pseudonymiser import BSN_LABEL, DEFAULT_PURPOSE, Pseudonymiser

__all__ = [
    "BSN_LABEL",
    "DEFAULT_PURPOSE",
    "DIGEST_SIZE",
    "KEY_ENV_VAR",
    "KEY_ID_PATTERN",
    "KEY_SIZE",
    "Bsn",
    "BsnRule",
    "Key",
    "KeyRing",
    "Pseudonym",
    "Pseudonymiser",
    "are_valid_bsns",
    "is_valid_bsn",
    "mask_bsn",
    "pseudonym_text",
    "random_bsn",
]
