"""Predictable gradient manifolds (companion seed 001, second abstract): streaming sketch, prediction-based
path length and predictable rank of a gradient sequence.

Definitions (the abstract only names the quantities; these are the package's precise versions)
-------------------------------------------------------------------------------------------------
Sequence
    ``g_0, ..., g_{T-1}`` in ``R^d`` (rows of ``seq: Tensor  # (T, d)``): raw gradients (``d = P``) or their
    sketches ``R g_t`` (``d = m``).  Every diagnostic below takes either.
Sketch
    ``R in R^{m x P}`` with i.i.d. entries ``N(0, 1/m)`` (``kind="gaussian"``) or ``+-1/sqrt(m)``
    (``kind="sign"``), so ``E||R g||^2 = ||g||^2`` and ``E<R g, R h> = <g, h>``.  ``R`` is never stored whole
    (unless it is small, see ``cache_elements``): its column block ``c`` is regenerated from the seed pair
    ``(seed, c)``, so memory is ``O(m * chunk)`` whatever ``P``, and the same ``seed`` gives the same ``R`` on
    every call.  On a ``rank``-dimensional subspace a Gaussian ``R`` distorts every singular value by at most
    a factor ``1 +- eps``, ``eps = (sqrt(rank) + sqrt(2 log(2/delta))) / sqrt(m)``, with probability
    ``>= 1 - delta`` (theory form ``gordon_eps``); hence the sketched rank equals the true rank for
    ``m >~ a few x rank`` (:func:`jl_rank_interval` turns ``eps`` into a certified interval for the energy rank).
Predictors (:class:`Predictor`), forecasting ``g_t`` from ``g_{<t}`` only
    * ``last``: ``g^_t = g_{t-1}`` (the classical variation ``sum ||g_t - g_{t-1}||``);
    * ``fixed``: ``g^_t = sum_k c_k g_{t-k}`` with given coefficients (the oracle AR predictor in tests);
    * ``ar``: the same with scalar coefficients ``c(t) in R^p`` fitted by ridge least squares on the sliding
      window of the last ``window`` targets ``j in [t - window, t)``:
      ``min_c sum_j ||g_j - sum_k c_k g_{j-k}||^2 + ridge * tr(G)/p * ||c||^2`` (``G`` the normal matrix).
      Scalar coefficients only use inner products, which the sketch preserves in expectation; the limit
      ``window -> inf`` on a stationary sequence is the Yule-Walker predictor (theory ``mse_yw1/2``).
Prediction-based path length (:func:`path_length`), over the targets ``t = start .. T-1``
    ``L_pred = sum_t ||g_t - g^_t||``; worst-case length ``L_worst = sum_t ||g_t||``; ``ratio = L_pred /
    L_worst`` ("predictable" means ratio << 1; i.i.d. isotropic gradients give ratio -> sqrt 2 for ``last``);
    ``ratio_variation = L_pred / sum_t ||g_t - g_{t-1}||``; ``energy_ratio = sum ||g_t - g^_t||^2 /
    sum ||g_t||^2`` (the quantity with exact closed forms for the planted model).
Predictable rank (:func:`predictable_rank`)
    Singular values ``s_1 >= s_2 >= ...`` of the increment matrix ``D = [g_{t+1} - g_t]_t``  ``# (T-1, d)``;
    ``rank`` = smallest ``k`` with ``sum_{i<=k} s_i^2 >= fraction * sum s_i^2``; ``entropy_rank = exp(H(p))``,
    ``p_i = s_i / sum s_i`` (Roy & Vetterli); ``participation = (sum s_i^2)^2 / sum s_i^4``.  Both effective
    ranks equal ``r`` for ``r`` equal non-zero singular values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn

from spectral_universality.errors import InputError
from spectral_universality.linkcheck import FALSE_ALARM_PER_COMPARISON, Verdict, agrees, z_critical

from .models import train_steps

SKETCH_KINDS = ("gaussian", "sign")
PREDICTOR_KINDS = ("last", "fixed", "ar")


# ---------------------------------------------------------------------------------------------- sketch
def _chunk_seed(seed: int, chunk: int) -> int:
    """Independent 63-bit torch seed for column block ``chunk`` of the sketch ``seed``."""
    return int(np.random.SeedSequence([seed, chunk]).generate_state(2, np.uint64)[0] >> np.uint64(1))


class GradientSketch:
    """Streaming random projection ``g -> R g`` of gradients in ``R^dim`` to ``R^m``, and their history.

    Parameters
    ----------
    dim : int
        Length ``P`` of a flat gradient.
    m : int
        Sketch dimension.
    kind : {"gaussian", "sign"}
        Entries ``N(0, 1/m)`` or ``+-1/sqrt(m)``.
    seed : int
        Fixes ``R`` (column block ``c`` is drawn from ``(seed, c)``).
    chunk : int
        Columns of ``R`` generated at a time; memory ``O(m * chunk)``.
    dtype, device
        Of ``R`` and of the stored sketches (inputs are converted).
    cache_elements : int
        Keep ``R`` in memory when ``m * dim`` is at most this (same values, faster); 0 never caches.
    """

    def __init__(self, dim: int, m: int, *, kind: str = "gaussian", seed: int = 0, chunk: int = 8192,
                 dtype: torch.dtype = torch.float64, device: str | torch.device = "cpu",
                 cache_elements: int = 1 << 22) -> None:
        if not (isinstance(dim, int) and dim >= 1 and isinstance(m, int) and m >= 1):
            raise InputError(f"dim and m must be integers >= 1, got dim={dim!r}, m={m!r}")
        if kind not in SKETCH_KINDS:
            raise InputError(f"unknown sketch kind {kind!r}; known: {SKETCH_KINDS}")
        if not (isinstance(chunk, int) and chunk >= 1):
            raise InputError(f"chunk must be an integer >= 1, got {chunk!r}")
        if not dtype.is_floating_point:
            raise InputError(f"dtype must be a floating type, got {dtype}")
        self.dim, self.m, self.kind, self.seed, self.chunk = dim, m, kind, int(seed), chunk
        self.dtype, self.device = dtype, torch.device(device)
        self._cache = self._matrix() if m * dim <= cache_elements else None
        self._rows: list[Tensor] = []  # one (m,) or (k, m) block per update

    def _block(self, c: int) -> Tensor:
        """Columns ``[c*chunk, (c+1)*chunk)`` of ``R``  ``# (m, width)``."""
        width = min(self.chunk, self.dim - c * self.chunk)
        gen = torch.Generator(device=self.device).manual_seed(_chunk_seed(self.seed, c))
        if self.kind == "gaussian":
            block = torch.randn(self.m, width, generator=gen, dtype=self.dtype, device=self.device)
        else:
            bits = torch.randint(0, 2, (self.m, width), generator=gen, device=self.device)
            block = (2 * bits - 1).to(self.dtype)
        return block / math.sqrt(self.m)

    def _matrix(self) -> Tensor:
        n_chunks = -(-self.dim // self.chunk)
        return torch.cat([self._block(c) for c in range(n_chunks)], dim=1)

    def matrix(self) -> Tensor:
        """The full ``R``  ``# (m, dim)`` (for tests and small ``dim`` only: it allocates ``m * dim``)."""
        return self._cache.clone() if self._cache is not None else self._matrix()

    def project(self, grads: Tensor) -> Tensor:
        """``R g`` for ``grads  # (dim,) or (T, dim)`` -> ``# (m,) or (T, m)``; nothing is stored."""
        if not isinstance(grads, Tensor):
            raise InputError(f"grads must be a torch.Tensor, got {type(grads).__name__}")
        if grads.ndim not in (1, 2) or grads.shape[-1] != self.dim:
            raise InputError(f"grads must have shape ({self.dim},) or (T, {self.dim}), got {tuple(grads.shape)}")
        x = grads.detach().to(device=self.device, dtype=self.dtype)
        if not torch.isfinite(x).all():
            raise InputError("grads contain non-finite values")
        xt = x.reshape(-1, self.dim).T  # (dim, T)
        if self._cache is not None:
            out = self._cache @ xt
        else:
            out = torch.zeros(self.m, xt.shape[1], dtype=self.dtype, device=self.device)
            for c in range(-(-self.dim // self.chunk)):
                out += self._block(c) @ xt[c * self.chunk:(c + 1) * self.chunk]
        return out.T.reshape(*grads.shape[:-1], self.m)

    def update(self, grads: Tensor) -> Tensor:
        """Sketch and append one gradient ``(dim,)`` or a block ``(T, dim)``; returns the new sketches."""
        s = self.project(grads)
        self._rows.append(s.reshape(-1, self.m))
        return s

    def update_from_model(self, model: nn.Module) -> Tensor:
        """Append the sketch of ``model``'s current flat gradient (call after ``backward``)."""
        return self.update(flat_grad(model))

    def __len__(self) -> int:
        return sum(r.shape[0] for r in self._rows)

    def history(self) -> Tensor:
        """All stored sketches in order  ``# (T, m)``."""
        if not self._rows:
            return torch.zeros(0, self.m, dtype=self.dtype, device=self.device)
        return torch.cat(self._rows)


def flat_grad(model: nn.Module) -> Tensor:
    """Concatenated ``.grad`` of the trainable parameters (zeros where a parameter has no gradient)  ``# (P,)``."""
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise InputError("model has no trainable parameters")
    return torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).detach().reshape(-1) for p in params])


