"""Exact strided sampling for the linear-Gaussian optimizers (SGD, heavy ball, noise-dominated Adam).

On the diagonal quadratic these optimizers are, per mode, linear recursions ``x_{t+1} = A x_t + w z_t`` with
Gaussian ``z_t`` (state ``x = theta`` for SGD, ``x = (theta, b)`` for heavy ball).  The h-step transition is
again Gaussian: ``x_{t+h} = A^h x_t + N(0, Sigma_h)`` with ``Sigma_h = sum_{j<h} A^j Q A^jT``, ``Q = w w^T``.
Both are computed here numerically from the one-step ``(A, Q)`` by doubling
(``A^{2h} = A^h A^h``, ``Sigma_{2h} = Sigma_h + A^h Sigma_h A^hT``), in float64, so no closed form is repeated
outside ``theory/`` (the tests compare against ``theory``'s closed forms).

Equal statistical error: for a stationary Gaussian sequence the variance of the time average of ``c^2`` over
``N`` points at lag ``h`` is ``2 e^2 tau_h / N`` with ``tau_h = 1 + 2 sum_{l>=1} rho(l h)^2``.  Matching the
per-step estimator over ``T`` steps (``2 e^2 tau_1 / T``) needs ``N = T tau_h / tau_1`` strided draws.  Modes
are grouped by a power-of-two stride ``h_k`` (largest with ``rho(h_k) >= rho_min``, so the lag-h
autocorrelation, hence gamma, stays measurable); each group is one rectangular tensor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from typing import Any

import torch
from torch import Tensor

from spectral_universality.errors import HypothesisViolation, InputError

#: the hand-derived optimizers whose mode recursion is linear-Gaussian, as (spec, parameters); every built-in or
#: user spec is linear-Gaussian too
LINEAR_GAUSSIAN = ("sgd", "momentum", "adam-noise")


def as_spec(optimizer: str, alpha: float, sigma: float, mu: float = 0.9) -> tuple[Any, dict[str, float]]:
    """``(spec, params)`` of a linear-Gaussian optimizer name: a built-in spec, or for ``adam-noise`` SGD at the
    class rate theory derives for it (``alpha / sigma``)."""
    from spectral_universality.numerics.expected import evaluate_form
    from spectral_universality.theory.spec import builtin, builtin_names

    if optimizer == "adam-noise":
        if not sigma > 0:
            raise HypothesisViolation("sigma > 0", f"sigma = {sigma}")
        return builtin("sgd"), {"alpha": float(evaluate_form("adam-noise", "class_rate", alpha=alpha, sigma=sigma))}
    if optimizer not in builtin_names():
        raise InputError(f"{optimizer!r} is not linear-Gaussian; exact transitions exist for "
                         f"{', '.join(sorted(set(LINEAR_GAUSSIAN) | set(builtin_names())))}")
    spec = builtin(optimizer)
    return spec, {k: v for k, v in {"alpha": alpha, "mu": mu}.items() if k in spec.params}


def spec_system(spec: Any, lam: Tensor, *, sigma: float, **params: float) -> tuple[Tensor, Tensor]:
    """Per-mode one-step ``(A, Q = b b^T)`` of a spec, shapes ``(modes, n, n)``, float64 on ``lam.device``: the
    system ``theory`` composes from the spec's update lines (its domain checked there)."""
    from spectral_universality.theory.spec import numeric_system, resolve

    a, b = numeric_system(resolve(spec), lam.detach().cpu().numpy(), sigma=sigma, **params)
    a_t = torch.as_tensor(a, dtype=torch.float64, device=lam.device)
    b_t = torch.as_tensor(b, dtype=torch.float64, device=lam.device).unsqueeze(-1)
    return a_t, b_t @ b_t.transpose(-1, -2)


def one_step_system(optimizer: str, lam: Tensor, alpha: float, sigma: float, mu: float = 0.9) -> tuple[Tensor, Tensor]:
    """:func:`spec_system` of an optimizer name (:func:`as_spec`)."""
    spec, params = as_spec(optimizer, alpha, sigma, mu)
    return spec_system(spec, lam, sigma=sigma, **params)


