"""The paper's §5.1 synthetic benchmark and §5.3 transition scan; plain dicts for the report.

Both take ``quick`` (<= 20 s on 2 CPU cores) or not (<= 2 min), a device and an integer seed.  Every run's
class triple comes from :mod:`.identify`; when a run's record is too short for the requested precision the
row carries the :class:`InputError` message instead of numbers (never a NaN).  Expected boundaries come from
``theory/`` at call time (:mod:`.expected`); if theory is unavailable the row says so.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import numpy as np
import torch

from spectral_universality.errors import InputError, SpectralUniversalityError
from spectral_universality.numerics import expected
from spectral_universality.numerics.identify import ClassTriple, identify_from_stats, same_class
from spectral_universality.numerics.quadratic import ModeStats, pick_device, power_law_spectrum, simulate_quadratic
from spectral_universality.numerics.strided import one_step_system, stationary_covariance
from spectral_universality.numerics.teacher_student import train_linear_attention, train_teacher_student

PLANTED_S = (1.0, 1.5, 2.0, 3.0)


def _row(model: str, optimizer: str, s: float, fit: Any) -> dict:
    if isinstance(fit, SpectralUniversalityError):
        return {"model": model, "optimizer": optimizer, "s": s, "error": str(fit)}
    return {"model": model, "optimizer": optimizer, "s": s, "s_hat": fit.s_hat, "s_hat_se": fit.s_hat_se,
            "eta_hat": fit.eta_hat, "mode_range": list(fit.mode_range), "energies": fit.energies.tolist(),
            "gamma_hat": fit.gamma_hat.tolist()}


def _fit(stats, eigvals, max_rel_se: float) -> ClassTriple | SpectralUniversalityError:
    try:
        return identify_from_stats(stats, eigvals=eigvals, max_rel_se=max_rel_se)
    except InputError as exc:
        return exc


def _clustering(fits: dict[tuple[str, float], ClassTriple], level: float) -> dict:
    """Fractions of run pairs judged 'same class' (z-test at ``level``): same s vs same optimizer."""
    same_s, same_opt = [], []
    for (a, fa), (b, fb) in itertools.combinations(fits.items(), 2):
        same = same_class(fa, fb, level).same
        if a[1] == b[1] and a[0] != b[0]:
            same_s.append(same)
        elif a[0] == b[0] and a[1] != b[1]:
            same_opt.append(same)
    frac = lambda xs: (float(np.mean(xs)) if xs else None)  # noqa: E731
    return {"level": level, "same_s_pairs": len(same_s), "same_s_judged_same": frac(same_s),
            "same_optimizer_pairs": len(same_opt), "same_optimizer_judged_same": frac(same_opt),
            "prediction_holds": bool(same_s) and frac(same_s) == 1.0 and (frac(same_opt) or 0.0) == 0.0}


def _single_threaded(fn):
    """Run ``fn`` with ``torch.set_num_threads(1)`` (restored after).

    These experiments move tensors of <= 1e4 elements per op, where OpenMP fork/join dominates; measured on the
    loaded 2-core machine: benchmark_5_1(quick) took 183 s with 2 threads and 27 s with 1.
    """
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return fn(*args, **kwargs)
        finally:
            torch.set_num_threads(before)

    return wrapper


@_single_threaded
def benchmark_5_1(quick: bool = True, device: str | None = None, seed: int = 0) -> dict:
    """§5.1: planted s in {1, 1.5, 2, 3} x {SGD, Adam, linear attention}; does s_hat cluster by s?

    Three families: (i) the §9 quadratic with isotropic additive noise (SGD, Adam, noise-dominated Adam),
    (ii) teacher-student regression with minibatch sampling noise (SGD, Adam via torch.optim), (iii) linear
    attention on in-context regression (SGD via torch.optim).  Returns ``rows`` (one per run: s_hat +- se,
    energies for plots), ``clustering`` per family (pairwise class tests), ``config`` and ``seconds``.
    """
    dev = pick_device(device)
    t0 = time.perf_counter()
    cfg = dict(quad_modes=32, quad_seeds=16, quad_steps=3000 if quick else 20000, ts_d=16 if quick else 32,
               ts_seeds=8 if quick else 16, ts_steps=2500 if quick else 15000, attn_d=8,
               attn_steps=1500 if quick else 8000, max_rel_se=0.2, level=1e-3)
    gen = torch.Generator(device=dev).manual_seed(seed)
    rows: list[dict] = []
    clustering: dict[str, dict] = {}

    fits: dict = {}
    timing: dict[str, float] = {}
    # the planted spectra side by side as one mode vector: modes are independent, so one run serves all s
    m = cfg["quad_modes"]
    lam = torch.cat([power_law_spectrum(m, s, dtype=torch.float64, device=dev) for s in PLANTED_S])
    a, q = one_step_system("adam-noise", lam, 0.05, 1.0)
    start = torch.randn(cfg["quad_seeds"], lam.numel(), generator=gen, dtype=torch.float64, device=dev)
    start = start * stationary_covariance(a, q)[:, 0, 0].sqrt()
    # Adam with beta1 = 0.9 smooths c_t, so its lag-1 autocorrelation overstates the AR(1) time: kept to show
    # it; beta1 = 0 is the paper's section 9 Adam model.
    for label, opt, alpha, extra in (("sgd", "sgd", 0.2, {}), ("adam", "adam", 0.05, {}),
                                     ("adam(beta1=0)", "adam", 0.05, {"beta1": 0.0}),
                                     ("adam-noise", "adam-noise", 0.05, {})):
        t1 = time.perf_counter()
        theta0 = start * (2.0 if opt == "sgd" else 1.0)  # SGD's stationary scale: (alpha_sgd/alpha_tilde)^(1/2)
        res = simulate_quadratic(opt, lam, alpha=alpha, sigma=1.0, steps=cfg["quad_steps"], seeds=cfg["quad_seeds"],
                                 generator=gen, theta0=theta0, burn_in=cfg["quad_steps"] // 10, **extra)
        for i, s in enumerate(PLANTED_S):
            block = slice(i * m, (i + 1) * m)
            stats = ModeStats(sum_sq=res.stats.sum_sq[:, block], sum_lag=res.stats.sum_lag[:, block],
                              n_samples=res.stats.n_samples, seeds=res.stats.seeds)
            fit = _fit(stats, lam[block], cfg["max_rel_se"])
            rows.append(_row("quadratic", label, s, fit))
            if isinstance(fit, ClassTriple):
                fits[(label, s)] = fit
        timing[f"quadratic/{label}"] = time.perf_counter() - t1
    clustering["quadratic"] = _clustering(fits, cfg["level"])

    fits = {}
    n = cfg["ts_seeds"]
    lam = torch.stack([power_law_spectrum(cfg["ts_d"], s, device=dev) for s in PLANTED_S for _ in range(n)])
    for opt, alpha in (("sgd", 0.3), ("adam", 0.05)):
        t1 = time.perf_counter()
        out = train_teacher_student(lam, optimizer=opt, alpha=alpha, batch=8, steps=cfg["ts_steps"],
                                    burn_in=cfg["ts_steps"] // 5, generator=gen)
        for i, s in enumerate(PLANTED_S):
            fit = _fit(out["moments"].stats(slice(i * n, (i + 1) * n)), out["eigvals"][i * n], cfg["max_rel_se"])
            rows.append(_row("teacher-student", opt, s, fit))
            if isinstance(fit, ClassTriple):
                fits[(opt, s)] = fit
        timing[f"teacher-student/{opt}"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    attn_lam = lam[:, : cfg["attn_d"]].contiguous()
    out = train_linear_attention(attn_lam, optimizer="sgd", alpha=0.5, batch=4, context=16,
                                 steps=cfg["attn_steps"], burn_in=cfg["attn_steps"] // 5, generator=gen)
    for i, s in enumerate(PLANTED_S):
        fit = _fit(out["moments"].stats(slice(i * n, (i + 1) * n), center=True), out["eigvals"][i * n],
                   cfg["max_rel_se"])
        rows.append(_row("linear-attention", "sgd", s, fit))
        if isinstance(fit, ClassTriple):
            fits[("attention-sgd", s)] = fit
    timing["linear-attention/sgd"] = time.perf_counter() - t1
    clustering["parametric"] = _clustering(fits, cfg["level"])
    return {"rows": rows, "clustering": clustering, "config": cfg, "seconds": time.perf_counter() - t0,
            "timing": timing, "device": str(dev), "seed": seed}


def _theory_stable(optimizer: str, lam: float, alpha: float, **params: float) -> bool | str:
    """Stability of the mode per theory's contraction factor (< 1), or the reason theory is unavailable."""
    try:
        return bool(float(expected.contraction(optimizer, np.array([lam]), alpha=alpha, **params)[0]) < 1)
    except (ImportError, AttributeError, InputError, TypeError) as exc:
        return f"theory unavailable: {type(exc).__name__}: {exc}"


