"""Seed 003 (spectral alignment of SGD): does online SGD move into the outlier eigenspaces of the Hessian and
the G-matrix, per layer, also when it ends at a sub-optimal classifier?

Two settings: the k-class Gaussian mixture with a softmax layer, and the XOR mixture with a two-layer ReLU
network over several seeds (some end sub-optimal).  Numbers from :mod:`spectral_universality.numerics.alignment`,
the ``W = 0`` reference values from :mod:`spectral_universality.theory.alignment`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

#: Alignment level at which a run counts as aligned (the seed's claim is alignment -> 1 as snr -> oo; at the
#: finite snr used here the measured values are either above 0.9 or far below it, see the evidence).
ALIGNED = 0.9
#: An aligned run must also beat the alignment of a random vector with the same subspace, sqrt(r/n), this much.
BASELINE_FACTOR = 3.0
#: The lower signal strength at which the best XOR seed is rerun (the main runs use run_xor's default).
LOW_SNR = 10.0


def _sizes(quick: bool) -> dict[str, Any]:
    if quick:
        return {"gmm": {"d": 100, "n_test": 1000, "n_checkpoints": 4}, "xor": {"n_checkpoints": 3}, "xor_seeds": 3,
                "scan_snr": [10.0, 40.0], "scan_d": [25, 50, 100]}
    return {"gmm": {"d": 200, "n_test": 2000, "n_checkpoints": 7}, "xor": {"n_checkpoints": 5}, "xor_seeds": 6,
            "scan_snr": [5.0, 10.0, 20.0, 40.0], "scan_d": [50, 100, 200]}


def _scan(seed: int, device: str, points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Final alignments of k-GMM runs (test batch 10 d, one checkpoint at the end) at the given ``d``/``snr``."""
    from ..numerics.alignment import run_gmm

    out = []
    for p in points:
        e = run_gmm(seed=seed, device=device, n_test=10 * p["d"], n_checkpoints=1, **p)["log"][-1]
        out.append({**p, "hessian": e["hessian"]["alignment"], "g": e["g"]["alignment"],
                    "count": e["hessian"]["count"], "accuracy": e["accuracy"]})
    return out


