"""Spectral transfer identity ``s = alpha * gamma`` of one layer (companion seed 001), measured on a model.

For a weight ``W`` of shape ``(m, d)`` (a conv kernel ``(o, i, kh, kw)`` is read as ``(o, i*kh*kw)``):

1. ``G = dL/dW`` (full-batch, sample-weighted over the given chunks) and its SVD ``G = sum_k sigma_k u_k v_k^T``.
2. ``h_k = vec(u_k v_k^T)^T H vec(u_k v_k^T)`` by Hessian-vector products of the layer's diagonal block
   (:class:`~.hessian.HessianOperator` with ``params=[W]``; ``H`` is never formed).
3. ``alpha``: least-squares slope of ``log h_k`` on ``log sigma_k``.
4. ``gamma``: ``varsigma_k ~ k^-gamma`` for the singular values ``varsigma_k`` of the per-sample gradient matrix
   ``(N, m*d)`` (``torch.func.vmap`` of ``grad``), i.e. data independent of step 2.  ``gamma_mean`` is the same
   fit on ``sigma_k`` itself (for which the identity is algebraic).
5. ``s``: ``lambda_k ~ k^-s`` for the top Lanczos eigenvalues of the layer block (:func:`~.hessian.lanczos`).

Index range (documented default): every fit uses the same 1-based modes ``k = lo+1 .. hi`` (``k_range = (lo, hi)``
0-based half-open); by default ``lo = 0`` and ``hi`` = the number of singular values of ``G`` above
``rel_floor * sigma_1`` (numerical zeros excluded: e.g. softmax cross-entropy makes the output layer's ``G`` rank
``C - 1``), capped by ``n_directions``.  Within the range, ``alpha`` uses only modes with ``h_k > 0`` and ``s`` only
``lambda_k > 0`` (logs); the numbers of excluded modes are reported.

Standard errors are the ordinary least-squares ones from the residuals; they describe scatter about the fitted
line, not systematic curvature of a spectrum that is not a power law.  ``alpha_gamma_se`` is the delta-method
error of the product treating the two fits as independent (they use different data).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
from torch import Tensor, nn
from torch.func import functional_call, grad, vmap

from spectral_universality.errors import InputError
from spectral_universality.linkcheck import Verdict

from .fit import LineFit, line_fit, power_law_fit, slope_sensitivity
from .hessian import Batch, Criterion, HessianOperator, _as_batches, lanczos, trainable_names

# -- power-law fits (the line fit itself is :mod:`.fit`) -----------------------------------------------------


def _vector(a: Tensor | np.ndarray | Sequence[float], name: str) -> np.ndarray:
    arr = np.asarray(a.detach().cpu().double() if isinstance(a, Tensor) else a, dtype=np.float64)
    if arr.ndim != 1:
        raise InputError(f"{name} must be 1-d, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise InputError(f"{name} contains non-finite values")
    return arr


def decay_exponent(values: np.ndarray, modes: np.ndarray) -> LineFit:
    """Fit ``values ~ k^-exponent`` on the 1-based ``modes``: the fit of ``log values`` on ``log k`` (>= 3 points,
    for a residual standard error) with the slope's sign flipped (``slope`` = the decay exponent).  ``values``
    must be positive."""
    f = power_law_fit(modes, values, min_points=3)
    return replace(f, slope=-f.slope)


def participation_ratio(lam: Tensor | np.ndarray | Sequence[float]) -> float:
    """``(sum lambda)^2 / sum lambda^2`` of a spectrum ``(n,)`` (``>= 1`` when every ``lambda >= 0``: the Lean lemma
    ``one_le_participationRatio``); :class:`InputError` when ``sum lambda^2 = 0``."""
    v = _vector(lam, "lam")
    if v.size == 0 or not (v * v).sum() > 0:
        raise InputError("participation ratio of an empty or all-zero spectrum is undefined")
    return float(v.sum() ** 2 / (v * v).sum())


# -- the layer's gradient, per-sample gradients and directional curvatures ----------------------------------


class _LayerLoss:
    """``criterion(model(x), y)`` as a function of one weight tensor, others fixed (cast to ``dtype``)."""

    def __init__(self, model: nn.Module, criterion: Criterion, param: str, dtype: torch.dtype | None) -> None:
        trainable_names(model, [param])
        table = dict(model.named_parameters())
        weight = table[param]
        if weight.ndim < 2:
            raise InputError(f"parameter {param!r} has shape {tuple(weight.shape)}: the transfer identity needs a "
                             "weight matrix (ndim >= 2)")
        self.param = param
        self.dtype = dtype or weight.dtype
        self.device = weight.device
        self.shape = tuple(weight.shape)
        self.matrix_shape = (int(weight.shape[0]), int(weight.numel() // weight.shape[0]))
        self.weight = weight.detach().to(self.dtype)
        self._fixed = {n: p.detach().to(self.dtype) for n, p in model.named_parameters() if n != param}
        self._buffers = {n: b.to(self.dtype) if b.is_floating_point() else b for n, b in model.named_buffers()}
        self._model = model
        self._criterion = criterion

    def cast(self, x: Tensor) -> Tensor:
        return x.to(self.device, self.dtype) if x.is_floating_point() else x.to(self.device)

    def __call__(self, w: Tensor, x: Tensor, y: Tensor) -> Tensor:
        out = functional_call(self._model, ({**self._fixed, self.param: w}, self._buffers), (x,))
        return self._criterion(out, y)


def gradient_matrix(model: nn.Module, criterion: Criterion, batches: Batch | Sequence[Batch], param: str, *,
                    dtype: torch.dtype | None = None) -> Tensor:
    """Full-batch gradient ``G (m, d)`` of the sample-weighted mean loss over ``batches`` w.r.t. ``param``."""
    loss = _LayerLoss(model, criterion, param, dtype)
    chunks = _as_batches(batches)
    total = sum(int(x.shape[0]) for x, _ in chunks)
    g = torch.zeros(loss.shape, dtype=loss.dtype, device=loss.device)
    for x, y in chunks:
        g += (int(x.shape[0]) / total) * grad(loss)(loss.weight, loss.cast(x), y.to(loss.device))
    if not torch.isfinite(g).all():
        raise InputError("the gradient is not finite at the current parameters")
    return g.reshape(loss.matrix_shape)


def per_sample_gradients(model: nn.Module, criterion: Criterion, batches: Batch | Sequence[Batch], param: str, *,
                         dtype: torch.dtype | None = None, chunk: int = 256) -> Tensor:
    """Per-sample gradients ``(N, m*d)``: row ``i`` is the gradient of ``criterion`` on the one-sample batch
    ``(x_i, y_i)`` (``vmap`` of ``grad``, ``chunk`` samples per pass to bound memory)."""
    if chunk < 1:
        raise InputError(f"chunk must be >= 1, got {chunk}")
    loss = _LayerLoss(model, criterion, param, dtype)
    one = lambda w, xi, yi: loss(w, xi[None], yi[None])  # noqa: E731
    per = vmap(grad(one), in_dims=(None, 0, 0))
    rows = []
    for x, y in _as_batches(batches):
        x, y = loss.cast(x), y.to(loss.device)
        for i in range(0, int(x.shape[0]), chunk):
            rows.append(per(loss.weight, x[i:i + chunk], y[i:i + chunk]).reshape(-1, math.prod(loss.shape)))
    out = torch.cat(rows)
    if not torch.isfinite(out).all():
        raise InputError("a per-sample gradient is not finite at the current parameters")
    return out


def directional_curvatures(op: HessianOperator, u: Tensor, v: Tensor, *, chunk: int = 32) -> Tensor:
    """``h_k = vec(u_k v_k^T)^T H vec(u_k v_k^T)`` for ``u (m, K)``, ``v (d, K)`` (unit columns) -> ``(K,)``;
    ``op`` is the layer's block (coordinates = the weight flattened row-major, ``m*d`` of them)."""
    if u.ndim != 2 or v.ndim != 2 or u.shape[1] != v.shape[1] or u.shape[0] * v.shape[0] != op.size:
        raise InputError(f"u (m, K) and v (d, K) with m*d = {op.size} expected, got {tuple(u.shape)}, "
                         f"{tuple(v.shape)}")
    out = []
    for i in range(0, int(u.shape[1]), chunk):
        dirs = torch.einsum("ik,jk->ijk", u[:, i:i + chunk], v[:, i:i + chunk]).reshape(op.size, -1)
        dirs = dirs.to(op.device, op.dtype)
        out.append((dirs * op.matmat(dirs)).sum(dim=0))
    return torch.cat(out)


