"""The spectral-transfer diagnostic (numerics/transfer.py) on planted layers with exact power laws, against dense
references on a small network, its input checks and the registry checks."""

import numpy as np
import pytest
import sympy
import torch

from spectral_universality.errors import InputError
from spectral_universality.numerics.fit import exact_fit_tolerance
from spectral_universality.numerics.hessian import HessianOperator
from spectral_universality.numerics.transfer import (decay_exponent, gradient_matrix, half_squared_error,
                                                     participation_bound_verdict, participation_ratio,
                                                     per_sample_gradients, planted_power_law, planted_problem,
                                                     registry_check_participation, registry_check_transfer,
                                                     singular_values, transfer_diagnostic, transfer_from_spectra,
                                                     directional_curvatures)
from spectral_universality.theory.transfer import (ALPHA_C, GAMMA_R, S, misfit_product, participation_limit,
                                                   planted_curvature_exponent, transfer_exponent)

LANCZOS_TOL = 1e-10
EPS64 = float(np.finfo(np.float64).eps)


def _eps(lam: np.ndarray) -> float:
    """Per-value error allowance: Lanczos's relative accuracy plus 1e3 ulps times the spectrum's condition number
    (dot products of a few hundred terms with cancellation)."""
    return LANCZOS_TOL + 1e3 * EPS64 * float(lam.max() / lam.min())


@pytest.mark.parametrize("alpha,gamma,n", [(1.5, 0.8, 12), (0.7, 2.0, 8)])
def test_planted_power_laws_recovered(alpha, gamma, n):
    gen = torch.Generator().manual_seed(3)
    prob = planted_power_law(alpha, gamma, n, 15, 13, generator=gen)
    res = transfer_diagnostic(prob.model, half_squared_error, prob.batch, "weight", dtype=torch.float64,
                              lanczos_tol=LANCZOS_TOL, generator=gen)
    s = float(transfer_exponent().subs({ALPHA_C: alpha, GAMMA_R: gamma}))
    a = float(planted_curvature_exponent().subs({S: s, GAMMA_R: gamma}))
    assert a == pytest.approx(alpha, rel=1e-14)
    eps = _eps(prob.lam)
    log_k = np.log(np.arange(1, n + 1, dtype=float))
    tol_a = exact_fit_tolerance(np.log(prob.sigma), a, eps)
    tol_g = exact_fit_tolerance(log_k, gamma, eps)
    assert abs(res.alpha - a) <= tol_a
    assert abs(res.gamma - gamma) <= tol_g
    assert abs(res.gamma_mean - gamma) <= tol_g
    assert abs(res.s - s) <= exact_fit_tolerance(log_k, s, eps)
    assert abs(res.alpha_gamma - s) <= gamma * tol_a + a * tol_g
    assert res.mode_range == (0, n) and res.n_negative_h == 0
    # the spectra themselves: h_k = lam_k, Lanczos = lam_k, per-sample singular values N sigma_k
    np.testing.assert_allclose(res.h, prob.lam, rtol=eps)
    np.testing.assert_allclose(res.lam, prob.lam, rtol=eps)
    np.testing.assert_allclose(res.ps_sv, n * prob.sigma, rtol=eps)


def test_premise_broken_product_is_s_rho2_not_s():
    gen = torch.Generator().manual_seed(4)
    n, s = 12, 1.2
    k = np.arange(1, n + 1, dtype=float)
    lam, sigma = k**-s, np.exp(-k / 3)
    prob = planted_problem(lam, sigma, 14, 12, generator=gen)
    res = transfer_diagnostic(prob.model, half_squared_error, prob.batch, "weight", dtype=torch.float64,
                              lanczos_tol=LANCZOS_TOL, generator=gen)
    rho2 = float(np.corrcoef(np.log(k), np.log(sigma))[0, 1] ** 2)
    predicted = float(misfit_product().subs({S: s, sympy.Symbol("rho2", nonnegative=True): rho2}))
    eps = _eps(lam)
    tol = (res.gamma * exact_fit_tolerance(np.log(sigma), res.alpha, eps)
           + res.alpha * exact_fit_tolerance(np.log(k), res.gamma, eps))
    assert abs(res.alpha_gamma - predicted) <= tol
    assert abs(res.s - s) <= exact_fit_tolerance(np.log(k), s, eps)
    assert abs(res.alpha_gamma - s) > 100 * tol  # the identity's comparison fails outside its premise
    assert res.rho2 == pytest.approx(rho2, rel=1e-9)


class _Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 5)
        self.conv = torch.nn.Conv1d(1, 3, 2)
        self.out = torch.nn.Linear(3 * 4, 3)

    def forward(self, x):
        h = torch.tanh(self.fc(x))
        return self.out(torch.tanh(self.conv(h[:, None])).flatten(1))


def _tiny_problem():
    torch.manual_seed(0)
    model = _Tiny().double()
    x = torch.randn(10, 4, dtype=torch.float64)
    y = torch.randint(0, 3, (10,))
    return model, torch.nn.functional.cross_entropy, x, y


