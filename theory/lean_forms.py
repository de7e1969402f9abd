"""The closed forms the Lean library states, keyed by their Lean ``def`` names (derived, never typed)."""

from __future__ import annotations

from functools import lru_cache

from sympy import Expr

from spectral_universality.theory.classes import drift_deviation_bounds, noise_ratio
from spectral_universality.theory.core import SYMBOLS
from spectral_universality.theory.registry import derive

#: Lean def name -> canonical parameter names, in the def's argument order
LEAN_SIGNATURES: dict[str, tuple[str, ...]] = {
    "sgdEnergyStep": ("alpha", "lam", "sigma", "e"),
    "sgdContraction": ("alpha", "lam"),
    "sgdFixedPoint": ("alpha", "lam", "sigma"),
    "sgdDrift": ("alpha", "lam", "sigma", "e"),
    "sgdContinuousSteadyState": ("alpha", "lam", "sigma"),
    "steadyStateGap": ("alpha", "lam", "sigma"),
    "adamRate": ("alpha", "r"),
    "adamDrift": ("alpha", "lam", "sigma", "e", "r"),
    "classRate": ("alpha", "sigma"),
    "contractionRate": ("alpha_t", "lam"),
    "noiseRatio": ("sigma", "lam1"),
    "driftDeviationUpper": ("alpha", "lam", "sigma", "e"),
    "driftDeviationLower": ("alpha", "lam", "sigma", "e"),
}


@lru_cache(maxsize=None)
def closed_forms() -> dict[str, Expr]:
    """``{lean_name: expr}`` in the canonical symbols of :data:`LEAN_SIGNATURES`."""
    sgd, cont, adam = derive("sgd"), derive("sgd-continuous"), derive("adam")
    lower, upper = drift_deviation_bounds()
    return {
        "sgdEnergyStep": sgd.forms["energy_step"],
        "sgdContraction": sgd.contraction_factor,
        "sgdFixedPoint": sgd.steady_state,
        "sgdDrift": cont.forms["drift"],
        "sgdContinuousSteadyState": cont.steady_state,
        "steadyStateGap": sgd.forms["steady_state_gap"],
        "adamRate": adam.forms["rate_r"],
        "adamDrift": adam.forms["drift_r"],
        "classRate": adam.forms["class_rate"],
        "contractionRate": cont.forms["contraction_rate"].subs(SYMBOLS["alpha"], SYMBOLS["alpha_t"]),
        "noiseRatio": noise_ratio(),
        "driftDeviationUpper": upper,
        "driftDeviationLower": lower,
    }
