"""Spectral certificate of a trained model (companion seed 004, Step 10) and gradient descent on planted
quadratics (Step 1).

Certificate (:func:`spectral_certificate`), for a user's ``model``, ``criterion`` and ``batches``:

* ``kappa(H) = lam_max / lam_min`` of the loss Hessian, both ends by Lanczos on Hessian-vector products
  (:func:`.hessian.lanczos` with ``which='LA'`` / ``'SA'``).  ``kappa`` is defined only for a positive-definite
  Hessian: if ``lam_min <= singular_rtol * lam_max`` it is ``None`` and ``kappa_reason`` says why (indefinite:
  a saddle; or numerically singular, e.g. softmax regression, whose loss is invariant to adding one vector to
  every class's weights).
* Per weight layer (``nn.Linear``, ``nn.Conv1d/2d/3d``) the matrix 2-norm ``||W_l||_2``, their product (the
  seed's "path norm"), and the seed's bound ``prod_l ||W_l||_2 * ||X||_2 / sqrt(n)`` (``X`` the ``(n, d)``
  matrix of flattened inputs).  Biases, activations and pooling are not in the product (tanh and average
  pooling are 1-Lipschitz or contractions); this is the seed's expression as a number, not a verified bound.
  Convolutions: ``W`` is the kernel reshaped to ``(out, in * kh * kw)``, the matrix spectral normalisation
  uses.  For stride 1 on inputs larger than the kernel the convolution's operator norm lies in
  ``[||W||_2, sqrt(kh * kw) ||W||_2]`` (lower: the adjoint on one interior output pixel is ``W^T``; upper: each
  frequency's symbol is ``W`` times a matrix of norm ``sqrt(kh * kw)``); :func:`conv_operator_norm` measures it.
* ``lam_max`` of the empirical NTK ``K = J J^T`` (``J`` the ``(n C, P)`` Jacobian of the ``C`` raw outputs of
  ``n`` samples w.r.t. the ``P`` parameters), dense from ``torch.func.jacrev`` when small, else by Lanczos on
  ``v -> J (J^T v)`` with ``vjp`` / ``jvp`` (``J`` never formed).
* Per layer the rank-``k`` truncation error ``sigma_{k+1}(W_l)``, next to the measured ``||W_l - W_k||_2``
  (Eckart-Young: equal).

Gradient descent: :func:`planted_quadratic`, :func:`gd_log_norms`, :func:`gd_iterations` (batched over
problems and steps), :func:`gd_mode_energy_factors`, and ``registry_check_*`` for the Lean module
``GradientDescent``.  Expected numbers come from :mod:`spectral_universality.theory.certificate`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn
from torch.func import functional_call, jacrev, jvp, vjp

from spectral_universality.errors import InputError
from spectral_universality.linkcheck import Verdict

from .hessian import Batch, Criterion, HessianOperator, _as_batches, lanczos, trainable_names

_CONV = (nn.Conv1d, nn.Conv2d, nn.Conv3d)


@dataclass(frozen=True)
class Extreme:
    """One extreme eigenvalue of an operator, with Lanczos' convergence flag."""

    value: float
    converged: bool


def extreme_eigenvalue(op: Any, which: str, *, generator: torch.Generator | None = None,
                       **lanczos_options: Any) -> Extreme:
    """Largest (``which='LA'``) or smallest (``'SA'``) eigenvalue of a symmetric operator by :func:`.hessian.lanczos`.

    Asks Lanczos for ``min(3, n)`` Ritz pairs and keeps the extreme one: with ``k = 1`` its stopping rule sees
    no second Ritz value, takes the gap as infinite and stops after one step with the Rayleigh quotient of the
    random start."""
    res = lanczos(op, min(3, op.size), which=which, generator=generator, **lanczos_options)
    return Extreme(float(res.eigenvalues[0]), bool(res.converged))


# -- layer spectra ---------------------------------------------------------------------------------------


def weight_matrix(module: nn.Module) -> Tensor:
    """The layer's weight as a matrix ``(out, fan_in)``: ``nn.Linear`` as is, convolutions reshaped to
    ``(out, in/groups * prod(kernel))``."""
    if isinstance(module, nn.Linear):
        return module.weight.detach()
    if isinstance(module, _CONV):
        w = module.weight.detach()
        return w.reshape(w.shape[0], -1)
    raise InputError(f"no weight matrix for {type(module).__name__}: only nn.Linear and nn.Conv1d/2d/3d")


