"""The native path's plumbing (``lake build`` output, ``#check``/``#print axioms`` parsing, axiom verdicts),
run against a stand-in ``lake`` that answers in Lean's output formats.

This does not check Lean itself (the wasm controls do that); it checks that the checker turns
Lean's answers into the right verdicts: an axiom outside the allowed three fails the named declaration.
"""

from __future__ import annotations

import json
import os
import stat
import sys

import pytest

from spectral_universality.verify import check, verify_library

FAKE_LAKE = r'''#!PYTHON
import json, os, re, sys
args = sys.argv[1:]
if args[:1] == ["build"]:
    print(os.environ["FAKE_LAKE_BUILD"])
    sys.exit(int(os.environ["FAKE_LAKE_RC"]))
if args[:3] == ["env", "lean", "--version"]:
    print("Lean (version 4.99.0, stand-in)")
    sys.exit(0)
if args[:3] == ["env", "lean", "--json"]:
    axioms = json.loads(os.environ["FAKE_AXIOMS"])
    for i, line in enumerate(open(args[3]).read().splitlines(), 1):
        m = re.match(r"#check @(\S+)", line)
        if m:
            data = m.group(1) + " : True"
        m2 = re.match(r"#print axioms (\S+)", line)
        if m2:
            ax = axioms.get(m2.group(1), [])
            data = (f"'{m2.group(1)}' depends on axioms: [{', '.join(ax)}]" if ax
                    else f"'{m2.group(1)}' does not depend on any axioms")
        if m or m2:
            print(json.dumps({"severity": "information", "data": data, "pos": {"line": i, "column": 0},
                              "fileName": args[3], "kind": "[anonymous]"}))
    sys.exit(0)
sys.exit(3)
'''

SRC = """\
namespace P
/-- first -/
theorem t1 : True := trivial
theorem t2 : True := trivial
end P
"""


@pytest.fixture
def fake_pkg(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lake = bin_dir / "lake"
    lake.write_text(FAKE_LAKE.replace("PYTHON", sys.executable))
    lake.chmod(lake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    pkg = tmp_path / "pkg"
    (pkg / "P").mkdir(parents=True)
    (pkg / "P" / "A.lean").write_text(SRC)
    (pkg / "P.lean").write_text("import P.A\n")
    (pkg / "lakefile.toml").write_text('name = "P"\n[[lean_lib]]\nname = "P"\n')
    monkeypatch.setenv("FAKE_LAKE_BUILD", "✔ [2/3] Built P.A (1.5s)\n✔ [3/3] Built P (0.2s)\nBuild completed")
    monkeypatch.setenv("FAKE_LAKE_RC", "0")
    monkeypatch.setenv("FAKE_AXIOMS", json.dumps({"P.t1": ["propext", "Quot.sound"]}))
    # the stand-in builds no .olean files, so the proof-term audit has nothing to read here: these tests check
    # the #print axioms plumbing alone (the audit itself is tested on real compiled files)
    monkeypatch.setattr(check, "_native_proof_audit",
                        lambda lib, tc, log: {"constants": {}, "errors": [], "seconds": 0.0, "stats": {}})
    return pkg, tmp_path / "cache"


def test_native_ok_records_axioms(fake_pkg):
    pkg, cache = fake_pkg
    res = verify_library(pkg, cache_dir=cache, toolchain="native", log=lambda s: None)
    assert res.ok, res.errors
    inv = res.inventory
    assert inv["audit"] == "static+print-axioms" and inv["toolchain"] == "Lean (version 4.99.0, stand-in)"
    by = {d["name"]: d for d in inv["declarations"]}
    assert by["P.t1"]["axioms"] == ["propext", "Quot.sound"] and by["P.t2"]["axioms"] == []
    assert by["P.t1"]["statement"] == "True" and by["P.t1"]["axiom_audit"] == "#print axioms (native)"
    assert {m.name: m.seconds for m in res.modules if m.name != "(statements)"} == {"P.A": 1.5, "P": 0.2}


def test_native_rejects_sorry_axiom(fake_pkg, monkeypatch):
    pkg, cache = fake_pkg
    monkeypatch.setenv("FAKE_AXIOMS", json.dumps({"P.t2": ["sorryAx"]}))
    res = verify_library(pkg, cache_dir=cache, toolchain="native", log=lambda s: None)
    assert not res.ok
    [err] = res.errors
    assert err.line == 4 and err.file.endswith("P/A.lean") and "sorryAx" in err.message


def test_native_build_error_is_reported_with_location(fake_pkg, monkeypatch):
    pkg, cache = fake_pkg
    monkeypatch.setenv("FAKE_LAKE_BUILD", "✖ [2/3] Building P.A\nerror: ././P/A.lean:4:21: unknown identifier 'x'\n"
                                          "error: Lean exited with code 1\nSome required builds logged failures:")
    monkeypatch.setenv("FAKE_LAKE_RC", "1")
    res = verify_library(pkg, cache_dir=cache, toolchain="native", log=lambda s: None)
    assert not res.ok
    assert [str(e) for e in res.errors] == [f"{(pkg / 'P' / 'A.lean').resolve()}:4:21: unknown identifier 'x'"]


def test_native_without_lakefile_is_input_error(fake_pkg):
    from spectral_universality.errors import InputError
    pkg, cache = fake_pkg
    (pkg / "lakefile.toml").unlink()
    with pytest.raises(InputError, match="lakefile"):
        verify_library(pkg, cache_dir=cache, toolchain="native", log=lambda s: None)
