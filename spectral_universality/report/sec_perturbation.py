"""Adam's deviation from the class drift (seed 000, §3 Theorem 1), mode by mode, against the bounds Lean
proves; the verdicts on Theorem 1 are the Lean section's (:mod:`.sec_lean`), this section shows the numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..numerics.fit import power_law_fit
from .plots import save

if TYPE_CHECKING:
    from pathlib import Path

    from .context import Context


def stage(ctx: "Context") -> dict[str, Any]:
    """Adam's drift minus the class drift, mode by mode along ``lam_k = k^-s``, at the flat profile
    ``e_k = E`` (the worst case for a given ``||e||_inf``), against the proved per-mode bounds, the proved
    weighted bound ``C w_k E`` (``w_k = lam_k^2``) and the seed's shape ``k^(-(s+1)/2)``."""
    import sympy

    from ..theory import SYMBOLS
    from ..theory.classes import drift_deviation, drift_deviation_bounds, seed_shape_bound, weighted_deviation_bound

    s_exp, alpha, sigma, E = 1.5, 0.1, 1.0, 1.0
    k = np.arange(1, (64 if ctx.quick else 512) + 1, dtype=np.float64)
    lam = k**-s_exp
    sym = [SYMBOLS[n] for n in ("alpha", "lam", "sigma", "e")]
    delta = sympy.lambdify(sym, drift_deviation(), "numpy")(alpha, lam, sigma, E)
    lower, upper = (sympy.lambdify(sym, b, "numpy")(alpha, lam, sigma, E) for b in drift_deviation_bounds())
    wsym = [SYMBOLS[n] for n in ("alpha", "Lam", "sigma", "E", "w")]
    weighted = sympy.lambdify(wsym, weighted_deviation_bound(), "numpy")(alpha, float(lam[0]), sigma, E, lam**2)
    # the proved bound of the seed's own shape: an E-free constant times lam_k ||e||_inf
    ssym = [SYMBOLS[n] for n in ("alpha", "Lam", "sigma", "E", "lam")]
    proved_seed_shape = sympy.lambdify(ssym, seed_shape_bound(), "numpy")(alpha, float(lam[0]), sigma, E, lam)
    seed_shape = abs(delta[0]) * k ** (-(s_exp + 1) / 2)  # the seed's C k^(-(s+1)/2) E, C matched at k = 1
    tail = k >= 8
    slope = power_law_fit(k[tail], np.abs(delta[tail])).slope
    within = bool(np.all((lower <= delta + 1e-15) & (delta <= upper + 1e-15) & (np.abs(delta) <= weighted + 1e-15)
                         & (np.abs(delta) <= proved_seed_shape + 1e-15)))
    return {
        "s": s_exp, "alpha": alpha, "sigma": sigma, "E": E, "k": k, "delta": delta, "lower": lower,
        "upper": upper, "weighted_bound": weighted, "seed_shape_bound": proved_seed_shape, "seed_shape": seed_shape,
        "summary": {"fitted_decay_exponent": slope, "proved_exponent": -2 * s_exp,
                    "seed_exponent": -(s_exp + 1) / 2, "all_modes_within_bounds": within,
                    "max_delta_over_weighted_bound": float(np.max(np.abs(delta) / weighted))},
    }


def figure(result: dict[str, Any], path: "Path") -> str | None:
    """|δ_k| with the proved per-mode and weighted bounds and the seed's k^(-(s+1)/2) shape."""
    import matplotlib.pyplot as plt

    k = np.asarray(result["k"])
    fig, ax = plt.subplots(figsize=(5, 3.8))
    ax.loglog(k, np.abs(result["delta"]), "k-", lw=2, label="|δ_k| (Adam drift − class drift)")
    ax.loglog(k, np.maximum(result["upper"], -np.asarray(result["lower"])), "--", color="#1f77b4",
              label="proved per-mode bound")
    ax.loglog(k, result["weighted_bound"], "-.", color="#2ca02c", label="proved C(E)·λ_k²·‖e‖∞ (C grows with E)")
    if "seed_shape_bound" in result:
        ax.loglog(k, result["seed_shape_bound"], "-", color="#9467bd", lw=1,
                  label="proved (2α/σ + α²Λ/σ²)·λ_k·‖e‖∞ (seed's shape)")
    ax.loglog(k, result["seed_shape"], ":", color="#d62728", label="seed's C·k^(−(s+1)/2)·‖e‖∞")
    ax.set_xlabel("mode k")
    ax.set_ylabel("drift deviation")
    ax.set_title(f"s = {result['s']}, α = {result['alpha']}, σ = {result['sigma']}, e_k = ‖e‖∞ = {result['E']}",
                 fontsize=9)
    ax.legend(fontsize=7)
    save(fig, path)
    s = result["summary"]
    return (f"Adam's deviation from the class drift decays like k^{s['fitted_decay_exponent']:.2f} (fit on k ≥ 8); "
            f"the λ_k² bound (constant growing with E) decays like k^{s['proved_exponent']:g}, the E-free bound of the "
            f"seed's shape like λ_k = k^{-result['s']:g}, the seed's candidate k^{s['seed_exponent']:g}.")


def claims(result: dict[str, Any]) -> list[dict]:
    """None of its own: Theorem 1's verdicts rest on Lean (``thm1-*`` in :mod:`.sec_lean`)."""
    return []
