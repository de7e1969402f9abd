"""SGD closed forms against independent routes: iterating the exact recursion, series, Monte Carlo, ODE."""

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from spectral_universality.errors import HypothesisViolation, InputError
from spectral_universality.theory import SYMBOLS, derive

alpha, lam, sigma, e, h = (SYMBOLS[n] for n in ("alpha", "lam", "sigma", "e", "h"))
rates = st.floats(0.01, 1.95)  # alpha*lam inside (0, 2)


def pinned(expr, canonical, max_ops):
    """Regression pin: same function and no more complex than the canonical form."""
    return expr.equals(canonical) and sympy.count_ops(expr) <= max_ops


def iterate_energy(a: float, l: float, s: float, e0: float, steps: int) -> np.ndarray:
    """E[theta^2] by iterating the update's second moment numerically (independent of SymPy)."""
    out = [e0]
    for _ in range(steps):
        out.append((1 - a * l) ** 2 * out[-1] + (a * s) ** 2)
    return np.array(out)


def test_canonical_forms_pinned():
    d = derive("sgd")
    assert pinned(d.steady_state, alpha * sigma**2 / (lam * (2 - alpha * lam)), 12)
    assert pinned(d.contraction_factor, (1 - alpha * lam) ** 2, 6)
    assert pinned(d.forms["ratio_discrete_continuous"], 2 / (2 - alpha * lam), 6)
    assert pinned(d.forms["steady_state_gap"], alpha**2 * sigma**2 / (2 * (2 - alpha * lam)), 12)
    assert d.stability_text == "0 < alpha*lam < 2"
    assert pinned(derive("sgd-continuous").steady_state, alpha * sigma**2 / (2 * lam), 6)


@given(rates, st.floats(0.1, 5.0), st.floats(0.05, 3.0))
def test_fixed_point_is_limit_of_exact_recursion(prod, l, s):
    a = prod / l
    d = derive("sgd")
    values = d.evaluate(alpha=a, lam=l, sigma=s)
    q = (1 - prod) ** 2
    steps = int(np.ceil(np.log(1e-14) / np.log(q))) + 5 if q > 0 else 2
    traj = iterate_energy(a, l, s, 0.0, min(steps, 200_000))
    assert traj[-1] == pytest.approx(values["steady_state"], rel=1e-9)
    # the distance to e* shrinks by exactly the contraction factor
    e_star = values["steady_state"]
    assert traj[1] - e_star == pytest.approx(values["contraction_factor"] * (traj[0] - e_star), abs=1e-13 * e_star)


def test_divergence_outside_region():
    d = derive("sgd")
    for prod in (2.0, 2.3):
        with pytest.raises(HypothesisViolation, match=r"0 < alpha\*lam < 2"):
            d.validate(alpha=prod, lam=1.0, sigma=1.0)
        assert iterate_energy(prod, 1.0, 1.0, 1.0, 200)[-1] > 100  # the recursion really leaves every bound


def test_continuous_is_small_rate_limit_and_ratio_gap():
    d = derive("sgd")
    lead = sympy.series(d.steady_state, alpha, 0, 3).removeO()
    assert sympy.simplify(lead - d.forms["continuous_steady_state"] - alpha**2 * sigma**2 / 4) == 0
    assert sympy.simplify(d.forms["continuous_steady_state"] - derive("sgd-continuous").steady_state) == 0
    ratio, cont = d.forms["ratio_discrete_continuous"], d.forms["continuous_steady_state"]
    assert sympy.simplify(ratio * cont - d.steady_state) == 0


def test_h_step_transition_against_sum_and_stationarity():
    d = derive("sgd")
    a, l, s = 0.3, 1.7, 0.8
    var_h = d.lambdify("h_step_variance")
    for steps in (1, 2, 5, 17):
        direct = sum(((1 - a * l) ** (2 * j)) * (a * s) ** 2 for j in range(steps))
        assert var_h(alpha=a, lam=l, sigma=s, h=steps) == pytest.approx(direct, rel=1e-12)
        # stationarity: a^{2h} e* + Sigma_h = e*
        e_star = d.evaluate(alpha=a, lam=l, sigma=s)["steady_state"]
        assert (1 - a * l) ** (2 * steps) * e_star + direct == pytest.approx(e_star, rel=1e-12)


def test_monte_carlo_stationary_moments():
    """20000 chains from the stationary law; z = 5.3 (two-sided false alarm ~1e-7) on the SE of the means."""
    rng = np.random.default_rng(1234)
    a, l, s, n, steps = 0.4, 2.0, 0.5, 20_000, 60
    v = derive("sgd").evaluate(alpha=a, lam=l, sigma=s)
    theta = rng.normal(0, np.sqrt(v["steady_state"]), n)
    for _ in range(steps):
        prev = theta
        theta = (1 - a * l) * theta - a * s * rng.normal(0, 1, n)
    sq = theta**2
    assert abs(sq.mean() - v["steady_state"]) < 5.3 * sq.std(ddof=1) / np.sqrt(n)
    lag = theta * prev / v["steady_state"]
    assert abs(lag.mean() - v["lag1_autocorrelation"]) < 5.3 * lag.std(ddof=1) / np.sqrt(n)


def test_continuous_drift_ode_converges():
    d = derive("sgd-continuous")
    a, l, s = 0.2, 1.3, 0.7
    drift = d.lambdify("drift")
    sol = solve_ivp(lambda t, y: [drift(alpha=a, lam=l, sigma=s, e=y[0])], (0, 80), [3.0], rtol=1e-11, atol=1e-14)
    v = d.evaluate(alpha=a, lam=l, sigma=s)
    assert sol.y[0, -1] == pytest.approx(v["steady_state"], rel=1e-8)
    assert v["contraction_factor"] == pytest.approx(np.exp(-2 * a * l))


def test_validation_messages():
    d = derive("sgd")
    with pytest.raises(HypothesisViolation, match="alpha > 0"):
        d.validate(alpha=-0.1, lam=1.0, sigma=1.0)
    with pytest.raises(HypothesisViolation, match="sigma >= 0"):
        d.validate(alpha=0.1, lam=1.0, sigma=-1.0)
    with pytest.raises(InputError, match="unknown"):
        d.validate(alpha=0.1, mu=0.5)
    with pytest.raises(InputError, match="missing"):
        d.evaluate(alpha=0.1)
    with pytest.raises(InputError, match="finite"):
        d.validate(alpha=float("nan"))


def test_torch_and_numpy_backends_agree():
    torch = pytest.importorskip("torch")
    d = derive("sgd")
    lams = np.linspace(0.1, 3.0, 7)
    ref = d.lambdify("steady_state")(alpha=0.3, lam=lams, sigma=0.5)
    out = d.lambdify("steady_state", backend="torch")(alpha=0.3, lam=torch.tensor(lams), sigma=0.5)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-14)
