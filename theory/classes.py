"""The class triple (s, eta, gamma_k) on a power-law spectrum, log-log slopes, and the drift deviation of
Adam from its class representative (the PerturbationBound statement) with its bounds.

Spectrum: ``lam_k = C k^-s``.  The §10 estimator regresses ``log e_k*`` on ``log k`` by least squares;
:func:`ls_slope` is that regression, symbolically.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import sympy
from sympy import Expr

from spectral_universality.errors import InputError
from spectral_universality.theory.core import SYMBOLS, sym
from spectral_universality.theory.dispatch import derive

#: optimizer -> the form whose power law is the class profile (continuous-time / small-rate representative)
_CLASS_FORMS = {
    "sgd": "continuous_steady_state",
    "sgd-continuous": "steady_state",
    "momentum": "small_rate_steady_state",
    "adam": "noise_limit_steady_state",
    "adam-noise": "continuous_steady_state",
}


def power_law_eigenvalue() -> Expr:
    """``lam_k = C k^-s``."""
    C, k, s = sym("C", "k", "s")
    return C * k ** (-s)


def class_rate(optimizer: str) -> Expr:
    """The within-class constant ``alpha_tilde``: the rate of the SGD-continuous representative whose steady state
    equals ``optimizer``'s class profile (derived: ``alpha_tilde = 2 lam e*/sigma^2`` of that profile)."""
    lam, sigma = sym("lam", "sigma")
    prof = derive(optimizer).form(_form_name(optimizer))
    return sympy.factor(sympy.simplify(2 * lam * prof / sigma**2))


def _form_name(optimizer: str) -> str:
    if optimizer not in _CLASS_FORMS:
        raise InputError(f"unknown optimizer {optimizer!r}; choose one of {sorted(_CLASS_FORMS)}")
    return _CLASS_FORMS[optimizer]


def noise_ratio() -> Expr:
    """``eta = sigma^2 / lam_1^2`` (noise-coupling ratio ``sigma_k^2/lam_k^2`` at the top mode)."""
    sigma, lam, lam1 = sym("sigma", "lam", "lam1")
    return ((sigma / lam) ** 2).subs(lam, lam1)


def class_triple(optimizer: str, form: str | None = None) -> dict[str, Expr]:
    """Profile ``e_k*`` (of ``form``; default the class profile), ``eta`` and ``gamma_k = 2 alpha_tilde lam_k``,
    all as functions of ``k`` on ``lam_k = C k^-s``."""
    lam = SYMBOLS["lam"]
    prof = derive(optimizer).form(form or _form_name(optimizer))
    rate = class_rate(optimizer)
    gamma = sympy.factor(derive("sgd-continuous").forms["contraction_rate"].subs(SYMBOLS["alpha"], rate))
    lam_k = power_law_eigenvalue()
    return {"steady_state_profile": prof.subs(lam, lam_k), "noise_ratio": noise_ratio().subs(SYMBOLS["lam1"],
            lam_k.subs(SYMBOLS["k"], 1)), "contraction_rate": gamma.subs(lam, lam_k), "class_rate": rate}


def ls_slope(xs: Sequence[Expr], ys: Sequence[Expr]) -> Expr:
    """Least-squares slope of ``ys`` on ``xs``: ``sum (x - xbar)(y - ybar) / sum (x - xbar)^2`` (unsimplified)."""
    if len(xs) != len(ys) or len(xs) < 2:
        raise InputError(f"need two equally long lists of >= 2 points, got {len(xs)} and {len(ys)}")
    n = len(xs)
    xbar, ybar = sum(xs) / n, sum(ys) / n
    return sum((x - xbar) * (y - ybar) for x, y in zip(xs, ys)) / sum((x - xbar) ** 2 for x in xs)


