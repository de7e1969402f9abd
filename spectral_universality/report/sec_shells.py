"""Report section for companion seed 002 (spectral-shell dynamics): shell energies of MSE training, their
budget (dissipation, inter-shell flux, migration, residual) on closed-form cases and on a small network in
the rich and lazy regimes, and the seed's claims judged from these numbers.

Everything is deterministic (fixed seeds, float64), so verdicts compare measured numbers with thresholds
derived from float precision or from the predicted convergence order; no Monte-Carlo error is involved.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..numerics.fit import line_fit, power_law_fit

WHERE = "seed 002"
#: log2 of the error ratio per halving of the step must lie within this distance of the predicted order
ORDER_SLACK = 0.25
#: float-precision threshold for identities (relative to the energy scale of the run)
FLOAT_TOL = 1e3 * np.finfo(np.float64).eps


def _order(steps: list[float], errors: list[float]) -> float:
    """Fitted exponent p of ``error ~ step^p`` (least-squares slope in log-log)."""
    return power_law_fit(steps, errors).slope


def _planted(device: str, quick: bool) -> dict[str, Any]:
    """(b) planted rotating basis: GD budget (exact), flow budget order, flux against the closed form."""
    import torch

    from ..numerics.shells import ShellSpec, planted_rotation, shell_balance
    from ..theory.shells import planted_flow_numbers, planted_gd_numbers

    f64 = dict(dtype=torch.float64, device=device)
    gen = torch.Generator().manual_seed(11)
    g = torch.randn(6, 6, generator=gen, dtype=torch.float64).to(device)
    skew = 0.5 * (g - g.T)
    c0 = torch.randn(6, generator=gen, dtype=torch.float64).to(device)
    gd_res, gd_within = 0.0, 0.0
    for mu in ([4.0, 3.0, 1.5, 0.7, 0.3, 0.1], [4.0, 4.0, 4.0, 1.0, 1.0, 0.25]):  # the second is degenerate
        e, m = planted_rotation(torch.tensor(mu, **f64), skew, c0, 0.02, 100, "gd")
        bal = shell_balance(e, m, 0.02, ShellSpec(4.0, 2.0, 6), "gd")
        scale = float(bal.energies[0].sum())
        gd_res = max(gd_res, float(bal.residual.abs().max()) / scale)
        gd_within = max(gd_within, float(bal.within_shell().abs().max()) / scale)

    mu2, a, c2 = (3.0, 1.0), 0.6, (0.8, -1.3)
    skew2 = torch.tensor([[0.0, a], [-a, 0.0]], **f64)
    e, m = planted_rotation(torch.tensor(mu2, **f64), skew2, torch.tensor(c2, **f64), 0.05, 40, "gd")
    bal = shell_balance(e, m, 0.05, ShellSpec(3.0, 2.0, 2), "gd")
    th = planted_gd_numbers(*mu2, a, c2, 0.05, 40)
    gd_flux_err = float(np.abs(bal.flux[:, 0, 1].cpu().numpy() - th["flux01"]).max() / np.abs(th["flux01"]).max())

    horizon = 2.0
    dts = [0.04, 0.02, 0.01] + ([] if quick else [0.005])
    th_flow = planted_flow_numbers(*mu2, a, c2, np.array([horizon]))
    cum, flux_err, step = [], [], []
    for dt in dts:
        e, m = planted_rotation(torch.tensor(mu2, **f64), skew2, torch.tensor(c2, **f64), dt,
                                int(round(horizon / dt)), "flow")
        bal = shell_balance(e, m, dt, ShellSpec(3.0, 2.0, 2), "flow")
        cum.append(float(bal.residual.sum(0).abs().max()))
        flux_err.append(abs(float(bal.flux[:, 0, 1].sum()) - float(th_flow["flux01"][0])))
        step.append(float(bal.residual.abs().max()))
    return {"gd_relative_residual": gd_res, "gd_within_shell": gd_within, "gd_flux_rel_error": gd_flux_err,
            "flow_dt": dts, "flow_cumulative_residual": cum, "flow_flux_error": flux_err, "flow_step_residual": step,
            "flow_order_cumulative": _order(dts, cum), "flow_order_flux": _order(dts, flux_err),
            "flow_order_step": _order(dts, step), "flow_total_flux": float(th_flow["flux01"][0])}


def _mlp(x: Any, seed: int) -> Any:
    """A 2-layer tanh MLP (hidden 32, scalar output), initialised from ``seed`` without touching the global RNG."""
    import torch

    from ..numerics.models import MLP

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return MLP(x.shape[1], 1, hidden=32, depth=1).to(dtype=x.dtype, device=x.device)


def _network(alpha: float, x: Any, y: Any, steps: int, seed: int, frac: float, base: float = 2.0,
             n_shells: int = 12) -> Any:
    """:func:`_mlp` under lazy scale ``alpha`` trained by GD with ``lr = frac / mu_max(0)``: its shell budget
    (``Diagnostics.shells``, shells anchored at the initial NTK's top eigenvalue)."""
    from ..numerics.diagnostics import Diagnostics
    from ..numerics.shells import LazyScaled
    from ..numerics.transfer import half_squared_error

    model = LazyScaled(_mlp(x, seed), alpha)
    return Diagnostics(model, half_squared_error, (x, y)).shells(steps, lr_fraction=frac, base=base,
                                                                  n_shells=n_shells)


def _digits(n: int, seed: int, device: str) -> tuple[Any, Any]:
    """``n`` digits images (flattened, standardised) with the parity of the label as a +-1 target."""
    import torch

    from ..numerics.real_data import load_digits

    data = load_digits(seed, dtype=torch.float64)
    x = data.x_train[:n].flatten(1).to(device)
    y = ((data.y_train[:n] % 2) * 2 - 1).to(torch.float64).to(device)[:, None]
    return x, y


def _lazy_closed_form(x: Any, y: Any, seed: int, steps: int) -> dict[str, float]:
    """(a) constant kernel = the network's initial NTK (kernel regression): shell energies against the closed
    form."""
    import torch

    from ..numerics.shells import eigh_desc, ntk_gram, shell_balance, shell_spec
    from ..theory.shells import lazy_shell_energies

    net = _mlp(x, seed)
    m = ntk_gram(net, x)
    mu, u = eigh_desc(m)
    lr = 1.0 / float(mu[0])
    with torch.no_grad():
        e = [(net(x) - y).reshape(-1)]
    for _ in range(steps):
        e.append(e[-1] - lr * m @ e[-1])
    errors = torch.stack(e)
    spec = shell_spec(mu, 2.0, 12)
    bal = shell_balance(errors, m.expand(steps + 1, *m.shape).clone(), lr, spec, "gd")
    c0 = (u.T @ errors[0]).cpu().numpy()
    expected = lazy_shell_energies(mu.cpu().numpy(), c0, spec.assign(mu).cpu().numpy(), 12, lr, steps)
    scale = float(expected[0].sum())
    return {"max_abs_error_rel": float(np.abs(bal.energies.cpu().numpy() - expected).max() / scale),
            "max_flux_rel": float(bal.flux.abs().max()) / scale,
            "max_residual_rel": float(bal.residual.abs().max()) / scale}


def _remainder_order(x: Any, y: Any, seed: int) -> dict[str, Any]:
    """One GD step of the network from its initial weights at lr, lr/2, lr/4: the budget residual (the GD
    remainder beyond ``(I - lr M) e``) should shrink like lr^2."""
    lrs, res = [], []
    for frac in (0.2, 0.1, 0.05):
        bal = _network(1.0, x, y, 1, seed, frac)
        lrs.append(bal.lr)
        res.append(float(bal.residual.abs().sum()))
    return {"lr": lrs, "residual": res, "order": _order(lrs, res)}


def _power_law(boundary: np.ndarray, base: float) -> dict[str, Any]:
    """Fit ``log |B_j|`` against ``log mu_j`` (``mu_j = b^-(j+1)``, the boundary under shell j) over the
    boundaries carrying at least 1e-3 of the largest transport with the same sign."""
    b = np.asarray(boundary, dtype=float)
    if not np.any(b != 0):
        return {"slope": math.nan, "r2": math.nan, "boundaries": 0, "same_sign": False}
    top = np.abs(b).max()
    keep = np.abs(b) >= 1e-3 * top
    idx = np.nonzero(keep)[0]
    same_sign = bool(np.all(np.sign(b[idx]) == np.sign(b[idx[0]])))
    if idx.size < 3:
        return {"slope": math.nan, "r2": math.nan, "boundaries": int(idx.size), "same_sign": same_sign}
    xs = -(idx + 1) * math.log(base)
    ys = np.log(np.abs(b[idx]))
    fit = line_fit(xs, ys)
    return {"slope": fit.slope, "r2": fit.r2, "boundaries": int(idx.size), "same_sign": same_sign}


def stage(ctx: Any) -> dict[str, Any]:
    """Run the closed-form cases and the rich-vs-lazy network scan (see module doc)."""
    import torch

    t0, c0 = time.perf_counter(), time.process_time()
    quick, device, seed = bool(ctx.quick), str(ctx.device), int(ctx.seed)
    planted = _planted(device, quick)

    n, steps, frac, base, n_shells = (32, 150, 0.15, 2.0, 12) if quick else (48, 300, 0.15, 2.0, 12)
    alphas = [0.25, 1.0, 4.0, 16.0] if quick else [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]
    x, y = _digits(n, seed, device)
    runs, energies, net_flux, migration = [], {}, {}, {}
    lazy = _lazy_closed_form(x, y, seed, steps)
    for alpha in alphas:
        bal = _network(alpha, x, y, steps, seed, frac, base, n_shells)
        scale = float(bal.energies[0].sum())
        shares = bal.shares()
        runs.append({"alpha": alpha, "lr": bal.lr, **{f"share_{k}": v for k, v in shares.items()},
                     "relative_residual": bal.relative_residual(),
                     "within_shell_rel": float(bal.within_shell().abs().max()) / scale,
                     "skew_defect": float(bal.skew_defect.max()),
                     "antisymmetry_rel": float((bal.flux + bal.flux.transpose(1, 2)).abs().max()) / scale,
                     "final_loss": 0.5 * float(bal.energies[-1].sum()),  # shells partition ||e_T||^2
                     "mu_max_growth": float(bal.mu[-1, 0] / bal.mu[0, 0]),
                     "boundary_transport": bal.boundary_transport().cpu().numpy().tolist()})
        if alpha in (alphas[0], alphas[-1]):
            energies[alpha] = bal.energies.cpu().numpy()
            net_flux[alpha] = torch.cumsum(bal.net_flux(), 0).cpu().numpy()
            migration[alpha] = torch.cumsum(bal.migration, 0).cpu().numpy()
    lazy_alphas = [r["alpha"] for r in runs if r["alpha"] >= 4.0]
    lazy_shares = [r["share_flux"] for r in runs if r["alpha"] >= 4.0]
    flux_alpha_slope = _order(lazy_alphas, lazy_shares) if len(lazy_alphas) >= 2 else math.nan
    remainder = _remainder_order(x, y, seed)
    power = _power_law(np.asarray(runs[0]["boundary_transport"]), base)
    summary = {
        "planted_gd_relative_residual": planted["gd_relative_residual"],
        "planted_gd_flux_rel_error": planted["gd_flux_rel_error"],
        "flow_residual_order": planted["flow_order_cumulative"],
        "flow_step_residual_order": planted["flow_order_step"],
        "lazy_closed_form_rel_error": lazy["max_abs_error_rel"],
        "network_remainder_order": remainder["order"],
        "max_within_shell_rel": max([planted["gd_within_shell"]] + [r["within_shell_rel"] for r in runs]),
        "max_skew_defect": max(r["skew_defect"] for r in runs),
        "rich_flux_share": runs[0]["share_flux"], "rich_migration_share": runs[0]["share_migration"],
        "lazy_flux_share": runs[-1]["share_flux"], "lazy_migration_share": runs[-1]["share_migration"],
        "flux_share_alpha_slope": flux_alpha_slope,
        "rich_relative_residual": runs[0]["relative_residual"],
        "lazy_relative_residual": runs[-1]["relative_residual"],
        "power_law_slope": power["slope"], "power_law_r2": power["r2"],
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - c0,
    }
    return {"planted": planted, "lazy": lazy, "runs": runs, "alphas": alphas, "base": base, "n": n,
            "steps": steps, "energies": {str(k): v for k, v in energies.items()},
            "cum_net_flux": {str(k): v for k, v in net_flux.items()},
            "cum_migration": {str(k): v for k, v in migration.items()},
            "remainder": remainder, "power_law": power, "summary": summary}


def figure(result: dict, path: Path) -> str | None:
    """E_j(t) for the richest and the laziest run; cumulative flux and migration per shell (rich run); flux
    share against the lazy scale alpha."""
    import matplotlib.pyplot as plt

    alphas = result.get("alphas") or []
    if not alphas:
        return None
    rich, lazy = str(alphas[0]), str(alphas[-1])
    fig, axes = plt.subplots(1, 3, figsize=(12.5, 3.6))
    e_rich, e_lazy = np.asarray(result["energies"][rich]), np.asarray(result["energies"][lazy])
    colors = plt.cm.viridis(np.linspace(0, 1, e_rich.shape[1]))
    floor = 1e-6 * e_rich[0].sum()
    for j in range(e_rich.shape[1]):
        if e_rich[:, j].max() < floor and e_lazy[:, j].max() < floor:
            continue
        axes[0].semilogy(np.maximum(e_rich[:, j], floor), color=colors[j], lw=1.2, label=f"S{j}")
        axes[0].semilogy(np.maximum(e_lazy[:, j], floor), color=colors[j], lw=1.0, ls="--")
    axes[0].set_xlabel("GD step")
    axes[0].set_ylabel("shell energy E_j")
    axes[0].set_title(f"solid: alpha={rich} (rich), dashed: alpha={lazy} (lazy)", fontsize=8)
    axes[0].legend(fontsize=6, ncol=2, loc="upper right")
    fl, mg = np.asarray(result["cum_net_flux"][rich]), np.asarray(result["cum_migration"][rich])
    for j in range(fl.shape[1]):
        if np.abs(fl[:, j]).max() + np.abs(mg[:, j]).max() < floor:
            continue
        axes[1].plot(fl[:, j], color=colors[j], lw=1.2)
        axes[1].plot(mg[:, j], color=colors[j], lw=0.8, ls=":")
    axes[1].axhline(0, color="k", lw=0.5)
    axes[1].set_xlabel("GD step")
    axes[1].set_ylabel("cumulative inflow")
    axes[1].set_title(f"alpha={rich}: rotation flux (solid), migration (dotted)", fontsize=8)
    runs = result["runs"]
    a = [r["alpha"] for r in runs]
    axes[2].loglog(a, [r["share_flux"] for r in runs], "o-", label="rotation flux")
    axes[2].loglog(a, [max(r["share_migration"], 1e-16) for r in runs], "s--", label="migration")
    axes[2].loglog(a, [r["relative_residual"] for r in runs], "^:", label="GD remainder / max|dE|")
    ref = np.asarray(a, dtype=float)
    axes[2].loglog(ref, runs[-1]["share_flux"] * ref[-1] / ref, "k-", lw=0.5, label="~ 1/alpha")
    axes[2].set_xlabel("lazy scale alpha")
    axes[2].set_ylabel("share of gross shell-energy change")
    axes[2].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return (f"Spectral shells (base {result['base']:g}) of the NTK of a 2-layer tanh MLP on {result['n']} digits "
            f"(parity target), GD: shell energies in the rich and lazy regimes, cumulative inter-shell transport, "
            f"and the share of the shell-energy change carried by basis-rotation flux and eigenvalue migration "
            f"against the lazy scale alpha.")


def _claim(where: str, claim: str, verdict: str, evidence: str) -> dict:
    return {"where": f"{WHERE}, {where}", "claim": claim, "verdict": verdict, "evidence": evidence}


def claims(result: dict) -> list[dict]:
    """Verdicts derived from the stage's numbers (thresholds: float precision, predicted orders +-ORDER_SLACK)."""
    s = result["summary"]
    out = []
    within = s["max_within_shell_rel"]
    out.append(_claim(
        "abstract (energy cancellation)",
        "Microscopic interactions within each shell cancel identically at the energy level.",
        "supported" if within <= FLOAT_TOL and s["max_skew_defect"] <= FLOAT_TOL else "refuted",
        f"largest within-shell coupling term |F_jj| over all planted and network runs = {within:.2g} of the "
        f"run's energy (float threshold {FLOAT_TOL:.2g}); it is the quadratic form of the basis-change "
        f"generator, whose measured symmetric part max|K + K^T| is {s['max_skew_defect']:.2g} in the network "
        f"runs (skew because the eigenbasis stays orthonormal; Lean quadForm_eq_zero_of_skew)."))
    flow_ok = abs(s["flow_residual_order"] - 2) <= ORDER_SLACK and abs(s["flow_step_residual_order"] - 3) <= ORDER_SLACK
    gd_ok = s["planted_gd_relative_residual"] <= FLOAT_TOL and s["planted_gd_flux_rel_error"] <= FLOAT_TOL
    net_ok = abs(s["network_remainder_order"] - 2) <= ORDER_SLACK
    out.append(_claim(
        "abstract (shell energy balance)",
        "Shell energies evolve only through dissipation and external inter-shell interactions.",
        "supported" if (flow_ok and gd_ok and net_ok) else "refuted",
        f"planted rotating basis: GD budget closes to {s['planted_gd_relative_residual']:.2g} (relative), the "
        f"Cayley flux matches the closed form to {s['planted_gd_flux_rel_error']:.2g}; flow budget residual "
        f"shrinks at order {s['flow_residual_order']:.2f} over a fixed time (predicted 2) and "
        f"{s['flow_step_residual_order']:.2f} per step (predicted 3); network GD remainder at order "
        f"{s['network_remainder_order']:.2f} in the step (predicted 2). With fixed shell boundaries the "
        f"inter-shell terms are of two kinds: basis-rotation flux and eigenvalue migration across boundaries "
        f"(rich run alpha={result['alphas'][0]:g}: {s['rich_flux_share']:.1%} flux, "
        f"{s['rich_migration_share']:.1%} migration of the gross change)."))
    lazy_ok = s["lazy_closed_form_rel_error"] <= 1e6 * np.finfo(np.float64).eps
    out.append(_claim(
        "abstract (lazy limit)",
        "In the lazy (NTK, constant-kernel) limit there is no inter-shell flux and each shell decays as "
        "sum (1 - lr mu_k)^(2t) c_k(0)^2.",
        "supported" if lazy_ok else "refuted",
        f"constant kernel = the network's initial NTK: shell energies match the closed form to "
        f"{s['lazy_closed_form_rel_error']:.2g} of the initial energy over {result['steps']} steps, flux "
        f"{result['lazy']['max_flux_rel']:.2g}."))
    runs = result["runs"]
    transport = [r["share_flux"] + r["share_migration"] for r in runs]
    decreasing = all(b < a for a, b in zip(transport, transport[1:]))
    slope = s["flux_share_alpha_slope"]
    flux_list = ", ".join(f"{r['share_flux']:.3g}" for r in runs)
    out.append(_claim(
        "abstract (lazy vs feature learning)",
        "Lazy training and feature learning are two limits of the same shell dynamics: the inter-shell "
        "transport vanishes in the lazy limit.",
        "supported" if decreasing and abs(slope + 1) <= ORDER_SLACK else "refuted",
        f"share of the gross shell-energy change carried between shells (rotation flux + migration) falls "
        f"monotonically: {decreasing}, from {transport[0]:.3g} at alpha={runs[0]['alpha']:g} to "
        f"{transport[-1]:.3g} at alpha={runs[-1]['alpha']:g}; rotation-flux share slope {slope:.2f} in log "
        f"alpha for alpha >= 4 (predicted -1: weights move O(1/alpha)). In the rich regime migration "
        f"dominates ({s['rich_migration_share']:.1%}; the top NTK eigenvalue grows "
        f"{runs[0]['mu_max_growth']:.3g}x), so the rotation flux alone is not monotone there "
        f"({flux_list})."))
    pw = result["power_law"]
    good = pw["boundaries"] >= 4 and pw["same_sign"] and pw["r2"] >= 0.95
    out.append(_claim(
        "abstract (self-similar transport)",
        "An effective power-law spectral transport holds in a relevant resolution range (assumed by the seed "
        "for its self-similar solution and scaling exponents).",
        "supported" if good else "open",
        f"rich run: cumulative transport through the shell boundaries (flux + migration) against the boundary "
        f"eigenvalue: {pw['boundaries']} boundaries above 1e-3 of the maximum, one sign: {pw['same_sign']}, "
        f"power-law slope {pw['slope']:.3g}, R^2 {pw['r2']:.3g} (supported needs >= 4 boundaries, one sign, "
        f"R^2 >= 0.95); positive values mean energy moves up the spectrum (towards large NTK eigenvalues, "
        f"i.e. the kernel aligns with the residual). A {result['n']}-point network cannot refute an "
        f"assumption stated for large systems, so a failed fit leaves the claim open; the self-similar "
        f"solution was not tested."))
    return out
