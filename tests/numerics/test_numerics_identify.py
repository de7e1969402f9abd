"""The §10 class-identification algorithm: s.e. calibration (Monte Carlo), eta invariance, basis recovery,
class test error rate, transition detection, input checks.

Tolerances: an assertion on a Monte-Carlo mean uses z = 4.9 (two-sided false-alarm rate 1e-6) times its
standard error; counts use binomial bounds at the same rate.  Targets are computed independently of the
estimator: the exact stationary variance of the one-step recursion (numerics.strided, by doubling).
"""

import math
from statistics import NormalDist

import numpy as np
import pytest
import torch

from spectral_universality.errors import InputError
from spectral_universality.numerics.identify import (
    detect_transitions,
    identify_from_stats,
    identify_trajectory,
    same_class,
)
from spectral_universality.numerics.quadratic import power_law_spectrum, random_orthogonal, simulate_quadratic
from spectral_universality.numerics.strided import one_step_system, stationary_covariance

Z = NormalDist().inv_cdf(1 - 1e-6 / 2)  # 4.89
K, S, ALPHA, SIGMA = 48, 1.5, 0.2, 2.0


def _stationary_var(optimizer, lam, alpha, sigma):
    a, q = one_step_system(optimizer, lam, alpha, sigma)
    return stationary_covariance(a, q)[:, 0, 0]


def _groups(optimizer, groups, seeds, steps, seed, s=S, alpha=ALPHA):
    lam = power_law_spectrum(K, s)
    var = _stationary_var(optimizer, lam, alpha, SIGMA)
    gen = torch.Generator().manual_seed(seed)
    theta0 = torch.randn(groups * seeds, K, generator=gen, dtype=torch.float64) * var.sqrt()
    res = simulate_quadratic(optimizer, lam, alpha=alpha, sigma=SIGMA, steps=steps, seeds=groups * seeds,
                             generator=gen, theta0=theta0, seed_groups=groups)
    return lam, var.numpy(), res.stats


def _binomial_upper(n, p):
    """Upper count bound: mean + Z sd + 1 (continuity)."""
    return n * p + Z * math.sqrt(n * p * (1 - p)) + 1


@pytest.fixture(scope="module")
def sgd_groups():
    return _groups("sgd", groups=64, seeds=8, steps=4000, seed=7)


def test_s_hat_standard_error_is_calibrated(sgd_groups):
    lam, var, stats = sgd_groups
    z = []
    for g in range(stats.groups):
        fit = identify_from_stats(stats.group(g), eigvals=lam)
        lo, hi = fit.mode_range
        x = np.log(np.arange(1, K + 1))[lo:hi]
        xc = x - x.mean()
        target = float(xc @ np.log(var[lo:hi]) / (xc @ xc))  # OLS slope of the exact log energies
        z.append((fit.s_hat - target) / fit.s_hat_se)
    z = np.array(z)
    n = z.size
    assert abs(z.mean()) <= Z / math.sqrt(n), z.mean()
    # coverage of +-2 s.e.: nominal p0; the count of misses is binomial under calibration
    p0 = 2 * (1 - NormalDist().cdf(2.0))
    misses = int(np.sum(np.abs(z) > 2.0))
    assert misses <= _binomial_upper(n, p0), (misses, n)
    # an s.e. ignoring autocorrelation (tau = 1) would be several times too small: z spread would explode
    assert np.std(z) < 1.5


