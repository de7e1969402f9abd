"""Vectorised quadratic simulators against torch.optim (same noise draws) and their online accumulators."""

import math
import pytest
import numpy as np
import torch

from spectral_universality.errors import HypothesisViolation, InputError
from spectral_universality.numerics.identify import lag_sums
from spectral_universality.numerics.quadratic import (
    memory_estimate,
    power_law_spectrum,
    random_orthogonal,
    simulate_quadratic,
)

SEEDS, MODES, STEPS, SIGMA = 3, 7, 60, 0.7


def _reference(optimizer, lam, theta0, alpha, generator, rotation=None, **hyper):
    """Trajectory of torch.optim on the same model, drawing the same noise in the same order."""
    param = torch.nn.Parameter(theta0.clone())
    if optimizer == "sgd":
        opt = torch.optim.SGD([param], lr=alpha)
    elif optimizer == "adam-noise":
        opt = torch.optim.SGD([param], lr=alpha / SIGMA)
    elif optimizer == "momentum":
        opt = torch.optim.SGD([param], lr=alpha, momentum=hyper["mu"], dampening=0)
    else:
        opt = torch.optim.Adam([param], lr=alpha, betas=(hyper["beta1"], hyper["beta2"]), eps=hyper["eps"])
    out = []
    for _ in range(STEPS):
        z = torch.randn(SEEDS, MODES, generator=generator, dtype=lam.dtype)
        th = param.detach()
        hth = th * lam if rotation is None else ((th @ rotation) * lam) @ rotation.T
        param.grad = hth + SIGMA * z
        opt.step()
        out.append(param.detach().clone())
    return torch.stack(out)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "adam-noise"])
@pytest.mark.parametrize("rotated", [False, True])
def test_matches_torch_optim(optimizer, rotated):
    lam = power_law_spectrum(MODES, 1.5, dtype=torch.float64)
    hyper = dict(mu=0.8, beta1=0.85, beta2=0.99, eps=1e-6)
    rot = random_orthogonal(MODES, torch.Generator().manual_seed(5)) if rotated else None
    theta0 = torch.randn(SEEDS, MODES, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    res = simulate_quadratic(optimizer, lam, alpha=0.3, sigma=SIGMA, steps=STEPS, seeds=SEEDS, theta0=theta0,
                             generator=torch.Generator().manual_seed(11), record=True, rotation=rot, **hyper)
    ref = _reference(optimizer, lam, theta0, 0.3, torch.Generator().manual_seed(11), rotation=rot, **hyper)
    torch.testing.assert_close(res.trajectory, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "momentum"])
def test_online_accumulators_equal_trajectory_moments(optimizer):
    lam = power_law_spectrum(MODES, 1.0, dtype=torch.float64)
    res = simulate_quadratic(optimizer, lam, alpha=0.1, sigma=SIGMA, steps=STEPS, seeds=4, burn_in=5,
                             generator=torch.Generator().manual_seed(2), record=True, window=20, seed_groups=2)
    c = res.trajectory  # (T, seeds, K)
    torch.testing.assert_close(res.stats.sum_sq, (c**2).reshape(STEPS, 2, 2, MODES).sum((0, 2)))
    torch.testing.assert_close(res.stats.sum_lag, (c[1:] * c[:-1]).reshape(STEPS - 1, 2, 2, MODES).sum((0, 2)))
    w = c[:60].reshape(3, 20, 4, MODES)
    torch.testing.assert_close(res.stats.window_sq, (w**2).sum((1, 2)))
    torch.testing.assert_close(res.stats.window_lag, (w[:, 1:] * w[:, :-1]).sum((1, 2)))
    assert res.stats.energies().shape == (MODES,)
    online, offline = res.stats.lag_sums(), lag_sums(c.numpy())
    assert (online.lag2 is None) == (optimizer == "sgd")  # lag-2 sums by default for second-order recursions
    for name in ("sq", "lag1", "head", "tail") + (("lag2",) if online.lag2 is not None else ()):
        np.testing.assert_allclose(getattr(online, name), getattr(offline, name), rtol=1e-10, err_msg=name)


