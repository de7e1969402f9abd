"""Simulate an optimizer on the power-law quadratic and print its class triple.

``spectral-universality simulate --optimizer sgd --modes 64 --s 1.5 --steps 20000 --seeds 16 --alpha 0.2
--sigma 1``.  ``--out run.npz`` also records seed 0's trajectory (``theta (T, modes)``, eigen-coordinates, with
``eigvals``) so ``spectral-universality classify run.npz`` can read it.
"""

from __future__ import annotations

import argparse
import json


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--optimizer", required=True, help="sgd, momentum, adam or adam-noise")
    parser.add_argument("--modes", type=int, default=64, help="number of modes K (default 64)")
    parser.add_argument("--s", type=float, default=1.5, help="spectral exponent: lam_k = k^-s (default 1.5)")
    parser.add_argument("--steps", type=int, default=20000, help="recorded steps T (default 20000)")
    parser.add_argument("--burn-in", type=int, default=None, help="unrecorded steps first (default T/10)")
    parser.add_argument("--seeds", type=int, default=16, help="i.i.d. replicas (default 16)")
    parser.add_argument("--alpha", type=float, default=0.1, help="learning rate (default 0.1)")
    parser.add_argument("--sigma", type=float, default=1.0, help="gradient noise std (default 1)")
    parser.add_argument("--mu", type=float, default=0.9, help="heavy-ball momentum (default 0.9)")
    parser.add_argument("--beta1", type=float, default=0.9, help="Adam beta1 (default 0.9)")
    parser.add_argument("--beta2", type=float, default=0.999, help="Adam beta2 (default 0.999)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--device", default=None, help="torch device (default cuda if available, else cpu)")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    parser.add_argument("--max-rel-se", type=float, default=0.1, help="mode-range precision (default 0.1)")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--out", default=None, help="write seed 0's trajectory and the statistics to this .npz")


def _validate_with_theory(args: argparse.Namespace) -> None:
    """theory's region conditions at the stiffest mode (lam_1 = 1), e.g. ``0 < alpha*lam < 2`` for SGD."""
    from spectral_universality.numerics.expected import derivation

    params = {"alpha": args.alpha, "lam": 1.0, "sigma": args.sigma}
    if args.optimizer == "momentum":
        params["mu"] = args.mu
    derivation(args.optimizer).validate(**params)


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import torch

    from spectral_universality.errors import InputError
    from spectral_universality.numerics.identify import identify_from_stats
    from spectral_universality.numerics.quadratic import (
        check_hyper, pick_device, power_law_spectrum, simulate_quadratic)

    check_hyper(args.optimizer, args.alpha, args.sigma, args.mu, args.beta1, args.beta2, 1e-8)
    if args.modes < 1 or args.seeds < 1 or args.steps < 3:
        raise InputError(f"need --modes >= 1, --seeds >= 1, --steps >= 3; got {args.modes}, {args.seeds}, {args.steps}")
    if args.out is not None and not args.out.endswith(".npz"):
        raise InputError(f"--out must name a .npz file, got {args.out!r}")
    _validate_with_theory(args)
    device = pick_device(args.device)
    dtype = getattr(torch, args.dtype)
    lam = power_law_spectrum(args.modes, args.s, dtype=dtype, device=device)
    gen = torch.Generator(device=device).manual_seed(args.seed)
    burn = args.steps // 10 if args.burn_in is None else args.burn_in
    res = simulate_quadratic(args.optimizer, lam, alpha=args.alpha, sigma=args.sigma, steps=args.steps,
                             seeds=args.seeds, generator=gen, mu=args.mu, beta1=args.beta1, beta2=args.beta2,
                             burn_in=burn, record=args.out is not None)
    energies = res.stats.energies().cpu().numpy()
    rho = res.stats.lag_autocorrelation().cpu().numpy()
    if not (np.all(np.isfinite(energies)) and np.all(np.isfinite(rho))):
        raise InputError("the simulation diverged (non-finite energies): check 0 < alpha*lam_max < 2 and the other rates")
    try:
        triple = identify_from_stats(res.stats, eigvals=lam.cpu(), max_rel_se=args.max_rel_se).to_dict()
        reason = None
    except InputError as exc:
        triple, reason = None, str(exc)
    if args.out is not None:
        np.savez(args.out, theta=res.trajectory[:, 0, :].cpu().numpy(), eigvals=lam.cpu().numpy())
    payload = {"optimizer": args.optimizer, "modes": args.modes, "s": args.s, "steps": args.steps,
               "seeds": args.seeds, "alpha": args.alpha, "sigma": args.sigma, "energies": energies.tolist(),
               "rho": rho.tolist(), "class_triple": triple, "class_triple_unavailable": reason}
    if args.format == "json":
        print(json.dumps(payload))
    else:
        print(f"{args.optimizer}: K={args.modes} s={args.s} T={args.steps} seeds={args.seeds} alpha={args.alpha} sigma={args.sigma}")
        if triple is None:
            print(f"class triple unavailable: {reason}")
        else:
            eta = "None" if triple["eta_hat"] is None else f"{triple['eta_hat']:.6g}"
            print(f"s_hat = {triple['s_hat']:.4f} +- {triple['s_hat_se']:.4f} (modes {triple['mode_range']}), eta_hat = {eta}")
        if args.out:
            print(f"wrote {args.out}")
    return 0
