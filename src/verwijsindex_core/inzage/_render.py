"""Render an inzage report as canonical JSON, plain text or one self-contained HTML file, in
Dutch (default) or English. Every value is escaped; the HTML makes no external request."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html import escape
from typing import Final, Literal

from verwijsindex_core.inzage._model import InzageReport
from verwijsindex_core.inzage._sign import jcs_canonicalize
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
        "nl": "Overzicht van {start} tot {end}. Signalen: {signals}; organisaties: {orgs}; "
        "matches: {matches}; inzage of wijziging: {accesses}. De tabellen hieronder geven "
        "dezelfde gegevens.",
        "en": "Overview from {start} to {end}. Signals: {signals}; organisations: {orgs}; "
        "matches: {matches}; accesses to the data: {accesses}. The tables below hold the same "
        "data.",
    },
    "legend": {"nl": "Legenda", "en": "Legend"},
    "lg_active": {"nl": "actief signaal", "en": "active signal"},
    "lg_planned": {"nl": "gepland, tot de einddatum", "en": "planned, until the planned end"},
    "lg_kept": {
        "nl": "beëindigd, bewaard tot verwijdering",
        "en": "ended, kept until deletion",
    },
    "lg_match": {"nl": "match", "en": "match"},
    "lg_access": {
        "nl": "inzage of wijziging van de gegevens",
        "en": "access to the data",
    },
    "lg_today": {"nl": "datum van dit overzicht", "en": "date of this report"},
    "signals": {"nl": "Signalen", "en": "Signals"},
    "signals_cap": {
        "nl": "Signalen: wie is of was betrokken",
        "en": "Signals: who is or was involved",
    },
    "none": {"nl": "Geen.", "en": "None."},
    "nr": {"nl": "Nr.", "en": "No."},
    "organisation": {"nl": "Organisatie", "en": "Organisation"},
    "contact": {"nl": "Professional en contact", "en": "Professional and contact"},
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
    "signal-consulted": {"nl": "signaal bekeken", "en": "signal consulted"},
    "notifications-acknowledged": {"nl": "ontvangst bericht bevestigd", "en": "receipt confirmed"},
    "date-of-birth-rectified": {
        "nl": "geboortedatum gecorrigeerd",
        "en": "date of birth corrected",
    },
    "match-consulted": {"nl": "match bekeken", "en": "match consulted"},
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
    """The canonical bytes that signatures cover: RFC 8785 (JCS) of the report's JSON form."""
    return jcs_canonicalize(report.model_dump(mode="json"), field="report")


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
            f"{m.other.organisation} ({_domain(m.other.domain, lang)})"
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


# Colours: text #1a1a1a on #ffffff (17:1); every mark of the timeline has 3:1 or more against
# white (WCAG 1.4.11): #1f4e79 (8.7:1), #b00020 (7.3:1), #333333 (12.6:1); the light bar of an
# ended signal is outlined in #1f4e79 and is thinner, so it is told apart without colour.
_CSS: Final = """
:root { color: #1a1a1a; background: #ffffff; font: 16px/1.5 system-ui, sans-serif; }
body { max-width: 72rem; margin: 2rem auto; padding: 0 1rem; overflow-wrap: break-word; }
p, figcaption { max-width: 48rem; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 2px solid #1f4e79; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid #767676; overflow-wrap: break-word; }
th { background: #e8eef5; }
.nw { white-space: nowrap; }
.any { overflow-wrap: anywhere; }
.meta { color: #333333; }
.badge { display: inline-block; padding: 0 .4rem; border: 1px solid #1f4e79;
  border-radius: .3rem; font-size: .85rem; }
.fingerprint { font-family: monospace; overflow-wrap: anywhere; }
.timeline { margin: 0; }
.timeline > svg { display: block; width: 100%; max-width: 36rem; height: auto; }
.timeline figcaption { margin-top: .75rem; }
.legend-title { font-weight: 600; }
.legend { list-style: none; margin: .25rem 0 0; padding: 0; display: flex; flex-wrap: wrap;
  gap: .25rem 1.25rem; }
.legend li { display: flex; align-items: center; gap: .4rem; }
.legend svg { flex: none; width: 1.75rem; height: 1rem; }
@media screen and (max-width: 60rem) {
  body { margin: 1rem auto; }
  table, caption, tbody, tr, td { display: block; }
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip-path: inset(50%); white-space: nowrap; }
  tbody tr { border: 1px solid #767676; border-radius: .4rem; margin: 0 0 .75rem;
    padding: .25rem .75rem; }
  td { display: grid; grid-template-columns: minmax(5.5rem, 35%) 1fr; gap: .75rem;
    padding: .2rem 0; border-bottom: 1px solid #d0d7de; overflow-wrap: anywhere; }
  tr td:last-child { border-bottom: 0; }
  td::before { content: attr(data-label); content: attr(data-label) / ""; font-weight: 600; }
}
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
  tr, .timeline { break-inside: avoid; } a { color: inherit; text-decoration: none; } }
"""
_DARK: Final = "#1f4e79"
_LIGHT: Final = "#a9c1d9"
_RED: Final = "#b00020"
_INK: Final = "#333333"


