"""The blueprint page (``blueprint.html``): every claim of the seeds → the Lean declarations behind it (their
statements as Lean prints them, the axioms each uses from the proof-term audit) → the SymPy closed forms →
the tests and simulations that check it (the registry) → the verdict; and a dependency graph of the Lean
library drawn as SVG, clustered by module, coloured by status.

The graph's edges ("which theorem uses which") are read from ``results["lean"]["dependencies"]`` (theorem ->
library theorems its type and proof term mention, from the compiled proof terms) when the Lean stage
provides it; :func:`dependencies_from_inventory` builds that map from the checker's inventory (its ``uses``
per declaration). Without it the graph shows claims → the theorems they cite, and says so.

The SVG is laid out by Graphviz ``dot`` when it is installed, by a built-in layered layout otherwise.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import mathml as M
from .html import COLORS, esc, evidence, page, verdict_badge

NAMESPACE = "SpectralUniversality."
REPO = Path(__file__).resolve().parents[2]

_BP_CSS = """
.claim{border:1px solid #ddd;border-left:6px solid var(--c);border-radius:4px;padding:.4em .9em;margin:1em 0}
.claim h3{margin:.3em 0;font-size:1.05em}.chain{margin:.3em 0 .3em 1em}.chain dt{font-weight:600;margin-top:.4em}
.chain dd{margin:.1em 0 .3em 1.2em}.decl{border-top:1px dashed #ddd;padding:.3em 0}
pre.lean{background:#f7f7f7;white-space:pre-wrap;word-break:break-word;font-size:.82em;margin:.2em 0}
.graph{overflow:auto;border:1px solid #ddd;max-height:1100px}.graph svg{display:block}
.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:.9em;height:.9em;
border-radius:2px;margin-right:.3em;vertical-align:-.1em}
"""


def short(name: str) -> str:
    return name.split(NAMESPACE, 1)[-1]


def dependencies_from_inventory(inventory: dict) -> dict[str, list[str]]:
    """Theorem -> the library theorems its type and proof term use, from the checker's inventory (``uses``)."""
    theorems = {d["name"] for d in inventory.get("declarations", []) if d.get("name")
                and d.get("kind") in ("theorem", "lemma")}
    return {short(d["name"]): sorted(short(u) for u in d.get("uses") or () if u in theorems)
            for d in inventory.get("declarations", []) if d.get("name") in theorems and "uses" in d}


@lru_cache(maxsize=1)
def lean_sources(lean_dir: str | None = None) -> dict[str, dict]:
    """Short name -> {module, file, line, kind, docstring} of every declaration in ``lean/`` (parsed, not
    compiled; used for the module clusters and source links)."""
    from ..verify.source import module_name, parse_declarations

    root = Path(lean_dir) if lean_dir else REPO / "lean"
    out: dict[str, dict] = {}
    if not root.is_dir():
        return out
    for f in sorted(root.rglob("*.lean")):
        rel = f.relative_to(root)
        if any(p.startswith(".") for p in rel.parts) or rel.parts[0] == "build":
            continue
        for d in parse_declarations(f.read_text(), module_name(rel), str(rel)):
            if d.name:
                out[short(d.name)] = {"module": d.module, "file": f"lean/{rel}", "line": d.line, "kind": d.kind,
                                      "docstring": d.docstring, "private": d.private}
    return out


@lru_cache(maxsize=1)
def _test_mentions() -> dict[str, list[str]]:
    """Test file -> its text, once (to list which tests name a theorem)."""
    root = REPO / "tests"
    return {str(p.relative_to(REPO)): p.read_text(errors="replace") for p in sorted(root.rglob("*.py"))} \
        if root.is_dir() else {}


def tests_naming(name: str) -> list[str]:
    pat = re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w])")
    return [f for f, text in _test_mentions().items() if pat.search(text)]


def _links() -> dict[str, Any]:
    try:
        from ..registry import LINKS
    except Exception:  # pragma: no cover - registry needs hypothesis; the page still renders
        return {}
    return {short(l.theorem): l for l in LINKS}


def _forms() -> dict[str, Any]:
    try:
        from ..theory import closed_forms

        return closed_forms()
    except Exception:  # pragma: no cover
        return {}


# -- status --------------------------------------------------------------------------------------------

def _checked(results: dict) -> dict[str, str | None]:
    lean = results.get("lean") or {}
    if not (lean.get("checked") and lean.get("ok")):
        return {}
    return {short(k): v for k, v in {**(lean.get("definitions") or {}), **(lean.get("theorems") or {})}.items()}


def _axioms(results: dict) -> dict[str, list[str] | None]:
    return {short(k): v for k, v in ((results.get("lean") or {}).get("axioms") or {}).items()}


# -- graph ---------------------------------------------------------------------------------------------

def _graph_model(claims: list[dict], results: dict, deps: dict[str, list[str]] | None) -> dict:
    """Nodes (id, label, status, cluster, href) and edges of the graph to draw."""
    checked = _checked(results)
    src = lean_sources()
    nodes: dict[str, dict] = {}
    edges: list[tuple[str, str]] = []

    def thm(n: str) -> str:
        nid = f"t:{n}"
        if nid not in nodes:
            nodes[nid] = {"label": n.split(".")[-1] if len(n) > 34 else n, "title": n,
                          "status": "proven" if n in checked else "open",
                          "cluster": (src.get(n) or {}).get("module", "SpectralUniversality (not in lean/)"),
                          "kind": (src.get(n) or {}).get("kind", "theorem"),
                          "href": f"#thm-{n}"}
        return nid

    if deps:
        # the proof skeleton behind the claims: cited declarations and the library theorems their proofs use,
        # followed through definitions, structure fields and Basic's order facts (which are not drawn)
        def drawn(n: str) -> bool:
            info = src.get(n)
            return info is not None and info["kind"] in ("theorem", "lemma") and \
                info["module"] != "SpectralUniversality.Basic" and "_private." not in n

        def reach(n: str) -> set[str]:
            out, todo, seen = set(), list(deps.get(n, [])), {n}
            while todo:
                u = todo.pop()
                if u in seen:
                    continue
                seen.add(u)
                if drawn(u):
                    out.add(u)
                else:
                    todo.extend(deps.get(u, []))
            return out

        todo = [t["name"] for c in claims for t in (c.get("theorems") or [])]
        done: set[str] = set()
        while todo:
            t = todo.pop()
            if t in done:
                continue
            done.add(t)
            for u in reach(t):
                edges.append((thm(t), thm(u)))
                todo.append(u)
    for i, c in enumerate(claims):
        if not c.get("theorems"):
            continue
        cid = f"c:{c.get('id') or i}"
        nodes[cid] = {"label": c.get("id") or c["where"], "title": c["claim"][:200], "status": c["verdict"],
                      "cluster": "claims", "href": f"#claim-{c.get('id') or i}"}
        for t in c["theorems"]:
            edges.append((cid, thm(t["name"])))
    return {"nodes": nodes, "edges": _reduce(sorted(set(edges)))}


def _reduce(edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Transitive reduction among declarations (a → c is dropped when a → b → … → c is drawn): the graph says
    what rests on what with far fewer lines. Claim edges are kept. Cycles (impossible in Lean) are left as is."""
    succ: dict[str, set[str]] = {}
    for a, b in edges:
        succ.setdefault(a, set()).add(b)
    reach: dict[str, frozenset[str]] = {}

    def below(n: str, stack: frozenset = frozenset()) -> frozenset[str]:
        if n in reach:
            return reach[n]
        if n in stack:
            return frozenset()
        out: set[str] = set()
        for m in succ.get(n, ()):
            out.add(m)
            out |= below(m, stack | {n})
        reach[n] = frozenset(out)
        return reach[n]

    import sys

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(succ) + 1000))
    kept = []
    for a, b in edges:
        if a.startswith("c:") or not any(b in below(m) for m in succ[a] if m != b):
            kept.append((a, b))
    return kept


_FILL = {k: v for k, v in COLORS.items()}


def _dot_source(model: dict) -> str:
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph blueprint {", "rankdir=LR; ranksep=0.5; nodesep=0.12; newrank=true;",
             'node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, fontcolor=white, '
             'height=0.25, margin="0.08,0.03"];', 'edge [color="#8899aa", arrowsize=0.5];',
             'graph [fontname="Helvetica", fontsize=11, style=rounded, color="#bbbbbb"];']
    clusters: dict[str, list[str]] = {}
    for nid, n in model["nodes"].items():
        clusters.setdefault(n["cluster"], []).append(nid)
    for i, (cl, ids) in enumerate(sorted(clusters.items(), key=lambda kv: (kv[0] != "claims", kv[0]))):
        lines.append(f"subgraph cluster_{i} {{ label={q(cl)};")
        if cl == "claims":  # the claims in one column on the left, whatever their theorems use
            lines.append("{ rank=min; " + " ".join(q(n) for n in ids) + " }")
        for nid in ids:
            n = model["nodes"][nid]
            shape = ", shape=ellipse" if n.get("kind") in ("def", "abbrev", "structure", "instance") else ""
            lines.append(f"{q(nid)} [label={q(n['label'])}, tooltip={q(n['title'])}, URL={q(n['href'])}, "
                         f"fillcolor={q(_FILL.get(n['status'], '#555555'))}{shape}];")
        lines.append("}")
    for a, b in model["edges"]:
        lines.append(f"{q(a)} -> {q(b)};")
    lines.append("}")
    return "\n".join(lines)


def _svg_dot(model: dict, dot: str) -> str:
    res = subprocess.run([dot, "-Tsvg"], input=_dot_source(model), capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-500:])
    svg = res.stdout
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return svg


def _svg_layered(model: dict) -> str:
    """A layered drawing without Graphviz: columns by longest path from the claims, rows grouped by module."""
    nodes, edges = model["nodes"], model["edges"]
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    indeg = {n: 0 for n in nodes}
    for a, b in edges:
        succ[a].append(b)
        indeg[b] += 1
    layer = {n: 0 for n in nodes}
    # longest path layering on the DAG (a cycle, impossible in Lean, is cut by the iteration bound)
    order = [n for n in nodes if indeg[n] == 0]
    seen = set(order)
    i = 0
    while i < len(order):
        a = order[i]
        i += 1
        for b in succ[a]:
            if layer[b] < layer[a] + 1 and layer[a] + 1 < len(nodes):
                layer[b] = layer[a] + 1
            indeg[b] -= 1
            if indeg[b] <= 0 and b not in seen:
                seen.add(b)
                order.append(b)
    cols: dict[int, list[str]] = {}
    for n, l in layer.items():
        cols.setdefault(l, []).append(n)
    cw, rh, pad = 250, 22, 20
    pos = {}
    height = 0
    for l, ids in sorted(cols.items()):
        ids.sort(key=lambda n: (nodes[n]["cluster"], nodes[n]["label"]))
        y = pad + 18
        prev = None
        for n in ids:
            if prev is not None and nodes[n]["cluster"] != prev:
                y += 18
            pos[n] = (pad + l * cw, y)
            y += rh
            prev = nodes[n]["cluster"]
        height = max(height, y)
    width = pad * 2 + (max(cols) + 1) * cw if cols else 200
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height + pad}' "
             f"viewBox='0 0 {width} {height + pad}' font-family='Helvetica,Arial,sans-serif' font-size='10'>",
             "<defs><marker id='arr' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='6' markerHeight='6' "
             "orient='auto'><path d='M0,0L10,5L0,10z' fill='#8899aa'/></marker></defs>"]
    bw = cw - 40
    for a, b in edges:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        sx, sy, ex, ey = x1 + bw, y1 + 8, x2, y2 + 8
        mx = (sx + ex) / 2
        parts.append(f"<path d='M{sx},{sy} C{mx},{sy} {mx},{ey} {ex},{ey}' fill='none' stroke='#8899aa' "
                     "stroke-width='0.8' marker-end='url(#arr)'/>")
    for l, ids in sorted(cols.items()):
        prev = None
        for n in ids:
            x, y = pos[n]
            node = nodes[n]
            if node["cluster"] != prev:
                parts.append(f"<text x='{x}' y='{y - 4}' fill='#777' font-size='9'>{esc(node['cluster'])}</text>")
                prev = node["cluster"]
            label = node["label"] if len(node["label"]) <= 38 else node["label"][:36] + "…"
            parts.append(f"<a href='{esc(node['href'])}'><title>{esc(node['title'])}</title>"
                         f"<rect x='{x}' y='{y}' width='{bw}' height='16' rx='4' "
                         f"fill='{_FILL.get(node['status'], '#555')}'/>"
                         f"<text x='{x + 5}' y='{y + 11.5}' fill='#fff'>{esc(label)}</text></a>")
    parts.append("</svg>")
    return "".join(parts)


def graph_svg(model: dict, layout: str = "auto") -> tuple[str, str]:
    """(svg, how it was laid out)."""
    dot = shutil.which("dot") if layout in ("auto", "dot") else None
    if dot:
        try:
            return _svg_dot(model, dot), "Graphviz dot"
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            return _svg_layered(model), f"built-in layered layout (dot failed: {esc(str(exc)[:200])})"
    why = "requested" if layout == "layered" else "Graphviz dot not installed"
    return _svg_layered(model), f"built-in layered layout ({why})"


# -- the page ------------------------------------------------------------------------------------------

def _doc_html(doc: str) -> str:
    """A Lean docstring's Markdown, lightly: `code` as code, **bold** as bold, everything else escaped."""
    text = esc(" ".join(doc.split()))
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


def _decl_block(t: dict, results: dict, links: dict, forms: dict, deps: dict | None, used_by: dict) -> str:
    name = t["name"]
    src = lean_sources().get(name) or {}
    checked = _checked(results)
    status = "proven" if name in checked else "open"
    where = (f"<code>{esc(src['module'])}</code>, <code>{esc(src['file'])}:{src['line']}</code>"
             if src else "<span class='na'>not found in lean/</span>")
    st = t.get("statement") or checked.get(name)
    statement = (f"<pre class='lean'>{esc(st)}</pre>" if st else
                 "<div class='na'>statement not available: the Lean library was not checked in this run "
                 "(it is printed by the checker)</div>")
    axs = t.get("axioms") if t.get("axioms") is not None else _axioms(results).get(name)
    ax = ("<span class='na'>axioms: not audited in this run</span>" if axs is None else
          f"<span class='ax'>axioms (proof-term audit): {esc(', '.join(axs)) or 'none'}</span>")
    doc = f"<div class='note'>{_doc_html(src['docstring'])}</div>" if src.get("docstring") else ""
    uses = ""
    if deps is not None:
        u = deps.get(name) or []
        b = used_by.get(name) or []
        uses = ("<div class='note'>uses: " + (", ".join(f"<a href='#thm-{esc(x)}'>{esc(x)}</a>" for x in u)
                                              or "no library theorem")
                + (" · used by: " + ", ".join(f"<a href='#thm-{esc(x)}'>{esc(x)}</a>" for x in b) if b else "")
                + "</div>")
    link = links.get(name)
    if link is not None:
        frm = []
        for f in link.forms:
            expr = forms.get(f)
            frm.append(f"<li><code>{esc(f)}</code> = {M.math(expr) if expr is not None else '(not in theory)'}</li>")
        check = getattr(link.check, "__name__", "check")
        reg = (f"<dt>SymPy form (theory.closed_forms)</dt><dd><ul>{''.join(frm) or '<li>none</li>'}</ul></dd>"
               f"<dt>Checked by (registry)</dt><dd>conclusion: {esc(link.conclusion)}<br>hypotheses: "
               f"{esc(link.hypotheses)}<br>simulation: <code>registry.{esc(check)}</code>; Hypothesis property "
               "tests inside the hypotheses" + (" and just outside them" if link.outside is not None else
                                                 f" (no outside case: {esc(link.outside_note)})") + "</dd>")
    else:
        reg = "<dt>Registry</dt><dd class='note'>not linked to a closed form or simulation (see registry.UNLINKED)</dd>"
    tests = tests_naming(name)
    tlist = ", ".join(f"<code>{esc(x)}</code>" for x in tests) or "<span class='note'>none names it directly</span>"
    return (f"<div class='decl' id='thm-{esc(name)}'><code><b>{esc(name)}</b></code> "
            f"({esc(t.get('kind') or src.get('kind') or 'theorem')}) {verdict_badge(status)} in {where}{doc}"
            f"{statement}{ax}{uses}<dl class='chain'>{reg}<dt>Tests naming it</dt><dd>{tlist}</dd></dl></div>")


def write_blueprint(report: dict, path: Path, deps: dict[str, list[str]] | None = None,
                    layout: str = "auto") -> dict:
    """Write ``blueprint.html``; returns {"graph": how it was drawn, "edges_from": ...}."""
    results = report.get("results") or {}
    claims = report.get("claims") or []
    if deps is None:
        raw = (results.get("lean") or {}).get("dependencies")
        deps = {short(k): [short(x) for x in v] for k, v in raw.items()} if isinstance(raw, dict) else None
    links, forms = _links(), _forms()
    used_by: dict[str, list[str]] = {}
    for t, us in (deps or {}).items():
        for u in us:
            used_by.setdefault(u, []).append(t)
    model = _graph_model(claims, results, deps)
    svg, how = graph_svg(model, layout)
    lean = results.get("lean") or {}
    if deps:
        edges_from = (f"Edges: the library theorems each cited declaration's statement and proof use, read from the "
                      f"compiled proof terms of {len(deps)} declarations and followed through definitions, structure "
                      "fields and Basic's order facts (not drawn); plus claims → the declarations they cite. An edge "
                      "implied by a longer path is not drawn. Every declaration has its entry below.")
    else:
        edges_from = ("No dependency map in this run (<code>results[\"lean\"][\"dependencies\"]</code> is absent"
                      + ("" if lean.get("checked") else ": the Lean library was not checked")
                      + "), so the graph shows only claims → the Lean theorems they cite.")
    lean_state = ("checked, ok" if lean.get("checked") and lean.get("ok") else
                  "checked, FAILED" if lean.get("checked") else "not checked in this run (so nothing is proven)")
    legend = "".join(f"<span><i style='background:{c}'></i>{v}</span>" for v, c in COLORS.items())
    parts = [
        "<h1>Blueprint: claims, Lean declarations, closed forms, checks</h1>",
        "<nav><a href='index.html'>← the report</a> · <a href='#graph'>dependency graph</a> · "
        f"<a href='#claims'>claims</a>. Lean library: {esc(lean_state)}"
        + (f"; toolchain {esc(lean.get('toolchain'))}, audit {esc(lean.get('audit'))}" if lean.get("checked") else "")
        + ".</nav>",
        "<h2 id='graph'>Dependency graph</h2>",
        f"<p class='legend'>{legend} <span class='note'>Theorems are proven when the checker accepted them in "
        "this run; claims carry their verdict. Click a node for its entry.</span></p>",
        f"<p class='note'>{edges_from} Clustered by Lean module; laid out by {how}.</p>",
        f"<div class='graph'>{svg}</div>",
        "<h2 id='claims'>Claims</h2>",
    ]
    for i, c in enumerate(claims):
        cid = c.get("id") or str(i)
        thms = c.get("theorems") or []
        chain = "".join(_decl_block(t, results, links, forms, deps, used_by) for t in thms)
        behind = (f"<dt>Lean declarations</dt><dd>{chain}</dd>" if thms else
                  "<dt>Lean</dt><dd class='note'>no Lean statement: an experimental claim, judged from the "
                  "simulations of the report (<a href='index.html#stages'>stage numbers</a>)</dd>")
        parts.append(
            f"<div class='claim' id='claim-{esc(cid)}' style='--c:{COLORS.get(c['verdict'], '#555')}'>"
            f"<h3>{esc(c['where'])} {verdict_badge(c['verdict'])} <span class='note'>{esc(c.get('id') or '')}</span></h3>"
            f"<div>{esc(c['claim'])}</div><dl class='chain'>{behind}<dt>Verdict</dt><dd>{verdict_badge(c['verdict'])}"
            f" {esc(evidence(c, results))}</dd></dl></div>")
    cited = {t["name"] for c in claims for t in c.get("theorems") or []}
    src_names = lean_sources()
    mentioned = {nid[2:] for nid in model["nodes"] if nid.startswith("t:")} | \
        {n for k, v in (deps or {}).items() for n in [k, *v] if n in src_names}
    others = sorted(mentioned - cited, key=lambda n: ((src_names.get(n) or {}).get("module", "~"), n))
    if others:
        parts.append("<h2 id='library'>Library declarations no claim cites</h2><p class='note'>Every other "
                     "declaration of the checked library, with what it uses and what uses it. Theorems that a cited "
                     "proof rests on are drawn in the graph; definitions and Basic's order facts only here.</p>")
        src = lean_sources()
        parts += [_decl_block({"name": n, "kind": (src.get(n) or {}).get("kind")}, results, links, forms, deps,
                              used_by) for n in others]
    body = page("Spectral universality blueprint", parts).replace("</style>", _BP_CSS + "</style>", 1)
    Path(path).write_text(body)
    return {"graph": how, "nodes": len(model["nodes"]), "edges": len(model["edges"]), "dependencies": bool(deps)}
