"""Closed forms of the spectral-shell energy balance (companion seed 002).

Modewise dynamics in the instantaneous eigenbasis of ``M(t) = U diag(mu) U^T``: ``c = U^T e`` obeys
``c' = -D c + W c`` with ``W = U'^T U`` skew.  Derived here:

* :func:`within_shell_identities`: ``sum_{k,l in S} x_k A_kl x_l = 0`` for skew ``A`` and the shell-energy
  rate ``sum c_k c_k' = -sum d_k c_k^2`` (Lean ``ShellEnergy``), for symbolic ``n``-mode shells;
* :func:`lazy_mode_energy`: constant ``M`` (kernel regression, the lazy/NTK limit): no flux, and each mode's
  energy follows the SGD contraction of :mod:`.sgd` at ``sigma = 0``: ``(1 - alpha mu)^(2t) c_0^2`` (GD with
  step ``alpha``) or ``exp(-2 alpha mu t) c_0^2`` (flow, time ``alpha t``);
* :func:`planted_gd` / :func:`planted_flow`: two modes in two shells with a rotating basis
  ``M(t) = Q(t) diag(mu1, mu2) Q(t)^T``, ``Q(t) = exp(t A)``, ``A = a [[0, 1], [-1, 0]]``, where the flux
  between the shells is known in closed form.

The symbols ``alpha`` (step), ``lam`` (eigenvalue mu), ``e`` (initial mode energy) and ``t`` are the canonical
ones of :mod:`.core`; the planted-rotation symbols are local to this module.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np
import sympy

from spectral_universality.errors import HypothesisViolation, InputError
from spectral_universality.theory.core import SYMBOLS, sym
from spectral_universality.theory.sgd import derive_continuous, derive_discrete

MU1, MU2 = sympy.symbols("mu1 mu2", positive=True)  # planted eigenvalues, mu1 > mu2
A_ROT = sympy.Symbol("a", real=True)  # rotation rate of the planted basis
C1, C2 = sympy.symbols("c1 c2", real=True)  # mode coefficients (initial, or at step t)
U_HALF = sympy.Symbol("u", real=True)  # tan(alpha a / 2)
J2 = sympy.Matrix([[0, 1], [-1, 0]])


def within_shell_identities(n: int) -> dict[str, sympy.Expr]:
    """For a shell of ``n`` modes with symbolic ``x``, ``d`` and skew ``Omega``: ``quad_form`` =
    ``sum x_i Omega_ij x_j`` and ``rate_minus_dissipation`` = ``sum x_k x_k' + sum d_k x_k^2`` with
    ``x' = -diag(d) x + Omega x``, both expanded (each is 0: the Lean lemmas)."""
    if n < 1:
        raise InputError(f"n must be >= 1, got {n}")
    x = sympy.Matrix(sympy.symbols(f"x0:{n}", real=True))
    d = sympy.Matrix(sympy.symbols(f"d0:{n}", nonnegative=True))
    om = sympy.Matrix(n, n, lambda i, j: sympy.Symbol(f"w{min(i, j)}_{max(i, j)}", real=True) * (
        0 if i == j else (1 if i < j else -1)))
    xdot = -sympy.diag(*d) * x + om * x
    quad = sympy.expand((x.T * om * x)[0, 0])
    rate = sympy.expand((x.T * xdot)[0, 0] + sum(d[k] * x[k] ** 2 for k in range(n)))
    return {"quad_form": quad, "rate_minus_dissipation": rate}


