"""HVP + Lanczos against the dense Hessian (explicit double backward, torch.func.hessian, torch.linalg.eigh), float64."""

import pytest
import torch
from torch import nn

from spectral_universality.errors import InputError
from spectral_universality.numerics.hessian import DenseOperator, HessianOperator, lanczos, top_eigenpairs
from spectral_universality.numerics.models import build_model

CE = nn.functional.cross_entropy


def _data(shape, n, classes=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, *shape, generator=g, dtype=torch.float64), torch.randint(0, classes, (n,), generator=g)


MODELS = {
    "mlp": ((1, 4, 4), {"hidden": 12}),
    "cnn": ((1, 4, 4), {"channels": 2, "hidden": 8}),
    "vit": ((1, 4, 4), {"dim": 8, "depth": 1, "heads": 2}),
}


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_top20_matches_dense_eigh(kind):
    shape, sizes = MODELS[kind]
    model = build_model(kind, shape, 4, seed=1, dtype=torch.float64, **sizes)
    batch = _data(shape, 48)
    op = HessianOperator(model, CE, batch)
    dense = op.dense()
    assert torch.allclose(dense, dense.T, rtol=0, atol=1e-12)
    if kind != "vit":  # second, functorch-based reference (wrong for the ViT in torch 2.13: see HessianOperator.dense)
        func_dense = torch.func.hessian(lambda p: op._loss(p, *batch))(op.theta)
        assert torch.allclose(func_dense, dense, rtol=0, atol=1e-12)
    exact = torch.linalg.eigvalsh(dense).flip(0)[:20]
    res = lanczos(op, 20, tol=1e-12, generator=torch.Generator().manual_seed(0))
    rel = ((res.eigenvalues - exact) / exact.abs()).abs().max()
    assert rel <= 1e-6, f"{kind}: max relative error {rel:.2e} over the top 20 (n = {op.size})"
    # Ritz vectors are eigenvectors: ||H x - lambda x|| small relative to lambda_1.
    resid = (dense @ res.eigenvectors - res.eigenvectors * res.eigenvalues).norm(dim=0).max()
    assert resid <= 1e-6 * exact[0]


