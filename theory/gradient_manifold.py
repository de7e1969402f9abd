"""Closed forms for predictable gradient manifolds (companion seed 001, second abstract).

Planted model (the constructed test sequences of :mod:`spectral_universality.numerics.gradient_manifold`)::

    g_t = U a_t + eps_t,        a_t = phi a_{t-1} + q zeta_t,
    U in R^{P x rank} with orthonormal columns, zeta_t ~ N(0, I_rank), eps_t ~ N(0, sigma^2 I_P),

``a`` started in its stationary law ``N(0, s2 I)``, ``s2 = q^2 / (1 - phi^2)``.  Everything below follows from
the scalar autocovariance ``gamma(k) = E<g_t, g_{t-k}> = rank s2 phi^|k| + P sigma^2 [k = 0]`` (the only
second-moment quantity a scalar-coefficient predictor sees) and from the increment covariance
``Cov(g_{t+1} - g_t) = 2 (1 - phi) s2 U U^T + 2 sigma^2 I_P``.

Forms (names of :func:`forms`):

* ``energy``: ``E||g_t||^2 = gamma(0)``.
* ``mse_fixed1`` / ``mse_fixed2``: one-step error ``E||g_t - sum_k c_k g_{t-k}||^2`` of a fixed-coefficient
  predictor of order 1 / 2 (coefficients ``c1, c2``); ``mse_last`` (``c1 = 1``: the last-gradient predictor,
  the classical variation) and ``mse_oracle`` (``c1 = phi``) are its special cases.
* ``yw_c1``, ``mse_yw1``, ``yw2_c1``, ``yw2_c2``, ``mse_yw2``: the population least-squares (Yule-Walker)
  coefficients of the scalar AR(1) / AR(2) predictor and its one-step error, the limit of the fitted predictor
  as its window grows.
* ``ratio_*``: each ``mse_*`` divided by ``energy`` (the *energy ratio*; "predictable" means << 1).
* ``lam_signal`` / ``lam_noise``: eigenvalues of the increment covariance (multiplicities ``rank`` and
  ``P - rank``); ``signal_fraction``: share of the increment energy in ``span U``; ``participation``:
  ``(sum lam)^2 / sum lam^2`` (equals ``rank`` when ``sigma = 0``).
* ``chi_norm_ratio``: ``E||X'|| / E||X||`` for ``X ~ N(0, v I_n)``, ``X' ~ N(0, 2 v I_n)`` (chi means), the
  exact norm ratio of the last-gradient predictor on i.i.d. isotropic gradients (negative control): sqrt(2).
* ``gordon_eps``: JL distortion of a Gaussian sketch ``R`` (entries ``N(0, 1/m)``) on a ``rank``-dimensional
  subspace: with probability ``>= 1 - delta`` every singular value of ``R Q`` (``Q`` orthonormal, ``P x rank``)
  lies in ``[1 - eps, 1 + eps]``, ``eps = (sqrt(rank) + sqrt(2 log(2/delta))) / sqrt(m)`` (Gordon's bound
  ``sqrt(m) - sqrt(rank) - t <= s(G) <= sqrt(m) + sqrt(rank) + t`` w.p. ``>= 1 - 2 exp(-t^2/2)``, Davidson &
  Szarek 2001, Thm II.13).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import sympy
from sympy import Expr

from spectral_universality.errors import HypothesisViolation, InputError

PHI = sympy.Symbol("phi", real=True)  # AR(1) coefficient of the latent, |phi| < 1
Q = sympy.Symbol("q", positive=True)  # innovation standard deviation of the latent
RANK = sympy.Symbol("rank", positive=True, integer=True)  # planted rank
P = sympy.Symbol("P", positive=True, integer=True)  # ambient dimension (number of parameters)
SIGMA = sympy.Symbol("sigma", nonnegative=True)  # isotropic noise standard deviation
C1, C2 = sympy.symbols("c1 c2", real=True)  # fixed predictor coefficients
M = sympy.Symbol("m", positive=True, integer=True)  # sketch dimension
DELTA = sympy.Symbol("delta", positive=True)  # failure probability of the JL event
N = sympy.Symbol("n", positive=True, integer=True)  # dimension of the chi variables
V = sympy.Symbol("v", positive=True)  # per-coordinate variance

SYMBOLS: dict[str, sympy.Symbol] = {s.name: s for s in (PHI, Q, RANK, P, SIGMA, C1, C2, M, DELTA, N, V)}


def stationary_variance() -> Expr:
    """``s2 = q^2 / (1 - phi^2)``: per-coordinate variance of the stationary latent."""
    return Q**2 / (1 - PHI**2)


def autocovariance(k: int) -> Expr:
    """``gamma(k) = E<g_t, g_{t-k}>`` of the planted model."""
    k = abs(int(k))
    return RANK * stationary_variance() * PHI**k + (P * SIGMA**2 if k == 0 else 0)


def fixed_predictor_mse(coeffs: tuple[Expr, ...]) -> Expr:
    """``E||g_t - sum_k c_k g_{t-k}||^2`` by expanding the square into autocovariances."""
    c = (sympy.Integer(-1), *coeffs)  # residual = sum_j w_j g_{t-j} with w_0 = 1 (sign irrelevant)
    total = sum(c[i] * c[j] * autocovariance(i - j) for i in range(len(c)) for j in range(len(c)))
    return sympy.cancel(total)


def yule_walker(order: int) -> tuple[list[Expr], Expr]:
    """Population least-squares coefficients of the scalar AR(``order``) predictor and its one-step error."""
    cs = sympy.symbols(f"b1:{order + 1}", real=True)
    eqs = [sympy.Eq(sum(cs[l] * autocovariance(k - l) for l in range(order)), autocovariance(k + 1))
           for k in range(order)]
    sol = sympy.solve(eqs, cs, dict=True)[0]
    coeffs = [sympy.cancel(sol[c]) for c in cs]
    mse = sympy.cancel(autocovariance(0) - sum(coeffs[k] * autocovariance(k + 1) for k in range(order)))
    return coeffs, mse


def chi_mean(var: Expr) -> Expr:
    """``E||X||`` for ``X ~ N(0, var I_n)``: ``sqrt(2 var) Gamma((n+1)/2) / Gamma(n/2)``."""
    return sympy.sqrt(2 * var) * sympy.gamma((N + 1) / 2) / sympy.gamma(N / 2)


@lru_cache(maxsize=None)
def forms() -> dict[str, Expr]:
    """Every closed form of this module by name (see the module docstring)."""
    energy = autocovariance(0)
    out: dict[str, Expr] = {"energy": energy, "s2": stationary_variance()}
    out["mse_fixed1"] = fixed_predictor_mse((C1,))
    out["mse_fixed2"] = fixed_predictor_mse((C1, C2))
    out["mse_last"] = sympy.factor(out["mse_fixed1"].subs(C1, 1))
    out["mse_oracle"] = sympy.factor(out["mse_fixed1"].subs(C1, PHI))
    (c1,), mse1 = yule_walker(1)
    (d1, d2), mse2 = yule_walker(2)
    out.update(yw_c1=c1, mse_yw1=mse1, yw2_c1=d1, yw2_c2=d2, mse_yw2=mse2)
    for name in ("last", "oracle", "yw1", "yw2", "fixed1", "fixed2"):
        out[f"ratio_{name}"] = sympy.cancel(out[f"mse_{name}"] / energy)
    lam_s = sympy.cancel(2 * (1 - PHI) * stationary_variance() + 2 * SIGMA**2)
    lam_n = 2 * SIGMA**2
    total = RANK * lam_s + (P - RANK) * lam_n
    out.update(lam_signal=lam_s, lam_noise=lam_n, signal_fraction=sympy.cancel(RANK * lam_s / total),
               participation=sympy.cancel(total**2 / (RANK * lam_s**2 + (P - RANK) * lam_n**2)))
    out["chi_norm_ratio"] = sympy.simplify(chi_mean(2 * V) / chi_mean(V))
    out["gordon_eps"] = (sympy.sqrt(RANK) + sympy.sqrt(2 * sympy.log(2 / DELTA))) / sympy.sqrt(M)
    return out


def validate(values: dict[str, float]) -> None:
    """Hypotheses of the planted model: ``|phi| < 1``, ``q > 0``, ``sigma >= 0``, ``1 <= rank <= P``,
    ``m >= 1``, ``0 < delta < 1``, ``n >= 1``, ``v > 0``."""
    def bad(cond: str, name: str) -> None:
        raise HypothesisViolation(cond, f"{name} = {values[name]:g}")

    if "phi" in values and not abs(values["phi"]) < 1:
        bad("|phi| < 1", "phi")
    for name in ("q", "v"):
        if name in values and not values[name] > 0:
            bad(f"{name} > 0", name)
    if "sigma" in values and not values["sigma"] >= 0:
        bad("sigma >= 0", "sigma")
    for name in ("rank", "P", "m", "n"):
        if name in values and not (values[name] >= 1 and float(values[name]).is_integer()):
            bad(f"{name} is an integer >= 1", name)
    if "rank" in values and "P" in values and values["rank"] > values["P"]:
        raise HypothesisViolation("rank <= P", f"rank = {values['rank']:g}, P = {values['P']:g}")
    if "delta" in values and not 0 < values["delta"] < 1:
        bad("0 < delta < 1", "delta")


def evaluate(name: str, **params: float) -> float:
    """Float value of form ``name`` at ``params`` (hypotheses checked first).

    Raises
    ------
    InputError
        Unknown form, unknown or missing parameter, non-finite value.
    HypothesisViolation
        A parameter outside the planted model's hypotheses (the message names the condition).
    """
    table = forms()
    if name not in table:
        raise InputError(f"no closed form {name!r}; known: {sorted(table)}")
    unknown = sorted(set(params) - set(SYMBOLS))
    if unknown:
        raise InputError(f"unknown parameter(s) {unknown}; known: {sorted(SYMBOLS)}")
    values: dict[str, float] = {}
    for k, v in params.items():
        try:
            values[k] = float(v)
        except (TypeError, ValueError):
            raise InputError(f"parameter {k!r} must be a real number, got {v!r}") from None
        if not math.isfinite(values[k]):
            raise InputError(f"parameter {k!r} must be finite, got {v!r}")
    validate(values)
    expr = table[name]
    missing = sorted(s.name for s in expr.free_symbols if s.name not in values)
    if missing:
        raise InputError(f"form {name!r} needs parameter(s) {missing}")
    fn, names = _compiled(name)
    out = fn(*(values[n] for n in names))
    if not math.isfinite(out):
        raise InputError(f"form {name!r} is not finite at {params}")
    return float(out)


@lru_cache(maxsize=None)
def _compiled(name: str) -> tuple[Callable[..., float], list[str]]:
    """Form ``name`` lambdified once (math module: scalars only)."""
    expr = forms()[name]
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    return sympy.lambdify(syms, expr, modules="math"), [s.name for s in syms]