@lru_cache(maxsize=None)
def lazy_mode_energy(scheme: str = "gd") -> sympy.Expr:
    """Energy of one mode after ``t`` steps under a constant kernel, from :mod:`.sgd` at ``sigma = 0``.

    ``gd``: ``e* + q^t (e - e*)`` with the discrete SGD contraction ``q`` and fixed point ``e*`` (0 without
    noise) -> ``(1 - alpha lam)^(2t) e``; ``flow``: ``e * relaxation_factor_t`` -> ``exp(-2 alpha lam t) e``.
    """
    alpha, lam, sigma, e, t = sym("alpha", "lam", "sigma", "e", "t")
    if scheme == "gd":
        d = derive_discrete()
        fixed = d.steady_state.subs(sigma, 0)
        return fixed + d.contraction_factor ** t * (e - fixed)
    if scheme == "flow":
        return derive_continuous().forms["relaxation_factor_t"] * e
    raise InputError(f"scheme must be 'gd' or 'flow', got {scheme!r}")


def lazy_shell_energies(mu: np.ndarray, c0: np.ndarray, labels: np.ndarray, n_shells: int, lr: float,
                        steps: int, scheme: str = "gd") -> np.ndarray:
    """Shell energies ``(steps+1, n_shells)`` under a constant kernel with eigenvalues ``mu`` ``(n,)``,
    initial coefficients ``c0`` ``(n,)`` and shell labels ``(n,)`` (sum of :func:`lazy_mode_energy`)."""
    mu, c0, labels = (np.asarray(v) for v in (mu, c0, labels))
    if not (mu.shape == c0.shape == labels.shape and mu.ndim == 1):
        raise InputError("mu, c0 and labels must be 1-D of one length")
    if scheme == "gd" and np.any(np.abs(1 - lr * mu) > 1):
        raise HypothesisViolation("0 <= alpha*lam <= 2 (GD stable on every mode)", f"max alpha*lam = {lr * mu.max():g}")
    names = ("alpha", "lam", "e", "t")
    fn = sympy.lambdify(sym(*names), lazy_mode_energy(scheme), "numpy")
    t = np.arange(steps + 1, dtype=np.float64)[:, None]
    per_mode = fn(lr, mu[None, :], c0[None, :] ** 2, t)  # (T+1, n)
    out = np.zeros((steps + 1, n_shells))
    for j in range(n_shells):
        out[:, j] = per_mode[:, labels == j].sum(1)
    return out


# -- planted rotating basis, two modes in two shells ------------------------------------------------------


def _planted_conditions(mu1: float, mu2: float, a: float) -> None:
    if not (mu1 > mu2 > 0):
        raise HypothesisViolation("mu1 > mu2 > 0", f"mu1 = {mu1:g}, mu2 = {mu2:g}")


@lru_cache(maxsize=None)
def planted_gd() -> dict[str, Any]:
    """One GD step ``e' = (I - alpha M(s alpha)) e`` in the eigenbasis coordinates ``c = (c1, c2)``.

    ``c' = exp(-alpha A) (I - alpha D) c`` (rotation by angle ``alpha a``).  The Cayley generator of the basis
    change ``R^T = exp(-alpha A)`` is ``K = -2 tan(alpha a / 2) J``; the flux from shell 1 into shell 0 is
    ``F01 = 2 m1 K_01 m2 = -4 tan(alpha a/2) m1 m2`` with ``m = ((I - alpha D) c + c') / 2``; dissipation
    ``D_i = ((1 - alpha mu_i)^2 - 1) c_i^2``.  :func:`planted_gd_gaps` checks the forms.
    """
    alpha = SYMBOLS["alpha"]
    theta = alpha * A_ROT
    rot = sympy.Matrix([[sympy.cos(theta), -sympy.sin(theta)], [sympy.sin(theta), sympy.cos(theta)]])
    damp = sympy.diag(1 - alpha * MU1, 1 - alpha * MU2)
    c = sympy.Matrix([C1, C2])
    cp = damp * c
    c_next = rot * cp
    m = (cp + c_next) / 2
    k = -2 * sympy.tan(theta / 2) * J2
    flux01 = 2 * m[0] * k[0, 1] * m[1]
    diss = [sympy.expand(cp[i] ** 2 - c[i] ** 2) for i in range(2)]
    return {
        "next_c1": c_next[0], "next_c2": c_next[1],
        "dissipation0": diss[0], "dissipation1": diss[1],
        "flux01": flux01,
        "cayley01": k[0, 1],
        "rotation": rot,
        "cayley": k,
    }


