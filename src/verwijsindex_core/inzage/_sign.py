"""Signed reports: an Ed25519 signature (PyNaCl) over the RFC 8785 canonical form of the JSON.

The signature covers the JSON Canonicalization Scheme (JCS, RFC 8785) bytes of the report *as
JSON*, not of a Python model: verification canonicalizes the JSON it received and checks the
signature before pydantic sees the report. A later pydantic or model change therefore cannot
invalidate a report signed today, and any JCS implementation (JavaScript, Java, Go, ...) can
check a report without this library.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from pathlib import Path
from typing import Any, Final

from nacl import signing
from nacl.exceptions import BadSignatureError

from verwijsindex_core.errors import KeyFileError, ReportSignatureError, ValidationError
from verwijsindex_core.inzage._model import InzageReport
from verwijsindex_core.pseudonym._b64 import b64u_decode, b64u_encode
from verwijsindex_core.pseudonym._files import read_private, write_private

__all__ = ["ReportSigner", "fingerprint", "jcs_canonicalize", "verify_report"]

# --- RFC 8785: JSON Canonicalization Scheme ------------------------------------------------------

_ESCAPES: Final[dict[str, str]] = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_TO_ESCAPE: Final = re.compile(r'[\x00-\x1f"\\]')
_SURROGATE: Final = re.compile(r"[\ud800-\udfff]")
_SAFE_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_EXACT_INTS: Final = 2**53
"""Integers of smaller magnitude are exact IEEE 754 doubles, which ECMAScript writes as is."""


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04x}"


def _jcs_string(text: str, path: str) -> str:
    """ECMAScript ``JSON.stringify`` of a string (RFC 8785 §3.2.2.2)."""
    if _SURROGATE.search(text):
        raise ReportSignatureError(
            path, "jcs-string", "holds a lone surrogate, which is not Unicode text (RFC 8785 §3.1)"
        )
    return '"' + _TO_ESCAPE.sub(_escape, text) + '"'


def _es_number(value: float, path: str) -> str:
    """ECMAScript ``Number.prototype.toString`` of a double (RFC 8785 §3.2.2.3).

    Python's ``repr`` gives the shortest digit string that reads back as the same double, the
    closest one when several are that short: the digits ECMAScript uses. Only the layout
    (where the point goes, when an exponent is used) is ECMAScript's own, done here.
    """
    if not math.isfinite(value):
        raise ReportSignatureError(path, "jcs-number", "NaN and Infinity are not JSON numbers")
    if value == 0:
        return "0"  # also -0
    if value < 0:
        return "-" + _es_number(-value, path)
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + int(exponent or "0")  # the decimal point sits after `point` digits
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point  # value = digits x 10^(n-k), as in ECMA-262 Number::toString
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    exp = f"e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return (digits if k == 1 else digits[0] + "." + digits[1:]) + exp


def _jcs_int(value: int, path: str) -> str:
    if -_EXACT_INTS < value < _EXACT_INTS:
        return str(value)  # what ECMAScript writes for the double of the same value
    raise ReportSignatureError(
        path,
        "jcs-number",
        "holds an integer outside -(2**53 - 1) .. 2**53 - 1, which JSON canonicalization "
        "cannot keep exact (RFC 8785 §3.2.2.3, I-JSON); write such a number as a string",
    )


def _utf16_order(item: tuple[str, Any]) -> bytes:
    # Big-endian UTF-16 bytes compare exactly as the code-unit sequences do (RFC 8785 §3.2.3).
    return item[0].encode("utf-16-be", "surrogatepass")


def _member_path(path: str, name: str) -> str:
    # Paths name the place of a problem; a member name is shown only when it is a plain
    # identifier (as every name in a report is), so no received value reaches a message.
    return f"{path}.{name}" if _SAFE_NAME.fullmatch(name) else f"{path}.?"


def _jcs_scalar(value: Any, path: str) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _jcs_string(value, path)
    if isinstance(value, int):
        return _jcs_int(value, path)
    if isinstance(value, float):
        return _es_number(value, path)
    raise ReportSignatureError(path, "jcs-type", "holds a value that is not JSON")


def _jcs(value: Any, path: str, out: list[str]) -> None:
    if isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _jcs(item, f"{path}[{i}]", out)
        out.append("]")
    elif isinstance(value, dict):
        if not all(isinstance(name, str) for name in value):
            raise ReportSignatureError(path, "jcs-type", "has a member name that is no string")
        out.append("{")
        for i, (name, item) in enumerate(sorted(value.items(), key=_utf16_order)):
            if i:
                out.append(",")
            inner = _member_path(path, name)
            out.append(_jcs_string(name, inner))
            out.append(":")
            _jcs(item, inner, out)
        out.append("}")
    else:
        out.append(_jcs_scalar(value, path))


def jcs_canonicalize(value: Any, *, field: str = "value") -> bytes:
    """The RFC 8785 (JCS) canonical UTF-8 bytes of a JSON value.

    ``value`` is what ``json.loads`` returns (dict, list, str, int, float, bool, None; tuples
    count as lists). Members are sorted by the UTF-16 code units of their names, no white
    space is emitted, strings and numbers are written as ECMAScript's ``JSON.stringify``
    writes them: a float as ECMAScript's ``Number.prototype.toString`` (shortest round-trip
    digits, exponent from 1e21 and below 1e-6), an integer in decimal.

    Refused with :class:`ReportSignatureError` (``field`` is the path of the offending value
    below ``field``): NaN and Infinity, and integers of magnitude 2**53 or more (rule
    ``jcs-number``: a double cannot keep them all exact, so JCS would change the value a
    signature covers; RFC 8785 asks for such numbers as strings); strings and member names
    with a lone surrogate (``jcs-string``); anything that is not JSON (``jcs-type``); nesting
    deeper than Python's recursion limit (``jcs-depth``).
    """
    out: list[str] = []
    try:
        _jcs(value, field, out)
    except RecursionError:
        raise ReportSignatureError(field, "jcs-depth", "is nested too deeply") from None
    return "".join(out).encode("utf-8")


# --- signing -------------------------------------------------------------------------------------


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
        """The signed document: ``{"report": ..., "signature": {...}}``.

        The signature covers the JCS bytes of exactly the JSON put under ``"report"``.
        """
        report_json = report.model_dump(mode="json")
        signature = self._key.sign(jcs_canonicalize(report_json, field="report")).signature
        return {
            "report": report_json,
            "signature": {
                "algorithm": "Ed25519",
                "public_key": b64u_encode(self.public_key),
                "fingerprint": self.fingerprint,
                "value": b64u_encode(signature),
            },
        }

    def __repr__(self) -> str:
        return f"ReportSigner(fingerprint='{self.fingerprint}')"


# --- verifying -----------------------------------------------------------------------------------


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for name, value in pairs:
        if name in members:
            # Parsers disagree on which duplicate wins, so a reader could be shown another
            # value than the one checked (RFC 8785 §3.1, I-JSON).
            raise ReportSignatureError(
                "document", "duplicate-member", "an object holds the same member name twice"
            )
        members[name] = value
    return members


def _no_constant(_name: str) -> Any:
    raise ReportSignatureError("document", "format", "NaN and Infinity are not JSON numbers")


def _parse(document: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(document, dict):
        return document
    try:
        parsed = json.loads(
            document, object_pairs_hook=_unique_members, parse_constant=_no_constant
        )
    except ReportSignatureError:
        raise
    except (ValueError, TypeError, RecursionError):
        raise ReportSignatureError("document", "format", "is not JSON") from None
    if not isinstance(parsed, dict):
        raise ReportSignatureError("document", "format", "is not a signed inzage report")
    return parsed


def _beyond_exact_ints(value: Any) -> bool:
    """Whether ``value`` holds an integer of magnitude 2**53 or more (a bool is no integer)."""
    if isinstance(value, dict):
        return any(_beyond_exact_ints(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_beyond_exact_ints(v) for v in value)
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _EXACT_INTS


def _v1_bytes(report_json: Any) -> bytes | None:
    """The bytes that version 0.1 signed: ``json.dumps`` with sorted keys, no spaces, UTF-8.

    They equal the JCS bytes for every report the model can produce, except one that holds
    an integer of magnitude 2**53 or more, which JCS refuses; only for such a report does
    :func:`verify_report` check the signature against these bytes (tests/test_inzage_jcs.py
    shows both).
    """
    try:
        text = json.dumps(report_json, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8")
    except (ValueError, TypeError, UnicodeEncodeError):
        return None


def verify_report(
    document: bytes | str | dict[str, Any], *, expected_public_key: bytes | None = None
) -> InzageReport:
    """Check a signed report; returns the report or raises :class:`ReportSignatureError`.

    In this order: parse the JSON (duplicate member names, NaN and Infinity refused),
    canonicalize ``document["report"]`` with RFC 8785 (JCS), check the Ed25519 signature over
    those bytes, and only then validate the report with the model. Key order and white space
    of the received JSON do not matter; any changed value does. Pass the JSON text (``bytes``
    or ``str``) when you have it, so that duplicate member names can be detected.

    The signature proves the report was not altered since it was signed by the key it names;
    compare its fingerprint with the one the index publishes (or pass
    ``expected_public_key``) to know *who* signed it.
    """
    doc = _parse(document)
    try:
        signature = doc["signature"]
        report_json = doc["report"]
        algorithm = signature["algorithm"]
        public_key = b64u_decode(signature["public_key"])
        value = b64u_decode(signature["value"])
        stated_fingerprint = signature.get("fingerprint")
    except (KeyError, TypeError, AttributeError):
        raise ReportSignatureError("document", "format", "is not a signed inzage report") from None
    if not isinstance(report_json, dict):
        raise ReportSignatureError("report", "format", "is not a JSON object")
    if algorithm != "Ed25519":
        raise ReportSignatureError("signature.algorithm", "algorithm", "must be Ed25519")
    if public_key is None or len(public_key) != 32 or value is None or len(value) != 64:
        raise ReportSignatureError("signature", "format", "malformed key or value")
    if expected_public_key is not None and public_key != expected_public_key:
        raise ReportSignatureError("signature", "key", "made with another key than expected")
    if stated_fingerprint != fingerprint(public_key):
        raise ReportSignatureError(
            "signature.fingerprint", "fingerprint", "does not belong to the key"
        )
    if not _signed(signing.VerifyKey(public_key), report_json, value):
        raise ReportSignatureError("signature", "altered", "does not match the report")
    try:
        return InzageReport.model_validate(_upgraded(report_json))
    except ValidationError:
        raise ReportSignatureError(
            "report", "format", "is signed, but is not an inzage report (version 1 or 2)"
        ) from None


def _upgraded(report_json: dict[str, Any]) -> dict[str, Any]:
    """A version-1 report (0.1) read into today's model (version 2): its signals named the
    municipality ``region``. Only the name changes, after the signature was checked on the
    bytes that were signed."""
    if report_json.get("version") != "1" or not isinstance(report_json.get("signals"), list):
        return report_json
    signals = [
        {("municipality" if k == "region" else k): v for k, v in s.items()}
        if isinstance(s, dict)
        else s
        for s in report_json["signals"]
    ]
    return {**report_json, "version": "2", "signals": signals}


def _signed(key: signing.VerifyKey, report_json: dict[str, Any], value: bytes) -> bool:
    legacy = _beyond_exact_ints(report_json)
    messages: list[bytes] = []
    try:
        messages.append(jcs_canonicalize(report_json, field="report"))
    except ReportSignatureError as exc:
        if not (legacy and exc.rule == "jcs-number"):
            raise
    if legacy:  # the one case where 0.1's bytes can differ from JCS (see _v1_bytes)
        v1 = _v1_bytes(report_json)
        if v1 is not None:
            messages.append(v1)
    for message in messages:
        try:
            key.verify(message, value)
        except BadSignatureError:
            continue
        return True
    return False
