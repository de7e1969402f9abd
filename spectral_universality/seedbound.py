"""The seed's Theorem Candidate 1, read literally, as a number a search can try to break.

The seed asks for one drift ``f_s`` that does not depend on the optimizer with
``|de_k/dt + f_s(e_k, k)| <= C k^(-(s+1)/2) ||e||_inf``. Take ``f_s`` as SGD's own drift (rate ``alpha``);
then noise-dominated Adam (rate ``alpha/sigma``) must satisfy the bound too. :func:`seed_bound_ratio` is the
smallest ``C`` that would make one mode of one case pass; a case with ratio above any proposed ``C`` refutes
the statement for that ``C``. (Lean's ``seedBound_forces_equal_drifts`` covers every ``f_s``, not only this
one: wherever the right-hand side vanishes, the two drifts would have to coincide.)
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable


@lru_cache(maxsize=None)
def _sgd_drift() -> Callable[[float, float, float, float], float]:
    """SGD's continuous-time drift ``(alpha, lam, sigma, e) -> de/dt`` from ``theory``, compiled once."""
    import sympy

    from .theory import SYMBOLS, derive

    drift = derive("sgd-continuous").forms["drift"]
    return sympy.lambdify([SYMBOLS[n] for n in ("alpha", "lam", "sigma", "e")], drift, "math")


def seed_bound_ratio(alpha: float, sigma: float, lam: float, e: float, e_inf: float, k: int, s: float) -> float:
    """``|adam drift - f_s| / (k^(-(s+1)/2) ||e||_inf)`` with ``f_s`` = SGD's drift, both from ``theory``.

    ``e`` is mode k's energy, ``e_inf >= e`` the sup over modes. Returns ``inf`` where the right-hand side is
    0 but the drifts differ.
    """
    f = _sgd_drift()
    gap = abs(f(alpha / sigma, lam, sigma, e) - f(alpha, lam, sigma, e))
    rhs = k ** (-(s + 1) / 2) * e_inf
    if rhs == 0:
        return math.inf if gap > 0 else 0.0
    return gap / rhs