def weight_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """``(name, module)`` of every ``nn.Linear`` / ``nn.Conv*`` with a trainable weight, in module order."""
    out = [(n, m) for n, m in model.named_modules() if isinstance(m, (nn.Linear, *_CONV)) and m.weight.requires_grad]
    if not out:
        raise InputError("the model has no nn.Linear or nn.Conv layer with a trainable weight")
    return out


def _check_matrix(w: Tensor) -> None:
    if not isinstance(w, Tensor) or w.ndim != 2 or min(w.shape) == 0:
        raise InputError(f"need a non-empty 2-d weight matrix, got {getattr(w, 'shape', type(w).__name__)}")
    if not torch.isfinite(w).all():
        raise InputError("the weight matrix contains non-finite values")


def _check_rank(k: int) -> None:
    if not isinstance(k, int) or isinstance(k, bool) or k < 0:
        raise InputError(f"k must be a non-negative integer, got {k!r}")


def rank_k_approximation(w: Tensor, k: int) -> Tensor:
    """Truncated SVD ``W_k = U_k Sigma_k V_k^T`` of ``w (m, n)`` (``W`` itself when ``k >= min(m, n)``)."""
    _check_matrix(w)
    _check_rank(k)
    u, s, vh = torch.linalg.svd(w, full_matrices=False)
    k = min(k, s.numel())
    return (u[:, :k] * s[:k]) @ vh[:k]


def truncation_error(w: Tensor, k: int) -> float:
    """``sigma_{k+1}(W)`` (1-based; 0 when ``k >= rank``): by Eckart-Young, ``min_{rank <= k} ||W - B||_2``."""
    _check_matrix(w)
    _check_rank(k)
    s = torch.linalg.svdvals(w)
    return float(s[k]) if k < s.numel() else 0.0


@dataclass(frozen=True)
class LayerSpectrum:
    """Spectral numbers of one weight layer (its matrix, see :func:`weight_matrix`)."""

    name: str
    kind: str  # "linear" or "conv"
    shape: tuple[int, int]  # (out, fan_in)
    spectral_norm: float  # sigma_1
    singular_values: Tensor  # (min(shape),) descending
    truncation_error: float  # sigma_{k+1}
    truncation_measured: float  # ||W - W_k||_2, computed from the difference


def layer_spectra(model: nn.Module, k: int, dtype: torch.dtype = torch.float64) -> list[LayerSpectrum]:
    """:class:`LayerSpectrum` of every layer of :func:`weight_layers`, computed in ``dtype``."""
    _check_rank(k)
    out = []
    for name, mod in weight_layers(model):
        w = weight_matrix(mod).to(dtype)
        _check_matrix(w)
        s = torch.linalg.svdvals(w)
        diff = w - rank_k_approximation(w, k)
        measured = float(torch.linalg.matrix_norm(diff, ord=2)) if k < s.numel() else 0.0
        out.append(LayerSpectrum(name, "conv" if isinstance(mod, _CONV) else "linear", tuple(w.shape),
                                 float(s[0]), s.cpu(), float(s[k]) if k < s.numel() else 0.0, measured))
    return out


def conv_operator_norm(conv: nn.Conv2d, in_shape: tuple[int, int, int], *, dtype: torch.dtype = torch.float64,
                       generator: torch.Generator | None = None) -> float:
    """Operator 2-norm of the linear map ``x -> conv(x) - bias`` on inputs ``in_shape = (C, H, W)``, by
    Lanczos on ``A^T A`` (``A^T`` by ``vjp``); the matrix is never formed."""
    if not isinstance(conv, nn.Conv2d):
        raise InputError(f"conv_operator_norm takes an nn.Conv2d, got {type(conv).__name__}")
    w = conv.weight.detach().to(dtype)

    def apply(x: Tensor) -> Tensor:  # (C*H*W,) -> flattened output, bias excluded: the linear part
        y = nn.functional.conv2d(x.view(1, *in_shape), w, None, conv.stride, conv.padding, conv.dilation, conv.groups)
        return y.reshape(-1)

    size = math.prod(in_shape)
    x0 = torch.zeros(size, dtype=dtype, device=w.device)
    _, pullback = vjp(apply, x0)

    class _Gram:
        def __init__(self) -> None:
            self.size, self.dtype, self.device = size, dtype, w.device

        def matmat(self, vecs: Tensor) -> Tensor:
            return torch.stack([pullback(apply(v))[0] for v in vecs.T], dim=1)

    return math.sqrt(max(extreme_eigenvalue(_Gram(), "LA", generator=generator).value, 0.0))


