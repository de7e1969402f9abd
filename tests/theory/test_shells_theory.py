"""Closed forms of the spectral-shell balance (theory/shells.py): identities are exact, planted solutions
solve their ODE / map, hypotheses are enforced."""

import numpy as np
import pytest
import sympy

from spectral_universality.errors import HypothesisViolation, InputError
from spectral_universality.theory import SYMBOLS
from spectral_universality.theory.sgd import energy_step
from spectral_universality.theory.shells import (A_ROT, C1, C2, MU1, MU2, lazy_mode_energy, lazy_shell_energies,
                                                 planted_flow, planted_flow_gaps, planted_flow_numbers, planted_gd,
                                                 planted_gd_gaps, planted_gd_numbers,
                                                 within_shell_identities)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_within_shell_terms_cancel_symbolically(n):
    ids = within_shell_identities(n)
    assert ids["quad_form"] == 0
    assert ids["rate_minus_dissipation"] == 0


def test_within_shell_identities_reject_empty_shell():
    with pytest.raises(InputError):
        within_shell_identities(0)


def test_lazy_gd_energy_is_the_noiseless_sgd_recursion():
    alpha, lam, e, t, sigma = (SYMBOLS[k] for k in ("alpha", "lam", "e", "t", "sigma"))
    form = lazy_mode_energy("gd")
    assert sympy.simplify(form.subs(t, 1) - energy_step(alpha).subs(sigma, 0)) == 0
    assert sympy.simplify(form.subs(t, 3) - (1 - alpha * lam) ** 6 * e) == 0
    assert lazy_mode_energy("flow") == e * sympy.exp(-2 * alpha * lam * t)
    with pytest.raises(InputError):
        lazy_mode_energy("adam")


def test_lazy_shell_energies_sum_modes_per_shell():
    mu, c0, labels = np.array([2.0, 1.0, 0.5]), np.array([1.0, -2.0, 3.0]), np.array([0, 1, 1])
    out = lazy_shell_energies(mu, c0, labels, 3, 0.3, 4)
    t = np.arange(5)
    np.testing.assert_allclose(out[:, 0], (1 - 0.6) ** (2 * t), rtol=1e-14)
    np.testing.assert_allclose(out[:, 1], 4 * 0.7 ** (2 * t) + 9 * 0.85 ** (2 * t), rtol=1e-14)
    np.testing.assert_array_equal(out[:, 2], 0.0)
    with pytest.raises(HypothesisViolation, match="alpha\\*lam"):
        lazy_shell_energies(mu, c0, labels, 3, 1.5, 4)
    with pytest.raises(InputError):
        lazy_shell_energies(mu, c0[:2], labels, 3, 0.3, 4)


def test_planted_gd_balance_and_cayley_are_identities():
    forms, gaps = planted_gd(), planted_gd_gaps()
    assert gaps["balance_gap"] == 0
    assert gaps["cayley_gap"] == sympy.zeros(2, 2)
    alpha = SYMBOLS["alpha"]
    assert sympy.simplify(forms["cayley01"] + 2 * sympy.tan(alpha * A_ROT / 2)) == 0


def test_planted_gd_numbers_conserve_norm_under_pure_rotation():
    # with mu -> 0 the map is a rotation: no dissipation, shell-0 change is all flux
    out = planted_gd_numbers(1e-300 * 2, 1e-300, 0.7, (1.0, 0.5), 0.1, 20)
    e = (out["c"] ** 2).sum(1)
    np.testing.assert_allclose(e, e[0], rtol=1e-13)
    np.testing.assert_allclose(np.diff(out["c"][:, 0] ** 2), out["flux01"], atol=1e-14)


def test_planted_flow_solves_its_ode():
    forms, gaps = planted_flow(), planted_flow_gaps()
    assert gaps["ode_gap"] == sympy.zeros(2, 1)
    assert gaps["balance_gap"] == 0
    t = SYMBOLS["t"]
    assert sympy.simplify(forms["c1"].subs(t, 0) - C1) == 0
    assert sympy.simplify(forms["c2"].subs(t, 0) - C2) == 0
    # numeric spot check of the closed form against a matrix exponential
    from scipy.linalg import expm

    vals = {MU1: 3.0, MU2: 1.0, A_ROT: 0.6, C1: 0.8, C2: -1.3, t: 0.7}
    ref = expm(-0.7 * np.array([[3.0, 0.6], [-0.6, 1.0]])) @ np.array([0.8, -1.3])
    got = [float(forms[k].subs(vals)) for k in ("c1", "c2")]
    np.testing.assert_allclose(got, ref, rtol=1e-13)


def test_planted_flow_numbers_balance_and_hypotheses():
    times = np.array([0.0, 0.5, 1.5])
    out = planted_flow_numbers(3.0, 1.0, 0.6, (0.8, -1.3), times)
    de0 = out["c"][:, 0] ** 2 - 0.8**2
    np.testing.assert_allclose(de0, out["dissipation"][:, 0] + out["flux01"], atol=1e-12)
    de1 = out["c"][:, 1] ** 2 - 1.3**2
    np.testing.assert_allclose(de1, out["dissipation"][:, 1] - out["flux01"], atol=1e-12)
    with pytest.raises(HypothesisViolation, match="\\|a\\|"):
        planted_flow_numbers(3.0, 1.0, 1.2, (1.0, 1.0), times)
    with pytest.raises(HypothesisViolation, match="mu1 > mu2"):
        planted_gd_numbers(1.0, 3.0, 0.1, (1.0, 1.0), 0.1, 3)
