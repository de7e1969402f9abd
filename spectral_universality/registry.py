"""The registry: each main Lean theorem of ``SpectralUniversality`` linked to its SymPy conclusion and to
a simulation that measures the same quantity.

An entry (:class:`Link`) carries

* ``theorem``: the Lean name (namespace ``SpectralUniversality``);
* ``hypotheses``: the theorem's hypotheses as text and as a Python predicate ``holds(params)``;
* ``inside`` / ``outside``: Hypothesis strategies of parameters that satisfy the hypotheses, and of
  parameters just outside them where the theory says the conclusion can fail (``None`` with a reason when
  the conclusion is an identity with no hypothesis to break);
* ``forms``: the Lean ``def`` names of the closed forms the conclusion uses, resolved by
  :func:`spectral_universality.theory.closed_forms` (a test compares them with the Lean source);
* ``check(params, seed) -> Verdict``: runs the simulation and decides whether the conclusion holds. Monte-Carlo
  comparisons use :func:`~spectral_universality.linkcheck.agrees`, whose tolerance is the standard error
  across independent seeds times the quantile of a stated false-alarm rate.

Lean declarations that are not linked (lemmas, definitions, ``Rat`` examples) are listed in
:data:`UNLINKED` with the reason. ``tests/properties`` checks every entry inside and outside its hypotheses
and checks the registry against the Lean inventory for completeness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from hypothesis import strategies as st

from .linkcheck import Verdict, agrees, z_critical

Params = dict[str, float]


@dataclass(frozen=True)
class Link:
    """One Lean theorem, its closed form and its simulation."""

    theorem: str
    conclusion: str
    hypotheses: str
    holds: Callable[[Params], bool]
    inside: Callable[[], st.SearchStrategy[Params]]
    outside: Callable[[], st.SearchStrategy[Params]] | None
    outside_note: str
    forms: tuple[str, ...]
    check: Callable[[Params, int], Verdict]


# -- simulations ---------------------------------------------------------------------------------------


def _generator(seed: int):
    import torch

    return torch.Generator().manual_seed(seed)


@lru_cache(maxsize=None)
def _form_fn(name: str) -> tuple[Callable[..., float], tuple[str, ...]]:
    """The Lean closed form ``name`` compiled once (from ``theory``), with its argument names."""
    import sympy

    from .theory import LEAN_SIGNATURES, SYMBOLS, closed_forms

    args = LEAN_SIGNATURES[name]
    return sympy.lambdify([SYMBOLS[a] for a in args], closed_forms()[name], modules="math"), args


def _form(name: str, **params: float) -> float:
    """A closed form of the Lean library, evaluated in float64."""
    fn, args = _form_fn(name)
    return float(fn(*(params[a] for a in args)))


def _stationary_energy(optimizer: str, lam: list[float], alpha: float, sigma: float, seed: int,
                       seeds: int = 64, steps: int = 2000, burn: int | None = None, **kw: float) -> tuple[Any, Any]:
    """Stationary mode energies ``(K,)`` and their standard errors, from independent seed groups.

    Burn-in (unless ``burn`` is given): the energy relaxes like ``(1 - alpha lam)^(2t)``; 20 / (alpha lam_min)
    steps leave < e^-40.
    """
    import torch

    from .numerics.expected import evaluate_form
    from .numerics.quadratic import simulate_quadratic

    lam_t = torch.tensor(lam, dtype=torch.float64)
    rate = float(evaluate_form("adam-noise", "class_rate", alpha=alpha, sigma=sigma)) if optimizer == "adam-noise" \
        else alpha
    if burn is None:
        burn = int(min(20 / (rate * min(lam)), 200_000))
    groups = 16
    res = simulate_quadratic(optimizer, lam_t, alpha=alpha, sigma=sigma, steps=steps, seeds=seeds,
                             generator=_generator(seed), burn_in=burn, seed_groups=groups, **kw)
    per_group = torch.stack([res.stats.group(i).energies() for i in range(groups)])  # (groups, K)
    mean = per_group.mean(0)
    se = per_group.std(0, unbiased=True) / math.sqrt(groups)
    return mean.numpy(), se.numpy()


def _agrees_t(measured: float, se: float, expected: float, groups: int = 16) -> Verdict:
    """:func:`agrees` for a mean over ``groups`` replicas whose s.e. is itself estimated: the tolerance uses
    the Student-t quantile (df = groups - 1) at the same false-alarm rate instead of the normal one."""
    from scipy.stats import t as student_t

    from .linkcheck import FALSE_ALARM_PER_COMPARISON

    ratio = student_t.ppf(1 - FALSE_ALARM_PER_COMPARISON / 2, groups - 1) / z_critical()
    return agrees(measured, se * ratio, expected)


# -- ModeDynamics ----------------------------------------------------------------------------------------


def _check_fixed_point(p: Params, seed: int) -> Verdict:
    """Stationary energy of simulated SGD equals ``sgdFixedPoint`` (it is finite only when stable)."""
    if p["alpha"] * p["lam"] >= 2:
        return _check_divergence(p, seed)
    mean, se = _stationary_energy("sgd", [p["lam"]], p["alpha"], p["sigma"], seed)
    return _agrees_t(float(mean[0]), float(se[0]), _form("sgdFixedPoint", **p))


def _check_divergence(p: Params, seed: int, steps: int = 200, optimizer: str = "sgd",
                      fixed_point: str = "sgdFixedPoint", **kw: float) -> Verdict:
    """Outside the stability region the simulated energy does not settle at the fixed point ``fixed_point``:
    from ``theta_0 = 1`` it grows past ten times that fixed point (or 1) within ``steps``."""
    import torch

    from .numerics.quadratic import simulate_quadratic

    res = simulate_quadratic(optimizer, torch.tensor([p["lam"]], dtype=torch.float64), alpha=p["alpha"],
                             sigma=p["sigma"], steps=steps, seeds=256, generator=_generator(seed), theta0=1.0,
                             record=True, **kw)
    final = float((res.trajectory[-1] ** 2).mean())
    settled = math.isfinite(final) and final < 10.0 * max(1.0, abs(_form(fixed_point, **p)))
    return Verdict(settled, f"energy after {steps} steps: {final:.3g} (alpha*lam = {p['alpha'] * p['lam']:.3g})")


def _transient(p: Params, seed: int) -> tuple[Verdict, float, float, float]:
    """Simulate SGD from ``theta_0 = sqrt(e_0)``, ``e_0 = e0_factor |e*|``, for 10 steps. Returns the verdict
    on the closed form ``e_t - e* = c^t (e_0 - e*)`` at t = 1, 3, 10, then ``|e_10 - e*|``, its Monte-Carlo
    tolerance, and ``|e_0 - e*|``."""
    import torch

    from .numerics.quadratic import simulate_quadratic

    seeds = 20_000
    e_star = _form("sgdFixedPoint", alpha=p["alpha"], lam=p["lam"], sigma=p["sigma"])
    c = _form("sgdContraction", alpha=p["alpha"], lam=p["lam"])
    e0 = p["e0_factor"] * abs(e_star)
    res = simulate_quadratic("sgd", torch.tensor([p["lam"]], dtype=torch.float64), alpha=p["alpha"],
                             sigma=p["sigma"], steps=10, seeds=seeds, generator=_generator(seed),
                             theta0=math.sqrt(e0), record=True)
    sq = res.trajectory[..., 0] ** 2  # (steps, seeds); row t-1 is theta_t
    closed = Verdict(True, "closed form holds at t = 1, 3, 10")
    for t in (1, 3, 10):
        row = sq[t - 1]
        v = agrees(float(row.mean()), float(row.std()) / math.sqrt(seeds), e_star + c**t * (e0 - e_star))
        if not v.holds:
            closed = Verdict(False, f"closed form fails at t={t}: {v.detail}")
            break
    row = sq[9]
    return closed, abs(float(row.mean()) - e_star), z_critical() * float(row.std()) / math.sqrt(seeds), \
        abs(e0 - e_star)


def _check_transient(p: Params, seed: int) -> Verdict:
    """The closed form, and contraction: ``|e_10 - e*|`` is below ``|e_0 - e*|`` beyond the tolerance.
    Outside the stability region the closed form still holds (an identity) but the distance grows."""
    closed, gap, tol, gap0 = _transient(p, seed)
    shrinks = closed.holds and gap + tol < gap0
    return Verdict(shrinks, f"{closed.detail}; |e_10 - e*| = {gap:.4g} (tol {tol:.2g}) vs |e_0 - e*| = {gap0:.4g} "
                            f"(alpha*lam = {p['alpha'] * p['lam']:.3g})")


def _check_growth(p: Params, seed: int) -> Verdict:
    """The closed form, and growth: ``|e_10 - e*|`` exceeds ``|e_0 - e*|`` beyond the tolerance."""
    closed, gap, tol, gap0 = _transient(p, seed)
    grows = closed.holds and gap - tol > gap0
    return Verdict(grows, f"{closed.detail}; |e_10 - e*| = {gap:.4g} (tol {tol:.2g}) vs |e_0 - e*| = {gap0:.4g} "
                          f"(alpha*lam = {p['alpha'] * p['lam']:.3g})")


def _check_continuous_gap(p: Params, seed: int) -> Verdict:
    """Simulated stationary energy minus the seed's continuous steady state equals ``steadyStateGap``."""
    mean, se = _stationary_energy("sgd", [p["lam"]], p["alpha"], p["sigma"], seed)
    measured_gap = float(mean[0]) - _form("sgdContinuousSteadyState", **p)
    return _agrees_t(measured_gap, float(se[0]), _form("steadyStateGap", **p))