def _shape(tag: str, attrs: str, tip: str = "") -> str:
    """One SVG element; ``tip`` becomes its ``<title>`` (a tooltip)."""
    return f"<{tag} {attrs}><title>{escape(tip)}</title></{tag}>" if tip else f"<{tag} {attrs}/>"


def _active_bar(x: float, y: float, w: float, tip: str = "") -> str:
    return _shape("rect", f'x="{x}" y="{y}" width="{w}" height="16" fill="{_DARK}"', tip)


def _planned_bar(x: float, y: float, w: float) -> str:
    return _shape(
        "rect",
        f'x="{x}" y="{y + 0.5}" width="{w}" height="15" fill="#ffffff" stroke="{_DARK}" '
        f'stroke-dasharray="3 2"',
    )


def _kept_bar(x: float, y: float, w: float) -> str:
    return _shape(
        "rect", f'x="{x}" y="{y + 4}" width="{w}" height="8" fill="{_LIGHT}" stroke="{_DARK}"'
    )


def _match_mark(cx: float, y: float, tip: str = "") -> str:
    return _shape(
        "circle",
        f'cx="{cx}" cy="{y + 8}" r="5" fill="#ffffff" stroke="{_RED}" stroke-width="2"',
        tip,
    )


def _access_mark(x: float, y: float) -> str:
    return _shape(
        "line", f'x1="{x}" y1="{y}" x2="{x}" y2="{y + 16}" stroke="{_INK}" stroke-width="1.5"'
    )


def _today_line(x: float, y1: float, y2: float) -> str:
    return _shape(
        "line",
        f'x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{_RED}" stroke-width="1.5" '
        f'stroke-dasharray="4 3"',
    )


def _legend(lang: Language) -> str:
    swatches = [
        ("lg_active", _active_bar(2, 0, 24)),
        ("lg_planned", _planned_bar(2, 0, 24)),
        ("lg_kept", _kept_bar(2, 0, 24)),
        ("lg_match", _match_mark(14, 0)),
        ("lg_access", _access_mark(14, 0)),
        ("lg_today", _today_line(14, 0, 16)),
    ]
    items = "".join(
        f'<li><svg viewBox="0 0 28 16" aria-hidden="true" focusable="false">{shape}</svg>'
        f"{escape(_t(key, lang))}</li>"
        for key, shape in swatches
    )
    return (
        f'<figcaption><span class="legend-title">{escape(_t("legend", lang))}</span>'
        f'<ul class="legend">{items}</ul></figcaption>'
    )


