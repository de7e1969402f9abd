"""§5.1, the planted-spectrum benchmark: planted s × optimizer on quadratics (isotropic noise) and parametric
models (minibatch noise); does ŝ cluster by the planted s rather than by the optimizer?"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .claims import experiment_claim
from .plots import color, marker, save

if TYPE_CHECKING:
    from pathlib import Path

    from .context import Context


def stage(ctx: "Context") -> dict[str, Any]:
    """§5.1: planted s × optimizer; ŝ with its s.e. per run, the pairwise class tests, the discrete-profile
    effect on ŝ."""
    from ..numerics.experiments import benchmark_5_1 as run

    return run(quick=ctx.quick, device=ctx.device, seed=ctx.seed)


def figure(result: dict[str, Any], path: "Path") -> str | None:
    """ê_k on log-log axes, one panel per planted s, one line per optimizer."""
    import matplotlib.pyplot as plt

    rows = [r for r in result.get("rows", []) if "energies" in r]
    planted = sorted({r["s"] for r in rows})
    if not planted:
        return None
    fig, axes = plt.subplots(1, len(planted), figsize=(3.2 * len(planted), 3.2), squeeze=False)
    for ax, s in zip(axes[0], planted):
        for r in (r for r in rows if r["s"] == s):
            e = np.asarray(r["energies"], dtype=float)
            k = np.arange(1, e.size + 1)
            ax.loglog(k, e / e[0], marker(r["model"]) + "-", ms=3, lw=0.8, color=color(r["optimizer"].split("(")[0]),
                      label=f"{r['optimizer']} ({r['model']})")
        ax.set_title(f"planted s = {s:g}")
        ax.set_xlabel("mode k")
    axes[0][0].set_ylabel("ê_k / ê_1")
    axes[0][0].legend(fontsize=7)
    save(fig, path)
    return "Mode energies ê_k (normalised by ê_1) per optimizer; a class shows as one slope per planted s."


def figure_s_hat(result: dict[str, Any], path: "Path") -> str | None:
    """ŝ ± 2 s.e. against planted s, per optimizer, with the identity line."""
    import matplotlib.pyplot as plt

    rows = [r for r in result.get("rows", []) if "s_hat" in r]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(4.5, 4))
    opts = sorted({(r["optimizer"], r["model"]) for r in rows})
    for i, (opt, model) in enumerate(opts):
        rs = [r for r in rows if (r["optimizer"], r["model"]) == (opt, model)]
        x = np.array([r["s"] for r in rs]) + 0.04 * (i - (len(opts) - 1) / 2)
        ax.errorbar(x, [r["s_hat"] for r in rs], yerr=[2 * r["s_hat_se"] for r in rs], fmt=marker(model), ms=5,
                    capsize=2, color=color(opt.split("(")[0]), label=f"{opt} ({model})")
    lim = [min(r["s"] for r in rows) - 0.3, max(r["s"] for r in rows) + 0.3]
    ax.plot(lim, lim, "k:", lw=0.8)
    ax.set_xlabel("planted s")
    ax.set_ylabel("ŝ ± 2 s.e.")
    ax.legend(fontsize=7)
    save(fig, path)
    return ("Fitted spectral exponent ŝ against the planted s: points cluster by s, not by optimizer, if the claim "
            "holds.")


def claims(result: dict[str, Any]) -> list[dict]:
    """One claim per noise family: same-s pairs judged one class, same-optimizer pairs with different s not."""
    out = []
    for family, text in (("quadratic", "with isotropic gradient noise (the §9 model: SGD, Adam, noise-dominated Adam)"),
                         ("parametric", "with minibatch sampling noise (teacher–student SGD/Adam, linear attention)")):
        clus = (result.get("clustering") or {}).get(family) or {}
        out.append(experiment_claim(
            "§5.1", f"ŝ clusters by planted s, not by optimizer, {text}", clus.get("prediction_holds"),
            f"same-s pairs judged same class: {clus.get('same_s_judged_same')}; same-optimizer pairs with "
            f"different s judged same: {clus.get('same_optimizer_judged_same')} (z-test, level {clus.get('level')})"))
    return out