# -- AdamClass -------------------------------------------------------------------------------------------


def _check_adam_noise(p: Params, seed: int) -> Verdict:
    """In the noise-dominated model (r = sigma), Adam's stationary profile is SGD's at ``classRate``:
    simulated noise-dominated Adam against ``sgdFixedPoint(classRate alpha sigma)``, mode by mode."""
    lam = [p["lam"], p["lam"] / 2]
    mean, se = _stationary_energy("adam-noise", lam, p["alpha"], p["sigma"], seed)
    at = _form("classRate", alpha=p["alpha"], sigma=p["sigma"])
    for k, l in enumerate(lam):
        v = _agrees_t(float(mean[k]), float(se[k]), _form("sgdFixedPoint", alpha=at, lam=l, sigma=p["sigma"]))
        if not v.holds:
            return Verdict(False, f"mode {k}: {v.detail}")
    return Verdict(True, f"{len(lam)} modes agree with sgdFixedPoint at classRate = {at:.4g}")


#: Noise dominance assumed by the real-Adam link: lam^2 e / sigma^2 <= NOISE_DOMINANCE at the class energy.
NOISE_DOMINANCE = 0.06


def _check_real_adam_in_class(p: Params, seed: int) -> Verdict:
    """``torch.optim.Adam`` (beta1 = 0) is in the SGD class at rate ``alpha/sigma`` while the mode is
    noise-dominated: its preconditioner r = sqrt(lam^2 e + sigma^2) then lies in [sigma, sigma sqrt(1 + x)],
    x = NOISE_DOMINANCE, so its stationary energy must lie between the class predictions at rates
    alpha/(sigma sqrt(1 + x)) and alpha/sigma (up to the Monte-Carlo tolerance)."""
    mean, se = _stationary_energy("adam", [p["lam"]], p["alpha"], p["sigma"], seed, beta1=0.0, beta2=0.999,
                                  eps=1e-12)
    at = _form("classRate", alpha=p["alpha"], sigma=p["sigma"])
    e_class = _form("sgdFixedPoint", alpha=at, lam=p["lam"], sigma=p["sigma"])
    e_low = _form("sgdFixedPoint", alpha=at / math.sqrt(1 + NOISE_DOMINANCE), lam=p["lam"], sigma=p["sigma"])
    m = float(mean[0])
    ok = (e_low <= m <= e_class) or _agrees_t(m, float(se[0]), e_low).holds or \
        _agrees_t(m, float(se[0]), e_class).holds
    return Verdict(ok, f"Adam energy {m:.5g} (se {float(se[0]):.2g}) vs class interval [{e_low:.5g}, {e_class:.5g}] "
                       f"(alpha*lam/sigma = {at * p['lam']:.3g})")


def _noise_dominated(p: Params) -> bool:
    """lam^2 e*/sigma^2 <= NOISE_DOMINANCE at the class energy e* = sgdFixedPoint(alpha/sigma, lam, sigma)."""
    at = p["alpha"] / p["sigma"]
    return at * p["lam"] < 2 and p["lam"] ** 2 * _form("sgdFixedPoint", alpha=at, lam=p["lam"], sigma=p["sigma"]) \
        <= NOISE_DOMINANCE * p["sigma"] ** 2


# -- Invariants ------------------------------------------------------------------------------------------


def _check_profile_ratio(p: Params, seed: int) -> Verdict:
    """Continuous-time class: SGD at ``alpha`` and noise-dominated Adam at ``alpha_t = alpha/sigma`` have
    steady profiles with a k-independent ratio; in simulation (discrete time) the measured ratio follows the
    proved discrete ratio (alpha/alpha_t)(2 - alpha_t lam_k)/(2 - alpha lam_k), which tends to the continuous
    constant for small rates. Checked: each mode's measured ratio against the discrete closed form."""
    lam = [p["lam"], p["lam"] / 2]
    e_sgd, se_sgd = _stationary_energy("sgd", lam, p["alpha"], p["sigma"], seed)
    e_adm, se_adm = _stationary_energy("adam-noise", lam, p["alpha"], p["sigma"], seed + 1)
    at = _form("classRate", alpha=p["alpha"], sigma=p["sigma"])
    for k, l in enumerate(lam):
        ratio = float(e_sgd[k] / e_adm[k])
        rel = math.hypot(float(se_sgd[k] / e_sgd[k]), float(se_adm[k] / e_adm[k]))
        expected = _form("sgdFixedPoint", alpha=p["alpha"], lam=l, sigma=p["sigma"]) / _form(
            "sgdFixedPoint", alpha=at, lam=l, sigma=p["sigma"])
        v = _agrees_t(ratio, ratio * rel, expected)
        if not v.holds:
            return Verdict(False, f"mode {k}: {v.detail}")
    return Verdict(True, f"ratios follow the discrete closed form on {len(lam)} modes")


def _check_slope_shift(p: Params, seed: int) -> Verdict:
    """The least-squares slope of ``numerics.fit`` (behind ``numerics.identify``'s fits) is unchanged when a constant is added to
    every log-energy (a within-class constant), and changed by a k-dependent shift (``outside``)."""
    import numpy as np

    from .numerics.fit import line_fit

    rng = np.random.default_rng(seed)
    k = int(p["modes"])
    x = np.log(np.arange(1, k + 1, dtype=np.float64))
    y = p["s"] * x + rng.normal(0.0, 0.3, size=k)
    shift = p["shift"] * (x if p.get("k_dependent") else np.ones(k))
    a, b = line_fit(x, y).slope, line_fit(x, y + shift).slope
    tol = 1e-9 * (1 + abs(a)) * (1 + abs(p["shift"]))
    return Verdict(abs(a - b) <= tol, f"slope {a:.12g} -> {b:.12g} after shift {p['shift']:.3g}")


def _check_rate_order(p: Params, seed: int) -> Verdict:
    """Contraction rates keep the order of the eigenvalues: simulated gamma_hat_k (from the lag-1
    autocorrelation) decreases along a decreasing spectrum, as ``contractionRate`` does."""
    import torch

    from .numerics.quadratic import simulate_quadratic

    lam = [p["lam"] * 2.0 ** (-j) for j in range(3)]
    res = simulate_quadratic("sgd", torch.tensor(lam, dtype=torch.float64), alpha=p["alpha"], sigma=1.0,
                             steps=4000, seeds=32, generator=_generator(seed),
                             burn_in=int(20 / (p["alpha"] * lam[-1])))
    rho = res.stats.lag_autocorrelation().numpy()
    gamma = 1 - rho
    expected = [_form("contractionRate", alpha_t=p["alpha"], lam=l) for l in lam]
    ordered = all(gamma[j] > gamma[j + 1] for j in range(len(lam) - 1))
    return Verdict(ordered and all(e1 > e2 for e1, e2 in zip(expected, expected[1:])),
                   f"gamma_hat {[round(float(g), 5) for g in gamma]} vs 2*alpha*lam {[round(e, 5) for e in expected]}")


# -- PerturbationBound -----------------------------------------------------------------------------------


def _check_deviation_bound(p: Params, seed: int) -> Verdict:
    """Adam's drift minus the class drift, evaluated in float64 through the numerics back end, lies in
    ``[-driftDeviationLower, driftDeviationUpper]`` (plus float rounding)."""
    from .numerics.expected import evaluate_form

    a, l, s, e = p["alpha"], p["lam"], p["sigma"], p["e"]
    r = math.sqrt(l * l * e + s * s)
    adam = float(evaluate_form("adam", "drift_r", alpha=a, lam=l, sigma=s, e=e, r=r))
    at = a / s
    sgd = float(evaluate_form("sgd-continuous", "drift", alpha=at, lam=l, sigma=s, e=e))
    delta = adam - sgd
    lo, hi = -_form("driftDeviationLower", **p), _form("driftDeviationUpper", **p)
    slack = 1e-9 * (abs(adam) + abs(sgd) + hi - lo)
    ok = lo - slack <= delta <= hi + slack
    return Verdict(ok, f"delta = {delta:.6g} in [{lo:.6g}, {hi:.6g}]")


