"""Spectral alignment of online SGD with the outlier eigenspaces of the Hessian and the G-matrix (seed 003).

Diagnostics (usable on any ``nn.Module`` + mean loss + batch):

* :func:`hessian_and_g_blocks` -- the explicit Hessian block ``H_BB`` and G-matrix block
  ``G_BB = (1/n) sum_i g_i g_i^T`` (``g_i`` the per-sample gradient) of a parameter block ``B`` on a batch.
* :func:`outlier_subspace` -- eigenvalues separated from the bulk and their eigenvectors.  With
  ``max_outliers = r`` an upper bound on the outlier count, rule ``'edge'`` (wide bulk): the bulk reference is
  the ``(r+1)``-th largest eigenvalue (in the bulk by assumption) and the outliers are the eigenvalues
  ``> ratio * reference``; rule ``'gap'`` (small blocks): the top ``i <= r`` before the largest consecutive
  ratio ``lambda_i / lambda_{i+1} >= ratio``; or ``> bulk_edge`` when the edge is known (e.g. from
  :mod:`spectral_universality.theory.alignment`).
* :func:`alignment` ``||P x|| / ||x||`` and :func:`principal_cosines` between subspaces.

Experiments (seed 003's two settings): k-class Gaussian mixture with a softmax layer, and the XOR mixture
(clusters ``+-mu`` label 1, ``+-nu`` label 0) with a two-layer ReLU network, trained by online SGD
(one fresh sample per step, step size ``c / d``, L2 penalty) while the diagnostics are logged at checkpoints
on a fixed test batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn
from torch.func import functional_call, grad, vmap

from spectral_universality.errors import InputError

from .hessian import HessianOperator, Operator, flat_params, lanczos, trainable_names

Batch = tuple[Tensor, Tensor]
Criterion = Callable[[Tensor, Tensor], Tensor]


# ---------------------------------------------------------------------------------------------- data
def orthonormal_means(k: int, d: int, *, generator: torch.Generator, dtype: torch.dtype = torch.float64,
                      device: str | torch.device = "cpu") -> Tensor:
    """``k`` orthonormal mean vectors ``(k, d)`` (QR of a Gaussian matrix), ``1 <= k <= d``."""
    if not (isinstance(k, int) and isinstance(d, int) and 1 <= k <= d):
        raise InputError(f"need integers 1 <= k <= d, got k = {k!r}, d = {d!r}")
    g = torch.randn(d, k, generator=generator, dtype=torch.float64)
    return torch.linalg.qr(g).Q.T.contiguous().to(dtype=dtype, device=device)


def _check_snr(snr: float) -> None:
    if not (isinstance(snr, (int, float)) and math.isfinite(snr) and snr > 0):
        raise InputError(f"snr (signal strength lambda, noise variance 1/snr) must be a positive number, got {snr!r}")


def sample_gmm(means: Tensor, n: int, snr: float, *, generator: torch.Generator) -> Batch:
    """``n`` samples of the k-GMM: class ``c`` uniform, ``x = mu_c + z / sqrt(snr)``.

    Returns ``x (n, d)`` (dtype/device of ``means (k, d)``) and labels ``y (n,)`` (long)."""
    if means.ndim != 2 or n < 1:
        raise InputError(f"means must be (k, d) and n >= 1, got shape {tuple(means.shape)}, n = {n}")
    _check_snr(snr)
    k, d = means.shape
    y = torch.randint(0, k, (n,), generator=generator)
    z = torch.randn(n, d, generator=generator, dtype=torch.float64).to(means)
    return means[y.to(means.device)] + z / math.sqrt(snr), y.to(means.device)


def sample_xor(mu: Tensor, nu: Tensor, n: int, snr: float, *, generator: torch.Generator) -> Batch:
    """``n`` XOR-mixture samples: cluster uniform on ``{mu, -mu, nu, -nu}``, label 1 for ``+-mu``, 0 for
    ``+-nu``; ``x = center + z / sqrt(snr)``.  Returns ``x (n, d)`` and float labels ``y (n,)``."""
    if mu.shape != nu.shape or mu.ndim != 1:
        raise InputError(f"mu and nu must be vectors of equal length, got {tuple(mu.shape)}, {tuple(nu.shape)}")
    centers = torch.stack([mu, -mu, nu, -nu])
    x, cluster = sample_gmm(centers, n, snr, generator=generator)
    return x, (cluster < 2).to(mu.dtype)


# ---------------------------------------------------------------------------------------------- models
class TwoLayer(nn.Module):
    """``x -> v . g(W x)`` (no biases, as in the seed's XOR model); ``W = fc1.weight (K, d)``,
    ``v = fc2.weight (1, K)``; returns the logit ``(n,)``."""

    def __init__(self, d: int, hidden: int, activation: Callable[[Tensor], Tensor] = torch.relu) -> None:
        super().__init__()
        self.fc1 = nn.Linear(d, hidden, bias=False)
        self.fc2 = nn.Linear(hidden, 1, bias=False)
        self.activation = activation

    def features(self, x: Tensor) -> Tensor:
        """Hidden features ``g(W x)`` ``(n, K)``."""
        return self.activation(self.fc1(x))

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.features(x))[:, 0]


def bce_logits(logits: Tensor, y: Tensor) -> Tensor:
    """Logistic loss (mean binary cross-entropy on logits)."""
    return nn.functional.binary_cross_entropy_with_logits(logits, y)


# ---------------------------------------------------------------------------------------------- matrices
@dataclass(frozen=True)
class BlockMatrices:
    """Hessian and G-matrix of one parameter block, in :func:`flat_params` coordinates of ``names``."""

    names: list[str]
    hessian: Tensor  # (P, P)
    g_matrix: Tensor  # (P, P)
    loss: float


def per_sample_grads(model: nn.Module, criterion: Criterion, batch: Batch, params: Sequence[str], *,
                     dtype: torch.dtype | None = None, chunk: int = 4096) -> Tensor:
    """Per-sample gradients ``(n, P)`` of ``criterion(model(x_i[None]), y_i[None])`` w.r.t. ``params``
    (``torch.func.vmap`` of ``grad``; the other parameters are held fixed)."""
    names = trainable_names(model, params)
    table = dict(model.named_parameters())
    dt = dtype or table[names[0]].dtype
    fixed = {n: p.detach().to(dt) for n, p in model.named_parameters() if n not in names}
    shapes = [tuple(table[n].shape) for n in names]
    numels = [table[n].numel() for n in names]
    theta = flat_params(model, names, dt)
    x, y = batch
    if x.shape[0] != y.shape[0] or x.shape[0] < 1:
        raise InputError(f"inputs and targets must have the same positive length, got {x.shape[0]}, {y.shape[0]}")

    def one(flat: Tensor, xi: Tensor, yi: Tensor) -> Tensor:
        tensors = {n: c.view(s) for n, c, s in zip(names, torch.split(flat, numels), shapes)}
        out = functional_call(model, {**fixed, **tensors}, (xi[None],))
        return criterion(out, yi[None])

    xs = x.to(dt) if x.is_floating_point() else x
    ys = y.to(dt) if y.is_floating_point() else y
    g = vmap(grad(one), in_dims=(None, 0, 0))
    out = torch.cat([g(theta, xs[i:i + chunk], ys[i:i + chunk]) for i in range(0, xs.shape[0], chunk)])
    if not torch.isfinite(out).all():
        raise InputError("a per-sample gradient is non-finite at the current parameters")
    return out


def hessian_and_g_blocks(model: nn.Module, criterion: Criterion, batch: Batch, block: Sequence[str], *,
                         dtype: torch.dtype | None = None) -> BlockMatrices:
    """Explicit ``H_BB`` (HVPs with the identity, one vmapped pass of :class:`~.hessian.HessianOperator`)
    and ``G_BB = (1/n) sum_i g_i g_i^T`` of the parameter block ``block`` (names) on ``batch``.

    Both are of the data loss ``criterion`` only: a training L2 penalty ``wd`` would add ``wd I`` to ``H``
    (every eigenvalue shifted, eigenvectors unchanged).  For blocks of up to a few thousand parameters
    (``P^2`` memory); beyond that pass a :class:`~.hessian.HessianOperator` to :func:`outlier_subspace`
    (Lanczos)."""
    # reverse-over-reverse: 4-5x faster than forward-over-reverse for the full identity on CPU (measured)
    op = HessianOperator(model, criterion, batch, params=list(block), dtype=dtype, mode="reverse-over-reverse")
    eye = torch.eye(op.size, dtype=op.dtype, device=op.device)
    h = op.matmat(eye)
    h = (h + h.T) / 2
    j = per_sample_grads(model, criterion, batch, op.names, dtype=op.dtype)
    return BlockMatrices(names=op.names, hessian=h, g_matrix=j.T @ j / j.shape[0], loss=op.loss_value)


# ---------------------------------------------------------------------------------------------- outliers
@dataclass(frozen=True)
class OutlierSpace:
    """Eigenvalues above ``edge`` and their orthonormal eigenvectors; ``top``/``top_basis`` the leading
    ``max_outliers + 1`` eigenpairs examined (descending)."""

    eigenvalues: Tensor  # (r,) descending
    basis: Tensor  # (n, r)
    edge: float
    top: Tensor  # (max_outliers + 1,)
    top_basis: Tensor  # (n, max_outliers + 1)

    @property
    def count(self) -> int:
        return int(self.eigenvalues.numel())


def _gap_count(vals: Tensor, r: int, ratio: float, rel_floor: float) -> int:
    """Position ``i <= r`` of the largest consecutive ratio ``lambda_i / max(lambda_{i+1}, floor)`` among the
    eigenvalues above ``floor = rel_floor * lambda_1``, if that ratio is ``>= ratio`` (else 0)."""
    floor = rel_floor * float(vals[0])
    if not floor > 0:
        return 0
    cand = int((vals[:r] > floor).sum())
    if cand == 0:
        return 0
    ratios = vals[:cand] / vals[1:cand + 1].clamp_min(floor)
    i = int(torch.argmax(ratios))
    return i + 1 if float(ratios[i]) >= ratio else 0


def outlier_subspace(matrix_or_operator: Tensor | Operator, *, max_outliers: int, ratio: float = 1.5,
                     rule: str = "edge", rel_floor: float = 1e-2, bulk_edge: float | None = None,
                     generator: torch.Generator | None = None) -> OutlierSpace:
    """Eigenvalues separated from the bulk, with their eigenvectors.

    Parameters
    ----------
    matrix_or_operator : symmetric ``(n, n)`` tensor (dense ``eigh``) or an :class:`~.hessian.Operator`
        (top ``max_outliers + 1`` eigenpairs by :func:`~.hessian.lanczos`).
    max_outliers : upper bound ``r`` on the number of outliers, ``1 <= r < n``.
    ratio : ``> 1``.  Rule ``'edge'``: outliers are the eigenvalues ``> ratio * lambda_{r+1}``
        (``lambda_{r+1}`` lies in the bulk, at or below its edge, since at most ``r`` eigenvalues are outliers);
        suits a wide bulk (a Hessian block of ``n >> r`` parameters).  Rule ``'gap'``: the outliers are the
        top ``i`` eigenvalues, ``i <= r`` the position of the largest ratio ``lambda_i / lambda_{i+1}``,
        provided it is ``>= ratio`` (else none); suits a small block whose "bulk" is a few near-zero values.
    rel_floor : rule ``'gap'`` only: eigenvalues ``<= rel_floor * lambda_1`` are negligible (never outliers,
        and a denominator is at least this floor), so exact zeros (dead units) do not fake a gap.
    bulk_edge : a known upper bulk edge (overrides ``rule``): outliers are the eigenvalues ``> bulk_edge``.
    """
    n = matrix_or_operator.shape[0] if isinstance(matrix_or_operator, Tensor) else matrix_or_operator.size
    if not (isinstance(max_outliers, int) and 1 <= max_outliers < n):
        raise InputError(f"max_outliers must be an integer in [1, n) = [1, {n}), got {max_outliers!r}")
    if rule not in ("edge", "gap"):
        raise InputError(f"rule must be 'edge' or 'gap', got {rule!r}")
    if bulk_edge is None and not ratio > 1:
        raise InputError(f"ratio must exceed 1, got {ratio}")
    if not 0 < rel_floor < 1:
        raise InputError(f"rel_floor must lie in (0, 1), got {rel_floor}")
    if isinstance(matrix_or_operator, Tensor):
        mat = matrix_or_operator
        if mat.ndim != 2 or mat.shape[0] != mat.shape[1] or not torch.isfinite(mat).all():
            raise InputError(f"matrix must be a finite square (n, n) tensor, got shape {tuple(mat.shape)}")
        if not torch.allclose(mat, mat.T, rtol=1e-5, atol=1e-8 * float(mat.abs().max().clamp_min(1e-300))):
            raise InputError("matrix is not symmetric")
        vals, vecs = torch.linalg.eigh((mat + mat.T) / 2)
        vals, vecs = vals.flip(0)[:max_outliers + 1], vecs.flip(1)[:, :max_outliers + 1]
    else:
        res = lanczos(matrix_or_operator, max_outliers + 1, which="LA", generator=generator)
        vals, vecs = res.eigenvalues, res.eigenvectors
    if bulk_edge is not None:
        edge = float(bulk_edge)
        count = int((vals > edge).sum())
    elif rule == "edge":
        edge = ratio * max(float(vals[max_outliers]), 0.0)
        count = int((vals > edge).sum())
    else:
        count = _gap_count(vals, max_outliers, ratio, rel_floor)
        edge = float(vals[count])
    return OutlierSpace(eigenvalues=vals[:count], basis=vecs[:, :count], edge=edge, top=vals, top_basis=vecs)


def _orthonormal(basis: Tensor) -> Tensor:
    if basis.ndim != 2:
        raise InputError(f"basis must be (n, r), got shape {tuple(basis.shape)}")
    if basis.shape[1] == 0:
        return basis
    q, r = torch.linalg.qr(basis)
    keep = r.diagonal().abs() > 1e-10 * float(r.diagonal().abs().max().clamp_min(1e-300))
    return q[:, keep]


def alignment(vector: Tensor, basis: Tensor) -> float:
    """``||P x|| / ||x||`` with ``P`` the orthogonal projector on the column span of ``basis (n, r)``
    (orthonormalised here; ``r = 0`` gives 0)."""
    if vector.ndim != 1 or basis.ndim != 2 or basis.shape[0] != vector.shape[0]:
        raise InputError(f"need vector (n,) and basis (n, r), got {tuple(vector.shape)}, {tuple(basis.shape)}")
    norm = float(vector.norm())
    if not norm > 0:
        raise InputError("alignment of the zero vector is undefined")
    q = _orthonormal(basis.to(vector))
    return float((q.T @ vector).norm()) / norm


def principal_cosines(basis_a: Tensor, basis_b: Tensor) -> Tensor:
    """Cosines of the principal angles between two column spans (descending, ``min(r_a, r_b)`` of them)."""
    if basis_a.ndim != 2 or basis_b.ndim != 2 or basis_a.shape[0] != basis_b.shape[0]:
        raise InputError(f"bases must be (n, r_a) and (n, r_b), got {tuple(basis_a.shape)}, {tuple(basis_b.shape)}")
    qa, qb = _orthonormal(basis_a), _orthonormal(basis_b.to(basis_a))
    if qa.shape[1] == 0 or qb.shape[1] == 0:
        return torch.zeros(0, dtype=basis_a.dtype)
    return torch.linalg.svdvals(qa.T @ qb).clamp(max=1.0)


def kron_span(n_out: int, directions: Tensor) -> Tensor:
    """Basis ``(n_out * d, n_out * r)`` of ``R^{n_out} (x) span(directions)`` in row-major ``vec`` of a
    ``(n_out, d)`` weight matrix: the weights whose rows lie in the span of ``directions (r, d)``."""
    if directions.ndim != 2:
        raise InputError(f"directions must be (r, d), got shape {tuple(directions.shape)}")
    eye = torch.eye(n_out, dtype=directions.dtype, device=directions.device)
    return torch.kron(eye, _orthonormal(directions.T))


def within_span_fraction(basis: Tensor, span: Tensor) -> float:
    """Mean squared cosine of the principal angles of ``basis`` with ``span``: the fraction of the outlier
    space inside ``span`` (1 iff contained); ``nan``-free: an empty ``basis`` raises."""
    if basis.shape[1] == 0:
        raise InputError("empty outlier space: no alignment to measure")
    q = _orthonormal(basis)
    return float(((_orthonormal(span.to(q)).T @ q) ** 2).sum() / q.shape[1])


# ---------------------------------------------------------------------------------------------- training
def online_sgd(model: nn.Module, criterion: Criterion, sampler: Callable[[int], Batch], steps: int, lr: float, *,
               weight_decay: float = 0.0, checkpoints: Sequence[int] = (),
               probe: Callable[[nn.Module, int], dict[str, Any]] | None = None,
               chunk: int = 1024) -> list[dict[str, Any]]:
    """Online SGD, one fresh sample per step: ``theta <- theta - lr (grad loss(x_t, y_t) + weight_decay theta)``.

    ``sampler(m)`` returns ``m`` fresh samples (drawn ``chunk`` at a time, used one per step); at each step in
    ``checkpoints`` (0 = before training) ``probe(model, step)`` is called and its dict kept (with ``step``)."""
    if steps < 0 or not lr > 0 or weight_decay < 0:
        raise InputError(f"need steps >= 0, lr > 0, weight_decay >= 0; got {steps}, {lr}, {weight_decay}")
    marks = sorted(set(int(c) for c in checkpoints))
    if marks and not (0 <= marks[0] and marks[-1] <= steps):
        raise InputError(f"checkpoints must lie in [0, steps = {steps}], got {marks}")
    params = [p for p in model.parameters() if p.requires_grad]
    log: list[dict[str, Any]] = []
    todo = list(marks)
    x = y = None
    for t in range(steps + 1):
        if todo and todo[0] == t:
            todo.pop(0)
            if probe is not None:
                log.append({"step": t, **probe(model, t)})
        if t == steps:
            break
        if t % chunk == 0:
            x, y = sampler(min(chunk, steps - t))
        i = t % chunk
        loss = criterion(model(x[i:i + 1]), y[i:i + 1])
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.mul_(1 - lr * weight_decay).sub_(lr * g)
    return log


# ---------------------------------------------------------------------------------------------- experiments
def _marks(steps: int, n_checkpoints: int) -> list[int]:
    """Quadratically spaced checkpoints in ``[0, steps]`` (dense early, where the alignment changes);
    ``n_checkpoints = 1``: the final step only."""
    if n_checkpoints < 1:
        raise InputError(f"n_checkpoints must be >= 1, got {n_checkpoints}")
    if n_checkpoints == 1:
        return [steps]
    return sorted({int(round(steps * (i / (n_checkpoints - 1)) ** 2)) for i in range(n_checkpoints)})


@dataclass(frozen=True)
class OutlierAlignment:
    """Outliers of one matrix of a block (Hessian or G) and a vector's alignment with them.

    ``basis (P, r)`` the outlier eigenvectors; ``spectrum (P,)`` every eigenvalue, descending, when requested."""

    count: int
    edge: float
    top: list[float]  # the max_outliers + 1 leading eigenvalues, descending
    alignment: float  # ||P_out x|| / ||x||
    top_alignment: float  # with the top-max_outliers eigenspace
    in_span: float | None  # fraction of the outlier space inside the target span (None: no span given)
    basis: Tensor
    spectrum: Tensor | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"count": self.count, "edge": self.edge, "top": list(self.top),
                               "alignment": self.alignment, "top_alignment": self.top_alignment,
                               "in_span": self.in_span}
        if self.spectrum is not None:
            out["spectrum"] = self.spectrum.detach().double().cpu().tolist()
        return out


@dataclass(frozen=True)
class BlockAlignment:
    """Alignment of a parameter block's vector with the Hessian and G-matrix outlier spaces of that block.

    ``span_alignment`` / ``span_rank``: the vector's alignment with a given target span ``(P, q)`` and its rank
    (None / 0 without a span)."""

    names: list[str]
    loss: float
    hessian: OutlierAlignment
    g: OutlierAlignment
    span_alignment: float | None
    span_rank: int

    def to_dict(self) -> dict[str, Any]:
        return {"names": list(self.names), "loss": self.loss, "span_alignment": self.span_alignment,
                "span_rank": self.span_rank, "hessian": self.hessian.to_dict(), "g": self.g.to_dict()}


def block_alignment(mats: BlockMatrices, vec: Tensor, span: Tensor | None = None, *, max_outliers: int,
                    ratio: float = 1.5, rule: str = "edge", keep_spectrum: bool = False) -> BlockAlignment:
    """Per matrix (Hessian, G) of ``mats``: the outlier space (:func:`outlier_subspace`), the alignment of
    ``vec (P,)`` with it and with the top-``max_outliers`` eigenspace, and (given ``span (P, q)``) the fraction
    of the outlier space inside ``span``."""
    if vec.ndim != 1 or vec.shape[0] != mats.hessian.shape[0]:
        raise InputError(f"vector must have shape ({mats.hessian.shape[0]},) (the block's parameters), "
                         f"got {tuple(vec.shape)}")
    if span is not None and (span.ndim != 2 or span.shape[0] != vec.shape[0]):
        raise InputError(f"span must have shape ({vec.shape[0]}, q), got {tuple(span.shape)}")
    has_span = span is not None and bool(span.abs().max() > 0)
    span_rank = int(torch.linalg.matrix_rank(span)) if span is not None else 0
    parts = {}
    for key, mat in (("hessian", mats.hessian), ("g", mats.g_matrix)):
        space = outlier_subspace(mat, max_outliers=max_outliers, ratio=ratio, rule=rule)
        in_span = None if span is None else (within_span_fraction(space.basis, span) if space.count and span_rank
                                             else 0.0)
        parts[key] = OutlierAlignment(count=space.count, edge=space.edge, top=space.top.cpu().tolist(),
                                      alignment=alignment(vec, space.basis),
                                      top_alignment=alignment(vec, space.top_basis[:, :max_outliers]),
                                      in_span=in_span, basis=space.basis,
                                      spectrum=torch.linalg.eigvalsh(mat).flip(0) if keep_spectrum else None)
    span_al = None if span is None else (alignment(vec, span) if has_span else 0.0)
    return BlockAlignment(names=list(mats.names), loss=mats.loss, hessian=parts["hessian"], g=parts["g"],
                          span_alignment=span_al, span_rank=span_rank)


def _block_entry(res: BlockAlignment) -> dict[str, Any]:
    """The experiments' log entry of one :class:`BlockAlignment`: ``loss``, ``span_alignment``, ``span_rank``,
    per matrix ``{count, edge, top, alignment, top_alignment, in_span}``, the spectra (numpy) when kept, and
    the outlier bases under ``_hessian_basis`` / ``_g_basis`` (popped by the caller)."""
    out: dict[str, Any] = {"loss": res.loss, "span_alignment": res.span_alignment, "span_rank": res.span_rank}
    for key, part in (("hessian", res.hessian), ("g", res.g)):
        out[key] = {"count": part.count, "edge": part.edge, "top": part.top, "alignment": part.alignment,
                    "top_alignment": part.top_alignment, "in_span": part.in_span}
        if part.spectrum is not None:
            out[f"{key}_spectrum"] = part.spectrum.cpu().numpy()
        out[f"_{key}_basis"] = part.basis
    return out


def run_gmm(*, d: int = 200, k: int = 3, snr: float = 10.0, n_test: int = 2000, time: float = 8.0,
            c_lr: float = 1.0, weight_decay: float = 0.5, n_checkpoints: int = 9, ratio: float = 1.5,
            seed: int = 0, dtype: torch.dtype = torch.float64, device: str = "cpu") -> dict[str, Any]:
    """k-GMM + softmax layer ``W (k, d)`` (random init ``N(0, 1/d)``) trained by online SGD with step
    ``c_lr / d`` for ``time * d / c_lr`` steps.  At checkpoints, on a fixed test batch: Hessian/G outliers
    (rule ``'edge'``, at most ``k^2`` = dim of ``R^k (x) span(means)``), the alignment with them of ``W_t`` and
    of its learned part ``W_t - (1 - lr wd)^t W_0`` (the sum of the gradient steps), the alignment of ``W_t``
    with ``R^k (x) span(means)``, and the test accuracy."""
    gen = torch.Generator().manual_seed(seed)
    means = orthonormal_means(k, d, generator=gen, dtype=dtype, device=device)
    test = sample_gmm(means, n_test, snr, generator=gen)
    model = nn.Linear(d, k, bias=False).to(dtype=dtype, device=device)
    with torch.no_grad():
        model.weight.copy_(torch.randn(k, d, generator=gen, dtype=dtype).to(device) / math.sqrt(d))
    w0 = flat_params(model, ["weight"])
    span = kron_span(k, means)
    lr = c_lr / d
    steps = int(round(time * d / c_lr))
    crit = nn.functional.cross_entropy

    def probe(m: nn.Module, t: int) -> dict[str, Any]:
        from .diagnostics import Diagnostics  # the front door; imported here (it imports this module)

        w = flat_params(m, ["weight"])
        entry = _block_entry(Diagnostics(m, crit, test).alignment(["weight"], max_outliers=k * k, span=span,
                                                                 ratio=ratio, rule="edge",
                                                                 keep_spectrum=t in (0, steps)))
        learned = w - (1 - lr * weight_decay) ** t * w0
        for key in ("hessian", "g"):
            basis = entry.pop(f"_{key}_basis")
            entry[key]["learned_alignment"] = alignment(learned, basis) if t > 0 else 0.0
        with torch.no_grad():
            entry["accuracy"] = float((m(test[0]).argmax(1) == test[1]).to(dtype).mean())
        return entry

    log = online_sgd(model, crit, lambda m: sample_gmm(means, m, snr, generator=gen), steps, lr,
                     weight_decay=weight_decay, checkpoints=_marks(steps, n_checkpoints), probe=probe)
    return {"d": d, "k": k, "snr": snr, "n_test": n_test, "steps": steps, "lr": lr,
            "weight_decay": weight_decay, "ratio": ratio, "seed": seed, "log": log}


def xor_hidden_span(model: TwoLayer, mu: Tensor, nu: Tensor) -> Tensor:
    """``(K, 4)`` columns ``g(W mu), g(-W mu), g(W nu), g(-W nu)``: the second layer's target span."""
    with torch.no_grad():
        return model.features(torch.stack([mu, -mu, nu, -nu]).to(model.fc1.weight)).T


def run_xor(*, d: int = 60, hidden: int = 8, snr: float = 30.0, n_test: int = 1000, time: float = 150.0,
            c_lr: float = 4.0, weight_decay: float = 0.05, n_checkpoints: int = 7, ratio: float = 1.5,
            gap_ratio: float = 5.0, seed: int = 0, dtype: torch.dtype = torch.float64,
            device: str = "cpu") -> dict[str, Any]:
    """XOR mixture + two-layer ReLU net ``v . relu(W x)`` (``W`` rows ``N(0, I/d)``, ``v ~ N(0, 1/K)``), online
    SGD with step ``c_lr / d`` for ``time * d / c_lr`` steps.  Per layer, at checkpoints: the Hessian/G
    diagonal-block outliers (first layer ``W``: rule ``'edge'`` with ``ratio``, at most ``2K`` = dim of
    ``R^K (x) span(mu, nu)``; second layer ``v`` (``K`` parameters, no wide bulk): rule ``'gap'`` with
    ``gap_ratio``, at most 4 = the number of hidden classes), the layer's alignment with them and with its
    target span (:func:`xor_hidden_span` for ``v``), and the test accuracy."""
    if hidden < 5:
        raise InputError(f"hidden must be >= 5 (the second layer needs room for 4 outliers + bulk), got {hidden}")
    gen = torch.Generator().manual_seed(seed)
    mu, nu = orthonormal_means(2, d, generator=gen, dtype=dtype, device=device)
    test = sample_xor(mu, nu, n_test, snr, generator=gen)
    model = TwoLayer(d, hidden).to(dtype=dtype, device=device)
    with torch.no_grad():
        model.fc1.weight.copy_(torch.randn(hidden, d, generator=gen, dtype=dtype).to(device) / math.sqrt(d))
        model.fc2.weight.copy_(torch.randn(1, hidden, generator=gen, dtype=dtype).to(device) / math.sqrt(hidden))
    first_span = kron_span(hidden, torch.stack([mu, nu]))
    lr = c_lr / d
    steps = int(round(time * d / c_lr))
    blocks = {"first": (["fc1.weight"], 2 * hidden, ratio, "edge"), "second": (["fc2.weight"], 4, gap_ratio, "gap")}

    def probe(m: TwoLayer, t: int) -> dict[str, Any]:
        with torch.no_grad():
            out: dict[str, Any] = {"accuracy": float(((m(test[0]) > 0).to(dtype) == test[1]).to(dtype).mean())}
        from .diagnostics import Diagnostics  # the front door; imported here (it imports this module)

        diag = Diagnostics(m, bce_logits, test)
        for name, (names, r_max, rat, rule) in blocks.items():
            span = first_span if name == "first" else xor_hidden_span(m, mu, nu)
            entry = _block_entry(diag.alignment(names, max_outliers=r_max, span=span, ratio=rat, rule=rule,
                                                keep_spectrum=t in (0, steps)))
            entry.pop("_hessian_basis"), entry.pop("_g_basis")
            out[name] = entry
        return out

    log = online_sgd(model, bce_logits, lambda m: sample_xor(mu, nu, m, snr, generator=gen), steps, lr,
                     weight_decay=weight_decay, checkpoints=_marks(steps, n_checkpoints), probe=probe)
    return {"d": d, "hidden": hidden, "snr": snr, "n_test": n_test, "steps": steps, "lr": lr,
            "weight_decay": weight_decay, "seed": seed, "log": log}
