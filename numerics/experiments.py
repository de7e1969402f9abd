"""The paper's §5.1 synthetic benchmark and §5.3 transition scan; plain dicts for the report.

Both take ``quick`` (<= 20 s on 2 CPU cores) or not (<= 2 min), a device and an integer seed.  Every run's
class triple comes from :mod:`.identify`; when a run's record is too short for the requested precision the
row carries the :class:`InputError` message instead of numbers (never a NaN).  Expected boundaries come from
``theory/`` at call time (:mod:`.expected`); if theory is unavailable the row says so.
"""

from __future__ import annotations

import itertools
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from spectral_universality.errors import InputError, SpectralUniversalityError
from spectral_universality.numerics import expected
from spectral_universality.numerics.identify import ClassTriple, identify_from_stats, same_class
from spectral_universality.numerics.quadratic import ModeStats, pick_device, power_law_spectrum, simulate_quadratic
from spectral_universality.numerics.strided import one_step_system, stationary_covariance
from spectral_universality.numerics.teacher_student import train_linear_attention, train_teacher_student
from spectral_universality.numerics.threads import single_thread

PLANTED_S = (1.0, 1.5, 2.0, 3.0)


def _row(model: str, optimizer: str, s: float, fit: Any) -> dict:
    if isinstance(fit, SpectralUniversalityError):
        return {"model": model, "optimizer": optimizer, "s": s, "error": str(fit)}
    return {"model": model, "optimizer": optimizer, "s": s, "s_hat": fit.s_hat, "s_hat_se": fit.s_hat_se,
            "eta_hat": fit.eta_hat, "mode_range": list(fit.mode_range), "energies": fit.energies.tolist(),
            "gamma_hat": fit.gamma_hat.tolist()}


def mode_block(stats: ModeStats, block: slice) -> ModeStats:
    """The statistics of the modes in ``block`` alone, with everything the simulator accumulated for them.

    The lag-2 sums and the record's edge terms must come along: without them :mod:`.identify` falls back to a
    Yule-Walker AR(1) fit, which for a second-order recursion (Adam with ``beta1 = 0.9``, heavy ball) reads the
    smoothing of ``c_t`` as a slow contraction (eta_hat off by ``(1 + beta1)/(1 - beta1) = 19``).
    """
    def cut(x, dim: int = 1):
        return None if x is None else x.narrow(dim, block.start, block.stop - block.start)

    return ModeStats(sum_sq=cut(stats.sum_sq), sum_lag=cut(stats.sum_lag), n_samples=stats.n_samples,
                     seeds=stats.seeds, stride=stats.stride, sum_lag2=cut(stats.sum_lag2), head=cut(stats.head, 2),
                     tail=cut(stats.tail, 2))


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


#: The §5.1 quadratic runs: (label, optimizer, alpha, extra hyperparameters).  ``adam`` is torch's Adam with its
#: defaults (beta1 = 0.9), ``adam(beta1=0)`` the paper's section 9 Adam model, ``adam-noise`` its noise limit.
QUAD_RUNS: tuple[tuple[str, str, float, dict], ...] = (
    ("sgd", "sgd", 0.2, {}), ("adam", "adam", 0.05, {}), ("adam(beta1=0)", "adam", 0.05, {"beta1": 0.0}),
    ("adam-noise", "adam-noise", 0.05, {}))

#: Modes each §5.1 quadratic fit is sized to contain: identify's ``min_modes`` (5) plus 3.  The range ends at the
#: first mode whose *fitted* relative s.e. exceeds ``max_rel_se``; sizing the record so that only the 5th mode
#: meets it would lose the fit about half the time to the scatter of that fitted s.e.
QUAD_FIT_MODES = 8


