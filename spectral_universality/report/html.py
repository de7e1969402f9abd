"""Render ``report.json`` as static HTML pages (no scripts, no external assets): ``index.html`` here and
``blueprint.html`` in :mod:`.blueprint`.

Mathematics is presentation MathML (rendered natively by the browser, LaTeX in each element's annotation
and on hover, see :mod:`.mathml`); numbers go through :mod:`.numbers` (estimates rounded to their standard
error, p-values as numbers, fractions as counts).
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path
from typing import Any

from . import mathml as M
from .numbers import estimate, fraction, num, pvalue, tidy
from .sections import SECTIONS

COLORS = {"proven": "#1b7f3b", "supported": "#2f6db5", "refuted": "#b3261e", "open": "#8a6d00"}

CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.3em .6em;vertical-align:top}
th{background:#f5f5f5;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.v{color:#fff;padding:.1em .5em;border-radius:3px;font-weight:600;white-space:nowrap}
figure{margin:1em 0}figcaption{color:#555;font-size:.9em}img{max-width:100%}
code{background:#f3f3f3;padding:0 .2em}
ul.thm{margin:.3em 0 0;padding-left:1.1em;font-size:.78em;line-height:1.3}
ul.thm li{margin:.15em 0}.st{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-word;color:#333}
.na{color:#8a6d00}.ax{color:#2a6a2a;font-size:.95em}pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:.85em}
math{font-size:1.1em;math-style:normal}td math{font-size:1.05em}.note{color:#555;font-size:.88em}
nav{background:#f5f7fa;border:1px solid #dde3ea;padding:.5em .8em;border-radius:4px}
table.kv td:first-child{color:#444}table.sub{margin:0;font-size:.92em}table.sub td,table.sub th{padding:.1em .4em}
"""


def esc(x: Any) -> str:
    return html.escape(str(x))


def verdict_badge(verdict: str) -> str:
    return f"<span class='v' style='background:{COLORS.get(verdict, '#555')}'>{esc(verdict)}</span>"


def statements(theorems: list[dict]) -> str:
    """The cited Lean names with their statements as the checker printed them (escaped, monospace)."""
    if not theorems:
        return ""
    items = []
    for t in theorems:
        st = t.get("statement")
        if st:
            full = " ".join(st.split())
            # the library's ordered-field context, the same for every statement, shown as […] (full text on hover)
            short = re.sub(r"(?:\s*\[inst(?:_\d+)? : [^\]]*\])+", " […]", full)
            body = f"<span class='st' title='{esc(full)}'>{esc(short)}</span>"
        else:
            body = "<span class='na'>(no statement: not in the checked library of this run)</span>"
        axs = t.get("axioms")
        ax = "" if axs is None else (f" <span class='ax'>axioms: {esc(', '.join(axs)) or 'none'}</span>")
        items.append(f"<li><code>{esc(t['name'])}</code> : {body}{ax}</li>")
    return f"<ul class='thm'>{''.join(items)}</ul>"


_FAMILY = {"isotropic": "quadratic", "minibatch": "parametric"}


def evidence(c: dict, results: dict | None = None) -> str:
    """A claim's evidence as plain text, float noise removed and the §5.1 pair fractions as counts."""
    text = c.get("evidence") or ""
    fam = next((f for word, f in _FAMILY.items() if word in c.get("claim", "")), None)
    clus = (((results or {}).get("benchmark_5_1") or {}).get("clustering") or {}).get(fam or "") or {}
    if c.get("where") == "§5.1" and clus:
        for label, key in (("judged same class: ", "same_s"), ("judged same: ", "same_optimizer")):
            v, n = clus.get(f"{key}_judged_same"), clus.get(f"{key}_pairs")
            if isinstance(v, (int, float)) and isinstance(n, int):
                text = re.sub(re.escape(label) + r"[0-9.]+", label + fraction(v, n), text, count=1)
    return tidy(text)


