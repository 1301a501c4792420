"""Signed reports: the canonical JSON report with an Ed25519 signature (PyNaCl)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from nacl import signing
from nacl.exceptions import BadSignatureError
from pydantic import ValidationError as PydanticValidationError

from verwijsindex_core.errors import KeyFileError, ReportSignatureError
from verwijsindex_core.inzage._model import InzageReport
from verwijsindex_core.inzage._render import canonical_json
from verwijsindex_core.pseudonym._b64 import b64u_decode, b64u_encode
from verwijsindex_core.pseudonym._files import read_private, write_private

__all__ = ["ReportSigner", "fingerprint", "verify_report"]


def fingerprint(public_key: bytes) -> str:
    """A short, readable fingerprint of a report-signing public key (SHA-256, 16 hex pairs)."""
    digest = hashlib.sha256(b"verwijsindex-core/v1/report-key\x00" + public_key).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


class ReportSigner:
    """The index's report-signing key (Ed25519). Keep it like any private key."""

    def __init__(self, key: signing.SigningKey) -> None:
        self._key = key

    @classmethod
    def generate(cls) -> ReportSigner:
        return cls(signing.SigningKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> ReportSigner:
        """Deterministic key from 32 bytes: for tests and golden files only."""
        return cls(signing.SigningKey(seed))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ReportSigner:
        raw = read_private(Path(path), check_permissions=True)
        seed = b64u_decode(raw.decode("ascii", errors="replace").strip())
        if seed is None or len(seed) != 32:
            raise KeyFileError("key_file", "key-format", f"{path} is not a base64url Ed25519 seed")
        return cls(signing.SigningKey(seed))

    def save(self, path: str | os.PathLike[str]) -> None:
        write_private(Path(path), (b64u_encode(bytes(self._key)) + "\n").encode(), overwrite=False)

    @property
    def public_key(self) -> bytes:
        return bytes(self._key.verify_key)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, report: InzageReport) -> dict[str, Any]:
        """The signed document: ``{"report": ..., "signature": {...}}``."""
        signature = self._key.sign(canonical_json(report)).signature
        return {
            "report": report.model_dump(mode="json"),
            "signature": {
                "algorithm": "Ed25519",
                "public_key": b64u_encode(self.public_key),
                "fingerprint": self.fingerprint,
                "value": b64u_encode(signature),
            },
        }

    def __repr__(self) -> str:
        return f"ReportSigner(fingerprint='{self.fingerprint}')"


def verify_report(
    document: bytes | str | dict[str, Any], *, expected_public_key: bytes | None = None
) -> InzageReport:
    """Check a signed report; returns the report or raises :class:`ReportSignatureError`.

    The signature proves the report was not altered since it was signed by the key it names;
    compare its fingerprint with the one the index publishes (or pass
    ``expected_public_key``) to know *who* signed it.
    """
    try:
        doc = json.loads(document) if isinstance(document, (bytes, str)) else document
        signature = doc["signature"]
        if signature["algorithm"] != "Ed25519":
            raise ReportSignatureError("signature.algorithm", "algorithm", "must be Ed25519")
        public_key = b64u_decode(signature["public_key"])
        value = b64u_decode(signature["value"])
        report = InzageReport.model_validate(doc["report"])
    except ReportSignatureError:
        raise
    except (ValueError, KeyError, TypeError, PydanticValidationError):
        raise ReportSignatureError("document", "format", "is not a signed inzage report") from None
    if public_key is None or len(public_key) != 32 or value is None or len(value) != 64:
        raise ReportSignatureError("signature", "format", "malformed key or value")
    if expected_public_key is not None and public_key != expected_public_key:
        raise ReportSignatureError("signature", "key", "made with another key than expected")
    if signature.get("fingerprint") != fingerprint(public_key):
        raise ReportSignatureError(
            "signature.fingerprint", "fingerprint", "does not belong to the key"
        )
    try:
        signing.VerifyKey(public_key).verify(canonical_json(report), value)
    except BadSignatureError:
        raise ReportSignatureError("signature", "altered", "does not match the report") from None
    return report