def attach_to_optimizer(sketch: GradientSketch, model: nn.Module, optimizer: torch.optim.Optimizer):
    """Feed ``sketch`` the flat gradient of ``model`` before every ``optimizer.step()`` (a step pre-hook), so an
    existing training loop logs without edits.  Returns the handle; ``handle.remove()`` detaches."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise InputError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    def hook(opt: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:  # must return None: args unchanged
        sketch.update_from_model(model)

    return optimizer.register_step_pre_hook(hook)


def sketched_training(model: nn.Module, loss_fn: Callable[[Tensor, Tensor], Tensor],
                      batches: Iterable[tuple[Tensor, Tensor]], optimizer: torch.optim.Optimizer, steps: int,
                      sketch: GradientSketch, *, keep_exact: bool = False) -> dict[str, object]:
    """Train ``steps`` steps, feeding each step's gradient (after ``backward``, before ``step``) to ``sketch``
    (:func:`~.models.train_steps` with a pre-step hook; :func:`attach_to_optimizer` does the same for the user's
    own loop).

    Returns ``{"losses": list[float], "exact": Tensor (steps, P) | None}``; ``keep_exact`` also stores the raw
    gradients (validation of the sketch on small models only: it costs ``steps * P`` memory).
    """
    exact: list[Tensor] = []

    def log_gradient(t: int, loss: float) -> None:
        if not math.isfinite(loss):
            raise InputError(f"loss became non-finite at step {t - 1}")
        g = flat_grad(model)
        sketch.update(g)
        if keep_exact:
            exact.append(g.detach().clone())

    losses = train_steps(model, optimizer, batches, steps, loss_fn=loss_fn, before_step=log_gradient)
    return {"losses": losses, "exact": torch.stack(exact) if keep_exact else None}


# ------------------------------------------------------------------------------------------ prediction
@dataclass(frozen=True)
class Predictor:
    """A causal one-step forecaster (see the module docstring): ``kind`` in ``last``, ``fixed``, ``ar``."""

    kind: str = "last"
    order: int = 1
    window: int = 32
    ridge: float = 1e-8
    coefficients: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in PREDICTOR_KINDS:
            raise InputError(f"unknown predictor kind {self.kind!r}; known: {PREDICTOR_KINDS}")
        if self.kind == "fixed" and not self.coefficients:
            raise InputError("a 'fixed' predictor needs coefficients")
        if self.kind == "ar":
            if not (isinstance(self.order, int) and self.order >= 1):
                raise InputError(f"order must be an integer >= 1, got {self.order!r}")
            if not (isinstance(self.window, int) and self.window >= self.order):
                raise InputError(f"window must be an integer >= order = {self.order}, got {self.window!r}")
            if not (math.isfinite(self.ridge) and self.ridge >= 0):
                raise InputError(f"ridge must be finite and >= 0, got {self.ridge!r}")

    @property
    def lags(self) -> int:
        return {"last": 1, "fixed": len(self.coefficients), "ar": self.order}[self.kind]

    @property
    def start(self) -> int:
        """First target index this predictor can forecast."""
        return self.lags + (self.window if self.kind == "ar" else 0)

    @property
    def name(self) -> str:
        if self.kind == "fixed":
            return "fixed(" + ",".join(f"{c:g}" for c in self.coefficients) + ")"
        return f"ar{self.order}(w={self.window})" if self.kind == "ar" else "last"


def _check_seq(seq: Tensor, min_len: int) -> None:
    if not isinstance(seq, Tensor) or seq.ndim != 2:
        raise InputError(f"seq must be a 2-d tensor (T, d), got {getattr(seq, 'shape', type(seq).__name__)}")
    if not seq.dtype.is_floating_point:
        raise InputError(f"seq must have a floating dtype, got {seq.dtype}")
    if seq.shape[0] < min_len:
        raise InputError(f"seq needs at least {min_len} steps here, got {seq.shape[0]}")
    if not torch.isfinite(seq).all():
        raise InputError("seq contains non-finite values")


def ar_coefficients(seq: Tensor, order: int, window: int, ridge: float = 1e-8) -> Tensor:
    """Ridge least-squares scalar AR coefficients for every target ``t = window + order .. T-1``, each fitted
    on the window ``j in [t - window, t)`` only  ``# (T - window - order, order)``.

    Uses the Gram matrix ``K = seq seq^T`` and cumulative sums along its diagonals, so the cost is ``O(T^2 d)``
    once plus ``O(T order^2)``.
    """
    _check_seq(seq, window + order + 1)
    T, p = seq.shape[0], order
    K = seq @ seq.T  # (T, T)
    j = torch.arange(p, T, device=seq.device)
    lo = torch.arange(window + p, T, device=seq.device) - window  # window start per target

    def window_sum(k: int, l: int) -> Tensor:
        v = K[j - k, j - l]  # (T - p,) term of target j
        cs = torch.cat([v.new_zeros(1), torch.cumsum(v, 0)])
        return cs[lo + window - p] - cs[lo - p]

    G = torch.stack([torch.stack([window_sum(k, l) for l in range(1, p + 1)], -1) for k in range(1, p + 1)], -2)
    b = torch.stack([window_sum(0, k) for k in range(1, p + 1)], -1)  # (n, p)
    tr = torch.diagonal(G, dim1=-2, dim2=-1).sum(-1).clamp_min(torch.finfo(seq.dtype).tiny)
    eye = torch.eye(p, dtype=seq.dtype, device=seq.device)
    return torch.linalg.solve(G + (ridge * tr / p)[:, None, None] * eye, b.unsqueeze(-1)).squeeze(-1)


def predictions(seq: Tensor, predictor: Predictor) -> Tensor:
    """Forecasts ``g^_t`` for ``t = predictor.start .. T-1``  ``# (T - start, d)``."""
    _check_seq(seq, predictor.start + 1)
    T, s, p = seq.shape[0], predictor.start, predictor.lags
    past = torch.stack([seq[s - k:T - k] for k in range(1, p + 1)], 1)  # (n, p, d): g_{t-1}, ..., g_{t-p}
    if predictor.kind == "last":
        return past[:, 0]
    if predictor.kind == "fixed":
        c = torch.tensor(predictor.coefficients, dtype=seq.dtype, device=seq.device)
        return torch.einsum("k,nkd->nd", c, past)
    c = ar_coefficients(seq, predictor.order, predictor.window, predictor.ridge)
    return torch.einsum("nk,nkd->nd", c, past)


