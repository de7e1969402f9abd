"""Console entry point ``spectral-universality``.

Each subcommand lives in its own module exposing ``configure(parser)`` and ``run(args) -> int``; this
file only dispatches. Those modules keep heavy imports (torch, sympy) inside ``run`` so ``--help`` is fast.
Any :class:`~spectral_universality.errors.SpectralUniversalityError` becomes one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from .errors import SpectralUniversalityError

#: subcommand -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "verify": ("spectral_universality.verify.cli", "check the Lean library and write its inventory"),
    "derive": ("spectral_universality.theory.cli", "closed forms of an optimizer's mode dynamics (SymPy)"),
    "simulate": ("spectral_universality.numerics.cli_simulate", "simulate an optimizer on a power-law quadratic"),
    "classify": ("spectral_universality.numerics.cli_classify", "class triple (s, eta, gamma) of a trajectory"),
    "sweep": ("spectral_universality.numerics.cli_sweep", "grid sweep (optimizer x s x alpha x batch) with phase diagram"),
    "report": ("spectral_universality.report.cli", "the universality report: derivations, experiments, proofs"),
    "bench": ("spectral_universality.numerics.bench", "simulator throughput against this machine's limits"),
}


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, one sub-parser per entry of :data:`SUBCOMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="spectral-universality",
        description="Universality classes of spectral learning dynamics: proofs, closed forms, simulations.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module, help_) in SUBCOMMANDS.items():
        mod = importlib.import_module(module)
        p = sub.add_parser(name, help=help_, description=(mod.__doc__ or help_).strip().splitlines()[0])
        mod.configure(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (0 ok, 1 a check failed, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except SpectralUniversalityError as exc:
        print(f"spectral-universality {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
