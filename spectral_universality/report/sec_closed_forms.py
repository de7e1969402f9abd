"""Closed forms (SymPy): every optimizer's steady state, contraction factor and stability region, derived by
``theory`` (the hand-derived optimizers and the built-in linear specs alike). No figure, no claim of its own:
the page shows the table, and the claims it underlies are decided by Lean (:mod:`.sec_lean`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .context import Context

#: A representative mode, used only to print numeric values beside each closed form (a spec's own ``defaults``
#: supply the parameters it adds, and win where both give one).
EXAMPLE_POINT = {"alpha": 0.1, "lam": 2.0, "sigma": 0.5, "mu": 0.9, "beta1": 0.9, "beta2": 0.999}


def stage(ctx: "Context") -> dict[str, Any]:
    """Every optimizer of ``theory.OPTIMIZERS`` with its forms (as SymPy text) and their values at
    :data:`EXAMPLE_POINT` (each form at the parameters it has)."""
    from ..theory import OPTIMIZERS, derive

    table = {}
    for name in OPTIMIZERS:
        d = derive(name)
        spec = getattr(getattr(d, "system", None), "spec", None)
        point = {**EXAMPLE_POINT, **(dict(spec.defaults) if spec is not None else {})}
        at = {k: v for k, v in point.items() if k in d.parameter_names()}
        table[name] = {
            "steady_state": str(d.steady_state),
            "contraction_factor": str(d.contraction_factor),
            "stability": d.stability_text,
            "at": at,
            "values": d.evaluate(**at),
        }
    return {"optimizers": table, "at": EXAMPLE_POINT, "summary": {n: t["values"] for n, t in table.items()}}


def claims(result: dict[str, Any]) -> list[dict]:
    """None: the closed forms are checked by the tests and, where proved, by the Lean section's claims."""
    return []
