"""Closed forms of the spectral transfer identity ``s = alpha * gamma`` and of the participation-ratio bound
(companion seed 001).

Notation (one layer's weight matrix ``W``; ``k = 1, 2, ...`` a mode index):

* ``sigma_k``: singular values of the gradient matrix ``G = dL/dW``, with directions ``u_k v_k^T``;
* ``h_k = vec(u_k v_k^T)^T H vec(u_k v_k^T)``: the curvature along the ``k``-th singular direction;
* ``alpha``: curvature exponent, ``log h_k = alpha log sigma_k + c``;
* ``gamma``: gradient rank-decay, ``log sigma_k = -gamma log k + c'``;
* ``s``: Hessian decay exponent, ``lambda_k ~ k^-s``.

The identity is algebraic: substituting one affine relation into the other makes ``log h_k`` affine in
``log k`` with slope ``-alpha gamma``, and a least-squares slope of exactly affine data is that slope
(:func:`transfer_slope`, derived from the least-squares formula on generic abscissae).  When ``log h_k = -s log k``
holds exactly but ``log sigma_k`` is not affine in ``log k``, the two fitted exponents multiply to
``s * rho^2`` (:func:`misfit_product`), ``rho`` the correlation of ``log k`` and ``log sigma_k``: the product
is then biased low, which is how the comparison fails outside the premise.

Participation ratio ``PR(lambda) = (sum lambda_k)^2 / sum lambda_k^2``; for ``lambda_k = k^-s`` over
``k <= n`` it is ``H_n(s)^2 / H_n(2s)`` (generalised harmonic numbers), nondecreasing in ``n``
(:func:`pr_increment_numerator`) with limit ``zeta(s)^2 / zeta(2s)`` for ``s > 1`` and divergent for ``s <= 1``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import sympy
from sympy import Expr

from spectral_universality.errors import HypothesisViolation, InputError

from .classes import ls_slope
from .core import SYMBOLS

#: Exponents of this module (``SYMBOLS['alpha']`` is the learning rate, so the curvature exponent has its own).
ALPHA_C = sympy.Symbol("alpha_c", positive=True)  # curvature exponent, h ~ sigma^alpha_c
GAMMA_R = sympy.Symbol("gamma_r", positive=True)  # gradient rank-decay, sigma_k ~ k^-gamma_r
S = SYMBOLS["s"]  # Hessian decay exponent
N = sympy.Symbol("n", positive=True, integer=True)  # number of modes

#: Generic abscissae used to derive the least-squares identities (the result does not depend on their number
#: beyond n >= 2; four keep the symbolic simplification fast).
_N_GENERIC = 4


@lru_cache(maxsize=None)
def transfer_slope() -> Expr:
    """The least-squares slope of ``log h_k`` on ``log k`` when ``log h = alpha_c log sigma + c`` and
    ``log sigma_k = -gamma_r log k + c'``: derived as ``-alpha_c * gamma_r`` (the Lean lemma
    ``lsSlope_comp_affine``), for generic distinct abscissae ``t_k = log k``."""
    t = list(sympy.symbols(f"t0:{_N_GENERIC}", real=True))
    c, c2 = sympy.symbols("c c2", real=True)
    log_sigma = [-GAMMA_R * tk + c2 for tk in t]
    log_h = [ALPHA_C * ls + c for ls in log_sigma]
    return sympy.factor(sympy.simplify(ls_slope(t, log_h)))


@lru_cache(maxsize=None)
def transfer_exponent() -> Expr:
    """``s`` predicted by the identity: minus :func:`transfer_slope` (``alpha_c * gamma_r``)."""
    return sympy.expand(-transfer_slope())


@lru_cache(maxsize=None)
def misfit_product() -> Expr:
    """``alpha_hat * gamma_hat`` when ``log h_k = -s t_k + c`` exactly but ``y_k = log sigma_k`` is arbitrary:
    ``alpha_hat = slope(y -> log h)``, ``gamma_hat = -slope(t -> y)``.  Derived: ``s * cov(t, y)^2 / (var t var y)``
    = ``s * rho^2`` (returned with ``rho2`` the squared correlation, a symbol)."""
    t = list(sympy.symbols(f"t0:{_N_GENERIC}", real=True))
    y = list(sympy.symbols(f"y0:{_N_GENERIC}", real=True))
    c = sympy.Symbol("c", real=True)
    log_h = [-S * tk + c for tk in t]
    product = ls_slope(y, log_h) * (-ls_slope(t, y))
    n = _N_GENERIC
    tbar, ybar = sum(t) / n, sum(y) / n
    cov = sum((a - tbar) * (b - ybar) for a, b in zip(t, y))
    rho2_expr = cov**2 / (sum((a - tbar) ** 2 for a in t) * sum((b - ybar) ** 2 for b in y))
    rho2 = sympy.Symbol("rho2", nonnegative=True)
    ratio = sympy.simplify(product / rho2_expr)
    if ratio.free_symbols - {S}:
        raise ArithmeticError(f"misfit product is not s * rho^2 (ratio {ratio})")  # a derivation bug
    return ratio * rho2


def planted_residual() -> Expr:
    """Residual ``r_k`` of the planted matrix-sensing model (see :mod:`spectral_universality.numerics.transfer`):
    sample ``k`` has design ``sqrt(N lambda_k) u_k v_k^T`` with ``lambda_k = k^-s``, so the mean gradient has
    singular value ``|r_k| sqrt(lambda_k / N)``; solving ``= k^-gamma_r`` for ``r_k > 0``."""
    r, k = sympy.Symbol("r", positive=True), SYMBOLS["k"]
    n_samples = sympy.Symbol("N", positive=True, integer=True)
    sol = sympy.solve(sympy.Eq(r * sympy.sqrt(k**-S / n_samples), k**-GAMMA_R), r)
    if len(sol) != 1:
        raise ArithmeticError(f"planted residual is not unique: {sol}")
    return sympy.simplify(sol[0])


def planted_per_sample_singular_value() -> Expr:
    """Singular value ``|r_k| sqrt(N lambda_k)`` of the planted model's per-sample gradient matrix (its rows are
    orthogonal): ``N k^-gamma_r``, the same rank-decay as the mean gradient's."""
    k = SYMBOLS["k"]
    n_samples = sympy.Symbol("N", positive=True, integer=True)
    return sympy.simplify(planted_residual() * sympy.sqrt(n_samples * k**-S))


