"""Heavy-ball SGD (``torch.optim.SGD(momentum=mu, dampening=0)``) and Adam's first-moment EMA as linear
Gaussian systems of the state ``x = (theta, v)``; stationary covariance from the discrete Lyapunov equation.

Convention (torch): ``v' = mu v + g``, ``theta' = theta - alpha v'`` with ``g = lam theta + xi``; hence
``x' = A x + w xi`` with ``A = [[1 - alpha lam, -alpha mu], [lam, mu]]`` and ``w = (-alpha, 1)``.
Adam's EMA ``m' = beta1 m + (1 - beta1) g``, ``theta' = theta - P m'`` (``P = alpha / sqrt(v_hat)``) is the
same system with ``v = m / (1 - beta1)``, ``mu = beta1`` and rate ``(1 - beta1) P``; it is nevertheless
derived from its own matrices below, and the tests check the two routes agree.
"""

from __future__ import annotations

import sympy

from spectral_universality.theory.core import SYMBOLS, Condition, Derivation, all_of, conditions_text, real_form, sym
from spectral_universality.theory.linear import jury_conditions_2, lyapunov_2x2, spectral_radius_sq_2x2
from spectral_universality.theory.sgd import domain

Z = sympy.Symbol("z")


def heavy_ball_system(rate: sympy.Expr, mu: sympy.Expr) -> tuple[sympy.Matrix, sympy.Matrix]:
    """``(A, Q)`` of ``(theta, v)`` for heavy ball with learning rate ``rate``; ``Q = sigma^2 w w^T``."""
    lam, sigma = sym("lam", "sigma")
    A = sympy.Matrix([[1 - rate * lam, -rate * mu], [lam, mu]])
    w = sympy.Matrix([-rate, 1])
    return A, sigma**2 * w * w.T


def ema_system(rate: sympy.Expr, beta1: sympy.Expr) -> tuple[sympy.Matrix, sympy.Matrix]:
    """``(A, Q)`` of ``(theta, m)`` for ``m' = beta1 m + (1-beta1) g``, ``theta' = theta - rate m'``."""
    lam, sigma = sym("lam", "sigma")
    A = sympy.Matrix([[1 - rate * (1 - beta1) * lam, -rate * beta1], [(1 - beta1) * lam, beta1]])
    w = sympy.Matrix([-rate * (1 - beta1), 1 - beta1])
    return A, sigma**2 * w * w.T


def stability_conditions(A: sympy.Matrix) -> list[sympy.Expr]:
    """Jury conditions (each ``> 0``) of ``det(z I - A)``."""
    return jury_conditions_2(sympy.Poly((Z * sympy.eye(2) - A).det(), Z))


def small_rate(expr: sympy.Expr, order: int = 1) -> sympy.Expr:
    """Series of ``expr`` in ``alpha`` about 0, dropping ``O(alpha^(order+1))``."""
    alpha = SYMBOLS["alpha"]
    return sympy.factor(sympy.series(expr, alpha, 0, order + 1).removeO())


def slow_eigenvalue_rate(A: sympy.Matrix) -> sympy.Expr:
    """Leading ``1 - z_slow`` in ``alpha`` of the eigenvalue of ``A`` that tends to 1 as ``alpha -> 0``.

    Perturbation of a simple eigenvalue: ``z(alpha) = 1 + z'(0) alpha + ...`` with
    ``z'(0) = -p_alpha / p_z`` at ``(z, alpha) = (1, 0)`` for ``p = det(z I - A)``.
    """
    alpha = SYMBOLS["alpha"]
    p = (Z * sympy.eye(2) - A).det()
    dz = -sympy.diff(p, alpha) / sympy.diff(p, Z)
    return sympy.factor(-dz.subs({Z: 1, alpha: 0}) * alpha)


