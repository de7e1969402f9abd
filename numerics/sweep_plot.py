"""The sweep's outputs: the phase diagram (PNG) and every cell as JSON.

Phase diagram: one panel per optimizer (rows) and ``s`` (columns); ``alpha`` across, the noise axis (batch size
or sigma) up.  Colour is the observed ``s_hat`` of the pooled seeds (one colour scale for the whole figure);
``x`` marks a diverged cell, ``o`` a refused one, a grey cell an unidentified one.  The black line is theory's
stability boundary at ``lam1``: for each noise level the smallest ``alpha`` at which ``derive(optimizer)``'s
conditions fail there (:func:`.sweep.stability_boundary`); a level whose boundary lies beyond the plotted rates
has none drawn.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

from .sweep import Grid, _derivation, cell_key, optimizer_entry, stability_boundary

DIAGRAM_NAME = "phase_diagram.png"
JSON_NAME = "cells.json"


def grid_digest(grid: Grid) -> str:
    """SHA-256 of the grid's cell keys in order: the outputs are current when they carry this digest."""
    return hashlib.sha256("".join(cell_key(c) for c in grid.cells()).encode()).hexdigest()


def outputs_current(grid: Grid, out: Path) -> bool:
    """Whether ``out`` holds the diagram and the JSON of exactly this grid."""
    path = out / JSON_NAME
    if not (path.is_file() and (out / DIAGRAM_NAME).is_file()):
        return False
    try:
        return json.loads(path.read_text()).get("grid_digest") == grid_digest(grid)
    except (OSError, ValueError):
        return False


def boundaries(grid: Grid) -> dict[str, dict[str, float | None]]:
    """Theory's stability boundary ``alpha*`` per optimizer and noise level (``f"{level:g}"`` keys), searched up to
    twice the largest rate of the grid."""
    st = grid.settings
    hi = 2 * max(grid.alpha)
    out: dict[str, dict[str, float | None]] = {}
    for name in grid.optimizers:
        opt, spec, hyper = optimizer_entry(name, st)
        theory = opt if spec is None else _derivation({"spec": spec})
        out[opt] = {f"{level:g}": stability_boundary(theory, grid.sigma_of(level), st.lam1, hi, hyper)
                    for level in grid.levels}
    return out


def write_outputs(grid: Grid, cells: list[dict[str, Any]], out: Path) -> tuple[Path, Path]:
    """Write the phase diagram and the JSON of ``cells`` (stored cells of ``grid``) into ``out``."""
    bounds = boundaries(grid)
    payload = {"grid_digest": grid_digest(grid), "noise_axis": grid.noise_axis,
               "batch_model": "sigma = noise / sqrt(batch)" if grid.noise_axis == "batch" else None,
               "settings": {k: v for k, v in vars(grid.settings).items()}, "axes": {
                   "optimizer": list(grid.optimizers), "s": list(grid.s), "alpha": list(grid.alpha),
                   grid.noise_axis: list(grid.levels)},
               "theory_boundary_alpha": bounds, "cells": cells}
    json_path = out / JSON_NAME
    json_path.write_text(json.dumps(payload, indent=1, allow_nan=False))
    png_path = out / DIAGRAM_NAME
    draw_phase_diagram(grid, cells, bounds, png_path)
    return png_path, json_path