def singular_values(mat: Tensor) -> Tensor:
    """Singular values ``(min(N, p),)``, descending, of ``mat (N, p)`` from the eigenvalues of the smaller Gram
    matrix (about 10x faster than an SVD for the wide per-sample matrices).  Squaring costs accuracy: the relative
    error of ``sigma_k`` is about ``eps (sigma_1 / sigma_k)^2`` (2e-10 at ``sigma_k = 1e-3 sigma_1``)."""
    if mat.ndim != 2:
        raise InputError(f"mat must be 2-d, got shape {tuple(mat.shape)}")
    gram = mat @ mat.T if mat.shape[0] <= mat.shape[1] else mat.T @ mat
    return torch.linalg.eigvalsh(gram).flip(0).clamp(min=0).sqrt()


# -- the identity --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferResult:
    """Exponents of one layer and the spectra they were fitted on (numpy float64, 1-based modes).

    ``sigma (K,)`` singular values of ``G``; ``h (K,)`` curvatures along them; ``lam (L,)`` top Hessian-block
    eigenvalues; ``ps_sv (M,)`` per-sample-gradient singular values; ``mode_range`` 0-based half-open.
    ``s_h``: decay exponent of ``h_k`` itself; ``rho2``: squared correlation of ``log k`` and ``log sigma_k`` over
    the ``alpha`` modes (``alpha * gamma_mean = s_h * rho2`` whenever ``log h_k`` is affine in ``log k``).
    """

    alpha: float
    alpha_se: float
    gamma: float
    gamma_se: float
    gamma_mean: float
    s: float
    s_se: float
    alpha_gamma: float
    alpha_gamma_se: float
    rel_error: float  # |alpha gamma - s| / s
    s_h: float
    rho2: float
    alpha_intercept: float  # log h = alpha log sigma + alpha_intercept
    s_intercept: float  # log lam = -s log k + s_intercept
    mode_range: tuple[int, int]
    n_alpha: int
    n_negative_h: int
    n_s: int
    sigma: np.ndarray
    h: np.ndarray
    lam: np.ndarray
    ps_sv: np.ndarray
    lanczos_converged: bool | None = None  # set by transfer_diagnostic (None: spectra given as arrays)

    def to_dict(self) -> dict:
        """Plain data (arrays as lists)."""
        return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in asdict(self).items()}


