"""Inzage: requester rules, completeness, golden files, signatures, HTML validity, Chromium."""

from __future__ import annotations

import copy
import json
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import html5lib
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import _axe
from _factories import TODAY, index, organisation, professional, subject
from _inzage_scenario import AT, GOLDEN, SIGNER, build, renders, request
from verwijsindex_core import Verwijsindex
from verwijsindex_core.audit import AuditEvent
from verwijsindex_core.inzage import (
    InzageReport,
    ReportSignatureError,
    ReportSigner,
    RequesterRuleError,
    canonical_json,
    render_html,
    render_text,
    report_schema,
    verify_report,
)
from verwijsindex_core.matching import Actor, Domain
from verwijsindex_core.pseudonym import Bsn, Pseudonym
from verwijsindex_core.store import SQLiteStore

SCRIPT = Path(sys.executable).parent / "verwijsindex"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Verwijsindex, Bsn, date]]:
    workdir = tmp_path_factory.mktemp("scenario")
    vi, store, bsn, born = build(workdir)
    yield vi, bsn, born
    store.close()


@pytest.fixture(scope="module")
def report(scenario: tuple[Verwijsindex, Bsn, date]) -> InzageReport:
    vi, bsn, born = scenario
    return request(vi, bsn, born)


# --- requester rules at the boundaries ---------------------------------------------------------

ORG = organisation(1, Domain.JEUGDHULP)
PRO = professional(ORG, 1)
OFFICE = Actor(organisation_id="gemeente-den-haag")


def _aged(years: int, days_after_birthday: int) -> date:
    """A date of birth so that on TODAY the subject is ``years`` old plus some days."""
    birthday = TODAY.replace(year=TODAY.year - years)
    return birthday - timedelta(days=days_after_birthday)


@pytest.mark.parametrize(
    ("years", "extra_days", "allowed"),
    [
        (11, 364, {("parent",)}),
        (12, 0, {("parent", "youth")}),
        (15, 364, {("parent", "youth")}),
        (16, 0, {("youth",)}),
        (22, 100, {("youth",)}),
    ],
)
def test_requester_rules_at_the_boundaries(
    years: int, extra_days: int, allowed: set[tuple[str, ...]]
) -> None:
    vi, _ = index()
    who = subject(40 + years)
    born = _aged(years, extra_days)
    vi.register(who, date_of_birth=born, organisation=ORG, professional=PRO, municipality="GM0518")
    for requesters in [("parent",), ("youth",), ("parent", "youth"), ()]:
        if requesters in allowed:
            assert vi.inzage(
                who, date_of_birth=born, requesters=requesters, actor=OFFICE
            ).requested_by
        else:
            with pytest.raises(RequesterRuleError) as info:
                vi.inzage(who, date_of_birth=born, requesters=requesters, actor=OFFICE)
            assert info.value.rule in {"parent-under-12", "together-12-to-15", "youth-16-plus"}
    events = [e.event for e in vi._store.audit_entries()]
    assert events.count(AuditEvent.INZAGE_REFUSED) == 3
    assert events.count(AuditEvent.INZAGE) == 1


def test_inzage_checks_the_subject_and_date_of_birth() -> None:
    vi, _ = index()
    who = subject(60)
    born = _aged(10, 5)
    with pytest.raises(LookupError):
        vi.inzage(who, date_of_birth=born, requesters=["parent"], actor=OFFICE)
    vi.register(who, date_of_birth=born, organisation=ORG, professional=PRO, municipality="GM0518")
    with pytest.raises(ValueError, match="conflict"):
        vi.inzage(who, date_of_birth=born + timedelta(days=1), requesters=["parent"], actor=OFFICE)
    with pytest.raises(RequesterRuleError, match="requester-kind"):
        vi.inzage(who, date_of_birth=born, requesters=["guardian"], actor=OFFICE)


# --- completeness -------------------------------------------------------------------------------


def test_the_report_is_complete_for_the_sample(
    scenario: tuple[Verwijsindex, Bsn, date], report: InzageReport
) -> None:
    vi, bsn, _ = scenario
    pseudonyms = vi.pseudonyms(bsn)
    (subject,) = vi._engine.find_subjects(tuple((p.key_id, p.digest) for p in pseudonyms))
    signals = vi._store.signals_of(subject.id)
    assert [s.number for s in report.signals] == [s.id for s in signals]
    matches = {m.id for s in signals for m in vi._store.matches_of_signal(s.id)}
    assert {m.number for m in report.matches} == matches and matches
    texts = {Pseudonym._trusted(*a).text for a in subject.aliases}
    audited = [e for e in vi._store.audit_entries() if e.subject in texts]
    assert len(report.accesses) == len(audited)
    assert [a.at for a in report.accesses] == [e.at for e in audited]
    assert report.subject == bsn.masked
    assert report.rights and report.answer_term_weeks == 4


