"""Blind pseudonyms: a BSN through the OPRF becomes a :class:`Pseudonym` like any other.

Vendor side (:class:`BlindPseudonymiser`): blind the BSNs, send only the blinded elements to
the pseudonymisation service, verify its proof and finalise. Service side
(:class:`PseudonymService`): holds the OPRF key in a private file, evaluates blinded elements,
and never sees a BSN. The pseudonym is the first 32 bytes of the 64-byte OPRF output under the
service key's id, so the rest of the library treats keyed and blind pseudonyms alike.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Final, NoReturn, final

from verwijsindex_core.errors import InvalidElement, OprfError
from verwijsindex_core.pseudonym._args import check_instance, check_text, plain_bytes
from verwijsindex_core.pseudonym._b64 import b64u_decode, b64u_encode
from verwijsindex_core.pseudonym._bsn import Bsn, _canonical, bsn_batch
from verwijsindex_core.pseudonym._keyfile import (
    derive_key_id,
    load_key_document,
    save_key_document,
)
from verwijsindex_core.pseudonym._pseudonym import DIGEST_SIZE, KEY_ID_PATTERN, Pseudonym
from verwijsindex_core.pseudonym.oprf._group import get_group
from verwijsindex_core.pseudonym.oprf._protocol import (
    ELEMENT_SIZE,
    MAX_BATCH,
    SUITE_ID,
    BlindState,
    Client,
    Evaluation,
    Mode,
    Server,
    check_mode,
    generate_key_pair,
)

__all__ = [
    "OPRF_BSN_LABEL",
    "BlindPseudonymiser",
    "BlindRequest",
    "PseudonymService",
    "oprf_key_id",
]

OPRF_BSN_LABEL: Final = b"verwijsindex-core/v1/oprf-bsn\x00"
"""Prefix of the OPRF input: the label, then the nine canonical BSN digits."""

_FILE_FORMAT: Final = "verwijsindex-core/oprf-key"
_FILE_VERSION: Final = 1
_KEY_ID_RE: Final = re.compile(KEY_ID_PATTERN)

Evaluator = Callable[[Sequence[bytes]], Evaluation]
"""Sends blinded elements to the service and returns its :class:`Evaluation`."""


def oprf_key_id(public_key: bytes) -> str:
    """The 8-character id of an OPRF service key, derived from its public key."""
    raw = plain_bytes(public_key)
    if raw is None:
        raise InvalidElement("public_key", "type", f"must be {ELEMENT_SIZE} bytes (bytes)")
    if len(raw) != ELEMENT_SIZE:
        raise InvalidElement("public_key", "element-length", f"must be {ELEMENT_SIZE} bytes")
    return derive_key_id("oprf-key", raw)


def _bsn_input(bsn: object) -> bytes:
    digits = bsn._digits if type(bsn) is Bsn else _canonical(bsn)
    return OPRF_BSN_LABEL + digits.encode("ascii")


def _check_service_mode(mode: object) -> Mode:
    checked = check_mode(mode)
    if checked == Mode.POPRF:
        raise OprfError("mode", "mode", "blind pseudonyms use OPRF or VOPRF")
    return checked


@final
class BlindRequest:
    """One batch on its way to the service: send :attr:`blinded_elements`, keep the rest.

    Holds the BSNs and blinds in memory only; its ``repr`` shows the batch size.
    """

    __slots__ = ("_state",)

    def __init__(self, state: BlindState) -> None:
        self._state = check_instance(state, BlindState, "state", "a BlindState", error=OprfError)

    @property
    def blinded_elements(self) -> tuple[bytes, ...]:
        return self._state.blinded_elements

    def __len__(self) -> int:
        return len(self._state)

    def __repr__(self) -> str:
        return f"BlindRequest(size={len(self._state)})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("BlindRequest holds BSNs and blinds and is not picklable")


@final
class BlindPseudonymiser:
    """Vendor side of blind pseudonymisation (deployment model (c), design §3).

    ``server_public_key`` is the service's published key; in the default VOPRF mode every
    evaluation is checked against it, so a service that used another key is caught. In OPRF
    mode there is no proof and ``key_id`` must be given.
    """

    __slots__ = ("_client", "_key_id")

    def __init__(
        self,
        server_public_key: bytes | None,
        *,
        mode: Mode = Mode.VOPRF,
        key_id: str | None = None,
        backend: str | None = None,
    ) -> None:
        self._client = Client(_check_service_mode(mode), server_public_key, backend=backend)
        if key_id is None:
            if server_public_key is None:
                raise OprfError("key_id", "required", "required when there is no public key")
            self._key_id = oprf_key_id(server_public_key)
        else:
            given = check_text(key_id, "key_id", error=OprfError)
            if _KEY_ID_RE.fullmatch(given) is None:
                raise OprfError("key_id", "key-id-format", "must be 8 characters of base32")
            self._key_id = given

    @property
    def key_id(self) -> str:
        return self._key_id

    def blind(self, bsns: Iterable[Bsn | str]) -> BlindRequest:
        """Validate and blind a batch of 1 to 65,535 BSNs (one request carries them all)."""
        batch = bsn_batch(bsns)
        if not 1 <= len(batch) <= MAX_BATCH:
            raise OprfError("bsns", "batch-size", f"must hold 1 to {MAX_BATCH} BSNs")
        return BlindRequest(self._client.blind([_bsn_input(b) for b in batch]))

    def finalize(self, request: BlindRequest, evaluation: Evaluation) -> list[Pseudonym]:
        """Verify the service's answer and turn it into pseudonyms, in request order."""
        check_instance(request, BlindRequest, "request", "a BlindRequest", error=OprfError)
        outputs = self._client.finalize(request._state, evaluation)
        return [Pseudonym(self._key_id, out[:DIGEST_SIZE]) for out in outputs]

    def pseudonymise_many(self, bsns: Iterable[Bsn | str], evaluate: Evaluator) -> list[Pseudonym]:
        """Blind, call ``evaluate`` (the service) once for the batch, and finalise."""
        if not callable(evaluate):
            raise OprfError("evaluate", "type", "must be a function of the blinded elements")
        request = self.blind(bsns)
        return self.finalize(request, evaluate(request.blinded_elements))

    def __repr__(self) -> str:
        return f"BlindPseudonymiser(mode={self._client.mode.name}, key_id='{self._key_id}')"