# -- Hessian and NTK -------------------------------------------------------------------------------------


def condition_number(lam_max: float, lam_min: float, singular_rtol: float,
                     converged: bool = True) -> tuple[float | None, str | None]:
    """``(kappa, None)`` for a positive-definite Hessian, else ``(None, reason)``: never NaN or negative.

    ``lam_max``, ``lam_min`` are Ritz values, so ``lam_min`` bounds the smallest eigenvalue from above:
    ``lam_min < -singular_rtol * lam_max`` proves the Hessian indefinite, and ``|lam_min| <= singular_rtol *
    lam_max`` shows it is not positive definite to that resolution (an exactly zero eigenvalue is estimated as
    a tiny number of either sign), whether or not Lanczos converged.  A positive ``lam_min`` certifies
    ``kappa`` only if Lanczos ``converged`` (else a lower, unfound eigenvalue may exist)."""
    if not (math.isfinite(lam_max) and math.isfinite(lam_min)):
        raise InputError(f"non-finite extreme eigenvalues ({lam_max}, {lam_min})")
    if lam_max <= 0:
        return None, f"Hessian not positive definite: lambda_max = {lam_max:.4g} <= 0"
    if lam_min < -singular_rtol * lam_max:
        return None, f"Hessian not positive definite (indefinite, a saddle): lambda_min = {lam_min:.4g} < 0"
    if lam_min <= singular_rtol * lam_max:
        return None, (f"Hessian not positive definite (numerically singular): lambda_min = {lam_min:.4g} "
                      f"<= {singular_rtol:g} * lambda_max")
    if not converged:
        return None, (f"not certified: Lanczos did not converge; lambda_min <= {lam_min:.4g} is only an upper "
                      "bound (raise max_dim)")
    return lam_max / lam_min, None


def _flat_fn(model: nn.Module, names: Sequence[str], x: Tensor, dtype: torch.dtype):
    """``(theta (P,), f)`` with ``f(theta) = model(x)`` flattened to ``(n * C,)`` (other parameters fixed)."""
    table = dict(model.named_parameters())
    shapes = [tuple(table[n].shape) for n in names]
    numels = [table[n].numel() for n in names]
    fixed = {n: p.detach().to(dtype) for n, p in model.named_parameters() if n not in set(names)}
    buffers = {n: b.to(dtype) if b.is_floating_point() else b for n, b in model.named_buffers()}
    theta = torch.cat([table[n].detach().reshape(-1).to(dtype) for n in names])

    def f(flat: Tensor) -> Tensor:
        tensors = {n: c.view(s) for n, c, s in zip(names, torch.split(flat, numels), shapes)}
        return functional_call(model, ({**fixed, **tensors}, buffers), (x,)).reshape(-1)

    return theta, f


@dataclass(frozen=True)
class NTKTop:
    """Top eigenvalue of the empirical NTK ``K = J J^T`` of size ``(size, size)``, ``size = n * C``."""

    lambda_max: float
    size: int
    n_samples: int
    method: str  # "dense" or "lanczos"


