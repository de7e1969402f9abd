"""The generated Lean certificates of the optimizer specs: committed files current, module shape, CLI output."""

import re
from pathlib import Path

import pytest

from spectral_universality.cli import main
from spectral_universality.theory.lean_spec import (NAMESPACE, builtin_modules, generated_theorems, lean_module,
                                                    lean_module_perturbed, root_with_imports, stale_modules)
from spectral_universality.theory.spec import OptimizerSpec, builtin, builtin_names

ROOT = Path(__file__).resolve().parents[2]
LEAN_DIR = ROOT / "lean"
QHM = ROOT / "examples" / "qhm.toml"


def test_committed_modules_are_current():
    stale = stale_modules(LEAN_DIR)
    assert not stale, (f"generated Lean modules out of date: {stale}; run "
                       "`python -m spectral_universality.theory.lean_spec --write lean/`")


def test_library_root_imports_every_generated_module():
    root = (LEAN_DIR / "SpectralUniversality.lean").read_text(encoding="utf-8")
    for rel in builtin_modules():
        mod = rel.removesuffix(".lean").replace("/", ".")
        assert f"public import {mod}\n" in root, mod
    assert root_with_imports(root) == root
    # a root without one of them gets it back, after the other imports
    cut = root.replace("public import SpectralUniversality.Spec.Ema\n", "")
    assert cut != root and root_with_imports(cut).count("public import SpectralUniversality.Spec.Ema\n") == 1


@pytest.mark.parametrize("name", builtin_names())
def test_module_shape(name):
    text = lean_module(builtin(name))
    assert text.startswith("module\n\npublic import SpectralUniversality.Basic\n")
    assert "@[expose] public section" in text and "do not edit" in text
    for bad in ("sorry", "admit", "axiom", "native_decide", "#check", "#eval", "decide"):
        assert not re.search(rf"(?<![\w.]){re.escape(bad)}(?![\w])", text), bad
    for role, full in generated_theorems(builtin(name)).items():
        assert full.startswith(NAMESPACE + ".")
        assert f"\ntheorem {full.rsplit('.', 1)[1]} " in text, role
    # the step is the spec's lines, literally (one `let` per update line, in order)
    lets = re.findall(r"^  let (\w+) :=", text, flags=re.M)
    assert lets[2:] == [v for v, _ in builtin(name).update]
    assert "example (i j" in text and "(F := Rat)" in text


def test_curvature_noise_and_atoms_are_variables():
    text = lean_module(builtin("precond"))
    assert "(hnoise : nz ^ 2 = σ ^ 2 * lam)" in text and "(hP_pos : 0 < P)" in text
    assert "let theta := x.theta - α * P * g" in text
    assert " p " not in text.split("namespace", 1)[1].split("/--", 1)[0]


def test_perturbed_covariance_changes_only_the_answer():
    spec = builtin("sgd")
    good, bad = lean_module(spec), lean_module_perturbed(spec)
    diff = [(a, b) for a, b in zip(good.splitlines(), bad.splitlines()) if a != b]
    assert diff and all("| .theta, .theta =>" in a or "E[theta²]" in a or a.endswith(":= by") and "Rat" in a
                        for a, _ in diff), diff


def test_derive_format_lean_prints_the_user_module(capsys):
    assert main(["derive", "--spec", str(QHM), "--format", "lean"]) == 0
    out = capsys.readouterr().out
    assert out == lean_module(OptimizerSpec.from_toml(QHM))
    assert "theorem qhmCov_isStationary " in out and "theory/specs" not in out
