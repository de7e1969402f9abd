"""Heavy ball and Adam's beta1 EMA: symbolic Lyapunov solution against numeric routes (scipy, eigenvalues)."""

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy.linalg import solve_discrete_lyapunov

from spectral_universality.errors import HypothesisViolation
from spectral_universality.theory import SYMBOLS, derive
from spectral_universality.theory.linear import h_step_covariance
from spectral_universality.theory.momentum import ema_system, heavy_ball_system

alpha, lam, sigma, mu, beta1 = (SYMBOLS[n] for n in ("alpha", "lam", "sigma", "mu", "beta1"))


def numeric_system(a, l, m, s):
    """(A, Q) of the torch heavy ball written directly in numpy (v' = m v + g, theta' = theta - a v')."""
    A = np.array([[1 - a * l, -a * m], [l, m]])
    w = np.array([-a, 1.0]) * s
    return A, np.outer(w, w)


def test_canonical_steady_state_pinned():
    d = derive("momentum")
    canonical = alpha * sigma**2 * (1 + mu) / (lam * (1 - mu) * (2 * (1 + mu) - alpha * lam))
    assert d.steady_state.equals(canonical) and sympy.count_ops(d.steady_state) <= sympy.count_ops(canonical) + 4
    assert d.forms["small_rate_steady_state"].equals(alpha * sigma**2 / (2 * lam * (1 - mu)))
    assert d.forms["effective_rate"].equals(alpha / (1 - mu))
    assert d.stability_text == "0 <= mu < 1 and 0 < alpha*lam < 2*(1 + mu)"


@given(st.floats(0.0, 0.98), st.floats(0.02, 0.98), st.floats(0.1, 4.0), st.floats(0.1, 2.0))
def test_stationary_covariance_matches_scipy_and_eigenvalues(m, frac, l, s):
    a = frac * 2 * (1 + m) / l  # inside the derived region
    d = derive("momentum")
    v = d.evaluate(alpha=a, lam=l, sigma=s, mu=m)
    A, Q = numeric_system(a, l, m, s)
    S = solve_discrete_lyapunov(A, Q)
    assert v["steady_state"] == pytest.approx(S[0, 0], rel=1e-7)
    assert v["S_theta_v"] == pytest.approx(S[0, 1], rel=1e-7, abs=1e-12 * abs(S[0, 0]))
    assert v["S_v_v"] == pytest.approx(S[1, 1], rel=1e-7)
    rho = max(abs(np.linalg.eigvals(A)))
    assert v["contraction_factor"] == pytest.approx(rho**2, rel=1e-9, abs=1e-12)
    assert v["contraction_factor"] < 1


@given(st.floats(0.0, 0.95), st.floats(0.1, 3.0), st.sampled_from([-1, 1]))
def test_region_boundary_is_spectral_radius_one(m, l, side):
    """Just outside 0 < alpha*lam < 2(1+mu) the spectral radius exceeds 1; just inside it is below."""
    a = 2 * (1 + m) / l * (1 + side * 1e-3)
    A, _ = numeric_system(a, l, m, 1.0)
    rho = max(abs(np.linalg.eigvals(A)))
    assert (rho < 1) == (side < 0)
    if side > 0:
        with pytest.raises(HypothesisViolation, match=r"0 < alpha\*lam < 2\*\(1 \+ mu\)"):
            derive("momentum").validate(alpha=a, lam=l, sigma=1.0, mu=m)


def test_mu_outside_domain():
    with pytest.raises(HypothesisViolation, match="0 <= mu < 1"):
        derive("momentum").validate(alpha=0.1, lam=1.0, sigma=1.0, mu=1.0)
    with pytest.raises(HypothesisViolation, match="0 <= mu < 1"):
        derive("momentum").validate(alpha=0.1, lam=1.0, sigma=1.0, mu=-0.2)


def test_h_step_covariance_and_mu_zero_reduces_to_sgd():
    d = derive("momentum")
    vals = {alpha: 0.3, lam: 1.5, sigma: 0.7, mu: 0.6}
    A = np.array(d.matrices["A"].subs(vals), dtype=float)
    Q = np.array(d.matrices["Q"].subs(vals), dtype=float)
    S = np.array(d.matrices["S"].subs(vals), dtype=float)
    for h in (1, 3, 8):
        Ah = np.linalg.matrix_power(A, h)
        direct = sum(np.linalg.matrix_power(A, j) @ Q @ np.linalg.matrix_power(A, j).T for j in range(h))
        np.testing.assert_allclose(S - Ah @ S @ Ah.T, direct, rtol=1e-10, atol=1e-14)
        sym_h = np.array(h_step_covariance(d.matrices["A"], d.matrices["S"], h).subs(vals), dtype=float)
        np.testing.assert_allclose(sym_h, direct, rtol=1e-10, atol=1e-14)
    assert sympy.simplify(d.steady_state.subs(mu, 0) - derive("sgd").steady_state) == 0


def test_ema_equals_heavy_ball_with_rescaled_rate():
    """Second route: m = (1 - beta1) v turns the EMA into heavy ball with mu = beta1, rate (1 - beta1) P."""
    P = sympy.Symbol("P", positive=True)
    A_ema, Q_ema = ema_system(P, beta1)
    A_hb, Q_hb = heavy_ball_system((1 - beta1) * P, beta1)
    T = sympy.diag(1, 1 - beta1)  # (theta, m) = T (theta, v)
    assert sympy.simplify(T * A_hb * T.inv() - A_ema) == sympy.zeros(2, 2)
    assert sympy.simplify(T * Q_hb * T.T - Q_ema) == sympy.zeros(2, 2)


def test_beta1_changes_only_the_discreteness_correction():
    d = derive("adam-noise")
    lead = d.forms["beta1_small_rate_steady_state"]
    assert sympy.diff(lead, beta1) == 0
    assert sympy.simplify(lead - d.forms["continuous_steady_state"]) == 0
    assert sympy.diff(d.forms["beta1_slow_contraction_rate"], beta1) == 0
    # beta1 = 0 is plain noise-dominated SGD
    assert sympy.simplify(d.forms["beta1_steady_state"].subs(beta1, 0) - d.steady_state) == 0
    # numerically: the EMA Lyapunov solution from scipy
    a, l, s, b = 0.2, 1.3, 0.6, 0.9
    at = a / s
    A = np.array([[1 - at * (1 - b) * l, -at * b], [(1 - b) * l, b]])
    w = np.array([-at * (1 - b), 1 - b]) * s
    S = solve_discrete_lyapunov(A, np.outer(w, w))
    v = d.evaluate(alpha=a, lam=l, sigma=s, beta1=b)
    assert v["beta1_steady_state"] == pytest.approx(S[0, 0], rel=1e-9)
    assert v["beta1_stability_bound"] == pytest.approx(2 * (1 + b) / (1 - b))
