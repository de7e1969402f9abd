"""The paper's §5.2 on real data: Hessian spectra of small networks during training, and whether the §10 class
assignment of SGD and Adam trajectories agrees.

Per model (softmax regression, MLP, CNN, tiny ViT on the 8x8 digits) and optimizer (plain SGD, Adam), at each
checkpoint: top-``K`` eigenpairs of the Hessian of the training loss on a fixed evaluation batch (Lanczos on
HVPs); the last ``window`` iterates (a float32 ring buffer) projected on those eigenvectors and fed to
:func:`~spectral_universality.numerics.identify.identify_trajectory` (``center=True``: the iterates fluctuate
around a moving, non-zero point, not around 0); ``s_hat``, ``eta_hat``, ``gamma_hat``; the power-law fits
``lambda_k ~ k^-s_lambda`` and ``e_k ~ k^s_hat`` with their R^2 (real networks need not show a clean power law:
the R^2 says how far they are from one).  SGD vs Adam at the same checkpoint: ``same_class``.  At the last
checkpoint also: per-layer top eigenvalues, the top eigenvalues per mini-batch next to the full-batch value, and
an SLQ estimate of the spectral mass below 0 and near 0 (the bulk).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch
from torch import Tensor

from spectral_universality.errors import InputError

from .fit import LineFit, power_law_fit
from .hessian import HessianOperator, block_spectra, flat_params, hutch_plus_plus, lanczos, minibatch_spread, slq
from .models import TrajectoryWindow, build_model, digits_batches, make_optimizer, n_params, train_steps
from .real_data import load_digits
from .threads import torch_threads

LEVEL = 1e-3  # same_class false "different" rate

QUICK = {"models": {"linear": {}, "mlp": {"hidden": 32}}, "steps": 500, "checkpoints": 2, "window": 200,
         "k": 12, "eval_size": 256, "spread_batches": 4, "spread_k": 3, "block_k": 2}
FULL = {"models": {"linear": {}, "mlp": {"hidden": 64}, "cnn": {}, "vit": {"dim": 24}}, "steps": 1000,
        "checkpoints": 2, "window": 300, "k": 20, "eval_size": 384, "spread_batches": 4, "spread_k": 3,
        "block_k": 1}
LR = {"sgd": 0.05, "adam": 1e-3}
TOL = 1e-4  # Lanczos relative eigenvalue accuracy
BLOCK = 4  # block Lanczos: on small models a vmapped HVP of 4 vectors costs about as much as one HVP
BATCH = 32


def _mode_fit(y: np.ndarray, lo: int, hi: int) -> LineFit | None:
    """Power-law fit of ``y_k`` on the 1-based ``k`` over the modes ``[lo, hi)`` with ``y_k > 0``; None when fewer
    than 3 such modes remain (no R^2 to speak of)."""
    k = np.arange(lo + 1, hi + 1, dtype=np.float64)
    v = y[lo:hi]
    ok = v > 0
    return power_law_fit(k[ok], v[ok]) if ok.sum() >= 3 else None


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _detrend(window: np.ndarray) -> np.ndarray:
    """Remove each coordinate's least-squares line in time from ``window (T, d)``: the iterates still drift along
    the loss valley, and §10's energies and autocorrelations are those of the fluctuations about that drift."""
    t = np.arange(window.shape[0], dtype=np.float64)
    design = np.stack([np.ones_like(t), t - t.mean()], axis=1)
    coef, *_ = np.linalg.lstsq(design, window, rcond=None)
    return window - design @ coef


def _stationary_run(coords: np.ndarray, min_modes: int) -> tuple[int, int] | None:
    """Longest run of consecutive modes whose lag-1 autocorrelation is < 1 (``coords (T, K)``)."""
    c = coords - coords.mean(axis=0)
    rho = (c[1:] * c[:-1]).sum(axis=0) / np.maximum((c * c).sum(axis=0), 1e-300) * c.shape[0] / (c.shape[0] - 1)
    best, lo = None, None
    for k, ok in enumerate(list(rho < 1) + [False]):
        if ok and lo is None:
            lo = k
        elif not ok and lo is not None:
            if k - lo >= min_modes and (best is None or k - lo > best[1] - best[0]):
                best = (lo, k)
            lo = None
    return best


