"""Spectral certificate on models whose answer is known in closed form, Eckart-Young, GD on planted
quadratics against theory/certificate.py, input checks (the registry links run in tests/properties)."""

import math

import pytest
import torch
from torch import nn

from spectral_universality.errors import InputError
from spectral_universality.numerics import certificate as nc
from spectral_universality.theory import certificate as tc

F64 = torch.float64
EPS64 = torch.finfo(F64).eps


def _mse(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error written out: torch 2.13's F.mse_loss fails under forward-over-reverse HVPs
    ("ZeroTensors are immutable")."""
    return ((out - target) ** 2).mean()


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _planted_matrix(m: int, n: int, s: torch.Tensor, seed: int) -> torch.Tensor:
    g = _gen(seed)
    u = torch.linalg.qr(torch.randn(m, len(s), dtype=F64, generator=g)).Q
    v = torch.linalg.qr(torch.randn(n, len(s), dtype=F64, generator=g)).Q
    return (u * s) @ v.T


# -- Eckart-Young ----------------------------------------------------------------------------------------


def test_eckart_young_on_planted_singular_values():
    s = torch.tensor([5.0, 3.0, 2.5, 1.0, 0.5, 0.1], dtype=F64)
    w = _planted_matrix(10, 7, s, seed=1)
    tol = 64 * EPS64 * float(s[0])  # SVD backward error: a small multiple of eps ||W||
    g = _gen(2)
    for k in range(0, 8):
        sigma = float(s[k]) if k < len(s) else 0.0
        assert abs(nc.truncation_error(w, k) - sigma) <= tol
        diff = w - nc.rank_k_approximation(w, k)
        assert abs(float(torch.linalg.matrix_norm(diff, ord=2)) - sigma) <= tol
        # optimality: rank-k competitors W P (P a random rank-k projection) never do better
        for _ in range(10):
            basis = torch.linalg.qr(torch.randn(7, max(k, 1), dtype=F64, generator=g)).Q[:, :k]
            other = w @ basis @ basis.T
            assert float(torch.linalg.matrix_norm(w - other, ord=2)) >= sigma - tol


def test_layer_spectra_conv_reshape_and_linear():
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.Flatten(), nn.Linear(3 * 4 * 4, 5)).to(F64)
    layers = nc.layer_spectra(model, k=1)
    assert [(lay.name, lay.kind, lay.shape) for lay in layers] == [("0", "conv", (3, 18)), ("2", "linear", (5, 48))]
    w0 = model[0].weight.detach().reshape(3, -1)
    assert layers[0].spectral_norm == pytest.approx(float(torch.linalg.svdvals(w0)[0]), rel=1e-14)
    for lay in layers:
        assert lay.truncation_measured == pytest.approx(lay.truncation_error, rel=1e-12)


def test_conv_operator_norm_sandwich_and_pointwise_exact():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, padding=1).to(F64)
    r = float(torch.linalg.svdvals(nc.weight_matrix(conv))[0])
    op = nc.conv_operator_norm(conv, (3, 8, 8), generator=_gen())
    assert r * (1 - 1e-6) <= op <= 3 * r * (1 + 1e-6)
    point = nn.Conv2d(3, 4, 1).to(F64)  # a 1x1 convolution is W at every pixel: operator norm = ||W||_2
    exact = float(torch.linalg.svdvals(nc.weight_matrix(point))[0])
    assert nc.conv_operator_norm(point, (3, 5, 5), generator=_gen()) == pytest.approx(exact, rel=1e-6)


# -- the certificate on closed-form models -------------------------------------------------------------


def test_certificate_least_squares_planted():
    n, d = 40, 6
    s = torch.tensor([6.0, 4.0, 3.0, 2.0, 1.5, 1.0], dtype=F64)  # singular values of X
    x = _planted_matrix(n, d, s, seed=3)
    y = torch.randn(n, 1, dtype=F64, generator=_gen(4))
    model = nn.Linear(d, 1, bias=False).to(F64)
    cert = nc.spectral_certificate(model, _mse, (x, y), 0, generator=_gen())
    # loss mean((x w - y)^2): H = 2 X^T X / n, NTK = X X^T
    assert cert.lambda_max == pytest.approx(2 * float(s[0]) ** 2 / n, rel=1e-8)
    assert cert.lambda_min == pytest.approx(2 * float(s[-1]) ** 2 / n, rel=1e-8)
    assert cert.kappa == pytest.approx(float(s[0] / s[-1]) ** 2, rel=1e-7)
    assert cert.kappa_reason is None
    w_norm = float(model.weight.detach().norm())
    assert cert.path_norm == pytest.approx(w_norm, rel=1e-12)
    assert cert.data_norm == pytest.approx(float(s[0]), rel=1e-12)
    assert cert.rademacher_bound == pytest.approx(w_norm * float(s[0]) / math.sqrt(n), rel=1e-12)
    assert cert.ntk.lambda_max == pytest.approx(float(s[0]) ** 2, rel=1e-10)
    assert cert.layers[0].truncation_error == pytest.approx(w_norm, rel=1e-12)  # k = 0: sigma_1


def test_certificate_saddle_is_indefinite():
    model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)).to(F64)
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
    x, y = torch.ones(1, 1, dtype=F64), torch.ones(1, 1, dtype=F64)
    # L = (w2 w1 - 1)^2; at 0 the Hessian is [[0, -2], [-2, 0]], eigenvalues -2 and 2
    cert = nc.spectral_certificate(model, nn.functional.mse_loss, (x, y), 1, generator=_gen(),
                                   hessian_mode="reverse-over-reverse")
    assert cert.lambda_min == pytest.approx(-2.0, rel=1e-10)
    assert cert.lambda_max == pytest.approx(2.0, rel=1e-10)
    assert cert.kappa is None and "indefinite" in cert.kappa_reason


def test_certificate_softmax_regression_is_singular():
    x = torch.randn(30, 3, dtype=F64, generator=_gen(5))
    y = torch.randint(0, 3, (30,), generator=_gen(6))
    model = nn.Linear(3, 3).to(F64)
    cert = nc.spectral_certificate(model, nn.functional.cross_entropy, (x, y), 1, generator=_gen())
    # adding one vector to every class's weights leaves the softmax unchanged: lam_min = 0 exactly
    assert cert.kappa is None and "not positive definite" in cert.kappa_reason
    assert abs(cert.lambda_min) <= 1e-10 * cert.lambda_max


def test_condition_number_never_nan_or_negative():
    assert nc.condition_number(4.0, 2.0, 1e-6) == (2.0, None)
    for lo in (-1.0, 0.0, 1e-9):
        kappa, why = nc.condition_number(1.0, lo, 1e-6)
        assert kappa is None and why.startswith("Hessian not positive definite")
    kappa, why = nc.condition_number(4.0, 2.0, 1e-6, converged=False)
    assert kappa is None and why.startswith("not certified")
    with pytest.raises(InputError):
        nc.condition_number(math.nan, 1.0, 1e-6)


def test_ntk_dense_equals_lanczos_equals_jacobian():
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2)).to(F64)
    x = torch.randn(7, 4, dtype=F64, generator=_gen(7))
    dense = nc.ntk_lambda_max(model, x, method="dense")
    lanc = nc.ntk_lambda_max(model, x, method="lanczos", generator=_gen())
    params = dict(model.named_parameters())
    jac = torch.autograd.functional.jacobian(
        lambda *ps: torch.func.functional_call(model, dict(zip(params, ps)), (x,)).reshape(-1), tuple(params.values()))
    j = torch.cat([t.reshape(14, -1) for t in jac], dim=1)
    ref = float(torch.linalg.eigvalsh(j @ j.T)[-1])
    assert dense.size == lanc.size == 14
    assert dense.lambda_max == pytest.approx(ref, rel=1e-10)
    assert lanc.lambda_max == pytest.approx(ref, rel=1e-7)


# -- gradient descent on planted quadratics ------------------------------------------------------------


def _spectrum(a: float, b: float, d: int) -> torch.Tensor:
    return torch.linspace(a, b, d, dtype=F64)


def test_measured_rate_equals_exact_prediction_and_tends_to_worst_mode():
    lam = _spectrum(1.0, 10.0, 12)
    etas = torch.tensor([0.05, 0.1, 0.17, 0.19, 0.199], dtype=F64)
    h, q = nc.planted_quadratic(lam.expand(len(etas), -1).contiguous(), _gen(8))
    e0 = torch.randn(len(etas), 12, dtype=F64, generator=_gen(9))
    steps = 300
    logs = nc.gd_log_norms(h, etas, e0, steps)
    measured = nc.measured_rate(logs)
    rates = (1 - etas[:, None] * lam).abs()  # per-mode amplitude factors |1 - eta lam_k|
    comps = (q.transpose(-1, -2) @ e0[:, :, None])[:, :, 0]
    predicted = nc.predicted_rate(rates, comps, steps)
    # float64 rounding over 300 renormalised steps of a 12 x 12 product: relative error << 1e-9
    assert torch.allclose(measured, predicted, rtol=1e-9, atol=0)
    worst = torch.tensor([tc.worst_rate(float(e), 1.0, 10.0) for e in etas], dtype=F64)
    assert (measured <= worst * (1 + 1e-12)).all()
    # at eta = 0.199 (< 2/lam_max = 0.2) the seed's rate 1 - eta lam_min = 0.801 is far below the truth 0.99
    assert float(measured[-1]) > tc.seed_rate(0.199, 1.0) + 0.1


def test_iterations_at_optimal_step_equal_theory_for_extreme_start():
    eps = 1e-6
    kappas = [4.0, 16.0, 64.0]
    lam = torch.stack([_spectrum(1.0, k, 8) for k in kappas])
    h, q = nc.planted_quadratic(lam, _gen(10))
    e0 = q[:, :, 0] + q[:, :, -1]  # worst case: only the two extreme modes (both contract at the optimal rate)
    eta = torch.tensor([tc.optimal_step(1.0, k) for k in kappas], dtype=F64)
    counts = nc.gd_iterations(h, eta, e0, eps, max_steps=2000)
    assert counts.tolist() == [tc.optimal_iterations(k, eps) for k in kappas]


def test_gd_inputs():
    h, _ = nc.planted_quadratic(torch.ones(1, 3, dtype=F64), _gen())
    with pytest.raises(InputError):
        nc.gd_log_norms(h, torch.ones(2, dtype=F64), torch.ones(1, 3, dtype=F64), 5)
    with pytest.raises(InputError):
        nc.gd_log_norms(h, torch.ones(1, dtype=F64), torch.zeros(1, 3, dtype=F64), 5)
    with pytest.raises(InputError, match="did not reach"):
        nc.gd_iterations(h, torch.full((1,), 2.5, dtype=F64), torch.ones(1, 3, dtype=F64), 1e-3, 20)
    with pytest.raises(InputError):
        nc.planted_quadratic(torch.ones(3, dtype=F64))


def test_certificate_inputs():
    model = nn.Linear(2, 1).to(F64)
    x, y = torch.ones(3, 2, dtype=F64), torch.ones(3, 1, dtype=F64)
    with pytest.raises(InputError, match="k must be"):
        nc.spectral_certificate(model, nn.functional.mse_loss, (x, y), -1)
    with pytest.raises(InputError, match="ntk_samples"):
        nc.spectral_certificate(model, nn.functional.mse_loss, (x, y), 1, ntk_samples=0)
    with pytest.raises(InputError):
        nc.weight_layers(nn.Sequential(nn.Tanh()))
    with pytest.raises(InputError):
        nc.weight_matrix(nn.LayerNorm(3))
    with pytest.raises(InputError):
        nc.truncation_error(torch.full((2, 2), math.inf), 1)
    with pytest.raises(InputError, match="method"):
        nc.ntk_lambda_max(model, x, method="exact")


# -- registry checks -------------------------------------------------------------------------------------


@pytest.mark.parametrize("eta,a,b", [(0.19, 1.0, 10.0), (0.05, 2.0, 3.0), (0.7, 0.5, 4.0)])
def test_registry_sub_identity(eta, a, b):
    assert nc.registry_check_certificate_sub({"eta": eta, "a": a, "b": b}, 0).holds


@pytest.mark.parametrize("eta,a,b", [(0.19, 1.0, 10.0), (0.1, 1.0, 10.0), (0.45, 2.0, 3.0)])
def test_registry_order_inside_and_outside(eta, a, b):
    assert nc.registry_check_certificate_order({"eta": eta, "a": a, "b": b}, 0).holds
    assert not nc.registry_check_certificate_order({"eta": eta, "a": b, "b": a}, 0).holds  # a > b: reversed


def test_registry_endpoints_inside_and_outside():
    assert nc.registry_check_certificate_endpoints({"eta": 0.1, "a": 1.0, "b": 10.0, "lam": 5.0}, 0).holds
    assert nc.registry_check_certificate_endpoints({"eta": 0.19, "a": 1.0, "b": 10.0, "lam": 1.0}, 0).holds
    assert not nc.registry_check_certificate_endpoints({"eta": 0.1, "a": 1.0, "b": 10.0, "lam": 0.5}, 0).holds
    assert not nc.registry_check_certificate_endpoints({"eta": 0.19, "a": 1.0, "b": 10.0, "lam": 10.5}, 0).holds


def test_registry_optimal_inside_and_outside():
    for a, b in [(1.0, 10.0), (0.2, 0.3)]:
        assert nc.registry_check_certificate_optimal({"eta": 2 / (a + b), "a": a, "b": b}, 0).holds
        assert not nc.registry_check_certificate_optimal({"eta": 1.9 / (a + b), "a": a, "b": b}, 0).holds
    assert nc.registry_check_certificate_optimal({"eta": 2 / 11, "a": 10.0, "b": 1.0}, 0).holds  # a > b allowed
    assert nc.registry_check_certificate_optimal({"eta": 1.0, "a": 1.0, "b": 1.0}, 0).holds  # a = b: both 0
