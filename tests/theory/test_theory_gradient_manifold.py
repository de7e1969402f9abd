"""Closed forms of the planted gradient-manifold model (theory/gradient_manifold.py): internal consistency
(Yule-Walker coefficients are the minimisers of the fixed-predictor error, special cases agree), limits and
hypothesis checks. Exact algebra: no tolerances beyond float rounding."""

import math

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from spectral_universality.errors import HypothesisViolation, InputError
from spectral_universality.theory import gradient_manifold as th

PHI, SIGMA, C1, C2 = th.PHI, th.SIGMA, th.C1, th.C2


def test_yule_walker_minimises_fixed_predictor_error():
    f = th.forms()
    for coeffs, mse_name, names in (((C1,), "mse_fixed1", ("yw_c1",)), ((C1, C2), "mse_fixed2", ("yw2_c1", "yw2_c2"))):
        at = {c: f[n] for c, n in zip(coeffs, names)}
        for c in coeffs:
            assert sympy.cancel(sympy.diff(f[mse_name], c).subs(at)) == 0
        assert sympy.cancel(f[mse_name].subs(at) - f[f"mse_yw{len(coeffs)}"]) == 0


def test_special_cases():
    f = th.forms()
    s2 = th.stationary_variance()
    assert sympy.cancel(f["mse_last"] - (2 * th.RANK * s2 * (1 - PHI) + 2 * th.P * SIGMA**2)) == 0
    assert sympy.cancel(f["mse_oracle"] - (th.RANK * th.Q**2 + th.P * SIGMA**2 * (1 + PHI**2))) == 0
    # no memory (phi = 0): the last-gradient predictor doubles the energy, least squares predicts zero
    assert sympy.cancel(f["ratio_last"].subs(PHI, 0)) == 2
    assert sympy.cancel(f["ratio_yw1"].subs(PHI, 0)) == 1
    # noiseless: exactly rank-dimensional increments, oracle error = innovation energy
    assert sympy.cancel(f["participation"].subs(SIGMA, 0)) == th.RANK
    assert sympy.cancel(f["signal_fraction"].subs(SIGMA, 0)) == 1
    assert f["chi_norm_ratio"] == sympy.sqrt(2)


@given(phi=st.floats(-0.95, 0.95), q=st.floats(0.1, 3), sigma=st.floats(0, 0.5), rank=st.integers(1, 8),
       extra=st.integers(0, 200))
def test_order_of_predictors(phi, q, sigma, rank, extra):
    """YW2 <= YW1 <= oracle (each is the least-squares optimum over a larger class)."""
    p = dict(phi=phi, q=q, sigma=sigma, rank=rank, P=rank + extra)
    yw2, yw1, orc = (th.evaluate(n, **p) for n in ("mse_yw2", "mse_yw1", "mse_oracle"))
    assert yw2 <= yw1 * (1 + 1e-12) and yw1 <= orc * (1 + 1e-12)
    assert 0 < th.evaluate("signal_fraction", **p) <= 1 + 1e-12
    assert 1 - 1e-9 <= th.evaluate("participation", **p) <= p["P"] + 1e-9


def test_gordon_eps_value():
    eps = th.evaluate("gordon_eps", rank=4, m=512, delta=1e-8)
    assert math.isclose(eps, (2 + math.sqrt(2 * math.log(2e8))) / math.sqrt(512), rel_tol=1e-12)


@pytest.mark.parametrize("params, cond", [
    (dict(phi=1.0, q=1, sigma=0, rank=1, P=3), "|phi| < 1"),
    (dict(phi=0.5, q=0, sigma=0, rank=1, P=3), "q > 0"),
    (dict(phi=0.5, q=1, sigma=-1, rank=1, P=3), "sigma >= 0"),
    (dict(phi=0.5, q=1, sigma=0, rank=4, P=3), "rank <= P"),
    (dict(phi=0.5, q=1, sigma=0, rank=1.5, P=3), "rank is an integer >= 1"),
])
def test_hypothesis_violations(params, cond):
    with pytest.raises(HypothesisViolation, match=r"\|phi\| < 1" if cond == "|phi| < 1" else cond):
        th.evaluate("energy", **params)


def test_input_errors():
    with pytest.raises(InputError, match="no closed form"):
        th.evaluate("nope", phi=0.5)
    with pytest.raises(InputError, match="unknown parameter"):
        th.evaluate("energy", alpha=0.5)
    with pytest.raises(InputError, match="needs parameter"):
        th.evaluate("energy", phi=0.5)
    with pytest.raises(InputError, match="finite"):
        th.evaluate("energy", phi=float("nan"), q=1, sigma=0, rank=1, P=1)