def _subjects(vi: Verwijsindex) -> list[int]:
    return sorted({s.subject for s in vi._store.all_signals()})


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_subjects_report_holds_its_own_data_and_nothing_else(
    scenario: tuple[Verwijsindex, Bsn, date], data: st.DataObject
) -> None:
    vi, _, _ = scenario
    from verwijsindex_core.inzage import build_report

    store = vi._store
    ids = _subjects(vi)
    subject_id = data.draw(st.sampled_from(ids))
    subject = store.get_subject(subject_id)
    assert subject is not None
    texts = {Pseudonym._trusted(*a).text for a in subject.aliases}
    built = build_report(
        store,
        [subject],
        masked="******000",
        generated_at=AT,
        generated_by="test",
        requested_by=(),
        policy=vi.policy,
    )
    own = {s.id for s in store.signals_of(subject_id)}
    assert {s.number for s in built.signals} == own
    assert {m.number for m in built.matches} == {
        m.id for i in own for m in store.matches_of_signal(i)
    }
    for m in built.matches:
        assert m.own_signal in own
    assert len(built.accesses) == sum(1 for e in store.audit_entries() if e.subject in texts)
    others = [
        Pseudonym._trusted(*a).text
        for i in ids[:50]
        if i != subject_id and (o := store.get_subject(i)) is not None
        for a in o.aliases
    ]
    dumped = canonical_json(built).decode()
    assert not any(t in dumped for t in texts)
    assert not any(o in dumped for o in others)