def test_gradients_and_curvatures_match_dense_references():
    model, ce, x, y = _tiny_problem()
    for name in ("fc.weight", "conv.weight"):
        chunks = [(x[:3], y[:3]), (x[3:], y[3:])]
        g = gradient_matrix(model, ce, chunks, name)
        model.zero_grad()
        ce(model(x), y).backward()
        ref = dict(model.named_parameters())[name].grad
        np.testing.assert_allclose(g.numpy(), ref.reshape(ref.shape[0], -1).numpy(), rtol=1e-12, atol=1e-15)
        ps = per_sample_gradients(model, ce, chunks, name, chunk=4)
        for i in (0, 7):
            model.zero_grad()
            ce(model(x[i:i + 1]), y[i:i + 1]).backward()
            one = dict(model.named_parameters())[name].grad.reshape(-1)
            np.testing.assert_allclose(ps[i].numpy(), one.numpy(), rtol=1e-12, atol=1e-15)
        op = HessianOperator(model, ce, (x, y), params=[name])
        dense = op.dense()
        u, _, vh = torch.linalg.svd(g, full_matrices=False)
        h = directional_curvatures(op, u, vh.T, chunk=2)
        for j in range(u.shape[1]):
            d = torch.outer(u[:, j], vh[j]).reshape(-1)
            assert float(h[j]) == pytest.approx(float(d @ dense @ d), rel=1e-10, abs=1e-14)


@pytest.mark.parametrize("shape", [(7, 30), (30, 7)])
def test_gram_singular_values_match_svd(shape):
    a = torch.randn(*shape, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    a[:, 0] *= 50.0  # spread the spectrum
    ref = torch.linalg.svdvals(a)
    np.testing.assert_allclose(singular_values(a).numpy(), ref.numpy(), rtol=1e-10)
    with pytest.raises(InputError):
        singular_values(a[0])


def test_transfer_from_spectra_exact_and_negative_curvature_excluded():
    k = np.arange(1, 11, dtype=float)
    sigma, lam = k**-0.5, k**-1.5
    h = sigma**3.0
    h_neg = h.copy()
    h_neg[4] = -1e-3
    res = transfer_from_spectra(sigma, h_neg, lam, 7 * sigma)
    assert res.alpha == pytest.approx(3.0, rel=1e-12) and res.gamma == pytest.approx(0.5, rel=1e-12)
    assert res.s == pytest.approx(1.5, rel=1e-12) and res.rel_error == pytest.approx(0.0, abs=1e-12)
    assert res.n_negative_h == 1 and res.n_alpha == 9
    sub = transfer_from_spectra(sigma, h, lam, 7 * sigma, k_range=(2, 8))
    assert sub.mode_range == (2, 8) and sub.s == pytest.approx(1.5, rel=1e-12)


def test_default_range_drops_numerical_zero_singular_values():
    k = np.arange(1, 8, dtype=float)
    sigma = np.concatenate([k**-1.0, [1e-12, 0.0]])
    res = transfer_from_spectra(sigma, np.concatenate([k**-2.0, [1e-20, 1e-20]]), k**-2.0, k**-1.0)
    assert res.mode_range == (0, 7)


def test_input_errors():
    model, ce, x, y = _tiny_problem()
    with pytest.raises(InputError, match="weight matrix"):
        gradient_matrix(model, ce, (x, y), "fc.bias")
    with pytest.raises(InputError):
        gradient_matrix(model, ce, (x, y), "nope.weight")
    with pytest.raises(InputError, match="n_directions"):
        transfer_diagnostic(model, ce, (x, y), "fc.weight", n_directions=2)
    k = np.arange(1, 6, dtype=float)
    with pytest.raises(InputError, match="descending"):
        transfer_from_spectra(k, k, k**-1, k**-1)
    with pytest.raises(InputError, match="same non-zero length"):
        transfer_from_spectra(k**-1, k[:3], k**-1, k**-1)
    with pytest.raises(InputError, match="k_range"):
        transfer_from_spectra(k**-1, k**-1, k**-1, k**-1, k_range=(3, 9))
    with pytest.raises(InputError, match="non-finite"):
        transfer_from_spectra(np.array([1.0, np.nan, 0.1]), k[:3], k**-1, k**-1)
    with pytest.raises(InputError, match="positive curvatures"):
        transfer_from_spectra(k**-1, -k, k**-1, k**-1)
    with pytest.raises(InputError):
        decay_exponent(np.array([1.0, 0.5]), np.array([1.0, 2.0]))  # 2 points leave no residual freedom
    with pytest.raises(InputError):
        participation_ratio(np.zeros(3))
    with pytest.raises(InputError, match="strictly decreasing"):
        planted_problem(k**-1, k, 6, 6)
    with pytest.raises(InputError):
        planted_problem(k**-1, k**-1, 3, 6)
    with pytest.raises(InputError):
        registry_check_transfer({"alpha": 1.0, "gamma": 1.0, "noise": -1.0}, 0)
    with pytest.raises(InputError, match="all-zero"):
        registry_check_participation({"n": 1, "shift": 1.0}, 0)


@pytest.mark.parametrize("s", [1.01, 1.3, 2.5])
def test_participation_bound_verdict(s):
    for n in (2, 30, 3000):
        v = participation_bound_verdict(s, n, participation_limit)
        assert v.holds, v.detail


def test_report_section_on_a_tiny_config(monkeypatch, tmp_path):
    from types import SimpleNamespace

    from spectral_universality.report import sec_transfer

    monkeypatch.setattr(sec_transfer, "QUICK", {"runs": [("linear", {}, "adam", 20)], "eval_size": 64})
    res = sec_transfer.stage(SimpleNamespace(quick=True, device="cpu", seed=1))
    summ = res["summary"]
    assert summ["planted_recovered"] and summ["misfit_matches_s_rho2"] and summ["pr_grid_all_hold"]
    assert summ["n_layers"] + summ["n_layers_failed"] == 1
    claims = sec_transfer.claims(res)
    assert {c["verdict"] for c in claims} <= {"supported", "refuted", "open"}
    assert claims[0]["verdict"] == "supported" and claims[1]["verdict"] == "open"  # one layer: no median
    caption = sec_transfer.figure(res, tmp_path / "transfer.png")
    assert caption and (tmp_path / "transfer.png").stat().st_size > 0
