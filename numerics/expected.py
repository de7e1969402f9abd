"""Expected values taken from ``spectral_universality.theory`` at call time (the one source of closed forms).

Nothing here derives a formula: a closed form is looked up on ``theory.derive(optimizer)`` (its ``forms``
dict, else the attributes ``steady_state``, ``contraction_factor``: SymPy expressions in the symbols
``alpha, lam, sigma, mu, beta1, beta2, h``) and evaluated by substituting numbers for symbols by name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spectral_universality.errors import InputError


def derivation(optimizer: str) -> Any:
    """``theory.derive(optimizer)``; imported lazily so numerics works while theory is being written."""
    from spectral_universality.theory import derive

    return derive(optimizer)


def evaluate_form(optimizer: str, name: str, **params: float | np.ndarray) -> np.ndarray:
    """Evaluate ``derive(optimizer).<name>`` with ``params`` (arrays broadcast), as float64 numpy.

    Raises :class:`InputError` if a symbol of the form has no value in ``params``.
    """
    import sympy

    der = derivation(optimizer)
    expr = der.forms[name] if name in der.forms else getattr(der, name)
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    missing = [s.name for s in symbols if s.name not in params]
    if missing:
        raise InputError(f"theory form {optimizer}.{name} needs values for {missing}")
    fn = sympy.lambdify(symbols, expr, modules="numpy")
    args = [np.asarray(params[s.name], dtype=np.float64) for s in symbols]
    out = np.asarray(fn(*args), dtype=np.float64)
    return np.broadcast_to(out, np.broadcast_shapes(*(a.shape for a in args), out.shape)).copy()


def steady_energy(optimizer: str, lam: np.ndarray, **params: float) -> np.ndarray:
    """Stationary mode energy ``e_k*`` per eigenvalue ``lam (K,)`` from theory."""
    return evaluate_form(optimizer, "steady_state", lam=np.asarray(lam, dtype=np.float64), **params)