def planted_gd_gaps() -> dict[str, sympy.Expr]:
    """``balance_gap`` (shell-0 change minus D_0 minus F01) and ``cayley_gap`` (``2 (R^T - I)(R^T + I)^-1 - K``)
    of :func:`planted_gd` after ``tan(alpha a/2) -> u`` (rational in ``u``): both identically 0."""
    f = planted_gd()
    theta = SYMBOLS["alpha"] * A_ROT
    half = {sympy.cos(theta): (1 - U_HALF**2) / (1 + U_HALF**2), sympy.sin(theta): 2 * U_HALF / (1 + U_HALF**2),
            sympy.tan(theta / 2): U_HALF}
    rot, eye = f["rotation"], sympy.eye(2)
    gap = f["next_c1"] ** 2 - C1**2 - f["dissipation0"] - f["flux01"]
    cayley = 2 * (rot - eye) * (rot + eye).inv()  # rot = exp(-alpha A) = R^T acts on the coefficients
    return {"balance_gap": sympy.cancel(gap.subs(half)),
            "cayley_gap": sympy.simplify((cayley - f["cayley"]).subs(half))}


def planted_gd_numbers(mu1: float, mu2: float, a: float, c0: tuple[float, float], lr: float,
                       steps: int) -> dict[str, np.ndarray]:
    """Iterate :func:`planted_gd`: coefficients ``(T+1, 2)``, per-step ``flux01``, ``dissipation`` ``(T, 2)``."""
    _planted_conditions(mu1, mu2, a)
    forms = planted_gd()
    args = (SYMBOLS["alpha"], MU1, MU2, A_ROT, C1, C2)
    f = {k: sympy.lambdify(args, forms[k], "math") for k in ("next_c1", "next_c2", "dissipation0",
                                                              "dissipation1", "flux01")}
    c = [tuple(map(float, c0))]
    flux, diss = [], []
    for _ in range(steps):
        p = (lr, mu1, mu2, a, *c[-1])
        flux.append(f["flux01"](*p))
        diss.append((f["dissipation0"](*p), f["dissipation1"](*p)))
        c.append((f["next_c1"](*p), f["next_c2"](*p)))
    return {"c": np.array(c), "flux01": np.array(flux), "dissipation": np.array(diss)}


@lru_cache(maxsize=None)
def planted_flow() -> dict[str, sympy.Expr]:
    """Gradient flow ``e' = -M(t) e``: ``c' = -(D + A) c``, solved in closed form.

    With ``s = (mu1 + mu2)/2``, ``delta = (mu1 - mu2)/2``, ``N = [[delta, a], [-a, -delta]]`` (``N^2 = omega^2 I``,
    ``omega^2 = delta^2 - a^2``): ``c(t) = exp(-s t) (cosh(omega t) I - sinh(omega t)/omega N) c(0)``.  Flux rate
    into shell 0 from shell 1: ``2 c1 W_01 c2`` with ``W = U'^T U = -A``, i.e. ``-2 a c1 c2``; dissipation
    rates ``-2 mu_i c_i^2``.  :func:`planted_flow_gaps` checks the forms.
    Here ``t`` is time (a flow sampled with spacing ``dt`` reaches ``t`` after ``t/dt`` steps).
    """
    return _planted_flow_system()[0]


