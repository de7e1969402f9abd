"""The ``lean.js`` symbol-lookup patch changes nothing but speed.

The positive and negative control packages (``fixtures/good``, ``fixtures/neg``: ``prelude`` files, a few
seconds each) are compiled module by module with the patched and with the original ``lean.js`` (rebuilt
from the patched file and checked against the hash recorded before patching). Lean's messages must be
identical, the negative controls' errors included, and every output part must exist in both.

Byte identity is not the criterion, because this Lean build is not byte-reproducible: two compiles of one
file by the *same* ``lean.js`` can differ in the bytes of ``M.olean``, ``M.ir`` and ``M.olean.server``
(measured: 3 of 3 parts differed between two patched runs at the default thread count), since the order of
objects in the compacted region follows the elaborator's thread timing. What must agree is what the module
declares: for ``M.olean`` and ``M.olean.private``, the imports and, for every constant, its kind, universe
parameters, the structural hashes of its type and proof (``Expr.Data``) and the constants they mention
(:meth:`~spectral_universality.verify.olean.Olean.fingerprint`). ``M.ir`` and ``M.olean.server`` (compiler IR,
docstrings and source ranges) must have the same size.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from spectral_universality.verify.check import OUTPUT_SUFFIXES, _Job, _run_wasm, output_paths, scan_library
from spectral_universality.verify.olean import read_olean
from spectral_universality.verify.toolchain import (LEAN_JS_PATCH, default_cache_dir, ensure_wasm, patch_lean_js,
                                                    unpatched_lean_js)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def toolchains():
    """The patched toolchain and its unpatched twin; skipped (with the reason) when none can be installed."""
    cache = default_cache_dir()
    if not (shutil.which("npm") or (cache / "toolchain" / "toolchain.json").exists()):
        pytest.skip("no npm on PATH and no installed WebAssembly Lean: the checker cannot run here")
    tc = ensure_wasm(cache, print)
    if tc.patch not in ("applied", "already applied"):
        pytest.skip(f"lean.js is not patched here ({tc.patch}): nothing to compare")
    return tc, unpatched_lean_js(tc)


def _compile_package(tc, pkg: Path, work: Path) -> dict[str, dict]:
    """Compile every module of ``pkg`` in import order into ``work/build``; module -> messages and output bytes."""
    lib = scan_library(pkg)
    stage, build = work / "src", work / "build"
    shutil.copytree(pkg, stage)
    build.mkdir(parents=True)
    out: dict[str, dict] = {}
    for m in lib.order():
        rel = lib.paths[m]
        olean = build / rel.with_suffix(".olean")
        if any(out[d]["returncode"] != 0 for d in lib.imports[m]):
            continue
        res = _run_wasm(tc, _Job(m, "", stage / rel, olean), stage, build, set())
        files = {}
        for suffix, path in output_paths(olean).items():
            if not path.exists():
                continue
            if suffix in (".olean", ".olean.private"):
                with read_olean(olean, level="private" if suffix == ".olean.private" else "exported") as ol:
                    files[suffix] = ol.fingerprint()
            else:
                files[suffix] = path.stat().st_size
        out[m] = {"returncode": res["returncode"], "messages": res["messages"], "files": files}
    return out


@pytest.mark.lean
@pytest.mark.slow
@pytest.mark.parametrize("package", ["good", "neg"])
def test_patched_and_unpatched_lean_agree(toolchains, package, tmp_path_factory):
    patched, unpatched = toolchains
    base = default_cache_dir() / "runs" / f"patch-{uuid.uuid4().hex[:8]}"  # the wasm Lean sees only /tmp
    try:
        with cf.ThreadPoolExecutor(max_workers=2) as pool:
            fa = pool.submit(_compile_package, patched, FIXTURES / package, base / "patched")
            fb = pool.submit(_compile_package, unpatched, FIXTURES / package, base / "unpatched")
            a, b = fa.result(), fb.result()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert a.keys() == b.keys() and a, (sorted(a), sorted(b))
    for m in a:
        assert a[m]["returncode"] == b[m]["returncode"], m
        assert json.dumps(a[m]["messages"], sort_keys=True) == json.dumps(b[m]["messages"], sort_keys=True), m
        assert a[m]["files"].keys() == b[m]["files"].keys(), m
        for suffix, data in a[m]["files"].items():
            assert data == b[m]["files"][suffix], f"{m}{suffix}: what the module declares differs between " \
                                                  "patched and unpatched lean.js"
    if package == "neg":  # the comparison covers rejected modules too
        assert any(r["returncode"] != 0 or any(x["severity"] == "error" for x in r["messages"]) for r in a.values())
    else:
        assert all(r["files"].keys() == set(OUTPUT_SUFFIXES) for r in a.values())


@pytest.mark.lean
def test_unpatched_copy_is_the_original(toolchains):
    patched, unpatched = toolchains
    text = unpatched.lean_js.read_text(encoding="utf-8", errors="replace")
    assert text.count(LEAN_JS_PATCH[0]) == 1 and LEAN_JS_PATCH[1] not in text
    assert patched.lean_js.read_text(encoding="utf-8", errors="replace").count(LEAN_JS_PATCH[1]) == 1
    assert unpatched.identity != patched.identity


@pytest.mark.parametrize("copies", [0, 2])
def test_patch_leaves_an_unexpected_file_alone(tmp_path, copies):
    js = tmp_path / "lean.js"
    js.write_text("var a=1;" + LEAN_JS_PATCH[0] * copies + "var b=2;")
    before = js.read_bytes()
    logs: list[str] = []
    rec = patch_lean_js(js, logs.append)
    assert js.read_bytes() == before
    assert rec["status"].startswith("not applied") and f"occurs {copies} times" in rec["status"]
    assert rec["sha256_before"] == rec["sha256_after"]
    assert logs and "runs unpatched" in logs[0]


def test_patch_applies_once_and_is_idempotent(tmp_path):
    js = tmp_path / "lean.js"
    js.write_text("var a=1;" + LEAN_JS_PATCH[0] + "var b=2;")
    rec = patch_lean_js(js, lambda _: None)
    assert rec["status"] == "applied" and rec["sha256_before"] != rec["sha256_after"]
    assert js.read_text() == "var a=1;" + LEAN_JS_PATCH[1] + "var b=2;"
    again = patch_lean_js(js, lambda _: None)
    assert again["status"] == "already applied" and again["sha256_after"] == rec["sha256_after"]


def test_patched_lookup_returns_the_original_index(tmp_path):
    """The replacement expression, evaluated by Node on a toy export table, gives exactly the index the
    original ``Object.keys(...).indexOf`` gives: hits, misses, inherited names, and a name added later."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node on PATH")
    script = tmp_path / "lookup.js"
    script.write_text(
        "const [oldE, newE] = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));\n"
        "const lib = {exports: {a: 1, b: 2, c: {stub: true}}}; let newSymIndex; const out = [];\n"
        "const probe = (symbol) => { eval(newE); const p = newSymIndex; eval(oldE); out.push([symbol, p, newSymIndex]); };\n"
        "for (const s of ['a', 'b', 'c', 'zz', 'toString', 'a']) probe(s);\n"
        "lib.exports.d = 4; probe('d'); probe('zz');\n"
        "console.log(JSON.stringify(out));\n")
    exprs = tmp_path / "exprs.json"
    exprs.write_text(json.dumps(list(LEAN_JS_PATCH)))
    proc = subprocess.run([node, str(script), str(exprs)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) == 8 and all(patched == original for _, patched, original in rows), rows
    assert [r[1] for r in rows] == [0, 1, 2, -1, -1, 0, 3, -1]


def test_install_under_a_permissive_umask_is_not_refused(tmp_path):
    """What the checker installs itself loses group/other write bits, so `require_private` accepts it; a file
    someone else made writable again is refused."""
    from spectral_universality.errors import ToolchainError
    from spectral_universality.verify.toolchain import _drop_group_other_write, require_private

    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    f = tmp_path / "pkg" / "sub" / "lean.js"
    f.write_text("x")
    for p in (tmp_path / "pkg", tmp_path / "pkg" / "sub", f):
        p.chmod(0o777)
    _drop_group_other_write(tmp_path / "pkg")
    for p in (tmp_path / "pkg", tmp_path / "pkg" / "sub", f):
        require_private(p, "toolchain file")
        assert p.stat().st_mode & 0o777 == 0o755
    f.chmod(0o666)
    with pytest.raises(ToolchainError, match="writable by another user"):
        require_private(f, "toolchain file")
