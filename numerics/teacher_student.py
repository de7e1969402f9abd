"""Parametric models with a planted data spectrum, trained by ``torch.optim`` (the §5.1 benchmark's models).

* Teacher-student linear regression: inputs ``x ~ N(0, diag(lam))``, ``lam_k = k^-s``, labels
  ``y = w*^T x + sigma_y eps``; the student ``w`` minimises ``1/2 (w^T x - y)^2`` on minibatches of ``batch``
  fresh samples (``n=None``) or of a fixed training set of ``n`` samples (shared by all seeds, so the
  empirical Hessian ``X^T X / n`` and its eigenbasis are common).  Gradient noise comes from sampling only.
* Linear attention on in-context regression: a prompt holds ``context`` pairs ``(x_i, y_i = w^T x_i)`` with a
  fresh task ``w ~ N(0, I)`` and a query ``x_q``; single-layer linear self-attention predicts
  ``y_hat = x_q^T Gamma h``, ``h = (1/context) sum_i x_i y_i`` (the key-query and value products merged into
  ``Gamma (d, d)``).  Its population Hessian is diagonal in the entries of ``Gamma`` in the data eigenbasis, so
  mode ``k`` is the diagonal entry ``Gamma_kk``.

Many rows (independent runs, possibly with different spectra) are trained at once: each row has its own
parameters and its loss does not couple to the others, so one ``torch.optim`` optimizer over the stacked
parameter is exactly ``rows`` independent optimizers (Adam and SGD act elementwise).  The minibatch
gradient of these quadratic losses is written out (``.grad`` is set, then ``optimizer.step()``): autograd
would give the same numbers at several times the per-step overhead (checked in the tests).  Statistics are
accumulated online per row (sums of ``c^2`` and ``c_t c_{t+1}`` of the coordinates ``c``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from spectral_universality.errors import InputError
from spectral_universality.numerics.models import make_optimizer
from spectral_universality.numerics.quadratic import ModeStats


@dataclass
class RowMoments:
    """Per-row online sums for coordinates ``c (rows, K)``."""

    sum_sq: Tensor  # (rows, K) float64
    sum_lag: Tensor  # (rows, K) float64
    sum_c: Tensor  # (rows, K) float64
    n: int = 0
    prev: Tensor | None = None
    first: Tensor | None = None

    @classmethod
    def zeros(cls, rows: int, modes: int, device=None) -> "RowMoments":
        z = torch.zeros(rows, modes, dtype=torch.float64, device=device)
        return cls(sum_sq=z, sum_lag=z.clone(), sum_c=z.clone())

    def update(self, c: Tensor) -> None:
        c64 = c.detach().to(torch.float64)
        self.sum_sq += c64 * c64
        self.sum_c += c64
        if self.prev is not None:
            self.sum_lag += c64 * self.prev
        else:
            self.first = c64.clone()
        self.prev = c64.clone()
        self.n += 1

    def stats(self, rows: Tensor | slice, center: bool = False) -> ModeStats:
        """Pooled :class:`ModeStats` of the selected rows (i.i.d. replicas of one experiment).

        ``center`` subtracts each row's time mean ``m``: ``sum (c - m)^2 = sum c^2 - n m^2`` and
        ``sum (c_t - m)(c_{t+1} - m) = sum c_t c_{t+1} - m (2 sum c - c_first - c_last) + (n - 1) m^2``.
        """
        sq, lag = self.sum_sq[rows], self.sum_lag[rows]
        if center:
            m = self.sum_c[rows] / self.n
            sq = sq - self.n * m * m
            lag = lag - m * (2 * self.sum_c[rows] - self.first[rows] - self.prev[rows]) + (self.n - 1) * m * m
        return ModeStats(sum_sq=sq.sum(0, keepdim=True), sum_lag=lag.sum(0, keepdim=True), n_samples=self.n,
                         seeds=sq.shape[0], stride=1)


def train_teacher_student(
    lam: Tensor,
    *,
    optimizer: str,
    alpha: float,
    batch: int,
    steps: int,
    burn_in: int,
    generator: torch.Generator,
    label_noise: float = 0.5,
    n: int | None = None,
    row_lr_scale: Tensor | None = None,
) -> dict:
    """Train ``rows`` students at once; ``lam (rows, d)`` is each row's input spectrum.

    Returns ``{"moments": RowMoments of c = Q^T (w - w_ref)}``, ``"eigvals" (rows, d)`` of the Hessian in
    whose eigenbasis ``Q`` the coordinates are taken (population ``diag(lam)`` and ``w_ref = w*`` for fresh
    samples; for a shared training set of ``n`` samples, for which all rows must share one spectrum, the
    empirical ``X^T X / n`` and its min-norm least-squares minimiser), and ``"diverged"`` (rows,) bool.
    Training starts at ``w*``.  ``row_lr_scale`` (SGD only) gives row ``r`` the learning rate
    ``alpha * row_lr_scale[r]`` (a learning-rate sweep in one run).
    """
    rows, d = lam.shape
    dt, dev = lam.dtype, lam.device
    if row_lr_scale is not None and (optimizer != "sgd" or row_lr_scale.shape != (rows,)):
        raise InputError("row_lr_scale (rows,) is for SGD only: its step is linear in the gradient")
    if batch < 1 or steps < 3 or burn_in < 0:
        raise InputError(f"need batch >= 1, steps >= 3, burn_in >= 0; got {batch}, {steps}, {burn_in}")
    w_star = torch.randn(rows, d, generator=generator, dtype=dt, device=dev) * lam.rsqrt() / d**0.5
    if n is None:
        basis, eigvals, data, reference = None, lam, None, w_star
    else:
        if not bool((lam == lam[:1]).all()):
            raise InputError("a finite training set is shared by all rows: give every row the same spectrum")
        x = torch.randn(n, d, generator=generator, dtype=dt, device=dev) * lam[0].sqrt()
        ev, vec = torch.linalg.eigh(x.T @ x / n)
        order = torch.argsort(ev, descending=True)
        basis, eigvals = vec[:, order], ev[order].clamp_min(0).expand(rows, d)
        data = (x, torch.randn(rows, n, generator=generator, dtype=dt, device=dev) * label_noise)
        # coordinates are measured from the empirical (min-norm) minimiser, where the finite-n dynamics settle
        reference = (w_star @ x.T + data[1]) @ torch.linalg.pinv(x).T
    w = torch.nn.Parameter(w_star.clone())
    opt = make_optimizer(optimizer, [w], alpha)
    mom = RowMoments.zeros(rows, d, dev)
    for t in range(burn_in + steps):
        if data is None:
            xb = torch.randn(rows, batch, d, generator=generator, dtype=dt, device=dev) * lam.sqrt()[:, None, :]
            yb = torch.einsum("rbd,rd->rb", xb, w_star) + label_noise * torch.randn(
                rows, batch, generator=generator, dtype=dt, device=dev)
        else:
            idx = torch.randint(0, n, (rows, batch), generator=generator, device=dev)
            xb = data[0][idx]
            yb = torch.einsum("rbd,rd->rb", xb, w_star) + torch.gather(data[1], 1, idx)
        resid = torch.einsum("rbd,rd->rb", xb, w.detach()) - yb
        w.grad = torch.einsum("rb,rbd->rd", resid, xb) / batch  # d/dw of 1/2 mean_b resid^2, per row
        if row_lr_scale is not None:  # SGD with a per-row learning rate alpha * scale_r
            w.grad.mul_(row_lr_scale[:, None])
        opt.step()
        if t >= burn_in:
            err = w.detach() - reference
            mom.update(err if basis is None else err @ basis)
    diverged = ~torch.isfinite(w.detach()).all(1) | (mom.sum_sq.sum(1) > 1e30)
    return {"moments": mom, "eigvals": eigvals, "diverged": diverged}


def train_linear_attention(
    lam: Tensor,
    *,
    optimizer: str,
    alpha: float,
    batch: int,
    steps: int,
    burn_in: int,
    generator: torch.Generator,
    context: int = 32,
) -> dict:
    """Train single-layer linear attention on in-context regression; ``lam (rows, d)`` per-row spectra.

    Returns ``{"moments": RowMoments of c_k = Gamma_kk (centre them: the optimum is not at 0)}``,
    ``"eigvals" (rows, d)`` the population Hessian's diagonal entries for ``Gamma_kk``
    (``E[h_k^2] E[x_k^2]``, estimated from the same stream: no closed form needed), ``"diverged"``.
    """
    rows, d = lam.shape
    dt, dev = lam.dtype, lam.device
    gamma = torch.nn.Parameter(torch.zeros(rows, d, d, dtype=dt, device=dev))
    opt = make_optimizer(optimizer, [gamma], alpha)
    mom = RowMoments.zeros(rows, d, dev)
    h2 = torch.zeros(rows, d, dtype=torch.float64, device=dev)
    sqrt_lam = lam.sqrt()[:, None, None, :]
    for t in range(burn_in + steps):
        xs = torch.randn(rows, batch, context + 1, d, generator=generator, dtype=dt, device=dev) * sqrt_lam
        task = torch.randn(rows, batch, d, generator=generator, dtype=dt, device=dev)
        ys = torch.einsum("rbcd,rbd->rbc", xs, task)
        h = torch.einsum("rbcd,rbc->rbd", xs[:, :, :context], ys[:, :, :context]) / context
        xq = xs[:, :, context]
        resid = torch.einsum("rbd,rde,rbe->rb", xq, gamma.detach(), h) - ys[:, :, context]
        gamma.grad = torch.einsum("rb,rbd,rbe->rde", resid, xq, h) / batch  # d/dGamma of 1/2 mean_b resid^2
        opt.step()
        if t >= burn_in:
            mom.update(torch.diagonal(gamma.detach(), dim1=1, dim2=2))
            h2 += (h.detach() ** 2).mean(1)
    eig = (h2 / steps) * lam.to(torch.float64)
    diverged = ~torch.isfinite(gamma.detach()).all(2).all(1)
    return {"moments": mom, "eigvals": eig, "diverged": diverged}
