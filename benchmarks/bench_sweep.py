"""Sweep throughput: cells per second serially, on the local process pool and on a 2-worker Dask LocalCluster,
and the scheduling overhead per task (prints a table).

    .venv/bin/python benchmarks/bench_sweep.py [--alphas 12] [--workers 2] [--cells-per-task 1]

The grid is SGD and heavy ball at s = 1.5 over ``--alphas`` stable rates in [0.05, 1.9] and batch sizes 1 and 16,
with the sweep's default cell size (32 modes x 8 seeds x 2200 steps).  Each engine is started and warmed up (one
task per worker: imports, theory's derivations) before the clock starts; its start-up is printed apart.  Per
engine: wall time of all tasks, cells/s, the mean task time measured inside the workers, and the overhead per
task ``(wall x workers - sum of task times) / tasks`` (transfer, scheduling, idle workers at the end), also as a
percentage of the mean task time.  The target is <= 5% at the default task size (one cell per task).  Not a timed
test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import time

from spectral_universality.numerics.sweep import Grid, Settings, open_engine, parse_values, run_task


def measure(kind: str, tasks: list[list[dict]], workers: int) -> dict:
    """Start-up, wall time and per-task overhead of engine ``kind`` on ``tasks``."""
    t0 = time.perf_counter()
    with open_engine(kind, workers) as eng:
        warm = tasks[: eng.workers]
        list(eng.map(run_task, warm))  # imports and derivations in every worker, off the clock
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        results = [r for batch in eng.map(run_task, tasks) for r in batch]
        wall = time.perf_counter() - t1
        n_workers = eng.workers
    inside = sum(r["seconds"] for r in results)
    per_task = inside / len(tasks)
    overhead = (wall * n_workers - inside) / len(tasks)
    return {"engine": kind, "workers": n_workers, "startup_s": startup, "wall_s": wall,
            "cells_per_s": len(results) / wall, "task_s": per_task, "overhead_s": overhead,
            "overhead_pct": 100 * overhead / per_task}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--alphas", type=int, default=12)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cells-per-task", type=int, default=1)
    args = ap.parse_args()
    grid = Grid(("sgd", "momentum"), (1.5,), parse_values(f"0.05:1.9:{args.alphas}", "alpha"), "batch", (1, 16),
                Settings())
    cells = grid.cells()
    tasks = [cells[i:i + args.cells_per_task] for i in range(0, len(cells), args.cells_per_task)]
    st = grid.settings
    print(f"{len(cells)} cells ({st.modes} modes x {st.seeds} seeds x {st.burn + st.steps} steps), "
          f"{len(tasks)} tasks of {args.cells_per_task} cell(s)")
    print(f"{'engine':<8}{'workers':>8}{'start s':>9}{'wall s':>8}{'cells/s':>9}{'task s':>8}{'overhead ms':>13}"
          f"{'overhead %':>12}")
    for kind in ("serial", "local", "dask"):
        m = measure(kind, tasks, 1 if kind == "serial" else args.workers)
        print(f"{m['engine']:<8}{m['workers']:>8}{m['startup_s']:>9.2f}{m['wall_s']:>8.2f}{m['cells_per_s']:>9.2f}"
              f"{m['task_s']:>8.3f}{1000 * m['overhead_s']:>13.1f}{m['overhead_pct']:>12.1f}")


if __name__ == "__main__":
    main()