def test_class_test_false_different_rate(sgd_groups):
    lam, _, stats = sgd_groups
    fits = [identify_from_stats(stats.group(g), eigvals=lam, mode_range=(1, 20)) for g in range(stats.groups)]
    level = 0.1
    different = sum(not same_class(fits[2 * i], fits[2 * i + 1], level).same for i in range(len(fits) // 2))
    assert different <= _binomial_upper(len(fits) // 2, level)


def test_different_spectra_are_different_classes():
    lam1, _, st1 = _groups("sgd", groups=1, seeds=8, steps=3000, seed=1, s=1.0)
    lam2, _, st2 = _groups("sgd", groups=1, seeds=8, steps=3000, seed=2, s=1.5)
    cmp = same_class(identify_from_stats(st1, eigvals=lam1), identify_from_stats(st2, eigvals=lam2), level=1e-6)
    assert not cmp.same and abs(cmp.z) > Z


def test_eta_hat_is_optimizer_invariant():
    """SGD (alpha=0.2) and noise-dominated Adam (alpha_tilde = 0.2/sigma) both estimate sigma^2/lam_1^2."""
    target = SIGMA**2 / 1.0
    for opt in ("sgd", "adam-noise"):
        lam, _, stats = _groups(opt, groups=16, seeds=8, steps=4000, seed=3)
        etas = np.array([identify_from_stats(stats.group(g), eigvals=lam).eta_hat for g in range(stats.groups)])
        se = etas.std(ddof=1) / math.sqrt(etas.size)
        assert abs(etas.mean() - target) <= Z * se, (opt, etas.mean(), se)


def _t_critical(df: int) -> float:
    """Two-sided Student-t quantile at the module's false-alarm rate (the s.e. is estimated from df + 1 groups)."""
    from scipy.stats import t

    return float(t.ppf(1 - 1e-6 / 2, df))


@pytest.mark.parametrize("optimizer,hyper,alpha", [("momentum", {"mu": 0.9}, 0.01), ("adam", {"beta1": 0.9}, 0.1)])
def test_eta_hat_is_invariant_for_second_order_dynamics(optimizer, hyper, alpha):
    """Heavy ball and Adam (beta1 = 0.9, noise-dominated) are AR(2) per mode; the least-squares AR(2) fit
    recovers sigma^2/lam_1^2, while the AR(1) fit of SGD is off by about (1 + beta)/(1 - beta) = 19."""
    from spectral_universality.theory import SYMBOLS, closed_forms

    k, groups = 16, 16
    lam = power_law_spectrum(k, 1.0)
    gen = torch.Generator().manual_seed(21)
    res = simulate_quadratic(optimizer, lam, alpha=alpha, sigma=SIGMA, steps=4000, seeds=groups * 8, generator=gen,
                             burn_in=3000, seed_groups=groups, **hyper)
    target = float(closed_forms()["noiseRatio"].subs({SYMBOLS["sigma"]: SIGMA, SYMBOLS["lam1"]: float(lam.max())}))
    fits = [identify_from_stats(res.stats.group(g), eigvals=lam) for g in range(groups)]
    assert all(f.ar_order == 2 for f in fits)
    etas = np.array([f.eta_hat for f in fits])
    se = etas.std(ddof=1) / math.sqrt(groups)
    assert abs(etas.mean() - target) <= _t_critical(groups - 1) * se, (etas.mean(), se, target)
    ar1 = np.array([identify_from_stats(res.stats.group(g), eigvals=lam, ar_order=1, max_rel_se=10.0).eta_hat
                    for g in range(groups)])
    # heavy-tailed (fast modes enter with max_rel_se relaxed): compare the median with the AR(2) acceptance band
    assert np.median(ar1) > target + _t_critical(groups - 1) * se, (np.median(ar1), target, se)


def test_auto_order_keeps_ar1_for_sgd(sgd_groups):
    """SGD is exactly AR(1): the order test (level 1e-6 per fit) keeps it in all 64 groups but for at most the
    binomial bound."""
    lam, _, stats = sgd_groups
    # the module fixture has no lag-2 sums; simulate a smaller SGD record with them
    res = simulate_quadratic("sgd", lam, alpha=ALPHA, sigma=SIGMA, steps=2000, seeds=64 * 4, lag2=True,
                             generator=torch.Generator().manual_seed(8), burn_in=2000, seed_groups=64)
    orders = [identify_from_stats(res.stats.group(g), eigvals=lam, mode_range=(1, 12)).ar_order for g in range(64)]
    assert sum(o == 2 for o in orders) <= _binomial_upper(64, 1e-6)


def test_eta_is_none_with_reason_without_eigenvalues():
    _, _, stats = _groups("sgd", groups=1, seeds=8, steps=3000, seed=4)
    fit = identify_from_stats(stats)
    assert fit.eta_hat is None and "eigenvalues" in fit.eta_reason
    assert np.all(np.isfinite(fit.gamma_hat))


def test_rotated_basis_is_recovered_from_the_hessian():
    d = 24
    lam = power_law_spectrum(d, S)
    u = random_orthogonal(d, torch.Generator().manual_seed(9))
    res = simulate_quadratic("sgd", lam, alpha=ALPHA, sigma=SIGMA, steps=6000, seeds=8, burn_in=3000,
                             generator=torch.Generator().manual_seed(10), rotation=u, record=True)
    hessian = (u * lam) @ u.T
    from_hessian = identify_trajectory(res.trajectory, hessian=hessian)
    given_basis = identify_trajectory(res.trajectory @ u, eigvals=lam)
    assert from_hessian.mode_range == given_basis.mode_range
    np.testing.assert_allclose(from_hessian.energies, given_basis.energies, rtol=1e-8)
    assert from_hessian.s_hat == pytest.approx(given_basis.s_hat, rel=1e-8)
    assert from_hessian.eta_hat == pytest.approx(given_basis.eta_hat, rel=1e-6)
    lo, hi = from_hessian.mode_range
    x = np.log(np.arange(1, d + 1))[lo:hi]
    xc = x - x.mean()
    target = xc @ np.log(_stationary_var("sgd", lam, ALPHA, SIGMA).numpy()[lo:hi]) / (xc @ xc)
    assert abs(from_hessian.s_hat - target) <= Z * from_hessian.s_hat_se


def _coords(s, steps, seed):
    lam = power_law_spectrum(32, s)
    var = _stationary_var("sgd", lam, 0.3, 1.0)
    gen = torch.Generator().manual_seed(seed)
    th0 = torch.randn(8, 32, generator=gen, dtype=torch.float64) * var.sqrt()
    res = simulate_quadratic("sgd", lam, alpha=0.3, sigma=1.0, steps=steps, seeds=8, generator=gen, theta0=th0,
                             record=True)
    return res.trajectory.numpy()


def test_transition_detected_where_s_changes_and_not_elsewhere():
    before, after = _coords(1.0, 6000, 1), _coords(2.0, 6000, 2)
    rep = detect_transitions(np.concatenate([before, after]), window=2000, level=1e-6, mode_range=(2, 12))
    flagged_starts = rep.starts[rep.compared[rep.flagged, 1]]
    assert rep.flagged.any()
    assert np.all((flagged_starts > 6000 - 2000) & (flagged_starts <= 6000 + 2000)), flagged_starts
    assert rep.first_transition is not None and 4000 < rep.first_transition <= 8000
    stationary = detect_transitions(before, window=1000, level=1e-6, mode_range=(2, 12))
    assert not stationary.flagged.any()


@pytest.mark.parametrize(
    "theta, kwargs, match",
    [
        (np.full((50, 8), np.nan), {}, "non-finite"),
        (np.ones((2, 8)), {}, "at least 3"),
        (np.random.default_rng(0).normal(size=(50, 4)), {}, "fewer than the fit needs"),
        (np.ones((50, 8)), {"eigvecs": np.eye(7)}, "eigvecs must be"),
        (np.ones((50, 8)), {"hessian": np.eye(7)}, "hessian must be"),
        (np.ones((50, 8)), {"eigvals": np.ones(3)}, "eigvals must have shape"),
        (np.ones((50, 8)), {"hessian": np.triu(np.ones((8, 8)))}, "not symmetric"),
        (np.random.default_rng(1).normal(size=(50, 10)), {"min_modes": 2}, "min_modes"),
        (np.random.default_rng(1).normal(size=(50, 10)), {"bogus": 1}, "unknown identify options"),
    ],
)
def test_input_errors(theta, kwargs, match):
    with pytest.raises(InputError, match=match):
        identify_trajectory(theta, **kwargs)


def test_too_short_record_names_the_precision_problem():
    rng = np.random.default_rng(0)
    theta = np.cumsum(rng.normal(size=(20, 16)), axis=0) * 0.1 + rng.normal(size=(20, 16))
    with pytest.raises(InputError, match="T too short"):
        identify_trajectory(theta)


def test_windowed_online_statistics_detect_nothing_in_a_stationary_run():
    lam = power_law_spectrum(32, 1.0)
    var = _stationary_var("sgd", lam, 0.3, 1.0)
    gen = torch.Generator().manual_seed(12)
    th0 = torch.randn(8, 32, generator=gen, dtype=torch.float64) * var.sqrt()
    res = simulate_quadratic("sgd", lam, alpha=0.3, sigma=1.0, steps=8000, seeds=8, generator=gen, theta0=th0,
                             window=2000, record=True)
    from spectral_universality.numerics.identify import detect_transitions_from_stats

    online = detect_transitions_from_stats(res.stats, level=1e-6, mode_range=(2, 12))
    offline = detect_transitions(res.trajectory.numpy(), window=2000, level=1e-6, mode_range=(2, 12))
    np.testing.assert_allclose(online.s_hat, offline.s_hat, rtol=1e-10)
    np.testing.assert_allclose(online.s_hat_se, offline.s_hat_se, rtol=1e-6)
    assert not online.flagged.any()
