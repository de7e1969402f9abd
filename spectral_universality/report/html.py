"""Render ``report.json`` as one static HTML page (no scripts, no external assets)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

_COLORS = {"proven": "#1b7f3b", "supported": "#2f6db5", "refuted": "#b3261e", "open": "#8a6d00"}

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.3em .6em;vertical-align:top}
th{background:#f5f5f5}.v{color:#fff;padding:.1em .5em;border-radius:3px;font-weight:600}
figure{margin:1em 0}figcaption{color:#555;font-size:.9em}img{max-width:100%}
code{background:#f3f3f3;padding:0 .2em}pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:.85em}
"""


def _esc(x: Any) -> str:
    return html.escape(str(x))


def _claims_table(claims: list[dict]) -> str:
    rows = []
    for c in claims:
        color = _COLORS.get(c["verdict"], "#555")
        rows.append(
            f"<tr><td>{_esc(c['where'])}</td><td>{_esc(c['claim'])}</td>"
            f"<td><span class='v' style='background:{color}'>{_esc(c['verdict'])}</span></td>"
            f"<td>{_esc(c['evidence'])}</td></tr>"
        )
    return "<table><tr><th>where</th><th>claim</th><th>verdict</th><th>behind it</th></tr>" + "".join(rows) + "</table>"


def _closed_forms_table(cf: dict) -> str:
    rows = "".join(
        f"<tr><td>{_esc(name)}</td><td><code>{_esc(d['steady_state'])}</code></td>"
        f"<td><code>{_esc(d['contraction_factor'])}</code></td><td><code>{_esc(d['stability'])}</code></td></tr>"
        for name, d in cf.get("optimizers", {}).items()
    )
    return ("<table><tr><th>optimizer</th><th>steady state e*</th><th>contraction factor</th>"
            "<th>stability region</th></tr>" + rows + "</table>")


def write_html(report: dict, path: Path) -> None:
    """Write the page: verdicts first, then figures with captions, then each stage's summary numbers."""
    meta = report["meta"]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Spectral universality report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Universality classes of spectral learning dynamics: report</h1>",
        f"<p>{'Quick run' if meta['quick'] else 'Full run'} on {_esc(meta['device'])}, seed {meta['seed']}; "
        f"stage times (s): {_esc(meta['stage_seconds'])}. Every number on this page is in "
        "<code>report.json</code>.</p>",
        "<h2>Verdicts on the claims of the paper (seed 000) and of the companion seeds (001–004)</h2>",
        _claims_table(report["claims"]),
    ]
    if "closed_forms" in report["results"]:
        parts += ["<h2>Closed forms</h2>", _closed_forms_table(report["results"]["closed_forms"])]
    parts.append("<h2>Figures</h2>")
    for fig in report.get("figures", []):
        parts.append(
            f"<figure><img src='{_esc(fig['file'])}' alt='{_esc(fig['title'])}'>"
            f"<figcaption><b>{_esc(fig['title'])}.</b> {_esc(fig['caption'])}</figcaption></figure>"
        )
    parts.append("<h2>Stage summaries</h2>")
    for key, res in report["results"].items():
        summary = res.get("summary", {}) if isinstance(res, dict) else {}
        parts.append(f"<h3>{_esc(key)}</h3><pre>{_esc(json.dumps(summary, indent=1, default=str))}</pre>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts))
