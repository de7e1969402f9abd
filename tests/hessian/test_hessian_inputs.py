"""Degenerate inputs give InputError with a message naming the problem."""

import numpy as np
import pytest
import torch
from torch import nn

from spectral_universality.errors import InputError
from spectral_universality.numerics.hessian import DenseOperator, HessianOperator, lanczos
from spectral_universality.numerics.models import build_model, TrajectoryWindow
from spectral_universality.numerics.real_data import CIFAR_ENV, load_cifar10, load_dataset

CE = nn.functional.cross_entropy
SHAPE = (1, 2, 2)


def _batch(n=8):
    g = torch.Generator().manual_seed(0)
    return torch.randn(n, *SHAPE, generator=g), torch.randint(0, 3, (n,), generator=g)


def test_no_trainable_parameters():
    model = build_model("linear", SHAPE, 3, seed=0)
    for p in model.parameters():
        p.requires_grad_(False)
    with pytest.raises(InputError, match="no parameters requiring grad"):
        HessianOperator(model, CE, _batch())


def test_unknown_parameter_name():
    with pytest.raises(InputError, match="not trainable parameters"):
        HessianOperator(build_model("linear", SHAPE, 3, seed=0), CE, _batch(), params=["nope"])


def test_non_scalar_loss():
    per_sample = lambda out, y: CE(out, y, reduction="none")  # noqa: E731
    with pytest.raises(InputError, match="must be a scalar"):
        HessianOperator(build_model("linear", SHAPE, 3, seed=0), per_sample, _batch())


def test_k_larger_than_parameter_count():
    op = HessianOperator(build_model("linear", SHAPE, 3, seed=0), CE, _batch())
    with pytest.raises(InputError, match="only n = 15"):
        lanczos(op, 16)
    with pytest.raises(InputError):
        lanczos(op, 0)


class _SqrtLayer(nn.Module):
    """Output x * sqrt(w): finite at w = 0, but the gradient 1/(2 sqrt(w)) is infinite there."""

    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.zeros(3))

    def forward(self, x):
        return x.flatten(1)[:, :3] * torch.sqrt(self.w)


def test_non_finite_hvp():
    op = HessianOperator(_SqrtLayer(), CE, _batch())
    with pytest.raises(InputError, match="non-finite"):
        op.matvec(torch.ones(3))


def test_non_finite_loss_and_matrix():
    model = build_model("linear", SHAPE, 3, seed=0)
    x, y = _batch()
    with pytest.raises(InputError, match="not finite"):
        HessianOperator(model, CE, (x * float("inf"), y))
    with pytest.raises(InputError):
        DenseOperator(torch.full((3, 3), float("nan")))
    with pytest.raises(InputError):
        DenseOperator(torch.ones(3, 4))


def test_bad_options():
    model = build_model("linear", SHAPE, 3, seed=0)
    with pytest.raises(InputError):
        HessianOperator(model, CE, _batch(), mode="finite-difference")
    with pytest.raises(InputError):
        lanczos(DenseOperator(torch.eye(5)), 2, which="BE")
    with pytest.raises(InputError):
        build_model("resnet", SHAPE, 3, seed=0)
    with pytest.raises(InputError):
        TrajectoryWindow(2, 5)


def test_cifar_missing_and_npz_layout(tmp_path, monkeypatch):
    monkeypatch.delenv(CIFAR_ENV, raising=False)
    with pytest.raises(InputError, match="nothing is downloaded"):
        load_cifar10()
    with pytest.raises(InputError, match="neither"):
        load_cifar10(tmp_path)
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (20, 32, 32, 3), dtype=np.uint8), "y_train": rng.integers(0, 10, 20),
              "x_test": rng.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8), "y_test": rng.integers(0, 10, 6)}
    np.savez(tmp_path / "c.npz", **arrays)
    monkeypatch.setenv(CIFAR_ENV, str(tmp_path / "c.npz"))
    data = load_dataset("cifar10")
    assert data.image_shape == (3, 32, 32) and data.x_test.shape[0] == 6
    # standardised per channel on the training split
    assert torch.allclose(data.x_train.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-5)
    assert torch.allclose(data.x_train.std(dim=(0, 2, 3), unbiased=False), torch.ones(3), atol=1e-4)
    # channel 0 of test image 0, pixel (0, 0) maps back to the stored uint8 value
    raw = arrays["x_train"][:, :, :, 0].astype(np.float64)
    expect = (arrays["x_test"][0, 0, 0, 0] - raw.mean()) / (raw.std() + 1e-8)
    assert float(data.x_test[0, 0, 0, 0]) == pytest.approx(expect, rel=1e-5)


def test_trajectory_window_keeps_last_iterates_in_order():
    win = TrajectoryWindow(4, 2)
    for t in range(7):
        win.push(torch.tensor([t, -t]))
    assert win.array()[:, 0].tolist() == [3.0, 4.0, 5.0, 6.0] and len(win) == 4