def planted_curvature_exponent() -> Expr:
    """``alpha_c`` of the planted model: ``h_k = lambda_k = k^-s`` and ``sigma_k = k^-gamma_r`` give
    ``log h / log sigma = s / gamma_r``."""
    k = SYMBOLS["k"]
    return sympy.simplify(sympy.expand_log(sympy.log(k**-S) / sympy.log(k**-GAMMA_R), force=True))


# -- participation ratio ------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def participation_ratio_form() -> Expr:
    """``PR_n = H_n(s)^2 / H_n(2s)`` for ``lambda_k = k^-s``, ``k = 1..n`` (``H_n(s) = sum_{k<=n} k^-s``)."""
    k = SYMBOLS["k"]
    num = sympy.summation(k**-S, (k, 1, N))
    den = sympy.summation(k ** (-2 * S), (k, 1, N))
    return num**2 / den


def _convergent_branch(series: Expr) -> Expr:
    """The value of a ``Sum`` SymPy evaluates as ``Piecewise((value, s > 1), (Sum, True))``, or of ``2s > 1``."""
    val = series.doit()
    if isinstance(val, sympy.Piecewise):
        expr, cond = val.args[0]
        if cond.free_symbols != {S}:
            raise ArithmeticError(f"unexpected convergence condition {cond}")  # a derivation bug
        return expr
    return val


