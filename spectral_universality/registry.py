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
                       seeds: int = 64, steps: int = 2000, **kw: float) -> tuple[Any, Any]:
    """Stationary mode energies ``(K,)`` and their standard errors, from independent seed groups.

    Burn-in: the energy relaxes like ``(1 - alpha lam)^(2t)``; 20 / (alpha lam_min) steps leave < e^-40.
    """
    import torch

    from .numerics.quadratic import simulate_quadratic

    lam_t = torch.tensor(lam, dtype=torch.float64)
    rate = alpha / sigma if optimizer == "adam-noise" else alpha
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


def _check_divergence(p: Params, seed: int, steps: int = 200) -> Verdict:
    """Outside the stability region the simulated energy does not settle at ``sgdFixedPoint``: from
    ``theta_0 = 1`` it grows past ``(alpha lam - 1)^(2 steps)`` times smaller than its start."""
    import torch

    from .numerics.quadratic import simulate_quadratic

    res = simulate_quadratic("sgd", torch.tensor([p["lam"]], dtype=torch.float64), alpha=p["alpha"],
                             sigma=p["sigma"], steps=steps, seeds=256, generator=_generator(seed), theta0=1.0,
                             record=True)
    final = float((res.trajectory[-1] ** 2).mean())
    settled = math.isfinite(final) and final < 10.0 * max(1.0, abs(_form("sgdFixedPoint", **p)))
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
    """The least-squares slope that ``numerics.identify`` fits is unchanged when a constant is added to
    every log-energy (a within-class constant), and changed by a k-dependent shift (``outside``)."""
    import numpy as np

    from .numerics.identify import ls_slope

    rng = np.random.default_rng(seed)
    k = int(p["modes"])
    x = np.log(np.arange(1, k + 1, dtype=np.float64))
    y = p["s"] * x + rng.normal(0.0, 0.3, size=k)
    shift = p["shift"] * (x if p.get("k_dependent") else np.ones(k))
    a, b = ls_slope(x, y), ls_slope(x, y + shift)
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

LINKS: tuple[Link, ...] = _CORE_LINKS + _COMPANION_LINKS

#: Lean declarations deliberately not linked to a simulation, with the reason (completeness test).
_ALGEBRA = "an algebraic step used by a linked theorem; its consequence is what the simulations measure"
_LIMIT = "a continuous-time or limiting identity; simulations are discrete and measure the linked discrete form"

UNLINKED: dict[str, str] = {
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
