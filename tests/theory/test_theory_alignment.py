"""theory.alignment: the spiked-covariance map reproduces the textbook BBP threshold, Marchenko-Pastur edge and
eigenvector overlap, and the softmax-at-zero class matrix has the rank and counts the numerics use."""

from __future__ import annotations

import pytest
import sympy

from spectral_universality.errors import HypothesisViolation, InputError
from spectral_universality.theory.alignment import (GAMMA, SNR, TAU, bulk_edge, softmax_zero_class_matrix,
                                                    softmax_zero_forms, softmax_zero_values, spike_map,
                                                    spike_overlap, spike_threshold)


def test_spike_map_textbook_forms() -> None:
    ell = TAU - 1
    assert sympy.simplify(spike_threshold() - (1 + sympy.sqrt(GAMMA))) == 0
    assert sympy.simplify(bulk_edge() - (1 + sympy.sqrt(GAMMA)) ** 2) == 0
    # Paul (2007): (1 - gamma/ell^2) / (1 + gamma/ell)
    assert sympy.simplify(spike_overlap() - (1 - GAMMA / ell**2) / (1 + GAMMA / ell)) == 0
    # the outlier meets the edge, with zero overlap, exactly at the threshold
    assert sympy.simplify(spike_map().subs(TAU, spike_threshold()) - bulk_edge()) == 0
    assert sympy.simplify(spike_overlap().subs(TAU, spike_threshold())) == 0


@pytest.mark.parametrize("k", [2, 3, 4, 6])
def test_class_matrix_rank_and_counts(k: int) -> None:
    a = softmax_zero_class_matrix(k)
    assert a.rank() == k - 1
    assert a * sympy.ones(k, 1) == sympy.zeros(k, 1)
    forms = softmax_zero_forms(k)
    assert forms["hessian_outlier_count"] == k * (k - 1)
    assert forms["g_outlier_count"] == k
    assert sympy.simplify(forms["snr_threshold"] - k * sympy.sqrt(GAMMA)) == 0
    # G's outlier exceeds its bulk by (k-1)/k^2 (the mean part)
    assert sympy.simplify(forms["g_outlier"] - forms["g_bulk"] - sympy.Rational(k - 1, k**2)) == 0
    # above threshold the Hessian outlier lies above the bulk edge
    vals = softmax_zero_values(k, 4.0 * k, 0.25)
    assert vals["hessian_outlier"] > vals["hessian_bulk_edge"]
    assert SNR in forms["hessian_outlier"].free_symbols


def test_domain_errors() -> None:
    with pytest.raises(InputError):
        softmax_zero_class_matrix(1)
    with pytest.raises(InputError):
        softmax_zero_values(3, 10.0, -0.1)
    with pytest.raises(HypothesisViolation):
        softmax_zero_values(4, 1.0, 1.0)
