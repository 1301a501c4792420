"""Render an inzage report as canonical JSON, plain text or one self-contained HTML file, in
Dutch (default) or English. Every value is escaped; the HTML makes no external request."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from html import escape
from typing import Final, Literal

from verwijsindex_core.inzage._model import InzageReport
from verwijsindex_core.matching import Domain

__all__ = ["Language", "canonical_json", "render_html", "render_text"]

Language = Literal["nl", "en"]

_T: Final[dict[str, dict[str, str]]] = {
    "title": {"nl": "Inzage verwijsindex", "en": "Verwijsindex subject access report"},
    "intro": {
        "nl": "Dit overzicht laat alles zien wat de verwijsindex over u of uw kind bewaart. "
        "De verwijsindex bewaart alleen wie betrokken is, nooit waarom.",
        "en": "This report shows everything the verwijsindex holds about you or your child. "
        "The index holds only who is involved, never why.",
    },
    "subject": {"nl": "Over", "en": "About"},
    "generated": {"nl": "Opgesteld op", "en": "Generated at"},
    "by": {"nl": "door", "en": "by"},
    "requested": {"nl": "Aangevraagd door", "en": "Requested by"},
    "youth": {"nl": "de jongere", "en": "the young person"},
    "parent": {"nl": "een ouder met gezag", "en": "a parent with parental authority"},
    "purpose_h": {"nl": "Doel van de verwijsindex", "en": "Purpose of the index"},
    "purpose": {
        "nl": "Professionals die met dezelfde jongere werken vinden elkaar, zodat zij hun hulp "
        "kunnen afstemmen (Jeugdwet, paragraaf 7.1).",
        "en": "Professionals who work with the same young person find each other, so that they "
        "can coordinate their help (Jeugdwet, section 7.1).",
    },
    "timeline": {"nl": "Tijdlijn", "en": "Timeline"},
    "timeline_desc": {
        "nl": "Per organisatie: een balk per signaal (donker: actief, licht: beëindigd, "
        "bewaard tot verwijdering); rondjes: matches; streepjes onderaan: inzage in gegevens.",
        "en": "Per organisation: a bar per signal (dark: active, light: ended, kept until "
        "deletion); circles: matches; ticks at the bottom: access to the data.",
    },
    "signals": {"nl": "Signalen", "en": "Signals"},
    "signals_cap": {
        "nl": "Signalen: wie is of was betrokken",
        "en": "Signals: who is or was involved",
    },
    "none": {"nl": "Geen.", "en": "None."},
    "nr": {"nl": "Nr.", "en": "No."},
    "organisation": {"nl": "Organisatie", "en": "Organisation"},
    "professional": {"nl": "Professional", "en": "Professional"},
    "contact": {"nl": "Contact", "en": "Contact"},
    "domain": {"nl": "Domein", "en": "Domain"},
    "region": {"nl": "Gemeente", "en": "Municipality"},
    "registered": {"nl": "Gemeld op", "en": "Registered"},
    "period": {"nl": "Gemeld – loopt tot", "en": "Registered – planned end"},
    "planned_end": {"nl": "Loopt tot", "en": "Planned end"},
    "status": {"nl": "Status", "en": "Status"},
    "delete_on": {"nl": "Verwijderd uiterlijk", "en": "Deleted by"},
    "active": {"nl": "actief", "en": "active"},
    "inactive": {"nl": "beëindigd", "en": "ended"},
    "matches": {"nl": "Matches", "en": "Matches"},
    "matches_cap": {
        "nl": "Matches: professionals die van elkaar weten",
        "en": "Matches: professionals who were told about each other",
    },
    "date": {"nl": "Datum", "en": "Date"},
    "kind": {"nl": "Soort", "en": "Kind"},
    "direct": {"nl": "rechtstreeks", "en": "direct"},
    "family": {"nl": "gezin", "en": "family"},
    "other": {"nl": "Andere partij", "en": "Other party"},
    "cross": {"nl": "over regiogrens", "en": "across regions"},
    "coordinator": {"nl": "Regisseur", "en": "Coordinator"},
    "afgestemd": {"nl": "afgestemd", "en": "coordinated"},
    "accesses": {
        "nl": "Wie heeft de gegevens bekeken of gewijzigd",
        "en": "Who consulted or changed the data",
    },
    "accesses_cap": {"nl": "Toegang tot de gegevens", "en": "Access to the data"},
    "when": {"nl": "Wanneer", "en": "When"},
    "purpose_col": {"nl": "Doel", "en": "Purpose"},
    "recipients": {"nl": "Ontvangers", "en": "Recipients"},
    "origin": {"nl": "Herkomst van de gegevens", "en": "Origin of the data"},
    "rights": {"nl": "Uw rechten", "en": "Your rights"},
    "rights_text": {
        "nl": "U kunt vragen om correctie, bezwaar maken of vragen om verwijdering. U krijgt "
        "binnen {weeks} weken antwoord. U kunt ook een klacht indienen bij de Autoriteit "
        "Persoonsgegevens.",
        "en": "You may ask for correction, object, or ask for erasure. You will get an answer "
        "within {weeks} weeks. You may also complain to the Autoriteit Persoonsgegevens "
        "(the Dutch data protection authority).",
    },
    "signature": {
        "nl": "Ondertekend (Ed25519), vingerafdruk",
        "en": "Signed (Ed25519), fingerprint",
    },
    "unsigned": {"nl": "Niet ondertekend.", "en": "Not signed."},
}
_PURPOSE_TEXT: Final[dict[str, dict[str, str]]] = {
    "registration": {"nl": "signaal gemeld", "en": "signal registered"},
    "registration-repeated": {"nl": "signaal opnieuw gemeld", "en": "signal registered again"},
    "signal-ended": {"nl": "signaal beëindigd", "en": "signal ended"},
    "signal-deleted": {
        "nl": "signaal verwijderd (onterecht)",
        "en": "signal deleted (unjustified)",
    },
    "death-recorded": {"nl": "overlijden verwerkt", "en": "death recorded"},
    "move-recorded": {"nl": "verhuizing verwerkt", "en": "move recorded"},
    "parents-linked": {"nl": "ouders gekoppeld", "en": "parents linked"},
    "history-viewed": {"nl": "eerdere betrokkenen bekeken", "en": "earlier professionals viewed"},
    "matches-consulted": {"nl": "matches bekeken", "en": "matches consulted"},
    "notifications-delivered": {"nl": "bericht afgeleverd", "en": "notification delivered"},
    "coordinator-marked": {"nl": "regisseur aangewezen", "en": "coordinator marked"},
    "match-afgestemd": {"nl": "match afgestemd", "en": "match coordinated"},
    "signal-ended-automatically": {
        "nl": "signaal automatisch beëindigd",
        "en": "signal ended automatically",
    },
    "inzage": {"nl": "inzage gevraagd", "en": "access requested"},
    "inzage-refused": {"nl": "inzage geweigerd", "en": "access refused"},
}
_ORIGIN_TEXT: Final[dict[str, dict[str, str]]] = {
    "registration-by-professionals": {
        "nl": "Gemeld door de professionals die hierboven staan.",
        "en": "Registered by the professionals listed above.",
    },
    "parent-links-by-professionals-or-population-register": {
        "nl": "Koppeling met ouders: door een professional of uit de basisregistratie personen.",
        "en": "Links to parents: by a professional or from the population register.",
    },
}


def canonical_json(report: InzageReport) -> bytes:
    """The canonical bytes (sorted keys, no spaces, UTF-8) that signatures cover."""
    doc = report.model_dump(mode="json")
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _t(key: str, lang: Language) -> str:
    return _T[key][lang]


def _d(value: date | None, lang: Language) -> str:
    if value is None:
        return "-"
    return value.strftime("%d-%m-%Y") if lang == "nl" else value.isoformat()


def _dt(value: datetime, lang: Language) -> str:
    return value.strftime("%d-%m-%Y %H:%M") if lang == "nl" else value.strftime("%Y-%m-%d %H:%M")


def _domain(code: str, lang: Language) -> str:
    try:
        domain = Domain(code)
    except ValueError:
        return code
    return domain.label_nl if lang == "nl" else domain.label_en


def _purpose(code: str, lang: Language) -> str:
    return _PURPOSE_TEXT.get(code, {}).get(lang, code)


def render_text(report: InzageReport, lang: Language = "nl", fingerprint: str | None = None) -> str:
    """A plain-text report for a letter or a screen reader."""
    lines = [_t("title", lang), "=" * len(_t("title", lang)), "", _t("intro", lang), ""]
    who = ", ".join(_t(r.value, lang) for r in report.requested_by)
    lines += [
        f"{_t('subject', lang)}: BSN {report.subject}",
        f"{_t('generated', lang)}: {_dt(report.generated_at, lang)} {_t('by', lang)} {report.generated_by}",
        f"{_t('requested', lang)}: {who}",
        "",
        _t("purpose_h", lang),
        _t("purpose", lang),
        "",
        _t("signals", lang),
    ]
    if not report.signals:
        lines.append(f"  {_t('none', lang)}")
    for s in report.signals:
        lines.append(
            f"  {_t('nr', lang)} {s.number}: {s.organisation} ({_domain(s.domain, lang)}), {s.professional}, "
            f"{s.function}, {s.phone}, {s.email}; {_t('registered', lang)} {_d(s.registered_on, lang)}, "
            f"{_t('planned_end', lang)} {_d(s.planned_end, lang)}, {_t(s.status, lang)}"
            + (f" {_d(s.ended_on, lang)}" if s.ended_on else "")
            + f"; {_t('delete_on', lang)} {_d(s.delete_on, lang)}"
        )
    lines += ["", _t("matches", lang)]
    if not report.matches:
        lines.append(f"  {_t('none', lang)}")
    for m in report.matches:
        extra = [_t("cross", lang)] if m.cross_region else []
        if m.afgestemd:
            extra.append(_t("afgestemd", lang))
        lines.append(
            f"  {_t('nr', lang)} {m.number}: {_d(m.created_on, lang)}, {_t(m.kind, lang)}, "
            f"{m.other.organisation} ({m.other.domain})"
            + (f", {', '.join(extra)}" if extra else "")
            + f"; {_t('delete_on', lang)} {_d(m.delete_on, lang)}"
        )
    lines += ["", _t("accesses", lang)]
    for a in report.accesses:
        lines.append(f"  {_dt(a.at, lang)}  {a.organisation}: {_purpose(a.purpose, lang)}")
    lines += ["", _t("recipients", lang), "  " + (", ".join(report.recipients) or _t("none", lang))]
    lines += ["", _t("origin", lang)]
    lines += [f"  {_ORIGIN_TEXT.get(o, {}).get(lang, o)}" for o in report.origin]
    lines += [
        "",
        _t("rights", lang),
        _t("rights_text", lang).format(weeks=report.answer_term_weeks),
        "",
    ]
    lines.append(f"{_t('signature', lang)}: {fingerprint}" if fingerprint else _t("unsigned", lang))
    return "\n".join(lines) + "\n"


_CSS: Final = """
:root { color: #1a1a1a; background: #ffffff; font: 16px/1.5 system-ui, sans-serif; }
body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; } h2 { font-size: 1.2rem; margin-top: 2rem;
border-bottom: 2px solid #1f4e79; } table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; } th, td { text-align: left;
vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #767676; }
th { background: #e8eef5; } .meta { color: #333333; } .badge { display: inline-block;
padding: 0 .4rem; border: 1px solid #1f4e79; border-radius: .3rem; font-size: .85rem; }
svg { width: 100%; height: auto; } .fingerprint { font-family: monospace; }
.wide { overflow-x: auto; } td { overflow-wrap: break-word; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
tr { break-inside: avoid; } a { color: inherit; text-decoration: none; } }
"""


def _timeline(report: InzageReport, lang: Language) -> str:
    today = report.generated_at.date()
    dates = (
        [today] + [s.registered_on for s in report.signals] + [a.at.date() for a in report.accesses]
    )
    start = min(dates) - timedelta(days=7)
    end = max([today + timedelta(days=30)] + [s.planned_end for s in report.signals])
    span = max((end - start).days, 1)
    orgs = list(dict.fromkeys(s.organisation for s in report.signals))
    left, width, lane = 200, 600, 28
    height = 40 + lane * (len(orgs) + 1)

    def x(day: date) -> float:
        return round(left + width * (day - start).days / span, 1)

    parts = [
        f'<svg viewBox="0 0 {left + width + 10} {height}" '
        f'role="img" aria-labelledby="tl-title tl-desc">',
        f'<title id="tl-title">{escape(_t("timeline", lang))}</title>',
        f'<desc id="tl-desc">{escape(_t("timeline_desc", lang))}</desc>',
        f'<line x1="{left}" y1="{height - 20}" x2="{left + width}" y2="{height - 20}" stroke="#767676"/>',
        f'<text x="{left}" y="{height - 4}" font-size="11">{escape(_d(start, lang))}</text>',
        f'<text x="{left + width}" y="{height - 4}" font-size="11" text-anchor="end">{escape(_d(end, lang))}</text>',
        f'<line x1="{x(today)}" y1="10" x2="{x(today)}" y2="{height - 20}" stroke="#b00020" stroke-dasharray="4 3"/>',
    ]
    for i, org in enumerate(orgs):
        y = 20 + i * lane
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(org[:30])}</text>')
        for s in (s for s in report.signals if s.organisation == org):
            active_end = s.ended_on or min(today, s.planned_end)
            parts.append(
                f'<rect x="{x(s.registered_on)}" y="{y}" width="{max(x(active_end) - x(s.registered_on), 2)}" '
                f'height="16" fill="#1f4e79"><title>{escape(_t("nr", lang))} {s.number}</title></rect>'
            )
            rest_from, rest_to = (
                (s.ended_on, min(s.delete_on, end)) if s.ended_on else (today, s.planned_end)
            )
            if rest_to > rest_from:
                parts.append(
                    f'<rect x="{x(rest_from)}" y="{y + 4}" width="{x(rest_to) - x(rest_from)}" height="8" '
                    f'fill="#a9c1d9"/>'
                )
        for m in report.matches:
            own = next((s for s in report.signals if s.number == m.own_signal), None)
            if own is not None and own.organisation == org:
                parts.append(
                    f'<circle cx="{x(m.created_on)}" cy="{y + 8}" r="5" fill="#ffffff" stroke="#b00020" '
                    f'stroke-width="2"><title>{escape(_t("matches", lang))} {m.number}</title></circle>'
                )
    ticks_y = 20 + len(orgs) * lane
    parts.append(
        f'<text x="0" y="{ticks_y + 14}" font-size="12">{escape(_t("accesses_cap", lang))}</text>'
    )
    for a in report.accesses:
        parts.append(
            f'<line x1="{x(a.at.date())}" y1="{ticks_y + 2}" x2="{x(a.at.date())}" y2="{ticks_y + 16}" '
            f'stroke="#333333"/>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _table(caption: str, headers: list[str], rows: list[list[str]], lang: Language) -> str:
    if not rows:
        return f"<p>{escape(_t('none', lang))}</p>"
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div class="wide"><table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def render_html(report: InzageReport, lang: Language = "nl", fingerprint: str | None = None) -> str:
    """One self-contained, printable, accessible HTML page (inline CSS and SVG, no scripts)."""
    who = ", ".join(_t(r.value, lang) for r in report.requested_by)
    signal_rows = [
        [
            str(s.number),
            s.organisation,
            f"{s.professional}, {s.function}",
            f"{s.phone} {s.email}",
            _domain(s.domain, lang),
            f"{_d(s.registered_on, lang)} – {_d(s.planned_end, lang)}",
            _t(s.status, lang) + (f" {_d(s.ended_on, lang)}" if s.ended_on else ""),
            _d(s.delete_on, lang),
        ]
        for s in report.signals
    ]
    match_rows = [
        [
            str(m.number),
            _d(m.created_on, lang),
            _t(m.kind, lang) + (f" ({_t('cross', lang)})" if m.cross_region else ""),
            f"{m.other.organisation} ({_domain(m.other.domain, lang)})",
            m.coordinator or "-",
            _t("afgestemd", lang) if m.afgestemd else "-",
            _d(m.delete_on, lang),
        ]
        for m in report.matches
    ]
    access_rows = [
        [_dt(a.at, lang), a.organisation, _purpose(a.purpose, lang)] for a in report.accesses
    ]
    body = [
        f"<h1>{escape(_t('title', lang))}</h1>",
        f'<p class="meta">{escape(_t("subject", lang))}: BSN <span class="badge">{escape(report.subject)}</span>. '
        f"{escape(_t('generated', lang))} {escape(_dt(report.generated_at, lang))} {escape(_t('by', lang))} "
        f"{escape(report.generated_by)}. {escape(_t('requested', lang))}: {escape(who)}.</p>",
        f"<p>{escape(_t('intro', lang))}</p>",
        f"<h2>{escape(_t('purpose_h', lang))}</h2><p>{escape(_t('purpose', lang))}</p>",
        f"<h2>{escape(_t('timeline', lang))}</h2>{_timeline(report, lang)}",
        f"<h2>{escape(_t('signals', lang))}</h2>",
        _table(
            _t("signals_cap", lang),
            [
                _t(k, lang)
                for k in (
                    "nr",
                    "organisation",
                    "professional",
                    "contact",
                    "domain",
                    "period",
                    "status",
                    "delete_on",
                )
            ],
            signal_rows,
            lang,
        ),
        f"<h2>{escape(_t('matches', lang))}</h2>",
        _table(
            _t("matches_cap", lang),
            [
                _t(k, lang)
                for k in ("nr", "date", "kind", "other", "coordinator", "afgestemd", "delete_on")
            ],
            match_rows,
            lang,
        ),
        f"<h2>{escape(_t('accesses', lang))}</h2>",
        _table(
            _t("accesses_cap", lang),
            [_t(k, lang) for k in ("when", "organisation", "purpose_col")],
            access_rows,
            lang,
        ),
        f"<h2>{escape(_t('recipients', lang))}</h2><ul>"
        + "".join(f"<li>{escape(r)}</li>" for r in report.recipients)
        + "</ul>",
        f"<h2>{escape(_t('origin', lang))}</h2><ul>"
        + "".join(f"<li>{escape(_ORIGIN_TEXT.get(o, {}).get(lang, o))}</li>" for o in report.origin)
        + "</ul>",
        f"<h2>{escape(_t('rights', lang))}</h2><p>{escape(_t('rights_text', lang).format(weeks=report.answer_term_weeks))}</p>",
        (
            f'<p class="meta">{escape(_t("signature", lang))}: <span class="fingerprint">{escape(fingerprint)}</span></p>'
            if fingerprint
            else f'<p class="meta">{escape(_t("unsigned", lang))}</p>'
        ),
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(_t('title', lang))} {escape(report.subject)}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )
