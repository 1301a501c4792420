"""Blind pseudonymisation with an oblivious PRF: RFC 9497, suite ristretto255-SHA512.

The vendor blinds the BSN, the pseudonymisation service evaluates it without seeing it, and
the vendor finalises: nobody but the vendor sees the BSN, and nobody but the service holds the
key (deployment model (c) of design §3, the recommended default).

- Protocol level: :class:`Client`, :class:`Server`, :class:`Mode` (OPRF, VOPRF, POPRF),
  :func:`derive_key_pair`, :func:`generate_key_pair`.
- Pseudonym level: :class:`BlindPseudonymiser` (vendor) and :class:`PseudonymService`.
- Backends: ``native`` (system libsodium via ctypes) when it loads, else ``portable`` (PyNaCl);
  ``VERWIJSINDEX_OPRF_BACKEND`` forces one; :func:`available_backends` lists them.
"""

from verwijsindex_core.pseudonym.oprf import _group
from verwijsindex_core.pseudonym.oprf._group import BACKEND_ENV_VAR
from verwijsindex_core.pseudonym.oprf._protocol import (
    ELEMENT_SIZE,
    OUTPUT_SIZE,
    PROOF_SIZE,
    SCALAR_SIZE,
    SUITE_ID,
    BlindState,
    Client,
    Evaluation,
    Mode,
    Server,
    derive_key_pair,
    generate_key_pair,
)
from verwijsindex_core.pseudonym.oprf._service import (
    OPRF_BSN_LABEL,
    BlindPseudonymiser,
    BlindRequest,
    PseudonymService,
    oprf_key_id,
)


def available_backends() -> list[str]:
    """Names of the group backends that work on this machine, fastest first."""
    return ["native", "portable"] if _group.native_available() else ["portable"]


def default_backend() -> str:
    """The backend used when none is named (honours ``VERWIJSINDEX_OPRF_BACKEND``)."""
    return _group.get_group().name


__all__ = [
    "BACKEND_ENV_VAR",
    "ELEMENT_SIZE",
    "OPRF_BSN_LABEL",
    "OUTPUT_SIZE",
    "PROOF_SIZE",
    "SCALAR_SIZE",
    "SUITE_ID",
    "BlindPseudonymiser",
    "BlindRequest",
    "BlindState",
    "Client",
    "Evaluation",
    "Mode",
    "PseudonymService",
    "Server",
    "available_backends",
    "default_backend",
    "derive_key_pair",
    "generate_key_pair",
    "oprf_key_id",
]