@lru_cache(maxsize=None)
def participation_limit_form() -> Expr:
    """``lim_n PR_n`` for ``s > 1``: the sums converge to ``zeta(s)`` and ``zeta(2s)`` (SymPy's convergent
    branch; for ``s <= 1`` the numerator diverges while the denominator stays bounded or grows slower)."""
    k = SYMBOLS["k"]
    num = _convergent_branch(sympy.Sum(k**-S, (k, 1, sympy.oo)))
    den = _convergent_branch(sympy.Sum(k ** (-2 * S), (k, 1, sympy.oo)))
    return num**2 / den


def _check_s(s: float) -> float:
    try:
        val = float(s)
    except (TypeError, ValueError):
        raise InputError(f"s must be a real number, got {s!r}") from None
    if not math.isfinite(val):
        raise InputError(f"s must be finite, got {s!r}")
    if val <= 1:
        raise HypothesisViolation("s > 1", f"s = {val}: sum k^-s diverges, PR_n grows without bound")
    return val


def participation_limit(s: float) -> float:
    """``zeta(s)^2 / zeta(2s)`` in float64 (the supremum of ``PR_n`` for ``lambda_k = k^-s``); ``s <= 1``
    raises :class:`HypothesisViolation` naming ``"s > 1"``."""
    val = _check_s(s)
    return float(participation_limit_form().subs(S, sympy.Float(val, 30)).evalf(30))


def participation_ratio_n(s: float, n: int) -> float:
    """``PR_n`` of ``k^-s``, ``k = 1..n``, from the closed form (generalised harmonic numbers, 30 digits)."""
    if not isinstance(n, int) or n < 1:
        raise InputError(f"n must be a positive integer, got {n!r}")
    try:
        val = float(s)
    except (TypeError, ValueError):
        raise InputError(f"s must be a real number, got {s!r}") from None
    if not math.isfinite(val) or val <= 0:
        raise InputError(f"s must be finite and > 0, got {s!r}")
    return float(participation_ratio_form().subs({S: sympy.Float(val, 30), N: n}).evalf(30))


def participation_gap_bound(s: float, n: int) -> float:
    """Upper bound on ``zeta(s)^2/zeta(2s) - PR_n`` (``s > 1``): with ``A_n = zeta(s) - T_n``,
    ``T_n = sum_{k>n} k^-s <= int_n^oo x^-s dx = n^(1-s)/(s-1)`` and ``B_n <= zeta(2s)``,
    ``PR_n >= A_n^2/zeta(2s)``, so the gap is ``<= (zeta(s)^2 - A_n^2)/zeta(2s) <= 2 zeta(s) T_n / zeta(2s)``."""
    val = _check_s(s)
    if not isinstance(n, int) or n < 1:
        raise InputError(f"n must be a positive integer, got {n!r}")
    zs, z2s = float(sympy.zeta(sympy.Float(val, 30))), float(sympy.zeta(sympy.Float(2 * val, 30)))
    return 2 * zs * n ** (1 - val) / ((val - 1) * z2s)


@lru_cache(maxsize=None)
def pr_increment_numerator() -> Expr:
    """Numerator of ``(A + x)^2/(B + x^2) - A^2/B`` (``A = sum lambda``, ``B = sum lambda^2``, one more mode
    ``x``), times ``B (B + x^2)``: ``x (2 A B + x (B - A^2))``.

    Monotonicity: for ``0 <= x <= lambda_j`` for all ``j``, ``x (A^2 - B) = x sum_{i != j} lambda_i lambda_j <=
    sum_{i != j} lambda_i lambda_j min(lambda_i, lambda_j) <= 2 sum_{i != j} lambda_i lambda_j^2 <= 2 A B``, so the
    numerator is ``>= 0``: appending a mode no larger than every previous one never lowers PR.  Hence ``PR_n``
    of a nonincreasing positive sequence is nondecreasing in ``n``."""
    a, b, x = sympy.symbols("A B x", positive=True)
    diff = (a + x) ** 2 / (b + x**2) - a**2 / b
    return sympy.factor(sympy.simplify(diff * b * (b + x**2)))
