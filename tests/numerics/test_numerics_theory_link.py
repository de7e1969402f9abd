"""Simulations and numerical transitions against theory/'s closed forms (the one source of expected values).

Monte-Carlo assertions: z-tests with the energy s.e. e sqrt(2 tau / (R T)) and a Bonferroni bound over modes,
family-wise false-alarm rate 1e-6.
"""

from statistics import NormalDist

import numpy as np
import pytest
import torch

from spectral_universality.numerics import expected
from spectral_universality.numerics.quadratic import power_law_spectrum, simulate_quadratic
from spectral_universality.numerics.strided import (
    one_step_system,
    power_and_covariance,
    simulate_strided,
    stationary_covariance,
    strided_estimates,
    tau_sq,
)

K = 16
PARAMS = {"sgd": dict(alpha=0.2, sigma=1.3), "adam-noise": dict(alpha=0.2, sigma=1.3),
          "momentum": dict(alpha=0.05, sigma=1.3, mu=0.6)}


@pytest.mark.parametrize("optimizer", ["sgd", "adam-noise", "momentum"])
def test_numerical_stationary_variance_equals_theory(optimizer):
    p = PARAMS[optimizer]
    lam = power_law_spectrum(K, 1.0)
    a, q = one_step_system(optimizer, lam, p["alpha"], p["sigma"], p.get("mu", 0.9))
    numeric = stationary_covariance(a, q)[:, 0, 0].numpy()
    closed = expected.steady_energy(optimizer, lam.numpy(), **p)
    np.testing.assert_allclose(numeric, closed, rtol=1e-9)


def test_h_step_transition_equals_theory_for_sgd():
    lam = power_law_spectrum(K, 1.0)
    a, q = one_step_system("sgd", lam, 0.2, 1.3)
    log2 = torch.arange(K) % 7
    a_h, s_h = power_and_covariance(a, q, log2)
    h = (2.0 ** log2).numpy()
    kw = dict(alpha=0.2, sigma=1.3, lam=lam.numpy(), h=h)
    np.testing.assert_allclose(a_h[:, 0, 0].numpy(), expected.evaluate_form("sgd", "h_step_mean_factor", **kw), rtol=1e-9)
    np.testing.assert_allclose(s_h[:, 0, 0].numpy(), expected.evaluate_form("sgd", "h_step_variance", **kw), rtol=1e-9)


@pytest.mark.parametrize("optimizer", ["sgd", "adam-noise", "momentum"])
def test_simulated_energies_match_theory(optimizer):
    p = PARAMS[optimizer]
    lam = power_law_spectrum(K, 1.0)
    steps, seeds = 6000, 16
    closed = torch.from_numpy(expected.steady_energy(optimizer, lam.numpy(), **p))
    a, q = one_step_system(optimizer, lam, p["alpha"], p["sigma"], p.get("mu", 0.9))
    tau = tau_sq(a, stationary_covariance(a, q))
    gen = torch.Generator().manual_seed(5)
    res = simulate_quadratic(optimizer, lam, steps=steps, seeds=seeds, generator=gen, burn_in=4000, **p)
    st, plan = simulate_strided(optimizer, lam, steps=steps, seeds=seeds, generator=gen, **p)
    se = closed * torch.sqrt(2 * tau / (steps * seeds))
    bound = NormalDist().inv_cdf(1 - 1e-6 / (4 * K))
    for est in (res.stats.energies(), strided_estimates(st, plan)["energies"]):
        z = (est - closed) / se
        assert float(z.abs().max()) <= bound, z


def test_lag1_autocorrelation_matches_theory_for_sgd():
    lam = power_law_spectrum(K, 1.0)
    p = PARAMS["sgd"]
    steps, seeds = 6000, 16
    res = simulate_quadratic("sgd", lam, steps=steps, seeds=seeds, generator=torch.Generator().manual_seed(6),
                             burn_in=3000, **p)
    rho = torch.from_numpy(expected.evaluate_form("sgd", "lag1_autocorrelation", lam=lam.numpy(), **p))
    # AR(1): Var(rho_hat) ~= (1 - rho^2) / N for N pooled pairs
    se = torch.sqrt((1 - rho**2) / (steps * seeds))
    z = (res.stats.lag_autocorrelation() - rho) / se
    assert float(z.abs().max()) <= NormalDist().inv_cdf(1 - 1e-6 / (2 * K)), z
