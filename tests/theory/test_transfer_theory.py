"""Closed forms of the spectral transfer identity and the participation-ratio bound (theory/transfer.py)."""

import math

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from spectral_universality.errors import HypothesisViolation, InputError
from spectral_universality.numerics.transfer import participation_ratio
from spectral_universality.theory import SYMBOLS
from spectral_universality.theory.transfer import (ALPHA_C, GAMMA_R, S, misfit_product, participation_gap_bound,
                                                   participation_limit, participation_limit_form,
                                                   participation_ratio_n,
                                                   planted_curvature_exponent, planted_per_sample_singular_value,
                                                   planted_residual, pr_increment_numerator, transfer_exponent,
                                                   transfer_slope)


def test_transfer_slope_is_minus_alpha_gamma():
    assert sympy.simplify(transfer_slope() + ALPHA_C * GAMMA_R) == 0
    assert sympy.simplify(transfer_exponent() - ALPHA_C * GAMMA_R) == 0


def test_misfit_product_is_s_rho2_and_matches_numbers():
    rho2 = sympy.Symbol("rho2", nonnegative=True)
    assert sympy.simplify(misfit_product() - S * rho2) == 0
    # independent numeric check on n = 9 modes (the form was derived on 4 generic ones)
    k = np.arange(1, 10, dtype=float)
    y = np.log(np.exp(-k / 3) + 0.1)  # an arbitrary log sigma_k
    s = 1.7
    log_h = -s * np.log(k) + 0.3
    alpha = np.polyfit(y, log_h, 1)[0]
    gamma = -np.polyfit(np.log(k), y, 1)[0]
    r2 = np.corrcoef(np.log(k), y)[0, 1] ** 2
    assert alpha * gamma == pytest.approx(float(misfit_product().subs({S: s, rho2: r2})), rel=1e-12)


def test_planted_forms():
    k, n = SYMBOLS["k"], sympy.Symbol("N", positive=True, integer=True)
    assert sympy.simplify(planted_residual() - sympy.sqrt(n) * k ** (S / 2 - GAMMA_R)) == 0
    assert sympy.simplify(planted_per_sample_singular_value() - n * k**-GAMMA_R) == 0
    assert sympy.simplify(planted_curvature_exponent() - S / GAMMA_R) == 0


def test_limit_at_s2_is_five_halves():
    # zeta(2) = pi^2/6 and zeta(4) = pi^4/90 (Euler) give (pi^4/36) / (pi^4/90) = 5/2
    assert sympy.nsimplify(participation_limit_form().subs(S, 2)) == sympy.Rational(5, 2)
    assert participation_limit(2.0) == pytest.approx(2.5, rel=1e-15)


def test_closed_form_pr_matches_direct_sums():
    for s in (0.5, 1.0, 1.5, 3.0):
        for n in (1, 2, 7, 50):
            direct = participation_ratio(np.arange(1, n + 1, dtype=float) ** -s)
            assert participation_ratio_n(s, n) == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize("s", [1.05, 1.5, 2.0, 4.0])
def test_pr_increases_to_the_zeta_limit(s):
    sup = participation_limit(s)
    ns = [1, 2, 4, 16, 256, 4096]
    prs = [participation_ratio_n(s, n) for n in ns]
    assert all(a <= b for a, b in zip(prs, prs[1:]))
    assert all(p <= sup for p in prs)
    for n, p in zip(ns, prs):
        assert 0 <= sup - p <= participation_gap_bound(s, n)


@pytest.mark.parametrize("s", [1.0, 0.7, -2.0])
def test_s_at_most_one_is_a_hypothesis_violation(s):
    with pytest.raises(HypothesisViolation, match=r"s > 1"):
        participation_limit(s)
    with pytest.raises(HypothesisViolation, match=r"s > 1"):
        participation_gap_bound(s, 10)


def test_pr_diverges_for_s_le_1():
    # H_n(1)^2 / H_n(2) >= (log n)^2 / zeta(2): unbounded, so there is no finite bound to state
    assert participation_ratio_n(1.0, 10_000) > math.log(10_000) ** 2 / (math.pi**2 / 6)


@pytest.mark.parametrize("bad", [float("nan"), "x", float("inf")])
def test_bad_inputs(bad):
    with pytest.raises(InputError):
        participation_limit(bad)
    with pytest.raises(InputError):
        participation_ratio_n(bad, 3)


def test_bad_n():
    with pytest.raises(InputError):
        participation_ratio_n(2.0, 0)
    with pytest.raises(InputError):
        participation_gap_bound(2.0, 0)


def test_increment_numerator_form():
    a, b, x = sympy.symbols("A B x", positive=True)
    assert sympy.expand(pr_increment_numerator() - x * (2 * a * b + x * (b - a**2))) == 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1e-3, 1e3), min_size=1, max_size=30))
def test_pr_of_nonincreasing_prefixes_is_nondecreasing(vals):
    lam = np.sort(np.asarray(vals))[::-1]
    prs = [participation_ratio(lam[:j]) for j in range(1, lam.size + 1)]
    assert all(p <= q * (1 + 1e-12) for p, q in zip(prs, prs[1:]))
    assert prs[0] == pytest.approx(1.0) and all(p >= 1 - 1e-12 for p in prs)
