"""Headless Chromium and axe-core for the inzage HTML tests.

The report itself never holds a script. A test builds a *test copy* of a page with a small
script added just before ``</body>``: it measures the layout or runs axe-core and writes the
result (JSON, base64) into a ``<pre>`` element; ``chromium --dump-dom`` prints the DOM and
:func:`read_result` takes the result back out.

Headless Chromium does not make a window narrower than 500 px (``--window-size=390,...``
still gives a 500 px viewport), so :func:`framed` puts the test copy in an ``<iframe srcdoc>``
of exactly the width under test: the iframe is the page's viewport, its media queries see
that width, and the probe (same origin as a ``srcdoc`` frame) reports to the outer page.

axe-core comes from the npm registry (``npm install``, with npm's integrity check) into a
cache outside the repository, ``$XDG_CACHE_HOME/verwijsindex-tests`` (default
``~/.cache/verwijsindex-tests``), one directory per version, installed once.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
from html import escape
from pathlib import Path
from typing import Any, Final

from _system import require_program

__all__ = [
    "AXE_TAGS",
    "AXE_VERSION",
    "axe_runner",
    "axe_source",
    "chromium",
    "dump_dom",
    "framed",
    "layout_probe",
    "read_result",
    "screenshot",
    "with_script",
]

AXE_VERSION: Final = "4.14.1"
AXE_TAGS: Final = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
_FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "verwijsindex-tests"


def axe_source() -> str:
    """The text of ``axe.min.js`` (version :data:`AXE_VERSION`), installed on first use."""
    npm = require_program("npm", "npm")
    target = _cache_dir() / f"axe-core-{AXE_VERSION}"
    script = target / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="axe-", dir=target.parent))
        done = subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--prefix",
                str(staging),
                f"axe-core@{AXE_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
        assert done.returncode == 0, f"npm install axe-core failed:\n{done.stderr[-2000:]}"
        try:
            staging.rename(target)  # atomic: a parallel run either wins or finds it there
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    return script.read_text(encoding="utf-8")


def chromium() -> str:
    return require_program("chromium")


def with_script(page: str, script: str) -> str:
    """A test copy of ``page`` with ``script`` run at the end of its body."""
    assert page.count("</body>") == 1
    # "</script" inside the script would end the element early (axe.min.js has none).
    assert "</script" not in script.lower()
    return page.replace("</body>", f"<script>{script}</script>\n</body>")


def framed(page: str, width: int, height: int = 6000) -> str:
    """An outer page that shows ``page`` in a viewport of ``width`` CSS pixels."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>test frame</title>\n"
        "<style>html, body { margin: 0; } iframe { display: block; border: 0; }</style>\n"
        "</head>\n<body>\n"
        f'<iframe title="page under test" width="{width}" height="{height}" '
        f'srcdoc="{escape(page, quote=True)}"></iframe>\n'
        "</body>\n</html>\n"
    )


