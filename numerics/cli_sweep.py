"""Sweep a grid of optimizer x s x alpha x batch size (or sigma) x seeds on the power-law quadratic.

``spectral-universality sweep --optimizer sgd momentum --s 1.5 2 --alpha 0.05:2.5:24 --batch 1 4 16 64 --seeds 8
--workers 2 --out sweep/`` simulates every cell not yet in ``sweep/sweep.sqlite``, stores it (one row per cell and
per cell and seed), and writes ``sweep/phase_diagram.png`` and ``sweep/cells.json``.  A range ``LO:HI:N`` is ``N``
linearly spaced values from ``LO`` to ``HI`` (both included); ``LO:HI:N:log`` is log-spaced.  ``--config
grid.toml`` reads the same settings from a TOML table (keys as the long options, ``-`` written ``_``); options
given on the command line override it.  A batch of ``B`` has gradient-noise std ``noise / sqrt(B)``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

#: Grid and settings keys (TOML spelling) -> how to read the value (`"axis"`, `"int"`, `"float"`, `"str"`).
KEYS: dict[str, str] = {
    "optimizer": "names", "s": "axis", "alpha": "axis", "batch": "int-axis", "sigma": "axis", "seeds": "int",
    "modes": "int", "steps": "int", "burn_in": "int", "noise": "float", "lam1": "float", "mu": "float",
    "beta1": "float", "beta2": "float", "eps": "float", "max_rel_se": "float", "divergence_limit": "float",
    "seed": "int", "dtype": "str", "device": "str", "engine": "str", "workers": "int", "scheduler": "str",
    "cells_per_task": "int", "param": "params"}
REQUIRED = ("optimizer", "s", "alpha")


def configure(parser: argparse.ArgumentParser) -> None:
    # values are read as text and checked in run(): a bad value is one line naming it, with exit code 2
    g = parser.add_argument_group("grid")
    g.add_argument("--config", default=None, help="TOML file with any of the options below (keys with _)")
    g.add_argument("--optimizer", nargs="+", default=None,
                   help="sgd, momentum, adam, adam-noise, a built-in spec (nesterov, sgd-wd, adam-ema, precond, ema) "
                        "or a spec file .toml (one or more)")
    g.add_argument("--s", nargs="+", default=None, help="spectral exponents: lam_k = lam1 k^-s")
    g.add_argument("--alpha", nargs="+", default=None, help="learning rates: numbers or LO:HI:N (linear), LO:HI:N:log")
    noise = g.add_mutually_exclusive_group()
    noise.add_argument("--batch", nargs="+", default=None, help="batch sizes B (noise std noise/sqrt(B))")
    noise.add_argument("--sigma", nargs="+", default=None, help="gradient-noise stds, instead of --batch")
    c = parser.add_argument_group("cells")
    c.add_argument("--seeds", default=None, help="seeds per cell, simulated together (default 8)")
    c.add_argument("--modes", default=None, help="modes per spectrum (default 32)")
    c.add_argument("--steps", default=None, help="recorded steps per cell (default 2000)")
    c.add_argument("--burn-in", default=None, help="unrecorded steps first (default steps/10)")
    c.add_argument("--noise", default=None, help="per-sample noise std: sigma at batch 1 (default 1)")
    c.add_argument("--lam1", default=None, help="top eigenvalue (default 1)")
    c.add_argument("--mu", default=None, help="heavy-ball momentum (default 0.9)")
    c.add_argument("--beta1", default=None, help="Adam beta1 (default 0.9)")
    c.add_argument("--beta2", default=None, help="Adam beta2 (default 0.999)")
    c.add_argument("--eps", default=None, help="Adam eps (default 1e-8)")
    c.add_argument("--param", nargs="+", default=None, metavar="NAME=VALUE",
                   help="optimizer specs' parameters (TOML: a table param = {nu = 0.7}); a spec's defaults fill the rest")
    c.add_argument("--max-rel-se", default=None, help="identify's mode-range precision (default 0.2)")
    c.add_argument("--divergence-limit", default=None, help="|theta| beyond this is divergence (default 1e6)")
    c.add_argument("--seed", default=None, help="base seed (default 0); each cell's seed follows from its config")
    c.add_argument("--dtype", default=None, help="float64 (default) or float32")
    c.add_argument("--device", default=None, help="torch device (default cuda if available, else cpu)")
    e = parser.add_argument_group("engine")
    e.add_argument("--engine", default=None, help="local (process pool, default), dask, or serial (this process)")
    e.add_argument("--workers", default=None, help="local: pool size (default: cores); dask: LocalCluster workers "
                   "(default 2)")
    e.add_argument("--scheduler", default=None, help="dask: address of an existing scheduler, e.g. tcp://HOST:8786")
    e.add_argument("--cells-per-task", default=None, help="cells per task (default 1)")
    parser.add_argument("--out", default="sweep", help="output directory (default sweep/)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _load_toml(path: str) -> dict[str, Any]:
    from spectral_universality.errors import InputError

    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(Path(path).read_text())
    except OSError as exc:
        raise InputError(f"--config: cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"--config: {path} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise InputError(f"--config: unknown key(s) {unknown} in {path}; known: {sorted(KEYS)}")
    return data


def merged_options(args: argparse.Namespace) -> dict[str, Any]:
    """TOML values overridden by the command line's (only the options given there)."""
    data = _load_toml(args.config) if args.config else {}
    for key in KEYS:
        val = getattr(args, key, None)
        if val is not None:
            data[key] = val
    if args.batch is not None:
        data.pop("sigma", None)
    if args.sigma is not None:
        data.pop("batch", None)
    return data


