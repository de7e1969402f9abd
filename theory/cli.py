"""Print an optimizer's derived closed forms (steady state, contraction factor, stability region), optionally
evaluated at given parameters.

``spectral-universality derive --optimizer sgd --format json --at alpha=0.1 lam=2 sigma=0.5``;
``derive --spec qhm.toml ...`` does the same for a user's optimizer spec (:mod:`.spec`), and
``derive --spec qhm.toml --format lean`` prints the Lean module that checks its stationary covariance.
"""

from __future__ import annotations

import argparse
import json

from spectral_universality.errors import InputError

from spectral_universality.theory.names import optimizer_names


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of the ``derive`` subcommand."""
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--optimizer", choices=optimizer_names(), default=None,
                       help="built-in model to derive (default sgd)")
    which.add_argument("--spec", metavar="FILE", default=None,
                       help="an optimizer spec (.toml: name, params, state, [update]; see the README)")
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
    if args.spec is not None:
        from spectral_universality.theory.spec import OptimizerSpec, derive_spec

        spec = OptimizerSpec.from_toml(args.spec)
        d = derive_spec(spec)
    else:
        d = derive(args.optimizer or "sgd")
    if args.format == "lean" and args.spec is not None:
        from spectral_universality.theory.lean_spec import lean_module

        print(lean_module(spec), end="")
        return 0
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
        if "b" in d.matrices:  # a spec: its one-step system and stationary covariance
            obj["matrices"] = {k: [[render(x) for x in row] for row in d.matrices[k].tolist()] for k in ("A", "b", "S")}
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