def _default_range(sigma: np.ndarray, rel_floor: float) -> int:
    return int((sigma > rel_floor * sigma[0]).sum()) if sigma[0] > 0 else 0


def transfer_from_spectra(sigma: Tensor | np.ndarray, h: Tensor | np.ndarray, lam: Tensor | np.ndarray,
                          ps_sv: Tensor | np.ndarray, *, k_range: tuple[int, int] | None = None,
                          rel_floor: float = 1e-6) -> TransferResult:
    """The identity from logged spectra: ``sigma (K,)`` descending with ``h (K,)`` along the same directions,
    ``lam (L,)`` descending, ``ps_sv (M,)`` descending; see the module docstring for the mode range."""
    sg, hh, lm, ps = (_vector(a, n) for a, n in ((sigma, "sigma"), (h, "h"), (lam, "lam"), (ps_sv, "ps_sv")))
    if sg.shape != hh.shape or sg.size == 0:
        raise InputError(f"sigma and h must have the same non-zero length, got {sg.size}, {hh.size}")
    for name, a in (("sigma", sg), ("lam", lm), ("ps_sv", ps)):
        if a.size and (np.diff(a) > 1e-12 * abs(a[0])).any():
            raise InputError(f"{name} must be sorted in descending order")
    if (sg < 0).any() or (ps < 0).any():
        raise InputError("singular values must be nonnegative")
    if k_range is None:
        lo, hi = 0, min(_default_range(sg, rel_floor), lm.size, ps.size)
    else:
        lo, hi = (int(v) for v in k_range)
        if not 0 <= lo < hi <= min(sg.size, lm.size, ps.size):
            raise InputError(f"k_range {k_range} must satisfy 0 <= lo < hi <= {min(sg.size, lm.size, ps.size)}")
        if (sg[lo:hi] <= 0).any() or (ps[lo:hi] <= 0).any():
            raise InputError("k_range includes zero singular values")
    if hi - lo < 3:
        raise InputError(f"only {hi - lo} modes in the fit range (need >= 3): too few nonzero gradient singular "
                         "values, Lanczos eigenvalues or per-sample singular values")
    k = np.arange(lo + 1, hi + 1, dtype=np.float64)
    ok_h = hh[lo:hi] > 0
    ok_l = lm[lo:hi] > 0
    if ok_h.sum() < 3 or ok_l.sum() < 3:
        raise InputError(f"fewer than 3 positive curvatures ({ok_h.sum()}) or eigenvalues ({ok_l.sum()}) in modes "
                         f"{lo + 1}..{hi}: no log-log fit")
    log_sigma = np.log(sg[lo:hi][ok_h])
    fa = line_fit(log_sigma, np.log(hh[lo:hi][ok_h]), min_points=3)
    fg = decay_exponent(ps[lo:hi], k)
    fgm = decay_exponent(sg[lo:hi], k)
    fs = decay_exponent(lm[lo:hi][ok_l], k[ok_l])
    fh = decay_exponent(hh[lo:hi][ok_h], k[ok_h])
    rho2 = float(np.corrcoef(np.log(k[ok_h]), log_sigma)[0, 1] ** 2)
    prod = fa.slope * fg.slope
    return TransferResult(
        alpha=fa.slope, alpha_se=fa.slope_se, gamma=fg.slope, gamma_se=fg.slope_se, gamma_mean=fgm.slope,
        s=fs.slope, s_se=fs.slope_se, alpha_gamma=prod,
        alpha_gamma_se=math.hypot(fg.slope * fa.slope_se, fa.slope * fg.slope_se),
        rel_error=abs(prod - fs.slope) / abs(fs.slope) if fs.slope != 0 else math.inf, s_h=fh.slope, rho2=rho2,
        alpha_intercept=fa.intercept, s_intercept=fs.intercept, mode_range=(lo, hi), n_alpha=int(ok_h.sum()),
        n_negative_h=int((~ok_h).sum()), n_s=int(ok_l.sum()),
        sigma=sg, h=hh, lam=lm, ps_sv=ps)