def power_and_covariance(a: Tensor, q: Tensor, log2_h: Tensor) -> tuple[Tensor, Tensor]:
    """``(A^h, Sigma_h)`` per mode for ``h = 2**log2_h`` (``log2_h`` int tensor ``(modes,)``), by doubling."""
    ah, sh = a.clone(), q.clone()
    out_a, out_s = a.clone(), q.clone()
    for j in range(int(log2_h.max()) + 1):
        done = (log2_h == j).reshape(-1, 1, 1)
        out_a = torch.where(done, ah, out_a)
        out_s = torch.where(done, sh, out_s)
        sh = sh + ah @ sh @ ah.transpose(-1, -2)
        ah = ah @ ah
    return out_a, out_s


def stationary_covariance(a: Tensor, q: Tensor, max_doublings: int = 80) -> Tensor:
    """Stationary ``S = sum_j A^j Q A^jT`` per mode by doubling until ``A^h`` is negligible."""
    rad = torch.linalg.eigvals(a).abs().amax(-1)
    if bool((rad >= 1).any()):
        raise InputError("the recursion is not contracting for some mode (spectral radius >= 1): no stationary state")
    ah, sh = a.clone(), q.clone()
    for _ in range(max_doublings):
        sh = sh + ah @ sh @ ah.transpose(-1, -2)
        ah = ah @ ah
        if float(ah.abs().max()) < 1e-18:
            break
    return sh


def psd_sqrt(cov: Tensor) -> Tensor:
    """A square root ``L`` with ``L L^T = cov`` for batched PSD ``cov`` (rank-deficient allowed: the one-step
    heavy-ball noise ``Q`` has rank 1, where Cholesky fails)."""
    w, v = torch.linalg.eigh(cov)
    return v * w.clamp_min(0).sqrt().unsqueeze(-2)


def tau_sq(a: Tensor, s: Tensor) -> Tensor:
    """``1 + 2 sum_{l>=1} rho(l)^2`` for the first component, exactly, via ``(I - A kron A)^{-1}``."""
    n = a.shape[-1]
    kron = torch.einsum("kij,kab->kiajb", a, a).reshape(-1, n * n, n * n)
    eye = torch.eye(n * n, dtype=a.dtype, device=a.device)
    u = torch.zeros(n * n, dtype=a.dtype, device=a.device)
    u[0] = 1.0
    w = torch.einsum("ki,kj->kij", s[:, :, 0], s[:, :, 0]).reshape(-1, n * n, 1)  # (S e0) kron (S e0)
    geo = torch.linalg.solve(eye - kron, w) - w  # sum_{l>=1} (A kron A)^l w
    return 1 + 2 * (u @ geo)[:, 0] / s[:, 0, 0] ** 2


@dataclass
class StridedStats:
    """Pooled sums of a strided run: ``c^2`` and lag-``h_k`` products per mode, draws per mode per seed."""

    sum_sq: Tensor  # (modes,) float64
    sum_lag: Tensor  # (modes,) float64
    n_per_mode: Tensor  # (modes,) int64
    seeds: int


@dataclass
class StridedPlan:
    """Stride groups: ``log2_stride`` per mode ``(modes,)`` and draws per group to match ``steps`` per-step."""

    log2_stride: Tensor
    draws: dict[int, int]
    tau1: Tensor  # (modes,) per-step tau
    tau_h: Tensor  # (modes,) strided tau


def plan_strides(a: Tensor, s: Tensor, steps: int, rho_min: float = 0.5, max_log2: int = 20) -> StridedPlan:
    """Largest power-of-two stride per mode keeping ``rho(h) >= rho_min``; draws for equal error on ``e_k``."""
    tau1 = tau_sq(a, s)
    log2 = torch.zeros(a.shape[0], dtype=torch.long, device=a.device)
    ah = a.clone()
    for j in range(1, max_log2 + 1):
        ah = ah @ ah
        rho = (ah @ s)[:, 0, 0] / s[:, 0, 0]
        log2 = torch.where(rho >= rho_min, torch.full_like(log2, j), log2)
    a_h, _ = power_and_covariance(a, torch.zeros_like(a), log2)
    tau_h = tau_sq(a_h, s)
    draws = {}
    for j in sorted(set(log2.tolist())):
        sel = log2 == j
        draws[j] = max(2, math.ceil(float((steps * tau_h[sel] / tau1[sel]).max())))
    return StridedPlan(log2_stride=log2, draws=draws, tau1=tau1, tau_h=tau_h)


