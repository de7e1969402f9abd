"""Gradient-manifold diagnostics (numerics/gradient_manifold.py) on sequences with closed-form answers.

Monte-Carlo comparisons use ``linkcheck.agrees``: tolerance ``z(1e-8) * SE`` with the SE from independent
replicates (delta method for the pooled ratio), plus, for the fitted predictors, the classical least-squares
estimation excess ``mse * order / (window * rank)`` (Akaike's FPE inflation with ``window * rank`` independent
scalar signal samples per fit), which can only make the fitted error larger. Rank comparisons use Gordon's
bound for the sketch at failure probability 1e-8 (theory form ``gordon_eps``)."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from spectral_universality.errors import HypothesisViolation, InputError
from spectral_universality.linkcheck import FALSE_ALARM_PER_COMPARISON, agrees, z_critical
from spectral_universality.numerics import gradient_manifold as gm
from spectral_universality.theory import gradient_manifold as th

RATE = FALSE_ALARM_PER_COMPARISON


# ---------------------------------------------------------------------------------------------- sketch
@pytest.mark.parametrize("kind", gm.SKETCH_KINDS)
def test_sketch_chunked_equals_cached_and_matrix(kind):
    g = torch.randn(5, 1000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    cached = gm.GradientSketch(1000, 16, kind=kind, seed=3, chunk=300)
    streamed = gm.GradientSketch(1000, 16, kind=kind, seed=3, chunk=300, cache_elements=0)
    assert streamed._cache is None and cached._cache is not None
    torch.testing.assert_close(cached.project(g), streamed.project(g), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(streamed.project(g), g @ streamed.matrix().T, rtol=1e-12, atol=1e-12)
    other = gm.GradientSketch(1000, 16, kind=kind, seed=4, chunk=300)
    assert not torch.allclose(other.project(g), cached.project(g))


def test_sketch_large_dim_streams_in_chunks():
    """P = 2e6 with m = 4: only (m, chunk) blocks are ever allocated."""
    P = 2_000_000
    sk = gm.GradientSketch(P, 4, seed=0, chunk=1 << 16, dtype=torch.float32, cache_elements=0)
    g = torch.ones(P)
    s = sk.update(g)
    assert s.shape == (4,) and len(sk) == 1 and torch.isfinite(s).all()
    # ||R 1||^2 / P ~ chi2_4 / 4: inside (0, 20) except with probability < 1e-8
    assert 0 < float(s.double().square().sum()) / P < 20


@pytest.mark.parametrize("kind", gm.SKETCH_KINDS)
def test_sketch_preserves_energy_in_expectation(kind):
    """E||R g||^2 = ||g||^2 over the sketch seed."""
    g = torch.randn(300, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    g[:5] *= 10  # a few heavy coordinates: the sign sketch's variance depends on sum g_i^4
    vals = np.array([float(gm.GradientSketch(300, 8, kind=kind, seed=s).project(g).square().sum())
                     for s in range(300)]) / float(g.square().sum())
    assert agrees(vals.mean(), vals.std(ddof=1) / math.sqrt(len(vals)), 1.0).holds


def test_streaming_updates_equal_block_projection():
    X = torch.randn(7, 50, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    a, b = gm.GradientSketch(50, 6, seed=1), gm.GradientSketch(50, 6, seed=1)
    for row in X:
        a.update(row)
    b.update(X[:3])
    b.update(X[3:])
    torch.testing.assert_close(a.history(), b.history())
    assert a.history().shape == (7, 6)


def test_sketched_training_logs_every_step():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)).double()
    gen = torch.Generator().manual_seed(0)
    batches = ((torch.randn(8, 4, generator=gen, dtype=torch.float64), torch.randint(0, 2, (8,), generator=gen))
               for _ in range(10))
    P = sum(p.numel() for p in model.parameters())
    sk = gm.GradientSketch(P, 5, seed=0)
    out = gm.sketched_training(model, nn.functional.cross_entropy, batches, torch.optim.SGD(model.parameters(), 0.1),
                               6, sk, keep_exact=True)
    assert len(out["losses"]) == 6 and len(sk) == 6
    torch.testing.assert_close(sk.history(), sk.project(out["exact"]))
    assert not torch.allclose(out["exact"][0], out["exact"][-1])  # parameters moved, gradients changed


def test_optimizer_hook_feeds_the_sketch_in_a_user_loop():
    torch.manual_seed(0)
    model = nn.Linear(3, 2).double()
    opt = torch.optim.Adam(model.parameters(), 0.01)
    sk = gm.GradientSketch(8, 4, seed=2)
    handle = gm.attach_to_optimizer(sk, model, opt)
    x = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    grads = []
    for _ in range(3):
        opt.zero_grad()
        model(x).square().sum().backward()
        grads.append(gm.flat_grad(model).clone())
        opt.step()
    handle.remove()
    opt.step()  # detached: not logged
    assert len(sk) == 3
    torch.testing.assert_close(sk.history(), sk.project(torch.stack(grads)))


# ------------------------------------------------------------------------------------- exact predictors
def test_ar2_recovers_rotation_exactly():
    """g_t = rho Rot(theta) g_{t-1} satisfies g_t = 2 rho cos(theta) g_{t-1} - rho^2 g_{t-2} (Cayley-Hamilton)."""
    rho, theta = 0.97, 0.3
    rot = rho * torch.tensor([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]],
                             dtype=torch.float64)
    g = [torch.tensor([1.0, 0.0], dtype=torch.float64)]
    for _ in range(60):
        g.append(rot @ g[-1])
    seq = torch.stack(g)
    c = gm.ar_coefficients(seq, 2, 10, ridge=0.0)
    expected = torch.tensor([2 * rho * math.cos(theta), -rho**2], dtype=torch.float64).expand_as(c)
    torch.testing.assert_close(c, expected, rtol=1e-9, atol=1e-9)
    pl = gm.path_length(seq, gm.Predictor("ar", order=2, window=10, ridge=0.0))
    assert pl.ratio < 1e-8
    assert gm.path_length(seq, gm.Predictor("last")).ratio > 0.1


# ------------------------------------------------------------------------------- planted: path lengths
PLANTED = dict(rank=4, phi=0.8, q=1.0, sigma=0.02, P=1000)


def test_planted_prediction_error_matches_closed_form():
    K, window = 24, 32
    preds = {"last": gm.Predictor(), "oracle": gm.Predictor("fixed", coefficients=(PLANTED["phi"],)),
             "yw1": gm.Predictor("ar", order=1, window=window), "yw2": gm.Predictor("ar", order=2, window=window)}
    for space, m in (("raw", None), ("sketch", 64)):
        res = gm.planted_ratios(PLANTED, preds, replicates=K, steps=300, m=m, seed=100)
        for k, pooled in res.items():
            expected = th.evaluate(f"ratio_{k}", **PLANTED)
            excess = gm.estimation_excess(expected, preds[k], PLANTED["rank"])
            verdict = gm.matches_theory(pooled.energy_ratio, pooled.energy_se, expected, excess)
            assert verdict.holds, f"{k} {space}: {verdict.detail}"
        # the predictable sequence is predictable: path-length ratio far below 1
        assert res["yw2"].ratio + z_critical(RATE) * res["yw2"].ratio_se < 1


def test_iid_negative_control():
    """i.i.d. isotropic gradients: last-gradient norm ratio -> sqrt 2 (chi means), energy ratio -> 2, the fitted
    predictor cannot beat the zero forecast (energy ratio -> 1)."""
    K, T, P, m, window = 16, 200, 400, 48, 32
    preds = {"last": gm.Predictor(), "ar": gm.Predictor("ar", order=1, window=window)}
    seqs = (gm.GradientSketch(P, m, seed=rep).project(
        torch.randn(T, P, generator=torch.Generator().manual_seed(500 + rep), dtype=torch.float64)) for rep in range(K))
    res = gm.pooled_ratios(seqs, preds)
    phi0 = dict(phi=0.0, q=1.0, sigma=1.0, rank=1, P=P)  # phi = 0: the planted model is i.i.d.
    assert agrees(res["last"].ratio, res["last"].ratio_se, th.evaluate("chi_norm_ratio")).holds
    assert agrees(res["last"].energy_ratio, res["last"].energy_se, th.evaluate("ratio_last", **phi0)).holds
    expected = th.evaluate("ratio_yw1", **phi0)
    excess = gm.estimation_excess(expected, preds["ar"], m)  # i.i.d. noise in all m sketch coordinates
    assert gm.matches_theory(res["ar"].energy_ratio, res["ar"].energy_se, expected, excess).holds


# ------------------------------------------------------------------------------------- planted: rank
def test_planted_rank_recovered_raw_and_sketched():
    """Noiseless rank-4 sequence: true increment rank 4; a Gaussian sketch with m = 512 keeps every singular
    value within 1 +- eps (Gordon, failure 1e-8), so the certified energy-rank interval is {4}; m = 4 * rank
    keeps the rank too (R U has full column rank a.s.)."""
    r, P, T = 4, 2000, 300
    X, _ = gm.planted_sequence(T, P, r, 0.8, 1.0, 0.0, generator=torch.Generator().manual_seed(7))
    true = gm.predictable_rank(X)
    assert true.rank == r and true.participation <= r + 1e-9 and true.entropy_rank <= r + 1e-9
    assert th.evaluate("participation", phi=0.8, q=1.0, sigma=0.0, rank=r, P=P) == pytest.approx(r)
    sk = gm.GradientSketch(P, 512, seed=11)
    sketched = gm.predictable_rank(sk.project(X))
    eps = th.evaluate("gordon_eps", rank=r, m=512, delta=RATE)
    s_true, s_sk = torch.as_tensor(true.svals[:r]), torch.as_tensor(sketched.svals[:r])
    assert torch.all(s_sk >= (1 - eps) * s_true) and torch.all(s_sk <= (1 + eps) * s_true)
    lo, hi = gm.jl_rank_interval(torch.as_tensor(true.svals), eps)
    assert lo == hi == r and sketched.rank == r
    assert gm.predictable_rank(gm.GradientSketch(P, 4 * r, seed=12).project(X)).rank == r


def test_planted_rank_with_small_noise():
    """Noise holding < 0.1% of the increment energy (theory ``signal_fraction``) leaves the 99% rank at rank."""
    p = dict(rank=3, phi=0.8, q=1.0, sigma=0.0005, P=2000)
    assert 1 - th.evaluate("signal_fraction", **p) < 1e-3
    X, _ = gm.planted_sequence(300, p["P"], p["rank"], p["phi"], p["q"], p["sigma"],
                               generator=torch.Generator().manual_seed(8))
    assert gm.predictable_rank(X).rank == p["rank"]
    assert gm.predictable_rank(gm.GradientSketch(p["P"], 64, seed=1).project(X)).rank == p["rank"]


def test_iid_increments_full_rank():
    """i.i.d. isotropic gradients (d = 24, T - 1 = 16 d): numerically full rank, and the 99% rank reaches at
    least 0.9 d (it would need one eigenvalue of the increment covariance below 0.1 of the mean otherwise,
    far outside the Marchenko-Pastur range (1 -+ 1/4)^2 at this aspect ratio)."""
    d = 24
    X = torch.randn(16 * d + 1, d, generator=torch.Generator().manual_seed(9), dtype=torch.float64)
    pr = gm.predictable_rank(X)
    assert gm.energy_rank(torch.as_tensor(pr.svals), 1.0) == d
    assert pr.rank >= 0.9 * d and pr.participation > d / 2


# ------------------------------------------------------------------------------------------ input checks
def test_input_errors():
    with pytest.raises(InputError, match="kind"):
        gm.GradientSketch(10, 2, kind="cauchy")
    with pytest.raises(InputError, match="shape"):
        gm.GradientSketch(10, 2).project(torch.zeros(11))
    with pytest.raises(InputError, match="non-finite"):
        gm.GradientSketch(3, 2).project(torch.tensor([1.0, float("nan"), 0.0]))
    with pytest.raises(InputError, match="coefficients"):
        gm.Predictor("fixed")
    with pytest.raises(InputError, match="window"):
        gm.Predictor("ar", order=3, window=2)
    with pytest.raises(InputError, match="at least"):
        gm.path_length(torch.zeros(5, 3), gm.Predictor("ar", order=1, window=8))
    with pytest.raises(InputError, match="zero"):
        gm.path_length(torch.zeros(5, 3))
    with pytest.raises(InputError, match="2-d"):
        gm.predictable_rank(torch.zeros(5))
    with pytest.raises(InputError, match="fraction"):
        gm.energy_rank(torch.ones(3), 1.5)
    with pytest.raises(HypothesisViolation, match="phi"):
        gm.planted_sequence(10, 5, 2, 1.0, 1.0, 0.0, generator=torch.Generator())
    with pytest.raises(InputError, match="blocks"):
        gm.block_ratio(np.ones(5), np.ones(5), blocks=10)


def test_wide_increments_use_gram_route_accurately():
    X = torch.randn(41, 400, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    ref = torch.linalg.svdvals(X[1:] - X[:-1])
    torch.testing.assert_close(gm.increment_singular_values(X), ref, rtol=1e-10, atol=0)