def slow_amplitude_rate(label: str, lam: np.ndarray, alpha: float, sigma: float = 1.0) -> np.ndarray:
    """``1 - |z_slow|`` per mode from theory: the contraction per step of the slowest root of the mode's
    autoregression (SGD: ``1 - rho = alpha lam``; noise-dominated Adam, with or without ``beta1``: ``alpha_tilde lam``
    to leading order, theory's ``beta1_slow_contraction_rate``; Adam itself is taken at its noise limit)."""
    lam = np.asarray(lam, dtype=np.float64)
    if label == "sgd":
        return 1 - expected.evaluate_form("sgd", "lag1_autocorrelation", alpha=alpha, lam=lam)
    return expected.evaluate_form("adam-noise", "beta1_slow_contraction_rate", alpha=alpha, sigma=sigma, lam=lam)


def record_length(rate: float, replicas: int, max_rel_se: float) -> int:
    """Recorded steps ``T`` at which a mode whose slowest root is ``z = 1 - rate`` has relative energy s.e.
    ``max_rel_se``: ``sqrt(2 tau / (R T)) = max_rel_se`` with ``tau = (1 + z^2)/(1 - z^2)``, the integrated
    time of ``c^2`` when that root dominates (identify's s.e. model), so ``T = 2 tau / (R max_rel_se^2)``."""
    z2 = (1.0 - rate) ** 2
    tau = (1 + z2) / (1 - z2)
    return int(math.ceil(2 * tau / (replicas * max_rel_se**2)))