def transfer_diagnostic(model: nn.Module, criterion: Criterion, batches: Batch | Sequence[Batch], param: str, *,
                        per_sample_batches: Batch | Sequence[Batch] | None = None, n_directions: int | None = None,
                        k_range: tuple[int, int] | None = None, dtype: torch.dtype | None = None,
                        rel_floor: float = 1e-6, lanczos_tol: float = 1e-8, block_size: int = 1,
                        generator: torch.Generator | None = None) -> TransferResult:
    """Measure ``alpha``, ``gamma``, ``s`` of the weight ``param`` of ``model`` (see the module docstring).

    Parameters
    ----------
    batches : data of the full-batch loss (gradient, curvatures, Hessian block): ``(x, y)`` or chunks of it.
    per_sample_batches : data of the per-sample gradient matrix (default ``batches``; pass held-out data to make
        ``gamma`` fully independent of the other fits).
    n_directions : use the top ``n_directions`` singular directions of ``G`` (default: all whose singular value
        exceeds ``rel_floor * sigma_1``); the Lanczos solve asks for as many eigenvalues.
    dtype : computation dtype (float64 for checks).
    lanczos_tol, block_size : Lanczos's relative eigenvalue accuracy and block size (4 is about twice as fast on
        small networks; keep 1 for operators of rank close to ``n_directions``).
    """
    g = gradient_matrix(model, criterion, batches, param, dtype=dtype)
    u, sv, vh = torch.linalg.svd(g, full_matrices=False)
    rank = _default_range(sv.detach().cpu().double().numpy(), rel_floor)
    n_dir = rank if n_directions is None else int(n_directions)
    if not 3 <= n_dir <= rank:
        raise InputError(f"n_directions must be in [3, {rank}] (the singular values of G above rel_floor * sigma_1), "
                         f"got {n_dir}")
    op = HessianOperator(model, criterion, batches, params=[param], dtype=dtype)
    h = directional_curvatures(op, u[:, :n_dir], vh[:n_dir].T)
    eig = lanczos(op, n_dir, which="LA", tol=lanczos_tol, block_size=block_size, generator=generator)
    grads = per_sample_gradients(model, criterion, per_sample_batches if per_sample_batches is not None else batches,
                                 param, dtype=dtype)
    ps = singular_values(grads)[:n_dir]
    res = transfer_from_spectra(sv[:n_dir], h, eig.eigenvalues, ps, k_range=k_range, rel_floor=rel_floor)
    return replace(res, lanczos_converged=bool(eig.converged))