def _strip(log: list[dict]) -> list[dict]:
    """Checkpoint records with numpy spectra turned into lists (the result is JSON data)."""
    def conv(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        if hasattr(x, "tolist"):
            return x.tolist()
        return x
    return [conv(e) for e in log]


def stage(ctx: Any) -> dict[str, Any]:
    """Run the GMM experiment and the XOR seeds; pick the first optimal and first sub-optimal XOR run."""
    import numpy as np
    import torch

    from ..linkcheck import z_critical
    from ..numerics.fit import power_law_fit
    from ..numerics.alignment import run_gmm, run_xor
    from ..theory.alignment import softmax_zero_values

    torch.manual_seed(ctx.seed)
    size = _sizes(ctx.quick)
    gmm = run_gmm(seed=ctx.seed, device=ctx.device, **size["gmm"])
    gmm["log"] = _strip(gmm["log"])
    theory = softmax_zero_values(gmm["k"], gmm["snr"], gmm["d"] / gmm["n_test"])
    runs = []
    for i in range(size["xor_seeds"]):
        r = run_xor(seed=1000 * ctx.seed + i, device=ctx.device, **size["xor"])
        r["log"] = _strip(r["log"])
        runs.append(r)
    acc = [r["log"][-1]["accuracy"] for r in runs]
    n = runs[0]["n_test"]
    best = max(range(len(runs)), key=lambda i: acc[i])
    z = z_critical()
    # sub-optimal: final accuracy below the best run's by more than z standard errors (two binomial estimates)
    sub = [i for i in range(len(runs))
           if acc[best] - acc[i] > z * math.sqrt((acc[best] * (1 - acc[best]) + acc[i] * (1 - acc[i])) / n)]
    optimal = [i for i in range(len(runs)) if i not in sub]
    scan_snr = _scan(ctx.seed, ctx.device, [{"d": 100, "snr": v} for v in size["scan_snr"]])
    scan_d = _scan(ctx.seed, ctx.device, [{"d": v, "snr": 10.0} for v in size["scan_d"]])
    # the same best seed at a lower snr: the first layer's alignment is a large-snr statement
    low = run_xor(seed=runs[best]["seed"], device=ctx.device, snr=LOW_SNR, n_checkpoints=1)
    low["log"] = _strip(low["log"])
    k, d = gmm["k"], gmm["d"]
    end = gmm["log"][-1]
    summary = {
        "gmm_final_accuracy": end["accuracy"],
        "gmm_hessian_outliers": end["hessian"]["count"], "gmm_g_outliers": end["g"]["count"],
        "gmm_classes": k,
        "gmm_theory_hessian_outliers_at_0": theory["hessian_outlier_count"],
        "gmm_theory_g_outliers_at_0": theory["g_outlier_count"],
        "gmm_final_alignment_hessian": end["hessian"]["alignment"],
        "gmm_final_alignment_g": end["g"]["alignment"],
        "gmm_final_span_alignment": end["span_alignment"],
        "gmm_random_baseline_hessian": math.sqrt(end["hessian"]["count"] / (k * d)),
        "xor_accuracy": acc, "xor_optimal_runs": optimal, "xor_suboptimal_runs": sub,
        "xor_second_layer_outliers": [r["log"][-1]["second"]["hessian"]["count"] for r in runs],
        "xor_first_layer_alignment": [r["log"][-1]["first"]["hessian"]["alignment"] for r in runs],
        "xor_second_layer_alignment": [r["log"][-1]["second"]["hessian"]["alignment"] for r in runs],
        "xor_low_snr_first_layer_alignment": low["log"][-1]["first"]["hessian"]["alignment"],
    }
    summary["scan_snr_slope"] = power_law_fit([p["snr"] for p in scan_snr],
                                              [1 - p["hessian"] for p in scan_snr]).slope
    summary["scan_d_slope"] = power_law_fit([p["d"] for p in scan_d], [1 - p["hessian"] for p in scan_d]).slope
    return {"gmm": gmm, "theory_at_zero": theory, "scan_snr": scan_snr, "scan_d": scan_d, "xor": runs,
            "best": best, "optimal": optimal, "suboptimal": sub, "z": z, "xor_low_snr": low,
            "summary": summary}


def figure(result: dict[str, Any], path: Path) -> str | None:
    """2 x 2: GMM alignment vs step; XOR per-layer alignment (optimal vs sub-optimal); GMM Hessian spectrum
    at the end; XOR second-layer Hessian eigenvalues at the end."""
    import matplotlib.pyplot as plt
    import numpy as np

    gmm, runs = result["gmm"], result["xor"]
    fig, ax = plt.subplots(2, 2, figsize=(11, 8))
    steps = [e["step"] for e in gmm["log"]]
    for key, style in (("hessian", "-o"), ("g", "--s")):
        ax[0, 0].plot(steps, [e[key]["alignment"] for e in gmm["log"]], style, label=f"W vs {key} outliers")
        ax[0, 0].plot(steps, [e[key]["learned_alignment"] for e in gmm["log"]], style, alpha=0.5,
                      label=f"learned part vs {key} outliers")
    ax[0, 0].plot(steps, [e["span_alignment"] for e in gmm["log"]], ":k", label="W vs R^k x span(means)")
    ax[0, 0].set(title=f"k-GMM softmax (k={gmm['k']}, d={gmm['d']}, snr={gmm['snr']:g})", xlabel="SGD step",
                 ylabel="||P x|| / ||x||", ylim=(0, 1.02))
    ax[0, 0].legend(fontsize=7)
    picks = [("optimal", result["best"])] + ([("sub-optimal", result["suboptimal"][0])] if result["suboptimal"] else [])
    for (label, i), color in zip(picks, ("C0", "C3")):
        log = runs[i]["log"]
        s = [e["step"] for e in log]
        ax[0, 1].plot(s, [e["first"]["hessian"]["alignment"] for e in log], "-o", color=color,
                      label=f"{label} (seed {runs[i]['seed']}): layer 1 vs H outliers")
        ax[0, 1].plot(s, [e["first"]["span_alignment"] for e in log], ":", color=color,
                      label=f"{label}: layer 1 vs R^K x span(mu, nu)")
        ax[0, 1].plot(s, [e["second"]["hessian"]["alignment"] for e in log], "--s", color=color,
                      label=f"{label}: layer 2 vs H outliers")
        ax[0, 1].plot(s, [e["second"]["g"]["alignment"] for e in log], "-.^", color=color, alpha=0.6,
                      label=f"{label}: layer 2 vs G outliers")
    ax[0, 1].set(title=f"XOR two-layer (K={runs[0]['hidden']}, d={runs[0]['d']})", xlabel="SGD step",
                 ylim=(0, 1.02))
    ax[0, 1].legend(fontsize=6)
    spec = np.asarray(gmm["log"][-1]["hessian_spectrum"])
    spec = spec[spec > 1e-8 * spec.max()]
    ax[1, 0].hist(spec, bins=80, color="0.6")
    for v in gmm["log"][-1]["hessian"]["top"][:gmm["log"][-1]["hessian"]["count"]]:
        ax[1, 0].axvline(v, color="C3", lw=1)
    ax[1, 0].axvline(gmm["log"][-1]["hessian"]["edge"], color="k", ls=":", label="outlier cut")
    ax[1, 0].set(yscale="log", title="k-GMM Hessian spectrum at the end (nonzero part; red: outliers)",
                 xlabel="eigenvalue")
    ax[1, 0].legend(fontsize=7)
    for (label, i), color, off in zip(picks, ("C0", "C3"), (-0.1, 0.1)):
        top = np.asarray(runs[i]["log"][-1]["second"]["hessian_spectrum"])
        ax[1, 1].semilogy(np.arange(1, len(top) + 1) + off, np.clip(top, 1e-10, None), "o", color=color,
                          label=f"{label}: {runs[i]['log'][-1]['second']['hessian']['count']} outliers, "
                                f"acc {runs[i]['log'][-1]['accuracy']:.3f}")
    ax[1, 1].set(title="XOR second-layer Hessian eigenvalues at the end", xlabel="index")
    ax[1, 1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    sub = (f"the sub-optimal XOR run has {runs[picks[1][1]]['log'][-1]['second']['hessian']['count']} second-layer "
           f"outliers vs {runs[picks[0][1]]['log'][-1]['second']['hessian']['count']} for the optimal one"
           if len(picks) > 1 else "no XOR seed ended sub-optimal")
    return ("Seed 003: alignment of SGD with the Hessian/G-matrix outlier eigenspaces. Top left: k-GMM softmax; "
            "top right: XOR two-layer net per layer, optimal vs sub-optimal run; bottom: spectra at the end "
            f"(outliers vs bulk; {sub}).")


def claims(result: dict[str, Any]) -> list[dict]:
    """Seed 003's claims, judged from the measured numbers (the d-scaling check is reported, not judged)."""
    s, gmm, runs = result["summary"], result["gmm"], result["xor"]
    end = gmm["log"][-1]
    out = []
    a_h, a_g, base = end["hessian"]["alignment"], end["g"]["alignment"], s["gmm_random_baseline_hessian"]
    in_span = min(min(e["hessian"]["in_span"], e["g"]["in_span"]) for e in gmm["log"])
    theory_overlap = result["theory_at_zero"]["hessian_overlap"]
    ok = min(a_h, a_g) >= ALIGNED and min(a_h, a_g) >= BASELINE_FACTOR * base and in_span >= ALIGNED
    out.append({
        "where": "seed 003, Mechanism 1 (k-GMM, one layer)",
        "claim": "SGD aligns with the outlier eigenspaces of the empirical Hessian and G-matrix, which lie in "
                 "the span of the data means",
        "verdict": "supported" if ok else "refuted",
        "evidence": (f"k={gmm['k']}, d={gmm['d']}, snr={gmm['snr']:g}, {gmm['steps']} steps: final "
                     f"||P_out W||/||W|| = {a_h:.3f} (Hessian, {end['hessian']['count']} outliers), {a_g:.3f} (G, "
                     f"{end['g']['count']} outliers) vs {gmm['log'][0]['hessian']['alignment']:.3f} at init and "
                     f"random-vector baseline {base:.3f}; min over checkpoints of the outlier space's fraction in "
                     f"R^k x span(means) {in_span:.3f} (theory at W=0: {theory_overlap:.3f}); "
                     f"outliers at W=0 predicted k(k-1) = {s['gmm_theory_hessian_outliers_at_0']:.0f} (Hessian), "
                     f"k = {s['gmm_theory_g_outliers_at_0']:.0f} (G); test accuracy {end['accuracy']:.3f}. "
                     f"Rule: aligned iff >= {ALIGNED} and >= {BASELINE_FACTOR} x baseline."),
    })
    b = runs[result["best"]]["log"][-1]
    first, second = b["first"], b["second"]
    l1, l2 = first["hessian"]["alignment"], second["hessian"]["alignment"]
    lo = result["xor_low_snr"]["log"][-1]["first"]
    lo_acc = result["xor_low_snr"]["log"][-1]["accuracy"]
    hidden, dim = runs[0]["hidden"], runs[0]["d"]
    base1 = math.sqrt(first["hessian"]["count"] / (hidden * dim))
    low_text = ("the per-layer statement holds here only at the larger snr, as the seed's asymptotics "
                "(snr -> oo) allow" if lo["hessian"]["alignment"] < ALIGNED else "it holds there too")
    verdict = "supported" if min(l1, l2) >= ALIGNED else "refuted"
    out.append({
        "where": "seed 003, Mechanism 2 (XOR, two layers)",
        "claim": "in the two-layer XOR network the alignment holds per layer: each layer's weights lie in the "
                 "outlier eigenspace of its own Hessian/G block",
        "verdict": verdict,
        "evidence": (f"best run (seed {runs[result['best']]['seed']}, accuracy {b['accuracy']:.3f}): layer 1 "
                     f"alignment with its {first['hessian']['count']} Hessian outliers {l1:.3f} (G: "
                     f"{first['g']['alignment']:.3f}; with the top-2K eigenspace "
                     f"{first['hessian']['top_alignment']:.3f}; random baseline {base1:.3f}); "
                     f"layer 1 vs R^K x span(mu, nu) {first['span_alignment']:.3f}, its outlier space's fraction "
                     f"in that span {first['hessian']['in_span']:.3f}; layer 2 alignment {l2:.3f} (G: "
                     f"{second['g']['alignment']:.3f}; random baseline sqrt(4/K) = "
                     f"{math.sqrt(4 / hidden):.3f}); snr = {runs[0]['snr']:g}. The same seed at "
                     f"snr = {LOW_SNR:g}: layer-1 alignment {lo['hessian']['alignment']:.3f} with its "
                     f"{lo['hessian']['count']} Hessian outliers (span alignment {lo['span_alignment']:.3f}, accuracy "
                     f"{lo_acc:.3f}): {low_text}."),
    })
    sd, ss = result["scan_d"], result["scan_snr"]
    out.append({
        "where": "seed 003, Next checks 1 (finite-dimension scaling)",
        "claim": "with the other parameters fixed, the alignment ratio improves as the dimension d grows",
        # one seed per point gives no standard error for the slopes, so no verdict is derived
        "verdict": "open",
        "evidence": (f"k-GMM at snr = 10, d = {[p['d'] for p in sd]}: 1 - alignment (Hessian) = "
                     f"{[round(1 - p['hessian'], 4) for p in sd]} (log-log slope in d {s['scan_d_slope']:.2f}); at "
                     f"d = 100, snr = {[p['snr'] for p in ss]}: 1 - alignment = "
                     f"{[round(1 - p['hessian'], 4) for p in ss]} (slope in snr {s['scan_snr_slope']:.2f}). One seed "
                     f"per point, so no verdict; the numbers point to a misalignment set by the signal strength "
                     f"(about 1/snr) rather than by d, i.e. alignment as a large-snr statement."),
    })
    if not result["suboptimal"]:
        out.append({"where": "seed 003, Mechanism 3 (sub-optimal classifiers)",
                    "claim": "at a sub-optimal classifier the outlier eigenspaces are rank-deficient and SGD aligns "
                             "with them", "verdict": "open",
                    "evidence": f"no XOR run among {len(runs)} seeds ended sub-optimal "
                                f"(accuracies {s['xor_accuracy']})"})
        return out
    sub = [runs[i]["log"][-1]["second"] for i in result["suboptimal"]]
    opt = [runs[i]["log"][-1]["second"] for i in result["optimal"]]
    deficient = all(e["hessian"]["count"] < 4 for e in sub)
    aligned = all(e["hessian"]["alignment"] >= ALIGNED for e in sub)
    full = all(e["hessian"]["count"] == 4 for e in opt)
    first_sub = [round(runs[i]["log"][-1]["first"]["hessian"]["alignment"], 3) for i in result["suboptimal"]]
    out.append({
        "where": "seed 003, Mechanism 3 (sub-optimal classifiers)",
        "claim": "when SGD ends at a sub-optimal classifier the (second-layer) outlier eigenspace has fewer "
                 "outliers than hidden classes (4) and SGD still aligns with it",
        "verdict": "supported" if deficient and aligned and full else "refuted",
        "evidence": (f"{len(runs)} XOR seeds, accuracies {[round(a, 3) for a in s['xor_accuracy']]}; sub-optimal "
                     f"(accuracy below the best by > {result['z']:.2f} binomial s.e.): runs {result['suboptimal']} "
                     f"with second-layer Hessian outlier counts {[e['hessian']['count'] for e in sub]} (G: "
                     f"{[e['g']['count'] for e in sub]}), second-layer alignments "
                     f"{[round(e['hessian']['alignment'], 3) for e in sub]} (random baseline sqrt(3/K) = "
                     f"{math.sqrt(3 / runs[0]['hidden']):.3f}), first-layer alignments {first_sub}; "
                     f"optimal runs {result['optimal']}: counts {[e['hessian']['count'] for e in opt]} (G: "
                     f"{[e['g']['count'] for e in opt]})."),
    })
    return out
