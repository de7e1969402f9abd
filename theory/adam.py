"""Adam on one quadratic mode, paper §9 model: SGD with the preconditioned rate ``alpha / r``,
``r = sqrt(v_hat)``, ``v_hat ~ E[g^2] = lam^2 e + sigma^2``.

* ``adam``: the self-consistent steady state (no noise-dominated limit): ``2 lam e r = alpha sigma^2``, a cubic in
  ``e`` with exactly one positive root (Descartes), solved in closed form (Viete).
* ``adam-noise``: the noise-dominated limit ``r -> sigma``: exact discrete SGD with ``alpha_t = alpha / sigma``,
  plus Adam's ``beta1`` EMA in the small-rate regime.
"""

from __future__ import annotations

import sympy

from spectral_universality.theory.core import SYMBOLS, Condition, Derivation, all_of, conditions_text, real_form, sym
from spectral_universality.theory.linear import descartes_sign_changes, geometric_sum, largest_real_root_cubic
from spectral_universality.theory.momentum import ema_forms
from spectral_universality.theory.sgd import derive_discrete, domain, ito_energy_drift

X = sympy.Symbol("x", positive=True)  # signal-to-noise lam^2 e / sigma^2


def self_consistent_cubic() -> tuple[sympy.Poly, sympy.Expr]:
    """The steady-state condition of the §9 drift as a polynomial in ``e`` and the monic cubic's constant ``c``.

    ``drift = -2 (alpha/r) lam e + (alpha/r)^2 sigma^2 = 0``  <=>  ``2 lam e r = alpha sigma^2`` (times
    ``r^2/alpha > 0``); both sides are positive for ``e > 0``, so squaring with ``r^2 = lam^2 e + sigma^2`` is an
    equivalence on ``e > 0``.  In ``x = lam^2 e / sigma^2`` it reads ``x^3 + x^2 - c = 0``.
    """
    alpha, lam, sigma, e, r = sym("alpha", "lam", "sigma", "e", "r")
    lhs = sympy.expand(-ito_energy_drift(alpha / r) * r**2 / alpha)  # = 2 lam e r - alpha sigma^2
    assert sympy.simplify(lhs - (2 * lam * e * r - alpha * sigma**2)) == 0
    r_term = sympy.expand(lhs.coeff(r, 1))  # 2 lam e
    rest = sympy.expand(lhs - r_term * r)  # -alpha sigma^2
    cubic = sympy.Poly(sympy.expand(r_term**2 * (lam**2 * e + sigma**2) - rest**2), e)
    monic = sympy.Poly(sympy.expand(cubic.as_expr().subs(e, sigma**2 * X / lam**2)), X)
    monic = sympy.Poly(sympy.simplify(monic.as_expr() / monic.LC()), X)
    a2, a1, a0 = monic.all_coeffs()[1:]
    assert a2 == 1 and a1 == 0
    return cubic, sympy.factor(-a0)


def positive_roots_by_descartes() -> int:
    """Sign changes of the cubic's coefficients with ``sigma > 0`` (Descartes: = number of positive roots here,
    since it is 1 and the count is exact modulo 2)."""
    cubic, _ = self_consistent_cubic()
    sp = sympy.Symbol("sigma_pos", positive=True)
    return descartes_sign_changes(sympy.Poly(cubic.as_expr().subs(SYMBOLS["sigma"], sp), SYMBOLS["e"]))


def noise_limit_series(order: int = 3) -> sympy.Expr:
    """``x / eps`` as a power series in ``eps = sqrt(c) = alpha lam / (2 sigma)``, solved order by order from
    ``x^2 (1 + x) = eps^2`` with ``x = a1 eps + a2 eps^2 + ...`` (``a1 > 0``)."""
    eps = sympy.Symbol("eps", positive=True)
    coeffs = sympy.symbols(f"a1:{order + 1}")
    x = sum(a * eps ** (i + 1) for i, a in enumerate(coeffs))
    resid = sympy.expand(x**2 * (1 + x) - eps**2)
    sol: dict = {}
    for n in range(2, order + 2):
        eq = resid.coeff(eps, n).subs(sol)
        unknown = coeffs[n - 2]
        roots = sympy.solve(eq, unknown)
        sol[unknown] = max(roots) if n == 2 else roots[0]  # a1^2 = 1: the positive branch; then linear
    return sympy.expand(sum(a.subs(sol) * eps**i for i, a in enumerate(coeffs)))


