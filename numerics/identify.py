"""Spectral class identification (the paper's §10 algorithm), usable on any trajectory.

Steps, for a trajectory ``theta`` of shape ``(T, d)`` (or ``(T, R, d)`` for ``R`` i.i.d. replicas):

1. Project on an eigenbasis: ``c_k(t) = v_k^T theta_t`` (``eigvecs (d, K)``, or ``hessian (d, d)`` -> ``eigh``,
   eigenpairs sorted by descending eigenvalue).  With neither, ``theta`` is taken to be in eigen-coordinates.
2. Mode energies ``e_k = mean_t c_k(t)^2`` (uncentred, as in the paper; ``center=True`` subtracts the time
   mean per mode, for trajectories that fluctuate around a non-zero optimum).
3. Lag-1 and lag-2 autocorrelations ``rho_k, rho2_k`` (``rho_k = sum_t c_t c_{t+1} / sum_t c_t^2``) and an
   autoregressive model per mode: AR(1) ``c' = rho c + eps`` (SGD, noise-dominated Adam: exact) or AR(2)
   ``c' = phi1 c + phi2 c_prev + eps`` (heavy ball: ``phi1 = 1 + mu - alpha lam``, ``phi2 = -mu``; Adam with
   ``beta1 > 0`` in the noise-dominated regime: ``phi1 = 1 + beta1 - a (1 - beta1) lam``, ``phi2 = -beta1``,
   ``a = alpha/sigma``), fitted by least squares on matched index ranges when the record's edge terms are known
   (trajectories; the simulators' online statistics), else by Yule-Walker on the moments.  ``ar_order="auto"``
   (default) takes AR(2) when the mean lag-2 coefficient over the stationary modes differs from 0 at level
   ``1e-6`` (its s.e. under AR(1) is ``1/sqrt(N)``, ``N = R T`` samples per mode), else AR(1); lag-2 moments
   are needed (trajectories have them; online statistics when accumulated).  Contraction per step ``gamma_k = 1 - max|z|^2`` over the roots ``z``
   of ``z^2 = phi1 z + phi2`` (the energy contraction of the slowest component; AR(1): ``1 - rho^2``, for SGD
   ``2 alpha lam - (alpha lam)^2``, the paper's ``2 alpha lam`` to leading order).
4. Spectral exponent: ordinary least squares of ``log e_k`` on ``log k`` (``k`` 1-based) over a mode range;
   ``s_hat`` is the slope (``e_k ~ k^s`` when ``lam_k ~ k^-s``).  Standard error: modes are independent and
   ``Var(log e_k) ~= Var(e_k)/e_k^2 = 2 tau_k / (R T)`` with the integrated time of ``c^2`` for a Gaussian
   process, ``tau_k = 1 + 2 sum_{h>=1} rho_h^2`` over the fitted model's autocorrelations (AR(1):
   ``(1 + rho_k^2) / (1 - rho_k^2)``), so ``se^2 = sum_k w_k^2 2 tau_k / (R T)`` with OLS weights
   ``w_k = (x_k - mean x) / S_xx``.  Without the ``tau_k`` factor the s.e. would be far too small.
5. Mode range (unless given, 0-based half-open ``[lo, hi)``): ``lo`` = first mode with ``1 - rho_k <=
   fast_limit`` (default 0.1: skip modes where ``alpha lam_k`` is not small, where ``e_k`` deviates from
   ``1/lam_k``); ``hi`` = end of the run of following modes whose relative s.e. ``sqrt(2 tau_k/(R T))`` is at most
   ``max_rel_se`` (default 0.1: modes that relaxed many times within the record), with ``tau_k`` from a
   power-law fit of ``1 - rho_k^2`` on ``k`` (selecting on each mode's own noisy ``rho_k`` biases ``s_hat``).  With
   fewer than ``min_modes`` (5) such modes the default (``low_precision="warn"``) still answers, from a weighted
   fit over the run of modes with relative s.e. at most ``usable_rel_se`` (0.5), with a low-precision warning in
   the result's ``warnings`` (text and JSON); it refuses (:class:`InputError`, "T too short ...", saying what is
   missing) only when fewer than ``min_modes`` modes are usable even so, or the data are non-finite.
   ``low_precision="raise"`` refuses whenever fewer than ``min_modes`` modes meet ``max_rel_se``.
6. Noise ratio (needs eigenvalues ``lam_k``): the AR fit has innovation variance
   ``q_k = e_k (1 - phi1 rho - phi2 rho2)`` and effective per-mode rate ``a_k = (1 - phi1 - phi2)/lam_k`` (the
   drift of the mean per unit gradient), so the gradient-noise variance is ``sigma_k^2 = q_k / a_k^2``.  For
   SGD (``rho = 1 - alpha lam``, ``e = alpha sigma^2/(lam (2 - alpha lam))``) this is exactly ``sigma^2``; for
   noise-dominated Adam (``alpha -> alpha/sigma``), heavy ball and Adam with ``beta1`` (AR(2)) too: the
   estimator is optimizer-invariant.  ``eta_hat = mean_k sigma_k^2 / lam_1^2`` over the mode range.  Without
   eigenvalues ``eta_hat`` is ``None`` and ``eta_reason`` says why.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from spectral_universality.errors import InputError

from .fit import finite_array, line_fit

DEFAULTS = {"fast_limit": 0.1, "max_rel_se": 0.1, "min_modes": 5, "center": False, "mode_range": None,
            "ar_order": "auto", "low_precision": "warn", "usable_rel_se": 0.5}

#: Level of the AR(1)-versus-AR(2) test of ``ar_order="auto"`` (per trajectory).
AR_ORDER_LEVEL = 1e-6


@dataclass(frozen=True)
class ClassTriple:
    """Estimated class invariants of one trajectory.

    Attributes
    ----------
    s_hat, s_hat_se : spectral exponent (slope of log e_k on log k) and its autocorrelation-aware s.e.
    eta_hat : noise ratio sigma^2 / lam_1^2, or None when no eigenvalues were given (see ``eta_reason``)
    gamma_hat : np.ndarray  # (K,) per-step energy contraction 1 - max|z_k|^2 of the fitted AR model
    energies : np.ndarray  # (K,) mode energies e_k
    energy_rel_se : np.ndarray  # (K,) relative s.e. of e_k, sqrt(2 tau_k / (R T)) (inf for non-stationary modes)
    rho : np.ndarray  # (K,) lag-1 autocorrelations
    mode_range : (lo, hi) 0-based half-open range of modes used in the fit
    n_steps : int  # T; n_replicas : int  # R
    ar_order : 1 or 2, the autoregressive order used for gamma, eta and the s.e.; ``phi`` ``(2, K)`` its coefficients
    fit : ``"ols"`` (the precise mode range, step 5) or ``"wls"`` (the low-precision fallback over usable modes)
    warnings : tuple of str, empty unless the estimate is of low precision (``fit == "wls"``)
    """

    s_hat: float
    s_hat_se: float
    eta_hat: float | None
    gamma_hat: np.ndarray
    energies: np.ndarray
    mode_range: tuple[int, int]
    n_steps: int
    n_replicas: int = 1
    rho: np.ndarray = field(default_factory=lambda: np.zeros(0))
    energy_rel_se: np.ndarray = field(default_factory=lambda: np.zeros(0))
    sigma2_hat: float | None = None
    eta_reason: str | None = None
    intercept: float = 0.0
    ar_order: int = 1
    phi: np.ndarray = field(default_factory=lambda: np.zeros((2, 0)))
    fit: str = "ols"
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (arrays as lists, inf as None)."""
        out = asdict(self)
        for key, val in out.items():
            if isinstance(val, np.ndarray):
                out[key] = _finite_list(val.tolist())
        out["mode_range"] = list(self.mode_range)
        out["warnings"] = list(self.warnings)
        return out