def profile_slope(optimizer: str, K: int, form: str | None = None) -> Expr:
    """LS slope of ``log e_k*`` on ``log k`` over modes ``k = 1..K`` (symbolic in ``s`` and the rest)."""
    if K < 2:
        raise InputError(f"need K >= 2 modes, got {K}")
    prof = class_triple(optimizer, form)["steady_state_profile"]
    k = SYMBOLS["k"]
    xs = [sympy.log(sympy.Integer(j)) for j in range(1, K + 1)]
    ys = [sympy.expand_log(sympy.log(prof.subs(k, j)), force=True) for j in range(1, K + 1)]
    return sympy.simplify(ls_slope(xs, ys))


def profile_slope_exact(optimizer: str, K: int, form: str | None = None) -> Expr:
    """Like :func:`profile_slope` but without simplification (for forms whose slope is not a closed power law)."""
    prof = class_triple(optimizer, form)["steady_state_profile"]
    k = SYMBOLS["k"]
    xs = [sympy.log(sympy.Integer(j)) for j in range(1, K + 1)]
    return ls_slope(xs, [sympy.log(prof.subs(k, j)) for j in range(1, K + 1)])


@lru_cache(maxsize=None)
def discrete_slope_first_order(K: int) -> Expr:
    """First-order term in ``alpha`` of (discrete-SGD slope - s) over modes ``k = 1..K``.

    The LS slope is linear in the ``y`` values, so its ``alpha``-derivative at 0 is the slope of
    ``d/d alpha log e_k*`` at 0 (the ``log alpha`` term is common to all modes and drops out).  With
    ``log e_k* = log(alpha sigma^2/C) + s log k - log(2 - alpha C k^-s)`` this is
    ``(alpha C / 2) ls_slope(log k, k^-s)``, negative: the discrete slope lies below ``s``.
    """
    if K < 2:
        raise InputError(f"need K >= 2 modes, got {K}")
    alpha, k = SYMBOLS["alpha"], SYMBOLS["k"]
    prof = class_triple("sgd", "steady_state")["steady_state_profile"]
    xs = [sympy.log(sympy.Integer(j)) for j in range(1, K + 1)]
    dys = [sympy.diff(sympy.log(prof.subs(k, j) / alpha), alpha).subs(alpha, 0) for j in range(1, K + 1)]
    return alpha * ls_slope(xs, [sympy.factor(d) for d in dys])


def drift_deviation() -> Expr:
    """``delta = adamDrift(alpha, lam, sigma, e, r = sqrt(lam^2 e + sigma^2))
    - sgdDrift(alpha/sigma, lam, sigma, e)``."""
    alpha, sigma = sym("alpha", "sigma")
    adam = derive("adam").forms["drift"]
    sgd = derive("sgd-continuous").forms["drift"].subs(alpha, alpha / sigma)
    return adam - sgd


def _deviation_parts() -> tuple[Expr, Expr]:
    """``delta = alpha A1 + alpha^2 A2`` with ``r`` kept symbolic: ``A1 = 2 lam e (1/sigma - 1/r) >= 0``,
    ``A2 = sigma^2 (1/r^2 - 1/sigma^2) = -lam^2 e / r^2 <= 0`` (using ``r^2 = lam^2 e + sigma^2``)."""
    alpha, lam, sigma, e, r = sym("alpha", "lam", "sigma", "e", "r")
    adam_r = derive("adam").forms["drift_r"]
    sgd = derive("sgd-continuous").forms["drift"].subs(alpha, alpha / sigma)
    delta_r = sympy.expand(adam_r - sgd)
    a1, a2 = delta_r.coeff(alpha, 1), delta_r.coeff(alpha, 2)
    r_sq = lam**2 * e + sigma**2
    # rationalise: multiply a1 by (r + sigma)/(r + sigma), then use r^2 = lam^2 e + sigma^2 in the numerators
    n1, d1 = sympy.fraction(sympy.together(a1))
    a1_new = sympy.expand(n1 * (r + sigma)).subs(r**2, r_sq) / (d1 * (r + sigma))
    n2, d2 = sympy.fraction(sympy.together(a2))
    a2_new = sympy.expand(n2).subs(r**2, r_sq) / d2
    at_r = {r: sympy.sqrt(r_sq)}
    assert sympy.simplify((a1_new - a1).subs(at_r)) == 0 and sympy.simplify((a2_new - a2).subs(at_r)) == 0
    return sympy.factor(a1_new), sympy.factor(a2_new)


