"""SymPy <-> Lean terms: parser and printer unit tests, and the Lean library's defs against ``closed_forms()``."""

from functools import lru_cache
from pathlib import Path

import pytest
import sympy

from spectral_universality.errors import InputError
from spectral_universality.theory import LEAN_SIGNATURES, SYMBOLS, closed_forms
from spectral_universality.theory.lean_terms import from_lean, lean_def_expr, lean_defs, resolve_calls, to_lean

alpha, lam, sigma, e, r, mu = (SYMBOLS[n] for n in ("alpha", "lam", "sigma", "e", "r", "mu"))
LEAN_DIR = Path(__file__).resolve().parents[2] / "lean" / "SpectralUniversality"


@pytest.mark.parametrize("text, expected", [
    ("(1 - α * lam) ^ 2 * e + α ^ 2 * σ ^ 2", (1 - alpha * lam) ** 2 * e + alpha**2 * sigma**2),
    ("-α ^ 2 * lam ^ 2 * e / σ ^ 2", -(alpha**2) * lam**2 * e / sigma**2),
    ("-2 ^ 2", sympy.Integer(-4)),  # unary minus binds looser than ^
    ("2 ^ 3 ^ 2", sympy.Integer(512)),  # ^ is right-associative
    ("a - b - c", sympy.Symbol("a") - sympy.Symbol("b") - sympy.Symbol("c")),
    ("a / b / c", sympy.Symbol("a") / (sympy.Symbol("b") * sympy.Symbol("c"))),
    ("(2 : ℝ) * αt * lam", 2 * SYMBOLS["alpha_t"] * lam),
    ("μ * 1.5", sympy.Rational(3, 2) * mu),
    ("Real.sqrt (lam ^ 2 * e + σ ^ 2)", sympy.sqrt(lam**2 * e + sigma**2)),
])
def test_parser_on_strings(text, expected):
    assert sympy.simplify(from_lean(text) - expected) == 0


def test_parser_calls_and_resolution():
    ex = from_lean("f α (g σ lam) + 1")
    calls = sorted(c.func.__name__ for c in ex.atoms(sympy.core.function.AppliedUndef))
    assert calls == ["f", "g"]
    defs = {"f": (["x", "y"], "x * y"), "g": (["a", "b"], "a ^ 2 - b")}
    assert sympy.simplify(resolve_calls(ex, defs) - (alpha * (sigma**2 - lam) + 1)) == 0
    with pytest.raises(InputError, match="unknown def"):
        resolve_calls(from_lean("h α"), defs)


@pytest.mark.parametrize("bad", ["α +", "(α * σ", "α $ σ", "* α"])
def test_parser_rejects_malformed(bad):
    with pytest.raises(InputError):
        from_lean(bad)


@pytest.mark.parametrize("name", sorted(LEAN_SIGNATURES))
def test_printer_round_trip(name):
    ex = closed_forms()[name]
    assert sympy.simplify(from_lean(to_lean(ex)) - ex) == 0


def test_printer_rejects_outside_grammar():
    with pytest.raises(InputError):
        to_lean(sympy.exp(alpha))
    with pytest.raises(InputError):
        to_lean(sympy.Float(0.5) * alpha)


def test_lean_defs_extraction(tmp_path):
    src = tmp_path / "Defs.lean"
    src.write_text(
        "namespace SpectralUniversality\n"
        "/-- doc -/\n"
        "noncomputable def sgdDrift (α lam σ e : ℝ) : ℝ := -2 * α * lam * e + α ^ 2 * σ ^ 2  -- comment\n"
        "def classRate (α : ℝ) (σ : ℝ) : ℝ :=\n"
        "  α / σ\n"
        "def twice (α lam σ e : ℝ) : ℝ := 2 * sgdDrift α lam σ e\n"
        "theorem foo : True := trivial\n"
        "end SpectralUniversality\n", encoding="utf-8")
    defs = lean_defs(src)
    assert set(defs) == {"sgdDrift", "classRate", "twice"}
    assert defs["classRate"] == (["α", "σ"], "α / σ")
    got = lean_def_expr("twice", defs)
    assert sympy.simplify(got - 2 * closed_forms()["sgdDrift"]) == 0
    with pytest.raises(InputError):
        lean_defs(tmp_path / "missing.lean")


@lru_cache(maxsize=1)
def _library_defs() -> dict:
    if not LEAN_DIR.is_dir() or not list(LEAN_DIR.rglob("*.lean")):
        pytest.fail(f"no Lean sources under {LEAN_DIR}: the closed-form defs {sorted(LEAN_SIGNATURES)} "
                    "must exist there (namespace SpectralUniversality)")
    return lean_defs(LEAN_DIR)


@pytest.mark.parametrize("name", sorted(LEAN_SIGNATURES))
def test_lean_library_def_matches_theory(name):
    defs = _library_defs()
    if name not in defs:
        pytest.fail(f"Lean def {name} not found in {LEAN_DIR} (have {sorted(defs)})")
    params = LEAN_SIGNATURES[name]
    lean_expr = lean_def_expr(name, defs, [SYMBOLS[p] for p in params])
    theory = closed_forms()[name]
    assert sympy.simplify(lean_expr - theory) == 0, f"{name}: Lean {defs[name][1]!r} != theory {to_lean(theory)!r}"