def quadratic_5_1(steps: int, seeds: int, modes: int, max_rel_se: float, generator: torch.Generator,
                  device: torch.device, planted: tuple[float, ...] = PLANTED_S,
                  runs: tuple[tuple[str, str, float, dict], ...] = QUAD_RUNS, fit_modes: int = QUAD_FIT_MODES,
                  max_steps: int | None = None) -> dict:
    """The §5.1 family on the §9 quadratic: one run per optimizer over all planted spectra side by side.

    Each run records ``max(steps, T_needed)`` steps, ``T_needed`` = :func:`record_length` of its slowest
    mode (mode ``fit_modes`` of the steepest planted spectrum, rate from :func:`slow_amplitude_rate`), capped at
    ``max_steps`` when given (a capped spectrum may then report "T too short").  Returns ``rows``, ``fits``
    (``(label, s) -> ClassTriple``), ``timing`` (s per run) and ``record`` (per run: the steps used, the derived
    need, and the cost in mode-steps).
    """
    rows: list[dict] = []
    fits: dict = {}
    timing: dict[str, float] = {}
    record: dict[str, dict] = {}
    lam = torch.cat([power_law_spectrum(modes, s, dtype=torch.float64, device=device) for s in planted])
    a, q = one_step_system("adam-noise", lam, 0.05, 1.0)
    start = torch.randn(seeds, lam.numel(), generator=generator, dtype=torch.float64, device=device)
    start = start * stationary_covariance(a, q)[:, 0, 0].sqrt()
    k_slow = min(fit_modes, modes)
    for label, opt, alpha, extra in runs:
        t1 = time.perf_counter()
        need = {s: record_length(float(slow_amplitude_rate(label, np.array([k_slow ** -s]), alpha)[0]), seeds,
                                 max_rel_se) for s in planted}
        t_run = max(steps, max(need.values()))
        if max_steps is not None:
            t_run = min(t_run, max(steps, max_steps))
        theta0 = start * (2.0 if opt == "sgd" else 1.0)  # SGD's stationary scale: (alpha_sgd/alpha_tilde)^(1/2)
        res = simulate_quadratic(opt, lam, alpha=alpha, sigma=1.0, steps=t_run, seeds=seeds,
                                 generator=generator, theta0=theta0, burn_in=t_run // 10, **extra)
        for i, s in enumerate(planted):
            block = slice(i * modes, (i + 1) * modes)
            fit = _fit(mode_block(res.stats, block), lam[block], max_rel_se)
            row = _row("quadratic", label, s, fit)
            row["steps"] = t_run
            if isinstance(fit, ClassTriple):
                row["ar_order"] = fit.ar_order
                fits[(label, s)] = fit
            rows.append(row)
        timing[label] = time.perf_counter() - t1
        record[label] = {"steps": t_run, "steps_needed": {str(s): n for s, n in need.items()},
                         "slowest_fitted_mode": k_slow, "mode_steps": (t_run + t_run // 10) * seeds * lam.numel(),
                         "seconds": round(timing[label], 2)}
    return {"rows": rows, "fits": fits, "timing": timing, "record": record}


@single_thread()
def benchmark_5_1(quick: bool = True, device: str | None = None, seed: int = 0) -> dict:
    """§5.1: planted s in {1, 1.5, 2, 3} x {SGD, Adam, linear attention}; does s_hat cluster by s?

    Three families: (i) the §9 quadratic with isotropic additive noise (SGD, Adam, noise-dominated Adam),
    (ii) teacher-student regression with minibatch sampling noise (SGD, Adam via torch.optim), (iii) linear
    attention on in-context regression (SGD via torch.optim).  Returns ``rows`` (one per run: s_hat +- se,
    energies for plots), ``clustering`` per family (pairwise class tests), ``config`` and ``seconds``, and
    ``discrete_profile_effect`` (:func:`discrete_profile_effect`).

    Record lengths of the quadratic family (full run): :func:`quadratic_5_1` sizes each run for its slowest
    fitted mode (mode 8 of ``lam_k = k^-3``); the Adam runs need 31 999 recorded steps there (SGD 7 999, so it
    keeps 20 000), i.e. 7.2e7 mode-steps per Adam run instead of 4.5e7, 2-4 s each on one core (measured).
    """
    dev = pick_device(device)
    t0 = time.perf_counter()
    cfg = dict(quad_modes=32, quad_seeds=16, quad_steps=3000 if quick else 20000, ts_d=16 if quick else 32,
               ts_seeds=8 if quick else 16, ts_steps=2500 if quick else 15000, attn_d=8,
               attn_steps=1500 if quick else 8000, max_rel_se=0.2, level=1e-3)
    gen = torch.Generator(device=dev).manual_seed(seed)
    rows: list[dict] = []
    clustering: dict[str, dict] = {}

    # full run: each optimizer's record is as long as its slowest fitted mode needs (quadratic_5_1); quick run:
    # capped at quad_steps, so the steepest spectra may report "T too short" there
    quad = quadratic_5_1(steps=cfg["quad_steps"], seeds=cfg["quad_seeds"], modes=cfg["quad_modes"],
                         max_rel_se=cfg["max_rel_se"], generator=gen, device=dev,
                         max_steps=cfg["quad_steps"] if quick else None)
    rows += quad["rows"]
    fits, timing = quad["fits"], {f"quadratic/{k}": v for k, v in quad["timing"].items()}
    cfg["quad_record"] = quad["record"]
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
    rates = {label: alpha for label, _, alpha, _ in QUAD_RUNS}
    try:
        effect = discrete_profile_effect(quad["rows"], rates["sgd"], rates["adam-noise"])
    except (ImportError, AttributeError, InputError, TypeError) as exc:
        effect = f"theory unavailable: {type(exc).__name__}: {exc}"
    return {"rows": rows, "clustering": clustering, "config": cfg, "seconds": time.perf_counter() - t0,
            "timing": timing, "device": str(dev), "seed": seed, "discrete_profile_effect": effect}


def _theory_adam_shift(lam: np.ndarray, s: float, alpha: float, sigma: float, mode_range: tuple[int, int]) -> dict:
    """Theory's difference ``s_hat(Adam) - s_hat(noise limit)`` over the modes Adam's fit used.

    Both from theory's continuous-time steady states: Adam's self-consistent ``e*(lam)`` (local exponent
    ``s 2(2x+1)/(3x+2)``, ``x = lam^2 e*/sigma^2``) and the noise limit ``alpha sigma/(2 lam)`` (exponent ``s``);
    the shift is the least-squares slope of ``log e*_Adam - log e*_noise`` on ``log k`` over ``mode_range``.
    """
    from spectral_universality.numerics.fit import line_fit

    lo, hi = mode_range
    k = np.arange(1, lam.size + 1, dtype=np.float64)[lo:hi]
    try:
        e_adam = expected.steady_energy("adam", lam[lo:hi], alpha=alpha, sigma=sigma)
        e_noise = expected.evaluate_form("adam", "noise_limit_steady_state", alpha=alpha, sigma=sigma, lam=lam[lo:hi])
        x = expected.evaluate_form("adam", "signal_to_noise", alpha=alpha, sigma=sigma, lam=lam[lo:hi])
        ratio = expected.evaluate_form("adam", "local_exponent_ratio_x", x=x)
    except (ImportError, AttributeError, InputError, TypeError) as exc:
        return {"theory_s_shift": f"theory unavailable: {type(exc).__name__}: {exc}"}
    return {"theory_s_shift": line_fit(np.log(k), np.log(e_adam / e_noise)).slope,
            "theory_x_fitted": [float(x.min()), float(x.max())],
            "theory_local_exponent_factor": [float(ratio.min()), float(ratio.max())], "planted_s": s}


def discrete_profile_effect(rows: list[dict], alpha: float, alpha_tilde: float, sigma: float = 1.0) -> list[dict]:
    """The size of the k-dependent factor between two class members' DISCRETE steady states on ``s_hat``.

    For each planted ``s``: the least-squares slope on ``log k`` of ``log(e*_SGD(alpha) / e*_SGD(alpha_tilde))``
    (theory's discrete steady states of SGD and noise-dominated Adam; their ratio is
    ``(alpha/alpha_tilde)(2 - alpha_tilde lam_k)/(2 - alpha lam_k)``) along ``lam_k = k^-s`` over the modes both
    §5.1 fits used (all modes where a fit is missing), beside the s.e. of the measured difference.
    """
    from spectral_universality.numerics.fit import line_fit

    out = []
    by = {(r["optimizer"], r["s"]): r for r in rows if r["model"] == "quadratic"}
    for s in sorted({r["s"] for r in by.values()}):
        a, b = by.get(("sgd", s), {}), by.get(("adam-noise", s), {})
        n = len(a.get("energies") or b.get("energies") or [])
        if n < 2:
            continue
        if "mode_range" in a and "mode_range" in b:
            lo, hi = max(a["mode_range"][0], b["mode_range"][0]), min(a["mode_range"][1], b["mode_range"][1])
        else:
            lo, hi = 0, n
        if hi - lo < 2:
            lo, hi = 0, n
        k = np.arange(1, n + 1, dtype=np.float64)[lo:hi]
        lam = k**-s
        ratio = (expected.steady_energy("sgd", lam, alpha=alpha, sigma=sigma)
                 / expected.steady_energy("adam-noise", lam, alpha=alpha_tilde, sigma=sigma))
        se = math.hypot(a["s_hat_se"], b["s_hat_se"]) if "s_hat_se" in a and "s_hat_se" in b else None
        out.append({"s": s, "mode_range": [lo, hi], "s_hat_shift": line_fit(np.log(k), np.log(ratio)).slope,
                    "ratio_first_last": [float(ratio[0]), float(ratio[-1])], "se_diff": se})
    return out


def divergence_sweep(grids: dict[str, np.ndarray], steps: int, device: torch.device, seed: int, mu: float = 0.9,
                     store_dir: str | Path | None = None) -> list[dict]:
    """The divergence scan of §5.3 through the sweep code (:mod:`.sweep`, local engine): SGD and heavy ball on
    ``lam_k = k^-1`` (8 modes, 8 seeds, batch 1), each over its own rate grid ``grids[optimizer]``.

    One sweep runs the union of the rate grids for both optimizers (a grid is a product); each row reports its own
    rates: observed divergence (the sweep's ``diverged`` status), theory's verdict at ``lam1`` (its conditions via
    ``derive(optimizer).validate``), the first diverging rate of each, and theory's boundary found numerically
    (:func:`.sweep.stability_boundary`).  Cells are stored in ``store_dir`` (a temporary directory when None), so a
    repeated report reuses them.
    """
    from .sweep import Grid, Settings, cell_key, run_sweep, stability_boundary
    from .sweep_store import STORE_NAME, SweepStore

    alphas = tuple(sorted({float(a) for g in grids.values() for a in g}))
    settings = Settings(seeds=8, modes=8, steps=steps, burn_in=0, mu=mu, seed=seed, device=str(device))
    grid = Grid(tuple(grids), (1.0,), alphas, "batch", (1,), settings)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(store_dir if store_dir is not None else tmp) / STORE_NAME
        with SweepStore(path) as store:
            run_sweep(grid, store, engine="local", progress=False)
            cells = {(c["config"]["optimizer"], c["config"]["alpha"]): c
                     for c in store.cells([cell_key(c) for c in grid.cells()])}
    rows = []
    for opt, g in grids.items():
        own = [cells[(opt, float(a))] for a in g]
        observed = [c["status"] == "diverged" for c in own]
        theory = [c["theory_stable"] is False for c in own]
        hyper = {"mu": mu} if opt == "momentum" else {}
        rows.append({"optimizer": opt, "mu": mu if opt == "momentum" else 0.0, "alphas": [float(a) for a in g],
                     "diverged": observed, "theory_diverges": theory, "theory_note": None,
                     "observed_alpha_crit": next((float(a) for a, d in zip(g, observed) if d), None),
                     "theory_alpha_crit": next((float(a) for a, d in zip(g, theory) if d), None),
                     "theory_boundary": stability_boundary(opt, settings.noise, settings.lam1, 2 * float(max(g)), hyper),
                     "statuses": [c["status"] for c in own]})
    return rows


@single_thread()
def transition_scan_5_3(quick: bool = True, device: str | None = None, seed: int = 0,
                        store_dir: str | Path | None = None) -> dict:
    """§5.3: sweep learning rate x batch size (noise level) and locate class changes.

    * divergence: quadratic SGD / heavy ball, ``alpha`` grid across ``alpha lam_max = 2`` (``2 (1 + mu)``),
      run as a sweep (:func:`divergence_sweep`, cells stored in ``store_dir``): observed first divergent
      ``alpha`` vs the first at which theory's stability conditions fail;
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
    out["divergence"] = divergence_sweep({"sgd": grid, "momentum": np.round(grid * 1.9, 4)}, 400, dev, seed,
                                         mu=0.9, store_dir=store_dir)

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
            # beta1 = 0: the section 9 Adam model, the one theory's Adam closed forms describe
            res = simulate_quadratic(opt, lam, alpha=alpha, sigma=sig, steps=steps, seeds=16, generator=gen,
                                     burn_in=steps // 2, beta1=0.0)
            energies = res.stats.energies()
            if not bool(torch.isfinite(energies).all()) or float(energies.max()) > 1e12:
                fits[opt] = InputError(f"{opt} diverged (alpha/sigma * lam_1 = {alpha / sig:.3g})")
            else:
                fits[opt] = _fit(res.stats, lam, 0.2)
        row = {"sigma": sig, **{f"{k}_s_hat": (v.s_hat if isinstance(v, ClassTriple) else str(v)) for k, v in fits.items()}}
        for k, v in fits.items():
            if isinstance(v, ClassTriple):
                row[f"{k}_s_hat_se"], row[f"{k}_mode_range"] = v.s_hat_se, list(v.mode_range)
        if all(isinstance(v, ClassTriple) for v in fits.values()):
            cmp = same_class(fits["adam"], fits["adam-noise"], 1e-3)
            row.update(same_class=cmp.same, z=cmp.z, se_diff=cmp.se_diff, s_diff=cmp.s_diff,
                       energy_ratio_mode1=float(fits["adam"].energies[0] / fits["adam-noise"].energies[0]))
            row.update(_theory_adam_shift(lam.cpu().numpy(), 1.5, alpha, sig, fits["adam"].mode_range))
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