def _timeline(report: InzageReport, lang: Language) -> str:
    """One lane per organisation (its name above its bars), a lane of accesses and the date
    axis. The legend is HTML under the picture, so it reflows and scales with the text."""
    today = report.generated_at.date()
    dates = (
        [today] + [s.registered_on for s in report.signals] + [a.at.date() for a in report.accesses]
    )
    start = min(dates) - timedelta(days=7)
    end = max([today + timedelta(days=30)] + [s.planned_end for s in report.signals])
    span = max((end - start).days, 1)
    orgs = list(dict.fromkeys(s.organisation for s in report.signals))
    pad, width, lane, top = 4, 472, 44, 6
    axis = top + lane * (len(orgs) + 1)

    def x(day: date) -> float:
        return round(pad + width * (day - start).days / span, 1)

    summary = _t("timeline_desc", lang).format(
        start=_d(start, lang),
        end=_d(end, lang),
        signals=len(report.signals),
        orgs=len(orgs),
        matches=len(report.matches),
        accesses=len(report.accesses),
    )
    parts = [
        f'<svg viewBox="0 0 {pad * 2 + width} {axis + 22}" role="img" '
        f'aria-labelledby="tl-title tl-desc" font-family="system-ui, sans-serif" fill="#1a1a1a">',
        f'<title id="tl-title">{escape(_t("timeline", lang))}</title>',
        f'<desc id="tl-desc">{escape(summary)}</desc>',
    ]
    for i, org in enumerate(orgs):
        y = top + i * lane
        name = org if len(org) <= 50 else org[:49] + "…"
        parts.append(f'<text x="{pad}" y="{y + 15}" font-size="15">{escape(name)}</text>')
        bars = y + 21
        for s in (s for s in report.signals if s.organisation == org):
            active_end = s.ended_on or min(today, s.planned_end)
            parts.append(
                _active_bar(
                    x(s.registered_on),
                    bars,
                    max(x(active_end) - x(s.registered_on), 2),
                    f"{_t('nr', lang)} {s.number}",
                )
            )
            if s.ended_on:
                rest_to = min(s.delete_on, end)
                if rest_to > s.ended_on:
                    parts.append(_kept_bar(x(s.ended_on), bars, x(rest_to) - x(s.ended_on)))
            elif s.planned_end > today:
                parts.append(_planned_bar(x(today), bars, x(s.planned_end) - x(today)))
        for m in report.matches:
            own = next((s for s in report.signals if s.number == m.own_signal), None)
            if own is not None and own.organisation == org:
                tip = f"{_t('matches', lang)} {m.number}"
                parts.append(_match_mark(x(m.created_on), bars, tip))
    ticks = top + len(orgs) * lane
    parts.append(
        f'<text x="{pad}" y="{ticks + 15}" font-size="15">{escape(_t("accesses_cap", lang))}</text>'
    )
    parts += [_access_mark(x(a.at.date()), ticks + 21) for a in report.accesses]
    parts += [
        _today_line(x(today), top, axis),
        f'<line x1="{pad}" y1="{axis}" x2="{pad + width}" y2="{axis}" stroke="#767676"/>',
        f'<text x="{pad}" y="{axis + 18}" font-size="14">{escape(_d(start, lang))}</text>',
        f'<text x="{pad + width}" y="{axis + 18}" font-size="14" text-anchor="end">{escape(_d(end, lang))}</text>',
        "</svg>",
    ]
    return '<figure class="timeline">\n' + "\n".join(parts) + f"\n{_legend(lang)}\n</figure>"


# Table cells are HTML built from escaped values by these helpers.


_LONG_WORD: Final = re.compile(r"\S{25,}")


def _h(*lines: str) -> str:
    """Text lines, escaped, one under the other. A word of 25 characters or more may break
    anywhere, so that no value can make a table wider than the page."""
    return "<br>".join(
        f'<span class="any">{escape(line)}</span>' if _LONG_WORD.search(line) else escape(line)
        for line in lines
    )


def _hd(value: date | None, lang: Language) -> str:
    """A date that never breaks over two lines."""
    return f'<span class="nw">{escape(_d(value, lang))}</span>'


def _email(address: str) -> str:
    """An e-mail address that may break after ``@`` and before a dot of its domain."""
    local, at, domain = address.partition("@")
    if not at:
        return _h(address)
    return _h(local) + "@<wbr>" + "<wbr>.".join(_h(part) for part in domain.split("."))