def planted_flow_gaps() -> dict[str, sympy.Expr]:
    """``ode_gap`` (``c' + (D + A) c``) and ``balance_gap`` (``d c1^2/dt`` minus dissipation minus flux) of
    :func:`planted_flow` as polynomials in exponentials with ``omega^2 -> delta^2 - a^2``: both identically 0."""
    _, gaps, w, omega_sq = _planted_flow_system()

    def reduce(gap: sympy.Expr) -> sympy.Expr:
        return sympy.expand(sympy.expand((gap * w**2).rewrite(sympy.exp)).subs(w**2, omega_sq))

    return {"ode_gap": gaps["ode_gap"].applyfunc(reduce), "balance_gap": reduce(gaps["balance_gap"])}


@lru_cache(maxsize=None)
def _planted_flow_system() -> tuple[dict[str, sympy.Expr], dict[str, sympy.Expr], sympy.Symbol, sympy.Expr]:
    """Forms of :func:`planted_flow`, the unreduced gaps in ``omega`` (a positive symbol), ``omega`` and
    ``omega^2 = delta^2 - a^2``."""
    t = SYMBOLS["t"]
    s, delta = (MU1 + MU2) / 2, (MU1 - MU2) / 2
    w = sympy.Symbol("omega", positive=True)
    nmat = sympy.Matrix([[delta, A_ROT], [-A_ROT, -delta]])
    prop = sympy.exp(-s * t) * (sympy.cosh(w * t) * sympy.eye(2) - sympy.sinh(w * t) / w * nmat)
    c = prop * sympy.Matrix([C1, C2])
    a_mat = A_ROT * J2
    flux01 = 2 * c[0] * (-a_mat)[0, 1] * c[1]
    diss = [-2 * MU1 * c[0] ** 2, -2 * MU2 * c[1] ** 2]
    omega_sq = delta**2 - A_ROT**2
    omega = {w: sympy.sqrt(omega_sq)}
    forms = {"c1": c[0].subs(omega), "c2": c[1].subs(omega), "flux01_rate": flux01.subs(omega),
             "dissipation0_rate": diss[0].subs(omega), "dissipation1_rate": diss[1].subs(omega)}
    gaps = {"ode_gap": c.diff(t) + (sympy.diag(MU1, MU2) + a_mat) * c,
            "balance_gap": (c[0] ** 2).diff(t) - diss[0] - flux01}
    return forms, gaps, w, omega_sq


def planted_flow_numbers(mu1: float, mu2: float, a: float, c0: tuple[float, float],
                         times: np.ndarray) -> dict[str, np.ndarray]:
    """Closed-form ``c(t)`` ``(len(times), 2)`` and the cumulative flux into shell 0 and dissipation of each
    shell from 0 to each time (adaptive quadrature of the closed-form rates, rel. tol 1e-13).

    Hypothesis: ``(mu1 - mu2)/2 > |a|`` (overdamped rotation: real ``omega``)."""
    from scipy.integrate import quad

    _planted_conditions(mu1, mu2, a)
    if not (mu1 - mu2) / 2 > abs(a):
        raise HypothesisViolation("(mu1 - mu2)/2 > |a|", f"(mu1 - mu2)/2 = {(mu1 - mu2) / 2:g}, a = {a:g}")
    forms = planted_flow()
    args = (SYMBOLS["t"], MU1, MU2, A_ROT, C1, C2)
    fn: dict[str, Callable[..., float]] = {k: sympy.lambdify(args, forms[k], "math") for k in
                                           ("c1", "c2", "flux01_rate", "dissipation0_rate", "dissipation1_rate")}
    p = (mu1, mu2, a, *map(float, c0))

    def integral(name: str, upper: float) -> float:
        return quad(lambda x: fn[name](x, *p), 0.0, upper, epsabs=0.0, epsrel=1e-13, limit=200)[0]

    times = np.asarray(times, dtype=np.float64)
    return {
        "c": np.array([[fn["c1"](x, *p), fn["c2"](x, *p)] for x in times]),
        "flux01": np.array([integral("flux01_rate", x) for x in times]),
        "dissipation": np.array([[integral("dissipation0_rate", x), integral("dissipation1_rate", x)]
                                 for x in times]),
    }