def _identify(window: Tensor, vecs: Tensor, lam: Tensor) -> dict[str, Any]:
    """§10 on the detrended window.  If the automatic mode range is empty (too few slow, well-sampled modes),
    refit on the longest run of stationary modes and say so (``auto_range_failed``); if there is none, the
    checkpoint is not identifiable (``s_hat`` None)."""
    from .identify import identify_trajectory

    theta = _detrend(window.double().numpy())
    v = vecs.double().cpu().numpy()
    lam_np = lam.double().cpu().numpy()
    eig = lam_np if np.all(lam_np > 0) else None
    out: dict[str, Any] = {"auto_range_failed": None, "identifiable": True}
    try:
        tri = identify_trajectory(theta, eigvecs=v, eigvals=eig, center=True)
    except InputError as exc:
        out["auto_range_failed"] = str(exc)
        run = _stationary_run(theta @ v, 5)
        if run is None:
            out.update({"identifiable": False, "s_hat": None, "s_hat_se": None, "eta_hat": None,
                        "eta_reason": "no run of >= 5 stationary modes", "gamma_hat": None, "energies": None,
                        "mode_range": None, "energy_fit_r2": None, "n_steps": int(theta.shape[0])})
            return out
        tri = identify_trajectory(theta, eigvecs=v, eigvals=eig, center=True, mode_range=run)
    lo, hi = tri.mode_range
    fit = _mode_fit(tri.energies, lo, hi)
    r2 = None if fit is None else fit.r2
    out.update({"s_hat": tri.s_hat, "s_hat_se": tri.s_hat_se, "eta_hat": _finite(tri.eta_hat),
                "eta_reason": tri.eta_reason, "gamma_hat": [float(g) for g in tri.gamma_hat],
                "energies": [float(e) for e in tri.energies], "mode_range": [lo, hi], "energy_fit_r2": _finite(r2),
                "n_steps": tri.n_steps})
    return out


def _evaluate(model, data, device) -> tuple[float, float]:
    with torch.no_grad():
        out = model(data.x_test.to(device))
        loss = torch.nn.functional.cross_entropy(out, data.y_test.to(device))
        acc = (out.argmax(dim=1).cpu() == data.y_test).double().mean()
    return float(loss), float(acc)


def _run(kind: str, sizes: dict, opt_name: str, data, cfg: dict, device: torch.device, seed: int) -> dict:
    model = build_model(kind, data.image_shape, data.n_classes, seed=seed, **sizes).to(device)
    opt = make_optimizer(opt_name, model.parameters(), LR[opt_name])
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    window = TrajectoryWindow(cfg["window"], n_params(model))
    xe, ye = data.x_train[:cfg["eval_size"]].to(device), data.y_train[:cfg["eval_size"]].to(device)
    chunks = list(zip(xe.chunk(cfg["spread_batches"]), ye.chunk(cfg["spread_batches"])))
    stops = [round(cfg["steps"] * (i + 1) / cfg["checkpoints"]) for i in range(cfg["checkpoints"])]
    ce = torch.nn.functional.cross_entropy
    gen = torch.Generator().manual_seed(seed + 2)
    checkpoints = []

    def record(step: int, _loss: float) -> None:
        window.push(flat_params(model, names))
        if step not in stops:
            return
        t0 = time.perf_counter()
        op = HessianOperator(model, ce, (xe, ye))
        eig = lanczos(op, min(cfg["k"], op.size), tol=TOL, block_size=BLOCK, generator=gen)
        lam = eig.eigenvalues.cpu()
        info = _identify(window.array(), eig.eigenvectors.cpu(), lam)
        pos = lam.double().numpy()
        lam_fit = _mode_fit(pos, 0, pos.size)
        test_loss, test_acc = _evaluate(model, data, device)
        ck = {"step": step, "train_loss_eval_batch": op.loss_value, "test_loss": test_loss, "test_acc": test_acc,
              "eigenvalues": lam.tolist(), "lanczos_converged": eig.converged, "lanczos_matvecs": eig.n_matvecs,
              "s_lambda": None if lam_fit is None else -lam_fit.slope,
              "s_lambda_r2": None if lam_fit is None else _finite(lam_fit.r2),
              "alpha_lambda1": LR[opt_name] * float(lam[0]) if opt_name == "sgd" else None,
              "trace_hutchpp": hutch_plus_plus(op, 24, generator=gen).__dict__, **info}
        if step == stops[-1]:
            spread = minibatch_spread(model, ce, chunks, cfg["spread_k"], full_batch=(xe, ye), tol=TOL,
                                      block_size=BLOCK, generator=gen)
            ck["minibatch_spread"] = {"per_batch": spread.per_batch.tolist(), "mean": spread.mean.tolist(),
                                      "std": spread.std.tolist(), "full_batch": spread.full_batch.tolist(),
                                      "batch_size": int(chunks[0][0].shape[0])}
            blocks = block_spectra(model, ce, (xe, ye), cfg["block_k"], tol=TOL, block_size=BLOCK, generator=gen)
            ck["per_layer_top"] = {name: r.eigenvalues.tolist() for name, r in blocks.items()}
            dens = slq(op, 4, min(30, op.size), generator=gen)
            scale = float(lam[0])
            ck["slq"] = {"probes": 4, "steps": min(30, op.size),
                         "negative_mass": float(dens.cdf(torch.tensor([-1e-3 * scale], dtype=dens.nodes.dtype))[0]),
                         "mass_below_1pct_of_top": float(dens.cdf(torch.tensor([1e-2 * scale], dtype=dens.nodes.dtype))[0]),
                         "mean_eigenvalue": float(dens.moment(1).mean())}
        ck["hessian_seconds"] = time.perf_counter() - t0
        checkpoints.append(ck)

    train_steps(model, opt, digits_batches(data, BATCH, torch.Generator().manual_seed(seed + 1), device),
                cfg["steps"], after_step=record)
    return {"model": kind, "optimizer": opt_name, "lr": LR[opt_name], "n_params": n_params(model),
            "checkpoints": checkpoints}