def _finite_list(xs: list) -> list:
    """Nested lists of floats with inf/NaN as None (JSON has neither)."""
    return [_finite_list(x) if isinstance(x, list) else (float(x) if math.isfinite(x) else None) for x in xs]


@dataclass(frozen=True)
class ClassComparison:
    """Two-sided z-test of ``s_a = s_b``; ``same`` is False with probability ``level`` when they are equal."""

    same: bool
    z: float
    p_value: float
    level: float
    s_diff: float
    se_diff: float
    eta_ratio: float | None


@dataclass(frozen=True)
class TransitionReport:
    """Sliding-window ``s_hat_t`` and the flagged transitions (family-wise false-alarm rate ``level``)."""

    starts: np.ndarray  # (W,) first step of each window
    s_hat: np.ndarray  # (W,)
    s_hat_se: np.ndarray  # (W,)
    compared: np.ndarray  # (M, 2) window index pairs (w - lag, w)
    eps_crit: np.ndarray  # (M,) critical |s_w - s_{w-lag}|
    flagged: np.ndarray  # (M,) bool
    level: float
    mode_range: tuple[int, int]

    @property
    def first_transition(self) -> int | None:
        """Start step of the first window flagged as differing from its predecessor, or None."""
        hits = np.flatnonzero(self.flagged)
        return None if hits.size == 0 else int(self.starts[self.compared[hits[0], 1]])


@dataclass(frozen=True)
class LagSums:
    """Per-mode sums of one record, pooled over ``replicas`` i.i.d. replicas of ``n_samples`` points each.

    ``sq = sum_t c_t^2``, ``lag1 = sum_t c_t c_{t-1}``, ``lag2 = sum_t c_t c_{t-2}`` (or None), and the edge terms
    ``head = (c_0^2, c_1^2, c_0 c_1)``, ``tail = (c_{T-1}^2, c_{T-2}^2, c_{T-1} c_{T-2})`` (each summed over
    replicas): with them the autoregressions are fitted by least squares on exactly matched index ranges.
    Without the edge terms (Yule-Walker) the fit of a slow mode (``1 - rho ~ 1/T``) is dominated by the
    endpoints: measured on heavy ball, the AR(2) noise estimate scattered 7x more than with them.
    """

    sq: np.ndarray  # (K,)
    lag1: np.ndarray  # (K,)
    lag2: np.ndarray | None  # (K,)
    head: np.ndarray  # (3, K)
    tail: np.ndarray  # (3, K)
    n_samples: int
    replicas: int