def _claims_table(claims: list[dict], results: dict | None = None) -> str:
    rows = []
    for c in claims:
        where = esc(c["where"])
        if c.get("id"):
            where = f"<a href='blueprint.html#claim-{esc(c['id'])}' title='in the blueprint'>{where}</a>"
        rows.append(
            f"<tr id='claim-{esc(c['id'])}'>" if c.get("id") else "<tr>")
        rows.append(
            f"<td>{where}</td><td>{esc(c['claim'])}</td><td>{verdict_badge(c['verdict'])}</td>"
            f"<td>{esc(evidence(c, results))}{statements(c.get('theorems') or [])}</td></tr>")
    return ("<table><tr><th>where</th><th>claim</th><th>verdict</th><th>behind it (cited Lean statements "
            "below the evidence; the blueprint links each to its proof and tests)</th></tr>" + "".join(rows)
            + "</table>")


# -- closed forms ----------------------------------------------------------------------------------------

#: Forms too long to read in full, shown as the equation they solve (the full form is in report.json).
#: forms shown as the equation they solve: (optimizer, field) -> (left side: a form of the optimizer's
#: derivation in ``theory``, right side, note); the equation comes from the derivation, not from this file
IMPLICIT: dict[tuple[str, str], tuple[str, str, str]] = {
    ("adam", "steady_state"): (
        "drift", "0",
        "e* is the steady state of the self-consistent drift (r = √(λ²e + σ²) depends on e): its one positive "
        "root (Descartes), solved by Viète in report.json"),
    ("adam", "contraction_factor"): (
        "drift", "gamma",
        "the factor is exp(−γ), with γ minus the drift's slope in e, taken at e* (from theory's derivation)"),
}
LONG = 40  # operation count above which a form without an IMPLICIT entry is shown by its value only


def _point(at: dict, names: set[str] | None = None) -> str:
    parts = [M.equation(k, repr(float(v))) for k, v in at.items() if names is None or k in names]
    return ", ".join(parts)


def _form_cell(name: str, field: str, text: str, value: Any) -> str:
    val = f" <span class='note'>= {num(value)} at the point below</span>" if isinstance(value, (int, float)) else ""
    implicit = IMPLICIT.get((name, field))
    try:
        if implicit:
            from ..theory import SYMBOLS, derive

            import sympy

            form, rhs, note = implicit
            expr = derive(name).forms[form]
            lhs, rhs = (str(expr), rhs) if rhs != "gamma" else \
                (rhs, str(sympy.simplify(-sympy.diff(expr, SYMBOLS["e"]))))
            tex = M.latex(text)
            return (f"{M.equation(lhs, rhs)}{val}<div class='note' title='{esc(tex)}'>{esc(note)} "
                    "(LaTeX of the explicit form on hover)</div>")
        if M.size(text) > LONG:
            return (f"<span title='{esc(M.latex(text))}'>{M.size(text)}-operation closed form "
                    f"(in report.json; LaTeX on hover)</span>{val}")
        return M.math(text) + val
    except Exception:  # an unparsable string is shown as stored
        return f"<code>{esc(text)}</code>{val}"


def _closed_forms_table(cf: dict) -> str:
    at = cf.get("at") or {}
    rows = []
    for name, d in cf.get("optimizers", {}).items():
        values = d.get("values") or {}
        own = {k: v for k, v in (d.get("at") or {}).items() if at.get(k) != v}  # a spec's defaults
        label = esc(name) + (f"<br><span class='note'>{_point(own)}</span>" if own else "")
        rows.append(
            f"<tr><td>{label}</td><td>{_form_cell(name, 'steady_state', d['steady_state'], values.get('steady_state'))}"
            f"</td><td>{_form_cell(name, 'contraction_factor', d['contraction_factor'], values.get('contraction_factor'))}"
            f"</td><td>{M.condition(d['stability'])}</td></tr>")
    return ("<table><tr><th>optimizer</th><th>steady state e*</th><th>contraction factor</th>"
            "<th>stability region</th></tr>" + "".join(rows) + "</table>"
            + (f"<p class='note'>Values at the report's point {_point(at)} (each form uses the parameters it has; "
               "a spec's own defaults, printed under its name, replace or extend it). "
               "Hover a formula for its LaTeX.</p>" if at else ""))


# -- numbers -------------------------------------------------------------------------------------------

def _z_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


_SKIP = {"energies", "gamma_hat", "k", "delta", "lower", "upper", "weighted_bound", "seed_shape"}


