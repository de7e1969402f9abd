"""Streaming spectral monitor: the class triple of your own torch training run, without storing the trajectory.

:class:`SpectralMonitor` computes the top-``k`` Hessian eigenbasis ``V (n, k)`` of ``criterion(model(x), y)`` on
fixed ``batches`` (HVP Lanczos of :mod:`.hessian`; later refreshes warm-started from the previous basis), and
after every optimizer step (a ``torch.optim`` step post-hook) projects the parameters on it,
``c_t = V^T (theta_t - theta_ref)``.  It keeps only streaming sums per mode and per window: ``sum u``,
``sum u^2``, the lag-1 and lag-2 sums and the edge values ``u_0, u_1, u_{n-2}, u_{n-1}`` (``u = c - shift``, the
shift ``V^T (theta_ref - center)`` stored once per window), so memory is ``O(k x windows)`` plus one basis and a
small projection buffer, independent of the number of steps.  The class triple comes from
:func:`.identify.classify_lag_sums` on the windows pooled as replicas, transitions from
:func:`.identify.transitions_from_lag_sums` on the per-window sums.

Basis changes.  Windows never straddle a refresh (``refresh_every`` is a multiple of ``window``), so every
window's sums are in one basis and its lag products are invariant to the eigenvectors' signs.  Mode ``k`` is
matched across refreshes by eigenvalue rank.  At each refresh the overlap of the old and new bases
(``||V_old^T V_new||_F^2 / k``, and per mode ``|v_k^old . v_k^new|``) is recorded; a transition flagged at a
window that starts at a refresh with a low overlap may be a rotation of the eigenbasis, not a change of the
dynamics (:attr:`MonitorResult.transition_notes` says which).

Projection cost.  After each step ``theta_t - theta_ref`` is written into a row of a ``(B, n)`` buffer (one
subtraction per parameter tensor, from cached flat views of the parameters into precomputed row views), and ``B``
rows are projected at a time by one matrix product into a preallocated output (``B`` chosen so the buffer is
<= 16 MB, at most 64), which reads ``V`` once per ``B`` steps and runs compute-bound; the projection's ``2 n k``
flops per step are the irreducible part of the overhead.

Refresh memory.  The buffer is empty at a refresh and is released during it; Lanczos keeps at most
``max_krylov`` basis vectors (thick restarts beyond that) and writes the new eigenvectors into the old basis'
storage, so a refresh holds the basis plus ``max_krylov`` vectors (default ``2k``) plus the HVP temporaries.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from spectral_universality.errors import InputError
from spectral_universality.numerics.hessian import Batch, Criterion, HessianOperator, lanczos, trainable_names
from spectral_universality.numerics.identify import (ClassTriple, LagSums, TransitionReport, classify_lag_sums,
                                                       pool_lag_sums, transitions_from_lag_sums)

FORMAT = "spectral-universality-monitor/1"
#: subspace overlap below which a refresh counts as a basis rotation for transition notes
ROTATION_OVERLAP = 0.9


@dataclass
class _Window:
    """Streaming sums of one window, in one basis: ``u = c - shift`` per mode ``(k,)`` (float64)."""

    start_step: int
    refresh: int
    shift: np.ndarray  # (k,) V^T (theta_ref - center)
    eigenvalues: np.ndarray  # (k,)
    n: int = 0
    s1: Any = None
    s2: Any = None
    l1: Any = None
    l2: Any = None
    head: Any = None  # (2, k): u_0, u_1
    tail: Any = None  # (<=2, k): last two u

    def update(self, u: Tensor) -> None:
        """Add a block ``u (m, k)`` of consecutive samples."""
        if self.n == 0:
            z = torch.zeros(u.shape[1], dtype=torch.float64, device=u.device)
            self.s1, self.s2, self.l1, self.l2 = z.clone(), z.clone(), z.clone(), z.clone()
            self.tail = u[:0]
            self.head = u[:0]
        j = self.tail.shape[0]
        full = torch.cat([self.tail, u])
        self.s1 += u.sum(0)
        self.s2 += (u * u).sum(0)
        i1, i2 = max(j, 1), max(j, 2)
        if full.shape[0] > i1:
            self.l1 += (full[i1:] * full[i1 - 1:-1]).sum(0)
        if full.shape[0] > i2:
            self.l2 += (full[i2:] * full[i2 - 2:-2]).sum(0)
        if self.head.shape[0] < 2:
            self.head = full[:2].clone()
        self.tail = full[-2:].clone()
        self.n += int(u.shape[0])

    def to_dict(self) -> dict[str, Any]:
        arr = (lambda t: np.asarray(t.cpu().numpy() if isinstance(t, Tensor) else t, dtype=np.float64).tolist())
        return {"start_step": self.start_step, "refresh": self.refresh, "n": self.n, "shift": arr(self.shift),
                "eigenvalues": arr(self.eigenvalues), "s1": arr(self.s1), "s2": arr(self.s2), "l1": arr(self.l1),
                "l2": arr(self.l2), "head": arr(self.head), "tail": arr(self.tail)}


def window_lag_sums(w: dict[str, Any], center: str) -> LagSums:
    """:class:`~.identify.LagSums` of ``c = u + a`` from one saved window's sums of ``u``: ``a = shift``
    (``center`` ``"zero"`` or ``"vector"``: coordinates about the given optimum) or ``a = -mean u``
    (``"mean"``).  Uses ``sum (u_t + a)(u_{t-h} + a) = sum u_t u_{t-h} + a (2 S1 - edges) + (n - h) a^2``."""
    n = int(w["n"])
    if n < 3:
        raise InputError(f"a window has {n} samples; at least 3 are needed")
    s1, s2, l1, l2 = (np.asarray(w[key], dtype=np.float64) for key in ("s1", "s2", "l1", "l2"))
    head, tail = np.asarray(w["head"], dtype=np.float64), np.asarray(w["tail"], dtype=np.float64)
    a = -s1 / n if center == "mean" else np.asarray(w["shift"], dtype=np.float64)
    u0, u1, un2, un1 = head[0], head[1], tail[0], tail[1]
    c0, c1, cn2, cn1 = u0 + a, u1 + a, un2 + a, un1 + a
    return LagSums(sq=s2 + 2 * a * s1 + n * a * a,
                   lag1=l1 + a * (2 * s1 - u0 - un1) + (n - 1) * a * a,
                   lag2=l2 + a * (2 * s1 - u0 - u1 - un1 - un2) + (n - 2) * a * a,
                   head=np.stack([c0 * c0, c1 * c1, c0 * c1]), tail=np.stack([cn1 * cn1, cn2 * cn2, cn1 * cn2]),
                   n_samples=n, replicas=1)


@dataclass(frozen=True)
class MonitorResult:
    """Class triple of a monitored run, per-window estimates, transitions and refresh bookkeeping.

    Attributes
    ----------
    triple : :class:`~.identify.ClassTriple` of all complete windows pooled (as replicas)
    transitions : :class:`~.identify.TransitionReport` over the windows, or None (fewer than 2 windows, or no
        per-window estimate; ``transition_reason`` says why)
    refreshes : list of dicts ``{step, n_hvp, warm, converged, overlap, mode_overlap}`` per basis computation
    window_starts : (W,) first recorded step of each pooled window; ``n_steps`` samples used
    eigenvalues : (k,) mean Hessian eigenvalues over the pooled windows
    """

    triple: ClassTriple
    transitions: TransitionReport | None
    refreshes: list[dict[str, Any]]
    window_starts: np.ndarray
    eigenvalues: np.ndarray
    center: str
    transition_reason: str | None = None
    transition_notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def s_hat(self) -> float:
        return self.triple.s_hat

    @property
    def s_hat_se(self) -> float:
        return self.triple.s_hat_se

    @property
    def eta_hat(self) -> float | None:
        return self.triple.eta_hat

    @property
    def gamma_hat(self) -> np.ndarray:
        return self.triple.gamma_hat

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the triple's fields at top level, plus transitions, refreshes and windows."""
        out = self.triple.to_dict()
        tr = self.transitions
        out["transitions"] = None if tr is None else {
            "starts": tr.starts.tolist(), "s_hat": tr.s_hat.tolist(), "s_hat_se": tr.s_hat_se.tolist(),
            "compared": tr.compared.tolist(), "eps_crit": tr.eps_crit.tolist(), "flagged": tr.flagged.tolist(),
            "level": tr.level, "first_transition": tr.first_transition, "mode_range": list(tr.mode_range)}
        out.update(transition_reason=self.transition_reason, transition_notes=list(self.transition_notes),
                   refreshes=self.refreshes, window_starts=self.window_starts.tolist(),
                   eigenvalues=self.eigenvalues.tolist(), center=self.center,
                   warnings=list(self.triple.warnings) + list(self.warnings))
        return out

    def plot(self, path: str | Path | None = None):
        """Two panels: ``e_k`` against ``k`` (log-log) with the fitted power law over the mode range, and
        ``s_hat`` per window with 2 s.e. bars (flagged transitions in red).  Saves to ``path`` when given;
        returns the matplotlib figure."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        t = self.triple
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
        k = np.arange(1, t.energies.size + 1)
        ax1.loglog(k, t.energies, "o", ms=3, label="$\\hat e_k$")
        lo, hi = t.mode_range
        kk = k[lo:hi]
        ax1.loglog(kk, np.exp(t.intercept) * kk ** t.s_hat, "-",
                   label=f"fit: $\\hat s$ = {t.s_hat:.3f} ± {t.s_hat_se:.3f} ({t.fit})")
        ax1.set_xlabel("mode k")
        ax1.set_ylabel("energy")
        ax1.legend(fontsize=8)
        tr = self.transitions
        if tr is not None:
            ax2.errorbar(tr.starts, tr.s_hat, yerr=2 * tr.s_hat_se, fmt="o", ms=3, capsize=2)
            for (a, b), f in zip(tr.compared, tr.flagged):
                if f:
                    ax2.axvline(tr.starts[b], color="red", lw=0.8)
        ax2.axhline(t.s_hat, color="gray", lw=0.8)
        ax2.set_xlabel("window start (step)")
        ax2.set_ylabel("$\\hat s$ per window")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
        return fig


def result_from_record(record: dict[str, Any], level: float = 1e-3, **options) -> MonitorResult:
    """:class:`MonitorResult` from a saved monitor record (the dict of :meth:`SpectralMonitor.state`);
    ``options`` are :mod:`.identify` options (``center=True`` there means per-window mean centring)."""
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise InputError(f"not a spectral monitor record (expected 'format': '{FORMAT}')")
    opts = dict(options)
    center = "mean" if opts.pop("center", False) else record.get("center", "zero")
    windows = [w for w in record.get("windows", []) if int(w.get("n", 0)) >= 3]
    if not windows:
        raise InputError(f"the monitor has no window with >= 3 recorded steps yet (recorded "
                         f"{record.get('n_recorded', 0)} after burn-in {record.get('burn_in', 0)})")
    full = int(record["window"])
    complete = [w for w in windows if int(w["n"]) == full]
    used = complete if complete else windows[-1:]
    warnings: tuple[str, ...] = ()
    if not complete:
        warnings = (f"no window is complete yet: the estimate uses the current partial window of {used[0]['n']} "
                    f"steps (window = {full})",)
    try:
        parts = [window_lag_sums(w, center) for w in used]
        for p in parts:
            if not (np.all(np.isfinite(p.sq)) and np.all(np.isfinite(p.lag1))):
                raise InputError("the monitored coordinates are non-finite (did the training diverge?)")
    except (KeyError, ValueError, TypeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"malformed monitor record: {exc}") from None
    lam = np.mean([np.asarray(w["eigenvalues"], dtype=np.float64) for w in used], axis=0)
    eig = lam if np.all(lam > 0) else None
    triple = classify_lag_sums(pool_lag_sums(parts), eigvals=eig, **opts)
    if eig is None:
        warnings += ("some monitored Hessian eigenvalues are <= 0: eta_hat is not computed",)
    trans, reason, notes = None, None, ()
    if len(parts) >= 2:
        try:
            trans = transitions_from_lag_sums(parts, level=level, eigvals=eig,
                                              starts=[int(w["start_step"]) for w in used], **opts)
        except InputError as exc:
            reason = str(exc)
        if trans is not None:
            rot = {r["step"]: r["overlap"] for r in record.get("refreshes", [])
                   if r.get("overlap") is not None and r["overlap"] < ROTATION_OVERLAP}
            notes = tuple(f"transition at step {int(trans.starts[b])} coincides with a basis refresh of subspace "
                          f"overlap {rot[int(trans.starts[b])]:.2f} < {ROTATION_OVERLAP}: possibly a rotation of "
                          "the eigenbasis rather than a change of dynamics"
                          for (a, b), f in zip(trans.compared, trans.flagged) if f and int(trans.starts[b]) in rot)
    else:
        reason = "fewer than 2 complete windows"
    return MonitorResult(triple=triple, transitions=trans, refreshes=list(record.get("refreshes", [])),
                         window_starts=np.array([int(w["start_step"]) for w in used]), eigenvalues=lam,
                         center=center, transition_reason=reason, transition_notes=notes, warnings=warnings)


def load_record(path: str | Path) -> dict[str, Any]:
    """A monitor record saved by :meth:`SpectralMonitor.save`; :class:`InputError` when unreadable."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such file: {path}")
    try:
        record = json.loads(p.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {path} as JSON: {exc}") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise InputError(f"{path} is not a spectral monitor record (expected 'format': '{FORMAT}')")
    return record


class SpectralMonitor:
    """Streaming §10 class identification of a torch training run.

    Parameters
    ----------
    model : nn.Module being trained.
    criterion : ``(outputs, targets) -> scalar`` loss; the Hessian is that of ``criterion(model(x), y)`` on
        ``batches``.
    batches : ``(x, y)`` or a sequence of them (fixed data for the Hessian; a few hundred samples suffice).
    k : number of top Hessian eigenmodes monitored.
    refresh_every : steps between basis refreshes (a multiple of ``window``).
    window : steps per window of streaming sums (default ``refresh_every``); windows are the replicas of the
        pooled fit and the units of transition detection.
    burn_in : optimizer steps ignored before the first basis is computed and recording starts.
    params : names of the parameters to monitor (default all trainable; e.g. one layer's ``["fc.weight"]``);
        the Hessian is then that block.
    device : device of the basis and the sums (default: the parameters' device).
    center : ``None`` (coordinates about 0: the optimum is the origin), a tensor ``(n,)`` (the optimum, in
        :func:`.hessian.flat_params` order of ``params``), or ``"mean"`` (each window's time mean per mode: an
        unknown non-zero optimum, the usual case for a network).
    tol : Lanczos relative eigenvalue accuracy of each refresh; ``block_size`` its block (the cold start's
        random block, and the number of mixtures of the previous basis a warm start begins from).
    max_krylov : Krylov basis vectors a refresh may hold (default ``2k``; thick restarts beyond it): the refresh
        memory is ``(k + max_krylov) n`` entries plus the HVP temporaries.
    generator : torch.Generator (CPU) for the Lanczos start blocks (default: seeded with 0).
    """

    def __init__(self, model: nn.Module, criterion: Criterion, batches: Batch | Sequence[Batch], k: int = 32,
                 refresh_every: int = 1000, *, window: int | None = None, burn_in: int = 0,
                 params: Sequence[str] | None = None, device: str | torch.device | None = None,
                 center: Tensor | str | None = None, tol: float = 1e-4, block_size: int = 4,
                 max_krylov: int | None = None, generator: torch.Generator | None = None,
                 buffer_steps: int | None = None) -> None:
        if not isinstance(model, nn.Module):
            raise InputError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        if not callable(criterion):
            raise InputError("criterion must be callable as criterion(model(x), y)")
        window = refresh_every if window is None else window
        for name, val in (("k", k), ("refresh_every", refresh_every), ("window", window)):
            if not isinstance(val, int) or val < (3 if name == "window" else 1):
                raise InputError(f"{name} must be a positive integer (window >= 3), got {val!r}")
        if refresh_every % window:
            raise InputError(f"refresh_every = {refresh_every} must be a multiple of window = {window}")
        if not isinstance(burn_in, int) or burn_in < 0:
            raise InputError(f"burn_in must be an integer >= 0, got {burn_in!r}")
        self.model, self.criterion, self.batches = model, criterion, batches
        self.names = trainable_names(model, params)
        table = dict(model.named_parameters())
        self._tensors = [table[n] for n in self.names]
        self.n = int(sum(p.numel() for p in self._tensors))
        if k > self.n:
            raise InputError(f"k = {k} modes requested but only n = {self.n} parameters are monitored")
        self.k, self.refresh_every, self.window, self.burn_in = k, refresh_every, window, burn_in
        self.tol, self.block_size = tol, block_size
        self.max_krylov = max(2 * k, k + 3 * block_size) if max_krylov is None else int(max_krylov)
        if self.max_krylov < k + 3 * block_size:
            raise InputError(f"max_krylov = {max_krylov} must be >= k + 3 block_size = {k + 3 * block_size}")
        self.generator = generator if generator is not None else torch.Generator().manual_seed(0)
        self.device = torch.device(device) if device is not None else self._tensors[0].device
        self.dtype = self._tensors[0].dtype
        if isinstance(center, str):
            if center != "mean":
                raise InputError(f"center must be None, a tensor (n,) or 'mean', got {center!r}")
            self.center_kind, self._center = "mean", None
        elif center is None:
            self.center_kind, self._center = "zero", None
        else:
            c = torch.as_tensor(center).detach().reshape(-1)
            if c.numel() != self.n or not bool(torch.isfinite(c).all()):
                raise InputError(f"center must be a finite tensor of n = {self.n} entries, got {c.numel()}")
            self.center_kind, self._center = "vector", c.to(self.device, self.dtype)
        self.buffer_steps = buffer_steps or max(1, min(64, (16 << 20) // (4 * self.n)))
        self._numels = [p.numel() for p in self._tensors]
        self._buf: Tensor | None = None
        self._rows: list[tuple[Tensor, ...]] = []
        self._proj: Tensor | None = None
        self._alloc_buffer()
        self._ref_chunks: tuple[Tensor, ...] = ()
        self._views: list[Tensor] = []
        self._ptrs: list[int] = []
        self._m = 0
        self._basis: Tensor | None = None
        self._ref: Tensor | None = None
        self._lam: np.ndarray | None = None
        self.steps = 0
        self.recorded = 0
        self.windows: list[_Window] = []
        self.refreshes: list[dict[str, Any]] = []

    # -- hook ---------------------------------------------------------------------------------------------------
    def attach(self, optimizer: torch.optim.Optimizer):
        """Register the monitor as a step post-hook of ``optimizer`` (any ``torch.optim.Optimizer``, subclasses
        included); returns the handle (``handle.remove()`` detaches)."""
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise InputError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
        return optimizer.register_step_post_hook(lambda opt, args, kwargs: self.observe())

    @torch.no_grad()
    def observe(self) -> None:
        """Record the current parameters as the next sample (called after each optimizer step by the hook)."""
        self.steps += 1
        if self.steps <= self.burn_in:
            return
        if self.recorded % self.window == 0:
            self._flush()
            if self.recorded % self.refresh_every == 0:
                self._refresh()
            self._new_window()
        # theta_t - theta_ref written straight into the buffer row: one pass over the parameters, no separate
        # copy-then-subtract pass over the whole (B, n) buffer before the projection
        for v, ref, out in zip(self._param_views(), self._ref_chunks, self._rows[self._m]):
            torch.sub(v, ref, out=out)
        self._m += 1
        self.recorded += 1
        if self._m == self.buffer_steps:
            self._flush()

    def _param_views(self) -> list[Tensor]:
        """Flat views of the parameters in the monitor's device and dtype, rebuilt only when a parameter's
        storage changed (``p.data = ...``): building them each step costs more than the subtraction itself."""
        ptrs = [p.data_ptr() for p in self._tensors]
        if ptrs != self._ptrs:
            self._views = [p.detach().reshape(-1) for p in self._tensors]
            if any(v.device != self.device or v.dtype != self.dtype for v in self._views):
                return [v.to(self.device, self.dtype) for v in self._views]  # a copy each step: not cached
            self._ptrs = ptrs
        return self._views

    def _alloc_buffer(self) -> None:
        self._buf = torch.empty(self.buffer_steps, self.n, dtype=self.dtype, device=self.device)
        # per buffer row, its views per parameter (made once: slicing each step would cost more than the copy)
        self._rows = [torch.split(row, self._numels) for row in self._buf]
        self._proj = torch.empty(self.buffer_steps, self.k, dtype=self.dtype, device=self.device)

    def _flat(self) -> Tensor:
        return torch.cat([p.detach().reshape(-1) for p in self._tensors]).to(self.device, self.dtype)

    def _flush(self) -> None:
        if self._m == 0:
            return
        out = self._proj[:self._m]
        torch.mm(self._buf[:self._m], self._basis, out=out)
        self.windows[-1].update(out.to(torch.float64))
        self._m = 0

    def _new_window(self) -> None:
        self._ref = self._flat()
        self._ref_chunks = torch.split(self._ref, self._numels)
        off = self._ref if self._center is None else self._ref - self._center
        shift = (off.to(torch.float64) @ self._basis.to(torch.float64)).cpu().numpy()
        self.windows.append(_Window(start_step=self.steps, refresh=len(self.refreshes) - 1, shift=shift,
                                    eigenvalues=self._lam.copy()))

    def _refresh(self) -> None:
        op = HessianOperator(self.model, self.criterion, self.batches, params=self.names, dtype=self.dtype)
        if not bool(torch.isfinite(op.theta).all()):
            raise InputError("the monitored parameters are non-finite: the training diverged")
        old = self._basis
        # the buffer is empty here (flushed): release it while the Krylov basis exists, to bound the peak
        self._buf, self._rows = None, []
        opts = dict(tol=self.tol, max_dim=self.max_krylov, max_restarts=50)
        in_place = old is not None and old.device == op.device and old.dtype == op.dtype
        if old is None:
            eig = lanczos(op, self.k, block_size=self.block_size, generator=self.generator, **opts)
        else:
            # warm start: Lanczos from a block of random mixtures of the previous eigenvectors (inside the old
            # top-k space, so every old mode is represented).  Measured on the digits MLP it needs fewer HVPs
            # than a cold start, than Lanczos from the whole old basis as one block, and than Rayleigh-Ritz on it
            # with residual expansion (Davidson), which pay k HVPs up front (benchmarks/bench_monitor.py).
            mix = torch.randn(self.k, self.block_size, generator=self.generator, dtype=torch.float64)
            eig = lanczos(op, self.k, start=old.to(op.device, op.dtype) @ mix.to(op.device, op.dtype),
                          out=old if in_place else None, **opts)
        overlap = mode_overlap = None
        if old is not None:
            m = eig.prior_overlap if in_place else old.T.to(torch.float64) @ eig.eigenvectors.to(old)
            m = m.to(torch.float64)
            overlap = float((m ** 2).sum() / self.k)
            mode_overlap = m.diagonal().abs().tolist()
        self._basis = eig.eigenvectors if in_place else eig.eigenvectors.to(self.device, self.dtype).contiguous()
        self._lam = eig.eigenvalues.detach().to(torch.float64).cpu().numpy()
        self.refreshes.append({"step": self.steps, "n_hvp": int(eig.n_matvecs), "krylov_dim": int(eig.krylov_dim),
                               "restarts": int(eig.restarts), "warm": old is not None,
                               "converged": bool(eig.converged), "overlap": overlap, "mode_overlap": mode_overlap,
                               "eigenvalues": self._lam.tolist()})
        del eig, op
        self._alloc_buffer()

    # -- results ------------------------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The JSON-ready record: configuration, refreshes and every window's streaming sums."""
        self._flush()
        return {"format": FORMAT, "k": self.k, "n_params": self.n, "params": self.names,
                "refresh_every": self.refresh_every, "window": self.window, "burn_in": self.burn_in,
                "center": self.center_kind, "n_steps": self.steps, "n_recorded": self.recorded,
                "refreshes": self.refreshes, "windows": [w.to_dict() for w in self.windows if w.n > 0]}

    def result(self, level: float = 1e-3, **options) -> MonitorResult:
        """Class triple of the run so far (see :func:`result_from_record`; ``level`` is the family-wise
        false-alarm rate of transition detection)."""
        return result_from_record(self.state(), level=level, **options)

    def save(self, path: str | Path) -> None:
        """Write :meth:`state` as JSON (readable by ``spectral-universality classify run.json``)."""
        Path(path).write_text(json.dumps(self.state()))

    @property
    def basis(self) -> Tensor | None:
        """The current eigenbasis ``(n, k)`` (None before the first refresh)."""
        return self._basis

    def memory_bytes(self) -> int:
        """Bytes held by the monitor between refreshes: basis, buffer and its projection, reference point, and
        the window sums."""
        tensors = [t for t in (self._basis, self._buf, self._proj, self._ref, self._center) if t is not None]
        return int(sum(t.numel() * t.element_size() for t in tensors) + len(self.windows) * 12 * self.k * 8)

    def refresh_memory_bytes(self) -> int:
        """Bytes of the tensors a refresh allocates at its peak, by count (not a measurement): the basis (the
        new eigenvectors overwrite it), the Krylov basis of ``max_krylov`` rows and its projected matrix, the
        reference point and window sums; the buffer is released meanwhile.  The HVP temporaries (a few
        vectors per block) come on top; ``benchmarks/bench_monitor.py`` measures them as an RSS delta."""
        item = torch.empty(0, dtype=self.dtype).element_size()
        rows = math.ceil(self.max_krylov / self.block_size) * self.block_size
        tensors = [t for t in (self._ref, self._center) if t is not None]
        return int((self.k + rows) * self.n * item + rows * rows * item
                   + sum(t.numel() * t.element_size() for t in tensors) + len(self.windows) * 12 * self.k * 8)