# -- a planted model: every spectrum an exact, known power law ----------------------------------------------


class MatrixSensing(nn.Module):
    """``f(A) = <A, W>``: one scalar per design matrix ``A (B, m, d)``; with :func:`half_squared_error` the
    layer Hessian is ``(1/N) sum_i vec(A_i) vec(A_i)^T`` exactly."""

    def __init__(self, weight: Tensor) -> None:
        super().__init__()
        self.weight = nn.Parameter(weight.clone())

    def forward(self, a: Tensor) -> Tensor:
        return torch.einsum("bij,ij->b", a, self.weight)


def half_squared_error(out: Tensor, target: Tensor) -> Tensor:
    """``mean (out - target)^2 / 2`` (Hessian = mean outer product of the output gradients)."""
    return 0.5 * torch.mean((out - target) ** 2)


@dataclass(frozen=True)
class PlantedProblem:
    """A :class:`MatrixSensing` model at ``W0`` with data ``(A (N, m, d), y (N,))`` such that the layer Hessian has
    eigenvalues ``lam (N,)`` (and zeros) along ``u_k v_k^T`` and the gradient has singular values ``sigma (N,)``
    along the same directions."""

    model: MatrixSensing
    batch: tuple[Tensor, Tensor]
    lam: np.ndarray
    sigma: np.ndarray


def planted_problem(lam: np.ndarray, sigma: np.ndarray, m: int, d: int, *, dtype: torch.dtype = torch.float64,
                    device: str | torch.device = "cpu", generator: torch.Generator | None = None) -> PlantedProblem:
    """Build the planted problem: sample ``k`` has ``A_k = sqrt(N lam_k) u_k v_k^T`` (``u``, ``v`` random orthonormal
    columns) and residual ``r_k = sigma_k sqrt(N / lam_k)`` (``theory.transfer.planted_residual``), so
    ``G = sum_k sigma_k u_k v_k^T``, ``h_k = lam_k`` and the per-sample singular values are ``N sigma_k``.
    ``sigma`` must be strictly decreasing (distinct singular values, so the SVD returns this order)."""
    lam_a, sig_a = _vector(lam, "lam"), _vector(sigma, "sigma")
    n = lam_a.size
    if sig_a.size != n or n < 3 or not n <= min(m, d):
        raise InputError(f"need 3 <= len(lam) = len(sigma) <= min(m, d), got {n}, {sig_a.size}, m={m}, d={d}")
    if (lam_a <= 0).any() or (sig_a <= 0).any() or (np.diff(sig_a) >= 0).any():
        raise InputError("lam must be positive and sigma positive, strictly decreasing")
    u = torch.linalg.qr(torch.randn(m, n, dtype=torch.float64, generator=generator)).Q
    v = torch.linalg.qr(torch.randn(d, n, dtype=torch.float64, generator=generator)).Q
    w0 = torch.randn(m, d, dtype=torch.float64, generator=generator)
    lam_t, sig_t = torch.as_tensor(lam_a), torch.as_tensor(sig_a)
    a = torch.sqrt(n * lam_t)[:, None, None] * torch.einsum("ik,jk->kij", u, v)  # (N, m, d)
    resid = sig_t * torch.sqrt(n / lam_t)
    y = torch.einsum("bij,ij->b", a, w0) - resid
    model = MatrixSensing(w0).to(device=device, dtype=dtype)
    return PlantedProblem(model, (a.to(device, dtype), y.to(device, dtype)), lam_a, sig_a)


def planted_power_law(alpha: float, gamma: float, n: int, m: int, d: int, **kw) -> PlantedProblem:
    """:func:`planted_problem` with ``sigma_k = k^-gamma`` and ``lam_k = h_k = sigma_k^alpha = k^-(alpha gamma)``."""
    if not (alpha > 0 and gamma > 0):
        raise InputError(f"alpha and gamma must be > 0, got {alpha}, {gamma}")
    k = np.arange(1, n + 1, dtype=np.float64)
    return planted_problem(k ** (-alpha * gamma), k**-gamma, m, d, **kw)


# -- registry checks (Lean: SpectralTransfer.lsSlope_comp_affine, one_le_participationRatio) -----------------

#: Relative rounding allowance of an exactly-determined least-squares slope (as the registry's ``rel_fp``).
REL_FP = 1e-9


