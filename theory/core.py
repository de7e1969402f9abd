"""Canonical symbols, the :class:`Derivation` record and its numeric back ends (numpy, torch).

Every closed form of the package is a SymPy expression in the canonical symbols below; a symbol's
assumptions state the region it lives in (rates and eigenvalues positive, energies nonnegative), so
``simplify`` may use them.  Numbers leave this package only through :meth:`Derivation.evaluate` and
:meth:`Derivation.lambdify`, both of which check the derivation's hypotheses first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from typing import Any, Callable, Mapping

import sympy
from sympy import Expr

from spectral_universality.errors import HypothesisViolation, InputError

#: canonical name -> SymPy symbol (assumptions = the region the quantity lives in)
SYMBOLS: dict[str, sympy.Symbol] = {
    "alpha": sympy.Symbol("alpha", positive=True),  # learning rate
    "alpha_t": sympy.Symbol("alpha_t", positive=True),  # class rate alpha_tilde
    "lam": sympy.Symbol("lam", positive=True),  # Hessian eigenvalue of the mode
    "lam1": sympy.Symbol("lam1", positive=True),  # top eigenvalue
    "sigma": sympy.Symbol("sigma", nonnegative=True),  # gradient-noise standard deviation
    "e": sympy.Symbol("e", nonnegative=True),  # mode energy E[theta^2]
    "mu": sympy.Symbol("mu", nonnegative=True),  # heavy-ball momentum
    "beta1": sympy.Symbol("beta1", nonnegative=True),  # Adam first-moment EMA
    "beta2": sympy.Symbol("beta2", nonnegative=True),  # Adam second-moment EMA
    "r": sympy.Symbol("r", positive=True),  # Adam preconditioner sqrt(v_hat)
    "s": sympy.Symbol("s", positive=True),  # spectral exponent
    "C": sympy.Symbol("C", positive=True),  # spectral prefactor, lam_k = C k^-s
    "k": sympy.Symbol("k", positive=True, integer=True),  # mode index
    "t": sympy.Symbol("t", nonnegative=True),  # time (continuous) or step
    "h": sympy.Symbol("h", positive=True, integer=True),  # stride (steps)
    "E": sympy.Symbol("E", nonnegative=True),  # sup bound of the energies, ||e||_inf <= E
    "Lam": sympy.Symbol("Lam", positive=True),  # bound of the eigenvalues, lam_k <= Lam
    "w": sympy.Symbol("w", nonnegative=True),  # weight with lam_k^2 <= w_k
}


def real_form(expr: Any) -> Any:
    """``expr`` with canonical symbols replaced by plain real symbols of the same name.

    Hypothesis predicates are built from this form: with the canonical (positive) symbols SymPy would decide
    ``alpha > 0`` to be True before any value is given.
    """
    expr = sympy.sympify(expr)
    return expr.xreplace({s: sympy.Symbol(s.name, real=True) for s in expr.free_symbols})


def sym(*names: str) -> tuple[sympy.Symbol, ...]:
    """The canonical symbols of ``names`` (a typo is a programming error: KeyError)."""
    return tuple(SYMBOLS[n] for n in names)


@dataclass(frozen=True)
class Condition:
    """One hypothesis of a derivation: ``text`` (as printed in errors) and the SymPy ``predicate``."""

    text: str
    predicate: sympy.logic.boolalg.Boolean


def _check_number(name: str, value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"parameter {name!r} must be a real number, got {value!r}") from None
    if not math.isfinite(x):
        raise InputError(f"parameter {name!r} must be finite, got {value!r}")
    return x


def _to_tensor(x: Any) -> Any:
    import torch

    return x if isinstance(x, torch.Tensor) else torch.as_tensor(x, dtype=torch.float64)


def _torch_module() -> dict[str, Callable[..., Any]]:
    """Tensor-safe replacements for the functions the closed forms use (numbers become float64 0-d tensors)."""
    import torch

    names = ("sqrt", "exp", "log", "cos", "cosh", "acos", "acosh", "abs", "sin", "sinh", "asin")
    unary = {name: getattr(torch, name) for name in names}
    mod: dict[str, Callable[..., Any]] = {k: (lambda f: lambda x: f(_to_tensor(x)))(f) for k, f in unary.items()}
    mod["Abs"] = mod["abs"]
    mod["Max"] = lambda *a: reduce(torch.maximum, [_to_tensor(x) for x in a])
    mod["Min"] = lambda *a: reduce(torch.minimum, [_to_tensor(x) for x in a])
    mod["max"], mod["min"] = mod["Max"], mod["Min"]  # SymPy's torch printer spells Max/Min as max/min
    mod["pi"] = math.pi
    return mod


@dataclass(frozen=True)
class Derivation:
    """Closed forms of one optimizer's per-mode dynamics on the quadratic ``L = lam theta^2 / 2``.

    Attributes
    ----------
    optimizer : str
        ``sgd``, ``sgd-continuous``, ``momentum``, ``adam`` or ``adam-noise``.
    symbols : dict[str, Symbol]
        The canonical symbols the forms use, by name.
    steady_state : Expr
        Stationary mode energy ``e* = lim E[theta_t^2]``.
    contraction_factor : Expr
        Per-step factor by which the distance of the energy to ``e*`` shrinks (stable iff < 1).
    stability : Boolean
        The region where ``steady_state`` exists (``stability_text`` is its text form).
    conditions : tuple[Condition, ...]
        Domain and stability hypotheses, each checked by :meth:`validate`.
    forms : dict[str, Expr]
        Further named closed forms (drift, h-step variance, limits, ...).
    matrices : dict[str, sympy.Matrix]
        Linear-system data for the exact strided sampler (``A``, ``Q``, ``S`` of ``x' = A x + w``).
    notes : dict[str, str]
        Conventions and derived statements in words.
    """

    optimizer: str
    symbols: dict[str, sympy.Symbol]
    steady_state: Expr
    contraction_factor: Expr
    stability: Any
    stability_text: str
    conditions: tuple[Condition, ...]
    forms: dict[str, Expr] = field(default_factory=dict)
    matrices: dict[str, sympy.Matrix] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:  # cached derivations are shared; identity is enough
        return id(self)

    # -- access ---------------------------------------------------------------------------------
    def form(self, name: str) -> Expr:
        """``steady_state``, ``contraction_factor`` or a key of ``forms``; InputError if unknown."""
        if name in ("steady_state", "contraction_factor"):
            return getattr(self, name)
        if name in self.forms:
            return self.forms[name]
        raise InputError(f"{self.optimizer} has no closed form {name!r}; known: "
                         f"{['steady_state', 'contraction_factor', *self.forms]}")

    def parameter_names(self) -> list[str]:
        """Names of every symbol that occurs in a form or a condition."""
        names = set().union(*(c.predicate.free_symbols for c in self.conditions))
        for ex in (self.steady_state, self.contraction_factor, *self.forms.values()):
            names |= ex.free_symbols
        return sorted(s.name for s in names)

    # -- hypotheses -----------------------------------------------------------------------------
    def validate(self, **params: float) -> dict[str, float]:
        """Check ``params`` against every condition whose symbols are all given; returns them as floats.

        Raises
        ------
        InputError
            A name that is no parameter of this derivation, or a non-finite / non-numeric value.
        HypothesisViolation
            A value outside the region; ``condition`` names the violated condition.
        """
        known = set(self.parameter_names())
        unknown = sorted(set(params) - known)
        if unknown:
            raise InputError(f"unknown parameter(s) {unknown} for {self.optimizer}; known: {sorted(known)}")
        values = {k: _check_number(k, v) for k, v in params.items()}
        for cond in self.conditions:
            if not {s.name for s in cond.predicate.free_symbols} <= values.keys():
                continue
            truth = cond.predicate.subs({s: sympy.Float(values[s.name], 30) for s in cond.predicate.free_symbols})
            if truth is not sympy.true:
                detail = ", ".join(f"{s.name} = {values[s.name]:g}" for s in
                                   sorted(cond.predicate.free_symbols, key=lambda s: s.name))
                raise HypothesisViolation(cond.text, detail)
        return values

    # -- numbers --------------------------------------------------------------------------------
    def evaluate(self, **params: float) -> dict[str, float]:
        """Float values of every form whose symbols are all in ``params`` (after :meth:`validate`).

        Raises InputError if not even ``steady_state`` can be evaluated (a needed parameter is missing).
        """
        values = self.validate(**params)
        needed = sorted(s.name for s in self.steady_state.free_symbols)
        missing = [n for n in needed if n not in values]
        if missing:
            raise InputError(f"{self.optimizer}: missing parameter(s) {missing} (steady_state needs {needed})")
        out: dict[str, float] = {}
        for name in ("steady_state", "contraction_factor", *self.forms):
            ex = self.form(name)
            names = sorted(s.name for s in ex.free_symbols)
            if set(names) <= values.keys():
                out[name] = float(self.lambdify(name)(**{n: values[n] for n in names}))
        return out

    def lambdify(self, name: str, backend: str = "numpy") -> Callable[..., Any]:
        """A function of keyword arguments (canonical names) evaluating form ``name``.

        ``backend`` is ``"numpy"`` (arrays broadcast, float64) or ``"torch"`` (tensors; plain numbers become
        float64 0-d tensors, so the caller's dtype and device win).  The returned function has an ``args``
        attribute: the names it needs.  It does not validate; call :meth:`validate` for that.
        """
        if backend not in ("numpy", "torch"):
            raise InputError(f"backend must be 'numpy' or 'torch', got {backend!r}")
        ex = self.form(name)
        fn, names = _compiled(self, name, backend)

        def call(**kw: Any) -> Any:
            missing = [n for n in names if n not in kw]
            if missing:
                raise InputError(f"{self.optimizer}.{name} needs {missing}")
            args = [_to_tensor(kw[n]) if backend == "torch" else kw[n] for n in names]
            out = fn(*args)
            return _to_tensor(out) if backend == "torch" else out

        call.args = names  # type: ignore[attr-defined]
        call.__doc__ = f"{self.optimizer}.{name} = {ex}"
        return call


@lru_cache(maxsize=None)
def _compiled(d: Derivation, name: str, backend: str) -> tuple[Callable[..., Any], list[str]]:
    """Lambdified form, compiled once per (derivation, form, backend); derivations are cached singletons."""
    ex = d.form(name)
    syms = sorted(ex.free_symbols, key=lambda s: s.name)
    modules = "numpy" if backend == "numpy" else [_torch_module(), "torch"]
    return sympy.lambdify(syms, ex, modules=modules), [s.name for s in syms]


def conditions_text(conds: tuple[Condition, ...]) -> str:
    """The conditions joined with ``' and '``."""
    return " and ".join(c.text for c in conds)


def all_of(conds: tuple[Condition, ...]) -> Any:
    """The conjunction of the predicates."""
    return sympy.And(*(c.predicate for c in conds))


def subs_names(expr: Expr, values: Mapping[str, Any]) -> Expr:
    """``expr`` with canonical symbols replaced by ``values`` (given by name)."""
    return expr.subs({SYMBOLS[k]: v for k, v in values.items()})