def _check_weighted_bound(p: Params, seed: int) -> Verdict:
    """Along ``lam_k = k^-s`` with energies ``e_k`` in ``[0, E]`` (drawn from ``seed``), every mode's drift
    deviation, evaluated in float64 through the numerics back end, lies within
    ``perturbationConstant * lam_k^2 * E`` (the headline theorem with ``w_k = lam_k^2``)."""
    import numpy as np
    import sympy

    from .numerics.expected import evaluate_form
    from .theory import SYMBOLS
    from .theory.classes import weighted_deviation_bound

    k = np.arange(1, int(p["modes"]) + 1, dtype=np.float64)
    lam = k ** -p["s"]
    e = np.random.default_rng(seed).uniform(0.0, p["E"], size=k.size)
    a, sg = p["alpha"], p["sigma"]
    r = np.sqrt(lam**2 * e + sg**2)
    adam = evaluate_form("adam", "drift_r", alpha=a, lam=lam, sigma=sg, e=e, r=r)
    sgd = evaluate_form("sgd-continuous", "drift", alpha=a / sg, lam=lam, sigma=sg, e=e)
    delta = adam - sgd
    names = ("alpha", "Lam", "sigma", "E", "w")
    bound = sympy.lambdify([SYMBOLS[n] for n in names], weighted_deviation_bound(), "numpy")(
        a, float(lam.max()), sg, p["E"], lam**2)
    excess = np.abs(delta) - 1e-9 * (np.abs(adam) + np.abs(sgd)) - bound  # float rounding allowed
    worst = float(excess.max())
    return Verdict(worst <= 0.0, f"max over {k.size} modes of |delta_k| - bound_k = {worst:.3g}")


# -- strategies ------------------------------------------------------------------------------------------


