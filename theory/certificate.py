"""Gradient descent on a quadratic with Hessian spectrum in ``[lam_min, lam_max]``: worst-mode rate, optimal
step, iteration count (companion seed 004, Step 1), derived from the SGD mode factor of :mod:`.sgd`.

GD is SGD without noise: mode ``k`` of ``theta - theta*`` is multiplied by ``1 - alpha lam_k`` per step
(``mean_factor`` of :func:`.sgd.derive_discrete`), its energy by ``(1 - alpha lam_k)^2`` (``contraction_factor``,
the Lean ``sgdContraction``).  Everything below is derived from those two forms:

* ``gap = c(alpha, a) - c(alpha, b) = alpha (b - a) (2 - alpha (a + b))`` (Lean
  ``sgdContraction_sub_sgdContraction``): the ``lam_min`` mode is the slowest only while ``alpha <= 2/(a + b)``;
* ``c`` is convex in ``lam``, so over ``[a, b]`` the slowest mode is an endpoint (``sgdContraction_le_of_endpoints``);
* the worst amplitude rate ``max(|1 - alpha a|, |1 - alpha b|)`` is minimised at ``alpha* = 2/(a + b)`` (both
  endpoints equal, ``sgdContraction_optimalStep``) with value ``(kappa - 1)/(kappa + 1)``, ``kappa = b/a``;
* iterations to shrink ``||theta - theta*||`` by ``eps``: ``log(1/eps)/log(1/rate)``, which at ``alpha*`` is at least
  ``(kappa - 1)/2 log(1/eps)`` and asymptotically ``kappa/2 log(1/eps)``: Theta(kappa) for fixed-step GD.

The seed's rate ``1 - alpha lam_min`` (for any ``alpha < 2/lam_max``) is the worst rate only on
``alpha <= 2/(a + b)``; :func:`seed_rate_region` derives that interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy import Expr

from spectral_universality.errors import HypothesisViolation, InputError
from spectral_universality.theory.core import SYMBOLS
from spectral_universality.theory.dispatch import derive

ALPHA, LAM = SYMBOLS["alpha"], SYMBOLS["lam"]
LAM_MIN = sympy.Symbol("lam_min", positive=True)
LAM_MAX = sympy.Symbol("lam_max", positive=True)
KAPPA = sympy.Symbol("kappa", positive=True)  # lam_max / lam_min
EPS = sympy.Symbol("eps", positive=True)  # target ratio ||theta_t - theta*|| / ||theta_0 - theta*||


def mode_factor(lam: Expr = LAM) -> Expr:
    """Amplitude factor ``1 - alpha lam`` of one mode per GD step (SGD's ``mean_factor``)."""
    return derive("sgd").form("mean_factor").subs(LAM, lam)


def energy_factor(lam: Expr = LAM) -> Expr:
    """Energy factor ``(1 - alpha lam)^2`` per GD step: SGD's ``contraction_factor`` (noise-free)."""
    c = derive("sgd").contraction_factor
    if SYMBOLS["sigma"] in c.free_symbols:  # the factor of the affine energy recursion never involves the noise
        raise AssertionError("sgd contraction factor unexpectedly depends on sigma")
    return c.subs(LAM, lam)


@dataclass(frozen=True)
class GDForms:
    """Closed forms of fixed-step GD on a quadratic with spectrum in ``[lam_min, lam_max]``.

    Attributes
    ----------
    gap : ``c(alpha, lam_min) - c(alpha, lam_max)``, factored.
    curvature_in_lam : ``d^2 c / d lam^2`` (``2 alpha^2 > 0``: ``c`` convex in ``lam``, endpoints are the worst).
    optimal_step : ``alpha*``, the positive root of ``gap`` (``2/(lam_min + lam_max)``).
    worst_rate : ``max(|1 - alpha lam_min|, |1 - alpha lam_max|)`` (per-step amplitude rate of the slowest mode).
    worst_rate_below, worst_rate_above : its branches for ``alpha <= alpha*`` and ``alpha >= alpha*``.
    optimal_rate : ``worst_rate`` at ``alpha*`` (in lam_min, lam_max); ``optimal_rate_kappa`` in ``kappa``.
    optimal_energy_factor : ``c`` at ``alpha*`` (equal at both endpoints).
    seed_rate : the seed's ``1 - alpha lam_min``.
    iterations : ``log(1/eps) / log(1/rate)`` at ``alpha*`` (in kappa, continuous; the count is its ceiling).
    iterations_lower : ``(kappa - 1)/2 log(1/eps)`` (``<= iterations``, from ``log(1 + x) <= x``).
    iterations_per_kappa : ``lim iterations / kappa`` as ``kappa -> oo`` (``log(1/eps)/2``).
    iterations_top_step : iterations at ``alpha = 1/lam_max`` (rate ``1 - 1/kappa``).
    """

    gap: Expr
    curvature_in_lam: Expr
    optimal_step: Expr
    worst_rate: Expr
    worst_rate_below: Expr
    worst_rate_above: Expr
    optimal_rate: Expr
    optimal_rate_kappa: Expr
    optimal_energy_factor: Expr
    seed_rate: Expr
    iterations: Expr
    iterations_lower: Expr
    iterations_per_kappa: Expr
    iterations_top_step: Expr


def _iterations(rate: Expr) -> Expr:
    return sympy.log(1 / EPS) / sympy.log(1 / rate)


@lru_cache(maxsize=None)
def derive_gd() -> GDForms:
    """Derive every form of :class:`GDForms` from :func:`mode_factor` and :func:`energy_factor`."""
    a, b = LAM_MIN, LAM_MAX
    gap = sympy.factor(energy_factor(a) - energy_factor(b))
    curvature = sympy.simplify(sympy.diff(energy_factor(), LAM, 2))
    roots = [r for r in sympy.solve(sympy.Eq(energy_factor(a), energy_factor(b)), ALPHA) if r != 0]
    if len(roots) != 1:
        raise AssertionError(f"expected one nonzero crossing step, got {roots}")
    step = sympy.simplify(roots[0])
    worst = sympy.Max(sympy.Abs(mode_factor(a)), sympy.Abs(mode_factor(b)))
    # Below alpha*: gap > 0 so the lam_min mode is slowest, and alpha lam_min < 1 keeps its factor positive.
    below = mode_factor(a)
    # Above alpha*: the lam_max mode is slowest and alpha lam_max > 1 makes its factor negative.
    above = -mode_factor(b)
    opt = sympy.factor(sympy.simplify(below.subs(ALPHA, step)))
    if sympy.simplify(opt - above.subs(ALPHA, step)) != 0:
        raise AssertionError("the two branches of the worst rate disagree at the optimal step")
    opt_k = sympy.simplify(opt.subs(b, KAPPA * a))
    iters = _iterations(opt_k)
    lower = (KAPPA - 1) / 2 * sympy.log(1 / EPS)
    per_kappa = sympy.limit(iters / KAPPA, KAPPA, sympy.oo)
    # At alpha = 1/lam_max the top mode is annihilated, so the lam_min mode (factor 1 - 1/kappa) is the slowest.
    if sympy.simplify(mode_factor(b).subs(ALPHA, 1 / b)) != 0:
        raise AssertionError("alpha = 1/lam_max should annihilate the lam_max mode")
    top_rate = sympy.simplify(mode_factor(a).subs(ALPHA, 1 / (KAPPA * a)))
    return GDForms(gap=gap, curvature_in_lam=curvature, optimal_step=step, worst_rate=worst,
                   worst_rate_below=below, worst_rate_above=above, optimal_rate=opt, optimal_rate_kappa=opt_k,
                   optimal_energy_factor=sympy.factor(energy_factor(a).subs(ALPHA, step)),
                   seed_rate=mode_factor(a), iterations=iters, iterations_lower=lower,
                   iterations_per_kappa=sympy.simplify(per_kappa), iterations_top_step=_iterations(top_rate))


def seed_rate_region() -> sympy.Set:
    """The steps ``alpha > 0`` at which the seed's rate ``1 - alpha lam_min`` is the worst mode's rate
    (``c(alpha, lam_max) <= c(alpha, lam_min)``), for ``lam_min < lam_max``: ``(0, 2/(lam_min + lam_max)]``."""
    a, b = LAM_MIN, LAM_MAX
    t = sympy.Symbol("t", positive=True)  # alpha in units of 2/(a + b)
    g = sympy.factor(derive_gd().gap.subs(ALPHA, 2 * t / (a + b)))  # = 4 t (b - a)(1 - t)/(a + b)
    ratio = sympy.factor(g / ((b - a) / (a + b)))  # a sign-free positive factor removed (b > a)
    region = sympy.solve_univariate_inequality(ratio >= 0, t, relational=False)
    return sympy.Interval(0, region.end * 2 / (a + b), True, region.right_open)  # alpha > 0 by hypothesis


# -- numbers ------------------------------------------------------------------------------------------


def _finite(name: str, x: float) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a real number, got {x!r}") from None
    if not math.isfinite(v):
        raise InputError(f"{name} must be finite, got {x!r}")
    return v


def check_spectrum(lam_min: float, lam_max: float) -> tuple[float, float]:
    """``0 < lam_min <= lam_max`` (a positive-definite quadratic), else HypothesisViolation."""
    a, b = _finite("lam_min", lam_min), _finite("lam_max", lam_max)
    if not 0 < a <= b:
        raise HypothesisViolation("0 < lam_min <= lam_max", f"lam_min = {a:g}, lam_max = {b:g}")
    return a, b


_NAMES = {"alpha": ALPHA, "lam_min": LAM_MIN, "lam_max": LAM_MAX, "kappa": KAPPA, "eps": EPS}


@lru_cache(maxsize=None)
def _compiled(form: str):
    """Float64 function of the symbols (by canonical name, sorted) of ``derive_gd().<form>``, compiled once."""
    expr = getattr(derive_gd(), form)
    names = sorted(s.name for s in expr.free_symbols)
    return sympy.lambdify([_NAMES[n] for n in names], expr, "math"), names


def _num(form: str, **values: float) -> float:
    fn, names = _compiled(form)
    return float(fn(*(values[n] for n in names)))


def optimal_step(lam_min: float, lam_max: float) -> float:
    """``alpha* = 2/(lam_min + lam_max)``."""
    a, b = check_spectrum(lam_min, lam_max)
    return _num("optimal_step", lam_min=a, lam_max=b)


def optimal_rate(kappa: float) -> float:
    """Worst per-step amplitude rate at ``alpha*``: ``(kappa - 1)/(kappa + 1)`` (``kappa >= 1``)."""
    k = _finite("kappa", kappa)
    if not k >= 1:
        raise HypothesisViolation("kappa >= 1", f"kappa = {k:g}")
    return _num("optimal_rate_kappa", kappa=k)


def worst_rate(alpha: float, lam_min: float, lam_max: float) -> float:
    """``max(|1 - alpha lam_min|, |1 - alpha lam_max|)``: GD's per-step amplitude rate (``< 1`` iff
    ``0 < alpha lam_max < 2``)."""
    a, b = check_spectrum(lam_min, lam_max)
    al = _finite("alpha", alpha)
    if not al > 0:
        raise HypothesisViolation("alpha > 0", f"alpha = {al:g}")
    return _num("worst_rate", alpha=al, lam_min=a, lam_max=b)


def seed_rate(alpha: float, lam_min: float) -> float:
    """The seed's claimed rate ``1 - alpha lam_min``."""
    return _num("seed_rate", alpha=_finite("alpha", alpha), lam_min=_finite("lam_min", lam_min))


def iterations_to_eps(rate: float, eps: float) -> int:
    """Smallest ``t`` with ``rate^t <= eps``: ``ceil(log(1/eps)/log(1/rate))`` (``0 < rate < 1``, ``0 < eps < 1``).

    Computed as the least integer ``t`` satisfying the inequality (not by rounding the real quotient), so the
    count is exact even when the quotient is within rounding of an integer."""
    r, e = _finite("rate", rate), _finite("eps", eps)
    if not 0 < e < 1:
        raise InputError(f"eps must lie in (0, 1), got {e:g}")
    if not 0 <= r < 1:
        raise HypothesisViolation("0 <= rate < 1", f"rate = {r:g}")
    if r == 0:
        return 1
    t = max(1, math.ceil(math.log(e) / math.log(r)) - 1)  # the real quotient log(1/eps)/log(1/rate), less one
    while r**t > e:
        t += 1
    return t


def optimal_iterations(kappa: float, eps: float) -> int:
    """Iterations of GD at ``alpha*`` to shrink the worst-case distance by ``eps``."""
    return iterations_to_eps(optimal_rate(kappa), eps)


def iterations_bounds(kappa: float, eps: float) -> tuple[float, float]:
    """``(lower, asymptote)``: ``(kappa - 1)/2 log(1/eps)`` and ``kappa/2 log(1/eps)`` (``kappa -> oo`` slope)."""
    k = _finite("kappa", kappa)
    if not k >= 1:
        raise HypothesisViolation("kappa >= 1", f"kappa = {k:g}")
    return _num("iterations_lower", kappa=k, eps=eps), k * _num("iterations_per_kappa", eps=eps)


def gap_value(alpha: float, a: float, b: float) -> float:
    """``c(alpha, a) - c(alpha, b)`` from the factored gap (an identity: any real ``alpha, a, b``)."""
    return _num("gap", alpha=_finite("alpha", alpha), lam_min=_finite("a", a), lam_max=_finite("b", b))


def optimal_energy_factor(a: float, b: float) -> float:
    """``((b - a)/(b + a))^2``: the energy factor of both endpoints at ``alpha = 2/(a + b)`` (``a + b != 0``)."""
    a, b = _finite("a", a), _finite("b", b)
    if a + b == 0:
        raise HypothesisViolation("a + b != 0", f"a = {a:g}, b = {b:g}")
    return _num("optimal_energy_factor", lam_min=a, lam_max=b)