# --- golden files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["report.json", "report.nl.html", "report.en.html", "report.nl.txt", "report.en.txt"]
)
def test_golden_file(report: InzageReport, name: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert renders(report)[name] == expected, (
        f"regenerate with: python tests/_inzage_scenario.py --write ({name})"
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_text_report_names_domains_in_words(report: InzageReport, lang: str) -> None:
    text = render_text(report, lang, SIGNER.fingerprint)  # type: ignore[arg-type]
    domains = {Domain(s.domain) for s in report.signals} | {
        Domain(m.other.domain) for m in report.matches
    }
    assert Domain.MAATSCHAPPELIJKE_ONDERSTEUNING in domains
    for domain in domains:
        label = domain.label_nl if lang == "nl" else domain.label_en
        assert f"({label})" in text
        assert f"({domain.value})" not in text


def test_the_report_never_contains_the_bsn_or_a_reason(
    report: InzageReport, scenario: tuple[Verwijsindex, Bsn, date]
) -> None:
    _, bsn, _ = scenario
    for text in renders(report).values():
        assert bsn.digits not in text
    schema_fields = set(report_schema()["$defs"]["ReportSignal"]["properties"])
    assert not schema_fields & {"reason", "notes", "diagnosis", "problem", "concern"}


# --- schema -------------------------------------------------------------------------------------


def test_the_shipped_schema_is_the_models_and_validates_reports(report: InzageReport) -> None:
    shipped = report_schema()
    generated = InzageReport.model_json_schema()
    assert {k: v for k, v in shipped.items() if k != "$id"} == generated
    jsonschema.validate(report.model_dump(mode="json"), shipped)
    broken = report.model_dump(mode="json")
    broken["signals"][0]["notes"] = "free text"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, shipped)


# --- signatures ---------------------------------------------------------------------------------


def test_a_signed_report_verifies(report: InzageReport) -> None:
    signed = SIGNER.sign(report)
    assert verify_report(signed) == report
    assert verify_report(json.dumps(signed)) == report
    assert verify_report(signed, expected_public_key=SIGNER.public_key) == report


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(doc, dict):
        return [p for k, v in doc.items() for p in _paths(v, (*prefix, k))]
    if isinstance(doc, list):
        return [p for i, v in enumerate(doc) for p in _paths(v, (*prefix, i))]
    return [prefix]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_change_to_the_report_breaks_the_signature(
    report: InzageReport, data: st.DataObject
) -> None:
    signed = SIGNER.sign(report)
    path = data.draw(st.sampled_from(_paths(signed["report"])))
    tampered = copy.deepcopy(signed)
    target = tampered["report"]
    for part in path[:-1]:
        target = target[part]
    value = target[path[-1]]
    if isinstance(value, bool):
        target[path[-1]] = not value
    elif isinstance(value, int):
        target[path[-1]] = value + 1
    elif value is None:
        target[path[-1]] = "2030-01-01"
    else:
        target[path[-1]] = value[:-1] + ("X" if not value.endswith("X") else "Y")
    with pytest.raises(ReportSignatureError) as info:
        verify_report(tampered)
    assert (info.value.field, info.value.rule) == ("signature", "altered")


def test_signature_tampering_and_other_keys_are_refused(report: InzageReport) -> None:
    signed = SIGNER.sign(report)
    other = ReportSigner.from_seed(bytes([7] * 32))
    bad_value = copy.deepcopy(signed)
    bad_value["signature"]["value"] = other.sign(report)["signature"]["value"]
    swapped_key = copy.deepcopy(signed)
    swapped_key["signature"]["public_key"] = other.sign(report)["signature"]["public_key"]
    for doc in (
        bad_value,
        swapped_key,
        {"report": signed["report"]},
        {"signature": signed["signature"]},
    ):
        with pytest.raises(ReportSignatureError):
            verify_report(doc)
    with pytest.raises(ReportSignatureError, match="another key"):
        verify_report(other.sign(report), expected_public_key=SIGNER.public_key)
    assert "fingerprint" in repr(SIGNER) and bytes(range(32)).hex() not in repr(SIGNER)


# --- the HTML -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_html_is_valid_self_contained_and_accessible(report: InzageReport, lang: str) -> None:
    page = render_html(report, lang, SIGNER.fingerprint)  # type: ignore[arg-type]
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(page)  # raises on any parse error
    assert f'<html lang="{lang}">' in page
    assert "<caption>" in page and "<h1>" in page and "<h2 id=" in page
    assert "<svg" in page and '<title id="tl-title">' in page
    assert "@media print" in page
    # Phones: every table row becomes a card, each cell labelled with its column name.
    assert "@media screen and (max-width: 60rem)" in page
    assert 'data-label="' in page and 'role="cell"' in page and 'role="columnheader"' in page
    assert "overflow-x" not in page  # no table in a sideways-scrolling box
    # The timeline's legend: active, planned, ended but kept, match, access, today.
    assert page.count('<svg viewBox="0 0 28 16" aria-hidden="true" focusable="false">') == 6
    assert "<header>" in page and "<main>" in page and "<footer>" in page
    for external in ("http://", "https://", "src=", "<script", "<link", "@import", "url("):
        assert external not in page
    assert SIGNER.fingerprint in page


def test_values_are_escaped(report: InzageReport) -> None:
    hostile = report.model_copy(update={"generated_by": "<script>alert(1)</script>"})
    page = render_html(hostile, "nl")
    assert "<script>" not in page and "&lt;script&gt;" in page


def _png_pixels_vary(path: Path) -> bool:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    return len(set(raw[:200_000])) > 20


def test_the_html_renders_in_headless_chromium(report: InzageReport, tmp_path: Path) -> None:
    page = render_html(report, "nl", SIGNER.fingerprint)
    for name, shown, width in (("desktop", page, 1280), ("phone", _axe.framed(page, 390), 500)):
        shot, log = _axe.screenshot(shown, tmp_path / name, width=width, height=1400)
        assert shot.exists() and shot.stat().st_size > 10_000
        assert _png_pixels_vary(shot), f"the {name} screenshot is blank"
        console = [line for line in log.splitlines() if "CONSOLE" in line or "Uncaught" in line]
        assert console == []


# --- the command line ---------------------------------------------------------------------------


def test_cli_inzage_and_verify_report(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    built = subprocess.run(
        [
            str(SCRIPT),
            "demo",
            "--no-progress",
            "--db",
            str(db),
            "--subjects",
            "300",
            "--days",
            "120",
            "--seed",
            "5",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    line = next(
        x
        for x in (tmp_path / "SAMPLE-SUBJECTS.txt").read_text().splitlines()
        if not x.startswith("#")
    )
    digits, born = line.split()[:2]
    age = (TODAY - date.fromisoformat(born)).days // 365
    who = (
        ["--as", "parent"]
        if age < 12
        else ["--as", "youth"] + ([] if age >= 16 else ["--as", "parent"])
    )
    out = tmp_path / "r.json"
    done = subprocess.run(
        [
            str(SCRIPT),
            "inzage",
            "--db",
            str(db),
            "--bsn-file",
            "-",
            "--date-of-birth",
            born,
            *who,
            "--format",
            "json",
            "--out",
            str(out),
        ],
        input=digits + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert digits not in out.read_text() and digits not in done.stderr + done.stdout
    assert (tmp_path / "demo.report-signing.key").exists()
    ok = subprocess.run(
        [str(SCRIPT), "verify-report", str(out)], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0 and "valid" in ok.stdout
    doc = json.loads(out.read_text())
    doc["report"]["signals"][0]["organisation"] = "Someone else"
    out.write_text(json.dumps(doc))
    bad = subprocess.run(
        [str(SCRIPT), "verify-report", str(out)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1 and "INVALID" in bad.stderr
    for fmt, lang in (("html", "en"), ("text", "nl")):
        target = tmp_path / f"r.{fmt}"
        again = subprocess.run(
            [
                str(SCRIPT),
                "inzage",
                "--db",
                str(db),
                "--bsn-file",
                "-",
                "--date-of-birth",
                born,
                *who,
                "--format",
                fmt,
                "--lang",
                lang,
                "--out",
                str(target),
            ],
            input=digits,
            capture_output=True,
            text=True,
            check=False,
        )
        assert again.returncode == 0, again.stderr
    store = SQLiteStore(db)
    assert sum(1 for e in store.audit_entries() if e.event == "inzage") == 3
    store.close()


def test_every_audited_event_has_a_purpose_in_both_languages() -> None:
    from verwijsindex_core.inzage._build import PURPOSES
    from verwijsindex_core.inzage._render import _PURPOSE_TEXT

    subjectless = {AuditEvent.PURGE}  # a purge entry names no subject: never in a report
    for event in set(AuditEvent) - subjectless:
        purpose = PURPOSES[event.value]
        assert set(_PURPOSE_TEXT[purpose]) == {"nl", "en"}
