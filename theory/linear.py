"""Generic algebra the derivations share: Gaussian moments, discrete Lyapunov equations, Jury stability
conditions, spectral radii, geometric sums and the largest real root of a cubic (Viete).

These are textbook tools, written once; each derivation applies them to its own update rule.
"""

from __future__ import annotations

from typing import Mapping

import sympy
from sympy import Expr


def expect(poly: Expr, moments: Mapping[sympy.Symbol, Mapping[int, Expr]]) -> Expr:
    """Expectation of a polynomial in independent random variables.

    ``moments[X][n]`` is ``E[X^n]``; monomials factor because the variables are independent.
    """
    gens = list(moments)
    p = sympy.Poly(sympy.expand(poly), *gens)
    total = sympy.Integer(0)
    for powers, coeff in p.terms():
        term = coeff
        for g, n in zip(gens, powers):
            if n:
                term *= moments[g][n]
        total += term
    return sympy.expand(total)


def geometric_sum(q: Expr, h: Expr) -> Expr:
    """``sum_{j=0}^{h-1} q^j`` for ``q != 1`` (the generic branch of SymPy's summation)."""
    j = sympy.Symbol("j", integer=True, nonnegative=True)
    qs = sympy.Symbol("q_", positive=True)
    res = sympy.summation(qs**j, (j, 0, h - 1))
    if isinstance(res, sympy.Piecewise):
        res = next(e for e, c in res.args if c is sympy.true or not c.has(sympy.Eq))
    return res.subs(qs, q)


def lyapunov_2x2(A: sympy.Matrix, Q: sympy.Matrix) -> sympy.Matrix:
    """Symmetric solution ``S`` of the discrete Lyapunov equation ``S = A S A^T + Q`` (2x2, symbolic)."""
    a, b, c = sympy.symbols("S11 S12 S22")
    S = sympy.Matrix([[a, b], [b, c]])
    eqs = list(S - A * S * A.T - Q)
    sol = sympy.solve([eqs[0], eqs[1], eqs[3]], [a, b, c], dict=True)
    if len(sol) != 1:
        raise ArithmeticError("Lyapunov equation has no unique solution (A has reciprocal eigenvalues)")
    return S.subs(sol[0]).applyfunc(sympy.factor)


def jury_conditions_2(charpoly: sympy.Poly) -> list[Expr]:
    """Jury (Schur-Cohn) conditions for a monic quadratic ``z^2 + a1 z + a0``: both roots in |z| < 1
    iff every returned expression is > 0: ``p(1)``, ``p(-1)``, ``1 - a0``, ``1 + a0``."""
    z = charpoly.gens[0]
    _, a1, a0 = charpoly.all_coeffs()
    p = charpoly.as_expr()
    return [sympy.factor(p.subs(z, 1)), sympy.factor(p.subs(z, -1)), sympy.factor(1 - a0), sympy.factor(1 + a0)]


def spectral_radius_sq_2x2(A: sympy.Matrix) -> Expr:
    """``rho(A)^2`` for a real 2x2 ``A`` with ``det A >= 0``, branch-free (``Max``), valid for real or complex
    eigenvalues: complex pair -> ``det A``; real pair -> ``((|tr| + sqrt(tr^2 - 4 det)) / 2)^2``."""
    tr, det = A.trace(), A.det()
    disc = sympy.Max(tr**2 - 4 * det, 0)
    return sympy.Max(det, ((sympy.Abs(tr) + sympy.sqrt(disc)) / 2) ** 2)


def depressed_cubic(a: Expr, b: Expr, c: Expr) -> tuple[Expr, Expr]:
    """``(p, q)`` with ``x^3 + a x^2 + b x + c = y^3 + p y + q`` under ``x = y - a/3``."""
    y = sympy.Symbol("y_")
    x = y - a / 3
    poly = sympy.Poly(sympy.expand(x**3 + a * x**2 + b * x + c), y)
    coeffs = dict(zip(range(3, -1, -1), poly.all_coeffs()))
    y2 = sympy.simplify(coeffs[2])  # vanishes identically (exact input) or to rounding (float input)
    assert y2 == 0 or (y2.is_number and abs(y2) < 1e-20)
    return sympy.simplify(coeffs[1]), sympy.simplify(coeffs[0])


def largest_real_root_cubic(a: Expr, b: Expr, c: Expr) -> tuple[Expr, Expr]:
    """Largest real root of ``x^3 + a x^2 + b x + c`` when the depressed ``p < 0`` and ``t >= -1``.

    Viete: with ``t = (3 q / (2 p)) sqrt(-3/p)`` the largest root is ``y = 2 sqrt(-p/3) G(t)``, ``x = y - a/3``,
    where ``G = cos(acos(t)/3)`` on ``[-1, 1]`` (three real roots) and ``G = cosh(acosh(t)/3)`` for ``t > 1`` (one
    real root).  Written branch-free and well conditioned near ``t = -1`` (where ``acos`` loses half the digits):
    ``acos(t) = pi - 2 asin(sqrt(w/2))`` with ``w = 1 + t`` simplified symbolically, so with
    ``phi = (2/3) asin(min(sqrt(w/2), 1))``::

        G - 1/2 = (sqrt(3) sin(phi) - 2 sin(phi/2)^2) / 2 + 2 sinh(acosh(max(t, 1)) / 6)^2

    (the second term is ``cosh(acosh(t)/3) - 1``, zero for ``t <= 1``; at ``t >= 1`` the first is ``1/2``).
    Returns ``(root, t)``.
    """
    p, q = depressed_cubic(a, b, c)
    t = sympy.simplify(3 * q / (2 * p) * sympy.sqrt(-3 / p))
    w = sympy.simplify(1 + t)
    phi = sympy.Rational(2, 3) * sympy.asin(sympy.Min(sympy.sqrt(w / 2), 1))
    g_half = (sympy.sqrt(3) * sympy.sin(phi) - 2 * sympy.sin(phi / 2) ** 2) / 2 \
        + 2 * sympy.sinh(sympy.acosh(sympy.Max(t, 1)) / 6) ** 2
    scale = sympy.sqrt(-p / 3)
    return 2 * scale * g_half + sympy.simplify(scale - a / 3), t


def descartes_sign_changes(poly: sympy.Poly) -> int:
    """Number of sign changes of the coefficient sequence; every nonzero coefficient's sign must be
    decidable from the symbols' assumptions (else ValueError)."""
    signs = []
    for co in poly.all_coeffs():
        if co == 0:
            continue
        if co.is_positive:
            signs.append(1)
        elif co.is_negative:
            signs.append(-1)
        else:
            raise ValueError(f"sign of coefficient {co} undecidable")
    return sum(1 for u, v in zip(signs, signs[1:]) if u != v)


def h_step_covariance(A: sympy.Matrix, S: sympy.Matrix, h: int) -> sympy.Matrix:
    """Noise covariance of the exact ``h``-step transition ``x_{t+h} = A^h x_t + N(0, Sigma_h)`` of a stationary
    linear system with stationary covariance ``S``: ``Sigma_h = S - A^h S (A^h)^T`` (integer ``h >= 1``)."""
    if int(h) != h or h < 1:
        raise ValueError(f"h must be a positive integer, got {h}")
    Ah = A ** int(h)
    return S - Ah * S * Ah.T
