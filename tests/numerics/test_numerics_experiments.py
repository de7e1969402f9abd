"""§5.1 benchmark and §5.3 scan (quick mode): structure, and the checks whose answers are known independently.

Known answers: on the §9 quadratic (isotropic additive noise) s_hat must agree with the planted s (z-test at
1e-6 against the exact OLS slope is in test_numerics_identify; here: every identifiable quadratic run within
Z s.e. + the discretisation shift of its mode range); the MP edge: contracting modes = rank of the empirical
Hessian = min(n, p); divergence of SGD on the quadratic beyond theory's alpha*lam_max = 2 boundary.
"""

import math
from statistics import NormalDist

import numpy as np
import pytest
import torch

from spectral_universality.numerics import expected
from spectral_universality.numerics.experiments import (PLANTED_S, QUAD_RUNS, benchmark_5_1, quadratic_5_1, record_length,
                                                         slow_amplitude_rate, summarize_5_1, transition_scan_5_3)


@pytest.fixture(scope="module")
def bench():
    return benchmark_5_1(quick=True, seed=0)


@pytest.fixture(scope="module")
def scan():
    return transition_scan_5_3(quick=True, seed=0)


def test_5_1_quadratic_runs_recover_planted_s(bench):
    z = 4.89
    quad = [r for r in bench["rows"] if r["model"] == "quadratic" and "error" not in r]
    assert len(quad) >= 8
    by_key = {(r["optimizer"], r["s"]): r for r in quad}
    for r in quad:
        lo, hi = r["mode_range"]
        k = np.arange(1, 33)
        if r["optimizer"] in ("sgd", "adam-noise"):
            alpha = 0.2 if r["optimizer"] == "sgd" else 0.05
            # exact OLS slope of theory's stationary energies over the fitted range
            e = expected.steady_energy(r["optimizer"], k.astype(float) ** -r["s"], alpha=alpha, sigma=1.0)[lo:hi]
            x = np.log(k[lo:hi]) - np.log(k[lo:hi]).mean()
            assert abs(r["s_hat"] - float(x @ np.log(e) / (x @ x))) <= z * r["s_hat_se"], r
        else:  # Adam itself: same class as its noise-dominated model at the same s (two-sided z-test, 1e-6)
            ref = by_key.get(("adam-noise", r["s"]))
            if ref is not None:
                assert abs(r["s_hat"] - ref["s_hat"]) <= z * math.hypot(r["s_hat_se"], ref["s_hat_se"]), (r, ref)
    assert bench["clustering"]["quadratic"]["same_optimizer_judged_same"] == 0.0
    assert "s_hat" in summarize_5_1(bench)


def test_5_1_rows_are_numbers_or_reasons(bench):
    for r in bench["rows"]:
        if "error" in r:
            assert isinstance(r["error"], str) and r["error"]
        else:
            assert math.isfinite(r["s_hat"]) and r["s_hat_se"] > 0 and len(r["energies"]) > 0


def test_5_3_boundaries(scan):
    sgd = scan["divergence"][0]
    assert sgd["theory_note"] is None
    # the scan ran through the sweep; theory's boundary, found numerically from its conditions, is 2/lam_max
    assert abs(sgd["theory_boundary"] - 2.0) < 1e-9 and abs(scan["divergence"][1]["theory_boundary"] - 3.8) < 1e-9
    # strictly beyond theory's boundary the quadratic diverges; strictly inside it does not
    for a, observed, theory in zip(sgd["alphas"], sgd["diverged"], sgd["theory_diverges"]):
        if a > 2.0 + 1e-9:
            assert observed and theory
        if a < 2.0 - 1e-9:
            assert not observed and not theory
    for row in scan["marchenko_pastur"]:
        assert row["k_star_observed"] == min(row["n"], row["p"]) == row["nonzero_eigvals"]
    crit = [r["observed_alpha_crit"] for r in scan["batch_divergence"]["rows"]]
    finite = [c for c in crit if c is not None]
    assert finite == sorted(finite)  # larger batches (less multiplicative noise) tolerate larger steps


