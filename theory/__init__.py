"""SymPy closed forms of the per-mode optimizer dynamics: the one source of every number in the package.

Entry points: :func:`derive` (per optimizer, cached), :mod:`.spec` (an optimizer written as a linear recursion:
:class:`OptimizerSpec`, :func:`derive_spec`), :mod:`.classes` (class triple, slopes, deviation bounds),
:func:`closed_forms` (the Lean-named forms) and :mod:`.lean_terms` (SymPy <-> Lean terms).

Attributes load on first use (PEP 562), so importing a light submodule such as :mod:`.names` imports no SymPy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {"SYMBOLS": "core", "Condition": "core", "Derivation": "core", "LEAN_SIGNATURES": "lean_forms",
            "closed_forms": "lean_forms", "OPTIMIZERS": "dispatch", "derive": "dispatch",
            "OptimizerSpec": "spec", "derive_spec": "spec"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