def _run(args: list[str], page: str, workdir: Path, width: int, height: int) -> str:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "page.html"
    path.write_text(page, encoding="utf-8")
    done = subprocess.run(
        [
            chromium(),
            *_FLAGS,
            f"--user-data-dir={workdir / 'profile'}",
            f"--window-size={width},{height}",
            *args,
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def dump_dom(page: str, workdir: Path, *, width: int = 1280, height: int = 2000) -> str:
    """The DOM of ``page`` after load and its timers (in virtual time), as HTML text."""
    return _run(["--dump-dom", "--virtual-time-budget=60000"], page, workdir, width, height)


def screenshot(page: str, workdir: Path, *, width: int, height: int) -> tuple[Path, str]:
    """A PNG of ``page`` in a window of ``width`` x ``height``, and Chromium's log."""
    workdir.mkdir(parents=True, exist_ok=True)
    shot = workdir / f"shot-{width}.png"
    path = workdir / "page.html"
    path.write_text(page, encoding="utf-8")
    done = subprocess.run(
        [
            chromium(),
            *_FLAGS,
            f"--user-data-dir={workdir / 'profile'}",
            f"--window-size={width},{height}",
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={shot}",
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return shot, done.stderr


def read_result(dom: str, name: str) -> Any:
    """The JSON a probe reported (base64) under ``name``."""
    found = re.search(rf'<pre id="probe-{re.escape(name)}">([A-Za-z0-9+/=]*)</pre>', dom)
    assert found, f"the page did not report {name!r}; the DOM ends:\n{dom[-1500:]}"
    return json.loads(base64.b64decode(found.group(1)).decode("utf-8"))


_REPORT_JS: Final = """
function __report(name, value) {
  var target = window.parent !== window ? window.parent.document : document;
  var pre = target.createElement("pre");
  pre.id = "probe-" + name;
  var bytes = new TextEncoder().encode(JSON.stringify(value)), binary = "";
  for (var i = 0; i < bytes.length; i += 8192) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  }
  pre.textContent = btoa(binary);
  target.body.appendChild(pre);
}
"""


def layout_probe() -> str:
    """A script that reports the viewport and page widths, which elements and lines of text
    stick out of the viewport (after clipping by their ancestors: a visually hidden header
    row does not count), what scrolls sideways, how table rows are displayed and the
    legend's entries."""
    return (
        _REPORT_JS
        + """
(function () {
  function visible(el, box) {
    var left = box.left, right = box.right;
    for (var up = el; up && up !== document.body; up = up.parentElement) {
      var style = getComputedStyle(up);
      if (style.overflowX !== "visible" || style.clipPath !== "none") {
        var clip = up.getBoundingClientRect();
        left = Math.max(left, clip.left);
        right = Math.min(right, clip.right);
      }
    }
    return {left: left, right: right, empty: box.width === 0 && box.height === 0};
  }
  var sticking = [], scrolling = [];
  document.querySelectorAll("body *").forEach(function (el) {
    var name = el.tagName.toLowerCase()
      + (typeof el.className === "string" && el.className ? "." + el.className : "");
    var box = visible(el.parentElement, el.getBoundingClientRect());
    if (!box.empty && box.right > box.left
        && (box.right > window.innerWidth + 0.5 || box.left < -0.5)) {
      sticking.push(name);
    }
    var style = getComputedStyle(el);
    if (el.scrollWidth > el.clientWidth + 1
        && (style.overflowX === "auto" || style.overflowX === "scroll")) {
      scrolling.push(name);
    }
  });
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), text;
  while ((text = walker.nextNode())) {
    var range = document.createRange();
    range.selectNodeContents(text);
    Array.prototype.forEach.call(range.getClientRects(), function (line) {
      var box = visible(text.parentElement, line);
      if (!box.empty && box.right > box.left
          && (box.right > window.innerWidth + 0.5 || box.left < -0.5)) {
        sticking.push("text: " + text.textContent.trim().slice(0, 40));
      }
    });
  }
  var rows = Array.prototype.map.call(document.querySelectorAll("tbody tr"), function (tr) {
    return getComputedStyle(tr).display;
  });
  __report("layout", {
    innerWidth: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    fits: document.documentElement.scrollWidth <= window.innerWidth,
    sticking: sticking.slice(0, 20),
    scrolling: scrolling.slice(0, 20),
    rowDisplays: Array.from(new Set(rows)),
    legend: Array.prototype.map.call(document.querySelectorAll(".legend li"), function (li) {
      return li.textContent.trim();
    })
  });
})();
"""
    )


def axe_runner() -> str:
    """A script that runs axe-core (already on the page) with the WCAG 2.1 A and AA rules and
    reports the rules that passed, the violations and what it could not decide."""
    return (
        _REPORT_JS
        + """
function summary(rule) {
  return {id: rule.id, impact: rule.impact, help: rule.help,
          nodes: rule.nodes.map(function (n) {
            return {target: n.target, html: n.html.slice(0, 120), summary: n.failureSummary};
          })};
}
axe.run(document, {runOnly: {type: "tag", values: __TAGS__}})
  .then(function (results) {
    __report("axe", {
      version: axe.version,
      passes: results.passes.map(function (r) { return r.id; }),
      incomplete: results.incomplete.map(summary),
      violations: results.violations.map(summary)
    });
  }, function (error) { __report("axe", {error: String(error)}); });
""".replace("__TAGS__", json.dumps(list(AXE_TAGS)))
    )
