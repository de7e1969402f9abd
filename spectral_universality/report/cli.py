"""Write the universality report: closed forms, experiments, the Lean verdict, one verdict per claim."""

from __future__ import annotations

import argparse
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``spectral-universality report``."""
    parser.add_argument("--quick", action="store_true", help="small sizes: about a minute on 2 CPU cores")
    parser.add_argument("--out", type=Path, default=Path("report"), help="output directory (default: report/)")
    parser.add_argument("--device", default="auto", help="auto (cuda when available), cpu or cuda")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random draw in the report")
    parser.add_argument(
        "--lean",
        choices=("check", "skip"),
        default="check",
        help="check the Lean library (a verdict cached for the same sources is reused) or skip it",
    )
    parser.add_argument("--lean-dir", type=Path, default=None, help="the Lake package (default: lean/ of this repo)")


def run(args: argparse.Namespace) -> int:
    """Build the report; exit 0 when it was written (verdicts are in the report, not the exit code)."""
    from .build import build_report

    report = build_report(
        out=args.out, quick=args.quick, device=args.device, seed=args.seed, lean=args.lean, lean_dir=args.lean_dir
    )
    print(f"report written: {args.out / 'index.html'} ({len(report['claims'])} claims, "
          f"{sum(c['verdict'] == 'refuted' for c in report['claims'])} refuted)")
    return 0