def draw_phase_diagram(grid: Grid, cells: list[dict[str, Any]], bounds: dict[str, dict[str, float | None]],
                       path: Path) -> None:
    """The figure described in the module docstring, written to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    alphas = sorted(grid.alpha)
    levels = list(grid.levels)
    a_edges = _edges(alphas)
    by = {(c["config"]["optimizer"], c["config"]["s"], c["config"]["alpha"],
           c["config"]["batch"] if grid.noise_axis == "batch" else c["config"]["sigma"]): c for c in cells}
    shats = [c["s_hat"] for c in cells if c["status"] == "ok" and c["s_hat"] is not None]
    vmin, vmax = (min(shats), max(shats)) if shats else (0.0, 1.0)
    if vmax - vmin < 1e-9:
        vmin, vmax = vmin - 0.5, vmax + 0.5
    nr, nc = len(grid.optimizers), len(grid.s)
    fig, axes = plt.subplots(nr, nc, figsize=(3.6 * nc + 1.4, 2.4 * nr + 1.2), squeeze=False, sharex=True,
                             sharey=True, layout="constrained")
    from matplotlib.colors import ListedColormap

    shade = ListedColormap(["#f4c7c3"])  # the background of diverged cells
    cmap = plt.get_cmap("viridis").with_extremes(bad="0.85")  # grey: unidentified cells
    mesh = None
    for i, name in enumerate(grid.optimizers):
        opt = optimizer_entry(name, grid.settings)[0]
        for j, s in enumerate(grid.s):
            ax = axes[i][j]
            z = np.full((len(levels), len(alphas)), np.nan)
            div, ref = [], []
            for yi, level in enumerate(levels):
                lv = int(level) if grid.noise_axis == "batch" else grid.sigma_of(level)
                for xi, a in enumerate(alphas):
                    c = by.get((opt, s, a, lv))
                    if c is None:
                        continue
                    if c["status"] == "ok" and c["s_hat"] is not None:
                        z[yi, xi] = c["s_hat"]
                    elif c["status"] == "diverged":
                        div.append((a, yi))
                    elif c["status"] == "refused":
                        ref.append((a, yi))
            mesh = ax.pcolormesh(a_edges, np.arange(len(levels) + 1) - 0.5, np.ma.masked_invalid(z), cmap=cmap,
                                 vmin=vmin, vmax=vmax, shading="flat")
            if div:
                mask = np.full_like(z, np.nan)
                for a, yi in div:
                    mask[yi, alphas.index(a)] = 1.0
                ax.pcolormesh(a_edges, np.arange(len(levels) + 1) - 0.5, np.ma.masked_invalid(mask), cmap=shade,
                              vmin=0, vmax=2, shading="flat")
                ax.plot(*zip(*div), "x", color="crimson", ms=5, mew=1.2, label="diverged")
            if ref:
                ax.plot(*zip(*ref), "o", mfc="none", color="k", ms=4, label="refused")
            xs, ys = [], []
            for yi, level in enumerate(levels):
                b = bounds[opt][f"{level:g}"]
                if b is not None and b <= a_edges[-1]:
                    xs += [b, b]
                    ys += [yi - 0.5, yi + 0.5]
                else:
                    xs.append(math.nan)
                    ys.append(math.nan)
            if any(not math.isnan(x) for x in xs):
                ax.plot(xs, ys, "k-", lw=1.6, label="theory: stability boundary at λ₁")
            ax.set_title(f"{opt}, s = {s:g}", fontsize=9)
            ax.set_yticks(range(len(levels)))
            ax.set_yticklabels([f"{v:g}" for v in levels], fontsize=7)
            ax.tick_params(axis="x", labelsize=7)
            if i == nr - 1:
                ax.set_xlabel("learning rate α")
            if j == 0:
                ax.set_ylabel("batch size B" if grid.noise_axis == "batch" else "noise σ")
            ax.set_xlim(a_edges[0], a_edges[-1])
    handles: dict[str, Any] = {}
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    if handles:
        fig.legend(list(handles.values()), list(handles.keys()), loc="outside lower center", ncol=len(handles),
                   fontsize=8, frameon=False)
    if mesh is not None:
        fig.colorbar(mesh, ax=axes, shrink=0.9, label="observed ŝ (pooled seeds; grey: unidentified)")
    model = " (σ = noise/√B)" if grid.noise_axis == "batch" else ""
    fig.suptitle(f"ŝ over α × {grid.noise_axis}{model}\n{grid.settings.modes} modes, {grid.settings.steps} steps, "
                 f"{grid.settings.seeds} seeds per cell", fontsize=9)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _edges(values: list[float]) -> list[float]:
    """Cell edges around sorted centres: midpoints, with the end cells as wide as their neighbours."""
    if len(values) == 1:
        w = abs(values[0]) * 0.1 or 0.1
        return [values[0] - w, values[0] + w]
    mids = [(a + b) / 2 for a, b in zip(values, values[1:])]
    return [2 * values[0] - mids[0], *mids, 2 * values[-1] - mids[-1]]
