"""The ``Diagnostics`` front door: each method against an independent computation on a small model, its
``to_dict()`` through JSON, and bad input as an :class:`InputError` naming the problem.

Everything here is deterministic (fixed seeds, float64); tolerances are rounding allowances, not Monte-Carlo
ones: the Lanczos stopping rule's relative accuracy ``tol`` plus a few hundred ulps.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from torch import nn

from spectral_universality import Diagnostics
from spectral_universality.errors import InputError
from spectral_universality.numerics.certificate import spectral_certificate
from spectral_universality.numerics.hessian import HessianOperator
from spectral_universality.numerics.transfer import half_squared_error, planted_power_law

F64 = torch.float64


def _mlp_problem(seed: int = 0, n: int = 40):
    """A 5-8-3 tanh MLP (75 parameters) in float64 on random 3-class data."""
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    x = torch.randn(n, 5, generator=gen, dtype=F64)
    y = torch.randint(0, 3, (n,), generator=gen)
    return model, nn.functional.cross_entropy, (x, y)


def _json(obj) -> dict:
    d = obj.to_dict()
    return json.loads(json.dumps(d, allow_nan=False))


def test_spectrum_matches_the_dense_hessian():
    model, crit, batch = _mlp_problem()
    diag = Diagnostics(model, crit, [batch[:2], (batch[0][:10], batch[1][:10])][:1])
    res = diag.spectrum(6, tol=1e-10)
    dense = torch.linalg.eigvalsh(HessianOperator(model, crit, batch).dense()).flip(0)[:6]
    torch.testing.assert_close(res.eigenvalues, dense, rtol=1e-8, atol=1e-12)
    d = _json(res)
    assert d["eigenvalues"] == pytest.approx(dense.tolist(), rel=1e-8) and "eigenvectors" not in d
    assert len(res.to_dict(vectors=True)["eigenvectors"]) == 75
    # warm start from the eigenvectors of the same operator: converged after one block step (6 HVPs)
    warm = diag.spectrum(6, tol=1e-6, start=res.eigenvectors)
    assert warm.converged and warm.n_matvecs == 6
    torch.testing.assert_close(warm.eigenvalues, dense, rtol=1e-6, atol=0)


def test_certificate_is_the_report_certificate():
    model, crit, batch = _mlp_problem(1)
    cert = Diagnostics(model, crit, batch, seed=3).certificate(2, ntk_samples=8)
    direct = spectral_certificate(model, crit, batch, 2, ntk_samples=8, generator=torch.Generator().manual_seed(3))
    assert cert.to_dict() == direct.to_dict()
    dense = torch.linalg.eigvalsh(HessianOperator(model, crit, batch, dtype=F64).dense())
    assert cert.lambda_max == pytest.approx(float(dense[-1]), rel=1e-6)
    d = _json(cert)
    assert d["k"] == 2 and [lay["name"] for lay in d["layers"]] == ["0", "2"]
    assert d["layers"][0]["singular_values"] == pytest.approx(
        torch.linalg.svdvals(model[0].weight.detach()).tolist(), rel=1e-12)


def test_transfer_recovers_a_planted_power_law():
    alpha, gamma, n = 1.5, 0.8, 10
    prob = planted_power_law(alpha, gamma, n, 12, 11, generator=torch.Generator().manual_seed(3))
    res = Diagnostics(prob.model, half_squared_error, prob.batch, dtype=F64).transfer("weight", lanczos_tol=1e-12)
    # an exact power law: every fitted exponent is determined up to rounding
    assert res.alpha == pytest.approx(alpha, rel=1e-6)
    assert res.gamma == pytest.approx(gamma, rel=1e-6)
    assert res.s == pytest.approx(alpha * gamma, rel=1e-6)
    d = _json(res)
    assert d["mode_range"] == [0, n] and len(d["lam"]) == n


def test_transfer_accepts_a_module_name():
    prob = planted_power_law(1.0, 1.0, 6, 7, 7, generator=torch.Generator().manual_seed(4))
    diag = Diagnostics(nn.Sequential(prob.model), half_squared_error, prob.batch)
    by_module = diag.transfer("0")
    by_param = diag.transfer("0.weight")
    np.testing.assert_array_equal(by_module.sigma, by_param.sigma)
    assert by_module.alpha == by_param.alpha


def test_alignment_of_an_outlier_eigenvector_is_one():
    model, crit, batch = _mlp_problem(4, n=60)
    diag = Diagnostics(model, crit, batch)
    first = diag.alignment(["2.weight"], max_outliers=3, keep_spectrum=True)
    h_basis = first.hessian.basis
    assert first.hessian.count >= 1
    # the block's top Hessian eigenvector lies in its outlier space: alignment 1; orthogonal to it: 0
    again = diag.alignment(["2.weight"], max_outliers=3, vector=h_basis[:, 0], span=h_basis)
    assert again.hessian.alignment == pytest.approx(1.0, abs=1e-10)
    assert again.span_alignment == pytest.approx(1.0, abs=1e-10) and again.hessian.in_span == pytest.approx(1.0)
    ortho = torch.linalg.qr(torch.cat([h_basis, torch.randn(24, 1, dtype=F64,
                                       generator=torch.Generator().manual_seed(0))], 1)).Q[:, -1]
    assert diag.alignment(["2.weight"], max_outliers=3, vector=ortho).hessian.alignment == \
        pytest.approx(0.0, abs=1e-10)
    top = torch.linalg.eigvalsh(HessianOperator(model, crit, batch, params=["2.weight"]).dense()).flip(0)
    d = _json(first)
    assert d["hessian"]["spectrum"] == pytest.approx(top.tolist(), rel=1e-8, abs=1e-12)
    assert d["span_alignment"] is None and d["hessian"]["in_span"] is None


def test_shells_budget_closes_for_a_linear_model():
    """A linear model under GD: e_{t+1} = (I - lr M) e_t exactly, so the budget's residual is rounding only."""
    gen = torch.Generator().manual_seed(5)
    model = nn.Linear(6, 1, bias=False).double()
    x = torch.randn(12, 6, generator=gen, dtype=F64)
    y = torch.randn(12, 1, generator=gen, dtype=F64)
    before = model.weight.detach().clone()
    bal = Diagnostics(model, half_squared_error, (x, y)).shells(20, lr_fraction=0.5, n_shells=4)
    torch.testing.assert_close(model.weight.detach(), before, rtol=0, atol=0)  # the user's model is untouched
    e0 = (model(x) - y).detach().reshape(-1)
    assert float(bal.energies[0].sum()) == pytest.approx(float(e0 @ e0), rel=1e-12)
    assert bal.relative_residual() < 1e-10
    assert bal.lr == pytest.approx(0.5 / float(torch.linalg.eigvalsh(x @ x.T)[-1]), rel=1e-10)
    d = _json(bal)
    assert len(d["energies"]) == 21 and d["spec"]["n_shells"] == 4 and math.isclose(sum(d["shares"].values()), 1)