def simulate_strided(
    optimizer: str,
    lam: Tensor,
    *,
    alpha: float,
    sigma: float,
    steps: int,
    seeds: int,
    generator: torch.Generator,
    mu: float = 0.9,
    rho_min: float = 0.5,
    dtype: torch.dtype | None = None,
    params: dict[str, float] | None = None,
) -> tuple[StridedStats, StridedPlan]:
    """Stationary exact strided simulation with the same error on ``e_k`` as ``steps`` per-step steps.

    ``optimizer`` is a linear-Gaussian name (``alpha``, ``mu`` used) or, with ``params`` (its parameters by
    name; ``alpha``/``mu`` then ignored), any optimizer spec: a built-in name, a ``.toml`` path or an
    :class:`~spectral_universality.theory.spec.OptimizerSpec`.  Statistics are those of the state's first
    coordinate, theta.

    Returns the pooled sums (lag-``h_k`` products, draws per mode differ by group; read them with
    :func:`strided_estimates`) and the plan.
    """
    dtype = dtype or lam.dtype
    a, q = one_step_system(optimizer, lam, alpha, sigma, mu) if params is None else \
        spec_system(optimizer, lam, sigma=sigma, **params)
    s = stationary_covariance(a, q)
    plan = plan_strides(a, s, steps, rho_min)
    a_h, s_h = power_and_covariance(a, q, plan.log2_stride)
    n = a.shape[-1]
    modes = lam.numel()
    sum_sq = torch.zeros(modes, dtype=torch.float64, device=lam.device)
    sum_lag = torch.zeros_like(sum_sq)
    n_samples = torch.zeros(modes, dtype=torch.long, device=lam.device)
    for j, draws in plan.draws.items():
        idx = (plan.log2_stride == j).nonzero().squeeze(1)
        k = idx.numel()
        chol_s = psd_sqrt(s[idx]).to(dtype)
        if n == 1:
            coef, std = a_h[idx, 0, 0].to(dtype), s_h[idx, 0, 0].sqrt().to(dtype)
            x = torch.randn(seeds, k, generator=generator, dtype=dtype, device=lam.device) * chol_s[:, 0, 0]
            z, y = torch.empty_like(x), torch.empty_like(x)
            sq = (x * x).sum(0, dtype=torch.float64)
            lag = torch.zeros(k, dtype=torch.float64, device=lam.device)
            for _ in range(draws - 1):
                torch.randn(seeds, k, generator=generator, out=z)
                torch.addcmul(x * coef, z, std, out=y)
                lag += (x * y).sum(0, dtype=torch.float64)
                sq += (y * y).sum(0, dtype=torch.float64)
                x, y = y, x
        else:
            coef = a_h[idx].to(dtype)
            chol_h = psd_sqrt(s_h[idx]).to(dtype)
            x = torch.einsum("kij,skj->ski", chol_s, torch.randn(seeds, k, n, generator=generator, dtype=dtype, device=lam.device))
            sq = (x[..., 0] ** 2).sum(0, dtype=torch.float64)
            lag = torch.zeros(k, dtype=torch.float64, device=lam.device)
            for _ in range(draws - 1):
                z = torch.randn(seeds, k, n, generator=generator, dtype=dtype, device=lam.device)
                y = torch.einsum("kij,skj->ski", coef, x) + torch.einsum("kij,skj->ski", chol_h, z)
                lag += (x[..., 0] * y[..., 0]).sum(0, dtype=torch.float64)
                sq += (y[..., 0] ** 2).sum(0, dtype=torch.float64)
                x = y
        sum_sq[idx], sum_lag[idx], n_samples[idx] = sq, lag, draws
    return StridedStats(sum_sq=sum_sq, sum_lag=sum_lag, n_per_mode=n_samples, seeds=seeds), plan


def strided_estimates(stats: StridedStats, plan: StridedPlan) -> dict[str, Tensor]:
    """Per-mode energy, lag-``h_k`` autocorrelation and per-step ``rho`` (``rho_h^(1/h)``) from a strided run."""
    n = stats.n_per_mode.to(torch.float64)
    e = stats.sum_sq / (stats.seeds * n)
    rho_h = stats.sum_lag / (stats.seeds * (n - 1)) / e
    h = torch.pow(2.0, plan.log2_stride.to(torch.float64))
    rho1 = torch.sign(rho_h) * rho_h.abs().pow(1 / h)
    return {"energies": e, "rho_h": rho_h, "stride": h, "rho": rho1, "draws": n}
