"""The one numeric least-squares line fit (and its power-law form) behind every slope and exponent in the package.

``y = slope * x + intercept`` by (weighted) least squares.  Both coefficients are linear in ``y``:
``slope = sum_i a_i y_i`` with ``a_i = w_i (x_i - xbar) / sum_j w_j (x_j - xbar)^2`` and ``intercept =
sum_i c_i y_i`` with ``c_i = w_i / sum_j w_j - xbar a_i`` (``xbar`` the ``w``-weighted mean), so their standard
errors are ``sqrt(sum a_i^2 var_i)`` and ``sqrt(sum c_i^2 var_i)``.  With known variances ``var_y`` of
independent ``y_i`` those are used; without, ``var_i = s^2 / w_i`` with the residual variance
``s^2 = sum w_i r_i^2 / (n - 2)`` (the textbook ``s / sqrt(S_xx)`` for unit weights).  The symbolic form of the
slope, for derivations, is :func:`spectral_universality.theory.classes.ls_slope`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from spectral_universality.errors import InputError


@dataclass(frozen=True)
class LineFit:
    """Least-squares line ``y = slope * x + intercept`` over ``n`` points.

    ``slope_se`` and ``intercept_se`` are the standard errors (from the given variances, or from the residuals:
    then nan for ``n = 2``, which leaves no residual degree of freedom); ``r2`` is the (weighted) coefficient of
    determination ``1 - SS_res / SS_tot`` (nan when ``y`` is constant).
    """

    slope: float
    intercept: float
    slope_se: float
    intercept_se: float
    r2: float
    n: int


def finite_array(x: Any, name: str) -> np.ndarray:
    """float64 numpy copy of an array-like (torch tensors included), non-finite values rejected."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} is not a numeric array: {exc}") from None
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains non-finite values (NaN or inf)")
    return arr


def _vector(x: Any, name: str) -> np.ndarray:
    arr = finite_array(x, name)
    if arr.ndim != 1:
        raise InputError(f"{name} must be 1-d, got shape {arr.shape}")
    return arr


def line_fit(x: Any, y: Any, *, weights: Any = None, var_y: Any = None, min_points: int = 2) -> LineFit:
    """Fit ``y (n,)`` on ``x (n,)`` by least squares (see the module docstring for the standard errors).

    Parameters
    ----------
    x, y : array-like ``(n,)``, finite; ``x`` not constant.
    weights : array-like ``(n,)`` of positive weights, optional (default: ordinary least squares).
    var_y : array-like ``(n,)``, optional: known variances of independent ``y``, used for the standard errors
        instead of the residuals (they need not be ``1 / weights``).
    min_points : fewer points raise :class:`InputError` (a caller that needs a residual standard error asks
        for 3).

    Returns
    -------
    LineFit
    """
    xs, ys = _vector(x, "x"), _vector(y, "y")
    if xs.shape != ys.shape or xs.size < max(min_points, 2) or np.ptp(xs) == 0:
        raise InputError(f"a line fit needs two equal-length arrays of >= {max(min_points, 2)} points with "
                         f"non-constant x, got shapes {xs.shape} and {ys.shape}")
    n = xs.size
    if weights is None:
        w = np.ones(n)
        # np.mean, not a dot with the unit weights: the same digits as the OLS fits this replaced
        xbar, ybar = float(xs.mean()), float(ys.mean())
    else:
        w = _vector(weights, "weights")
        if w.shape != xs.shape or not (w > 0).all():
            raise InputError(f"weights must be positive with shape {xs.shape}, got shape {w.shape}")
        xbar, ybar = float(np.dot(w, xs) / w.sum()), float(np.dot(w, ys) / w.sum())
    wxc = w * (xs - xbar)
    a = wxc / np.dot(wxc, xs - xbar)
    slope = float(np.dot(a, ys))
    intercept = ybar - slope * xbar
    resid = ys - (slope * xs + intercept)
    ss_res = float(np.dot(w * resid, resid))
    ss_tot = float(np.dot(w * (ys - ybar), ys - ybar))
    if var_y is None:
        var = ss_res / (n - 2) / w if n > 2 else np.full(n, math.nan)
    else:
        var = _vector(var_y, "var_y")
        if var.shape != xs.shape:
            raise InputError(f"var_y must have shape {xs.shape}, got {var.shape}")
    c = w / w.sum() - xbar * a
    return LineFit(slope=slope, intercept=intercept, slope_se=math.sqrt(float(np.dot(a * a, var))),
                   intercept_se=math.sqrt(float(np.dot(c * c, var))),
                   r2=1.0 - ss_res / ss_tot if ss_tot > 0 else math.nan, n=int(n))


def power_law_fit(x: Any, y: Any, *, min_points: int = 2) -> LineFit:
    """:func:`line_fit` of ``log y`` on ``log x`` (``y ~ x^slope``); ``x`` and ``y`` must be positive."""
    xs, ys = _vector(x, "x"), _vector(y, "y")
    if (xs <= 0).any() or (ys <= 0).any():
        raise InputError("a power-law fit needs positive x and y")
    return line_fit(np.log(xs), np.log(ys), min_points=min_points)


def slope_sensitivity(x: Any) -> float:
    """``sum_k |a_k|`` with the OLS weights ``a_k = (x_k - xbar) / S_xx``: the slope is ``sum_k a_k y_k``, so
    moving every ``y_k`` by at most ``eps`` moves it by at most ``eps * slope_sensitivity(x)`` (tolerances of
    exact cases)."""
    xc = _vector(x, "x") - np.mean(x)
    return float(np.abs(xc).sum() / (xc @ xc))


def exact_fit_tolerance(x: Any, slope: float, eps: float) -> float:
    """Bound on the error of an OLS slope of exactly linear data when every ``x_k`` and ``y_k`` carries an error
    of at most ``eps``: ``y`` errors move it by ``<= eps * S`` and ``x`` errors by ``<= |slope| * eps * S`` to first
    order, ``S`` = :func:`slope_sensitivity` ``(x)``."""
    return eps * slope_sensitivity(x) * (1.0 + abs(slope))
