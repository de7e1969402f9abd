"""Generated spec certificates through the checker: a user's spec compiles, a wrong SymPy answer is rejected.

Each test compiles a two-module package (the library's ``Basic`` and one generated module; ``Basic`` is cached
by content hash), ~30–60 s per module on 2 cores. The committed built-in modules are checked with the library
(``make lean``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from spectral_universality.theory.lean_spec import lean_module, lean_module_perturbed, module_path
from spectral_universality.theory.spec import OptimizerSpec, builtin
from spectral_universality.verify import verify_library

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.lean, pytest.mark.slow]


def _package(tmp: Path, spec: OptimizerSpec, text: str) -> Path:
    lean = ROOT / "lean"
    for f in ("lakefile.toml", "lean-toolchain"):
        if (lean / f).is_file():
            shutil.copy(lean / f, tmp / f)
    (tmp / "SpectralUniversality").mkdir()
    shutil.copy(lean / "SpectralUniversality" / "Basic.lean", tmp / "SpectralUniversality" / "Basic.lean")
    out = module_path(tmp, spec)
    out.parent.mkdir(parents=True)
    out.write_text(text, encoding="utf-8")
    return out


def test_user_spec_module_checks(cache_dir, tmp_path):
    spec = OptimizerSpec.from_toml(ROOT / "examples" / "qhm.toml")
    _package(tmp_path, spec, lean_module(spec))
    res = verify_library(tmp_path, cache_dir=cache_dir, toolchain="wasm", log=print)
    assert res.ok, [str(e) for e in res.errors]
    names = {d["name"] for d in res.inventory["declarations"]}
    assert "SpectralUniversality.Spec.qhmCov_isStationary_of_stable" in names


def test_wrong_covariance_is_rejected(cache_dir, tmp_path):
    """Negative control: SymPy's ``S[0, 0]`` times 101/100 must fail the stationarity proof (the kernel judges,
    it does not rubber-stamp), while the denominators theorem, which does not involve ``S``'s numerators,
    still checks."""
    spec = builtin("sgd")
    path = _package(tmp_path, spec, lean_module_perturbed(spec))
    res = verify_library(tmp_path, cache_dir=cache_dir, toolchain="wasm", log=print)
    assert not res.ok
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines, 1) if ln.startswith("theorem sgdCov_isStationary "))
    end = next(i for i, ln in enumerate(lines, 1) if ln.startswith("theorem sgd_denominators_ne_zero"))
    errs = [e for e in res.errors if "Sgd.lean" in str(e)]
    assert errs, [str(e) for e in res.errors]
    assert all(start <= e.line < end or e.line > end for e in errs), [str(e) for e in errs]
    assert any(start <= e.line < end for e in errs), [str(e) for e in errs]
