"""Parametric models: written-out minibatch gradients equal autograd's, per-row learning rates, centred moments."""

import pytest
import torch

from spectral_universality.errors import InputError
from spectral_universality.numerics.quadratic import power_law_spectrum
from spectral_universality.numerics.teacher_student import RowMoments, train_linear_attention, train_teacher_student


def _autograd_step(loss_fn, param):
    p = param.detach().clone().requires_grad_(True)
    loss_fn(p).backward()
    return p.grad


def test_teacher_student_gradient_is_autograd():
    gen = torch.Generator().manual_seed(0)
    rows, batch, d = 3, 5, 6
    xb = torch.randn(rows, batch, d, generator=gen, dtype=torch.float64)
    yb = torch.randn(rows, batch, generator=gen, dtype=torch.float64)
    w = torch.randn(rows, d, generator=gen, dtype=torch.float64)
    manual = torch.einsum("rb,rbd->rd", torch.einsum("rbd,rd->rb", xb, w) - yb, xb) / batch
    auto = _autograd_step(lambda p: 0.5 * ((torch.einsum("rbd,rd->rb", xb, p) - yb) ** 2).mean(1).sum(), w)
    torch.testing.assert_close(manual, auto)


def test_attention_gradient_is_autograd():
    gen = torch.Generator().manual_seed(1)
    rows, batch, d = 2, 4, 5
    xq, h = (torch.randn(rows, batch, d, generator=gen, dtype=torch.float64) for _ in range(2))
    y = torch.randn(rows, batch, generator=gen, dtype=torch.float64)
    gamma = torch.randn(rows, d, d, generator=gen, dtype=torch.float64)
    resid = torch.einsum("rbd,rde,rbe->rb", xq, gamma, h) - y
    manual = torch.einsum("rb,rbd,rbe->rde", resid, xq, h) / batch
    auto = _autograd_step(lambda p: 0.5 * ((torch.einsum("rbd,rde,rbe->rb", xq, p, h) - y) ** 2).mean(1).sum(), gamma)
    torch.testing.assert_close(manual, auto)


def test_row_learning_rates_equal_separate_runs():
    lam = power_law_spectrum(4, 1.0)[None].expand(2, 4).contiguous()
    both = train_teacher_student(lam, optimizer="sgd", alpha=1.0, batch=3, steps=20, burn_in=0,
                                 generator=torch.Generator().manual_seed(4), row_lr_scale=torch.tensor([0.1, 0.1],
                                                                                                      dtype=torch.float64))
    plain = train_teacher_student(lam, optimizer="sgd", alpha=0.1, batch=3, steps=20, burn_in=0,
                                  generator=torch.Generator().manual_seed(4))
    torch.testing.assert_close(both["moments"].sum_sq, plain["moments"].sum_sq)
    with pytest.raises(InputError, match="SGD only"):
        train_teacher_student(lam, optimizer="adam", alpha=0.1, batch=3, steps=5, burn_in=0,
                              generator=torch.Generator(), row_lr_scale=torch.ones(2, dtype=torch.float64))


def test_centred_moments_equal_direct_computation():
    gen = torch.Generator().manual_seed(2)
    c = torch.randn(50, 3, 4, generator=gen, dtype=torch.float64) + 2.0
    mom = RowMoments.zeros(3, 4)
    for t in range(50):
        mom.update(c[t])
    st = mom.stats(slice(0, 3), center=True)
    cc = c - c.mean(0, keepdim=True)
    torch.testing.assert_close(st.sum_sq[0], (cc**2).sum((0, 1)))
    torch.testing.assert_close(st.sum_lag[0], (cc[1:] * cc[:-1]).sum((0, 1)))


def test_attention_runs_and_reports_finite_statistics():
    lam = power_law_spectrum(4, 1.0)[None].expand(2, 4).contiguous()
    out = train_linear_attention(lam, optimizer="sgd", alpha=0.1, batch=2, steps=30, burn_in=5,
                                 generator=torch.Generator().manual_seed(3), context=8)
    assert out["moments"].n == 30 and not bool(out["diverged"].any())
    assert bool(torch.isfinite(out["eigvals"]).all()) and bool((out["eigvals"] > 0).all())