def _cells(d: dict) -> list[tuple[str, str, bool]]:
    """(label, html, numeric) per entry of a flat record, pairing ``x`` with ``x_se`` (or ``s_diff`` with
    ``se_diff``), ``z`` with its two-sided p-value and ``*_judged_same`` with its pair count."""
    out, used = [], set()
    for k, v in d.items():
        if k in used:
            continue
        se_key = next((c for c in (f"{k}_se", "se_diff" if k == "s_diff" else "") if c and c in d), None)
        if se_key and isinstance(v, (int, float)) and isinstance(d[se_key], (int, float)):
            out.append((f"{k} ± s.e.", estimate(v, d[se_key]), True))
            used.add(se_key)
        elif k == "z" and isinstance(v, (int, float)):
            out.append(("z", num(v, 3), True))
            out.append(("p (two-sided)", pvalue(_z_p(v)), True))
        elif k in ("p", "p_value", "pvalue") or k.endswith("_p_value"):
            out.append((k, pvalue(v), True))
        elif k.endswith("_judged_same") and isinstance(d.get(k.replace("judged_same", "pairs")), int):
            n = d[k.replace("judged_same", "pairs")]
            used.add(k.replace("judged_same", "pairs"))
            out.append((k, fraction(v, n), True))
        elif k == "same_class_fraction" and isinstance(d.get("n_compared"), int):
            used.add("n_compared")
            out.append(("same class", fraction(v, d["n_compared"]), True))
        else:
            out.append((k, value_html(v), isinstance(v, (int, float)) and not isinstance(v, bool)))
    return out


def value_html(v: Any, depth: int = 0) -> str:
    """A JSON value for a table cell: numbers rounded, short lists inline, records as small tables."""
    if isinstance(v, dict):
        if not v:
            return "—"
        if depth >= 2:
            return esc(", ".join(f"{k}: {tidy(str(x))}" for k, x in v.items()))
        return ("<table class='sub'>" + "".join(f"<tr><td>{esc(k)}</td><td class='{'n' if n else ''}'>{h}</td></tr>"
                                                 for k, h, n in _cells(v)) + "</table>")
    if isinstance(v, list):
        if len(v) > 12:
            return f"<span class='note'>{len(v)} values (in report.json)</span>"
        if v and all(isinstance(x, dict) for x in v):
            return records_table(v)
        return "[" + ", ".join(value_html(x, depth + 1) for x in v) + "]"
    if isinstance(v, str):
        return esc(tidy(v))
    return num(v)


def records_table(rows: list[dict], skip: set[str] = _SKIP) -> str:
    """A list of flat records as one table (columns in first-seen order, estimates paired with their s.e.)."""
    cells = [[(k, h, n) for k, h, n in _cells({k: v for k, v in r.items() if k not in skip})] for r in rows]
    cols: list[str] = []
    for c in cells:
        for k, _, _ in c:
            if k not in cols:
                cols.append(k)
    body = []
    for c in cells:
        m = {k: (h, n) for k, h, n in c}
        body.append("<tr>" + "".join(f"<td class='{'n' if m.get(k, ('', False))[1] else ''}'>{m.get(k, ('—',))[0]}</td>"
                                     for k in cols) + "</tr>")
    return ("<table class='sub'><tr>" + "".join(f"<th>{esc(k)}</th>" for k in cols) + "</tr>" + "".join(body)
            + "</table>")


def kv_table(d: dict) -> str:
    return ("<table class='kv'>" + "".join(f"<tr><td>{esc(k)}</td><td class='{'n' if n else ''}'>{h}</td></tr>"
                                           for k, h, n in _cells(d)) + "</table>")


def _grouped(d: dict) -> str:
    """A summary as a key/value table, with runs of records sharing one set of keys (three or more, e.g.
    one per optimizer and batch size) pulled out as one table with a row each."""
    shapes: dict[tuple, list[str]] = {}
    for k, v in d.items():
        if isinstance(v, dict) and v and all(not isinstance(x, (dict, list)) for x in v.values()):
            shapes.setdefault(tuple(v), []).append(k)
    groups = [ks for ks in shapes.values() if len(ks) >= 3 and len(shapes) and len(next(iter(d[ks[0]]))) > 0]
    grouped = {k for ks in groups for k in ks}
    out = kv_table({k: v for k, v in d.items() if k not in grouped})
    for ks in groups:
        out += records_table([{"": k, **d[k]} for k in ks])
    return out


