"""The inzage HTML report in headless Chromium: readable on a phone and WCAG 2.1 AA clean.

Each test opens a *test copy* of the page with a small probe script (tests/_axe.py); the
report itself stays script-free. Phone widths are measured in an iframe of that width,
because headless Chromium will not make its window narrower than 500 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import _axe
from _inzage_scenario import SIGNER, build, request
from verwijsindex_core.inzage import InzageReport, render_html

LEGEND = {
    "nl": [
        "actief signaal",
        "gepland, tot de einddatum",
        "beëindigd, bewaard tot verwijdering",
        "match",
        "inzage of wijziging van de gegevens",
        "datum van dit overzicht",
    ],
    "en": [
        "active signal",
        "planned, until the planned end",
        "ended, kept until deletion",
        "match",
        "access to the data",
        "date of this report",
    ],
}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InzageReport]:
    vi, store, bsn, born = build(tmp_path_factory.mktemp("scenario"))
    yield request(vi, bsn, born)
    store.close()


@pytest.fixture(scope="module")
def axe_js() -> str:
    _axe.chromium()  # skip (locally) or fail (CI) before installing anything
    return _axe.axe_source()


def _stressed(report: InzageReport) -> InzageReport:
    """The report with long names, long words and long addresses in every table."""
    word = "Jeugdgezondheidszorgvoorzieningenorganisatie"
    signal = report.signals[0].model_copy(
        update={
            "organisation": f"Stichting {word} Zuid-Holland",
            "function": "Praktijkondersteuner-jeugdgezondheidszorg-en-onderwijs",
            "email": "heel.lange.naam.van.een.medewerker@jeugdgezondheidszorg-haaglanden.example",
            "phone": "+31 70 123 45 67",
        }
    )
    match = report.matches[0].model_copy(
        update={"coordinator": f"{word} (regisseur)", "cross_region": True, "afgestemd": True}
    )
    access = report.accesses[0].model_copy(update={"organisation": f"{word}{word}"})
    return report.model_copy(
        update={
            "signals": (signal, *report.signals[1:]),
            "matches": (match, *report.matches[1:]),
            "accesses": (access, *report.accesses[1:]),
            "recipients": (f"{word}{word}", *report.recipients),
        }
    )


def _layout(page: str, width: int, workdir: Path) -> dict[str, Any]:
    probe = _axe.framed(_axe.with_script(page, _axe.layout_probe()), width)
    layout: dict[str, Any] = _axe.read_result(_axe.dump_dom(probe, workdir), "layout")
    assert layout["innerWidth"] == width, layout  # the measurement is at the width under test
    return layout


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("width", [320, 390, 1280])
def test_nothing_scrolls_sideways_on_a_phone_or_a_desktop(
    report: InzageReport, lang: str, width: int, tmp_path: Path
) -> None:
    page = render_html(report, lang, SIGNER.fingerprint)  # type: ignore[arg-type]
    layout = _layout(page, width, tmp_path)
    assert layout["fits"], layout  # the page is no wider than the viewport
    assert layout["sticking"] == [], layout  # nothing visible sticks out of the viewport
    assert layout["scrolling"] == [], layout  # and nothing scrolls sideways
    # Narrow screens: every table row is a card; wide ones: a table row.
    assert layout["rowDisplays"] == (["block"] if width < 960 else ["table-row"])
    assert layout["legend"] == LEGEND[lang]


@pytest.mark.parametrize("width", [320, 390, 961, 1280])
def test_long_values_do_not_widen_the_page(
    report: InzageReport, width: int, tmp_path: Path
) -> None:
    page = render_html(_stressed(report), "nl", SIGNER.fingerprint)
    assert "Jeugdgezondheidszorgvoorzieningenorganisatie" in page
    layout = _layout(page, width, tmp_path)
    assert layout["fits"], layout
    assert layout["sticking"] == [], layout
    assert layout["scrolling"] == [], layout


def _svg_text(node: dict[str, Any]) -> bool:
    return node["html"].startswith("<text ")


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_no_wcag_2_1_aa_violations(
    report: InzageReport, axe_js: str, lang: str, width: int, tmp_path: Path
) -> None:
    page = render_html(report, lang, SIGNER.fingerprint)  # type: ignore[arg-type]
    probe = _axe.framed(_axe.with_script(page, axe_js + "\n" + _axe.axe_runner()), width)
    result = _axe.read_result(_axe.dump_dom(probe, tmp_path), "axe")
    assert "error" not in result, result
    assert result["version"] == _axe.AXE_VERSION
    assert result["violations"] == []
    # Rules that checked something (not merely "not applicable"): the run was real.
    assert {"document-title", "html-has-lang", "color-contrast", "svg-img-alt"} <= set(
        result["passes"]
    )
    assert {"th-has-data-cells", "list", "landmark-one-main"} & set(result["passes"])
    # axe cannot tell the background of text inside an SVG picture and asks for a review:
    # the timeline's text is #1a1a1a on white (17:1). Nothing else may be left undecided.
    undecided = [
        (rule["id"], node["html"])
        for rule in result["incomplete"]
        for node in rule["nodes"]
        if not (rule["id"] == "color-contrast" and _svg_text(node))
    ]
    assert undecided == []


def test_the_stressed_report_is_also_clean_for_axe(
    report: InzageReport, axe_js: str, tmp_path: Path
) -> None:
    page = render_html(_stressed(report), "en", SIGNER.fingerprint)
    probe = _axe.framed(_axe.with_script(page, axe_js + "\n" + _axe.axe_runner()), 390)
    result = _axe.read_result(_axe.dump_dom(probe, tmp_path), "axe")
    assert result.get("violations") == [], result
