"""The one least-squares line fit (numerics/fit.py) against closed forms: exact lines, the textbook standard
errors of ordinary and weighted least squares, and its input checks."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spectral_universality.errors import InputError
from spectral_universality.numerics.fit import line_fit, power_law_fit

@given(slope=st.floats(0.1, 50) | st.floats(-50, -0.1), intercept=st.floats(-50, 50), n=st.integers(3, 30), seed=st.integers(0, 2**31))
def test_exact_line_is_recovered(slope, intercept, n, seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-5, 5, n)) + np.arange(n)  # distinct abscissae
    fit = line_fit(x, slope * x + intercept)
    scale = 1e-12 * (1 + abs(slope) + abs(intercept)) * (1 + np.abs(x).max())
    assert abs(fit.slope - slope) <= scale
    assert abs(fit.intercept - intercept) <= scale * (1 + np.abs(x).max())
    assert fit.slope_se <= scale and fit.intercept_se <= scale * (1 + np.abs(x).max())
    assert fit.n == n
    assert fit.r2 == pytest.approx(1.0, abs=1e-9)


def test_ordinary_standard_errors_are_the_textbook_ones():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 4, 25)
    y = 0.7 * x - 2 + rng.normal(0, 0.3, x.size)
    fit = line_fit(x, y)
    n, xbar = x.size, x.mean()
    sxx = ((x - xbar) ** 2).sum()
    b1 = ((x - xbar) * (y - y.mean())).sum() / sxx
    b0 = y.mean() - b1 * xbar
    s = math.sqrt(((y - b0 - b1 * x) ** 2).sum() / (n - 2))
    assert fit.slope == pytest.approx(b1, rel=1e-12)
    assert fit.intercept == pytest.approx(b0, rel=1e-12)
    assert fit.slope_se == pytest.approx(s / math.sqrt(sxx), rel=1e-12)
    assert fit.intercept_se == pytest.approx(s * math.sqrt(1 / n + xbar**2 / sxx), rel=1e-12)
    r2 = np.corrcoef(x, y)[0, 1] ** 2  # one regressor: R^2 is the squared correlation
    assert fit.r2 == pytest.approx(r2, rel=1e-12)


def test_known_variances_and_inverse_variance_weights():
    rng = np.random.default_rng(4)
    x = np.linspace(0, 3, 12)
    var = rng.uniform(0.1, 2.0, x.size)
    y = 1.5 * x + rng.normal(0, np.sqrt(var))
    xc = x - x.mean()
    # OLS with heteroscedastic known variances: Var(b1) = sum (x - xbar)^2 var / S_xx^2
    ols = line_fit(x, y, var_y=var)
    assert ols.slope_se == pytest.approx(math.sqrt((xc**2 * var).sum()) / (xc**2).sum(), rel=1e-12)
    # inverse-variance WLS: Var(b1) = 1 / sum w (x - xbar_w)^2, Var(b0) = 1/sum w + xbar_w^2 Var(b1)
    w = 1 / var
    xw = (w * x).sum() / w.sum()
    wls = line_fit(x, y, weights=w, var_y=var)
    var_b1 = 1 / (w * (x - xw) ** 2).sum()
    assert wls.slope == pytest.approx((w * (x - xw) * y).sum() * var_b1, rel=1e-12)
    assert wls.slope_se == pytest.approx(math.sqrt(var_b1), rel=1e-12)
    assert wls.intercept_se == pytest.approx(math.sqrt(1 / w.sum() + xw**2 * var_b1), rel=1e-12)
    # weights alone: the residual variance rescales 1/w; for these weights its expectation is var itself
    resid = y - wls.slope * x - wls.intercept
    s2 = (w * resid**2).sum() / (x.size - 2)
    assert line_fit(x, y, weights=w).slope_se == pytest.approx(math.sqrt(s2 * var_b1), rel=1e-12)


def test_power_law_fit_recovers_the_exponent():
    k = np.arange(1.0, 40.0)
    fit = power_law_fit(k, 3.0 * k**-1.25)
    assert fit.slope == pytest.approx(-1.25, abs=1e-12)
    assert math.exp(fit.intercept) == pytest.approx(3.0, rel=1e-12)
    with pytest.raises(InputError, match="positive"):
        power_law_fit(k, -k)


def test_input_checks():
    assert math.isnan(line_fit([0.0, 1.0], [1.0, 3.0]).slope_se)  # two points: no residual freedom
    assert line_fit([0.0, 1.0], [1.0, 3.0], var_y=[1.0, 1.0]).slope_se == pytest.approx(math.sqrt(2))
    with pytest.raises(InputError):
        line_fit([0.0, 1.0], [1.0, 3.0], min_points=3)
    with pytest.raises(InputError):
        line_fit([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])
    with pytest.raises(InputError, match="non-finite"):
        line_fit([0.0, 1.0, 2.0], [1.0, np.nan, 3.0])
    with pytest.raises(InputError):
        line_fit([0.0, 1.0, 2.0], [1.0, 2.0])
    with pytest.raises(InputError, match="weights"):
        line_fit([0.0, 1.0, 2.0], [1.0, 2.0, 3.0], weights=[1.0, 0.0, 1.0])