def test_5_1_adam_beta1_is_fitted_as_ar2_with_the_true_noise_ratio():
    """Adam (beta1 = 0.9) through the §5.1 pipeline: its mode recursion is second order, so the fit must use the
    simulator's lag-2 and edge sums (AR(2)); read as AR(1) its eta_hat was ~19-24 at a true 1.

    Tolerance, derived: eta_hat = mean_k q_k (lam_k / d_k)^2 over K fitted modes, with d_k the fitted drift
    1 - phi1 - phi2. Its relative variance, mode by mode, is 2/(N alpha_tilde lam_k) (least-squares s.e. of the
    drift; the same for the beta1 recursion as for SGD at alpha_tilde), which is the energy's rel_se_k^2, so the
    squared drift enters with rel. s.e. 2 rel_se_k and eta_hat with 2 sqrt(sum rel_se_k^2)/K; the delta method
    gives a bias of at most 3 mean(rel_se_k^2) (E[1/d^2] = (1 + 3 var) / d^2). Two-sided false alarm 1e-6.
    """
    runs = tuple(r for r in QUAD_RUNS if r[0] == "adam")
    assert runs[0][3] == {}  # torch's default Adam, beta1 = 0.9
    out = quadratic_5_1(steps=100, seeds=16, modes=16, max_rel_se=0.1, generator=torch.Generator().manual_seed(1),
                        device=torch.device("cpu"), planted=(1.0,), runs=runs)
    fit = out["fits"][("adam", 1.0)]
    lo, hi = fit.mode_range
    rel = fit.energy_rel_se[lo:hi]
    se = 2 * math.sqrt(float(np.sum(rel**2))) / rel.size
    bias = 3 * float(np.mean(rel**2))
    z = NormalDist().inv_cdf(1 - 1e-6 / 2)
    eta_true = 1.0  # sigma^2 / lam_1^2 with sigma = 1, lam_1 = 1
    assert fit.ar_order == 2
    assert abs(fit.eta_hat - eta_true) <= eta_true * (z * se + bias), (fit.eta_hat, se, bias)
    # the record was sized by theory for the slowest fitted mode (mode 8 of lam_k = k^-1)
    rate = float(slow_amplitude_rate("adam", np.array([1 / 8]), 0.05)[0])
    assert out["record"]["adam"]["steps"] == record_length(rate, 16, 0.1)
    assert hi - lo >= 5


def test_record_length_meets_the_requested_relative_se():
    # a mode with slowest root z = 1 - rate has tau = (1 + z^2)/(1 - z^2); at T steps x R replicas its relative
    # energy s.e. sqrt(2 tau/(R T)) is at most the requested one, and one step fewer would exceed it
    for rate, reps, target in ((1e-3, 16, 0.2), (0.05 / 512, 16, 0.2), (0.01, 4, 0.05)):
        t = record_length(rate, reps, target)
        tau = (1 + (1 - rate) ** 2) / (1 - (1 - rate) ** 2)
        assert math.sqrt(2 * tau / (reps * t)) <= target < math.sqrt(2 * tau / (reps * (t - 1)))


def test_5_1_discrete_profile_effect_is_theory_slope(bench):
    effect = bench["discrete_profile_effect"]
    assert isinstance(effect, list) and {e["s"] for e in effect} <= set(PLANTED_S)
    for e in effect:
        lo, hi = e["mode_range"]
        k = np.arange(1, 33, dtype=float)[lo:hi]
        lam = k ** -e["s"]
        ratio = (expected.steady_energy("sgd", lam, alpha=0.2, sigma=1.0)
                 / expected.steady_energy("adam-noise", lam, alpha=0.05, sigma=1.0))
        x = np.log(k) - np.log(k).mean()
        assert e["s_hat_shift"] == pytest.approx(float(x @ np.log(ratio) / (x @ x)), rel=1e-9, abs=1e-12)
        # alpha > alpha_t: the factor (alpha/alpha_t)(2 - alpha_t lam)/(2 - alpha lam) falls towards alpha/alpha_t
        # as lam_k falls, so SGD's discrete profile is the flatter one: the shift is negative
        assert e["s_hat_shift"] < 0