@final
class PseudonymService:
    """The pseudonymisation service: holds the OPRF key, evaluates blinded BSNs.

    Load it from the private key file written by :meth:`generate` + :meth:`save` (or by
    ``verwijsindex oprf-keygen``). :meth:`blind_evaluate` is what its endpoint serves;
    :meth:`pseudonymise` computes the same pseudonym directly for a BSN the key holder has
    (model (b) or tests), without the blinding round trip.
    """

    __slots__ = ("_key_id", "_server")

    def __init__(self, secret_key: bytes, *, mode: Mode = Mode.VOPRF, backend: str | None = None):
        self._server = Server(_check_service_mode(mode), secret_key, backend=backend)
        self._key_id = oprf_key_id(self._server.public_key)

    @classmethod
    def generate(cls, *, mode: Mode = Mode.VOPRF, backend: str | None = None) -> PseudonymService:
        """A service with a fresh random key."""
        _check_service_mode(mode)
        secret_key, _ = generate_key_pair(backend=backend)
        return cls(secret_key, mode=mode, backend=backend)

    @property
    def mode(self) -> Mode:
        return self._server.mode

    @property
    def public_key(self) -> bytes:
        return self._server.public_key

    @property
    def key_id(self) -> str:
        return self._key_id

    def blind_evaluate(self, blinded_elements: Sequence[bytes]) -> Evaluation:
        """Evaluate one request's blinded elements (with a proof in VOPRF mode)."""
        return self._server.blind_evaluate(blinded_elements)

    def pseudonymise(self, bsn: Bsn | str) -> Pseudonym:
        """The pseudonym of ``bsn`` computed directly with the key (no blinding)."""
        output = self._server.evaluate(_bsn_input(bsn))
        return Pseudonym(self._key_id, output[:DIGEST_SIZE])

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Write the key to a private JSON file (mode 0600, atomically; never clobbers unless
        ``overwrite``)."""
        doc: dict[str, object] = {
            "format": _FILE_FORMAT,
            "version": _FILE_VERSION,
            "suite": SUITE_ID,
            "mode": self.mode.name,
            "key_id": self._key_id,
            "secret_key": b64u_encode(self._server._sk),
            "public_key": b64u_encode(self.public_key),
        }
        save_key_document(path, doc, overwrite=overwrite)

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        check_permissions: bool = True,
        backend: str | None = None,
    ) -> PseudonymService:
        """Read a key file written by :meth:`save`; refuses one others may read."""
        doc, bad = load_key_document(
            path,
            file_format=_FILE_FORMAT,
            version=_FILE_VERSION,
            check_permissions=check_permissions,
        )
        if doc.get("suite") != SUITE_ID:
            raise bad("suite", "version", f"must be {SUITE_ID}")
        mode = doc.get("mode")
        if type(mode) is not str or mode not in ("OPRF", "VOPRF"):
            raise bad("mode", "mode", "must be OPRF or VOPRF")
        secret = b64u_decode(doc.get("secret_key"))
        if secret is None or len(secret) != 32:
            raise bad("secret_key", "key-format", "is not a 32-byte base64url scalar")
        get_group(backend)  # a bad backend argument is the caller's error, not the file's
        try:
            service = cls(secret, mode=Mode[mode], backend=backend)
        except OprfError:
            raise bad("secret_key", "key-format", "is not a valid scalar") from None
        if b64u_encode(service.public_key) != doc.get("public_key"):
            raise bad("public_key", "key-pair", "does not belong to the secret key (damaged?)")
        if service.key_id != doc.get("key_id"):
            raise bad("key_id", "key-id", "does not match the public key (damaged?)")
        return service

    def __repr__(self) -> str:
        return f"PseudonymService(mode={self.mode.name}, key_id='{self._key_id}')"

    def __reduce__(self) -> NoReturn:
        raise TypeError("PseudonymService holds the secret key and is not picklable")
