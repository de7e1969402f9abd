"""SymPy closed forms of the per-mode optimizer dynamics: the one source of every number in the package.

Entry points: :func:`derive` (per optimizer, cached), :mod:`.classes` (class triple, slopes, deviation bounds),
:func:`closed_forms` (the Lean-named forms) and :mod:`.lean_terms` (SymPy <-> Lean terms).
"""

from spectral_universality.theory.core import SYMBOLS, Condition, Derivation
from spectral_universality.theory.lean_forms import LEAN_SIGNATURES, closed_forms
from spectral_universality.theory.dispatch import OPTIMIZERS, derive

__all__ = ["SYMBOLS", "Condition", "Derivation", "LEAN_SIGNATURES", "OPTIMIZERS", "closed_forms", "derive"]
