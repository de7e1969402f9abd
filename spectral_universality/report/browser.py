"""Open report pages in headless Chromium and measure what a reader sees: console errors, broken images and
links, the rendered size of every MathML element, and a screenshot.

Chromium runs with a fresh profile and no network (the pages use no external assets). The measurements come
from a copy of the page with a small probe script appended, which writes JSON into ``<pre id=probe>``; the
DOM after scripts is read with ``--dump-dom``. The page under test is never modified.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars")

# Runs before the page's own content (errors in inline scripts are caught) and reports after load.
_PROBE_HEAD = """<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  window.__errors.push('error: ' + (e.message || (e.target && (e.target.src || e.target.href)) || 'resource'));
}, true);
(function () { var ce = console.error; console.error = function () {
  window.__errors.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); return ce.apply(console, arguments); }; })();
</script>"""

_PROBE_TAIL = """<script>
window.addEventListener('load', function () {
  var out = {errors: window.__errors, math: [], images: [], anchors: [], links: []};
  document.querySelectorAll('math').forEach(function (m) {
    var r = m.getBoundingClientRect();
    out.math.push({w: r.width, h: r.height, text: (m.textContent || '').slice(0, 60),
                   display: getComputedStyle(m).display});
  });
  document.querySelectorAll('img').forEach(function (i) {
    out.images.push({src: i.getAttribute('src'), w: i.naturalWidth, h: i.naturalHeight, complete: i.complete});
  });
  document.querySelectorAll('a[href], a[*|href]').forEach(function (a) {
    var h = a.getAttribute('href') || a.getAttribute('xlink:href') ||
            (a.href && a.href.baseVal !== undefined ? a.href.baseVal : '');
    if (h && h.charAt(0) === '#') {
      out.anchors.push({href: h, ok: !!document.getElementById(decodeURIComponent(h.slice(1)))});
    } else if (h) { out.links.push(h); }
  });
  var svgs = [];
  document.querySelectorAll('svg').forEach(function (s) { var r = s.getBoundingClientRect();
    svgs.push({w: r.width, h: r.height}); });
  out.svg = svgs;
  var mathSupported = false;
  try { mathSupported = CSS.supports('display', 'math'); } catch (e) {}
  out.math_supported = mathSupported;
  var pre = document.createElement('pre'); pre.id = 'probe';
  pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script>"""


def find_chromium() -> str | None:
    """Path of a Chromium-family browser on PATH, or None."""
    for name in CANDIDATES:
        p = shutil.which(name)
        if p:
            return p
    return None


def _run(browser: str, args: list[str], timeout: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="su-chromium-") as profile:
        cmd = [browser, *FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "HOME": profile})


def probe(page: Path, browser: str | None = None, timeout: float = 90) -> dict:
    """Measurements of ``page`` after load (see module docstring); ``links`` are the non-fragment hrefs."""
    browser = browser or find_chromium()
    if browser is None:
        raise FileNotFoundError("no chromium on PATH")
    page = Path(page).resolve()
    text = page.read_text()
    head_at = text.find("<head>")
    text = (text[:head_at + 6] + _PROBE_HEAD + text[head_at + 6:]) if head_at >= 0 else _PROBE_HEAD + text
    end = text.rfind("</body>")
    text = text[:end] + _PROBE_TAIL + text[end:] if end >= 0 else text + _PROBE_TAIL
    copy = page.with_name(f".probe-{page.name}")
    copy.write_text(text)
    try:
        res = _run(browser, ["--window-size=1280,2000", "--virtual-time-budget=5000", "--dump-dom",
                             copy.as_uri()], timeout)
    finally:
        copy.unlink(missing_ok=True)
    start = res.stdout.find("<pre id=\"probe\">")
    if start < 0:
        raise RuntimeError(f"probe missing from Chromium's DOM (exit {res.returncode}): {res.stderr[-800:]}")
    body = res.stdout[start + len("<pre id=\"probe\">"):res.stdout.index("</pre>", start)]
    return json.loads(html.unescape(body))


def screenshot(page: Path, png: Path, browser: str | None = None, width: int = 1280, height: int = 2000,
               timeout: float = 90) -> Path:
    """A PNG of the top ``width`` × ``height`` pixels of ``page``."""
    browser = browser or find_chromium()
    if browser is None:
        raise FileNotFoundError("no chromium on PATH")
    png = Path(png).resolve()
    png.unlink(missing_ok=True)
    res = _run(browser, [f"--screenshot={png}", f"--window-size={width},{height}", "--virtual-time-budget=5000",
                         Path(page).resolve().as_uri()], timeout)
    if not png.is_file():
        raise RuntimeError(f"no screenshot written (exit {res.returncode}): {res.stderr[-800:]}")
    return png
