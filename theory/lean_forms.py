"""The closed forms the Lean library states, keyed by their Lean ``def`` names (derived, never typed)."""

from __future__ import annotations

from functools import lru_cache

from sympy import Expr

import sympy

from spectral_universality.theory.classes import (drift_deviation_bounds, noise_ratio, seed_shape_bound,
                                                  weighted_deviation_bound)
from spectral_universality.theory.core import SYMBOLS
from spectral_universality.theory.dispatch import derive

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
    "driftDeviationLinear": ("alpha", "lam", "sigma", "e"),
    "discreteSteadyStateRatio": ("alpha", "alpha_t", "lam"),
    "perturbationConstant": ("alpha", "lam1", "sigma", "e"),
    "heavyBallFixedPoint": ("alpha", "lam", "sigma", "mu"),
    "seedShapeConstant": ("alpha", "Lam", "sigma"),
    "heavyBallFixedLagCov": ("alpha", "lam", "sigma", "mu"),
}


@lru_cache(maxsize=None)
def closed_forms() -> dict[str, Expr]:
    """``{lean_name: expr}`` in the canonical symbols of :data:`LEAN_SIGNATURES`."""
    sgd, cont, adam = derive("sgd"), derive("sgd-continuous"), derive("adam")
    lower, upper = drift_deviation_bounds()
    alpha, alpha_t, lam, lam1, sigma, e, E, Lam, w = (SYMBOLS[n] for n in (
        "alpha", "alpha_t", "lam", "lam1", "sigma", "e", "E", "Lam", "w"))
    # delta <= 2 alpha lam e (1/sigma - 1/r) <= 2 alpha lam e / sigma: the first part of delta at r -> infinity
    linear = sympy.limit(sympy.expand(adam.forms["drift_r"] - cont.forms["drift"].subs(alpha, alpha / sigma))
                         .coeff(alpha, 1), SYMBOLS["r"], sympy.oo) * alpha
    hb = derive("momentum")  # torch's convention v' = mu v + g, theta' = theta - alpha v' (the same recursion)
    mu = SYMBOLS["mu"]
    # E[theta_{t+1} theta_t] = E[theta^2] - alpha E[v_{t+1} theta_t], with v_{t+1} = mu v_t + lam theta_t + xi_t
    hb_lag = sympy.simplify(hb.steady_state - alpha * (mu * hb.forms["S_theta_v"] + lam * hb.steady_state))
    return {
        "heavyBallFixedPoint": hb.steady_state,
        "heavyBallFixedLagCov": hb_lag,
        "seedShapeConstant": sympy.simplify(seed_shape_bound() / (lam * E)),
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
        "driftDeviationLower": -lower,  # Lean states the magnitude: -driftDeviationLower <= delta
        "driftDeviationLinear": sympy.factor(linear),
        "discreteSteadyStateRatio": sympy.simplify(sgd.steady_state / sgd.steady_state.subs(alpha, alpha_t)),
        # the weighted bound is (constant) * w * E; Lean names the constant with lam1 = Lam and e = E
        "perturbationConstant": sympy.simplify(weighted_deviation_bound() / (w * E)).subs({Lam: lam1, E: e}),
    }