def ntk_lambda_max(model: nn.Module, inputs: Tensor, *, method: str = "auto", dtype: torch.dtype = torch.float64,
                   dense_limit: int = 250_000, generator: torch.Generator | None = None) -> NTKTop:
    """``lam_max(J J^T)`` for the model's raw outputs on ``inputs (n, ...)`` (all trainable parameters).

    ``method``: ``'dense'`` (Jacobian by ``jacrev``, eigenvalues of the smaller Gram matrix), ``'lanczos'``
    (``v -> J (J^T v)`` by ``vjp`` then ``jvp``) or ``'auto'`` (dense when ``n C P <= dense_limit``)."""
    if method not in ("auto", "dense", "lanczos"):
        raise InputError(f"method must be 'auto', 'dense' or 'lanczos', got {method!r}")
    if not isinstance(inputs, Tensor) or inputs.ndim < 1 or inputs.shape[0] < 1:
        raise InputError("inputs must be a tensor (n, ...) with n >= 1")
    names = trainable_names(model)
    x = inputs.to(dtype) if inputs.is_floating_point() else inputs
    theta, f = _flat_fn(model, names, x, dtype)
    with torch.no_grad():
        out = f(theta)
    if not torch.isfinite(out).all():
        raise InputError("the model's outputs are not finite on these inputs")
    size, p = out.numel(), theta.numel()
    if method == "auto":
        method = "dense" if size * p <= dense_limit else "lanczos"
    if method == "dense":
        jac = jacrev(f)(theta)  # (n C, P)
        gram = jac @ jac.T if size <= p else jac.T @ jac
        top = float(torch.linalg.eigvalsh(gram)[-1])
    else:
        _, vjp_fn = vjp(f, theta)

        def jvp_fn(u: Tensor) -> Tensor:
            return jvp(f, (theta,), (u,))[1]

        class _NTK:
            def __init__(self) -> None:
                self.size, self.dtype, self.device = size, dtype, theta.device

            def matmat(self, vecs: Tensor) -> Tensor:
                return torch.stack([jvp_fn(vjp_fn(v)[0]) for v in vecs.T], dim=1)

        top = extreme_eigenvalue(_NTK(), "LA", generator=generator).value
    return NTKTop(top, size, int(inputs.shape[0]), method)