def drift_deviation_bounds() -> tuple[Expr, Expr]:
    """``(lower, upper)`` with ``lower <= delta <= upper`` for ``lam, e >= 0``, ``sigma > 0``.

    Each part of :func:`_deviation_parts` is monotone in ``r`` (checked: derivative sign), and ``r >= sigma``, so
    putting ``r = sigma`` bounds it: ``upper = alpha lam^3 e^2 / sigma^3``, ``lower = -alpha^2 lam^2 e / sigma^2``.
    """
    alpha, sigma, r = sym("alpha", "sigma", "r")
    a1, a2 = _deviation_parts()
    pos = {sigma: sympy.Symbol("sigma_pos", positive=True)}  # the bound assumes sigma > 0
    assert sympy.factor(sympy.diff(a1, r).subs(pos)).is_nonpositive
    assert sympy.factor(sympy.diff(a2, r).subs(pos)).is_nonnegative
    return sympy.factor(alpha**2 * a2.subs(r, sigma)), sympy.factor(alpha * a1.subs(r, sigma))


def weighted_deviation_bound() -> Expr:
    """``|delta_k| <= (alpha Lam E / sigma^3 + alpha^2 / sigma^2) w_k E`` given ``lam_k^2 <= w_k``, ``e_k <= E``,
    ``lam_k <= Lam``: both bounds are ``(coefficient) lam^2 e`` with a coefficient nondecreasing in lam, e."""
    lam, e, E, Lam, w, sigma = sym("lam", "e", "E", "Lam", "w", "sigma")
    lower, upper = drift_deviation_bounds()
    cu, cl = sympy.simplify(upper / (lam**2 * e)), sympy.simplify(-lower / (lam**2 * e))
    pos = {sigma: sympy.Symbol("sigma_pos", positive=True)}
    assert all(sympy.diff(c, v).subs(pos).is_nonnegative for c in (cu, cl) for v in (lam, e))
    return sympy.factor((cu + cl).subs({lam: Lam, e: E})) * w * E


def seed_shape_bound() -> Expr:
    """``|delta_k| <= C lam_k E`` with the E-free ``C = 2 alpha/sigma + alpha^2 Lam/sigma^2`` (the seed's shape).

    Above: ``delta <= 2 alpha lam e / sigma`` (the first part of delta as r -> infinity, since (r - sigma)/r < 1);
    below: ``-delta <= alpha^2 lam^2 e / sigma^2 <= (alpha^2 Lam / sigma^2) lam e`` for ``lam <= Lam``. Both
    coefficients of ``lam e`` are taken at their largest (``lam = Lam``) and added, as the Lean proof does.
    """
    alpha, lam, e, E, Lam, sigma, r = sym("alpha", "lam", "e", "E", "Lam", "sigma", "r")
    lower, _ = drift_deviation_bounds()
    delta_r = derive("adam").forms["drift_r"] - derive("sgd-continuous").forms["drift"].subs(alpha, alpha / sigma)
    first = sympy.expand(delta_r).coeff(alpha, 1)  # 2 lam e (1/sigma - 1/r): the part linear in alpha
    c_up = sympy.simplify(sympy.limit(first, r, sympy.oo) * alpha / (lam * e))
    c_low = sympy.simplify(-lower / (lam * e))
    pos = {sigma: sympy.Symbol("sigma_pos", positive=True)}
    assert sympy.diff(c_low, lam).subs(pos).is_nonnegative
    return sympy.factor(c_up + c_low.subs(lam, Lam)) * lam * E


def seed_candidate_bound() -> Expr:
    """The seed's Theorem 1 candidate ``C k^{-(s+1)/2} ||e||_inf`` (``E`` stands for ``||e||_inf``)."""
    C, k, s, E = sym("C", "k", "s", "E")
    return C * k ** (-(s + 1) / 2) * E
