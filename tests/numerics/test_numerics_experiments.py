"""§5.1 benchmark and §5.3 scan (quick mode): structure, and the checks whose answers are known independently.

Known answers: on the §9 quadratic (isotropic additive noise) s_hat must agree with the planted s (z-test at
1e-6 against the exact OLS slope is in test_numerics_identify; here: every identifiable quadratic run within
Z s.e. + the discretisation shift of its mode range); the MP edge: contracting modes = rank of the empirical
Hessian = min(n, p); divergence of SGD on the quadratic beyond theory's alpha*lam_max = 2 boundary.
"""

import math

import numpy as np
import pytest

from spectral_universality.numerics import expected
from spectral_universality.numerics.experiments import benchmark_5_1, summarize_5_1, transition_scan_5_3


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
