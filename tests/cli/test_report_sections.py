"""The report's sections follow one pattern (a module with ``stage``, its figure functions and ``claims``,
listed once in ``report/sections.py``), and the report package has no import cycle."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from spectral_universality.report.sections import SECTIONS

REPORT = Path(__file__).parents[2] / "spectral_universality" / "report"


def test_every_section_module_has_its_stage_figures_and_claims():
    assert len({s.key for s in SECTIONS}) == len(SECTIONS), "two sections share a result key"
    files = [f for s in SECTIONS for f, _, _ in s.figures]
    assert len(set(files)) == len(files), "two figures share a file name"
    keys = {s.key for s in SECTIONS}
    for s in SECTIONS:
        module = s.load()
        assert list(inspect.signature(module.stage).parameters) == ["ctx"], s.module
        params = inspect.signature(module.claims).parameters
        assert set(s.reads) <= keys - {s.key} and set(s.reads) <= set(params), (s.module, s.reads)
        for _, _, function in s.figures:
            assert len(inspect.signature(getattr(module, function)).parameters) == 2, (s.module, function)


def _imports(path: Path) -> set[str]:
    """The report modules ``path`` imports: relative imports anywhere in it (function-local and
    ``TYPE_CHECKING`` ones too), and for the registry the section modules it loads by name."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            out |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
    if path.stem == "sections":
        out |= {s.module for s in SECTIONS}
    return out


def test_report_package_has_no_import_cycle():
    modules = {p.stem: p for p in REPORT.glob("*.py")}
    graph = {m: _imports(p) & set(modules) - {m} for m, p in modules.items()}
    done: set[str] = set()

    def visit(m: str, path: list[str]) -> None:
        if m in path:
            raise AssertionError("import cycle: " + " -> ".join(path[path.index(m):] + [m]))
        if m not in done:
            for n in sorted(graph[m]):
                visit(n, path + [m])
            done.add(m)

    for m in sorted(graph):
        visit(m, [])