def derive_momentum() -> Derivation:
    """Heavy ball: stationary ``E[theta^2] = S[0,0]``, stability region from the Jury conditions."""
    alpha, lam, mu, sigma = sym("alpha", "lam", "mu", "sigma")
    A, Q = heavy_ball_system(alpha, mu)
    S = lyapunov_2x2(A, Q)
    jury = stability_conditions(A)
    # Jury: p(1) = alpha lam, p(-1) = 2(1+mu) - alpha lam, 1 -/+ det(A) = 1 -/+ mu.
    assert sympy.simplify(jury[0] - alpha * lam) == 0 and sympy.simplify(jury[1] - (2 * (1 + mu) - alpha * lam)) == 0
    assert sympy.simplify(jury[2] - (1 - mu)) == 0 and sympy.simplify(jury[3] - (1 + mu)) == 0
    mu_r = real_form(mu)
    stab = (Condition("0 <= mu < 1", sympy.And(mu_r >= 0, mu_r < 1)),
            Condition("0 < alpha*lam < 2*(1 + mu)", sympy.And(real_form(jury[0]) > 0, real_form(jury[1]) > 0)))
    steady = sympy.factor(S[0, 0])
    forms = {
        "S_theta_v": S[0, 1],
        "S_v_v": S[1, 1],
        "small_rate_steady_state": small_rate(steady),
        "effective_rate": small_rate(steady) * 2 * lam / sigma**2,
        "ratio_to_sgd_continuous": sympy.factor(steady * 2 * lam / (alpha * sigma**2)),
        "slow_contraction_rate": slow_eigenvalue_rate(A),
        "jury_p1": jury[0],
        "jury_pm1": jury[1],
    }
    notes = {
        "convention": "torch.optim.SGD(momentum=mu, dampening=0): v' = mu*v + g, theta' = theta - alpha*v', "
                      "g = lam*theta + xi",
        "stability": "Jury conditions of z^2 - (1 - alpha*lam + mu) z + mu: |mu| < 1 and "
                     "0 < alpha*lam < 2*(1 + mu); the model domain is 0 <= mu < 1 (torch rejects mu < 0)",
        "within_class": "small-rate limit e* = alpha*sigma^2/(2*lam*(1 - mu)): momentum rescales the class "
                        "rate alpha -> alpha/(1 - mu)",
        "h_step": "Sigma_h = S - A^h S (A^h)^T (matrices A, Q, S)",
    }
    return Derivation("momentum", dict(SYMBOLS), steady, spectral_radius_sq_2x2(A), all_of(stab),
                      conditions_text(stab), domain() + stab, forms, {"A": A, "Q": Q, "S": S}, notes)


def ema_forms(rate: sympy.Expr) -> dict[str, sympy.Expr]:
    """Stationary ``E[theta^2]`` of the EMA (Adam beta1) system with preconditioned rate ``rate``, its small-rate
    limit, the first-order correction and the stability bound on ``rate*lam`` (from Jury)."""
    alpha, lam, beta1, sigma = sym("alpha", "lam", "beta1", "sigma")
    A, Q = ema_system(rate, beta1)
    S = lyapunov_2x2(A, Q)
    steady = sympy.factor(S[0, 0])
    jury = stability_conditions(A)
    crit = sympy.solve(sympy.Eq(jury[1], 0), alpha)  # p(-1) = 0: the flip boundary
    bound = sympy.factor((rate * lam).subs(alpha, crit[0])) if len(crit) == 1 else sympy.nan
    first = small_rate(steady, 2)
    return {
        "beta1_steady_state": steady,
        "beta1_small_rate_steady_state": small_rate(steady, 1),
        "beta1_first_order_ratio": sympy.factor(sympy.expand(first / small_rate(steady, 1))),
        "beta1_stability_bound": bound,
        "beta1_slow_contraction_rate": slow_eigenvalue_rate(A),
        "beta1_S_theta_m": S[0, 1],
        "beta1_S_m_m": S[1, 1],
    }