def _table(caption: str, headers: list[str], rows: list[list[str]], lang: Language) -> str:
    """A table that becomes a stack of cards on narrow screens: the CSS shows each cell as a
    grid of its column name (from ``data-label``) and its value (the one ``<span>``). The
    explicit ARIA roles keep the table semantics for screen readers when the CSS changes the
    ``display`` of its parts."""
    if not rows:
        return f"<p>{escape(_t('none', lang))}</p>"
    head = "".join(f'<th scope="col" role="columnheader">{escape(h)}</th>' for h in headers)
    body = "".join(
        '<tr role="row">'
        + "".join(
            f'<td role="cell" data-label="{escape(h)}"><span>{cell}</span></td>'
            for h, cell in zip(headers, row, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<table role="table"><caption>{escape(caption)}</caption>'
        f'<thead role="rowgroup"><tr role="row">{head}</tr></thead>'
        f'<tbody role="rowgroup">{body}</tbody></table>'
    )


def _section(key: str, content: str, lang: Language) -> str:
    return (
        f'<section aria-labelledby="h-{key}">\n<h2 id="h-{key}">{escape(_t(key, lang))}</h2>\n'
        f"{content}\n</section>"
    )


def _list(items: list[str], lang: Language) -> str:
    if not items:
        return f"<p>{escape(_t('none', lang))}</p>"
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def render_html(report: InzageReport, lang: Language = "nl", fingerprint: str | None = None) -> str:
    """One self-contained, printable, accessible HTML page (inline CSS and SVG, no scripts).

    Meant to meet WCAG 2.1 AA (tests/test_inzage_browser.py runs axe-core on it): landmarks,
    ``lang``, headings, captioned tables with column headers, a timeline with a text
    alternative and a legend. On screens narrower than 60rem each table row becomes a card,
    so nothing scrolls sideways (checked at 320, 390 and 1280 px)."""
    who = ", ".join(_t(r.value, lang) for r in report.requested_by)
    signal_rows = [
        [
            escape(str(s.number)),
            _h(s.organisation),
            f"{_h(s.professional, s.function, s.phone)}<br>{_email(s.email)}",
            _h(_domain(s.domain, lang)),
            f"{_hd(s.registered_on, lang)} – {_hd(s.planned_end, lang)}",
            _h(_t(s.status, lang)) + (f" {_hd(s.ended_on, lang)}" if s.ended_on else ""),
            _hd(s.delete_on, lang),
        ]
        for s in report.signals
    ]
    match_rows = [
        [
            escape(str(m.number)),
            _hd(m.created_on, lang),
            _h(_t(m.kind, lang) + (f" ({_t('cross', lang)})" if m.cross_region else "")),
            _h(f"{m.other.organisation} ({_domain(m.other.domain, lang)})"),
            _h(m.coordinator or "-"),
            _h(_t("afgestemd", lang) if m.afgestemd else "-"),
            _hd(m.delete_on, lang),
        ]
        for m in report.matches
    ]
    access_rows = [
        [
            f'<span class="nw">{escape(_dt(a.at, lang))}</span>',
            _h(a.organisation),
            _h(_purpose(a.purpose, lang)),
        ]
        for a in report.accesses
    ]
    signal_cols = ("nr", "organisation", "contact", "domain", "period", "status", "delete_on")
    match_cols = ("nr", "date", "kind", "other", "coordinator", "afgestemd", "delete_on")
    header = (
        f"<header>\n<h1>{escape(_t('title', lang))}</h1>\n"
        f'<p class="meta">{escape(_t("subject", lang))}: BSN <span class="badge">{escape(report.subject)}</span>. '
        f"{escape(_t('generated', lang))} {escape(_dt(report.generated_at, lang))} {escape(_t('by', lang))} "
        f"{escape(report.generated_by)}. {escape(_t('requested', lang))}: {escape(who)}.</p>\n"
        f"<p>{escape(_t('intro', lang))}</p>\n</header>"
    )
    origin = [_ORIGIN_TEXT.get(o, {}).get(lang, o) for o in report.origin]
    rights = _t("rights_text", lang).format(weeks=report.answer_term_weeks)
    sections = [
        _section("purpose_h", f"<p>{escape(_t('purpose', lang))}</p>", lang),
        _section("timeline", _timeline(report, lang), lang),
        _section(
            "signals",
            _table(
                _t("signals_cap", lang),
                [_t(k, lang) for k in signal_cols],
                signal_rows,
                lang,
            ),
            lang,
        ),
        _section(
            "matches",
            _table(_t("matches_cap", lang), [_t(k, lang) for k in match_cols], match_rows, lang),
            lang,
        ),
        _section(
            "accesses",
            _table(
                _t("accesses_cap", lang),
                [_t(k, lang) for k in ("when", "organisation", "purpose_col")],
                access_rows,
                lang,
            ),
            lang,
        ),
        _section("recipients", _list(list(report.recipients), lang), lang),
        _section("origin", _list(origin, lang), lang),
        _section("rights", f"<p>{escape(rights)}</p>", lang),
    ]
    signed = (
        f'{escape(_t("signature", lang))}: <span class="fingerprint">{escape(fingerprint)}</span>'
        if fingerprint
        else escape(_t("unsigned", lang))
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(_t('title', lang))} {escape(report.subject)}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n{header}\n<main>\n"
        + "\n".join(sections)
        + f'\n</main>\n<footer>\n<p class="meta">{signed}</p>\n</footer>\n</body>\n</html>\n'
    )
