"""Per-block spectra and mini-batch spread against the dense Hessian (float64)."""

import torch
from torch import nn

from spectral_universality.numerics.hessian import (HessianOperator, block_spectra, layer_blocks,
                                                    minibatch_spread)
from spectral_universality.numerics.models import build_model

CE = nn.functional.cross_entropy
SHAPE = (1, 4, 4)


def _setup(seed=0, n=64):
    model = build_model("mlp", SHAPE, 4, seed=seed, dtype=torch.float64, hidden=10)
    g = torch.Generator().manual_seed(seed + 1)
    return model, (torch.randn(n, *SHAPE, generator=g, dtype=torch.float64), torch.randint(0, 4, (n,), generator=g))


def _slices(model, names):
    """Index ranges of each named parameter in the flat vector (named_parameters order)."""
    out, start = {}, 0
    for name, p in model.named_parameters():
        out[name] = torch.arange(start, start + p.numel())
        start += p.numel()
    return torch.cat([out[n] for n in names])


def test_layer_blocks_are_diagonal_blocks_of_full_hessian():
    model, batch = _setup()
    full = HessianOperator(model, CE, batch).dense()
    top_full = torch.linalg.eigvalsh(full)[-1]
    blocks = layer_blocks(model)
    assert set(blocks) == {"hidden.0", "hidden.1", "out"}
    spectra = block_spectra(model, CE, batch, 5, tol=1e-12)
    for name, members in blocks.items():
        idx = _slices(model, members)
        exact = torch.linalg.eigvalsh(full[idx][:, idx]).flip(0)[:5]
        got = spectra[name].eigenvalues
        assert torch.allclose(got, exact, rtol=1e-8, atol=1e-12 * float(exact.abs().max())), name
        assert got[0] <= top_full * (1 + 1e-10)  # Cauchy interlacing: a principal block's top <= the whole's


def test_custom_blocks_and_cap_at_block_size():
    model, batch = _setup(seed=2)
    spectra = block_spectra(model, CE, batch, 8, blocks={"out_bias": ["out.bias"]}, tol=1e-12)
    assert spectra["out_bias"].eigenvalues.shape == (4,)


def test_minibatch_spread_full_batch_is_weighted_average_hessian():
    model, batch = _setup(seed=3, n=60)
    chunks = list(zip(batch[0].split([20, 20, 20]), batch[1].split([20, 20, 20])))
    spread = minibatch_spread(model, CE, chunks, 3, full_batch=chunks, tol=1e-12)
    per = torch.stack([torch.linalg.eigvalsh(HessianOperator(model, CE, c).dense()).flip(0)[:3] for c in chunks])
    assert torch.allclose(spread.per_batch, per, rtol=1e-8)
    assert torch.allclose(spread.mean, per.mean(dim=0)) and torch.allclose(spread.std, per.std(dim=0))
    whole = torch.linalg.eigvalsh(HessianOperator(model, CE, batch).dense()).flip(0)[:3]
    assert torch.allclose(spread.full_batch, whole, rtol=1e-8)
    # lambda_max is convex: the mean Hessian's top eigenvalue is at most the mean of the batches' tops
    assert spread.full_batch[0] <= spread.mean[0] * (1 + 1e-10)
