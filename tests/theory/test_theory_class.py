"""Class triple, log-log slopes, and the drift-deviation bounds of the PerturbationBound statement."""

from functools import lru_cache

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from spectral_universality.theory import SYMBOLS
from spectral_universality.theory.classes import (
    class_rate,
    class_triple,
    discrete_slope_first_order,
    drift_deviation,
    drift_deviation_bounds,
    ls_slope,
    profile_slope,
    profile_slope_exact,
    seed_candidate_bound,
    weighted_deviation_bound,
)

alpha, lam, sigma, e, s, C, mu = (SYMBOLS[n] for n in ("alpha", "lam", "sigma", "e", "s", "C", "mu"))


@given(st.lists(st.tuples(st.floats(-5, 5), st.floats(-5, 5)), min_size=3, max_size=8, unique_by=lambda t: t[0]))
def test_ls_slope_matches_numpy_polyfit(points):
    xs, ys = map(np.array, zip(*points))
    if np.ptp(xs) < 1e-3:
        return
    got = float(ls_slope([sympy.Float(x) for x in xs], [sympy.Float(y) for y in ys]))
    assert got == pytest.approx(np.polyfit(xs, ys, 1)[0], rel=1e-8, abs=1e-8)


@pytest.mark.parametrize("optimizer", ["sgd-continuous", "momentum", "adam-noise", "adam", "sgd"])
@pytest.mark.parametrize("K", [2, 5])
def test_class_profile_slope_is_exactly_s(optimizer, K):
    assert profile_slope(optimizer, K) == s


def test_class_rates_and_triple():
    assert class_rate("sgd") == alpha
    assert class_rate("adam-noise").equals(alpha / sigma)
    assert class_rate("momentum").equals(alpha / (1 - mu))
    tri = class_triple("adam-noise")
    k = SYMBOLS["k"]
    assert tri["noise_ratio"].equals(sigma**2 / C**2)
    assert tri["contraction_rate"].equals(2 * alpha / sigma * C * k ** (-s))


def test_discrete_sgd_slope_is_not_s_and_first_order_correction():
    K = 6
    exact = profile_slope_exact("sgd", K, "steady_state")
    first = discrete_slope_first_order(K)
    vals = {s: 1.5, C: 1.0, sigma: 0.7}
    errs = []
    for a in (0.2, 0.02):
        v = {**vals, alpha: a}
        dev, lin = float(exact.subs(v)) - 1.5, float(first.subs(v))
        assert dev < 0 and lin < 0  # the discrete slope lies below s
        errs.append(abs(dev - lin))
    assert errs[1] < errs[0] / 50  # remainder is O(alpha^2): 10x smaller alpha -> ~100x smaller
    # independent route: (alpha C / 2) * numpy LS slope of k^-s on log k
    k = np.arange(1, K + 1)
    ref = 0.02 * 1.0 / 2 * np.polyfit(np.log(k), k**-1.5, 1)[0]
    assert float(first.subs({**vals, alpha: 0.02})) == pytest.approx(ref, rel=1e-10)


def test_deviation_bounds_symbolic():
    lower, upper = drift_deviation_bounds()
    assert lower.equals(-(alpha**2) * lam**2 * e / sigma**2)
    assert upper.equals(alpha * lam**3 * e**2 / sigma**3)
    # upper - delta >= 0 reduces, in x = lam^2 e / sigma^2, to f(x) = x - 2 + 2/sqrt(1+x) >= 0 for the alpha-term
    x = sympy.Symbol("x", nonnegative=True)
    f = x - 2 + 2 / sympy.sqrt(1 + x)
    assert f.subs(x, 0) == 0
    assert sympy.solve(sympy.diff(f, x), x) == [0]  # f' = 1 - (1+x)^(-3/2) has its only zero at 0, f'(1) > 0
    assert sympy.diff(f, x).subs(x, 1) > 0
    delta = drift_deviation()
    a_term = sympy.expand(delta).coeff(alpha, 1)
    e_of_x = sigma**2 * x / lam**2
    reduced = sympy.simplify((upper.coeff(alpha, 1) - a_term).subs(e, e_of_x) * sigma / (lam * e_of_x))
    assert sympy.simplify(reduced - f) == 0


@lru_cache(maxsize=None)
def numeric(name: str):
    """numpy functions of (alpha, lam, sigma, e) / (alpha, sigma, E, Lam, w), lambdified once."""
    lower, upper = drift_deviation_bounds()
    args = [alpha, lam, sigma, e]
    if name == "weighted":
        return sympy.lambdify([alpha, sigma, SYMBOLS["E"], SYMBOLS["Lam"], SYMBOLS["w"]], weighted_deviation_bound())
    return sympy.lambdify(args, {"delta": drift_deviation(), "lower": lower, "upper": upper}[name])


@given(st.floats(1e-3, 2), st.floats(0, 10), st.floats(1e-2, 5), st.floats(0, 100))
def test_deviation_bounds_numeric(a, l, sg, en):
    d, lo, up = (float(numeric(n)(a, l, sg, en)) for n in ("delta", "lower", "upper"))
    tol = 1e-12 * (abs(lo) + abs(up) + 1)
    assert lo - tol <= d <= up + tol


@given(st.floats(1.05, 3), st.floats(0.01, 1), st.floats(0.1, 2), st.integers(2, 40))
def test_weighted_bound_on_power_law_steady_profile(s_, a, sg, K):
    k = np.arange(1, K + 1)
    lam_k = k ** (-s_)
    e_k = a / sg * sg**2 / (2 * lam_k)  # noise-dominated class profile (any e_k <= E would do)
    E, Lam, w = e_k.max(), lam_k.max(), lam_k**2
    dev = numeric("delta")(a, lam_k, sg, e_k)
    assert np.all(np.abs(dev) <= numeric("weighted")(a, sg, E, Lam, w) * (1 + 1e-12))


def test_seed_candidate_bound_expression():
    b = seed_candidate_bound()
    assert b.free_symbols == {C, SYMBOLS["k"], s, SYMBOLS["E"]}
    assert sympy.simplify(b.subs({C: 1, SYMBOLS["E"]: 1, SYMBOLS["k"]: 4, s: 1})) == sympy.Rational(1, 4)
