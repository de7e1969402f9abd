"""Adam: the self-consistent root against numpy's polynomial roots and the drift; limits by finite differences."""

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from spectral_universality.theory import SYMBOLS, derive
from spectral_universality.theory.adam import noise_limit_series, positive_roots_by_descartes, v_hat_weight
from spectral_universality.theory.linear import largest_real_root_cubic

alpha, lam, sigma = (SYMBOLS[n] for n in ("alpha", "lam", "sigma"))
params = st.tuples(st.floats(1e-3, 3.0), st.floats(1e-2, 10.0), st.floats(1e-2, 3.0))


@given(st.floats(-3, 3), st.floats(-3, 3), st.floats(-3, 3))
def test_viete_largest_root_matches_numpy(a, b, c):
    p = b - a**2 / 3
    q = 2 * a**3 / 27 - a * b / 3 + c
    if p > -1e-3 or 3 * q / (2 * p) * np.sqrt(-3 / p) < -1 + 1e-9:  # outside the hypotheses (with rounding margin)
        return
    sa, sb, sc = (sympy.Float(v, 30) for v in (a, b, c))
    root, _ = largest_real_root_cubic(sa, sb, sc)
    real = [r.real for r in np.roots([1, a, b, c]) if abs(r.imag) < 1e-7]
    assert float(root) == pytest.approx(max(real), rel=1e-6, abs=1e-6)


def test_exactly_one_positive_root():
    assert positive_roots_by_descartes() == 1


@given(params)
def test_steady_state_zeroes_drift_and_is_the_cubic_positive_root(p):
    a, l, s = p
    d = derive("adam")
    v = d.evaluate(alpha=a, lam=l, sigma=s)
    e_star = v["steady_state"]
    roots = np.roots([4 * l**4, 4 * l**2 * s**2, 0, -(a**2) * s**4])
    pos = [r.real for r in roots if abs(r.imag) < 1e-9 * abs(r) and r.real > 0]
    assert len(pos) == 1 and e_star == pytest.approx(pos[0], rel=1e-8)
    drift = d.lambdify("drift")(alpha=a, lam=l, sigma=s, e=e_star)
    scale = (a / s) ** 2 * s**2  # size of each drift term
    assert abs(drift) < 1e-9 * scale


def test_both_viete_branches_are_exercised():
    d = derive("adam")
    for a in (0.05, 5.0):  # t < 1 and t > 1
        v = d.evaluate(alpha=a, lam=1.0, sigma=1.0)
        assert (v["viete_t"] < 1) == (a < 1)
        x = v["signal_to_noise"]
        assert x**2 * (1 + x) == pytest.approx(v["cubic_constant"], rel=1e-10)


@pytest.mark.parametrize("c_scale", [1e-30, 1e-16, 1e-8, 1e-3])
def test_root_is_well_conditioned_deep_in_the_noise_dominated_regime(c_scale):
    """At tiny alpha lam / sigma the root must keep full relative precision (series x = eps - eps^2/2 + 5 eps^3/8)."""
    eps = np.sqrt(c_scale)
    v = derive("adam").evaluate(alpha=2 * eps, lam=1.0, sigma=1.0)  # eps = alpha lam / (2 sigma)
    series = eps - eps**2 / 2 + 5 * eps**3 / 8
    assert v["signal_to_noise"] == pytest.approx(series, rel=max(1e-13, 10 * eps**3))


def test_noise_limit_and_first_correction():
    d = derive("adam")
    eps = sympy.Symbol("eps", positive=True)
    assert noise_limit_series(3) == 1 - eps / 2 + 5 * eps**2 / 8
    for a in (1e-2, 1e-3):
        v = d.evaluate(alpha=a, lam=1.0, sigma=1.0)
        ratio = v["steady_state"] / v["noise_limit_steady_state"]
        assert ratio == pytest.approx(v["noise_limit_first_order_ratio"], abs=2 * (a / 2) ** 2)
    noise_cont = derive("adam-noise").forms["continuous_steady_state"]
    assert sympy.simplify(d.forms["noise_limit_steady_state"] - noise_cont) == 0


def test_contraction_rate_and_local_exponent_by_finite_differences():
    d = derive("adam")
    e_sym = SYMBOLS["e"]
    a, l, s = 0.7, 1.3, 0.4
    v = d.evaluate(alpha=a, lam=l, sigma=s)
    drift = d.lambdify("drift")
    h = 1e-6 * v["steady_state"]
    e0 = v["steady_state"]
    slope = (drift(alpha=a, lam=l, sigma=s, e=e0 + h) - drift(alpha=a, lam=l, sigma=s, e=e0 - h)) / (2 * h)
    assert -slope == pytest.approx(v["contraction_rate"], rel=1e-6)
    ss = d.lambdify("steady_state")
    dl = 1e-5
    up, down = ss(alpha=a, lam=l * np.exp(dl), sigma=s), ss(alpha=a, lam=l * np.exp(-dl), sigma=s)
    dlog = (np.log(up) - np.log(down)) / (2 * dl)
    exp_form = d.lambdify("local_exponent")(alpha=a, lam=l, sigma=s, s=1.0)
    assert -dlog == pytest.approx(exp_form, rel=1e-6)  # slope on log k = -s d log e / d log lam
    assert 1.0 < exp_form < 4 / 3
    assert e_sym not in d.steady_state.free_symbols


def test_v_hat_bias_corrected_weight_is_one():
    assert v_hat_weight() == 1


def test_adam_noise_is_sgd_at_class_rate():
    a, l, s = 0.1, 2.0, 0.5
    noise = derive("adam-noise").evaluate(alpha=a, lam=l, sigma=s)
    sgd = derive("sgd").evaluate(alpha=a / s, lam=l, sigma=s)
    for key in ("steady_state", "contraction_factor", "continuous_steady_state"):
        assert noise[key] == pytest.approx(sgd[key], rel=1e-12)


def test_torch_backend_on_branch_free_root():
    torch = pytest.importorskip("torch")
    d = derive("adam")
    lams = np.logspace(-2, 2, 9)
    ref = d.lambdify("steady_state")(alpha=0.3, lam=lams, sigma=0.5)
    out = d.lambdify("steady_state", backend="torch")(alpha=0.3, lam=torch.tensor(lams), sigma=0.5)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-10)


def test_canonical_forms_pinned():
    """Regression pins of SymPy's simplified forms (same function, no more operations than the canonical one)."""
    d = derive("adam")
    x = sympy.Symbol("x", positive=True)
    e = SYMBOLS["e"]
    pins = {
        "contraction_rate_x": 2 * x * (3 * x + 2) / (x + 1),
        "local_exponent_ratio_x": 2 * (2 * x + 1) / (3 * x + 2),
        "cubic": 4 * lam**4 * e**3 + 4 * lam**2 * sigma**2 * e**2 - alpha**2 * sigma**4,
        "cubic_constant": (alpha * lam / (2 * sigma)) ** 2,
        "noise_limit_steady_state": alpha * sigma / (2 * lam),
    }
    for name, canonical in pins.items():
        got = d.forms[name]
        assert got.equals(canonical) and sympy.count_ops(got) <= sympy.count_ops(canonical) + 2, name
    b1 = SYMBOLS["beta1"]
    at = alpha / sigma
    ema = derive("adam-noise").forms["beta1_steady_state"]
    canonical = at * sigma**2 * (1 + b1) / (lam * (2 * (1 + b1) - (1 - b1) * at * lam))
    assert ema.equals(canonical) and sympy.count_ops(ema) <= sympy.count_ops(canonical) + 4