@dataclass(frozen=True)
class PathLength:
    """Prediction-based path length of a sequence over targets ``start .. start + steps - 1``."""

    predictor: str
    start: int
    steps: int
    prediction_length: float
    worst_length: float
    variation: float
    ratio: float
    ratio_variation: float
    energy_ratio: float
    error_norms: np.ndarray = field(repr=False)  # (steps,) ||g_t - g^_t||
    grad_norms: np.ndarray = field(repr=False)  # (steps,) ||g_t||


def path_length(seq: Tensor, predictor: Predictor = Predictor(), start: int | None = None) -> PathLength:
    """Prediction path length, worst-case length, variation and their ratios (module docstring).

    ``start`` (default ``predictor.start``) lets several predictors be compared on the same targets.
    """
    s = predictor.start if start is None else start
    if s < predictor.start:
        raise InputError(f"start {s} is before the first forecastable step {predictor.start} of {predictor.name}")
    _check_seq(seq, s + 1)
    pred = predictions(seq, predictor)[s - predictor.start:]
    target = seq[s:]
    err = torch.linalg.vector_norm(target - pred, dim=1)
    norm = torch.linalg.vector_norm(target, dim=1)
    var = torch.linalg.vector_norm(target - seq[s - 1:-1], dim=1)
    if float(norm.sum()) == 0 or float(var.sum()) == 0:
        raise InputError("the sequence is zero (or constant) on the targets: ratios are undefined")
    e, n, v = (x.double().cpu().numpy() for x in (err, norm, var))
    return PathLength(predictor.name, s, len(e), float(e.sum()), float(n.sum()), float(v.sum()),
                      float(e.sum() / n.sum()), float(e.sum() / v.sum()), float((e**2).sum() / (n**2).sum()),
                      e, n)