@pytest.mark.parametrize("mode", ["forward-over-reverse", "reverse-over-reverse"])
def test_hvp_equals_dense_product(mode):
    shape, sizes = MODELS["mlp"]
    model = build_model("mlp", shape, 4, seed=2, dtype=torch.float64, **sizes)
    op = HessianOperator(model, CE, _data(shape, 32, seed=3), mode=mode)
    vecs = torch.randn(op.size, 5, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    dense = op.dense()
    assert torch.allclose(op.matmat(vecs), dense @ vecs, rtol=1e-10, atol=1e-12)
    assert torch.allclose(op.matvec(vecs[:, 0]), dense @ vecs[:, 0], rtol=1e-10, atol=1e-12)


def test_block_lanczos_matches_dense_eigh():
    g = torch.Generator().manual_seed(5)
    q, _ = torch.linalg.qr(torch.randn(200, 200, generator=g, dtype=torch.float64))
    lam = torch.arange(1, 201, dtype=torch.float64) ** -1.0
    lam[1] = lam[0]  # an exact double eigenvalue: single-vector Lanczos would find only one copy
    op = DenseOperator(q @ torch.diag(lam) @ q.T)
    exact = torch.sort(lam, descending=True).values[:20]
    res = lanczos(op, 20, block_size=4, tol=1e-12, generator=g)
    assert ((res.eigenvalues - exact) / exact).abs().max() <= 1e-6


def test_k_equal_n_recovers_whole_spectrum():
    g = torch.Generator().manual_seed(6)
    a = torch.randn(30, 30, generator=g, dtype=torch.float64)
    op = DenseOperator(a + a.T)
    exact = torch.linalg.eigvalsh(a + a.T).flip(0)
    res = lanczos(op, 30, tol=1e-12, generator=g)
    assert (res.eigenvalues - exact).abs().max() <= 1e-10 * exact.abs().max()


def test_wrapper_matches_operator_and_reports_closed_krylov_space():
    shape = (1, 2, 2)
    model = build_model("linear", shape, 3, seed=0, dtype=torch.float64)
    batch = _data(shape, 20, classes=3)
    dense = HessianOperator(model, CE, batch).dense()
    exact = torch.linalg.eigvalsh(dense).flip(0)
    res = top_eigenpairs(model, CE, batch, 6, tol=1e-12)
    assert ((res.eigenvalues - exact[:6]) / exact[:6]).abs().max() <= 1e-6
    # Softmax regression: shifting all logits by (a . x + c) leaves the loss unchanged, a 5-dim null space;
    # a 3-vector start block spans at most 3 of it, so k = n = 15 cannot be reached and must be reported.
    with pytest.raises(InputError, match="Krylov space closed"):
        top_eigenpairs(model, CE, batch, 15, block_size=3, tol=1e-12)


@pytest.mark.parametrize("n,b", [(10, 4), (7, 3), (13, 4)])
def test_block_lanczos_completes_partial_last_block(n, b):
    """When fewer than b dimensions remain, the basis is completed and the projection is the whole matrix."""
    g = torch.Generator().manual_seed(n)
    a = torch.randn(n, n, generator=g, dtype=torch.float64)
    res = lanczos(DenseOperator(a + a.T), n, block_size=b, tol=1e-12, generator=g)
    exact = torch.linalg.eigvalsh(a + a.T).flip(0)
    assert res.converged and (res.eigenvalues - exact).abs().max() <= 1e-10 * exact.abs().max()


@pytest.mark.parametrize("which", ["LA", "SA"])
def test_single_eigenpair_is_not_stopped_before_convergence(which):
    """k = 1 has no second Ritz value to estimate a gap from: the stop must use the residual alone."""
    g = torch.Generator().manual_seed(3)
    q, _ = torch.linalg.qr(torch.randn(40, 40, generator=g, dtype=torch.float64))
    lam = torch.linspace(-1.0, 5.0, 40, dtype=torch.float64)
    res = lanczos(DenseOperator(q @ torch.diag(lam) @ q.T), 1, which=which, tol=1e-10, generator=g)
    expected = lam.max() if which == "LA" else lam.min()
    assert res.converged and abs(float(res.eigenvalues[0]) - float(expected)) <= 1e-8 * 5


def test_thick_restart_in_a_small_basis_reaches_the_uncapped_answer():
    # max_dim = 24 < the ~60 dimensions an uncapped run needs for 8 pairs of this slowly decaying spectrum
    g = torch.Generator().manual_seed(3)
    q, _ = torch.linalg.qr(torch.randn(300, 300, generator=g, dtype=torch.float64))
    lam = 1.0 / torch.arange(1, 301, dtype=torch.float64) ** 0.5
    op = DenseOperator((q * lam) @ q.T)
    capped = lanczos(op, 8, block_size=2, tol=1e-10, max_dim=24, max_restarts=200, generator=g)
    assert capped.converged and capped.restarts > 0
    torch.testing.assert_close(capped.eigenvalues, lam[:8], rtol=1e-8, atol=0)
    # eigenvectors: each within 1e-4 of the planted one (up to sign)
    assert float((capped.eigenvectors.T @ q[:, :8]).diagonal().abs().min()) >= 1 - 1e-4
    no_restart = lanczos(op, 8, block_size=2, tol=1e-10, max_dim=24, generator=g)
    assert not no_restart.converged


def test_out_receives_the_eigenvectors_and_reports_their_overlap_with_its_old_columns():
    g = torch.Generator().manual_seed(4)
    q, _ = torch.linalg.qr(torch.randn(80, 80, generator=g, dtype=torch.float64))
    op = DenseOperator((q * torch.linspace(2, 0.1, 80, dtype=torch.float64)) @ q.T)
    old = torch.linalg.qr(q[:, :6] + 0.1 * torch.randn(80, 6, generator=g, dtype=torch.float64)).Q
    out = old.clone()
    res = lanczos(op, 6, tol=1e-10, start=old[:, :3], out=out)
    assert res.eigenvectors.data_ptr() == out.data_ptr()
    torch.testing.assert_close(res.prior_overlap, old.T @ out, rtol=0, atol=1e-12)
    assert float((out.T @ q[:, :6]).diagonal().abs().min()) >= 1 - 1e-8
    with pytest.raises(InputError, match="out must be"):
        lanczos(op, 6, out=torch.zeros(80, 5, dtype=torch.float64))