#: per section key, for a result without a ``summary``: the parts of it the page shows
_SHOWN = {s.key: s.shown for s in SECTIONS}
#: per section key, its stage's title
_TITLES = {s.key: s.title for s in SECTIONS}


def _stage_summary(key: str, res: Any) -> str:
    if not isinstance(res, dict):
        return f"<p>{value_html(res)}</p>"
    summary = res.get("summary")
    if isinstance(summary, dict) and summary:
        return _grouped(summary)
    parts = []
    for part in _SHOWN.get(key, ()):
        if part in res:
            v = res[part]
            parts.append(f"<h4>{esc(part)}</h4>" + (records_table(v) if isinstance(v, list) and v
                                                     and all(isinstance(x, dict) for x in v) else value_html(v)))
    return "".join(parts) or "<p class='note'>no summary numbers (all results in report.json)</p>"


def _stage_times(meta: dict) -> str:
    secs = meta.get("stage_seconds") or {}
    total = sum(v for v in secs.values() if isinstance(v, (int, float)))
    rows = "".join(f"<tr><td>{esc(_TITLES.get(k, k))}</td><td class='n'>{v:.1f}</td></tr>" for k, v in secs.items())
    return (f"<table><tr><th>stage</th><th>seconds</th></tr>{rows}"
            f"<tr><th>total</th><th class='n'>{total:.1f}</th></tr></table>")


def page(title: str, body: list[str]) -> str:
    return "\n".join([f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>",
                      f"<style>{CSS}</style></head><body>", *body, "</body></html>"])


def write_html(report: dict, path: Path) -> None:
    """Write the page: verdicts first, then closed forms, figures with captions, then each stage's numbers."""
    meta = report["meta"]
    results = report["results"]
    counts = {v: sum(c["verdict"] == v for c in report["claims"]) for v in COLORS}
    parts = [
        "<h1>Universality classes of spectral learning dynamics: report</h1>",
        f"<p>{'Quick run' if meta['quick'] else 'Full run'} on {esc(meta['device'])}, seed {meta['seed']}, Python "
        f"{esc(meta.get('python', '?'))}. Every number on this page is in <code>report.json</code>.</p>",
        "<nav><b>Pages:</b> this report · <a href='blueprint.html'>blueprint</a> (each claim → its Lean "
        "declarations, their axioms, the SymPy form, the tests and simulations that check it, and the dependency "
        "graph of the Lean library). <b>Verdicts:</b> "
        + ", ".join(f"{verdict_badge(v)} {n}" for v, n in counts.items()) + f" of {len(report['claims'])} claims. "
        "<b>Sections:</b> <a href='#verdicts'>verdicts</a> · <a href='#closed-forms'>closed forms</a> · "
        "<a href='#figures'>figures</a> · <a href='#stages'>stage numbers</a> · <a href='#times'>stage times</a>"
        + "</nav>",
        "<h2 id='verdicts'>Verdicts on the claims of the paper (seed 000) and of the companion seeds (001–004)</h2>",
        _claims_table(report["claims"], results),
    ]
    parts.append("<h2 id='closed-forms'>Closed forms</h2>")
    parts.append(_closed_forms_table(results["closed_forms"]) if "closed_forms" in results
                 else "<p class='note'>not computed in this run</p>")
    parts.append("<h2 id='figures'>Figures</h2>")
    for fig in report.get("figures", []):
        parts.append(
            f"<figure><img src='{esc(fig['file'])}' alt='{esc(fig['title'])}'>"
            f"<figcaption><b>{esc(fig['title'])}.</b> {esc(tidy(fig['caption']))}</figcaption></figure>")
    parts.append("<h2 id='stages'>Stage summaries</h2>")
    for key, res in results.items():
        if key == "closed_forms":
            continue
        parts.append(f"<h3>{esc(_TITLES.get(key, key))} <span class='note'>({esc(key)})</span></h3>"
                     + _stage_summary(key, res))
    parts += ["<h2 id='times'>Stage times</h2>", _stage_times(meta)]
    path.write_text(page("Spectral universality report", parts))