def derive_adam() -> Derivation:
    """Self-consistent §9 Adam model (continuous time)."""
    alpha, lam, sigma, e, r, s = sym("alpha", "lam", "sigma", "e", "r", "s")
    drift_r = ito_energy_drift(alpha / r)
    r_of_e = sympy.sqrt(lam**2 * e + sigma**2)
    drift = drift_r.subs(r, r_of_e)
    cubic, c = self_consistent_cubic()
    x_star, t = largest_real_root_cubic(sympy.Integer(1), sympy.Integer(0), -c)
    steady = sigma**2 * x_star / lam**2
    # Linearisation at the root, written in x (alpha eliminated by alpha = 2 sigma x sqrt(1+x) / lam).
    alpha_of_x = 2 * sigma * X * sympy.sqrt(1 + X) / lam
    gamma_x = sympy.simplify((-sympy.diff(drift, e)).subs(e, sigma**2 * X / lam**2).subs(alpha, alpha_of_x))
    # d log x / d log lam from x^2 (1+x) = c(lam) (implicit differentiation), then e = sigma^2 x / lam^2.
    F = X**2 * (1 + X) - c
    dlogx = sympy.simplify(-(lam * sympy.diff(F, lam)) / (X * sympy.diff(F, X))).subs(alpha, alpha_of_x)
    exponent_ratio = sympy.factor(sympy.simplify(2 - dlogx))  # -(d log e / d log lam) = slope on log k over s
    eps = sympy.Symbol("eps", positive=True)
    ratio_series = noise_limit_series(2).subs(eps, alpha * lam / (2 * sigma))
    stab = (Condition("sigma > 0", real_form(sigma) > 0),)
    conds = domain(noise_positive=True)
    forms = {
        "rate_r": alpha / r,
        "drift_r": drift_r,
        "drift": drift,
        "cubic": cubic.as_expr(),
        "cubic_constant": c,
        "viete_t": t,
        "signal_to_noise": x_star,
        "preconditioner": sigma * sympy.sqrt(1 + x_star),
        "class_rate": alpha / sigma,
        "noise_limit_steady_state": sympy.factor(ito_energy_root(alpha / sigma)),
        "noise_limit_first_order_ratio": ratio_series,
        "contraction_rate": gamma_x.subs(X, x_star),
        "contraction_rate_x": gamma_x,
        "local_exponent": s * exponent_ratio.subs(X, x_star),
        "local_exponent_ratio_x": exponent_ratio,
    }
    notes = {
        "model": "paper §9: theta' = theta - (alpha/r) g, r = sqrt(lam^2 e + sigma^2); continuous-time drift "
                 "-2 (alpha/r) lam e + (alpha/r)^2 sigma^2",
        "root": "4 lam^2 e^2 (lam^2 e + sigma^2) = alpha^2 sigma^4 has exactly one positive root (one sign change); "
                "in x = lam^2 e/sigma^2: x^3 + x^2 = (alpha lam / (2 sigma))^2, solved by Viete",
        "exponent": "the log-log slope of e_k* on k is s (2 + 4x)/(2 + 3x): s in the noise-dominated regime "
                    "x -> 0, up to 4s/3 when signal dominates (x -> oo)",
    }
    return Derivation("adam", dict(SYMBOLS), steady, sympy.exp(-forms["contraction_rate"]), all_of(stab),
                      conditions_text(stab), conds, forms, {}, notes)


def ito_energy_root(rate: sympy.Expr) -> sympy.Expr:
    """Zero of the continuous drift for a constant ``rate``."""
    return sympy.solve(sympy.Eq(ito_energy_drift(rate), 0), SYMBOLS["e"])[0]


def v_hat_weight() -> sympy.Expr:
    """Total weight ``(1 - beta2) sum_{j<t} beta2^j / (1 - beta2^t)`` of the bias-corrected second moment: it is
    1, so at stationarity ``E[v_hat] = E[g^2] = lam^2 e + sigma^2`` exactly (the §9 ansatz, in mean)."""
    beta2, t = SYMBOLS["beta2"], sympy.Symbol("t", positive=True, integer=True)
    return sympy.simplify((1 - beta2) * geometric_sum(beta2, t) / (1 - beta2**t))


def derive_adam_noise() -> Derivation:
    """Noise-dominated Adam: exact discrete SGD with ``alpha_t = alpha/sigma``; beta1 EMA forms."""
    alpha, sigma = sym("alpha", "sigma")
    base = derive_discrete("tilde", "adam-noise", noise_positive=True)
    beta1 = real_form(SYMBOLS["beta1"])
    forms = dict(base.forms)
    forms["class_rate"] = alpha / sigma
    forms.update(ema_forms(alpha / sigma))
    b1 = (Condition("0 <= beta1 < 1", sympy.And(beta1 >= 0, beta1 < 1)),)
    notes = dict(base.notes)
    notes["beta1"] = ("EMA m' = beta1 m + (1-beta1) g, theta' = theta - (alpha/sigma) m': stationary E[theta^2] = "
                      "alpha_t sigma^2 (1+beta1) / (lam (2(1+beta1) - (1-beta1) alpha_t lam)); small-rate limit "
                      "alpha_t sigma^2/(2 lam) independent of beta1 (class rate and slow contraction alpha_t lam "
                      "unchanged); beta1 only shrinks the discreteness correction by (1-beta1)/(1+beta1) and widens "
                      "the stability bound to alpha_t lam < 2 (1+beta1)/(1-beta1)")
    notes["beta2"] = "beta2 -> 1: v_hat concentrates at E[g^2] = lam^2 e + sigma^2 (bias-corrected weight 1)"
    return Derivation("adam-noise", base.symbols, base.steady_state, base.contraction_factor, base.stability,
                      base.stability_text, base.conditions + b1, forms, base.matrices, notes)
