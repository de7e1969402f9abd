"""Hessian spectra of torch models by Hessian-vector products: Lanczos, SLQ density, Hutchinson / Hutch++ trace.

The Hessian is never formed: :class:`HessianOperator` applies it to vectors by forward-over-reverse automatic
differentiation (``torch.func.jvp`` of ``torch.func.grad`` of the loss as a function of the flat parameter
vector, evaluated with ``torch.func.functional_call``), and to blocks of vectors with ``torch.func.vmap`` of that
product (one batched pass instead of ``b`` passes).  Every algorithm takes any object with the small
:class:`Operator` interface (``size``, ``dtype``, ``device``, ``matmat``), so the same code runs on an explicit
matrix (:class:`DenseOperator`, used by the tests) and on a network.

Algorithms
----------
* :func:`lanczos` -- top-``k`` eigenpairs by (block) Lanczos with full reorthogonalisation (classical
  Gram-Schmidt applied twice, "twice is enough"), stopped when every wanted Ritz value's error bound
  ``min(r, r^2/gap)`` (``r = ||H x - theta x||``) is below ``tol * |theta|``.
* :func:`slq` -- stochastic Lanczos quadrature: ``P`` Rademacher probes, ``m`` Lanczos steps each (run together,
  one ``matmat`` per step); node/weight pairs give Gauss quadrature of the spectral measure, exact for
  polynomials of degree ``<= 2m - 1`` per probe and unbiased over probes.
* :func:`hutchinson`, :func:`hutch_plus_plus` -- trace estimates with standard errors.
* :func:`block_spectra` (per layer / per parameter block: the diagonal Hessian blocks), and
  :func:`minibatch_spread` (top-``k`` per mini-batch next to the full-batch value).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import torch
from torch import Tensor, nn
from torch.func import functional_call, grad, jvp, vjp, vmap

from spectral_universality.errors import InputError

Batch = tuple[Tensor, Tensor]
Criterion = Callable[[Tensor, Tensor], Tensor]


class Operator(Protocol):
    """A symmetric linear operator on ``R^size``."""

    size: int
    dtype: torch.dtype
    device: torch.device

    def matmat(self, vecs: Tensor) -> Tensor:
        """``H @ vecs`` for ``vecs (size, b)`` -> ``(size, b)``."""


class DenseOperator:
    """An explicit symmetric matrix ``(n, n)`` as an :class:`Operator` (reference and tests)."""

    def __init__(self, matrix: Tensor) -> None:
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise InputError(f"matrix must be square (n, n), got shape {tuple(matrix.shape)}")
        if not torch.isfinite(matrix).all():
            raise InputError("matrix contains non-finite values")
        self.matrix = matrix
        self.size = int(matrix.shape[0])
        self.dtype = matrix.dtype
        self.device = matrix.device
        self.n_matvecs = 0

    def matmat(self, vecs: Tensor) -> Tensor:
        self.n_matvecs += int(vecs.shape[1])
        return self.matrix @ vecs


def trainable_names(model: nn.Module, params: Sequence[str] | None = None) -> list[str]:
    """Names of the parameters that require grad (in ``named_parameters`` order), optionally a subset."""
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    if params is not None:
        unknown = [n for n in params if n not in names]
        if unknown:
            raise InputError(f"parameters {unknown} are not trainable parameters of the model; known: {names}")
        names = [n for n in names if n in set(params)]
    if not names:
        raise InputError("the model has no parameters requiring grad: its Hessian is empty")
    return names


def flat_params(model: nn.Module, names: Sequence[str], dtype: torch.dtype | None = None) -> Tensor:
    """Concatenation ``(n,)`` of the named parameters, detached (the coordinates of :class:`HessianOperator`)."""
    table = dict(model.named_parameters())
    vec = torch.cat([table[n].detach().reshape(-1) for n in names])
    return vec if dtype is None else vec.to(dtype)


def _as_batches(batches: Batch | Sequence[Batch]) -> list[Batch]:
    if isinstance(batches, tuple) and len(batches) == 2 and isinstance(batches[0], Tensor):
        return [batches]
    out = list(batches)
    if not out or not all(isinstance(b, (tuple, list)) and len(b) == 2 for b in out):
        raise InputError("batch must be (inputs, targets) or a non-empty sequence of such pairs")
    return [tuple(b) for b in out]  # type: ignore[misc]


class HessianOperator:
    """Hessian of ``criterion(model(x), y)`` w.r.t. (a subset of) the model's parameters, as an operator.

    Parameters
    ----------
    model : nn.Module
        Evaluated with ``functional_call`` (the module itself is not modified).  Layers whose forward depends on
        the mode (dropout, batch norm) should be in ``eval()`` mode.
    criterion : callable ``(outputs, targets) -> scalar`` (a mean loss, e.g. ``nn.functional.cross_entropy``).
    batches : ``(inputs, targets)`` or a sequence of them; with several, the Hessian of the sample-weighted
        mean loss ``sum_i n_i L_i / sum_i n_i`` (each chunk is differentiated separately, bounding memory).
    params : names of the parameters to differentiate (default: all that require grad); the others are held
        fixed, so the operator is the diagonal block ``H_BB`` of the full Hessian.
    dtype : computation dtype (default: the parameters' dtype); float64 for checks.
    mode : ``'forward-over-reverse'`` (``jvp`` of ``grad``, default) or ``'reverse-over-reverse'`` (``vjp`` of
        ``grad``); both exact, their speed depends on the model and the CPU (see ``benchmarks/bench_hessian.py``).
    """

    def __init__(self, model: nn.Module, criterion: Criterion, batches: Batch | Sequence[Batch], *,
                 params: Sequence[str] | None = None, dtype: torch.dtype | None = None,
                 mode: str = "forward-over-reverse") -> None:
        if mode not in ("forward-over-reverse", "reverse-over-reverse"):
            raise InputError(f"mode must be 'forward-over-reverse' or 'reverse-over-reverse', got {mode!r}")
        self.mode = mode
        self.names = trainable_names(model, params)
        table = dict(model.named_parameters())
        first = table[self.names[0]]
        self.dtype = dtype or first.dtype
        self.device = first.device
        self._shapes = [tuple(table[n].shape) for n in self.names]
        self._numels = [table[n].numel() for n in self.names]
        self.size = int(sum(self._numels))
        chosen = set(self.names)
        self._fixed = {n: p.detach().to(self.dtype) for n, p in model.named_parameters() if n not in chosen}
        self._buffers = {n: b.to(self.dtype) if b.is_floating_point() else b for n, b in model.named_buffers()}
        self._model = model
        self._criterion = criterion
        self.theta = flat_params(model, self.names, self.dtype)
        self._batches = [(x.to(self.device, self.dtype) if x.is_floating_point() else x.to(self.device),
                          y.to(self.device)) for x, y in _as_batches(batches)]
        total = sum(int(x.shape[0]) for x, _ in self._batches)
        self._weights = [int(x.shape[0]) / total for x, _ in self._batches]
        self.n_matvecs = 0
        self.loss_value = self._check_loss()

    def _loss(self, flat: Tensor, x: Tensor, y: Tensor) -> Tensor:
        chunks = torch.split(flat, self._numels)
        tensors = {n: c.view(s) for n, c, s in zip(self.names, chunks, self._shapes)}
        out = functional_call(self._model, ({**self._fixed, **tensors}, self._buffers), (x,))
        return self._criterion(out, y)

    def _check_loss(self) -> float:
        total = 0.0
        for w, (x, y) in zip(self._weights, self._batches):
            with torch.no_grad():
                val = self._loss(self.theta, x, y)
            if not isinstance(val, Tensor) or val.numel() != 1 or val.ndim != 0:
                shape = tuple(val.shape) if isinstance(val, Tensor) else type(val).__name__
                raise InputError(f"the loss must be a scalar (0-d tensor) to have a Hessian, got shape {shape}; "
                                 "reduce it (e.g. reduction='mean')")
            if not torch.isfinite(val):
                raise InputError(f"the loss is not finite at the current parameters ({float(val)})")
            total += w * float(val)
        return total

    def _hvp_one(self, v: Tensor, x: Tensor, y: Tensor) -> Tensor:
        g = grad(self._loss)
        if self.mode == "forward-over-reverse":
            return jvp(lambda p: g(p, x, y), (self.theta,), (v,))[1]
        return vjp(lambda p: g(p, x, y), self.theta)[1](v)[0]

    def matmat(self, vecs: Tensor) -> Tensor:
        """``H @ vecs`` for ``vecs (n, b)``: one vmapped forward-over-reverse pass per data chunk."""
        if vecs.ndim != 2 or vecs.shape[0] != self.size:
            raise InputError(f"vecs must have shape ({self.size}, b), got {tuple(vecs.shape)}")
        vt = vecs.T.contiguous().to(self.dtype)
        out = torch.zeros_like(vt)
        for w, (x, y) in zip(self._weights, self._batches):
            hv = vmap(self._hvp_one, in_dims=(0, None, None))(vt, x, y) if vt.shape[0] > 1 \
                else self._hvp_one(vt[0], x, y)[None]
            out += w * hv
        if not torch.isfinite(out).all():
            raise InputError("a Hessian-vector product is non-finite (NaN/inf): the loss is not twice "
                             "differentiable at these parameters or overflows in this dtype")
        self.n_matvecs += int(vecs.shape[1])
        return out.T

    def matvec(self, vec: Tensor) -> Tensor:
        """``H @ vec`` for ``vec (n,)``."""
        return self.matmat(vec[:, None])[:, 0]

    def dense(self) -> Tensor:
        """The explicit Hessian ``(n, n)`` by ``torch.autograd.functional.hessian`` (row by row double backward;
        validation on small models only).  Not ``torch.func.hessian``: with torch 2.13 on CPU its vmapped rows
        are wrong (asymmetric, off by ~10%) for the tiny ViT of :mod:`.models`, while the HVPs here agree with
        finite differences of the gradient and with this matrix."""
        h = torch.zeros(self.size, self.size, dtype=self.dtype, device=self.device)
        for w, (x, y) in zip(self._weights, self._batches):
            h += w * torch.autograd.functional.hessian(lambda p: self._loss(p, x, y), self.theta)
        return h


@dataclass(frozen=True)
class EigResult:
    """Ritz pairs, sorted as requested (descending for ``which='LA'``)."""

    eigenvalues: Tensor  # (k,)
    eigenvectors: Tensor  # (n, k), orthonormal columns
    residuals: Tensor  # (k,) ||H x - theta x||
    converged: bool
    n_matvecs: int
    krylov_dim: int
    restarts: int = 0
    prior_overlap: Tensor | None = None  # (k, k) out_old^T V_new when lanczos(out=...) was given

    def to_dict(self, vectors: bool = False) -> dict[str, Any]:
        """JSON-ready dict: eigenvalues, residuals, convergence and cost; the eigenvectors ``(n, k)`` as nested
        lists only when ``vectors`` (they are ``k`` times the parameter count)."""
        out: dict[str, Any] = {"eigenvalues": self.eigenvalues.detach().double().cpu().tolist(),
                               "residuals": self.residuals.detach().double().cpu().tolist(),
                               "converged": bool(self.converged), "n_matvecs": int(self.n_matvecs),
                               "krylov_dim": int(self.krylov_dim)}
        if vectors:
            out["eigenvectors"] = self.eigenvectors.detach().double().cpu().tolist()
        return out


def _orthogonalize(w: Tensor, rows: Tensor) -> Tensor:
    """Remove the components of ``w (n, b)`` along the orthonormal rows of ``rows (m, n)`` (CGS, twice).

    The basis is stored as contiguous rows: products with a column slice of an ``(n, m)`` buffer are strided
    and several times slower."""
    for _ in range(2):
        w = w - rows.T @ (rows @ w)
    return w


def _check_k(k: int, n: int) -> None:
    if not isinstance(k, int) or k < 1:
        raise InputError(f"k must be a positive integer, got {k!r}")
    if k > n:
        raise InputError(f"k = {k} eigenpairs requested but the operator has only n = {n} dimensions "
                         "(parameters); ask for k <= n")


def _select(theta: Tensor, which: str) -> Tensor:
    if which == "LA":
        return torch.argsort(theta, descending=True)
    if which == "LM":
        return torch.argsort(theta.abs(), descending=True)
    if which == "SA":
        return torch.argsort(theta)
    raise InputError(f"which must be 'LA', 'LM' or 'SA', got {which!r}")


def _error_bound(theta: Tensor, order: Tensor, res: Tensor) -> Tensor:
    """Eigenvalue error bound per wanted Ritz value: ``min(res, res^2 / gap)`` (Bauer-Fike; and the
    gap theorem with ``gap`` = distance to the nearest other Ritz value, Parlett's practical estimate)."""
    diff = (theta[order][:, None] - theta[None, :]).abs()
    diff[torch.arange(len(order)), order] = float("inf")
    if theta.numel() == 1:  # no other Ritz value, no gap estimate: Bauer-Fike alone
        return res
    gap = diff.min(dim=1).values
    return torch.minimum(res, res**2 / gap)


def _complete(op: Operator, basis: Tensor, t_mat: Tensor, dim: int, generator: torch.Generator | None) -> int:
    """Fill ``basis[dim:n]`` with an orthonormal basis of the complement of ``basis[:dim]`` and ``t_mat[:n, :n]``
    with the full projection ``B H B^T``; returns the number of matvecs used (``n - dim``)."""
    n = op.size
    extra = torch.randn(n, n - dim, dtype=op.dtype, generator=generator).to(op.device)
    qc = torch.linalg.qr(_orthogonalize(extra, basis[:dim])).Q
    qc = torch.linalg.qr(_orthogonalize(qc, basis[:dim])).Q
    hq = op.matmat(qc)
    basis[dim:n] = qc.T
    coupling = basis[:dim] @ hq
    t_mat[:dim, dim:n] = coupling
    t_mat[dim:n, :dim] = coupling.T
    corner = qc.T @ hq
    t_mat[dim:n, dim:n] = (corner + corner.T) / 2
    return n - dim


def lanczos(op: Operator, k: int, *, which: str = "LA", block_size: int = 1, tol: float = 1e-8,
            max_dim: int | None = None, check_every: int = 1, generator: torch.Generator | None = None,
            start: Tensor | None = None, max_restarts: int = 0, out: Tensor | None = None) -> EigResult:
    """Top-``k`` eigenpairs of a symmetric operator by block Lanczos with full reorthogonalisation.

    Parameters
    ----------
    op : :class:`Operator`
    k : number of eigenpairs; ``1 <= k <= op.size`` else :class:`InputError`.
    which : ``'LA'`` largest algebraic (default), ``'LM'`` largest magnitude, ``'SA'`` smallest algebraic.
    block_size : vectors per step (``b > 1``: block Lanczos, batched HVPs; also resolves multiplicities <= b).
    tol : stop when each wanted Ritz value's error bound ``min(r_i, r_i^2 / gap_i)`` (``r_i`` its residual
        norm, ``gap_i`` the distance to the nearest other Ritz value) is ``<= tol * max(|theta_i|, 1e-8 ||T||)``:
        a relative eigenvalue accuracy of about ``tol``.
    max_dim : cap on the Krylov dimension (default ``min(n, max(4k + 60, 120))``); the basis is ``max_dim``
        rows (plus one block), so it bounds the memory: ``(max_dim + b) n`` entries.
    max_restarts : thick restarts allowed when ``max_dim`` is reached unconverged (default 0: stop there).  A
        restart keeps the wanted ``k`` Ritz vectors plus half the remaining room as guards, and continues the
        block recurrence from the last residual block (Wu & Simon's thick restart: exact, the projected matrix
        becomes an arrowhead), so a small ``max_dim`` trades memory for some extra matvecs.
    check_every : Ritz-residual check period, in block steps.
    generator : for the random start block.
    start : ``(n, m)`` start block instead of a random one, e.g. the eigenvectors of a previous solve on a
        nearby operator (a warm start: the Krylov space ``span{S, HS, H^2 S, ...}`` is seeded with them).  The
        block size becomes ``m``; with ``m >= k`` an accurate start converges after the first block step
        (``m`` matvecs).  Columns are orthonormalised here; they must be finite and linearly independent.
    out : ``(n, k)`` tensor that receives the eigenvectors in place (no second ``(n, k)`` allocation; e.g. the
        previous basis of a warm start).  Its previous columns' overlaps with the result,
        ``out_old^T V_new (k, k)``, are returned as :attr:`EigResult.prior_overlap`.

    Returns
    -------
    EigResult ; ``converged`` False when ``max_dim`` was reached first (the Ritz pairs are still returned).
    """
    n = op.size
    _check_k(k, n)
    if start is not None:
        if not isinstance(start, Tensor) or start.ndim != 2 or start.shape[0] != n or not 1 <= start.shape[1] <= n:
            shape = tuple(start.shape) if isinstance(start, Tensor) else type(start).__name__
            raise InputError(f"start must be a tensor (n, m) = ({n}, m) with 1 <= m <= n, got {shape}")
        if not bool(torch.isfinite(start).all()):
            raise InputError("start contains non-finite values")
        block_size = int(start.shape[1])
    b = min(int(block_size), n)
    if b < 1 or not tol > 0:
        raise InputError(f"need block_size >= 1 and tol > 0, got {block_size}, {tol}")
    _select(torch.zeros(1), which)
    cap = min(n, max_dim if max_dim is not None else max(4 * k + 60, 120))
    cap = max(cap, min(n, k + b))
    if out is not None and (out.shape != (n, k) or out.dtype != op.dtype or out.device != op.device):
        raise InputError(f"out must be a ({n}, {k}) tensor of {op.dtype} on {op.device}, got {tuple(out.shape)} "
                         f"{out.dtype} on {out.device}")
    steps_max = math.ceil(cap / b)
    # restarts need room for the kept Ritz vectors and at least two more blocks
    restartable = max_restarts > 0 and steps_max * b < n and steps_max * b >= k + 3 * b
    keep = min(k + (steps_max * b - k) // 2, steps_max * b - 2 * b) if restartable else 0
    basis = torch.zeros(steps_max * b, n, dtype=op.dtype, device=op.device)  # (max_dim, n) rows
    if start is None:
        block = torch.randn(n, b, dtype=op.dtype, generator=generator).to(op.device)
    else:
        block = start.detach().to(op.device, op.dtype)
    q0, r0 = torch.linalg.qr(block)
    if start is not None and float(r0.diagonal().abs().min()) <= 1e-10 * float(r0.diagonal().abs().max()):
        raise InputError("the columns of start are linearly dependent (numerically): no start block of full rank")
    basis[:b] = q0.T
    del block, q0
    t_mat = torch.zeros(steps_max * b, steps_max * b, dtype=op.dtype, device=op.device)
    dim = 0
    n_mv = 0
    restarts = 0
    result = None
    j = 0
    while True:
        q = basis[dim:dim + b].T
        w = op.matmat(q)
        n_mv += b
        a = q.T @ w
        a = (a + a.T) / 2
        t_mat[dim:dim + b, dim:dim + b] = a
        w = _orthogonalize(w, basis[:dim + b])
        q_next, r = torch.linalg.qr(w)
        del w
        dim += b
        scale = float(t_mat[:dim, :dim].abs().max())
        broke = float(r.diagonal().abs().min()) <= 1e-12 * max(scale, 1e-300)
        if n - b < dim < n:
            # no room for another full block: complete the basis of R^n, project H on all of it (exact)
            n_mv += _complete(op, basis, t_mat, dim, generator)
            dim, r, broke = n, torch.zeros_like(r), True
        full = dim + b > steps_max * b
        last = full and restarts >= max_restarts
        check = broke or full or (dim >= k and (j + 1) % check_every == 0)
        j += 1
        if check:
            theta, s = torch.linalg.eigh(t_mat[:dim, :dim])
            order = _select(theta, which)[:k]
            res = (r @ s[dim - b:dim, order]).norm(dim=0)
            floor = 1e-8 * float(theta.abs().max())
            err = _error_bound(theta, order, res)
            ok = len(order) == k and bool((err <= tol * torch.clamp(theta[order].abs(), min=floor)).all())
            result = (theta, s, order, res, ok)
            if ok or broke or last or (full and not restartable):
                break
            if full:
                # thick restart: H Y = Y Theta + q_next^T C^T for the kept Ritz vectors Y = basis^T s_keep, so
                # [Y, q_next] continues the recurrence with an arrowhead projection (exact, no matvec spent)
                kept = _select(theta, which)[:keep]
                _rotate_rows(basis, s[:, kept], dim)
                coupling = r @ s[dim - b:dim, kept]
                t_mat.zero_()
                t_mat[:keep, :keep] = torch.diag(theta[kept])
                t_mat[keep:keep + b, :keep] = coupling
                t_mat[:keep, keep:keep + b] = coupling.T
                basis[keep:keep + b] = q_next.T
                dim = keep
                restarts += 1
                continue
        if broke:
            break
        basis[dim:dim + b] = q_next.T
        t_mat[dim:dim + b, dim - b:dim] = r
        t_mat[dim - b:dim, dim:dim + b] = r.T
    theta, s, order, res, ok = result
    if len(order) < k:
        raise InputError(f"the Krylov space closed at dimension {dim} < k = {k}: the operator has fewer than k "
                         "distinct eigenvalues reachable from the start block; use block_size > 1 or smaller k")
    prior = None
    if out is None:
        vecs = basis[:dim].T @ s[:, order]
    else:
        prior = (basis[:dim] @ out).T @ s[:, order]  # out_old^T V_new, before out is overwritten
        for c0 in range(0, n, _CHUNK):
            out[c0:c0 + _CHUNK] = basis[:dim, c0:c0 + _CHUNK].T @ s[:, order]
        vecs = out
    return EigResult(eigenvalues=theta[order], eigenvectors=vecs, residuals=res, converged=ok,
                     n_matvecs=n_mv, krylov_dim=dim, restarts=restarts, prior_overlap=prior)


#: columns per chunk of the in-place basis rotations (bounds their temporaries to ``rows x _CHUNK`` entries)
_CHUNK = 8192


def _rotate_rows(basis: Tensor, s_keep: Tensor, dim: int) -> None:
    """``basis[:m] = s_keep^T basis[:dim]`` in place, a column chunk at a time (no second basis)."""
    m = s_keep.shape[1]
    for c0 in range(0, basis.shape[1], _CHUNK):
        basis[:m, c0:c0 + _CHUNK] = s_keep.T @ basis[:dim, c0:c0 + _CHUNK]


@dataclass(frozen=True)
class TraceEstimate:
    """A trace estimate with its standard error (from the probe sample)."""

    estimate: float
    std_error: float
    n_matvecs: int


def _rademacher(n: int, m: int, dtype: torch.dtype, device: torch.device, gen: torch.Generator | None) -> Tensor:
    return (torch.randint(0, 2, (n, m), generator=gen) * 2 - 1).to(dtype=dtype, device=device)


def hutchinson(op: Operator, n_probes: int, *, generator: torch.Generator | None = None,
               chunk: int = 16) -> TraceEstimate:
    """Hutchinson's estimate ``mean_i z_i^T H z_i`` with Rademacher ``z_i`` (unbiased; variance
    ``2 (||H||_F^2 - sum_i H_ii^2) / n_probes``); the standard error is the sample s.d. over ``sqrt(n_probes)``."""
    if n_probes < 2:
        raise InputError(f"n_probes must be >= 2 (for a standard error), got {n_probes}")
    vals = []
    left = n_probes
    while left > 0:
        m = min(chunk, left)
        z = _rademacher(op.size, m, op.dtype, op.device, generator)
        vals.append((z * op.matmat(z)).sum(dim=0))
        left -= m
    v = torch.cat(vals).double()
    return TraceEstimate(float(v.mean()), float(v.std() / math.sqrt(n_probes)), n_probes)


def hutch_plus_plus(op: Operator, n_matvecs: int, *, generator: torch.Generator | None = None) -> TraceEstimate:
    """Hutch++ (Meyer, Musco, Musco, Woodruff 2021): exact trace on the range of a sketch ``Q = orth(H S)``
    (``m/3`` probes) plus Hutchinson on the deflated remainder (``m/3`` probes); unbiased, exact when
    ``rank(H) <= m/3``.  The standard error is that of the remainder's Hutchinson term."""
    third = n_matvecs // 3
    if third < 2:
        raise InputError(f"Hutch++ needs n_matvecs >= 6 (three groups of >= 2 probes), got {n_matvecs}")
    s = _rademacher(op.size, third, op.dtype, op.device, generator)
    g = _rademacher(op.size, third, op.dtype, op.device, generator)
    q = torch.linalg.qr(op.matmat(s)).Q
    g_perp = g - q @ (q.T @ g)
    both = op.matmat(torch.cat([q, g_perp], dim=1))
    low = float(torch.trace(q.T @ both[:, :q.shape[1]]))
    terms = (g_perp * both[:, q.shape[1]:]).sum(dim=0).double()
    return TraceEstimate(low + float(terms.mean()), float(terms.std() / math.sqrt(third)),
                         q.shape[1] + 2 * third)


@dataclass(frozen=True)
class SpectralDensity:
    """SLQ quadrature of the normalised spectral measure ``(1/n) sum_i delta(lambda_i)``.

    ``nodes``, ``weights``: ``(P, m)`` per probe (weights of a probe sum to 1; padded entries have weight 0).
    """

    nodes: Tensor  # (P, m)
    weights: Tensor  # (P, m)
    n_matvecs: int

    def moment(self, p: int) -> Tensor:
        """Per-probe estimates ``(P,)`` of ``tr(H^p)/n`` (exact per probe for ``p <= 2m - 1``)."""
        return (self.weights * self.nodes**p).sum(dim=1)

    def cdf(self, grid: Tensor) -> Tensor:
        """Estimated fraction of eigenvalues ``<= grid`` ``(G,)`` (mean over probes)."""
        return ((self.nodes[:, :, None] <= grid[None, None, :]) * self.weights[:, :, None]).sum(dim=1).mean(dim=0)

    def density(self, grid: Tensor, sigma: float) -> Tensor:
        """Gaussian-smoothed density on ``grid (G,)`` with bandwidth ``sigma`` (integrates to 1)."""
        z = (grid[None, None, :] - self.nodes[:, :, None]) / sigma
        kern = torch.exp(-0.5 * z**2) / (sigma * math.sqrt(2 * math.pi))
        return (self.weights[:, :, None] * kern).sum(dim=1).mean(dim=0)


def slq(op: Operator, n_probes: int, n_iter: int, *, generator: torch.Generator | None = None) -> SpectralDensity:
    """Stochastic Lanczos quadrature with ``n_probes`` Rademacher probes and ``n_iter`` Lanczos steps each.

    All probes advance together (one ``matmat`` of ``n_probes`` columns per step); each probe's recurrence is
    fully reorthogonalised against its own basis, and stops at breakdown (an invariant subspace: then its
    quadrature is exact for every polynomial)."""
    n = op.size
    if n_probes < 1 or not 1 <= n_iter <= n:
        raise InputError(f"need n_probes >= 1 and 1 <= n_iter <= n = {n}; got {n_probes}, {n_iter}")
    z = _rademacher(n, n_probes, op.dtype, op.device, generator)
    q = z / math.sqrt(n)
    bases = torch.zeros(n_probes, n_iter, n, dtype=op.dtype, device=op.device)
    alphas = torch.zeros(n_probes, n_iter, dtype=op.dtype)
    betas = torch.zeros(n_probes, n_iter, dtype=op.dtype)
    length = torch.full((n_probes,), n_iter, dtype=torch.long)
    alive = torch.ones(n_probes, dtype=torch.bool)
    n_mv = 0
    for j in range(n_iter):
        bases[:, j] = q.T
        w = op.matmat(q).T  # (P, n)
        n_mv += int(alive.sum())
        alphas[:, j] = (w * q.T).sum(dim=1).cpu()
        for _ in range(2):
            coef = torch.einsum("pjn,pn->pj", bases[:, :j + 1], w)
            w = w - torch.einsum("pj,pjn->pn", coef, bases[:, :j + 1])
        beta = w.norm(dim=1)
        scale = alphas[:, :j + 1].abs().amax(dim=1).to(beta) + betas[:, :j + 1].abs().amax(dim=1).to(beta)
        stop = alive & (beta.cpu() <= 1e-10 * scale.cpu())
        length[stop] = j + 1
        alive &= ~stop
        if j == n_iter - 1 or not alive.any():
            break
        betas[:, j] = torch.where(alive, beta.cpu(), torch.zeros_like(beta.cpu()))
        q = (w / torch.where(beta > 0, beta, torch.ones_like(beta))[:, None]).T * alive.to(op.device, op.dtype)
    nodes = torch.zeros(n_probes, n_iter, dtype=op.dtype)
    weights = torch.zeros(n_probes, n_iter, dtype=op.dtype)
    for p in range(n_probes):
        m = int(length[p])
        t = torch.diag(alphas[p, :m]) + torch.diag(betas[p, :m - 1], 1) + torch.diag(betas[p, :m - 1], -1)
        theta, s = torch.linalg.eigh(t)
        nodes[p, :m] = theta
        weights[p, :m] = s[0] ** 2
    return SpectralDensity(nodes=nodes, weights=weights, n_matvecs=n_mv)


def top_eigenpairs(model: nn.Module, criterion: Criterion, batches: Batch | Sequence[Batch], k: int, *,
                   params: Sequence[str] | None = None, dtype: torch.dtype | None = None,
                   **lanczos_options: Any) -> EigResult:
    """Top-``k`` Hessian eigenpairs of a model's loss (convenience wrapper of :class:`HessianOperator` +
    :func:`lanczos`); eigenvectors are in the coordinates of :func:`flat_params` (``trainable_names`` order)."""
    op = HessianOperator(model, criterion, batches, params=params, dtype=dtype)
    return lanczos(op, k, **lanczos_options)


def layer_blocks(model: nn.Module) -> dict[str, list[str]]:
    """Trainable parameters grouped by owning module (``'fc1.weight'``, ``'fc1.bias'`` -> ``'fc1'``)."""
    blocks: dict[str, list[str]] = {}
    for name in trainable_names(model):
        blocks.setdefault(name.rsplit(".", 1)[0] if "." in name else name, []).append(name)
    return blocks


def block_spectra(model: nn.Module, criterion: Criterion, batches: Batch | Sequence[Batch], k: int, *,
                  blocks: Mapping[str, Sequence[str]] | None = None, dtype: torch.dtype | None = None,
                  **lanczos_options: Any) -> dict[str, EigResult]:
    """Top-``k`` eigenpairs of each diagonal Hessian block ``H_BB`` (per layer by default, see
    :func:`layer_blocks`; or per any named groups of parameters).  ``k`` is capped at each block's size
    (a bias block may have fewer than ``k`` parameters)."""
    groups = layer_blocks(model) if blocks is None else {str(key): list(v) for key, v in blocks.items()}
    if not groups:
        raise InputError("no parameter blocks given")
    out = {}
    for name, members in groups.items():
        op = HessianOperator(model, criterion, batches, params=members, dtype=dtype)
        out[name] = lanczos(op, min(k, op.size), **lanczos_options)
    return out


@dataclass(frozen=True)
class MinibatchSpread:
    """Top-``k`` eigenvalues per mini-batch ``(B, k)`` with their mean/s.d. and the full-batch value ``(k,)``."""

    per_batch: Tensor  # (B, k)
    mean: Tensor  # (k,)
    std: Tensor  # (k,)
    full_batch: Tensor | None  # (k,)


def minibatch_spread(model: nn.Module, criterion: Criterion, batches: Sequence[Batch], k: int, *,
                     full_batch: Batch | Sequence[Batch] | None = None, dtype: torch.dtype | None = None,
                     **lanczos_options: Any) -> MinibatchSpread:
    """Spread of the top-``k`` Hessian eigenvalues across mini-batches (each batch's own Hessian), and the
    full-batch top-``k`` when ``full_batch`` is given (e.g. all mini-batches as a sequence of chunks)."""
    batch_list = list(batches)
    if len(batch_list) < 2:
        raise InputError(f"need at least 2 mini-batches for a spread, got {len(batch_list)}")
    vals = torch.stack([top_eigenpairs(model, criterion, b, k, dtype=dtype, **lanczos_options).eigenvalues.cpu()
                        for b in batch_list])
    full = None if full_batch is None else \
        top_eigenpairs(model, criterion, full_batch, k, dtype=dtype, **lanczos_options).eigenvalues.cpu()
    return MinibatchSpread(per_batch=vals, mean=vals.mean(dim=0), std=vals.std(dim=0), full_batch=full)