def test_chunked_run_has_same_law_shapes_and_state():
    lam = power_law_spectrum(10, 1.0, dtype=torch.float32)
    res = simulate_quadratic("adam", lam, alpha=0.01, sigma=1.0, steps=5, seeds=2, chunk_modes=3,
                             generator=torch.Generator().manual_seed(0))
    assert res.theta.shape == (2, 10) and res.stats.sum_sq.shape == (1, 10)
    whole = memory_estimate("adam", 10**6, 64, torch.float32)
    assert whole < 2 * 10**9
    # four blocks: the per-block working set shrinks 4x; the assembled final state (one seeds x modes) stays
    assert memory_estimate("adam", 10**6, 64, torch.float32, chunk_modes=250_000) < 0.5 * whole


@pytest.mark.parametrize(
    "kwargs, exc",
    [
        (dict(optimizer="rmsprop"), InputError),
        (dict(alpha=0.0), HypothesisViolation),
        (dict(alpha=-1.0), HypothesisViolation),
        (dict(optimizer="momentum", mu=1.0), HypothesisViolation),
        (dict(optimizer="adam-noise", sigma=0.0), HypothesisViolation),
        (dict(steps=1), InputError),
        (dict(alpha=float("nan")), InputError),
    ],
)
def test_bad_parameters_raise(kwargs, exc):
    base = dict(optimizer="sgd", alpha=0.1, sigma=1.0, steps=10)
    base.update(kwargs)
    lam = power_law_spectrum(4, 1.0)
    with pytest.raises(exc):
        simulate_quadratic(base.pop("optimizer"), lam, seeds=2, generator=torch.Generator(), **base)


def test_nonpositive_eigenvalue_is_a_hypothesis_violation():
    with pytest.raises(HypothesisViolation, match="lam_k > 0"):
        simulate_quadratic("sgd", torch.tensor([1.0, 0.0]), alpha=0.1, sigma=1.0, steps=5, seeds=1,
                           generator=torch.Generator())


def test_prefetch_keeps_the_stream_and_draws_nothing_past_the_run():
    """Drawing step t+1 on a worker thread changes neither the trajectory nor the generator's final state."""
    lam = power_law_spectrum(MODES, 1.0, dtype=torch.float64)
    runs, nexts = [], []
    for prefetch in (True, False):
        gen = torch.Generator().manual_seed(4)
        runs.append(simulate_quadratic("adam", lam, alpha=0.1, sigma=SIGMA, steps=STEPS, seeds=4, generator=gen,
                                       record=True, prefetch=prefetch).trajectory)
        nexts.append(torch.randn(3, generator=gen, dtype=torch.float64))
    torch.testing.assert_close(runs[0], runs[1], rtol=0, atol=0)
    torch.testing.assert_close(nexts[0], nexts[1], rtol=0, atol=0)


def test_parallel_noise_streams_are_another_valid_stream():
    """Two streams: a different trajectory, the same law (stationary SGD energy of a fast mode within 5.73 s.e.)."""
    lam = torch.tensor([1.0], dtype=torch.float64)
    alpha, seeds, steps = 0.5, 64, 4000
    one = simulate_quadratic("sgd", lam, alpha=alpha, sigma=1.0, steps=steps, seeds=seeds, burn_in=50,
                             generator=torch.Generator().manual_seed(5), lag2=True)
    two = simulate_quadratic("sgd", lam, alpha=alpha, sigma=1.0, steps=steps, seeds=seeds, burn_in=50,
                             generator=torch.Generator().manual_seed(5), lag2=True, noise_streams=2)
    assert not torch.equal(one.theta, two.theta)
    from spectral_universality.theory import SYMBOLS, closed_forms

    exact = float(closed_forms()["sgdFixedPoint"].subs({SYMBOLS["alpha"]: alpha, SYMBOLS["lam"]: 1, SYMBOLS["sigma"]: 1}))
    rho = 1 - alpha  # c^2 has lag-h correlation rho^(2h): integrated time (1 + rho^2)/(1 - rho^2)
    se = exact * math.sqrt(2 * (1 + rho**2) / (1 - rho**2) / (seeds * steps))
    assert abs(float(two.stats.energies()[0]) - exact) <= 5.73 * se
