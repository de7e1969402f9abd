"""What the Lean check costs with the WebAssembly toolchain: one module, the whole library cold and warm.

* **one module importing ``Init``** (``theorem p1 : (2:Nat) + 2 = 4 := rfl``), compiled by the patched
  ``lean.js`` and by the original (the import is what the patch speeds up);
* **the library cold**: ``verify`` of ``lean/`` in a fresh cache directory that shares only the installed
  toolchain (every module compiled, the statements pass and the proof-term audit run), per module;
* **the library warm**: the same call again (every module cached, hashes re-checked, audit re-run).

Runs alternate and repeat; medians are printed (the machine is shared, so timings are noisy).

Usage: ``python benchmarks/bench_lean.py [--repeats 3] [--skip-unpatched] [--json out.json]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from spectral_universality.verify.check import _Job, _run_wasm, verify_library
from spectral_universality.verify.cli import default_lean_dir
from spectral_universality.verify.toolchain import default_cache_dir, ensure_wasm, unpatched_lean_js

ONE_LINER = "theorem p1 : (2:Nat) + 2 = 4 := rfl\n"


def time_one_module(tc, root: Path) -> float:
    """Seconds to compile the one-line ``Init`` module with toolchain ``tc`` (staged under ``root``)."""
    work = root / uuid.uuid4().hex[:8]
    (work / "build").mkdir(parents=True)
    src = work / "A.lean"
    src.write_text(ONE_LINER)
    try:
        res = _run_wasm(tc, _Job("A", "", src, work / "build" / "A.olean"), work, work / "build", set())
        if res["returncode"] != 0:
            raise RuntimeError(f"compile failed: {res['messages'] or res['stderr_tail']}")
        return res["seconds"]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def time_library(cache: Path, lean_dir: Path) -> tuple[float, dict[str, float], float]:
    """(cold seconds, per-module seconds, warm seconds) of ``verify`` in the cache directory ``cache``."""
    t0 = time.monotonic()
    cold = verify_library(lean_dir, cache_dir=cache, toolchain="wasm", log=lambda _: None)
    t_cold = time.monotonic() - t0
    if not cold.ok:
        raise RuntimeError(f"library check failed: {[str(e) for e in cold.errors][:3]}")
    t0 = time.monotonic()
    verify_library(lean_dir, cache_dir=cache, toolchain="wasm", log=lambda _: None)
    return t_cold, {m.name: m.seconds for m in cold.modules}, time.monotonic() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-unpatched", action="store_true", help="do not time the original lean.js")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    shared = default_cache_dir()
    tc = ensure_wasm(shared, print)
    runs: dict[str, list[float]] = {"module patched": [], "module unpatched": [], "library cold": [],
                                    "library warm": []}
    per_module: list[dict[str, float]] = []
    scratch = shared / "runs"
    scratch.mkdir(parents=True, exist_ok=True)
    for _ in range(args.repeats):
        runs["module patched"].append(time_one_module(tc, scratch))
        if not args.skip_unpatched:
            runs["module unpatched"].append(time_one_module(unpatched_lean_js(tc), scratch))
        with tempfile.TemporaryDirectory(dir=shared.parent, prefix="bench-lean-") as td:
            cache = Path(td)
            (cache / "toolchain").symlink_to(shared / "toolchain")  # reuse the install, nothing else
            cold, mods, warm = time_library(cache, default_lean_dir())
        runs["library cold"].append(cold)
        runs["library warm"].append(warm)
        per_module.append(mods)
    med = {k: statistics.median(v) for k, v in runs.items() if v}
    print(f"{'what':<20} {'median s':>9}  runs")
    for k, v in runs.items():
        if v:
            print(f"{k:<20} {med[k]:>9.1f}  {', '.join(f'{x:.1f}' for x in v)}")
    if "module unpatched" in med:
        print(f"import speed-up (unpatched / patched): {med['module unpatched'] / med['module patched']:.1f}x")
    print("per module, median s:")
    for m in per_module[0]:
        print(f"  {m:<40} {statistics.median(p[m] for p in per_module):.1f}")
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "median": med, "per_module": per_module}, indent=1))


if __name__ == "__main__":
    main()
