"""Print an optimizer's derived closed forms (steady state, contraction factor, stability region), optionally
evaluated at given parameters.

``spectral-universality derive --optimizer sgd --format json --at alpha=0.1 lam=2 sigma=0.5``
"""

from __future__ import annotations

import argparse
import json

from spectral_universality.errors import InputError

_OPTIMIZERS = ("sgd", "sgd-continuous", "momentum", "adam", "adam-noise")  # = dispatch.OPTIMIZERS (a test checks), kept here so --help imports no sympy


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of the ``derive`` subcommand."""
    parser.add_argument("--optimizer", choices=_OPTIMIZERS, default="sgd", help="model to derive (default sgd)")
    parser.add_argument("--format", choices=("text", "latex", "json", "lean"), default="text",
                        help="output format (default text)")
    parser.add_argument("--at", nargs="+", metavar="NAME=VALUE", default=None,
                        help="evaluate at these parameters, e.g. alpha=0.1 lam=2 sigma=0.5 [mu=0.9 beta1=0.9]")


def parse_assignments(items: list[str]) -> dict[str, float]:
    """``["alpha=0.1", ...]`` -> ``{"alpha": 0.1}``; InputError on a malformed item or a repeated name."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise InputError(f"--at expects NAME=VALUE, got {item!r}")
        if name in out:
            raise InputError(f"--at gives {name!r} twice")
        try:
            out[name] = float(value)
        except ValueError:
            raise InputError(f"--at {name}: {value!r} is not a number") from None
    return out


def run(args: argparse.Namespace) -> int:
    """Derive, print in the chosen format; exit 0 (errors propagate as SpectralUniversalityError -> exit 2)."""
    import sympy

    from spectral_universality.theory.lean_terms import to_lean
    from spectral_universality.theory.dispatch import derive

    params = parse_assignments(args.at) if args.at else None
    d = derive(args.optimizer)
    values = d.evaluate(**params) if params is not None else None
    named = {"steady_state": d.steady_state, "contraction_factor": d.contraction_factor, **d.forms}

    def render(ex: sympy.Expr) -> str:
        if args.format == "latex":
            return sympy.latex(ex)
        if args.format == "lean":
            try:
                return to_lean(ex)
            except InputError as exc:
                return f"(not a Lean closed-form term: {exc})"
        return sympy.sstr(ex)

    if args.format == "json":
        obj = {"optimizer": d.optimizer, "steady_state": render(d.steady_state),
               "contraction_factor": render(d.contraction_factor), "stability": d.stability_text,
               "conditions": [c.text for c in d.conditions], "forms": {k: render(v) for k, v in d.forms.items()},
               "notes": d.notes}
        if values is not None:
            obj["values"] = values
            obj["at"] = params
        print(json.dumps(obj, indent=2, sort_keys=False))
        return 0
    print(f"optimizer: {d.optimizer}")
    print(f"region: {' and '.join(c.text for c in d.conditions)}")
    print(f"stability: {d.stability_text}")
    for name, ex in named.items():
        print(f"{name} = {render(ex)}")
    for key, text in d.notes.items():
        print(f"note[{key}]: {text}")
    if values is not None:
        print("values at " + ", ".join(f"{k}={v:g}" for k, v in params.items()) + ":")
        for name, v in values.items():
            print(f"  {name} = {v:.12g}")
    return 0
