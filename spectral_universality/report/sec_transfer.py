"""Report section for companion seed 001: the spectral transfer identity ``s = alpha * gamma`` and the
participation-ratio bound ``PR <= zeta(s)^2 / zeta(2s)``.

Experiments: (1) a planted matrix-sensing layer whose Hessian block, gradient singular values and per-sample
singular values are exact power laws (the estimator must recover ``alpha``, ``gamma``, ``s = alpha gamma`` to a
derived rounding tolerance); (2) the same layer with ``sigma_k = exp(-k/4)`` (``h_k`` not a power law of
``sigma_k``: the premise fails and the product is predicted to be ``s rho^2``); (3) small networks on the 8x8 digits
after a few hundred optimizer steps, every weight matrix; (4) ``PR_n`` of ``k^-s`` against ``zeta(s)^2/zeta(2s)``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from ..numerics.threads import single_thread

if TYPE_CHECKING:
    from pathlib import Path

    from .context import Context

WHERE = "seed 001, abstract"
PLANTED = {"alpha": 1.5, "gamma": 0.8, "n": 16, "m": 20, "d": 24}
MISFIT_TAU = 4.0  # sigma_k = exp(-k / tau) in the premise-violating planted case
LANCZOS_TOL_PLANTED = 1e-10
LANCZOS_TOL_REAL = 1e-6
LR = {"sgd": 0.05, "adam": 1e-3}
BATCH = 32
QUICK = {"runs": [("mlp", {"hidden": 32}, "adam", 300)], "eval_size": 256}  # per-sample: the other images
FULL = {"runs": [("linear", {}, "adam", 600), ("mlp", {"hidden": 64}, "adam", 600), ("mlp", {"hidden": 64}, "sgd", 600),
                 ("cnn", {}, "adam", 400)], "eval_size": 384}
PR_GRID = {"s": [1.1, 1.5, 2.0, 3.0], "n": [2, 8, 64, 1024]}
#: "~2%" read as: median relative error at most twice the stated 2%.
CLAIMED_MEDIAN = 0.02
CLAIM_FACTOR = 2.0
#: a median over fewer layers is no "median error across layers": verdict open
MIN_LAYERS = 5
#: "effectively one direction": fewer than two effective directions.
ONE_DIRECTION_PR = 2.0


def _layer_row(res, **labels: Any) -> dict[str, Any]:
    row = dict(labels)
    row.update(res.to_dict())
    return row


def _planted(device: str, seed: int) -> dict[str, Any]:
    """Exact planted power laws and the premise-violating variant, with their expected values from theory."""
    import sympy
    import torch

    from ..numerics.diagnostics import Diagnostics
    from ..numerics.fit import exact_fit_tolerance
    from ..numerics.transfer import half_squared_error, planted_power_law, planted_problem
    from ..theory.transfer import ALPHA_C, GAMMA_R, S, misfit_product, planted_curvature_exponent, transfer_exponent

    gen = torch.Generator().manual_seed(seed)
    p = PLANTED
    prob = planted_power_law(p["alpha"], p["gamma"], p["n"], p["m"], p["d"], device=device, generator=gen)
    res = Diagnostics(prob.model, half_squared_error, prob.batch, dtype=torch.float64).transfer(
        "weight", lanczos_tol=LANCZOS_TOL_PLANTED, generator=gen)
    s_expected = float(transfer_exponent().subs({ALPHA_C: p["alpha"], GAMMA_R: p["gamma"]}))
    alpha_expected = float(planted_curvature_exponent().subs({S: s_expected, GAMMA_R: p["gamma"]}))
    # per-value error allowance: Lanczos's relative eigenvalue accuracy plus float64 products of condition number
    # lam_1/lam_n (1e3 ulps per product, generous for m*d = 480 dimensional dot products)
    eps = LANCZOS_TOL_PLANTED + 1e3 * float(np.finfo(np.float64).eps) * float(prob.lam[0] / prob.lam[-1])
    log_k = np.log(np.arange(1, p["n"] + 1, dtype=np.float64))
    tol = {"alpha": exact_fit_tolerance(np.log(prob.sigma), alpha_expected, eps),
           "gamma": exact_fit_tolerance(log_k, p["gamma"], eps),
           "s": exact_fit_tolerance(log_k, s_expected, eps)}
    tol["alpha_gamma"] = p["gamma"] * tol["alpha"] + alpha_expected * tol["gamma"]
    err = {"alpha": abs(res.alpha - alpha_expected), "gamma": abs(res.gamma - p["gamma"]),
           "s": abs(res.s - s_expected), "alpha_gamma": abs(res.alpha_gamma - s_expected)}
    exact = {"params": p, "expected": {"alpha": alpha_expected, "gamma": p["gamma"], "s": s_expected},
             "abs_error": err, "tolerance": tol, "recovered": bool(all(err[k] <= tol[k] for k in err)),
             "fit": _layer_row(res, model="planted", optimizer="-", layer="weight")}

    k = np.arange(1, p["n"] + 1, dtype=np.float64)
    lam, sigma = k**-s_expected, np.exp(-k / MISFIT_TAU)
    mis = planted_problem(lam, sigma, p["m"], p["d"], device=device, generator=gen)
    rm = Diagnostics(mis.model, half_squared_error, mis.batch, dtype=torch.float64).transfer(
        "weight", lanczos_tol=LANCZOS_TOL_PLANTED, generator=gen)
    rho2 = float(np.corrcoef(np.log(k), np.log(sigma))[0, 1] ** 2)
    predicted = float(misfit_product().subs({S: s_expected, sympy.Symbol("rho2", nonnegative=True): rho2}))
    tol_mis = tol["alpha_gamma"] + exact_fit_tolerance(np.log(sigma), rm.alpha, eps) * rm.gamma
    misfit = {"tau": MISFIT_TAU, "rho2": rho2, "predicted_alpha_gamma": predicted,
              "prediction_error": abs(rm.alpha_gamma - predicted), "prediction_tolerance": tol_mis,
              "identity_fails": bool(abs(rm.alpha_gamma - s_expected) > tol["alpha_gamma"]),
              "fit": _layer_row(rm, model="planted-misfit", optimizer="-", layer="weight")}
    return {"exact": exact, "misfit": misfit}


def _train(kind: str, sizes: dict, opt_name: str, steps: int, data, device: str, seed: int):
    import torch

    from ..numerics.models import build_model, digits_batches, make_optimizer, train_steps

    model = build_model(kind, data.image_shape, data.n_classes, seed=seed, **sizes).to(device)
    opt = make_optimizer(opt_name, model.parameters(), LR[opt_name])
    losses = train_steps(model, opt, digits_batches(data, BATCH, torch.Generator().manual_seed(seed + 1), device),
                         steps)
    return model, losses[-1]


def _gamma_on(model, criterion, batch, name: str, mode_range: tuple[int, int]) -> float:
    """gamma from the per-sample gradients of ``batch`` only, on the same modes (its dependence on N)."""
    import torch

    from ..numerics.transfer import decay_exponent, per_sample_gradients, singular_values

    lo, hi = mode_range
    sv = singular_values(per_sample_gradients(model, criterion, batch, name, dtype=torch.float64))
    return decay_exponent(sv[lo:hi].numpy(), np.arange(lo + 1, hi + 1, dtype=np.float64)).slope


def _real(cfg: dict, device: str, seed: int) -> list[dict[str, Any]]:
    """Every weight matrix of each trained model: alpha, s from HVPs / Lanczos on the first ``eval_size`` training
    images; gamma from per-sample gradients of all other training images (independent data), and again from the
    first half of those (``gamma_half``: how much gamma depends on the number of samples)."""
    import torch

    from ..errors import InputError
    from ..numerics.real_data import load_digits
    from ..numerics.diagnostics import Diagnostics
    from ..numerics.transfer import participation_ratio

    data = load_digits(seed=seed)
    n = cfg["eval_size"]
    n_ps = int(data.y_train.numel()) - n
    fit_batch = (data.x_train[:n].to(device), data.y_train[:n].to(device))
    ps_batch = (data.x_train[n:].to(device), data.y_train[n:].to(device))
    half = (ps_batch[0][:n_ps // 2], ps_batch[1][:n_ps // 2])
    ce = torch.nn.functional.cross_entropy
    rows = []
    for kind, sizes, opt_name, steps in cfg["runs"]:
        model, last_loss = _train(kind, sizes, opt_name, steps, data, device, seed)
        diag = Diagnostics(model, ce, fit_batch, dtype=torch.float64, seed=seed + 2)
        for name, p in model.named_parameters():
            if p.ndim < 2:
                continue
            labels = {"model": kind, "optimizer": opt_name, "steps": steps, "layer": name,
                      "shape": list(p.shape), "train_loss": last_loss, "n_fit": n, "n_per_sample": n_ps}
            try:
                res = diag.transfer(name, per_sample_batches=ps_batch, lanczos_tol=LANCZOS_TOL_REAL, block_size=4)
            except InputError as exc:  # e.g. fewer than 3 usable modes: record why, keep going
                rows.append({**labels, "error": str(exc)})
                continue
            row = _layer_row(res, **labels)
            row["pr_top"] = participation_ratio(res.lam[res.lam > 0])
            row["gamma_half"] = _gamma_on(model, ce, half, name, res.mode_range)
            row["n_per_sample_half"] = n_ps // 2
            rows.append(row)
    return rows


def _pr_grid() -> dict[str, Any]:
    from ..numerics.transfer import participation_bound_verdict, participation_ratio
    from ..theory.transfer import participation_limit, participation_ratio_n

    table = []
    for s in PR_GRID["s"]:
        sup = participation_limit(s)
        for n in PR_GRID["n"]:
            pr = participation_ratio(np.arange(1, n + 1, dtype=np.float64) ** -s)
            v = participation_bound_verdict(s, n, participation_limit)
            table.append({"s": s, "n": n, "pr": pr, "pr_closed_form": participation_ratio_n(s, n), "limit": sup,
                          "holds": bool(v.holds)})
    return {"table": table, "all_hold": all(r["holds"] for r in table)}


def _zeta_bound(s: float) -> float | None:
    from ..errors import HypothesisViolation
    from ..theory.transfer import participation_limit

    try:
        return participation_limit(s)
    except HypothesisViolation:
        return None


def stage(ctx: "Context") -> dict[str, Any]:
    """Planted cases, real layers, PR grid; ``summary`` holds the headline numbers."""
    cfg = QUICK if ctx.quick else FULL
    t0 = time.perf_counter()
    timings = {}
    with single_thread():
        planted = _planted(ctx.device, ctx.seed)
        timings["planted"] = time.perf_counter() - t0
        layers = _real(cfg, ctx.device, ctx.seed)
        timings["real"] = time.perf_counter() - t0 - timings["planted"]
    pr = _pr_grid()
    ok = [r for r in layers if "error" not in r]
    for r in ok:
        r["zeta_bound"] = _zeta_bound(r["s"])
    rel = [r["rel_error"] for r in ok]
    bounded = [r for r in ok if r["zeta_bound"] is not None]
    summary = {
        "planted_recovered": planted["exact"]["recovered"],
        "planted_rel_error": planted["exact"]["abs_error"]["alpha_gamma"] / planted["exact"]["expected"]["s"],
        "misfit_rel_error": planted["misfit"]["fit"]["rel_error"],
        "misfit_matches_s_rho2": bool(planted["misfit"]["prediction_error"]
                                      <= planted["misfit"]["prediction_tolerance"]),
        "n_layers": len(ok), "n_layers_failed": len(layers) - len(ok),
        "n_lanczos_unconverged": sum(not r["lanczos_converged"] for r in ok),
        "median_rel_error": float(np.median(rel)) if rel else None,
        "max_rel_error": float(np.max(rel)) if rel else None,
        # gamma from the mean gradient's own singular values instead (the other reading of "rank-decay")
        "median_rel_error_gamma_mean": float(np.median([abs(r["alpha"] * r["gamma_mean"] - r["s"]) / r["s"]
                                                        for r in ok])) if ok else None,
        "median_s": float(np.median([r["s"] for r in ok])) if ok else None,
        "median_alpha": float(np.median([r["alpha"] for r in ok])) if ok else None,
        "median_gamma": float(np.median([r["gamma"] for r in ok])) if ok else None,
        "median_gamma_half_over_gamma": float(np.median([r["gamma_half"] / r["gamma"] for r in ok])) if ok else None,
        "median_pr_top": float(np.median([r["pr_top"] for r in ok])) if ok else None,
        "n_layers_s_gt_1": len(bounded),
        "n_layers_pr_within_zeta_bound": sum(r["pr_top"] <= r["zeta_bound"] for r in bounded),
        "pr_grid_all_hold": pr["all_hold"],
        "seconds": time.perf_counter() - t0, "seconds_by_part": timings,
    }
    return {"config": {**cfg, "planted": PLANTED, "misfit_tau": MISFIT_TAU, "lr": LR, "batch": BATCH,
                       "lanczos_tol": {"planted": LANCZOS_TOL_PLANTED, "real": LANCZOS_TOL_REAL}},
            "planted": planted, "layers": layers, "pr_grid": pr, "summary": summary}


def figure(result: dict[str, Any], path: "Path") -> str | None:
    """Left: log h_k vs log sigma_k with the alpha fits; right: log lambda_k vs log k with the s fits."""
    import matplotlib.pyplot as plt

    rows = [result["planted"]["exact"]["fit"], result["planted"]["misfit"]["fit"]] + \
        [r for r in result["layers"] if "error" not in r]
    if not rows:
        return None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    cmap = plt.get_cmap("tab20")
    for i, r in enumerate(rows):
        lo, hi = r["mode_range"]
        sig, h, lam = (np.asarray(r[key], dtype=float)[lo:hi] for key in ("sigma", "h", "lam"))
        k = np.arange(lo + 1, lo + 1 + lam.size)
        label = f"{r['model']}/{r['optimizer']} {r['layer']}"
        c = cmap(i % 20)
        ok = h > 0
        ax1.plot(np.log(sig[ok]), np.log(h[ok]), "o", ms=3, color=c, alpha=0.7)
        xs = np.linspace(np.log(sig[ok]).min(), np.log(sig[ok]).max(), 2)
        ax1.plot(xs, r["alpha"] * xs + r["alpha_intercept"], "-", color=c, lw=1,
                 label=f"{label}: α={r['alpha']:.2f}")
        pos = lam > 0
        ax2.plot(np.log(k[pos]), np.log(lam[pos]), "o", ms=3, color=c, alpha=0.7)
        xk = np.log(k[pos][[0, -1]])
        ax2.plot(xk, -r["s"] * xk + r["s_intercept"], "-", color=c, lw=1,
                 label=f"{label}: s={r['s']:.2f}, αγ={r['alpha_gamma']:.2f}")
    ax1.set_xlabel("log σ_k (gradient singular value)")
    ax1.set_ylabel("log h_k (curvature along u_k v_kᵀ)")
    ax2.set_xlabel("log k")
    ax2.set_ylabel("log λ_k (layer Hessian, Lanczos)")
    for ax in (ax1, ax2):
        ax.legend(fontsize=6, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    s = result["summary"]
    med = "n/a" if s["median_rel_error"] is None else f"{100 * s['median_rel_error']:.1f}%"
    return (f"Spectral transfer identity per layer (planted, premise-violating planted, {s['n_layers']} digits "
            f"layers). Left: curvature h_k along gradient singular directions vs σ_k, slope α. Right: top Hessian-"
            f"block eigenvalues vs k, slope −s. Median |αγ−s|/s on the real layers: {med}.")


def claims(result: dict[str, Any]) -> list[dict]:
    """Verdicts derived from the measured numbers."""
    s = result["summary"]
    ex, mis = result["planted"]["exact"], result["planted"]["misfit"]
    out = []
    out.append({
        "where": WHERE,
        "claim": "The spectral transfer identity s = αγ is algebraic: when log h_k is affine in log σ_k and log σ_k "
                 "in log k, the fitted α·γ equals the Hessian decay exponent s",
        "verdict": ("supported" if ex["recovered"] and mis["identity_fails"] and s["misfit_matches_s_rho2"]
                    else "refuted"),
        "evidence": (f"planted layer (α={ex['params']['alpha']}, γ={ex['params']['gamma']}, n={ex['params']['n']}): "
                     f"|α̂−α|={ex['abs_error']['alpha']:.2g}, |γ̂−γ|={ex['abs_error']['gamma']:.2g}, "
                     f"|ŝ−s|={ex['abs_error']['s']:.2g}, |α̂γ̂−s|={ex['abs_error']['alpha_gamma']:.2g} "
                     f"(derived rounding tolerance {ex['tolerance']['alpha_gamma']:.2g}). Premise broken "
                     f"(σ_k=e^(−k/{mis['tau']:g})): α̂γ̂={mis['fit']['alpha_gamma']:.4f} "
                     f"vs s={ex['expected']['s']:.4f}, "
                     f"as predicted s·ρ²={mis['predicted_alpha_gamma']:.4f} (|diff| {mis['prediction_error']:.2g})"),
    })
    if s["median_rel_error"] is None:
        out.append({"where": WHERE, "claim": "α and γ fit on independent data recover s to ~2% median error",
                    "verdict": "open", "evidence": "no layer could be fitted"})
    else:
        ok = s["median_rel_error"] <= CLAIM_FACTOR * CLAIMED_MEDIAN
        enough = s["n_layers"] >= MIN_LAYERS
        rows = [r for r in result["layers"] if "error" not in r]
        per = "; ".join(f"{r['model']}/{r['optimizer']} {r['layer']}: s={r['s']:.3f}±{r['s_se']:.3f}, "
                        f"αγ={r['alpha_gamma']:.3f}±{r['alpha_gamma_se']:.3f} ({100 * r['rel_error']:.1f}%)"
                        for r in rows)
        out.append({
            "where": WHERE,
            "claim": "α (HVPs vs SVD) and γ (per-sample gradient SVD) fit on independent data recover s (Lanczos) "
                     "to ~2% median error",
            "verdict": ("supported" if ok else "refuted") if enough else "open",
            "evidence": (("" if enough else f"too few layers for a median (< {MIN_LAYERS}; run the full report). ") +
                         f"{s['n_layers']} weight matrices of small digits models (not the seed's 93 layers): median "
                         f"|αγ−s|/s = {100 * s['median_rel_error']:.1f}% (max {100 * s['max_rel_error']:.1f}%); "
                         f"criterion: ≤ {100 * CLAIM_FACTOR * CLAIMED_MEDIAN:.0f}% (twice the stated 2%). "
                         "With γ read "
                         f"from the mean gradient's singular values instead: median "
                         f"{100 * s['median_rel_error_gamma_mean']:.1f}%. γ is not settled in N: on half the "
                         f"per-sample images it is {s['median_gamma_half_over_gamma']:.2f}× larger (median). {per}"),
        })
    grid = result["pr_grid"]["table"]
    worst = max(grid, key=lambda r: r["pr"] / r["limit"])
    out.append({
        "where": WHERE,
        "claim": "For λ_k = k^(−s), s > 1: PR = (Σλ)²/Σλ² ≤ ζ(s)²/ζ(2s) (PR_n increases to it)",
        "verdict": "supported" if result["pr_grid"]["all_hold"] else "refuted",
        "evidence": (f"{len(grid)} points (s ∈ {PR_GRID['s']}, n ∈ {PR_GRID['n']}): "
                     "PR_(n−1) ≤ PR_n ≤ bound at all; "
                     f"largest PR_n/bound {worst['pr'] / worst['limit']:.4f} at s={worst['s']}, n={worst['n']}; "
                     "monotonicity: appending x ≤ min λ gives numerator x(2AB + x(B − A²)) ≥ 0"),
    })
    rows = [r for r in result["layers"] if "error" not in r]
    if rows:
        prs = [r["pr_top"] for r in rows]
        conc = float(np.median(prs)) < ONE_DIRECTION_PR
        enough = len(prs) >= MIN_LAYERS
        out.append({
            "where": WHERE, "claim": "Curvature concentrates onto effectively one direction per layer (PR ≈ 1)",
            "verdict": ("supported" if conc else "refuted") if enough else "open",
            "evidence": (("" if enough else f"too few layers (< {MIN_LAYERS}; run the full report). ") +
                         "PR of each layer's top-K positive Lanczos eigenvalues (a lower bound on the PR of the "
                         "block's positive spectrum, by the monotonicity above): "
                         f"median {float(np.median(prs)):.2f}, range "
                         f"[{min(prs):.2f}, {max(prs):.2f}] over {len(prs)} layers; "
                         f"criterion: median PR < {ONE_DIRECTION_PR:g}. "
                         f"Fitted s > 1 (where ζ(s)²/ζ(2s) is finite) in {s['n_layers_s_gt_1']} of {len(prs)} "
                         "layers, "
                         f"with top-K PR ≤ ζ(ŝ)²/ζ(2ŝ) in {s['n_layers_pr_within_zeta_bound']} of them"),
        })
    return out
