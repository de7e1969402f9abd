"""Hutchinson, Hutch++ and SLQ against exact traces / moments, with tolerances derived from the estimators'
variances.  Z = 5.3: two-sided false-alarm probability 1.2e-7 per check under the normal approximation."""

import math

import pytest
import torch

from spectral_universality.errors import InputError
from spectral_universality.numerics.hessian import DenseOperator, hutch_plus_plus, hutchinson, slq

Z = 5.3


def _matrix(n: int, seed: int, decay: float = 1.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(n, n, generator=g, dtype=torch.float64))
    lam = torch.arange(1, n + 1, dtype=torch.float64) ** -decay
    lam[-5:] *= -1  # an indefinite matrix, like a Hessian away from a minimum
    return q @ torch.diag(lam) @ q.T


def _rademacher_sd(a: torch.Tensor) -> float:
    """Standard deviation of z^T A z for Rademacher z: sqrt(2 (||A||_F^2 - sum_i A_ii^2))."""
    return math.sqrt(2 * float((a**2).sum() - (a.diagonal() ** 2).sum()))


def test_hutchinson_unbiased_with_exact_variance():
    a = _matrix(60, 0)
    probes = 3000
    est = hutchinson(DenseOperator(a), probes, generator=torch.Generator().manual_seed(1))
    sd = _rademacher_sd(a) / math.sqrt(probes)
    assert abs(est.estimate - float(a.trace())) <= Z * sd
    # the reported s.e. estimates sd: relative s.e. of a sample s.d. is ~ sqrt(kappa/(4N)) <= 0.1 here
    assert 0.5 * sd <= est.std_error <= 2.0 * sd


def test_hutch_plus_plus_unbiased_over_repeats():
    a = _matrix(80, 2, decay=1.5)
    op = DenseOperator(a)
    g = torch.Generator().manual_seed(3)
    vals = torch.tensor([hutch_plus_plus(op, 12, generator=g).estimate for _ in range(400)], dtype=torch.float64)
    se = float(vals.std()) / math.sqrt(len(vals))
    assert abs(float(vals.mean()) - float(a.trace())) <= Z * se
    # variance reduction vs plain Hutchinson at the same 12 matvecs on a fast-decaying spectrum (exact sd)
    assert float(vals.std()) < _rademacher_sd(a) / math.sqrt(12)


def test_hutch_plus_plus_exact_for_low_rank():
    g = torch.Generator().manual_seed(4)
    u = torch.randn(50, 3, generator=g, dtype=torch.float64)
    a = u @ torch.diag(torch.tensor([5.0, -2.0, 0.5], dtype=torch.float64)) @ u.T
    est = hutch_plus_plus(DenseOperator(a), 12, generator=g)  # sketch of 4 >= rank 3
    assert est.estimate == pytest.approx(float(a.trace()), rel=1e-10)
    assert est.std_error <= 1e-10 * abs(float(a.trace()))


def test_slq_per_probe_quadrature_is_exact_for_low_degree():
    """Gauss quadrature with m nodes is exact for degree <= 2m - 1: each probe's moment equals z^T A^p z / n."""
    n, probes, m = 70, 6, 4
    a = _matrix(n, 5)
    dens = slq(DenseOperator(a), probes, m, generator=torch.Generator().manual_seed(6))
    z = (torch.randint(0, 2, (n, probes), generator=torch.Generator().manual_seed(6)) * 2 - 1).to(torch.float64)
    for p in range(0, 2 * m):
        direct = (z * (torch.linalg.matrix_power(a, p) @ z)).sum(dim=0) / n
        assert torch.allclose(dens.moment(p), direct, rtol=1e-9, atol=1e-12), p


@pytest.mark.parametrize("p", [1, 2, 3, 4])
def test_slq_moments_match_exact_within_derived_bound(p):
    n, probes = 90, 200
    a = _matrix(n, 7, decay=0.7)
    dens = slq(DenseOperator(a), probes, 10, generator=torch.Generator().manual_seed(8))
    ap = torch.linalg.matrix_power(a, p)
    sd = _rademacher_sd(ap) / n / math.sqrt(probes)
    assert abs(float(dens.moment(p).mean()) - float(ap.trace()) / n) <= Z * sd


def test_slq_breakdown_and_density_normalisation():
    """Three distinct eigenvalues: each probe's Krylov space closes after 3 steps; then the quadrature is exact
    for every moment, the CDF is a step function at the eigenvalues, the smoothed density integrates to 1."""
    lam = torch.tensor([2.0] * 10 + [0.5] * 20 + [-1.0] * 10, dtype=torch.float64)
    dens = slq(DenseOperator(torch.diag(lam)), 8, 12, generator=torch.Generator().manual_seed(9))
    assert int((dens.weights > 0).sum(dim=1).max()) <= 3
    z = (torch.randint(0, 2, (40, 8), generator=torch.Generator().manual_seed(9)) * 2 - 1).to(torch.float64)
    for p in (6, 9):
        assert torch.allclose(dens.moment(p), (z**2 * lam[:, None] ** p).sum(dim=0) / 40, rtol=1e-9)
    # Rademacher z has z_i^2 = 1, so each probe gives the exact measure: CDF = fraction of eigenvalues <= x
    grid = torch.tensor([-2.0, 0.0, 1.0, 3.0], dtype=torch.float64)
    assert torch.allclose(dens.cdf(grid), torch.tensor([0.0, 0.25, 0.75, 1.0], dtype=torch.float64), atol=1e-9)
    xs = torch.linspace(-4, 5, 4001, dtype=torch.float64)
    assert float(torch.trapezoid(dens.density(xs, 0.1), xs)) == pytest.approx(1.0, abs=1e-6)


def test_bad_estimator_arguments():
    op = DenseOperator(torch.eye(4, dtype=torch.float64))
    with pytest.raises(InputError):
        hutchinson(op, 1)
    with pytest.raises(InputError):
        hutch_plus_plus(op, 5)
    with pytest.raises(InputError):
        slq(op, 2, 5)