def _scalar(data: dict[str, Any], key: str, kind: str) -> Any:
    from spectral_universality.errors import InputError

    val = data[key]
    if isinstance(val, list):
        raise InputError(f"{key}: expected one value, got a list {val}")
    try:
        if kind == "int":
            if isinstance(val, float) or (isinstance(val, str) and not val.strip().lstrip("-").isdigit()):
                raise ValueError
            return int(val)
        if kind == "float":
            return float(val)
    except (TypeError, ValueError):
        raise InputError(f"{key}: expected {'an integer' if kind == 'int' else 'a number'}, got {val!r}") from None
    return str(val)


def build_grid(data: dict[str, Any], device: str) -> "Any":
    """The :class:`~.sweep.Grid` of merged options (``device`` already resolved)."""
    from spectral_universality.errors import InputError
    from spectral_universality.numerics.sweep import Grid, Settings, parse_values

    missing = [k for k in REQUIRED if k not in data]
    if "batch" not in data and "sigma" not in data:
        missing.append("batch (or sigma)")
    if missing:
        raise InputError(f"missing grid key(s): {', '.join(missing)} (in the --config file or on the command line)")
    if "batch" in data and "sigma" in data:
        raise InputError("give either batch or sigma, not both")
    names = data["optimizer"]
    names = [names] if isinstance(names, str) else list(names)
    settings: dict[str, Any] = {}
    for key in ("seeds", "modes", "steps", "burn_in", "noise", "lam1", "mu", "beta1", "beta2", "eps", "max_rel_se",
                "divergence_limit", "seed", "dtype"):
        if key in data:
            settings[key] = _scalar(data, key, KEYS[key])
    if "param" in data:
        settings["params"] = _spec_params(data["param"])
    axis = "batch" if "batch" in data else "sigma"
    return Grid(optimizers=tuple(str(n) for n in names), s=parse_values(_items(data["s"]), "s"),
                alpha=parse_values(_items(data["alpha"]), "alpha"), noise_axis=axis,
                levels=parse_values(_items(data[axis]), axis, integer=axis == "batch"),
                settings=Settings(device=device, **settings))


def _spec_params(val: Any) -> tuple[tuple[str, float], ...]:
    """``--param a=1 b=2`` (a list) or a TOML table as sorted ``(name, value)`` pairs."""
    from spectral_universality.errors import InputError
    from spectral_universality.theory.cli import parse_assignments

    if isinstance(val, dict):
        try:
            pairs = {str(k): float(v) for k, v in val.items()}
        except (TypeError, ValueError):
            raise InputError(f"param: every value must be a number, got {val}") from None
    else:
        pairs = parse_assignments([str(v) for v in _items(val)])
    return tuple(sorted(pairs.items()))


def _items(val: Any) -> list[Any]:
    return val if isinstance(val, list) else [val]


def run(args: argparse.Namespace) -> int:
    from spectral_universality.errors import InputError
    from spectral_universality.numerics.sweep import run_sweep
    from spectral_universality.numerics.sweep_plot import DIAGRAM_NAME, JSON_NAME, outputs_current, write_outputs
    from spectral_universality.numerics.sweep_store import STORE_NAME, SweepStore

    data = merged_options(args)
    engine = _scalar(data, "engine", "str") if "engine" in data else None
    workers = _scalar(data, "workers", "int") if "workers" in data else None
    scheduler = _scalar(data, "scheduler", "str") if "scheduler" in data else None
    per_task = _scalar(data, "cells_per_task", "int") if "cells_per_task" in data else 1
    if engine is None:
        engine = "dask" if scheduler else "local"
    if engine not in ("local", "dask", "serial"):
        raise InputError(f"--engine: unknown engine {engine!r}; choose local, dask or serial")
    if scheduler and engine != "dask":
        raise InputError(f"--scheduler needs --engine dask (got --engine {engine})")
    if scheduler and workers is not None:
        raise InputError("give --scheduler (an existing cluster) or --workers (a LocalCluster), not both")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    from spectral_universality.numerics.quadratic import pick_device

    device = str(pick_device(_scalar(data, "device", "str") if "device" in data else None))
    grid = build_grid(data, device)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} exists and is not a directory")
    with SweepStore(out / STORE_NAME) as store:
        try:
            outcome = run_sweep(grid, store, engine=engine, workers=workers, scheduler=scheduler,
                                cells_per_task=per_task, progress=not args.no_progress)
        except KeyboardInterrupt:
            n = len(store.done_keys(_keys(grid)))
            print(f"interrupted: {n} of {len(grid.cells())} cells stored in {out / STORE_NAME}; run the same command "
                  "again to resume", file=sys.stderr)
            return 130
        cached_all = outcome.computed == 0 and not outcome.errors
        if cached_all and outputs_current(grid, out):
            print(f"all {outcome.total} cells cached in {out / STORE_NAME}; {out / DIAGRAM_NAME} and "
                  f"{out / JSON_NAME} are current")
            return 0
        cells = store.cells(_keys(grid))
    write_outputs(grid, cells, out)
    counts: dict[str, int] = {}
    for c in cells:
        counts[c["status"]] = counts.get(c["status"], 0) + 1
    how = (f"all {outcome.total} cells cached" if cached_all else
           f"{outcome.computed} cells computed on {outcome.engine} ({outcome.workers} workers) in "
           f"{outcome.seconds:.1f} s, {outcome.cached} cached")
    print(f"{how}; " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    print(f"wrote {out / STORE_NAME}, {out / DIAGRAM_NAME}, {out / JSON_NAME}")
    for err in outcome.errors:
        print(f"cell {err['key'][:12]} failed (not stored, retried next run): {err['reason']}", file=sys.stderr)
    return 1 if outcome.errors else 0


def _keys(grid: Any) -> list[str]:
    from spectral_universality.numerics.sweep import cell_key

    return [cell_key(c) for c in grid.cells()]
