"""Closed forms for the spectral-alignment part (seed 003): outliers of the Hessian and G-matrix of the
k-class Gaussian-mixture softmax regression at ``W = 0``.

Data: class ``c`` uniform on ``{1..k}``, ``x = mu_c + z / sqrt(snr)``, ``z ~ N(0, I_d)``, orthonormal means
``mu_1..mu_k``; so the noise variance is ``sigma^2 = 1 / snr``.  Model: ``W (k, d)``, loss = cross-entropy of
``softmax(W x)``; parameters flattened row-major (``vec(W)[c d + j] = W[c, j]``).

At ``W = 0`` every sample has ``p = 1/k``, so the empirical Hessian on a batch of ``M`` samples is exactly
``A (x) S`` with ``A = I/k - 1 1^T / k^2`` and ``S = (1/M) sum_i x_i x_i^T`` (Kronecker, row-major order).
``S`` is a rank-``k`` signal ``U U^T / M`` plus Gaussian noise, whose outliers follow the spiked-covariance
map (Baik-Silverstein; Benaych-Georges & Nadakuditi 2012 for the rectangular additive form, which depends
only on the signal's singular values ``sqrt(n_c / M) -> 1/sqrt(k)`` because Gaussian noise is bi-orthogonally
invariant):

    psi(tau) = tau (1 + gamma int t / (tau - t) dH(t)),   H = delta_1 (noise in units of sigma^2),

with ``gamma = d / M`` and population spike ``tau = (sigma^2 + 1/k) / sigma^2 = 1 + snr / k``.  An outlier
exists iff ``psi'(tau) > 0``; the bulk edge is ``psi`` at the threshold; the squared cosine between an
outlier eigenvector and the signal space is ``tau psi'(tau) / psi(tau)``.

The population G-matrix ``E[(p - y)(p - y)^T (x) x x^T]`` at ``W = 0`` is derived term by term below.
Everything is asymptotic (``d, M -> oo``, ``d / M -> gamma``): there is no Lean lemma for this part.
"""

from __future__ import annotations

from functools import lru_cache

import sympy
from sympy import Expr

from spectral_universality.errors import HypothesisViolation, InputError

TAU = sympy.Symbol("tau", positive=True)  # population spike (units of the noise variance)
GAMMA = sympy.Symbol("gamma", positive=True)  # aspect ratio d / M
SNR = sympy.Symbol("snr", positive=True)  # signal strength lambda: noise variance 1 / snr
K = sympy.Symbol("k", positive=True, integer=True)  # number of classes
_T = sympy.Symbol("t", positive=True)


@lru_cache(maxsize=None)
def spike_map() -> Expr:
    """``psi(tau) = tau (1 + gamma int t/(tau - t) dH(t))`` with all noise eigenvalues at 1 (``H = delta_1``)."""
    integrand = _T / (TAU - _T)
    return sympy.simplify(TAU * (1 + GAMMA * integrand.subs(_T, 1)))


@lru_cache(maxsize=None)
def spike_threshold() -> Expr:
    """The BBP threshold: the root ``tau > 1`` of ``psi'(tau) = 0`` (``1 + sqrt(gamma)``)."""
    roots = sympy.solve(sympy.Eq(sympy.diff(spike_map(), TAU), 0), TAU)
    above = [r for r in roots if sympy.simplify(r - 1).is_positive]
    if len(above) != 1:
        raise RuntimeError(f"expected one threshold root above 1, got {roots}")
    return sympy.simplify(above[0])


@lru_cache(maxsize=None)
def bulk_edge() -> Expr:
    """Upper Marchenko-Pastur edge (noise variance 1): ``psi`` at the threshold, ``(1 + sqrt(gamma))^2``."""
    return sympy.factor(sympy.simplify(spike_map().subs(TAU, spike_threshold())))


@lru_cache(maxsize=None)
def spike_overlap() -> Expr:
    """Squared cosine of an outlier eigenvector with its population spike: ``tau psi'(tau) / psi(tau)``."""
    psi = spike_map()
    return sympy.simplify(TAU * sympy.diff(psi, TAU) / psi)


def softmax_zero_class_matrix(k: int) -> sympy.Matrix:
    """``A = E[diag(p) - p p^T]`` at ``p = 1/k``: the class factor of the Hessian at ``W = 0``."""
    if not isinstance(k, int) or k < 2:
        raise InputError(f"k must be an integer >= 2, got {k!r}")
    p = sympy.Matrix([sympy.Rational(1, k)] * k)
    return sympy.diag(*p) - p * p.T


