"""The report as a reader sees it: index.html and blueprint.html opened in headless Chromium.

Checked in the browser: no console or load errors, every image decodes, every link and fragment resolves,
every MathML element renders with a non-zero box (and the browser supports ``display: math``), the dependency
graph's SVG has a size; a screenshot of each page is written next to it. Two builds: the quick report as
``spectral-universality report --quick --lean skip`` writes it, and the same report with a Lean section
(statements, axioms, a dependency map) put in, so the proven path and the graph's edges are drawn too, once
with Graphviz and once with the built-in layout.

Needs Chromium (Debian package ``chromium``; ``make test`` installs it where apt is available); skipped with
the reason otherwise.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from spectral_universality.report.browser import find_chromium, probe, screenshot

BROWSER = find_chromium()
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium on PATH (Debian: apt-get install chromium; "
                                                        "`make browser-deps` does it when run as root)")

NS = "SpectralUniversality."


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory) -> Path:
    from spectral_universality.cli import main

    out = tmp_path_factory.mktemp("browser") / "report"
    assert main(["report", "--quick", "--lean", "skip", "--out", str(out)]) == 0
    return out


def _with_lean(src: Path, dst: Path, layout: str) -> Path:
    """The quick report re-rendered with a Lean section (every cited theorem checked, with a statement, axioms
    and a dependency map) and the claims judged again on it (each cited theorem of a claim uses the next one; the graph's shape is what is tested)."""
    from spectral_universality.report.blueprint import write_blueprint
    from spectral_universality.report.html import write_html

    shutil.copytree(src, dst)
    report = json.loads((src / "report.json").read_text())
    cited = [t["name"] for c in report["claims"] for t in c.get("theorems") or []]
    from spectral_universality.report.blueprint import lean_sources

    deps: dict[str, list[str]] = {}
    for c in report["claims"]:
        names = [t["name"] for t in c.get("theorems") or []]
        for a, b in zip(names, names[1:]):
            deps.setdefault(a, []).append(b)
    # and declarations no claim cites, as the real map has (each needs its own entry on the page)
    src = lean_sources()
    for n in sorted(set(cited)):
        module = (src.get(n) or {}).get("module")
        extra = [m for m, d in sorted(src.items()) if d["module"] == module and m not in cited and not d["private"]]
        deps.setdefault(n, []).extend(extra[:2])
    uncited = {x for v in deps.values() for x in v} - set(cited)
    assert uncited
    report["results"]["lean"] = {
        "checked": True, "ok": True, "toolchain": "test", "audit": "proof term (test)",
        "theorems": {NS + n: f"theorem {n} : ∀ {{α : Type}} [inst : Field α], (0 : α) ≤ 1 ∧ ¬(1 : α) < 0"
                     for n in [*cited, *uncited]},
        "definitions": {}, "axioms": {NS + n: ["propext", "Quot.sound"] for n in [*cited, *uncited]},
        "dependencies": {NS + k: [NS + x for x in v] for k, v in deps.items()},
        "summary": {"ok": True, "theorems": len(cited)},
    }
    from spectral_universality.report.build import judge_claims

    report["claims"] = judge_claims(report["results"])  # the verdicts, evidence and statements of a checked run
    assert any(c["verdict"] == "proven" for c in report["claims"])
    (dst / "report.json").write_text(json.dumps(report))
    write_html(report, dst / "index.html")
    info = write_blueprint(report, dst / "blueprint.html", layout=layout)
    assert info["dependencies"] and info["edges"] > len(deps)
    text = (dst / "blueprint.html").read_text()
    assert all(f"id='thm-{n}'" in text for n in uncited)
    return dst


def _ids(page: Path) -> set[str]:
    return set(re.findall(r"\bid=['\"]([^'\"]+)['\"]", page.read_text()))


def _check_page(page: Path) -> dict:
    res = probe(page, BROWSER)
    assert res["errors"] == [], res["errors"]
    assert res["math_supported"], "this Chromium does not render MathML (display: math unsupported)"
    assert res["math"], f"{page.name}: no MathML element"
    flat = [m for m in res["math"] if not (m["w"] > 0 and m["h"] > 0)]
    assert not flat, f"{page.name}: MathML elements with an empty box: {flat[:5]}"
    broken = [i for i in res["images"] if not (i["complete"] and i["w"] > 0)]
    assert not broken, f"{page.name}: images that did not load: {broken}"
    bad_anchors = [a["href"] for a in res["anchors"] if not a["ok"]]
    assert not bad_anchors, f"{page.name}: fragments without a target: {bad_anchors[:10]}"
    for href in set(res["links"]):
        assert not re.match(r"^[a-z]+://", href) or href.startswith("file:"), f"{page.name}: external link {href}"
        target, _, frag = href.partition("#")
        tp = page.parent / target
        assert tp.is_file(), f"{page.name}: link to a missing file {href}"
        if frag:
            assert frag in _ids(tp), f"{page.name}: {href}: no id {frag!r} in {target}"
    png = screenshot(page, page.parent / f"{page.stem}.png", BROWSER)
    assert png.stat().st_size > 20_000, f"{png} looks blank"
    return res


@pytest.mark.slow
def test_quick_report_pages_render_in_chromium(quick_report):
    index = _check_page(quick_report / "index.html")
    assert len(index["images"]) >= 9
    blueprint = _check_page(quick_report / "blueprint.html")
    assert blueprint["svg"] and all(s["w"] > 100 and s["h"] > 100 for s in blueprint["svg"])
    text = (quick_report / "blueprint.html").read_text()
    assert "No dependency map in this run" in text
    page = (quick_report / "index.html").read_text()
    # no 16-digit floats and no raw SymPy Viète expansion left in the page
    assert not re.search(r"\d\.\d{9,}", re.sub(r"<annotation.*?</annotation>|title='[^']*'", "", page, flags=re.S))
    assert "asin(" not in re.sub(r"title='[^']*'", "", page)


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["dot", "layered"])
def test_blueprint_with_lean_section_renders(quick_report, tmp_path, layout):
    if layout == "dot" and shutil.which("dot") is None:
        pytest.skip("Graphviz dot not installed (Debian: apt-get install graphviz)")
    out = _with_lean(quick_report, tmp_path / "report", layout)
    _check_page(out / "index.html")
    res = _check_page(out / "blueprint.html")
    assert res["svg"] and all(s["w"] > 100 and s["h"] > 100 for s in res["svg"])
    text = (out / "blueprint.html").read_text()
    assert "read from the compiled proof terms" in text and "axioms (proof-term audit): propext" in text
    assert ("Graphviz dot" if layout == "dot" else "built-in layered layout") in text