def test_bad_input_is_named():
    model, crit, batch = _mlp_problem()
    with pytest.raises(InputError, match="torch.nn.Module"):
        Diagnostics(object(), crit, batch)
    with pytest.raises(InputError, match="callable"):
        Diagnostics(model, None, batch)
    with pytest.raises(InputError, match="batch"):
        Diagnostics(model, crit, [])
    bad_x = batch[0].clone()
    bad_x[0, 0] = float("nan")
    with pytest.raises(InputError, match="non-finite"):
        Diagnostics(model, crit, (bad_x, batch[1]))
    with pytest.raises(InputError, match="scalar"):
        Diagnostics(model, lambda out, y: out, batch)
    diag = Diagnostics(model, crit, batch)
    with pytest.raises(InputError, match="k = 80 eigenpairs"):
        diag.spectrum(80)
    with pytest.raises(InputError, match="start must be"):
        diag.spectrum(3, start=torch.zeros(7, 3, dtype=F64))
    with pytest.raises(InputError, match="linearly dependent"):
        diag.spectrum(3, start=torch.ones(75, 3, dtype=F64))
    with pytest.raises(InputError, match="not a weight matrix"):
        diag.transfer("nope")
    with pytest.raises(InputError, match="max_outliers"):
        diag.alignment(["2.weight"], max_outliers=0)
    with pytest.raises(InputError, match="vector must have shape"):
        diag.alignment(["2.weight"], max_outliers=2, vector=torch.zeros(5, dtype=F64))
    with pytest.raises(InputError, match="output shape"):
        diag.shells(3)  # class labels are not regression targets of the model's output shape
