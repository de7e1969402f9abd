"""SGD on one quadratic mode: exact discrete second-moment recursion and its continuous-time limit.

Model (paper §9.1): ``theta' = (1 - alpha lam) theta - alpha xi``, ``xi ~ N(0, sigma^2)`` independent of
``theta``.  Everything below is derived from that line by taking expectations.
"""

from __future__ import annotations

import sympy

from spectral_universality.theory.core import SYMBOLS, Condition, Derivation, all_of, conditions_text, real_form, sym
from spectral_universality.theory.linear import expect, geometric_sum

THETA, XI = sympy.symbols("theta xi", real=True)
M = sympy.Symbol("m", real=True)  # E[theta], only as a placeholder in the moment table


def domain(noise_positive: bool = False) -> tuple[Condition, ...]:
    """Parameter domain shared by the quadratic-mode models."""
    alpha, lam, sigma = (real_form(x) for x in sym("alpha", "lam", "sigma"))
    noise = Condition("sigma > 0", sigma > 0) if noise_positive else Condition("sigma >= 0", sigma >= 0)
    return (Condition("alpha > 0", alpha > 0), Condition("lam > 0", lam > 0), noise)


def step_rule(rate: sympy.Expr) -> sympy.Expr:
    """The update ``theta' = (1 - rate lam) theta - rate xi`` as an expression in ``theta, xi``."""
    lam = SYMBOLS["lam"]
    return (1 - rate * lam) * THETA - rate * XI


def energy_step(rate: sympy.Expr) -> sympy.Expr:
    """``E[theta'^2]`` given ``E[theta^2] = e``: ``(1 - rate lam)^2 e + rate^2 sigma^2``."""
    e, sigma = sym("e", "sigma")
    moments = {THETA: {1: M, 2: e}, XI: {1: 0, 2: sigma**2}}
    return sympy.collect(expect(step_rule(rate) ** 2, moments), e, sympy.factor)


def ito_energy_drift(rate: sympy.Expr) -> sympy.Expr:
    """``d E[theta^2]/dt`` for the SDE ``d theta = -rate lam theta dt - rate sigma dW`` (Ito generator of
    ``theta^2``: ``2 theta b + c^2``), i.e. the continuous-time limit of :func:`step_rule`."""
    e, lam, sigma = sym("e", "lam", "sigma")
    b, c = -rate * lam * THETA, -rate * sigma
    return expect(2 * THETA * b + c**2, {THETA: {1: M, 2: e}})


def stability_interval() -> sympy.Interval:
    """The set of ``p = alpha lam`` with ``|1 - p| < 1`` (the recursion's factor inside the unit disc)."""
    p = sympy.Symbol("p", real=True)
    return sympy.solve_univariate_inequality(sympy.Abs(1 - p) < 1, p, relational=False)


def derive_discrete(rate_name: str = "alpha", optimizer: str = "sgd", noise_positive: bool = False) -> Derivation:
    """Exact discrete SGD; ``rate_name`` other than alpha is used by the noise-dominated Adam model."""
    alpha, lam, sigma, e, h = sym("alpha", "lam", "sigma", "e", "h")
    rate = alpha if rate_name == "alpha" else alpha / sigma
    step = energy_step(rate)
    fixed = sympy.factor(sympy.solve(sympy.Eq(e, step), e)[0])
    factor = sympy.factor(sympy.diff(step, e))  # the recursion is affine in e
    a = 1 - rate * lam
    iv = stability_interval()
    prod = real_form(rate * lam)
    stab = (Condition(f"{iv.start} < {sympy.sstr(prod)} < {iv.end}", sympy.And(prod > iv.start, prod < iv.end)),)
    conds = domain(noise_positive) + stab
    drift = ito_energy_drift(rate)
    cont = sympy.factor(sympy.solve(sympy.Eq(drift, 0), e)[0])
    stationary = {THETA: {1: 0, 2: fixed}, XI: {1: 0, 2: sigma**2}}
    lag1 = sympy.factor(expect(step_rule(rate) * THETA, stationary) / fixed)
    forms = {
        "energy_step": step,
        "drift": drift,
        "continuous_steady_state": cont,
        "ratio_discrete_continuous": sympy.factor(fixed / cont),
        "steady_state_gap": sympy.factor(fixed - cont),
        "mean_factor": a,
        "lag1_autocorrelation": lag1,
        "lag_h_autocorrelation": a**h,
        "h_step_mean_factor": a**h,
        "h_step_variance": sympy.factor(rate**2 * sigma**2 * geometric_sum(a**2, h)),
        "contraction_rate": sympy.factor(-sympy.diff(drift, e)),
    }
    notes = {
        "model": f"theta' = (1 - {sympy.sstr(rate)}*lam)*theta - {sympy.sstr(rate)}*xi, xi ~ N(0, sigma^2)",
        "continuous": "drift from the Ito SDE d theta = -rate*lam*theta dt - rate*sigma dW (drops the "
                      "rate^2 lam^2 e term of the exact step)",
    }
    return Derivation(optimizer, dict(SYMBOLS), fixed, factor, all_of(stab), conditions_text(stab), conds,
                      forms, {"A": sympy.Matrix([[a]]), "Q": sympy.Matrix([[rate**2 * sigma**2]]),
                              "S": sympy.Matrix([[fixed]])}, notes)


def derive_continuous() -> Derivation:
    """Continuous-time SGD (the paper's drift ``-2 alpha lam e + alpha^2 sigma^2``)."""
    alpha, lam, e = sym("alpha", "lam", "e")
    drift = ito_energy_drift(alpha)
    fixed = sympy.factor(sympy.solve(sympy.Eq(drift, 0), e)[0])
    rate = sympy.factor(-sympy.diff(drift, e))
    stab = (Condition("alpha*lam > 0", real_form(alpha * lam) > 0),)
    t = SYMBOLS["t"]
    forms = {"drift": drift, "contraction_rate": rate, "relaxation_factor_t": sympy.exp(-rate * t)}
    return Derivation("sgd-continuous", dict(SYMBOLS), fixed, sympy.exp(-rate), all_of(stab),
                      conditions_text(stab), domain() + stab, forms, {},
                      {"model": "d theta = -alpha*lam*theta dt - alpha*sigma dW; contraction_factor is per unit time"})