@dataclass(frozen=True)
class Certificate:
    """The seed's spectral certificate of one model (see the module docstring for each entry).

    ``kappa`` is ``None`` exactly when ``kappa_reason`` is set (the Hessian is not positive definite)."""

    lambda_max: float
    lambda_min: float
    kappa: float | None
    kappa_reason: str | None
    hessian_converged: bool
    n_params: int
    layers: tuple[LayerSpectrum, ...]
    path_norm: float  # prod_l ||W_l||_2
    data_norm: float  # ||X||_2, X (n, d) flattened inputs
    n_samples: int
    rademacher_bound: float  # path_norm * data_norm / sqrt(n)
    ntk: NTKTop
    k: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (layers as dicts with their singular values as lists)."""
        layers = [{"name": lay.name, "kind": lay.kind, "shape": list(lay.shape), "spectral_norm": lay.spectral_norm,
                   "singular_values": lay.singular_values.double().tolist(), "truncation_error": lay.truncation_error,
                   "truncation_measured": lay.truncation_measured} for lay in self.layers]
        return {"lambda_max": self.lambda_max, "lambda_min": self.lambda_min, "kappa": self.kappa,
                "kappa_reason": self.kappa_reason, "hessian_converged": self.hessian_converged,
                "n_params": self.n_params, "layers": layers, "path_norm": self.path_norm,
                "data_norm": self.data_norm, "n_samples": self.n_samples, "rademacher_bound": self.rademacher_bound,
                "ntk": {"lambda_max": self.ntk.lambda_max, "size": self.ntk.size, "n_samples": self.ntk.n_samples,
                        "method": self.ntk.method}, "k": self.k}


def _inputs(batch_list: list[Batch]) -> Tensor:
    xs = [x for x, _ in batch_list]
    if any(x.shape[1:] != xs[0].shape[1:] for x in xs):
        raise InputError("all batches must have inputs of the same shape (except the batch dimension)")
    return torch.cat(xs)


def spectral_certificate(model: nn.Module, criterion: Criterion, batches: Batch | Sequence[Batch], k: int, *,
                         dtype: torch.dtype = torch.float64, singular_rtol: float = 1e-6, ntk_samples: int = 256,
                         ntk_method: str = "auto", hessian_mode: str = "forward-over-reverse",
                         generator: torch.Generator | None = None,
                         lanczos_options: dict[str, Any] | None = None) -> Certificate:
    """Compute the :class:`Certificate` of ``model`` on ``batches`` (all of them: Hessian of the sample-weighted
    mean loss, ``X`` of all inputs); the NTK on the first ``ntk_samples`` inputs.

    Parameters
    ----------
    k : rank of the truncation (``sigma_{k+1}`` per layer), ``k >= 0``.
    dtype : computation dtype (float64 by default: ``lam_min`` near 0 needs it); the model is not modified.
    singular_rtol : see :func:`condition_number`.
    hessian_mode : :class:`.hessian.HessianOperator`'s ``mode`` (``'reverse-over-reverse'`` where torch lacks a
        forward-mode rule, e.g. ``F.mse_loss`` in torch 2.13).
    lanczos_options : passed to :func:`.hessian.lanczos` for both Hessian ends (``tol``, ``max_dim``, ...).
    """
    _check_rank(k)
    if not (isinstance(ntk_samples, int) and ntk_samples >= 1):
        raise InputError(f"ntk_samples must be a positive integer, got {ntk_samples!r}")
    if not 0 <= singular_rtol < 1:
        raise InputError(f"singular_rtol must lie in [0, 1), got {singular_rtol!r}")
    batch_list = _as_batches(batches)
    op = HessianOperator(model, criterion, batch_list, dtype=dtype, mode=hessian_mode)
    opts = dict(lanczos_options or {})
    top = extreme_eigenvalue(op, "LA", generator=generator, **opts)
    bottom = extreme_eigenvalue(op, "SA", generator=generator, **opts)
    lam_max, lam_min = top.value, bottom.value
    kappa, reason = condition_number(lam_max, lam_min, singular_rtol, top.converged and bottom.converged)
    layers = tuple(layer_spectra(model, k, dtype))
    x = _inputs(batch_list)
    xm = x.reshape(x.shape[0], -1).to(dtype)
    if not torch.isfinite(xm).all():
        raise InputError("the inputs contain non-finite values")
    data_norm = float(torch.linalg.matrix_norm(xm, ord=2))
    path = math.prod(layer.spectral_norm for layer in layers)
    n = int(x.shape[0])
    ntk = ntk_lambda_max(model, x[:ntk_samples], method=ntk_method, dtype=dtype, generator=generator)
    return Certificate(lambda_max=lam_max, lambda_min=lam_min, kappa=kappa, kappa_reason=reason,
                       hessian_converged=bool(top.converged and bottom.converged), n_params=op.size, layers=layers,
                       path_norm=path, data_norm=data_norm, n_samples=n,
                       rademacher_bound=path * data_norm / math.sqrt(n), ntk=ntk, k=k)


# -- gradient descent on planted quadratics --------------------------------------------------------------


def planted_quadratic(eigenvalues: Tensor, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """``(H, Q)``: Hessians ``H = Q diag(lam) Q^T`` ``(B, d, d)`` with Haar-random rotations ``Q`` ``(B, d, d)``
    (columns = eigenvectors) for ``eigenvalues (B, d)``, in the dtype and device of ``eigenvalues``."""
    if eigenvalues.ndim != 2 or eigenvalues.shape[1] < 1 or not torch.isfinite(eigenvalues).all():
        raise InputError(f"eigenvalues must be a finite (B, d) tensor, got shape {tuple(eigenvalues.shape)}")
    g = torch.randn(eigenvalues.shape + eigenvalues.shape[1:], dtype=eigenvalues.dtype, generator=generator)
    q, r = torch.linalg.qr(g.to(eigenvalues.device))
    q = q * torch.sign(torch.diagonal(r, dim1=-2, dim2=-1))[:, None, :]  # sign fix: Haar measure
    return (q * eigenvalues[:, None, :]) @ q.transpose(-1, -2), q


def _check_gd(h: Tensor, alpha: Tensor, e0: Tensor) -> None:
    if h.ndim != 3 or h.shape[1] != h.shape[2]:
        raise InputError(f"h must be (B, d, d), got {tuple(h.shape)}")
    if alpha.shape != h.shape[:1] or e0.shape != h.shape[:2]:
        raise InputError(f"alpha must be (B,) and e0 (B, d) for h {tuple(h.shape)}; got {tuple(alpha.shape)}, "
                         f"{tuple(e0.shape)}")
    if not (torch.isfinite(h).all() and torch.isfinite(alpha).all() and torch.isfinite(e0).all()):
        raise InputError("non-finite Hessian, step or start")
    if not (e0.norm(dim=1) > 0).all():
        raise InputError("every start e0 must be nonzero (the distance to theta* would be 0 already)")


def gd_log_norms(h: Tensor, alpha: Tensor, e0: Tensor, steps: int) -> Tensor:
    """``log(||e_t|| / ||e_0||)`` ``(steps + 1, B)`` for GD ``e_{t+1} = e_t - alpha H e_t`` (``e = theta - theta*``)
    on ``B`` quadratics at once.  The iterate is renormalised every step (the map is linear, so only the
    accumulated log-norm changes): no underflow or overflow however many steps."""
    _check_gd(h, alpha, e0)
    if not isinstance(steps, int) or steps < 1:
        raise InputError(f"steps must be a positive integer, got {steps!r}")
    e = e0 / e0.norm(dim=1, keepdim=True)
    out = torch.zeros(steps + 1, h.shape[0], dtype=h.dtype, device=h.device)
    for t in range(steps):
        e = e - alpha[:, None] * (h @ e[:, :, None])[:, :, 0]
        nrm = e.norm(dim=1)
        if not (nrm > 0).all():
            raise InputError(f"the error vanished exactly at step {t + 1} (alpha lam = 1 on every excited mode)")
        out[t + 1] = out[t] + nrm.log()
        e = e / nrm[:, None]
    return out


def measured_rate(log_norms: Tensor) -> Tensor:
    """Per-step amplitude factor of the last step ``(B,)``: ``||e_T|| / ||e_{T-1}||``.  It is nondecreasing in
    ``T`` (a ratio of consecutive moments of the mode weights) and tends to ``max_k |1 - alpha lam_k|`` over the
    excited modes."""
    if log_norms.ndim != 2 or log_norms.shape[0] < 2:
        raise InputError(f"log_norms must be (steps + 1, B) with steps >= 1, got {tuple(log_norms.shape)}")
    return (log_norms[-1] - log_norms[-2]).exp()


def predicted_rate(rates: Tensor, components: Tensor, step: int) -> Tensor:
    """Exact ``||e_T|| / ||e_{T-1}||`` at ``T = step`` ``(B,)`` for per-mode amplitude rates ``rates (B, d)``
    (``|1 - alpha lam_k|``, from theory) and start components ``components (B, d)`` in the eigenbasis:
    ``sqrt(sum_k c_k^2 r_k^(2T) / sum_k c_k^2 r_k^(2T-2))``, in log space (no underflow)."""
    if rates.shape != components.shape or rates.ndim != 2 or not (isinstance(step, int) and step >= 1):
        raise InputError("rates and components must be (B, d) of one shape, step a positive integer")
    logc = 2 * components.abs().log()
    logr = 2 * rates.abs().log()
    num = torch.logsumexp(logc + step * logr, dim=1)
    den = torch.logsumexp(logc + (step - 1) * logr, dim=1)
    return ((num - den) / 2).exp()


def gd_iterations(h: Tensor, alpha: Tensor, e0: Tensor, eps: float, max_steps: int) -> Tensor:
    """First ``t`` with ``||e_t|| <= eps ||e_0||`` per problem ``(B,)`` (long); InputError if some problem has
    not reached it within ``max_steps``."""
    if not 0 < eps < 1:
        raise InputError(f"eps must lie in (0, 1), got {eps!r}")
    logs = gd_log_norms(h, alpha, e0, max_steps)
    reached = logs <= math.log(eps)
    if not reached.any(dim=0).all():
        raise InputError(f"{int((~reached.any(dim=0)).sum())} problem(s) did not reach eps = {eps:g} in "
                         f"{max_steps} steps (unstable step or too few steps)")
    return reached.to(torch.int8).argmax(dim=0)


def gd_mode_energy_factors(eigenvalues: Tensor, alpha: float, generator: torch.Generator | None = None) -> Tensor:
    """Measured per-mode energy factors ``(d,)`` of one GD step on a planted quadratic: start with unit
    component on every eigenvector of a randomly rotated ``H``, step, project back (``(q_k^T e_1)^2``)."""
    if eigenvalues.ndim != 1:
        raise InputError(f"eigenvalues must be (d,), got {tuple(eigenvalues.shape)}")
    lam = eigenvalues[None]
    h, q = (m[0] for m in planted_quadratic(lam, generator))
    e0 = q.sum(dim=1)  # unit component on every mode
    e1 = e0 - alpha * (h @ e0)
    return (q.T @ e1) ** 2


# -- registry checks for the Lean module GradientDescent -------------------------------------------------

#: absolute tolerance of a measured float64 energy factor (a few rounding errors of a d <= 64 rotation)
_FP_TOL = 1e-10


def _factors(lams: Sequence[float], eta: float, seed: int) -> list[float]:
    gen = torch.Generator().manual_seed(seed)
    return gd_mode_energy_factors(torch.tensor(list(lams), dtype=torch.float64), eta, gen).tolist()


def _near(measured: float, expected: float) -> bool:
    return math.isfinite(measured) and abs(measured - expected) <= _FP_TOL * max(1.0, abs(expected))


def registry_check_certificate_sub(params: dict[str, float], seed: int) -> Verdict:
    """``sgdContraction_sub_sgdContraction``: measured ``c(eta, a) - c(eta, b)`` equals
    ``eta (b - a)(2 - eta (a + b))`` (an identity; params ``eta, a, b`` positive)."""
    from spectral_universality.theory.certificate import gap_value

    eta, a, b = params["eta"], params["a"], params["b"]
    ca, cb = _factors([a, b], eta, seed)
    expected = gap_value(eta, a, b)
    ok = _near(ca - cb, expected)
    return Verdict(ok, f"measured c(a) - c(b) = {ca - cb:.12g} vs eta(b-a)(2-eta(a+b)) = {expected:.12g}")


def registry_check_certificate_order(params: dict[str, float], seed: int) -> Verdict:
    """``sgdContraction_lt_sgdContraction_iff`` (0 < eta, a < b): measured ``c(eta, a) < c(eta, b)`` exactly when
    ``2 < eta (a + b)``.  Fails for ``a > b`` (away from ``eta (a + b) = 2``): then the order is reversed."""
    eta, a, b = params["eta"], params["a"], params["b"]
    ca, cb = _factors([a, b], eta, seed)
    lhs, rhs = ca < cb, 2 < eta * (a + b)
    return Verdict(lhs == rhs, f"c(a) = {ca:.6g} {'<' if lhs else '>='} c(b) = {cb:.6g}; eta(a+b) = "
                               f"{eta * (a + b):.6g} {'>' if rhs else '<='} 2")


def registry_check_certificate_endpoints(params: dict[str, float], seed: int) -> Verdict:
    """``sgdContraction_le_of_endpoints``: on a quadratic with modes ``a``, ``b``, ``lam`` and 16 more spread over
    ``[a, b]``, every measured factor is ``<= r = max(c(a), c(b))`` (measured).  Fails for ``lam`` outside
    ``[a, b]`` on the side of the slower endpoint."""
    eta, a, b, lam = params["eta"], params["a"], params["b"], params["lam"]
    lo, hi = min(a, b), max(a, b)
    interior = [lo + (hi - lo) * (i + 0.5) / 16 for i in range(16)]
    c = _factors([a, b, lam, *interior], eta, seed)
    r = max(c[0], c[1])
    worst = max(c[2:])
    ok = worst <= r + _FP_TOL * max(1.0, r)
    return Verdict(ok, f"max factor of lam and interior modes {worst:.12g} {'<=' if ok else '>'} "
                       f"r = max(c(a), c(b)) = {r:.12g} (lam = {lam:.6g} in [{a:.6g}, {b:.6g}]? "
                       f"{a <= lam <= b})")


def registry_check_certificate_optimal(params: dict[str, float], seed: int) -> Verdict:
    """``sgdContraction_optimalStep_left`` / ``_right`` (0 < a, 0 < b): at ``eta = 2/(a + b)`` both measured
    endpoint factors equal ``((b - a)/(b + a))^2``.  For ``a != b`` and any other ``eta`` at least one of the two
    fails (the left one alone also holds at ``eta (a + b)/2 = b/a``, the right one at ``a/b``)."""
    from spectral_universality.theory.certificate import optimal_energy_factor

    eta, a, b = params["eta"], params["a"], params["b"]
    ca, cb = _factors([a, b], eta, seed)
    expected = optimal_energy_factor(a, b)
    ok = _near(ca, expected) and _near(cb, expected)
    return Verdict(ok, f"eta = {eta:.12g} (2/(a+b) = {2 / (a + b):.12g}): c(a) = {ca:.12g}, c(b) = {cb:.12g}, "
                       f"((b-a)/(b+a))^2 = {expected:.12g}")
