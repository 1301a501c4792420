"""Inzage: the report a parent or young person gets on "what does the index hold about me?"
(AVG art. 15, CJEU C-579/21): complete, readable (Dutch or English; JSON, HTML, text) and
signed (Ed25519)."""

from verwijsindex_core.errors import ReportSignatureError, RequesterRuleError
from verwijsindex_core.inzage._build import PURPOSES, build_report
from verwijsindex_core.inzage._model import (
    REPORT_VERSION,
    InzageReport,
    ReportAccess,
    ReportMatch,
    ReportParty,
    ReportSignal,
    Requester,
)
from verwijsindex_core.inzage._render import Language, canonical_json, render_html, render_text
from verwijsindex_core.inzage._rules import check_requesters
from verwijsindex_core.inzage._schema import SCHEMA_FILE, report_schema
from verwijsindex_core.inzage._sign import (
    ReportSigner,
    fingerprint,
    jcs_canonicalize,
    verify_report,
)

__all__ = [
    "PURPOSES",
    "REPORT_VERSION",
    "SCHEMA_FILE",
    "InzageReport",
    "Language",
    "ReportAccess",
    "ReportMatch",
    "ReportParty",
    "ReportSignal",
    "ReportSignatureError",
    "ReportSigner",
    "Requester",
    "RequesterRuleError",
    "build_report",
    "canonical_json",
    "check_requesters",
    "fingerprint",
    "jcs_canonicalize",
    "render_html",
    "render_text",
    "report_schema",
    "verify_report",
]