def lag_sums(coords: Any, center: bool = False) -> LagSums:
    """:class:`LagSums` of eigen-coordinates ``coords (T, R, K)`` (``T >= 3``)."""
    c = finite_array(coords, "coords")
    if c.ndim != 3 or c.shape[0] < 3:
        raise InputError(f"coords must have shape (T, R, K) with T >= 3, got {c.shape}")
    if center:
        c = c - c.mean(axis=0, keepdims=True)

    def dot(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.einsum("ik,ik->k", u.reshape(-1, u.shape[-1]), v.reshape(-1, v.shape[-1]))

    return LagSums(sq=dot(c, c), lag1=dot(c[1:], c[:-1]), lag2=dot(c[2:], c[:-2]),
                   head=np.stack([dot(c[0], c[0]), dot(c[1], c[1]), dot(c[0], c[1])]),
                   tail=np.stack([dot(c[-1], c[-1]), dot(c[-2], c[-2]), dot(c[-1], c[-2])]),
                   n_samples=int(c.shape[0]), replicas=int(c.shape[1]))


def ar_least_squares(sums: LagSums, order: int) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares autoregression per mode: coefficients ``phi (2, K)`` and innovation variance ``q (K,)``.

    Order 1 regresses ``c_t`` on ``c_{t-1}`` (``t = 1..T-1``); order 2 on ``(c_{t-1}, c_{t-2})`` (``t = 2..T-1``).
    """
    sq, lag1, h, tl, r = sums.sq, sums.lag1, sums.head, sums.tail, sums.replicas
    if order == 1 or sums.lag2 is None:
        sxx, syy = sq - tl[0], sq - h[0]
        phi1 = lag1 / sxx
        q = (syy - phi1 * lag1) / (r * (sums.n_samples - 1))
        return np.stack([phi1, np.zeros_like(phi1)]), q
    a11, a22, a12 = sq - h[0] - tl[0], sq - tl[0] - tl[1], lag1 - tl[2]
    b1, b2, yy = lag1 - h[2], sums.lag2, sq - h[0] - h[1]
    det = a11 * a22 - a12**2
    phi1 = (b1 * a22 - b2 * a12) / det
    phi2 = (a11 * b2 - a12 * b1) / det
    q = (yy - phi1 * b1 - phi2 * b2) / (r * (sums.n_samples - 2))
    return np.stack([phi1, phi2]), q


def _options(options: dict) -> dict:
    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise InputError(f"unknown identify options {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    opts = {**DEFAULTS, **options}
    if not 0 < opts["fast_limit"] <= 2 or not opts["max_rel_se"] > 0 or int(opts["min_modes"]) < 3:
        raise InputError("need 0 < fast_limit <= 2, max_rel_se > 0, min_modes >= 3")
    if opts["low_precision"] not in ("raise", "warn") or not opts["usable_rel_se"] > 0:
        raise InputError(f"low_precision must be 'raise' or 'warn' and usable_rel_se > 0, got "
                         f"{opts['low_precision']!r}, {opts['usable_rel_se']!r}")
    if opts["ar_order"] not in ("auto", 1, 2):
        raise InputError(f"ar_order must be 'auto', 1 or 2, got {opts['ar_order']!r}")
    return opts


def project(theta: Any, eigvecs: Any = None, hessian: Any = None, eigvals: Any = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Eigen-coordinates ``c (T, R, K)`` of ``theta (T, d)`` or ``(T, R, d)`` and eigenvalues ``(K,)`` or None."""
    th = finite_array(theta, "theta")
    if th.ndim == 2:
        th = th[:, None, :]
    if th.ndim != 3:
        raise InputError(f"theta must have shape (T, d) or (T, R, d), got {th.shape}")
    d = th.shape[-1]
    lam = None if eigvals is None else finite_array(eigvals, "eigvals")
    if hessian is not None:
        if eigvecs is not None:
            raise InputError("give either hessian or eigvecs, not both")
        hes = finite_array(hessian, "hessian")
        if hes.shape != (d, d):
            raise InputError(f"hessian must be (d, d) = ({d}, {d}) to match theta, got {hes.shape}")
        if not np.allclose(hes, hes.T, rtol=1e-8, atol=1e-12 * max(1.0, float(np.abs(hes).max()))):
            raise InputError("hessian is not symmetric")
        w, v = np.linalg.eigh(hes)
        order = np.argsort(w)[::-1]
        eigvecs, lam_h = v[:, order], w[order]
        lam = lam_h if lam is None else lam
    if eigvecs is not None:
        vec = finite_array(eigvecs, "eigvecs")
        if vec.ndim != 2 or vec.shape[0] != d:
            raise InputError(f"eigvecs must be (d, K) with d = {d}, got {vec.shape}")
        coords = th @ vec
    else:
        coords = th
    if lam is not None and lam.shape != (coords.shape[-1],):
        raise InputError(f"eigvals must have shape (K,) = ({coords.shape[-1]},), got {lam.shape}")
    return coords, lam


def _ar_coefficients(rho: np.ndarray, rho2: np.ndarray | None, order: int) -> np.ndarray:
    """Yule-Walker coefficients ``(2, K)``: ``phi1 = rho (1 - rho2)/(1 - rho^2)``, ``phi2 = (rho2 - rho^2)/(1 - rho^2)``
    (order 2), or ``(rho, 0)`` (order 1)."""
    if order == 1 or rho2 is None:
        return np.stack([rho, np.zeros_like(rho)])
    den = np.where(np.abs(1 - rho**2) > 1e-300, 1 - rho**2, np.inf)
    return np.stack([rho * (1 - rho2) / den, (rho2 - rho**2) / den])


def _ar_roots(phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Roots ``z1, z2`` (complex, ``(K,)`` each) of ``z^2 = phi1 z + phi2``."""
    disc = np.sqrt((phi[0] ** 2 + 4 * phi[1]).astype(complex))
    return (phi[0] + disc) / 2, (phi[0] - disc) / 2


def _ar_tau(phi: np.ndarray) -> np.ndarray:
    """Integrated time ``1 + 2 sum_{h>=1} r_h^2`` of ``c^2`` for a Gaussian AR(2) with coefficients ``phi (2, K)``
    (``r_h`` its autocorrelations); inf when a root has ``|z| >= 1`` (non-stationary).

    ``r_h = A z1^h + B z2^h`` with ``A + B = 1``, ``A z1 + B z2 = r_1 = phi1/(1 - phi2)``, so ``sum_{h>=0} r_h^2 =
    A^2/(1 - z1^2) + 2AB/(1 - z1 z2) + B^2/(1 - z2^2)`` (conjugate terms when the roots are complex).
    """
    z1, z2 = _ar_roots(phi)
    stationary = (np.abs(z1) < 1) & (np.abs(z2) < 1)
    z1 = np.where(stationary, z1, 0.0)
    z2 = np.where(stationary, z2, 0.0)
    # a double root: nudge it apart; the sum is continuous there and the nudge is far below sampling error
    close = np.abs(z1 - z2) < 1e-7
    z1 = np.where(close, z1 + 1e-7, z1)
    r1 = phi[0] / np.where(stationary, 1 - phi[1], 1.0)
    a = (r1 - z2) / (z1 - z2)
    b = 1 - a
    total = (a * a / (1 - z1 * z1) + 2 * a * b / (1 - z1 * z2) + b * b / (1 - z2 * z2)).real
    return np.where(stationary, 2 * total - 1, np.inf)


def _smoothed_rel_se(tau: np.ndarray, scale: float) -> np.ndarray:
    """Relative s.e. of ``e_k`` from a power-law fit over ``k`` of ``g_k = 2/(tau_k + 1)`` (for choosing the mode
    range; for AR(1) ``g_k = 1 - rho_k^2``, the energy contraction).

    Choosing the range from each mode's own noisy ``tau_k`` would select against modes whose energy is high by
    chance (a large excursion also raises ``rho_k``) and bias ``s_hat`` low; the smooth fit removes that link.
    """
    g = np.where(np.isfinite(tau), 2 / (tau + 1), 0.0)
    ok = (g > 0) & (g < 1)
    k = np.arange(1, tau.size + 1, dtype=np.float64)
    if ok.sum() < 3:
        return np.sqrt(2 * tau * scale)
    fit = line_fit(np.log(k[ok]), np.log(g[ok]))
    g_fit = np.minimum(np.exp(fit.intercept + fit.slope * np.log(k)), 1.0)
    return np.sqrt(2 * (2 - g_fit) / g_fit * scale)


def _choose_range(rel_se: np.ndarray, opts: dict, drift: np.ndarray) -> tuple[int, int, bool]:
    """Mode range ``(lo, hi, precise)``: from the first mode whose per-step drift ``1 - phi1 - phi2`` is at most
    ``fast_limit``, the run of modes with relative energy s.e. at most ``max_rel_se`` (``precise`` True), or
    ``mode_range`` when given; with ``low_precision="warn"`` and too few precise modes, the run of modes with
    relative s.e. at most ``usable_rel_se`` (``precise`` False)."""
    k = rel_se.size
    if opts["mode_range"] is not None:
        lo, hi = (int(x) for x in opts["mode_range"])
        if not 0 <= lo < hi <= k:
            raise InputError(f"mode_range must satisfy 0 <= lo < hi <= K = {k}, got ({lo}, {hi})")
        if hi - lo < opts["min_modes"]:
            raise InputError(f"mode_range has {hi - lo} modes, fewer than min_modes = {opts['min_modes']}")
        return lo, hi, True

    def run(lo: int, limit: float) -> int:
        hi = lo
        while hi < k and rel_se[hi] <= limit:
            hi += 1
        return hi

    slow = np.flatnonzero(drift <= opts["fast_limit"])
    lo = int(slow[0]) if slow.size else k
    hi = run(lo, opts["max_rel_se"])
    if hi - lo >= opts["min_modes"]:
        return lo, hi, True
    usable = run(lo, max(opts["usable_rel_se"], opts["max_rel_se"])) - lo
    if opts["low_precision"] == "warn" and usable >= opts["min_modes"]:
        return lo, lo + usable, False
    raise InputError(
        f"T too short for the requested precision: only {hi - lo} consecutive modes (from mode {lo}) have "
        f"relative energy s.e. <= max_rel_se = {opts['max_rel_se']} and drift 1 - rho <= fast_limit = "
        f"{opts['fast_limit']} ({usable} have s.e. <= usable_rel_se = {opts['usable_rel_se']}); the fit needs "
        f"min_modes = {opts['min_modes']} (K = {k}): record more steps or replicas"
        + (", or loosen max_rel_se" if opts["low_precision"] == "raise" else "")
    )


def classify_moments(energies: Any, rho: Any, n_samples: int, replicas: int = 1, eigvals: Any = None,
                     stride: int = 1, rho2: Any = None, sums: LagSums | None = None, **options) -> ClassTriple:
    """Class triple from per-mode energies ``(K,)`` and lag-``stride`` autocorrelations ``(K,)``.

    ``n_samples`` recorded points per replica (``stride`` steps apart), ``replicas`` i.i.d. replicas;
    ``rho2 (K,)`` lag-2 autocorrelations (``stride`` 1 only), which allow the AR(2) model (option ``ar_order``),
    fitted by Yule-Walker; with ``sums`` (:class:`LagSums` of the same record) the fit is by least squares
    on matched ranges instead (much less noisy for slow modes).
    """
    opts = _options(options)
    e = finite_array(energies, "energies")
    r = finite_array(rho, "rho")
    if e.ndim != 1 or r.shape != e.shape:
        raise InputError(f"energies and rho must be 1-d of equal length, got {e.shape} and {r.shape}")
    if np.any(e <= 0):
        raise InputError("mode energies must be > 0 (a mode with zero energy carries no information)")
    if n_samples < 3 or replicas < 1 or stride < 1:
        raise InputError(f"need n_samples >= 3, replicas >= 1, stride >= 1; got {n_samples}, {replicas}, {stride}")
    k = e.size
    if k < opts["min_modes"]:
        raise InputError(f"{k} modes given, fewer than the fit needs (min_modes = {opts['min_modes']})")
    lam = None if eigvals is None else finite_array(eigvals, "eigvals")
    if lam is not None and (lam.shape != (k,) or np.any(lam <= 0)):
        raise InputError(f"eigvals must be (K,) = ({k},) and > 0 for eta; got shape {lam.shape}")
    r2 = None
    if rho2 is not None:
        if stride != 1:
            raise InputError("lag-2 autocorrelations (rho2) are only defined for stride 1")
        r2 = finite_array(rho2, "rho2")
        if r2.shape != e.shape:
            raise InputError(f"rho2 must have shape (K,) = ({k},), got {r2.shape}")
    elif opts["ar_order"] == 2 and (sums is None or sums.lag2 is None):
        raise InputError("ar_order=2 needs lag-2 autocorrelations (rho2); these statistics have none")
    if sums is not None and (stride != 1 or sums.sq.shape != e.shape):
        raise InputError(f"sums must be LagSums of the same K = {k} modes, at stride 1")
    rho1 = np.where(r > 0, np.abs(r) ** (1.0 / stride), 0.0) if stride > 1 else r
    n = n_samples * replicas
    order, phi, innovation = _fit_ar(opts["ar_order"], rho1, r2, sums, n, e)
    # in recorded samples: at stride > 1 the AR(1) of the lag-stride autocorrelation
    tau = _ar_tau(phi if stride == 1 else _ar_coefficients(r, None, 1))
    rel_se = np.sqrt(2 * tau / n)
    drift = 1 - phi[0] - phi[1]
    smooth = np.where(np.isfinite(rel_se), _smoothed_rel_se(tau, 1.0 / n), np.inf)
    lo, hi, precise = _choose_range(smooth, opts, drift)
    sel = slice(lo, hi)
    if not np.all(np.isfinite(rel_se[sel])):
        raise InputError(f"some modes in mode_range ({lo}, {hi}) are non-stationary (a root |z| >= 1)")
    x = np.log(np.arange(1, k + 1, dtype=np.float64))[sel]
    warnings: tuple[str, ...] = ()
    if precise:
        fit = line_fit(x, np.log(e[sel]), var_y=rel_se[sel] ** 2)
    else:
        v = smooth[sel] ** 2
        fit = line_fit(x, np.log(e[sel]) + v / 2, weights=1 / v, var_y=rel_se[sel] ** 2)
        n_precise = int(np.sum(smooth[lo:] <= opts["max_rel_se"]))
        warnings = (f"low precision: fewer than min_modes = {opts['min_modes']} modes reach relative energy s.e. "
                    f"<= max_rel_se = {opts['max_rel_se']} ({n_precise} do); s_hat is a weighted fit over the "
                    f"{hi - lo} usable modes {lo}..{hi - 1} (relative s.e. <= {opts['usable_rel_se']}), "
                    f"s.e. {fit.slope_se:.3g}; record more steps or replicas for a precise estimate",)
    s_hat, se, intercept = fit.slope, fit.slope_se, fit.intercept
    z1, z2 = _ar_roots(phi)
    gamma = 1 - np.maximum(np.abs(z1), np.abs(z2)) ** 2
    eta = sigma2 = None
    reason = None
    if lam is None:
        reason = "eta needs the Hessian eigenvalues: pass hessian= or eigvals="
    else:
        if np.any(drift[sel] <= 0):
            reason = "eta undefined: some mode in the range has no positive effective rate (1 - phi1 - phi2 <= 0)"
        else:
            sigma2 = float(np.mean(innovation[sel] * (lam[sel] / drift[sel]) ** 2))
            eta = sigma2 / float(lam.max()) ** 2
    return ClassTriple(s_hat=s_hat, s_hat_se=se, eta_hat=eta, gamma_hat=gamma, energies=e, mode_range=(lo, hi),
                       n_steps=int(n_samples * stride), n_replicas=int(replicas), rho=r, energy_rel_se=rel_se,
                       sigma2_hat=sigma2, eta_reason=reason, intercept=intercept, ar_order=order, phi=phi,
                       fit="ols" if precise else "wls", warnings=warnings)


def _fit_ar(requested: str | int, rho: np.ndarray, rho2: np.ndarray | None, sums: LagSums | None,
            n: int, energies: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """AR order, coefficients ``phi (2, K)`` and innovation variance ``(K,)`` (least squares on ``sums`` when
    given, else Yule-Walker on ``rho``, ``rho2`` and ``energies``).

    ``requested="auto"`` takes order 2 when the mean lag-2 coefficient of the order-2 fit over the stationary
    modes is nonzero at level :data:`AR_ORDER_LEVEL` (under AR(1) each mode's has s.e. ``1/sqrt(n)``, ``n``
    samples per mode; modes are independent).
    """
    has_lag2 = (sums.lag2 is not None) if sums is not None else (rho2 is not None)

    def fit(order: int) -> tuple[np.ndarray, np.ndarray]:
        if sums is not None:
            return ar_least_squares(sums, order)
        phi = _ar_coefficients(rho, rho2, order)
        return phi, energies * (1 - phi[0] * rho - phi[1] * (0.0 if rho2 is None else rho2))

    order = 1 if not has_lag2 else (2 if requested == "auto" else int(requested))
    phi, q = fit(order)
    if requested == "auto" and order == 2:
        ok = np.abs(rho) < 1
        z = abs(float(np.mean(phi[1][ok]))) * math.sqrt(n * max(int(ok.sum()), 1)) if ok.any() else 0.0
        if not z > NormalDist().inv_cdf(1 - AR_ORDER_LEVEL / 2):
            order, (phi, q) = 1, fit(1)
    return order, phi, q


def _moments_of(sums: LagSums) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Energies, lag-1 and lag-2 autocorrelations ``(K,)`` each from :class:`LagSums` (0 for a zero-energy mode)."""
    t, r = sums.n_samples, sums.replicas
    e = sums.sq / (t * r)
    safe = np.where(e > 0, e, 1.0)
    rho = np.where(e > 0, sums.lag1 / ((t - 1) * r) / safe, 0.0)
    rho2 = None if sums.lag2 is None else np.where(e > 0, sums.lag2 / ((t - 2) * r) / safe, 0.0)
    return e, rho, rho2


def identify_trajectory(theta: Any, eigvecs: Any = None, hessian: Any = None, eigvals: Any = None,
                        **options) -> ClassTriple:
    """The §10 algorithm on a recorded trajectory ``theta (T, d)`` or ``(T, R, d)``; see the module docstring.

    Options: ``fast_limit`` (0.1), ``max_rel_se`` (0.1), ``min_modes`` (5), ``center`` (False),
    ``mode_range`` (None = automatic, else 0-based half-open ``(lo, hi)``).
    """
    opts = _options(options)
    coords, lam = project(theta, eigvecs, hessian, eigvals)
    t = coords.shape[0]
    if t < 3:
        raise InputError(f"trajectory has T = {t} steps; at least 3 are needed for a lag-1 autocorrelation")
    sums = lag_sums(coords, opts["center"])
    e, rho, rho2 = _moments_of(sums)
    return classify_moments(e, rho, n_samples=t, replicas=coords.shape[1], eigvals=lam, rho2=rho2, sums=sums, **opts)


def identify_from_stats(stats: Any, eigvals: Any = None, **options) -> ClassTriple:
    """The §10 algorithm on online accumulators (:class:`~.quadratic.ModeStats`: pooled ``sum_sq``,
    ``sum_lag``, optional ``sum_lag2``, ``n_samples``, ``seeds``, ``stride``)."""
    rho2 = stats.lag2_autocorrelation() if getattr(stats, "sum_lag2", None) is not None else None
    sums = stats.lag_sums() if getattr(stats, "head", None) is not None else None
    return classify_moments(stats.energies(), stats.lag_autocorrelation(), n_samples=int(stats.n_samples),
                            replicas=int(getattr(stats, "replicas", stats.seeds)), eigvals=eigvals,
                            stride=int(stats.stride), rho2=rho2, sums=sums, **options)


def same_class(a: ClassTriple, b: ClassTriple, level: float = 1e-3) -> ClassComparison:
    """Test ``H0: s_a = s_b`` by ``z = (s_a - s_b)/sqrt(se_a^2 + se_b^2)``, two-sided at ``level``.

    Under H0 (and the s.e. model of :func:`classify_moments`) ``same`` is False with probability ``level``
    (the false "different" rate).  ``eta_ratio`` is reported, not tested.
    """
    if not 0 < level < 1:
        raise InputError(f"level must be in (0, 1), got {level}")
    diff = a.s_hat - b.s_hat
    se = math.hypot(a.s_hat_se, b.s_hat_se)
    if not se > 0:
        raise InputError("both standard errors are zero: cannot test class equality")
    z = diff / se
    p = 2 * (1 - NormalDist().cdf(abs(z)))
    ratio = None if a.eta_hat is None or b.eta_hat is None or b.eta_hat == 0 else a.eta_hat / b.eta_hat
    return ClassComparison(same=p >= level, z=z, p_value=p, level=level, s_diff=diff, se_diff=se, eta_ratio=ratio)


def detect_transitions(coords: Any, window: int, stride: int | None = None, level: float = 1e-3,
                       eigvals: Any = None, **options) -> TransitionReport:
    """Flag class transitions in eigen-coordinates ``coords (T, K)`` or ``(T, R, K)``.

    ``s_hat`` is fitted on windows of ``window`` steps every ``stride`` steps (default ``window``), on one mode
    range (chosen from the whole record with the precision of one window, unless ``mode_range`` is given).
    Window ``w`` is compared with window ``w - lag``, ``lag = ceil(window/stride)`` (non-overlapping, hence
    nearly independent): flagged when ``|s_w - s_{w-lag}| > eps_crit = z * sqrt(se_w^2 + se_{w-lag}^2)``,
    ``z = Phi^{-1}(1 - level/(2M))`` (Bonferroni over the ``M`` comparisons, so ``level`` is the family-wise
    false-alarm rate for a stationary record).
    """
    opts = _options(options)
    c = finite_array(coords, "coords")
    if c.ndim == 2:
        c = c[:, None, :]
    if c.ndim != 3:
        raise InputError(f"coords must have shape (T, K) or (T, R, K), got {c.shape}")
    t = c.shape[0]
    stride = window if stride is None else stride
    if not 3 <= window <= t // 2 or stride < 1:
        raise InputError(f"need 3 <= window <= T/2 = {t // 2} and stride >= 1; got window={window}, stride={stride}")
    if not 0 < level < 1:
        raise InputError(f"level must be in (0, 1), got {level}")
    sums_all = lag_sums(c, opts["center"])
    e_all, rho_all, rho2_all = _moments_of(sums_all)
    ref = classify_moments(e_all, rho_all, n_samples=window, replicas=c.shape[1], eigvals=eigvals, rho2=rho2_all,
                           **opts)
    rng = ref.mode_range
    starts = np.arange(0, t - window + 1, stride)
    fits = []
    for s0 in starts:
        # moment (Yule-Walker) fits, as for the online windows, so both paths give the same s.e.
        e, rho, rho2 = _moments_of(lag_sums(c[s0:s0 + window], opts["center"]))
        fits.append(classify_moments(e, rho, n_samples=window, replicas=c.shape[1], rho2=rho2,
                                     **{**opts, "mode_range": rng, "ar_order": ref.ar_order}))
    return _compare_windows(fits, starts, math.ceil(window / stride), level, rng)


def detect_transitions_from_stats(stats: Any, level: float = 1e-3, eigvals: Any = None, **options) -> TransitionReport:
    """:func:`detect_transitions` on the per-window online accumulators of a simulation run with ``window=``
    (``stats.window_sq``, ``stats.window_lag``: ``(W, K)`` sums over all seeds); consecutive windows are compared.
    The mode range is chosen on the pooled record with one window's precision, unless ``mode_range`` is given."""
    opts = _options(options)
    if getattr(stats, "window_sq", None) is None or stats.window_sq.shape[0] < 2:
        raise InputError("these statistics have fewer than 2 windows: simulate with window= set")
    if not 0 < level < 1:
        raise InputError(f"level must be in (0, 1), got {level}")
    wsq = finite_array(stats.window_sq, "window_sq")
    wlag = finite_array(stats.window_lag, "window_lag")
    reps, n = int(stats.replicas), int(stats.window_samples)
    energies = wsq / (reps * n)
    rhos = wlag / (reps * (n - 1)) / energies
    ref = classify_moments(energies.mean(0), rhos.mean(0), n_samples=n, replicas=reps, eigvals=eigvals, **opts)
    fits = [classify_moments(e, r, n_samples=n, replicas=reps, **{**opts, "mode_range": ref.mode_range})
            for e, r in zip(energies, rhos)]
    return _compare_windows(fits, np.arange(len(fits)) * n, 1, level, ref.mode_range)


def _compare_windows(fits: list[ClassTriple], starts: np.ndarray, lag: int, level: float,
                     rng: tuple[int, int]) -> TransitionReport:
    """Bonferroni z-comparisons of window ``w`` with ``w - lag`` (see :func:`detect_transitions`)."""
    s_hat = np.array([f.s_hat for f in fits])
    se = np.array([f.s_hat_se for f in fits])
    pairs = np.array([(w - lag, w) for w in range(lag, len(fits))], dtype=int).reshape(-1, 2)
    m = max(len(pairs), 1)
    z = NormalDist().inv_cdf(1 - level / (2 * m))
    eps = z * np.hypot(se[pairs[:, 0]], se[pairs[:, 1]]) if len(pairs) else np.zeros(0)
    flagged = np.abs(s_hat[pairs[:, 1]] - s_hat[pairs[:, 0]]) > eps if len(pairs) else np.zeros(0, dtype=bool)
    return TransitionReport(starts=starts, s_hat=s_hat, s_hat_se=se, compared=pairs, eps_crit=eps,
                            flagged=flagged, level=level, mode_range=rng)


def pool_lag_sums(parts: list[LagSums]) -> LagSums:
    """Pool the :class:`LagSums` of records of equal length (windows, replicas) into one, as replicas."""
    if not parts:
        raise InputError("no records to pool: at least one LagSums is needed")
    n, k = parts[0].n_samples, parts[0].sq.shape
    if any(p.n_samples != n or p.sq.shape != k for p in parts):
        raise InputError("records to pool must have equal length n_samples and equal mode count K")
    has_lag2 = all(p.lag2 is not None for p in parts)
    return LagSums(sq=sum(p.sq for p in parts), lag1=sum(p.lag1 for p in parts),
                   lag2=sum(p.lag2 for p in parts) if has_lag2 else None,
                   head=sum(p.head for p in parts), tail=sum(p.tail for p in parts),
                   n_samples=n, replicas=sum(p.replicas for p in parts))


def classify_lag_sums(sums: LagSums, eigvals: Any = None, **options) -> ClassTriple:
    """The §10 algorithm on :class:`LagSums` (streamed sums, e.g. of :class:`~.monitor.SpectralMonitor`): moments
    from the sums, autoregression by least squares on matched ranges."""
    if sums.n_samples < 3:
        raise InputError(f"the record has {sums.n_samples} samples; at least 3 are needed for lag-2 sums")
    e, rho, rho2 = _moments_of(sums)
    return classify_moments(e, rho, n_samples=sums.n_samples, replicas=sums.replicas, eigvals=eigvals, rho2=rho2,
                            sums=sums, **options)


def transitions_from_lag_sums(windows: list[LagSums], level: float = 1e-3, eigvals: Any = None,
                              starts: Any = None, **options) -> TransitionReport:
    """:func:`detect_transitions` on per-window :class:`LagSums` (equal lengths ``n``): the mode range and AR order
    are chosen on the pooled windows with one window's precision (unless ``mode_range`` is given); consecutive
    windows are compared (Bonferroni, family-wise false-alarm rate ``level``).  ``starts (W,)``: first step of
    each window (default ``w * n``)."""
    opts = _options(options)
    if len(windows) < 2:
        raise InputError(f"transition detection needs at least 2 windows, got {len(windows)}")
    if not 0 < level < 1:
        raise InputError(f"level must be in (0, 1), got {level}")
    pooled = pool_lag_sums(windows)
    e, rho, rho2 = _moments_of(pooled)
    ref = classify_moments(e, rho, n_samples=pooled.n_samples, replicas=1, eigvals=eigvals, rho2=rho2, **opts)
    fits = [classify_lag_sums(w, **{**opts, "mode_range": ref.mode_range, "ar_order": ref.ar_order})
            for w in windows]
    st = np.arange(len(windows)) * pooled.n_samples if starts is None else np.asarray(starts)
    return _compare_windows(fits, st, 1, level, ref.mode_range)