def registry_check_transfer(params: dict, seed: int) -> Verdict:
    """``lsSlope_comp_affine``: with ``log sigma_k = -gamma log k + c'`` and ``log h_k = alpha log sigma_k + c``
    the least-squares slope of ``log h_k`` on ``log k`` is ``-alpha gamma``.

    ``params``: ``alpha``, ``gamma`` (> 0), ``n`` (modes, default 32), ``offset`` (a k-independent log factor on
    both spectra: inside the premise), ``noise`` (s.d. of independent per-mode log-normal factors on ``sigma_k``
    and ``h_k``: breaks the exact affine premise when > 0).  ``seed`` draws ``c'`` and the noise.  Holds iff the
    slope equals ``-alpha gamma`` to float rounding."""
    alpha, gamma = float(params["alpha"]), float(params["gamma"])
    n, noise, offset = int(params.get("n", 32)), float(params.get("noise", 0.0)), float(params.get("offset", 0.0))
    if n < 2 or noise < 0:
        raise InputError(f"need n >= 2 and noise >= 0, got n={n}, noise={noise}")
    rng = np.random.default_rng(seed)
    log_k = np.log(np.arange(1, n + 1, dtype=np.float64))
    log_sigma = -gamma * log_k + offset + rng.normal() + noise * rng.normal(size=n)
    log_h = alpha * log_sigma + offset + noise * rng.normal(size=n)
    xc = log_k - log_k.mean()
    slope = float(xc @ log_h / (xc @ xc))
    expected = -alpha * gamma
    tol = REL_FP * slope_sensitivity(log_k) * max(1.0, float(np.abs(log_h).max()))
    ok = abs(slope - expected) <= tol
    return Verdict(ok, f"slope of log h on log k {slope:.12g} vs -alpha*gamma {expected:.12g}: |diff| "
                       f"{abs(slope - expected):.3g} {'<=' if ok else '>'} tol {tol:.3g} (noise {noise:g}, n {n})")


def registry_check_participation(params: dict, seed: int) -> Verdict:
    """``one_le_participationRatio``: ``PR(lambda) >= 1`` for ``lambda >= 0``.

    ``params``: ``n`` (modes), ``shift`` in ``[0, 1]``: ``lambda_k = U_k - shift * mean(U)``, ``U_k ~ U(0, 1)``
    (``seed``).  ``shift = 0``: nonnegative spectrum (inside); ``shift = 1``: a zero-sum spectrum with negative
    entries (outside), whose PR is 0."""
    n, shift = int(params["n"]), float(params.get("shift", 0.0))
    if n < 1 or not 0 <= shift <= 1:
        raise InputError(f"need n >= 1 and 0 <= shift <= 1, got {n}, {shift}")
    u = np.random.default_rng(seed).uniform(0.0, 1.0, size=n)
    lam = u - shift * u.mean()
    num, den = float(lam.sum() ** 2), float((lam * lam).sum())
    if den == 0:
        raise InputError(f"all-zero spectrum (n = {n}, shift = {shift}): PR undefined")
    tol = REL_FP * den
    ok = num >= den - tol
    return Verdict(ok, f"(sum lam)^2 {num:.6g} vs sum lam^2 {den:.6g}: PR {num / den:.6g} "
                       f"{'>=' if ok else '<'} 1 (n {n}, shift {shift:g})")


def participation_bound_verdict(s: float, n: int, limit: Callable[[float], float]) -> Verdict:
    """``PR_n`` of ``k^-s`` (``k <= n``, float64 sums) against its supremum ``limit(s)`` (``zeta(s)^2/zeta(2s)``
    from ``theory.transfer.participation_limit``): holds iff ``PR_{n-1} <= PR_n <= limit`` up to rounding."""
    if n < 2:
        raise InputError(f"n must be >= 2, got {n}")
    lam = np.arange(1, n + 1, dtype=np.float64) ** -float(s)
    pr_n, pr_prev, sup = participation_ratio(lam), participation_ratio(lam[:-1]), limit(s)
    tol = REL_FP * sup
    ok = pr_prev <= pr_n + tol and pr_n <= sup + tol
    return Verdict(ok, f"PR_{n - 1} {pr_prev:.10g} <= PR_{n} {pr_n:.10g} <= zeta(s)^2/zeta(2s) {sup:.10g} "
                       f"(s {float(s):g}): {ok}")