def block_ratio(num: np.ndarray, den: np.ndarray, blocks: int = 10) -> tuple[float, float]:
    """``sum num / sum den`` and its batch-means standard error over ``blocks`` contiguous blocks (delta
    method: SE of the block ratios' linearisation ``(num_b - R den_b) / mean den_b``).  Contiguous blocks keep
    the SE honest for time-correlated steps as long as the correlation time is short against a block."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    if num.shape != den.shape or num.ndim != 1 or len(num) < 2 * blocks or blocks < 2:
        raise InputError(f"need 1-d num, den of equal length >= 2 * blocks (blocks >= 2), got {num.shape}, "
                         f"{den.shape}, blocks={blocks}")
    R = num.sum() / den.sum()
    nb, db = (np.array([x.sum() for x in np.array_split(a, blocks)]) for a in (num, den))
    lin = (nb - R * db) / db.mean()
    return float(R), float(lin.std(ddof=1) / math.sqrt(blocks))


# ------------------------------------------------------------------------------------------------ rank
def increment_singular_values(seq: Tensor) -> Tensor:
    """Singular values of ``D = [g_{t+1} - g_t]``  ``# (min(T-1, d),)``, descending.

    For wide ``D`` (``d > 4 (T-1)``, raw gradients) they come from the eigenvalues of the small Gram matrix
    ``D D^T`` (one matmul instead of a wide SVD: ~10x faster at T = 500, P = 9000); Gram eigenvalues below the
    numerical-rank tolerance ``(T-1) eps lambda_max`` are set to zero, so singular values below about
    ``sqrt((T-1) eps) s_1`` (~3e-7 s_1 in float64) read as 0 on that route.  Energy ranks and the participation
    ratio are insensitive to this; the entropy rank drops such tails.
    """
    _check_seq(seq, 2)
    D = seq[1:] - seq[:-1]
    n, d = D.shape
    if d <= 4 * n:
        return torch.linalg.svdvals(D)
    lam = torch.linalg.eigvalsh(D @ D.T).flip(0)
    tol = n * torch.finfo(D.dtype).eps * lam[0].clamp_min(0)
    return torch.where(lam > tol, lam, torch.zeros_like(lam)).sqrt()


def energy_rank(svals: Tensor, fraction: float = 0.99) -> int:
    """Smallest ``k`` with ``sum_{i<=k} s_i^2 >= fraction * sum s_i^2`` (``svals`` descending)."""
    if not 0 < fraction <= 1:
        raise InputError(f"fraction must lie in (0, 1], got {fraction}")
    e = svals.double() ** 2
    if float(e.sum()) == 0:
        raise InputError("all singular values are zero: the increments vanish")
    cum = torch.cumsum(e, 0) / e.sum()
    # 1e-12 relative slack so that fraction = 1 counts exactly-zero tails as excluded despite rounding
    return int(torch.searchsorted(cum, torch.tensor(fraction - 1e-12, dtype=cum.dtype)).item()) + 1


def entropy_rank(svals: Tensor) -> float:
    """``exp(H(p))``, ``p_i = s_i / sum s_i`` (Roy & Vetterli's effective rank)."""
    p = svals.double() / svals.double().sum()
    p = p[p > 0]
    return float(torch.exp(-(p * p.log()).sum()))


def participation_ratio(svals: Tensor) -> float:
    """``(sum s_i^2)^2 / sum s_i^4``."""
    e = svals.double() ** 2
    return float(e.sum() ** 2 / (e**2).sum())


@dataclass(frozen=True)
class PredictableRank:
    """Predictable rank of a sequence: energy rank at ``fraction`` and the two effective ranks."""

    rank: int
    fraction: float
    entropy_rank: float
    participation: float
    n_increments: int
    dim: int
    svals: np.ndarray = field(repr=False)


def predictable_rank(seq: Tensor, fraction: float = 0.99) -> PredictableRank:
    """Energy rank and effective ranks of the increments of ``seq  # (T, d)`` (module docstring)."""
    s = increment_singular_values(seq)
    return PredictableRank(energy_rank(s, fraction), fraction, entropy_rank(s), participation_ratio(s),
                           seq.shape[0] - 1, seq.shape[1], s.double().cpu().numpy())


def jl_rank_interval(svals: Tensor, eps: float, fraction: float = 0.99) -> tuple[int, int]:
    """Certified range of the sketch's energy rank when every sketched singular value lies within
    ``[(1 - eps) s_i, (1 + eps) s_i]`` of the true ``s_i`` (the Gordon event, probability ``>= 1 - delta``).

    Top-``k`` energy fraction ``F_k = A_k / (A_k + B_k)`` (``A_k``: first ``k`` energies, ``B_k``: the rest) of
    the sketch lies in ``[a A_k / (a A_k + b B_k), b A_k / (b A_k + a B_k)]``, ``a = (1-eps)^2, b = (1+eps)^2``;
    the sketch's rank is at least the first ``k`` whose upper bound reaches ``fraction`` and at most the
    first ``k`` whose lower bound does.
    """
    if not 0 <= eps < 1:
        raise InputError(f"eps must lie in [0, 1), got {eps}")
    e = svals.double() ** 2
    A = torch.cumsum(e, 0)
    B = e.sum() - A
    a, b = (1 - eps) ** 2, (1 + eps) ** 2
    lower, upper = a * A / (a * A + b * B), b * A / (b * A + a * B)
    thr = fraction - 1e-12
    return (int(torch.nonzero(upper >= thr)[0]) + 1, int(torch.nonzero(lower >= thr)[0]) + 1)


# --------------------------------------------------------------------------------------- planted model
def planted_sequence(steps: int, dim: int, rank: int, phi: float, q: float, sigma: float, *,
                     generator: torch.Generator, dtype: torch.dtype = torch.float64,
                     device: str | torch.device | None = None) -> tuple[Tensor, Tensor]:
    """The planted model of :mod:`spectral_universality.theory.gradient_manifold`:
    ``g_t = U a_t + eps_t`` with a stationary AR(1) latent.  Returns ``(grads # (steps, dim), U # (dim, rank))``.

    Raises HypothesisViolation outside the model's hypotheses (``|phi| < 1``, ``q > 0``, ...).
    """
    from spectral_universality.theory.gradient_manifold import validate

    validate({"phi": phi, "q": q, "sigma": sigma, "rank": rank, "P": dim})
    if not (isinstance(steps, int) and steps >= 1):
        raise InputError(f"steps must be an integer >= 1, got {steps!r}")
    dev = torch.device(device) if device is not None else generator.device
    kw = {"generator": generator, "dtype": dtype, "device": dev}
    U, _ = torch.linalg.qr(torch.randn(dim, rank, **kw))
    z = torch.randn(steps, rank, **kw)
    a = torch.empty(steps, rank, dtype=dtype, device=dev)
    a[0] = z[0] * q / math.sqrt(1 - phi**2)  # stationary start
    for t in range(1, steps):
        a[t] = phi * a[t - 1] + q * z[t]
    return a @ U.T + sigma * torch.randn(steps, dim, **kw), U


@dataclass(frozen=True)
class PooledRatio:
    """Ratios pooled over independent replicates, with delta-method standard errors across replicates."""

    energy_ratio: float
    energy_se: float
    ratio: float
    ratio_se: float


def pooled_ratios(sequences: Iterable[Tensor], predictors: dict[str, Predictor]) -> dict[str, PooledRatio]:
    """Pooled energy and path-length ratios of each predictor over independent sequences (each ``(T, d)``, equal
    ``T``), all predictors on the common targets ``t >= max start``; SEs from the spread across sequences."""
    start = max(p.start for p in predictors.values())
    acc: dict[str, list[list[np.ndarray]]] = {k: [[], [], [], []] for k in predictors}
    for seq in sequences:
        for k, pr in predictors.items():
            pl = path_length(seq, pr, start=start)
            for lst, v in zip(acc[k], (pl.error_norms**2, pl.grad_norms**2, pl.error_norms, pl.grad_norms)):
                lst.append(v)
    n_seq = len(next(iter(acc.values()))[0])
    if n_seq < 2 or len({len(v) for v in next(iter(acc.values()))[0]}) != 1:
        raise InputError(f"need >= 2 sequences of equal length, got {n_seq}")
    out = {}
    for k, lists in acc.items():
        e2, n2, e, n = (np.concatenate(v) for v in lists)
        # one block per sequence: the arrays are the sequences' equal-length runs concatenated
        out[k] = PooledRatio(*block_ratio(e2, n2, n_seq), *block_ratio(e, n, n_seq))
    return out


def planted_ratios(params: dict[str, float], predictors: dict[str, Predictor], *, replicates: int, steps: int,
                   m: int | None, seed: int, dtype: torch.dtype = torch.float64,
                   device: str | torch.device = "cpu") -> dict[str, PooledRatio]:
    """:func:`pooled_ratios` on ``replicates`` independent planted sequences (``params``: ``rank, phi, q, sigma,
    P``), each with a fresh ``U``, latent, noise and (if ``m`` is given) Gaussian sketch of seed ``seed + rep``."""
    def sequences():
        for rep in range(replicates):
            gen = torch.Generator(device=device).manual_seed(seed + rep)
            seq, _ = planted_sequence(steps, int(params["P"]), int(params["rank"]), params["phi"], params["q"],
                                      params["sigma"], generator=gen, dtype=dtype, device=device)
            yield seq if m is None else GradientSketch(int(params["P"]), m, seed=seed + rep, dtype=dtype,
                                                       device=device).project(seq)

    return pooled_ratios(sequences(), predictors)


def estimation_excess(expected_mse: float, predictor: Predictor, samples_per_step: float) -> float:
    """Allowance for a fitted predictor's least-squares estimation excess over its population error:
    ``mse * order / (window * samples_per_step)`` (Akaike's FPE inflation ``1 + p/n`` with ``n = window *
    samples_per_step`` independent scalar samples per fit); 0 for non-fitted predictors."""
    if predictor.kind != "ar":
        return 0.0
    return expected_mse * predictor.order / (predictor.window * samples_per_step)


def matches_theory(measured: float, se: float, expected: float, excess: float = 0.0) -> Verdict:
    """``linkcheck.agrees`` with the one-sided band ``[expected - z se, expected + z se + excess]`` (a fitted
    predictor can only lose by estimation): centre shifted by ``excess/2``, half-width widened by ``excess/2``."""
    return agrees(measured - excess / 2, se + excess / 2 / z_critical(FALSE_ALARM_PER_COMPARISON), expected)
