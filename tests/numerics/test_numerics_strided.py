"""Exact strided sampling: h-step transitions, integrated times, and agreement with the per-step simulator.

Agreement tolerance: both energy estimators are unbiased with variance 2 e^2 tau_1 / (R T) (the strided one
by construction of its plan), so their difference over that sqrt(2)-scaled s.e. is ~N(0, 1); with a Bonferroni
correction over K modes the family-wise false-alarm rate is 1e-6.
"""

from statistics import NormalDist

import pytest
import torch

from spectral_universality.numerics.quadratic import power_law_spectrum, simulate_quadratic
from spectral_universality.numerics.strided import (
    one_step_system,
    power_and_covariance,
    simulate_strided,
    stationary_covariance,
    strided_estimates,
    tau_sq,
)

K = 24


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_doubling_equals_repeated_single_steps(optimizer):
    lam = power_law_spectrum(K, 1.0)
    a, q = one_step_system(optimizer, lam, 0.1, 1.3, mu=0.7)
    log2 = torch.arange(K) % 6
    a_h, s_h = power_and_covariance(a, q, log2)
    for k in range(K):
        ak, sk = torch.eye(a.shape[-1], dtype=torch.float64), torch.zeros_like(q[k])
        for _ in range(2 ** int(log2[k])):
            sk = a[k] @ sk @ a[k].T + q[k]
            ak = a[k] @ ak
        torch.testing.assert_close(a_h[k], ak, rtol=1e-10, atol=1e-14)
        torch.testing.assert_close(s_h[k], sk, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_tau_equals_brute_force_sum(optimizer):
    lam = power_law_spectrum(6, 1.0)
    a, q = one_step_system(optimizer, lam, 0.3, 1.0, mu=0.5)
    s = stationary_covariance(a, q)
    brute = torch.ones(6, dtype=torch.float64)
    ak = torch.eye(a.shape[-1], dtype=torch.float64).expand_as(a)
    for _ in range(20000):
        ak = ak @ a
        brute += 2 * ((ak @ s)[:, 0, 0] / s[:, 0, 0]) ** 2
    torch.testing.assert_close(tau_sq(a, s), brute, rtol=1e-8, atol=0)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam-noise"])
def test_strided_and_per_step_energies_agree(optimizer):
    lam = power_law_spectrum(K, 1.0)
    alpha, sigma, steps, seeds = 0.05, 1.5, 4000, 16
    a, q = one_step_system(optimizer, lam, alpha, sigma, mu=0.6)
    s = stationary_covariance(a, q)
    gen = torch.Generator().manual_seed(21)
    n = a.shape[-1]
    x0 = torch.einsum("kij,skj->ski", torch.linalg.cholesky(s), torch.randn(seeds, K, n, generator=gen, dtype=torch.float64))
    extra = {} if n == 1 else {"mu": 0.6}
    # heavy ball's state is (theta, b); the per-step simulator starts with b = 0, so give it a burn-in instead
    per = simulate_quadratic(optimizer, lam, alpha=alpha, sigma=sigma, steps=steps, seeds=seeds, generator=gen,
                             theta0=x0[..., 0], burn_in=0 if n == 1 else 3000, **extra)
    st, plan = simulate_strided(optimizer, lam, alpha=alpha, sigma=sigma, steps=steps, seeds=seeds, generator=gen,
                                mu=0.6)
    est = strided_estimates(st, plan)
    e_exact = s[:, 0, 0]
    se = e_exact * torch.sqrt(2 * plan.tau1 / (seeds * steps))  # per estimator
    z_diff = (per.stats.energies() - est["energies"]) / (se * 2**0.5)
    z_strided = (est["energies"] - e_exact) / se
    bound = NormalDist().inv_cdf(1 - 1e-6 / (2 * K))
    assert float(z_diff.abs().max()) <= bound, z_diff
    assert float(z_strided.abs().max()) <= bound, z_strided
    assert max(plan.draws.values()) < steps and int(plan.log2_stride.max()) >= 3  # strides really are used
    assert bool(((est["rho"] - 1).abs() < 1).all())