def _compare(a: dict, b: dict) -> dict:
    from .identify import ClassTriple, same_class

    def triple(ck: dict) -> ClassTriple:
        return ClassTriple(s_hat=ck["s_hat"], s_hat_se=ck["s_hat_se"], eta_hat=ck["eta_hat"],
                           gamma_hat=np.asarray(ck["gamma_hat"]), energies=np.asarray(ck["energies"]),
                           mode_range=tuple(ck["mode_range"]), n_steps=ck["n_steps"])

    out = []
    for ca, cb in zip(a["checkpoints"], b["checkpoints"]):
        if not (ca["identifiable"] and cb["identifiable"]):
            out.append({"step": ca["step"], "same_class": None, "z": None, "p_value": None,
                        "s_hat": [ca["s_hat"], cb["s_hat"]], "eta_ratio": None})
            continue
        cmp = same_class(triple(ca), triple(cb), LEVEL)
        out.append({"step": ca["step"], "same_class": bool(cmp.same), "z": cmp.z, "p_value": cmp.p_value,
                    "s_hat": [ca["s_hat"], cb["s_hat"]], "eta_ratio": _finite(cmp.eta_ratio)})
    return {"pair": [a["optimizer"], b["optimizer"]], "level": LEVEL, "per_checkpoint": out}


def benchmark_5_2(quick: bool = True, device: str | torch.device | None = None, seed: int = 0, *,
                  threads: int | None = None) -> dict:
    """Run the §5.2 benchmark on the digits data; plain-data result (JSON-ready).

    Parameters
    ----------
    quick : softmax regression and a small MLP (about 30 s on 2 CPU cores); else also the CNN and the tiny ViT
        (about 3 min). Both: 2 checkpoints.
    device : torch device (default: cuda if available, else cpu).
    seed : data split, initialisation and mini-batch order.
    threads : torch intra-op threads during the run (restored after); None leaves the setting alone.

    Returns
    -------
    dict with ``config``, ``runs`` (per model and optimizer: per-checkpoint spectra and class triples),
    ``comparisons`` (per model: SGD vs Adam ``same_class`` per checkpoint), ``summary`` and ``seconds``.
    """
    dev = torch.device(device) if device is not None else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    cfg = QUICK if quick else FULL
    t0 = time.perf_counter()
    with torch_threads(threads):
        data = load_digits(seed=seed)
        runs, comparisons = [], []
        for kind, sizes in cfg["models"].items():
            pair = [_run(kind, sizes, opt, data, cfg, dev, seed) for opt in ("sgd", "adam")]
            runs += pair
            comparisons.append({"model": kind, **_compare(*pair)})
    agree = [c["same_class"] for cmp in comparisons for c in cmp["per_checkpoint"] if c["same_class"] is not None]
    auto = [ck["auto_range_failed"] is None for r in runs for ck in r["checkpoints"]]
    r2 = [ck["energy_fit_r2"] for r in runs for ck in r["checkpoints"] if ck["energy_fit_r2"] is not None]
    summary = {"same_class_fraction": float(np.mean(agree)) if agree else None, "n_compared": len(agree),
               "auto_mode_range_fraction": float(np.mean(auto)) if auto else None,
               "median_energy_fit_r2": float(np.median(r2)) if r2 else None,
               "median_s_lambda_r2": float(np.median([ck["s_lambda_r2"] for r in runs for ck in r["checkpoints"]
                                                      if ck["s_lambda_r2"] is not None] or [np.nan]))}
    return {"config": {**cfg, "lr": LR, "batch_size": BATCH, "quick": quick,
                       "device": str(dev), "seed": seed, "data": "digits 8x8 (scikit-learn)",
                       "n_train": int(data.y_train.numel())},
            "runs": runs, "comparisons": comparisons, "summary": summary, "seconds": time.perf_counter() - t0}
