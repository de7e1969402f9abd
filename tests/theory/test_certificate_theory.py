"""Closed forms of fixed-step GD on a quadratic (theory/certificate.py): gap identity, optimal step and rate,
the region where the seed's rate ``1 - alpha lam_min`` is right, and the iteration counts."""

import math

import pytest
import sympy

from spectral_universality.errors import HypothesisViolation, InputError
from spectral_universality.theory import certificate as tc
from spectral_universality.theory.certificate import ALPHA, EPS, KAPPA, LAM, LAM_MAX, LAM_MIN


def test_energy_factor_is_square_of_mode_factor():
    assert sympy.simplify(tc.energy_factor() - tc.mode_factor() ** 2) == 0


def test_gap_is_the_lean_identity():
    f = tc.derive_gd()
    lean = ALPHA * (LAM_MAX - LAM_MIN) * (2 - ALPHA * (LAM_MIN + LAM_MAX))
    assert sympy.expand(f.gap - lean) == 0
    assert sympy.expand(f.gap - (tc.energy_factor(LAM_MIN) - tc.energy_factor(LAM_MAX))) == 0


def test_convex_in_lam_so_endpoints_are_slowest():
    assert tc.derive_gd().curvature_in_lam == 2 * ALPHA**2


def test_optimal_step_and_rate():
    f = tc.derive_gd()
    assert sympy.simplify(f.optimal_step - 2 / (LAM_MIN + LAM_MAX)) == 0
    assert sympy.simplify(f.optimal_rate_kappa - (KAPPA - 1) / (KAPPA + 1)) == 0
    assert sympy.simplify(f.optimal_energy_factor - f.optimal_rate**2) == 0
    # the branches decrease (below alpha*) and increase (above): alpha* minimises the worst rate
    assert sympy.diff(f.worst_rate_below, ALPHA) == -LAM_MIN
    assert sympy.diff(f.worst_rate_above, ALPHA) == LAM_MAX


@pytest.mark.parametrize("a,b", [(1.0, 10.0), (0.3, 0.7), (2.0, 2000.0)])
def test_worst_rate_grid_never_below_optimum(a, b):
    best = tc.optimal_rate(b / a)
    star = tc.optimal_step(a, b)
    assert tc.worst_rate(star, a, b) == pytest.approx(best, rel=1e-14)
    for j in range(1, 200):
        eta = j / 100 / b  # (0, 2/b)
        assert tc.worst_rate(eta, a, b) >= best * (1 - 1e-14)


def test_seed_rate_region_is_up_to_optimal_step():
    region = tc.seed_rate_region()
    assert region == sympy.Interval.Lopen(0, 2 / (LAM_MIN + LAM_MAX))


def test_seed_rate_wrong_above_optimal_step():
    a, b = 1.0, 10.0
    eta = 0.95 * 2 / b  # < 2/lam_max, > 2/(a + b)
    assert eta < 2 / b and eta > tc.optimal_step(a, b)
    assert tc.worst_rate(eta, a, b) > tc.seed_rate(eta, a)
    eta = 0.9 * tc.optimal_step(a, b)
    assert tc.worst_rate(eta, a, b) == pytest.approx(tc.seed_rate(eta, a), rel=1e-14)


def test_iteration_counts():
    f = tc.derive_gd()
    assert sympy.simplify(f.iterations_per_kappa - sympy.log(1 / EPS) / 2) == 0
    assert sympy.limit(f.iterations_top_step / KAPPA, KAPPA, sympy.oo) == sympy.log(1 / EPS)
    for kappa in (1.5, 4.0, 64.0, 4096.0):
        lo, asym = tc.iterations_bounds(kappa, 1e-6)
        t = tc.optimal_iterations(kappa, 1e-6)
        assert lo <= t <= asym + 1
        r = tc.optimal_rate(kappa)
        assert r**t <= 1e-6 < r ** (t - 1)


def test_iterations_to_eps_exact_and_inputs():
    assert tc.iterations_to_eps(0.5, 0.25) == 2
    assert tc.iterations_to_eps(0.5, 0.2499) == 3
    assert tc.iterations_to_eps(0.0, 0.1) == 1
    with pytest.raises(HypothesisViolation, match="rate < 1"):
        tc.iterations_to_eps(1.0, 0.1)
    with pytest.raises(InputError):
        tc.iterations_to_eps(0.5, 1.5)


def test_hypotheses_checked():
    with pytest.raises(HypothesisViolation, match="lam_min <= lam_max"):
        tc.optimal_step(2.0, 1.0)
    with pytest.raises(HypothesisViolation, match="alpha > 0"):
        tc.worst_rate(-0.1, 1.0, 2.0)
    with pytest.raises(HypothesisViolation, match="kappa >= 1"):
        tc.optimal_rate(0.5)
    with pytest.raises(InputError):
        tc.optimal_rate(math.nan)


def test_lam_symbol_is_the_sgd_one():
    assert LAM in tc.mode_factor().free_symbols
