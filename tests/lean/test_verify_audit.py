"""The checker's axiom verdict comes from the compiled proof terms: controls run through ``verify``.

The package ``fixtures/audit`` is checked once with the static source scan switched off, so every
rejection below is the proof-term audit's (:mod:`spectral_universality.verify.olean` reading each module's
``.olean.private``). Negative controls: a declared axiom, the same axiom three imports away, ``sorry``
reached through a helper lemma in another module, ``native_decide`` and ``decide +native`` (both rest on
``Lean.ofReduceBool``), ``Lean.trustCompiler``. Positive controls: Diaconescu's proof of excluded middle
and ``funext`` from ``Quot.sound``, re-proved in the fixture (the toolchain ships ``Init`` without proof
bodies, so ``Classical.em`` itself is a stand-in), must list exactly the axioms Lean's ``#print axioms``
gives for them, and be accepted. The issue's own example, a module whose only theorem is
``by decide +native``, is rejected by the CLI naming ``Lean.ofReduceBool``, static scan on.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from spectral_universality.verify import verify_library

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = [pytest.mark.lean, pytest.mark.slow]


@pytest.fixture(scope="module")
def audit_run(cache_dir, tmp_path_factory):
    pkg = tmp_path_factory.mktemp("audit")
    shutil.copytree(FIXTURES / "audit", pkg, dirs_exist_ok=True)
    logs: list[str] = []
    res = verify_library(pkg, cache_dir=cache_dir, toolchain="wasm", static_scan=False, log=logs.append)
    print("\n".join(logs))
    return pkg, res


def _errors_for(res, name: str) -> list[str]:
    return [e.message for e in res.errors if e.message.startswith(name + " ")]


def _by_name(res) -> dict[str, dict]:
    return {d["name"]: d for d in res.inventory["declarations"] if d["name"]}


@pytest.mark.parametrize("name, axiom", [
    ("Audit.from_bogus", "Audit.bogus"),
    ("Audit.far", "Audit.bogus"),                  # three imports away
    ("Audit.uses_priv_bogus", "Audit.bogus"),      # through a private lemma
    ("Audit.via_sorry", "sorryAx"),                # sorry in a helper lemma of another module
    ("Audit.far_sorry", "sorryAx"),
    ("AuditInit.by_native", "Lean.ofReduceBool"),
    ("AuditInit.by_decide_native", "Lean.ofReduceBool"),
    ("AuditInit.uses_trust", "Lean.trustCompiler"),
])
def test_negative_control_rejected_by_the_proof_term_audit(audit_run, name, axiom):
    _, res = audit_run
    assert not res.ok
    assert not res.inventory["static_scan"]
    msgs = _errors_for(res, name)
    assert any(axiom in m and "compiled proof term" in m for m in msgs), (name, msgs)
    assert axiom in _by_name(res)[name]["axioms"]


@pytest.mark.parametrize("name, axioms", [
    ("Audit.myEm", ["Classical.choice", "Quot.sound", "propext"]),   # what #print axioms gives for Classical.em
    ("Audit.myFunext", ["Quot.sound"]),                              # ... and for funext
    ("Audit.my_zero_add", []),
    ("Audit.far_clean", []),
])
def test_positive_control_lists_its_axioms_and_is_accepted(audit_run, name, axioms):
    _, res = audit_run
    entry = _by_name(res)[name]
    assert entry["axioms"] == axioms and entry["axiom_audit"].startswith("proof term")
    assert _errors_for(res, name) == []


def test_every_declaration_has_an_axiom_list(audit_run):
    _, res = audit_run
    for d in res.inventory["declarations"]:
        assert isinstance(d["axioms"], list), d
    assert res.inventory["audit_method"].startswith("proof terms")


def test_issue_example_rejected_by_the_cli_naming_ofReduceBool(cache_dir):
    pkg = cache_dir / "runs" / f"native-{uuid.uuid4().hex[:8]}"  # the wasm Lean sees only /tmp and /home
    (pkg / "Nat").mkdir(parents=True)
    try:
        (pkg / "Nat" / "Native.lean").write_text("theorem byNative : Nat.add 2 2 = 4 := by decide +native\n")
        proc = subprocess.run(
            [sys.executable, "-m", "spectral_universality.cli", "verify", "--lean-dir", str(pkg), "--toolchain",
             "wasm", "--cache-dir", str(cache_dir), "--json", str(pkg / "inventory.json")],
            capture_output=True, text=True, timeout=3600)
        print(proc.stdout, proc.stderr)
        assert proc.returncode == 1
        assert any("byNative depends on axiom Lean.ofReduceBool" in ln for ln in proc.stdout.splitlines())
        inv = json.loads((pkg / "inventory.json").read_text())
        entry = next(d for d in inv["declarations"] if d["name"] == "byNative")
        assert entry["axioms"] == ["Lean.ofReduceBool"]
    finally:
        shutil.rmtree(pkg, ignore_errors=True)