def _class_spectrum(k: int) -> dict[Expr, int]:
    return {sympy.nsimplify(v): m for v, m in softmax_zero_class_matrix(k).eigenvals().items()}


@lru_cache(maxsize=None)
def softmax_zero_forms(k: int) -> dict[str, Expr]:
    """Closed forms (in ``snr``, ``gamma``) of the empirical Hessian and population G-matrix at ``W = 0``.

    Keys
    ----
    ``class_eigenvalue``: the nonzero eigenvalue ``a`` of ``A``; ``class_rank``: its multiplicity (``rank A``).
    ``hessian_outlier_count``: ``rank A * k`` (each of the ``k`` outliers of ``S`` times ``rank A``).
    ``hessian_outlier``: ``a sigma^2 psi(1 + snr/k)``; ``hessian_bulk_edge``: ``a sigma^2 (1 + sqrt(gamma))^2``.
    ``hessian_overlap``: mean squared cosine between the outlier space and ``1^perp (x) span(means)``.
    ``snr_threshold``: the ``snr`` above which the outliers exist (``psi'(1 + snr/k) > 0``).
    ``g_outlier``, ``g_outlier_count``, ``g_bulk``: the population G-matrix
    ``sum_c (1/k) v_c v_c^T (x) (mu_c mu_c^T + sigma^2 I)`` with ``v_c = 1/k - e_c``: its ``mu``-part is
    ``k`` orthogonal rank-one terms ``(1/k) ||v_c||^2`` and its noise part is ``sigma^2 A``.
    """
    spec = _class_spectrum(k)
    nonzero = [v for v in spec if v != 0]
    if len(nonzero) != 1:
        raise RuntimeError(f"A should have one nonzero eigenvalue, got {spec}")
    a = nonzero[0]
    sigma2 = 1 / SNR
    tau_k = 1 + (sympy.Rational(1, k)) / sigma2
    v1 = sympy.Matrix([sympy.Rational(1, k)] * k) - sympy.eye(k)[:, 0]
    g_spike = sympy.Rational(1, k) * (v1.T * v1)[0, 0]
    # the noise part sigma^2 * sum_c (1/k) v_c v_c^T: derived, then checked to equal sigma^2 A
    noise = sum((sympy.Rational(1, k) * (sympy.Matrix([sympy.Rational(1, k)] * k) - sympy.eye(k)[:, c])
                 * (sympy.Matrix([sympy.Rational(1, k)] * k) - sympy.eye(k)[:, c]).T for c in range(k)),
                sympy.zeros(k, k))
    if noise != softmax_zero_class_matrix(k):
        raise RuntimeError("noise part of G at W = 0 is not A")
    thr = sympy.solve(sympy.Eq(tau_k, spike_threshold()), SNR)
    return {
        "class_eigenvalue": a,
        "class_rank": sympy.Integer(spec[a]),
        "hessian_outlier_count": sympy.Integer(spec[a] * k),
        "hessian_outlier": sympy.simplify(a * sigma2 * spike_map().subs(TAU, tau_k)),
        "hessian_bulk_edge": sympy.simplify(a * sigma2 * bulk_edge()),
        "hessian_overlap": sympy.simplify(spike_overlap().subs(TAU, tau_k)),
        "snr_threshold": sympy.simplify(thr[0]),
        "g_outlier": sympy.simplify(a * sigma2 + g_spike),
        "g_outlier_count": sympy.Integer(k),
        "g_bulk": sympy.simplify(a * sigma2),
    }


def softmax_zero_values(k: int, snr: float, gamma: float) -> dict[str, float]:
    """:func:`softmax_zero_forms` evaluated; HypothesisViolation below the outlier threshold.

    Raises
    ------
    HypothesisViolation
        ``snr > snr_threshold`` fails (no outlier separates from the bulk, the forms do not apply).
    """
    if not (snr > 0 and gamma > 0):
        raise InputError(f"need snr > 0 and gamma > 0, got snr = {snr}, gamma = {gamma}")
    forms = softmax_zero_forms(k)
    thr = float(forms["snr_threshold"].subs(GAMMA, gamma))
    if not snr > thr:
        raise HypothesisViolation("snr > k * sqrt(gamma) (BBP threshold)", f"snr = {snr:g}, threshold = {thr:g}")
    return {name: float(ex.subs({SNR: snr, GAMMA: gamma})) for name, ex in forms.items()}