def _divergence_scan(alphas: np.ndarray, optimizer: str, steps: int, gen: torch.Generator, dev, mu: float) -> dict:
    lam = torch.tensor([1.0, 0.5, 0.25], dtype=torch.float64, device=dev)
    observed, predicted = [], []
    for alpha in alphas:
        res = simulate_quadratic(optimizer, lam, alpha=float(alpha), sigma=1.0, steps=steps, seeds=8, generator=gen,
                                 theta0=1.0, mu=mu)
        final = res.theta.abs().amax()
        observed.append(bool(~torch.isfinite(final) | (final > 1e6)))
        predicted.append(_theory_stable(optimizer, 1.0, float(alpha), mu=mu, sigma=1.0))
    first_div = next((float(a) for a, d in zip(alphas, observed) if d), None)
    pred_flags = [(not p) if isinstance(p, bool) else None for p in predicted]
    first_pred = next((float(a) for a, d in zip(alphas, pred_flags) if d), None)
    return {"optimizer": optimizer, "mu": mu, "alphas": alphas.tolist(), "diverged": observed,
            "theory_diverges": pred_flags, "theory_note": next((p for p in predicted if isinstance(p, str)), None),
            "observed_alpha_crit": first_div, "theory_alpha_crit": first_pred}


@_single_threaded
def transition_scan_5_3(quick: bool = True, device: str | None = None, seed: int = 0) -> dict:
    """§5.3: sweep learning rate x batch size (noise level) and locate class changes.

    * divergence: quadratic SGD / heavy ball, ``alpha`` grid across ``alpha lam_max = 2`` (``2 (1 + mu)``),
      observed first divergent ``alpha`` vs theory's contraction factor crossing 1;
    * batch size: teacher-student SGD divergence threshold per batch size ``B`` (multiplicative noise lowers it
      below the additive model's ``2/lam_max``);
    * Adam noise-/signal-dominated: Adam on the quadratic for a grid of ``sigma`` (``sigma^2 ~ 1/B``), s_hat
      compared with the noise-dominated model's by the class test; theory's signal-to-noise ratio
      ``r = lam_1^2 e_1* / sigma^2`` of its Adam steady state (boundary r ~ 1);
    * Marchenko-Pastur edge: teacher-student with ``n`` samples for ``p`` features: number of contracting modes
      ``k*`` (``gamma_hat > 1e-9``) vs ``min(n, p)`` (edge fraction ``k*/p`` vs ``n/p``).
    """
    dev = pick_device(device)
    t0 = time.perf_counter()
    gen = torch.Generator(device=dev).manual_seed(seed)
    out: dict[str, Any] = {"device": str(dev), "seed": seed}
    grid = np.round(np.arange(1.7, 2.31, 0.1 if quick else 0.05), 4)
    out["divergence"] = [_divergence_scan(grid, "sgd", 400, gen, dev, 0.0),
                         _divergence_scan(np.round(grid * 1.9, 4), "momentum", 400, gen, dev, 0.9)]

    batches = [1, 4, 16] if quick else [1, 2, 4, 8, 16, 64]
    alphas = np.round(np.linspace(0.2, 2.2, 11 if quick else 21), 4)
    d = 16
    lam1 = power_law_spectrum(d, 1.0, device=dev)
    bs_rows = []
    reps = 4
    scale = torch.tensor(np.repeat(alphas, reps), dtype=torch.float64, device=dev)
    for b in batches:
        res = train_teacher_student(lam1[None].expand(scale.numel(), d).contiguous(), optimizer="sgd", alpha=1.0,
                                    batch=b, steps=300, burn_in=0, generator=gen, row_lr_scale=scale)
        div = res["diverged"].reshape(len(alphas), reps).any(1).tolist()
        bs_rows.append({"batch": b, "alphas": alphas.tolist(), "diverged": div,
                        "observed_alpha_crit": next((float(a) for a, x in zip(alphas, div) if x), None)})
    out["batch_divergence"] = {"rows": bs_rows, "additive_model_alpha_crit": 2.0 / float(lam1[0])}

    sigmas = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0] if quick else list(np.round(np.logspace(-2.5, 0.5, 10), 5))
    lam = power_law_spectrum(32, 1.5, dtype=torch.float64, device=dev)
    alpha = 0.05
    steps = 1500 if quick else 8000
    adam_rows = []
    for sig in sigmas:
        fits: dict[str, Any] = {}
        for opt in ("adam", "adam-noise"):
            # beta1 = 0: the section 9 Adam model (with beta1 = 0.9 the lag-1 AR(1) s.e. model does not apply)
            res = simulate_quadratic(opt, lam, alpha=alpha, sigma=sig, steps=steps, seeds=16, generator=gen,
                                     burn_in=steps // 2, beta1=0.0)
            energies = res.stats.energies()
            if not bool(torch.isfinite(energies).all()) or float(energies.max()) > 1e12:
                fits[opt] = InputError(f"{opt} diverged (alpha/sigma * lam_1 = {alpha / sig:.3g})")
            else:
                fits[opt] = _fit(res.stats, lam, 0.2)
        row = {"sigma": sig, **{f"{k}_s_hat": (v.s_hat if isinstance(v, ClassTriple) else str(v)) for k, v in fits.items()}}
        if all(isinstance(v, ClassTriple) for v in fits.values()):
            cmp = same_class(fits["adam"], fits["adam-noise"], 1e-3)
            row.update(same_class=cmp.same, z=cmp.z, energy_ratio_mode1=float(fits["adam"].energies[0] / fits["adam-noise"].energies[0]))
        try:  # theory's Adam steady state: r = lam^2 e* / sigma^2 at lam_1 = 1 (noise-dominated iff r << 1)
            row["theory_signal_to_noise"] = float(expected.evaluate_form("adam", "signal_to_noise", alpha=alpha,
                                                                         sigma=sig, lam=1.0))
            e_adam, e_noise = (float(expected.steady_energy(o, np.array([1.0]), alpha=alpha, sigma=sig)[0])
                               for o in ("adam", "adam-noise"))
            row["theory_energy_ratio_mode1"] = e_adam / e_noise if e_noise > 0 else None
        except (ImportError, AttributeError, InputError, TypeError) as exc:
            row["theory_signal_to_noise"] = f"theory unavailable: {type(exc).__name__}: {exc}"
        adam_rows.append(row)
    out["adam_noise_signal"] = adam_rows

    p = 32
    mp_rows = []
    lam_mp = power_law_spectrum(p, 1.0, device=dev)
    for n_samples in ([8, 16, 24, 48] if quick else [4, 8, 12, 16, 20, 24, 28, 48, 96]):
        steps_mp = 1500 if quick else 6000
        res = train_teacher_student(lam_mp[None].expand(8, p).contiguous(), optimizer="sgd", alpha=0.2, batch=4,
                                    steps=steps_mp, burn_in=200, generator=gen, n=n_samples)
        st = res["moments"].stats(slice(0, 8))
        gamma = 1 - st.lag_autocorrelation().numpy() ** 2
        # the run starts at the population teacher and relaxes to the empirical minimiser: a mode with curvature
        # contracts (gamma_hat > 0); a null-space mode never moves (rho_hat = 1 to rounding)
        contracting = int(np.sum(gamma > 1e-9))
        mp_rows.append({"n": n_samples, "p": p, "k_star_observed": contracting, "edge_fraction_observed": contracting / p,
                        "edge_fraction_mp": min(n_samples, p) / p, "nonzero_eigvals": int((res["eigvals"][0] > 1e-10).sum())})
    out["marchenko_pastur"] = mp_rows
    out["seconds"] = time.perf_counter() - t0
    return out


def summarize_5_1(result: dict) -> str:
    """Text table of a :func:`benchmark_5_1` result."""
    lines = [f"{'model':<17}{'optimizer':<12}{'s':>5}  {'s_hat':>8} {'se':>7}  {'modes':>8}  eta_hat"]
    for r in result["rows"]:
        if "error" in r:
            lines.append(f"{r['model']:<17}{r['optimizer']:<12}{r['s']:>5}  not identifiable: {r['error'][:70]}")
        else:
            eta = "None" if r["eta_hat"] is None else f"{r['eta_hat']:.3g}"
            lines.append(f"{r['model']:<17}{r['optimizer']:<12}{r['s']:>5}  {r['s_hat']:>8.3f} {r['s_hat_se']:>7.3f}  "
                         f"{str(tuple(r['mode_range'])):>8}  {eta}")
    for fam, c in result["clustering"].items():
        lines.append(f"clustering[{fam}]: same-s pairs judged same {c['same_s_judged_same']}, same-optimizer "
                     f"pairs judged same {c['same_optimizer_judged_same']} (level {c['level']})")
    return "\n".join(lines)