def _pos(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _sgd_params(product_lo: float, product_hi: float, **extra: st.SearchStrategy[float]):
    """alpha, lam, sigma with alpha*lam drawn in [product_lo, product_hi]."""
    return st.fixed_dictionaries({"lam": _pos(0.2, 5.0), "ab": _pos(product_lo, product_hi),
                                  "sigma": _pos(0.2, 2.0), **extra}).map(
        lambda d: {**{k: v for k, v in d.items() if k != "ab"}, "alpha": d["ab"] / d["lam"]})


def _transient_params(product_lo: float, product_hi: float):
    """SGD parameters plus ``e0_factor``: the start ``e_0`` is this multiple of ``|e*|``, kept away from 1 so
    that contraction or growth is resolvable within 10 steps."""
    return _sgd_params(product_lo, product_hi, e0_factor=st.one_of(_pos(0.0, 0.5), _pos(2.0, 4.0)))


def _stable(p: Params) -> bool:
    return p["alpha"] > 0 and p["lam"] > 0 and 0 < p["alpha"] * p["lam"] < 2


_CORE_LINKS: tuple[Link, ...] = (
    Link(
        theorem="sgdFixedPoint_isFixedPoint",
        conclusion="the energy converges to sgdFixedPoint = alpha sigma^2 / (lam (2 - alpha lam))",
        hypotheses="0 < lam, 0 < alpha * lam < 2",
        holds=_stable,
        inside=lambda: _sgd_params(0.2, 1.8),
        outside=lambda: _sgd_params(2.05, 3.0),
        outside_note="alpha*lam > 2: the simulated energy diverges",
        forms=("sgdFixedPoint", "sgdEnergyStep"),
        check=_check_fixed_point,
    ),
    Link(
        theorem="sgdEnergy_sub_fixedPoint_eq_pow",
        conclusion="e_t - e* = sgdContraction^t (e_0 - e*), contracting exactly when 0 < alpha lam < 2",
        hypotheses="0 < lam, alpha * lam != 2 (closed form); 0 < alpha * lam < 2 (contraction)",
        holds=_stable,
        inside=lambda: _transient_params(0.1, 1.8),
        outside=lambda: _transient_params(2.1, 3.0),
        outside_note="alpha*lam > 2: |e_t - e*| grows, so the contraction conclusion fails",
        forms=("sgdFixedPoint", "sgdContraction"),
        check=_check_transient,
    ),
    Link(
        theorem="sgdContraction_lt_one_iff",
        conclusion="sgdContraction < 1 exactly when 0 < alpha lam < 2: the simulated distance to e* shrinks",
        hypotheses="0 < alpha * lam < 2",
        holds=_stable,
        inside=lambda: _transient_params(0.1, 1.8),
        outside=lambda: _transient_params(2.1, 3.0),
        outside_note="alpha*lam > 2: the factor exceeds 1 and the distance grows",
        forms=("sgdContraction", "sgdFixedPoint"),
        check=_check_transient,
    ),
    Link(
        theorem="sgdEnergy_sqDist_lt_of_stable",
        conclusion="inside 0 < alpha lam < 2 the squared distance to sgdFixedPoint shrinks at every step",
        hypotheses="0 < alpha * lam < 2, e_t != e*",
        holds=_stable,
        inside=lambda: _transient_params(0.1, 1.8),
        outside=lambda: _transient_params(2.1, 3.0),
        outside_note="alpha*lam > 2: the distance grows (the next entry)",
        forms=("sgdContraction", "sgdFixedPoint"),
        check=_check_transient,
    ),
    Link(
        theorem="sgdEnergy_sqDist_gt_of_unstable",
        conclusion="outside 0 < alpha lam < 2 the squared distance to sgdFixedPoint grows at every step",
        hypotheses="0 < lam, alpha * lam < 0 or 2 < alpha * lam, e_t != e*",
        holds=lambda p: p["alpha"] * p["lam"] > 2,
        inside=lambda: _transient_params(2.1, 3.0),
        outside=lambda: _transient_params(0.1, 1.8),
        outside_note="0 < alpha*lam < 2: the distance shrinks instead",
        forms=("sgdFixedPoint", "sgdContraction"),
        check=_check_growth,
    ),
    Link(
        theorem="sgdFixedPoint_sub_continuousSteadyState",
        conclusion="discrete minus continuous steady state = steadyStateGap = alpha^2 sigma^2 / (2 (2 - alpha lam))",
        hypotheses="0 < lam, alpha * lam != 2",
        holds=_stable,
        inside=lambda: _sgd_params(0.2, 1.5),
        outside=None,
        outside_note="an identity for every alpha*lam != 2; at alpha*lam >= 2 there is no stationary energy "
                     "to measure (the divergence is the first entry's outside check)",
        forms=("sgdFixedPoint", "sgdContinuousSteadyState", "steadyStateGap"),
        check=_check_continuous_gap,
    ),
    Link(
        theorem="adamDrift_eq_sgdDrift_of_noiseDominated",
        conclusion="with r = sigma, adamDrift = sgdDrift at classRate = alpha/sigma",
        hypotheses="0 < sigma, r = sigma",
        holds=lambda p: p["sigma"] > 0 and 0 < p["alpha"] / p["sigma"] * p["lam"] < 2,
        inside=lambda: _sgd_params(0.4, 1.5).map(lambda p: {**p, "alpha": p["alpha"] * p["sigma"]}),
        outside=None,
        outside_note="the noise-dominated model is SGD at alpha/sigma by construction; leaving the regime is "
                     "the next entry's outside check",
        forms=("adamDrift", "sgdDrift", "classRate", "sgdFixedPoint"),
        check=_check_adam_noise,
    ),
    Link(
        theorem="AdamMode.σ_le_r",
        conclusion="torch.optim.Adam's stationary energy lies between the class predictions at alpha/r and "
                   "alpha/sigma while lam^2 e << sigma^2",
        hypotheses="noise-dominated: lam^2 e/sigma^2 <= NOISE_DOMINANCE at the class energy",
        holds=_noise_dominated,
        inside=lambda: _sgd_params(0.02, 0.1).map(lambda p: {**p, "alpha": p["alpha"] * p["sigma"]}),
        outside=lambda: _sgd_params(1.0, 1.6).map(lambda p: {**p, "alpha": p["alpha"] * p["sigma"]}),
        outside_note="signal-dominated (alpha*lam/sigma >= 1): Adam leaves the SGD class",
        forms=("classRate", "sgdFixedPoint"),
        check=_check_real_adam_in_class,
    ),
    Link(
        theorem="sgdFixedPoint_eq_discreteSteadyStateRatio_mul",
        conclusion="steady profiles of two rates differ by a k-independent factor (continuous time); "
                   "the discrete ratio is (alpha/alpha_t)(2 - alpha_t lam)/(2 - alpha lam)",
        hypotheses="0 < lam_k, 0 < alpha lam_k < 2, 0 < alpha_t lam_k < 2",
        holds=lambda p: _stable(p) and 0 < p["alpha"] / p["sigma"] * p["lam"] < 2,
        inside=lambda: _sgd_params(0.4, 1.0).filter(lambda p: 0.4 < p["alpha"] / p["sigma"] * p["lam"] < 1.5),
        outside=None,
        outside_note="the discrete ratio's k-dependence is itself a proved statement checked inside",
        forms=("sgdFixedPoint", "classRate"),
        check=_check_profile_ratio,
    ),
    Link(
        theorem="lsSlope_add_const",
        conclusion="the least-squares slope of (x_k, y_k + c) equals that of (x_k, y_k)",
        hypotheses="n >= 2 points with distinct x (nonzero denominator); a constant shift",
        holds=lambda p: not p.get("k_dependent"),
        inside=lambda: st.fixed_dictionaries({"modes": st.integers(3, 60), "s": _pos(0.5, 3.0),
                                              "shift": _pos(-20.0, 20.0)}),
        outside=lambda: st.fixed_dictionaries({"modes": st.integers(3, 60), "s": _pos(0.5, 3.0),
                                               "shift": _pos(0.1, 5.0), "k_dependent": st.just(True)}),
        outside_note="a k-dependent shift (not a within-class constant) changes the slope",
        forms=(),
        check=_check_slope_shift,
    ),
    Link(
        theorem="contractionRate_le_contractionRate",
        conclusion="lam_j <= lam_k implies contractionRate alpha_t lam_j <= contractionRate alpha_t lam_k",
        hypotheses="0 < alpha_t",
        holds=lambda p: p["alpha"] > 0,
        inside=lambda: st.fixed_dictionaries({"lam": _pos(0.5, 2.0), "alpha": _pos(0.4, 0.8)}),
        outside=None,
        outside_note="alpha_t <= 0 is no optimizer (the simulators reject it); nothing to simulate",
        forms=("contractionRate",),
        check=_check_rate_order,
    ),
    Link(
        theorem="driftDeviation_mem",
        conclusion="-driftDeviationLower <= adamDrift - sgdDrift(classRate) <= driftDeviationUpper",
        hypotheses="0 < sigma, 0 <= lam, 0 <= e, r^2 = lam^2 e + sigma^2, 0 < r",
        holds=lambda p: p["sigma"] > 0 and p["lam"] >= 0 and p["e"] >= 0,
        inside=lambda: st.fixed_dictionaries({"alpha": _pos(1e-3, 2.0), "lam": _pos(0.0, 10.0),
                                              "sigma": _pos(0.05, 5.0), "e": _pos(0.0, 100.0)}),
        outside=None,
        outside_note="the bound holds at every admissible point (no hypothesis to break beyond the model's "
                     "domain); the weighted form is the next entry",
        forms=("adamDrift", "sgdDrift", "classRate", "driftDeviationUpper", "driftDeviationLower"),
        check=_check_deviation_bound,
    ),
    Link(
        theorem="spectral_universality",
        conclusion="|adamDrift - sgdDrift(classRate)| <= perturbationConstant * w_k * E mode by mode, with "
                   "lam_k^2 <= w_k (w_k = lam_k^2 ~ k^-2s for a power law)",
        hypotheses="0 <= alpha, 0 < sigma, 0 <= lam_k <= lam1, 0 <= e_k <= E, lam_k^2 <= w_k",
        holds=lambda p: p["alpha"] >= 0 and p["sigma"] > 0 and p["E"] >= 0,
        inside=lambda: st.fixed_dictionaries({"alpha": _pos(1e-3, 2.0), "sigma": _pos(0.05, 5.0),
                                              "E": _pos(0.0, 100.0), "s": _pos(1.01, 3.0),
                                              "modes": st.integers(2, 500)}),
        outside=None,
        outside_note="the bound holds at every admissible point; the seed's own k^-(s+1)/2 form is searched "
                     "for counterexamples in tests/properties/test_seed_bound.py",
        forms=("adamDrift", "sgdDrift", "classRate"),
        check=_check_weighted_bound,
    ),
    Link(
        theorem="perturbation_bound",
        conclusion="the headline bound with w_k = lam_k^2: deviation <= perturbationConstant * lam_k^2 * E",
        hypotheses="0 <= alpha, 0 < sigma, 0 <= lam_k <= lam1, 0 <= e_k <= E",
        holds=lambda p: p["alpha"] >= 0 and p["sigma"] > 0 and p["E"] >= 0,
        inside=lambda: st.fixed_dictionaries({"alpha": _pos(1e-3, 2.0), "sigma": _pos(0.05, 5.0),
                                              "E": _pos(0.0, 100.0), "s": _pos(1.01, 3.0),
                                              "modes": st.integers(2, 500)}),
        outside=None,
        outside_note="as for spectral_universality, of which it is the case w_k = lam_k^2",
        forms=("adamDrift", "sgdDrift", "classRate"),
        check=_check_weighted_bound,
    ),
)

# -- companion seeds (001, 002, 004) -------------------------------------------------------------------


def _companion(module: str, name: str) -> Callable[[Params, int], Verdict]:
    """A check living in a companion numerics module (imported when first run: they pull in torch)."""
    def check(params: Params, seed: int) -> Verdict:
        from importlib import import_module

        return getattr(import_module(f"spectral_universality.numerics.{module}"), name)(params, seed)

    return check


def _gd_pair(factor: st.SearchStrategy[float], swap: bool = False) -> st.SearchStrategy[Params]:
    """Curvatures ``a < b`` (``b - a >= 0.1``) and step ``eta = factor * 2/(a + b)``; ``swap`` exchanges a, b."""
    def build(d: Params) -> Params:
        a, b = d["a"], d["a"] + d["gap"]
        a, b = (b, a) if swap else (a, b)
        return {"a": a, "b": b, "eta": d["m"] * 2 / (a + b)}

    return st.fixed_dictionaries({"a": _pos(0.1, 5.0), "gap": _pos(0.1, 5.0), "m": factor}).map(build)


#: eta (a + b)/2 kept off 1, where the two factors tie and the order is a rounding question
_OFF_ONE = st.one_of(_pos(0.2, 0.9), _pos(1.1, 3.0))


def _gd_endpoint_params(inside: bool) -> st.SearchStrategy[Params]:
    """``lam`` inside ``[a, b]``, or outside it on the side of the slower endpoint (where the bound fails)."""
    if inside:
        return st.tuples(_gd_pair(_pos(0.2, 3.0)), _pos(0.0, 1.0)).map(
            lambda t: {**t[0], "lam": t[0]["a"] + t[1] * (t[0]["b"] - t[0]["a"])})
    below = st.tuples(_gd_pair(_pos(0.3, 0.95)), _pos(0.05, 0.9)).map(lambda t: {**t[0], "lam": t[0]["a"] * t[1]})
    above = st.tuples(_gd_pair(_pos(1.05, 2.0)), _pos(0.05, 1.0)).map(
        lambda t: {**t[0], "lam": t[0]["b"] * (1 + t[1])})
    return st.one_of(below, above)


def _is_optimal_step(p: Params) -> bool:
    return p["a"] > 0 and p["b"] > 0 and math.isclose(p["eta"] * (p["a"] + p["b"]), 2.0, rel_tol=1e-12)


_COMPANION_LINKS: tuple[Link, ...] = (
    Link(
        theorem="sgdContraction_sub_sgdContraction",
        conclusion="gradient descent on a rotated quadratic: measured c(eta, a) - c(eta, b) = "
                   "eta (b - a)(2 - eta (a + b))",
        hypotheses="none (an identity)",
        holds=lambda p: True,
        inside=lambda: _gd_pair(_pos(0.05, 3.0)),
        outside=None,
        outside_note="an identity in eta, a, b: there is no hypothesis to break",
        forms=("sgdContraction",),
        check=_companion("certificate", "registry_check_certificate_sub"),
    ),
    Link(
        theorem="sgdContraction_lt_sgdContraction_iff",
        conclusion="for 0 < eta and a < b, the measured curvature-b mode contracts more slowly exactly when "
                   "eta (a + b) > 2 (so seed 004's (1 - eta lam_min) rate fails there)",
        hypotheses="0 < eta, a < b",
        holds=lambda p: p["eta"] > 0 and p["a"] < p["b"],
        inside=lambda: _gd_pair(_OFF_ONE),
        outside=lambda: _gd_pair(_OFF_ONE, swap=True),
        outside_note="a > b: the order of the factors is reversed, so the equivalence fails",
        forms=("sgdContraction",),
        check=_companion("certificate", "registry_check_certificate_order"),
    ),
    Link(
        theorem="sgdContraction_le_of_endpoints",
        conclusion="no measured mode with curvature in [a, b] contracts more slowly than the slower end",
        hypotheses="0 <= eta, a <= lam <= b",
        holds=lambda p: p["eta"] >= 0 and p["a"] <= p["lam"] <= p["b"],
        inside=lambda: _gd_endpoint_params(True),
        outside=lambda: _gd_endpoint_params(False),
        outside_note="lam outside [a, b] beyond the slower end: its factor exceeds both endpoint factors",
        forms=("sgdContraction",),
        check=_companion("certificate", "registry_check_certificate_endpoints"),
    ),
    Link(
        theorem="sgdContraction_optimalStep_left",
        conclusion="at eta = 2/(a + b) both measured end factors are ((b - a)/(b + a))^2 = ((kappa-1)/(kappa+1))^2",
        hypotheses="0 < a, 0 < b, eta = 2/(a + b)",
        holds=_is_optimal_step,
        inside=lambda: _gd_pair(st.just(1.0)),
        outside=lambda: _gd_pair(st.one_of(_pos(0.5, 0.95), _pos(1.05, 1.5))),
        outside_note="eta != 2/(a + b): at least one end factor differs (left and right are checked together)",
        forms=("sgdContraction",),
        check=_companion("certificate", "registry_check_certificate_optimal"),
    ),
    Link(
        theorem="lsSlope_comp_affine",
        conclusion="the least-squares slope of log h_k on log k is -alpha gamma when log h is affine in log sigma "
                   "and log sigma affine in log k (s = alpha gamma)",
        hypotheses="log sigma_k = -gamma log k + c', log h_k = alpha log sigma_k + c exactly (k < n)",
        holds=lambda p: p.get("noise", 0.0) == 0.0,
        inside=lambda: st.fixed_dictionaries({"alpha": _pos(0.1, 4.0), "gamma": _pos(0.1, 3.0),
                                              "n": st.integers(3, 200), "offset": _pos(-20.0, 20.0)}),
        outside=lambda: st.fixed_dictionaries({"alpha": _pos(0.1, 4.0), "gamma": _pos(0.1, 3.0),
                                               "n": st.integers(4, 200), "noise": _pos(0.05, 1.0)}),
        outside_note="per-mode noise on sigma_k and h_k breaks the exact affine premise: the slope moves off "
                     "-alpha gamma by far more than rounding",
        forms=(),
        check=_companion("transfer", "registry_check_transfer"),
    ),
    Link(
        theorem="one_le_participationRatio",
        conclusion="a nonnegative spectrum has participation ratio (sum lam)^2 / sum lam^2 >= 1",
        hypotheses="lam_k >= 0, sum lam_k^2 > 0",
        holds=lambda p: p.get("shift", 0.0) == 0.0,
        inside=lambda: st.fixed_dictionaries({"n": st.integers(1, 500), "shift": st.just(0.0)}),
        outside=lambda: st.fixed_dictionaries({"n": st.integers(2, 500), "shift": st.just(1.0)}),
        outside_note="a zero-sum spectrum with negative entries has participation ratio 0",
        forms=(),
        check=_companion("transfer", "registry_check_participation"),
    ),
    Link(
        theorem="shellEnergyRate_eq",
        conclusion="a shell's measured energy rate sum c_k c_k' is -sum d_k c_k^2 + sum c_k u_k: within-shell "
                   "couplings contribute nothing (xT Omega x = 0)",
        hypotheses="Omega_ij = -Omega_ji within the shell",
        holds=lambda p: p["skew_defect"] == 0.0,
        inside=lambda: st.fixed_dictionaries({"n": st.integers(1, 12), "scale": _pos(0.01, 100.0),
                                              "skew_defect": st.just(0.0), "drive": _pos(0.0, 3.0)}),
        outside=lambda: st.fixed_dictionaries({"n": st.integers(1, 12), "scale": _pos(0.01, 100.0),
                                               "skew_defect": _pos(0.1, 1.0)}),
        outside_note="a symmetric part of Omega adds cT Omega_sym c != 0 to the rate",
        forms=(),
        check=_companion("shells", "registry_check_shells"),
    ),
    Link(
        theorem="shellEnergyRate_le",
        conclusion="with skew couplings and d_k >= 0 a shell gains energy only from the other shells",
        hypotheses="Omega skew within the shell, d_k >= 0",
        holds=lambda p: p["min_dissipation"] >= 0,
        inside=lambda: st.fixed_dictionaries({"n": st.integers(1, 12), "scale": _pos(0.01, 100.0),
                                              "min_dissipation": st.just(0.0)}),
        outside=lambda: st.fixed_dictionaries({"n": st.integers(1, 12), "scale": _pos(0.01, 100.0),
                                               "min_dissipation": st.just(-12.0)}),
        outside_note="every d_k < 0: the shell amplifies itself, sum c c' - sum c u = -sum d c^2 > 0",
        forms=(),
        check=_companion("shells", "registry_check_shells_le"),
    ),
)

# -- StochasticRun ---------------------------------------------------------------------------------------


def _hb_root_modulus(p: Params) -> float:
    """Largest root modulus of the heavy-ball mean recursion z^2 - (1 + mu - alpha lam) z + mu."""
    import numpy as np

    return float(max(abs(np.roots([1.0, -(1 + p["mu"] - p["alpha"] * p["lam"]), p["mu"]]))))


def _hb_in_window(p: Params) -> bool:
    return p["lam"] > 0 and 0 <= p["mu"] < 1 and 0 < p["alpha"] * p["lam"] < 2 * (1 + p["mu"])


def _hb_params(lo: float, hi: float) -> st.SearchStrategy[Params]:
    """Heavy-ball parameters with alpha lam drawn in [lo, hi] times the window's edge 2(1 + mu)."""
    return st.fixed_dictionaries({"lam": _pos(0.2, 5.0), "mu": _pos(0.0, 0.9), "f": _pos(lo, hi),
                                  "sigma": _pos(0.2, 2.0)}).map(
        lambda d: {"lam": d["lam"], "mu": d["mu"], "sigma": d["sigma"],
                   "alpha": d["f"] * 2 * (1 + d["mu"]) / d["lam"]})


def _check_sgd_energy_step(p: Params, seed: int) -> Verdict:
    """Simulated SGD from a fixed start: the mean squared iterate follows E[θ²] one step at a time exactly as
    ``sgdEnergyStep`` says (checked at t = 1, 3, 10), inside and outside the stable window alike."""
    closed, *_ = _transient(p, seed)
    return closed


def _check_lag_one(p: Params, seed: int) -> Verdict:
    """Stationary SGD: the measured lag-1 autocovariance over the energy is ``1 - alpha lam``
    (``SgdRun.lagOneCov_eq`` with ``E[θ_{t+1}θ_t]`` and ``E[θ_t²]`` both measured, s.e. across seed groups)."""
    import torch

    from .numerics.quadratic import simulate_quadratic

    groups = 16
    res = simulate_quadratic("sgd", torch.tensor([p["lam"]], dtype=torch.float64), alpha=p["alpha"],
                             sigma=p["sigma"], steps=2000, seeds=64, generator=_generator(seed),
                             burn_in=int(20 / (p["alpha"] * p["lam"])), seed_groups=groups)
    rho = torch.stack([res.stats.group(i).lag_autocorrelation() for i in range(groups)])[:, 0]  # (groups,)
    mean, se = float(rho.mean()), float(rho.std(unbiased=True)) / math.sqrt(groups)
    return _agrees_t(mean, se, 1 - p["alpha"] * p["lam"])


def _check_hb_fixed_point(p: Params, seed: int) -> Verdict:
    """Simulated heavy ball (``torch.optim.SGD`` momentum): the stationary energy is ``heavyBallFixedPoint``
    inside the window; outside it the energy from theta_0 = 1 grows without bound."""
    if not _hb_in_window(p):
        return _check_divergence(p, seed, steps=300, optimizer="momentum", fixed_point="heavyBallFixedPoint",
                                 mu=p["mu"])
    rho = _hb_root_modulus(p)
    burn = int(min(40 / max(1e-9, -math.log(rho)), 200_000))
    mean, se = _stationary_energy("momentum", [p["lam"]], p["alpha"], p["sigma"], seed, burn=burn, mu=p["mu"])
    return _agrees_t(float(mean[0]), float(se[0]), _form("heavyBallFixedPoint", **p))


def _check_hb_mean(p: Params, seed: int, steps: int = 400) -> Verdict:
    """Noise-free heavy ball from theta_0 = 1 (the mean dynamics): |theta_t| falls below 1e-3 inside the
    window and exceeds 1e3 outside it, within ``steps`` chosen from the root modulus."""
    import torch

    from .numerics.quadratic import simulate_quadratic

    rho = _hb_root_modulus(p)
    n = int(min(max(steps, 12 / max(1e-9, abs(math.log(rho)))), 20_000))
    res = simulate_quadratic("momentum", torch.tensor([p["lam"]], dtype=torch.float64), alpha=p["alpha"],
                             sigma=0.0, steps=n, seeds=1, generator=_generator(seed), theta0=1.0, mu=p["mu"],
                             record=True)
    last = float(res.trajectory[-1].abs().max())
    return Verdict(math.isfinite(last) and last < 1e-3,
                   f"|theta_{n}| = {last:.3g} (largest root modulus {rho:.4g}, alpha*lam = {p['alpha'] * p['lam']:.3g})")


# -- AdamRun, PerturbationBound (the seed's shape) ---------------------------------------------------------


def _adam_point(p: Params) -> tuple[float, float, float, float, float]:
    """(delta_drift, delta_step, eps, e, r) at one Adam mode of the §9 model, evaluated in float64 through
    the numerics back end: drift and one energy step at Adam's rate alpha/r minus SGD's at alpha/sigma."""
    from .numerics.expected import evaluate_form

    a, l, sg, e = p["alpha"], p["lam"], p["sigma"], p["e"]
    r = math.sqrt(l * l * e + sg * sg)
    at = a / sg
    d_drift = float(evaluate_form("adam", "drift_r", alpha=a, lam=l, sigma=sg, e=e, r=r)) - float(
        evaluate_form("sgd-continuous", "drift", alpha=at, lam=l, sigma=sg, e=e))
    d_step = float(evaluate_form("sgd", "energy_step", alpha=a / r, lam=l, sigma=sg, e=e)) - float(
        evaluate_form("sgd", "energy_step", alpha=at, lam=l, sigma=sg, e=e))
    eps = p["eps_factor"] * l * l * e / (sg * sg)
    return d_drift, d_step, eps, e, r


def _check_adam_noise_drift(p: Params, seed: int) -> Verdict:
    """|Adam drift - class drift| <= eps (alpha_t lam e + alpha^2) at a mode with lam^2 e = (eps/eps_factor) sigma^2."""
    d, _, eps, e, _ = _adam_point(p)
    at = p["alpha"] / p["sigma"]
    bound = eps * (at * p["lam"] * e + p["alpha"] ** 2)
    slack = 1e-9 * (abs(d) + bound)
    return Verdict(abs(d) <= bound + slack, f"|delta| = {abs(d):.4g} vs eps (alpha_t lam e + alpha^2) = {bound:.4g} "
                                            f"(eps = {eps:.3g}, lam^2 e/sigma^2 = {eps / p['eps_factor']:.3g})")


def _check_adam_noise_step(p: Params, seed: int) -> Verdict:
    """|Adam's energy step - SGD's step at alpha_t| <= eps (alpha_t lam e + 2 alpha^2)."""
    _, d, eps, e, _ = _adam_point(p)
    at = p["alpha"] / p["sigma"]
    bound = eps * (at * p["lam"] * e + 2 * p["alpha"] ** 2)
    slack = 1e-9 * (abs(d) + bound + e)
    return Verdict(abs(d) <= bound + slack, f"|step deviation| = {abs(d):.4g} vs bound {bound:.4g} (eps = {eps:.3g})")


def _adam_noise_params(eps_factor: st.SearchStrategy[float]) -> st.SearchStrategy[Params]:
    """A noise-dominated Adam mode: alpha_t lam = u small, e = c alpha_t sigma^2/(2 lam) (c times the class
    steady state), with c away from 2 (where the leading terms of the deviation cancel), and
    eps = eps_factor lam^2 e/sigma^2. With eps_factor < 1 the premise lam^2 e <= eps sigma^2 is false."""
    return st.fixed_dictionaries({
        "lam": _pos(0.2, 5.0), "sigma": _pos(0.2, 2.0), "u": _pos(0.005, 0.05),
        "c": st.one_of(_pos(0.1, 0.8), _pos(4.0, 8.0)), "eps_factor": eps_factor}).map(
        lambda d: {"lam": d["lam"], "sigma": d["sigma"], "eps_factor": d["eps_factor"],
                   "alpha": d["u"] * d["sigma"] / d["lam"], "e": d["c"] * d["u"] * d["sigma"] ** 2 / (2 * d["lam"] ** 2)})


def _seed_shape_deltas(p: Params, seed: int) -> tuple[Any, Any, Any]:
    """(k, lam_k, |delta_k|) along lam_k = C_lam k^-s with energies e_k drawn in [e_lo, e_hi] x E."""
    import numpy as np

    from .numerics.expected import evaluate_form

    k = np.arange(1, int(p["modes"]) + 1, dtype=np.float64)
    lam = p["C_lam"] * k ** -p["s"]
    e = np.random.default_rng(seed).uniform(p.get("e_lo", 0.0), p.get("e_hi", 1.0), size=k.size) * p["E"]
    a, sg = p["alpha"], p["sigma"]
    r = np.sqrt(lam**2 * e + sg**2)
    adam = evaluate_form("adam", "drift_r", alpha=a, lam=lam, sigma=sg, e=e, r=r)
    sgd = evaluate_form("sgd-continuous", "drift", alpha=a / sg, lam=lam, sigma=sg, e=e)
    return k, lam, np.abs(adam - sgd) - 1e-9 * (np.abs(adam) + np.abs(sgd))  # float rounding allowed


def _check_seed_shape(p: Params, seed: int) -> Verdict:
    """Every mode: |delta_k| <= seedShapeConstant(alpha, Lam, sigma) lam_k E, with Lam = lam_1 = max lam_k."""
    k, lam, d = _seed_shape_deltas(p, seed)
    c = _form("seedShapeConstant", alpha=p["alpha"], Lam=float(lam.max()), sigma=p["sigma"])
    worst = float((d - c * lam * p["E"]).max())
    return Verdict(worst <= 0.0, f"max over {k.size} modes of |delta_k| - C lam_k E = {worst:.3g} (C = {c:.4g})")


def _check_power_law(p: Params, seed: int) -> Verdict:
    """Every mode k >= 1: delta_k^2 k^(s+1) <= (seedShapeConstant C_lam E)^2, for lam_k = C_lam k^-s."""
    k, lam, d = _seed_shape_deltas(p, seed)
    c = _form("seedShapeConstant", alpha=p["alpha"], Lam=float(lam.max()), sigma=p["sigma"])
    lhs = d.clip(min=0.0) ** 2 * k ** (p["s"] + 1)
    worst = float((lhs / (c * p["C_lam"] * p["E"]) ** 2).max())
    return Verdict(worst <= 1.0 + 1e-9, f"max_k delta_k^2 k^(s+1) / (C C_lam E)^2 = {worst:.3g} over {k.size} modes "
                                        f"(s = {p['s']})")


def _seed_shape_params(outside: bool) -> st.SearchStrategy[Params]:
    """Power-law profiles with energies in [0, E]; ``outside``: energies in [10 E, 50 E] (e_k <= E broken),
    with E >= sigma^2 so the top mode is far from noise-dominated and the linear part of delta shows."""
    base = {"alpha": _pos(0.01, 0.5), "sigma": _pos(0.3, 2.0), "s": st.sampled_from([1, 2, 3]),
            "C_lam": st.just(1.0), "modes": st.integers(2, 400)}
    if not outside:
        return st.fixed_dictionaries({**base, "E": _pos(0.01, 10.0)})
    return st.fixed_dictionaries({**base, "Ef": _pos(1.0, 5.0), "e_lo": st.just(10.0), "e_hi": st.just(50.0)}).map(
        lambda d: {**{k: v for k, v in d.items() if k != "Ef"}, "alpha": min(d["alpha"], 0.5 * d["sigma"]),
                   "E": d["Ef"] * d["sigma"] ** 2})


def _power_law_params(outside: bool) -> st.SearchStrategy[Params]:
    """``outside``: s = 0 (the premise 1 <= s broken): a flat spectrum with flat energies e_k = E >= sigma^2,
    so delta_k is the same at every mode and delta_k^2 k must exceed any constant."""
    if not outside:
        return _seed_shape_params(False).map(lambda d: {**d, "C_lam": 1.0})
    return st.fixed_dictionaries({"alpha": _pos(0.01, 0.5), "sigma": _pos(0.3, 2.0), "Ef": _pos(1.0, 5.0)}).map(
        lambda d: {"alpha": min(d["alpha"], 0.5 * d["sigma"]), "sigma": d["sigma"], "E": d["Ef"] * d["sigma"] ** 2,
                   "s": 0, "C_lam": 1.0, "modes": 100_000, "e_lo": 1.0, "e_hi": 1.0})


_ADAM_LINKS: tuple[Link, ...] = (
    Link(
        theorem="AdamRun.driftDeviation_le_noiseDominated",
        conclusion="every Adam run with lam^2 e_t <= eps sigma^2 has |adamDrift - sgdDrift(alpha/sigma)| <= "
                   "eps (alpha_t lam e_t + alpha^2): the class constant alpha_t = alpha/sigma up to O(eps)",
        hypotheses="0 <= alpha, 0 <= lam, 0 <= e_t, 0 < sigma, 0 <= eps, lam^2 e_t <= eps sigma^2",
        holds=lambda p: p["eps_factor"] >= 1,
        inside=lambda: _adam_noise_params(_pos(1.0, 3.0)),
        outside=lambda: _adam_noise_params(_pos(0.02, 0.15)),
        outside_note="eps below lam^2 e/sigma^2 (the premise broken): the deviation exceeds eps (alpha_t lam e + alpha^2)",
        forms=("classRate",),
        check=_check_adam_noise_drift,
    ),
    Link(
        theorem="AdamRun.energyStep_deviation_le_noiseDominated",
        conclusion="the run's energy step e_{t+1} is within eps (alpha_t lam e_t + 2 alpha^2) of SGD's step at "
                   "alpha_t = alpha/sigma",
        hypotheses="0 <= alpha, 0 <= lam, 0 <= e_t, 0 < sigma, 0 <= eps, lam^2 e_t <= eps sigma^2",
        holds=lambda p: p["eps_factor"] >= 1,
        inside=lambda: _adam_noise_params(_pos(1.0, 3.0)),
        outside=lambda: _adam_noise_params(_pos(0.02, 0.15)),
        outside_note="eps below lam^2 e/sigma^2: the step deviation exceeds the bound",
        forms=("classRate", "sgdEnergyStep"),
        check=_check_adam_noise_step,
    ),
    Link(
        theorem="perturbation_bound_seedShape",
        conclusion="Theorem Candidate 1 in the seed's shape: |delta_k| <= (2 alpha/sigma + alpha^2 Lam/sigma^2) "
                   "lam_k ||e||_inf, an E-free constant, along a power-law spectrum",
        hypotheses="0 <= alpha, 0 < sigma, 0 <= lam_k <= Lam, 0 <= e_k <= E",
        holds=lambda p: p.get("e_hi", 1.0) <= 1.0,
        inside=lambda: _seed_shape_params(False),
        outside=lambda: _seed_shape_params(True),
        outside_note="energies above E (e_k <= E broken): delta grows linearly in e_k past the bound",
        forms=("seedShapeConstant",),
        check=_check_seed_shape,
    ),
    Link(
        theorem="perturbation_bound_powerLaw",
        conclusion="for lam_k k^s <= C_lam (s >= 1): delta_k^2 k^(s+1) <= (C C_lam E)^2, the seed's k^(-(s+1)/2)",
        hypotheses="1 <= s, lam_k k^s <= C_lam for k >= 1, 0 <= alpha, 0 < sigma, 0 <= lam_k <= Lam, 0 <= e_k <= E",
        holds=lambda p: p["s"] >= 1,
        inside=lambda: _power_law_params(False),
        outside=lambda: _power_law_params(True),
        outside_note="s = 0 (flat spectrum): delta_k is constant, so delta_k^2 k grows past any bound",
        forms=("seedShapeConstant",),
        check=_check_power_law,
    ),
)

_STOCHASTIC_LINKS: tuple[Link, ...] = (
    Link(
        theorem="SgdRun.energy_step",
        conclusion="E[theta_{t+1}^2] = (1 - alpha lam)^2 E[theta_t^2] + alpha^2 sigma^2, derived from the update "
                   "theta' = (1 - alpha lam) theta - alpha xi: the simulated mean square follows it step by step",
        hypotheses="none beyond the noise facts E[xi] = 0, E[xi^2] = sigma^2, E[theta xi] = 0 (an identity)",
        holds=lambda p: True,
        inside=lambda: _transient_params(0.1, 3.0),
        outside=None,
        outside_note="an identity for every alpha, lam, sigma: nothing to break (stability is ModeDynamics')",
        forms=("sgdEnergyStep", "sgdFixedPoint", "sgdContraction"),
        check=_check_sgd_energy_step,
    ),
    Link(
        theorem="SgdRun.lagOneCov_eq",
        conclusion="E[theta_{t+1} theta_t] = (1 - alpha lam) E[theta_t^2]: the measured lag-1 autocorrelation of "
                   "stationary SGD is 1 - alpha lam, the quantity §10 step 5 reads gamma_hat from",
        hypotheses="none beyond E[theta_t xi_t] = 0 (an identity at every t; measured at stationarity, "
                   "0 < alpha lam < 2)",
        holds=_stable,
        inside=lambda: _sgd_params(0.05, 1.8),
        outside=None,
        outside_note="an identity at every t: there is no hypothesis to break (outside the window there is no "
                     "stationary state to measure it in)",
        forms=(),
        check=_check_lag_one,
    ),
    Link(
        theorem="heavyBallFixedPoint_isFixedPoint",
        conclusion="heavy ball's second moments have the fixed point heavyBallFixedPoint = "
                   "alpha sigma^2 (1+mu) / (lam (1-mu)(2(1+mu) - alpha lam)); the simulated energy settles there",
        hypotheses="lam != 0, mu != 1, mu != -1, alpha lam != 2(1+mu) (fixed point); 0 <= mu < 1, "
                   "0 < alpha lam < 2(1+mu) (reached)",
        holds=_hb_in_window,
        inside=lambda: _hb_params(0.05, 0.9),
        outside=lambda: _hb_params(1.05, 1.5),
        outside_note="alpha lam > 2(1+mu): the simulated energy diverges instead",
        forms=("heavyBallFixedPoint",),
        check=_check_hb_fixed_point,
    ),
    Link(
        theorem="heavyBallMean_stable_iff",
        conclusion="the mean dynamics m_{t+2} = (1+mu-alpha lam) m_{t+1} - mu m_t contracts exactly in the "
                   "window -1 < mu < 1, 0 < alpha lam < 2(1+mu): noise-free heavy ball decays inside, grows outside",
        hypotheses="-1 < mu < 1, 0 < alpha lam < 2(1+mu) (roots r1, r2 of z^2 - (1+mu-alpha lam) z + mu)",
        holds=_hb_in_window,
        inside=lambda: _hb_params(0.05, 0.9),
        outside=lambda: _hb_params(1.05, 1.5),
        outside_note="alpha lam > 2(1+mu): a root leaves the unit disc and the mean grows",
        forms=(),
        check=_check_hb_mean,
    ),
)

# -- generated: one link per built-in optimizer spec ------------------------------------------------------


def _spec_holds(name: str, p: Params) -> bool:
    """``p`` is in the spec's domain and its stability region at ``p["lam"]`` (every derived condition)."""
    from .errors import HypothesisViolation
    from .theory.spec import builtin, derive_spec

    try:
        derive_spec(builtin(name)).validate(**p)
    except HypothesisViolation:
        return False
    return True


def _spec_params(name: str, lo: float, hi: float) -> st.SearchStrategy[Params]:
    """Parameters with ``alpha`` a fraction in ``[lo, hi]`` of the stability boundary ``alpha*`` (the sweep's
    search on the derived conditions, to 1e-4 of alpha: ample for fractions 0.3-0.9 and 1.2-2), the other
    parameters between half and all of the spec's default."""
    from .theory.spec import builtin

    spec = builtin(name)
    defaults = dict(spec.defaults)
    others = {k: st.floats(0.5, 1.0).map(lambda u, d=defaults[k]: u * d) for k in spec.params if k != "alpha"}

    def build(base: Params, frac: float) -> Params:
        from .numerics.sweep import stability_boundary
        from .theory.spec import derive_spec

        hyper = {k: v for k, v in base.items() if k not in ("lam", "sigma")}
        star = stability_boundary(derive_spec(spec), base["sigma"], base["lam"], 1e3, hyper, scan=8, bisections=20)
        return {**base, "alpha": math.inf if star is None else frac * star}

    base = st.fixed_dictionaries({"lam": _pos(0.5, 2.0), "sigma": _pos(0.3, 1.5), **others})
    return st.builds(build, base, st.floats(lo, hi)).filter(lambda p: math.isfinite(p["alpha"]))


def _check_spec(name: str) -> Callable[[Params, int], Verdict]:
    """Inside the region: the simulated stationary energy (16 independent seed groups) equals SymPy's
    ``steady_state``, the covariance the generated Lean module proves stationary.  Outside: from
    ``theta_0 = 1`` the readout's energy grows past 10^3 times ``max(1, |e*|)`` within 10 steps more than the
    spectral radius of ``A`` says a factor 10^6 takes."""

    def check(p: Params, seed: int) -> Verdict:
        import numpy as np
        import torch

        from .numerics.quadratic import simulate_spec
        from .theory.spec import builtin, derive_spec, numeric_system

        d = derive_spec(builtin(name))
        rest = {k: v for k, v in p.items() if k not in ("lam", "sigma")}
        f = d.lambdify("steady_state")  # not d.evaluate: outside the region that refuses, by design
        values = {"steady_state": float(f(**{k: p[k] for k in f.args}))}
        a, _ = numeric_system(builtin(name), [p["lam"]], sigma=p["sigma"], **rest)
        rho2 = float(np.max(np.abs(np.linalg.eigvals(a[0])))) ** 2
        lam = torch.tensor([p["lam"]], dtype=torch.float64)
        if rho2 < 1:
            burn = int(min(40 / -math.log(rho2), 20_000))
            groups = 16
            res = simulate_spec(name, lam, params=rest, sigma=p["sigma"], steps=2000, seeds=64, burn_in=burn,
                                generator=_generator(seed), seed_groups=groups)
            per = torch.stack([res.stats.group(i).energies() for i in range(groups)])[:, 0]
            return _agrees_t(float(per.mean()), float(per.std() / math.sqrt(groups)), values["steady_state"], groups)
        steps = int(min(math.ceil(math.log(1e6) / math.log(rho2)) + 10, 20_000))
        res = simulate_spec(name, lam, params=rest, sigma=p["sigma"], steps=max(steps, 2), seeds=64, theta0=1.0,
                            generator=_generator(seed), record=True)
        final = float((res.trajectory[-1] ** 2).mean())
        settled = math.isfinite(final) and final < 1e3 * max(1.0, abs(values["steady_state"]))
        return Verdict(settled, f"energy after {steps} steps: {final:.3g} (rho(A)^2 = {rho2:.4g})")

    return check


def _spec_links() -> tuple[Link, ...]:
    """One link per built-in spec: its generated Lean theorem (SymPy's covariance is stationary under the
    spec's literal update, given its stability conditions) <-> ``derive_spec`` <-> ``simulate_spec``."""
    from .theory.lean_spec import generated_theorems
    from .theory.spec import builtin, builtin_names, derive_spec

    out = []
    for name in builtin_names():
        spec = builtin(name)
        d = derive_spec(spec)
        theorem = generated_theorems(spec)["stationary_of_stable"].removeprefix("SpectralUniversality.")
        out.append(Link(
            theorem=theorem,
            conclusion=f"{name}: S = A S A^T + b b^T for SymPy's S under the spec's update ({d.notes['model']}); "
                       "the simulated stationary energy is S's readout entry",
            hypotheses=" and ".join(c.text for c in d.conditions),
            holds=lambda p, n=name: _spec_holds(n, p),
            inside=lambda n=name: _spec_params(n, 0.3, 0.9),
            outside=lambda n=name: _spec_params(n, 1.2, 2.0),
            outside_note="beyond the derived stability boundary in alpha there is no stationary state: the energy "
                         "grows",
            forms=(),
            check=_check_spec(name),
        ))
    return tuple(out)


def _spec_unlinked() -> dict[str, str]:
    """The generated modules' other theorems: steps of the linked ``..._isStationary_of_stable``."""
    from .theory.lean_spec import generated_theorems
    from .theory.spec import builtin, builtin_names

    out = {}
    for name in builtin_names():
        names = generated_theorems(builtin(name))
        linked = names["stationary_of_stable"].removeprefix("SpectralUniversality.")
        for role, full in names.items():
            if role != "stationary_of_stable":
                out[full.removeprefix("SpectralUniversality.")] = f"a step of {linked} (linked)"
    return out


_SPEC_LINKS = _spec_links()

LINKS: tuple[Link, ...] = _CORE_LINKS + _COMPANION_LINKS + _STOCHASTIC_LINKS + _ADAM_LINKS + _SPEC_LINKS

#: Lean declarations deliberately not linked to a simulation, with the reason (completeness test).
_ALGEBRA = "an algebraic step used by a linked theorem; its consequence is what the simulations measure"
_LIMIT = "a continuous-time or limiting identity; simulations are discrete and measure the linked discrete form"

_CONCRETE = "a computed fact about the concrete Rat run that instantiates the structure's hypotheses"

_ORDER = "an order fact of the generic ordered field (Basic) that grind does not derive; used by the proofs"

UNLINKED: dict[str, str] = {
    **_spec_unlinked(),
    **{name: _ORDER for name in ("mulPos", "mulNonneg", "leOfLt", "mulLeMulLeft", "mulLeMul", "sqPos", "sqNonneg",
                                 "invPos", "eqZeroOfMul", "divLeDiv")},
    "SecondOrderModel.cov_add_right": _ALGEBRA,
    "SecondOrderModel.cov_smul_right": _ALGEBRA,
    "SgdRun.mean_step": "the mean contracts by 1 - alpha lam: the noise-free case of the linked energy step",
    "HeavyBallRun.secondMoment_step": "the recursion whose fixed point heavyBallFixedPoint_isFixedPoint (linked) "
                                      "solves; the simulation measures that fixed point",
    "HeavyBallRun.mean_step": "the mean recursion that heavyBallMean_stable_iff (linked) is about",
    "HeavyBallRun.mean_factor_pow": "ties the roots of heavyBallMean_stable_iff (linked) to a run's mean",
    "heavyBallFixedPoint_zero": _ALGEBRA,
    "heavyBallFixedPoint_pos": "the sign of heavyBallFixedPoint, whose value is linked",
    "realRoots_stable_iff": "the Schur-Cohn step behind heavyBallMean_stable_iff (linked)",
    "heavyBallMean_stable_iff_complex": "the complex-root case of heavyBallMean_stable_iff (linked); the "
                                        "linked check's noise-free run covers both cases",
    "lCov_add_left": _ALGEBRA, "lCov_smul_left": _ALGEBRA, "lCov_comm": _ALGEBRA, "lCov_self_nonneg": _ALGEBRA,
    "lMean_add": _ALGEBRA, "lMean_smul": _ALGEBRA, "lAdd_length": _ALGEBRA, "lSmul_length": _ALGEBRA,
    "lUnit_length": _ALGEBRA, "lCov_lUnit": _ALGEBRA, "lCov_lUnit_self": _ALGEBRA,
    "listNoise_length": _ALGEBRA, "lMean_listNoise": _ALGEBRA, "lCov_listNoise_self": _ALGEBRA,
    "lCov_listNoise_white": _ALGEBRA, "listSgdθ_length": _ALGEBRA, "listHbθ_length": _ALGEBRA,
    "ratSgdRun_energy_zero": _CONCRETE, "ratSgdRun_energy_one": _CONCRETE,
    "not_exists_optimizerFree_classDrift": "refutes the seed's literal Theorem 1 (no optimizer-free f for SGD at "
                                           "every rate); tests/properties/test_seed_bound.py searches numerically",
    "not_exists_classDrift_sgd_adam_sameRate": "refutes the literal reading for SGD and Adam at one base rate; "
                                               "tests/properties/test_seed_bound.py keeps concrete counterexamples",
    "sgdEnergyStep_sub_fixedPoint": _ALGEBRA,
    "eq_sgdFixedPoint_of_isFixedPoint": "uniqueness of the fixed point: a statement about all e, nothing to sample",
    "sgdContraction_nonneg": _ALGEBRA,
    "sgdContraction_lt_one": "the 'if' half of sgdContraction_lt_one_iff (linked)",
    "one_le_sgdContraction": "the 'only if' half of sgdContraction_lt_one_iff (linked)",
    "one_lt_sgdContraction": "the growth factor behind sgdEnergy_sqDist_gt_of_unstable (linked)",
    "sgdContraction_eq_one_of_marginal": "marginal alpha*lam in {0, 2}: a measure-zero set a sampler never hits",
    "sgdEnergyStep_ne_self_of_marginal": "marginal alpha*lam in {0, 2}: a measure-zero set a sampler never hits",
    "sgdEnergy_succ_sub_of_marginal": "marginal alpha*lam in {0, 2}: a measure-zero set a sampler never hits",
    "sgdDrift_continuousSteadyState": _LIMIT,
    "sgdDrift_eq_mul_sub": _LIMIT,
    "sgdEnergyStep_sub_self": _ALGEBRA,
    "sgdContinuousSteadyState_lt_sgdFixedPoint": "the sign of steadyStateGap, whose value is linked",
    "adamDrift_eq_sgdDrift_adamRate": _ALGEBRA,
    "AdamMode.r_eq_σ_of_noiseDominated": "the noise-dominated limit r = sigma; the linked noise-dominated entry uses it",
    "AdamMode.adamDrift_eq_sgdDrift_classRate": "adamDrift_eq_sgdDrift_of_noiseDominated for a mode record (linked)",
    "sgdDrift_eq_contractionRate": _LIMIT,
    "classRate_sq_mul_sq": _ALGEBRA,
    "noiseRatio_mul_sq": "a definition unfolded (eta lam1^2 = sigma^2); eta_hat's invariance is tested in numerics",
    "classRate_pos": _ALGEBRA,
    "contractionRate_pos": _ALGEBRA,
    "sgdContinuousSteadyState_classRate": _LIMIT,
    "sumTo_add": _ALGEBRA,
    "sumTo_mul_left": _ALGEBRA,
    "sumTo_mul_add_const": _ALGEBRA,
    "sumTo_add_const": _ALGEBRA,
    "sgdContinuousSteadyState_eq_mul": _LIMIT,
    "sgdContinuousSteadyState_div": _LIMIT,
    "eq_of_discreteSteadyStateRatio_eq": "the k-dependence of the discrete ratio; the linked discrete-ratio entry "
                                         "measures that ratio mode by mode",
    "contractionRate_lt_contractionRate": "the strict form of contractionRate_le_contractionRate (linked)",
    "contractionRate_div": _ALGEBRA,
    "adamDrift_sub_sgdDrift_eq": _ALGEBRA,
    "driftDeviation_le_linear": "a second upper bound, linear in e; driftDeviation_mem (linked) is the sharp one",
    "driftDeviation_le_weight": "the per-mode step of spectral_universality (linked)",
    "seedStepTwoBound_le_succ": "about the seed's bound sequence C beta / lam_k itself: no dynamics to simulate",
    "seedStepTwoBound_lt_succ": "about the seed's bound sequence C beta / lam_k itself: no dynamics to simulate",
    "sgdDrift_zero_ne_classDrift_zero": "with seedBound_forces_equal_drifts, refutes the seed's literal Theorem 1; "
                                        "the search in tests/properties/test_seed_bound.py finds it numerically",
    "seedBound_forces_equal_drifts": "refutes the seed's literal Theorem 1; tests/properties/test_seed_bound.py "
                                     "searches for and keeps concrete counterexamples",
    "sumTo_congr": _ALGEBRA,
    "sumTo_nonneg": _ALGEBRA,
    "sumTo_neg": _ALGEBRA,
    "sumTo_zero": _ALGEBRA,
    "sumTo_comm": _ALGEBRA,
    "sgdEnergyStep_noiseless": "gradient descent is SGD at sigma = 0: the GD links measure sgdContraction directly",
    "sgdContraction_optimalStep_right": "checked together with sgdContraction_optimalStep_left (linked): the "
                                        "check measures both ends",
    "exists_stable_sgdContraction_lt": "a concrete Rat instance of sgdContraction_lt_sgdContraction_iff (linked)",
    "lsSlope_congr_right": _ALGEBRA,
    "lsSlope_affine": "the one-step case of lsSlope_comp_affine (linked)",
    "sumTo_sq_le_sq_sumTo": "the inequality behind one_le_participationRatio (linked)",
    "quadForm_eq_double": _ALGEBRA,
    "quadForm_eq_zero_of_skew": "the within-shell term of shellEnergyRate_eq (linked), whose check prints it",
}



def link(theorem: str) -> Link:
    """The entry of ``theorem`` (KeyError if there is none)."""
    for entry in LINKS:
        if entry.theorem == theorem:
            return entry
    raise KeyError(theorem)
