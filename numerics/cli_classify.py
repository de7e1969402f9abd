"""Class triple (s, eta, gamma) of a recorded trajectory (the paper's §10 algorithm).

``spectral-universality classify run.npz`` reads ``theta (T, d)`` and optionally ``eigvecs (d, K)``,
``hessian (d, d)``, ``eigvals (K,)`` from a ``.npz`` (numpy) or ``.pt`` (torch dict) file, or the streaming sums
saved by :meth:`~spectral_universality.numerics.monitor.SpectralMonitor.save` (``.json``).  It answers whenever
at least ``min_modes`` modes carry information (the :mod:`.identify` default ``low_precision="warn"``): a low-precision
estimate is flagged by a warning line (text) or the ``warnings`` list (JSON), not refused.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

KEYS = ("theta", "eigvecs", "hessian", "eigvals")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help=".npz or .pt file with theta (T, d) [eigvecs (d, K), hessian (d, d), eigvals (K,)], "
                        "or a SpectralMonitor .json")
    parser.add_argument("--center", action="store_true", help="subtract each mode's time mean (non-zero optimum)")
    parser.add_argument("--max-rel-se", type=float, default=0.1, help="mode-range precision (default 0.1)")
    parser.add_argument("--fast-limit", type=float, default=0.1, help="skip modes with 1 - rho > this (default 0.1)")
    parser.add_argument("--min-modes", type=int, default=5, help="modes the fit needs (default 5)")
    parser.add_argument("--mode-range", type=int, nargs=2, default=None, metavar=("LO", "HI"),
                        help="0-based half-open mode range instead of the automatic one")
    parser.add_argument("--usable-rel-se", type=float, default=0.5,
                        help="below max-rel-se precision, fit (with a warning) the modes with relative s.e. <= this")
    parser.add_argument("--format", choices=["text", "json"], default="text")


def load_arrays(path: str) -> dict:
    """The known arrays of a ``.npz``/``.pt`` file as numpy; :class:`InputError` on anything malformed."""
    import numpy as np

    from spectral_universality.errors import InputError

    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such file: {path}")
    if p.suffix == ".npz":
        try:
            with np.load(p, allow_pickle=False) as data:
                arrays = {k: np.asarray(data[k]) for k in data.files}
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read {path} as .npz: {exc}") from None
    elif p.suffix == ".pt":
        import torch

        try:
            obj = torch.load(p, map_location="cpu", weights_only=True)
        except Exception as exc:  # torch raises many unrelated types for a bad file
            raise InputError(f"cannot read {path} as a torch file: {exc}") from None
        if not isinstance(obj, dict):
            raise InputError(f"{path} must hold a dict of tensors, got {type(obj).__name__}")
        arrays = {k: (v.detach().cpu().numpy() if hasattr(v, "detach") else np.asarray(v)) for k, v in obj.items()}
    else:
        raise InputError(f"{path}: expected a .npz or .pt file")
    if "theta" not in arrays:
        raise InputError(f"{path} has no 'theta' array (found: {sorted(arrays)})")
    unknown = sorted(set(arrays) - set(KEYS))
    if unknown:
        raise InputError(f"{path} has unknown keys {unknown}; expected {list(KEYS)}")
    if arrays["theta"].ndim != 2:
        raise InputError(f"theta must have shape (T, d), got {arrays['theta'].shape}")
    return arrays


def run(args: argparse.Namespace) -> int:
    from spectral_universality.numerics.identify import identify_trajectory

    opts = dict(center=args.center, max_rel_se=args.max_rel_se, fast_limit=args.fast_limit,
                min_modes=args.min_modes, mode_range=tuple(args.mode_range) if args.mode_range else None,
                usable_rel_se=args.usable_rel_se)
    if Path(args.path).suffix == ".json":
        from spectral_universality.numerics.monitor import load_record, result_from_record

        res = result_from_record(load_record(args.path), **opts)
        triple, out, warnings = res.triple, res.to_dict(), list(res.to_dict()["warnings"])
    else:
        arrays = load_arrays(args.path)
        triple = identify_trajectory(arrays["theta"], eigvecs=arrays.get("eigvecs"), hessian=arrays.get("hessian"),
                                     eigvals=arrays.get("eigvals"), **opts)
        out, warnings = triple.to_dict(), list(triple.warnings)
    if args.format == "json":
        print(json.dumps(out))
        return 0
    for w in warnings:
        print(f"warning: {w}")
    lo, hi = triple.mode_range
    print(f"s_hat     = {triple.s_hat:.4f} +- {triple.s_hat_se:.4f}   (modes {lo}..{hi - 1}, T = {triple.n_steps})")
    print(f"eta_hat   = {triple.eta_hat:.6g}" if triple.eta_hat is not None else f"eta_hat   = None ({triple.eta_reason})")
    shown = ", ".join(f"{g:.3g}" for g in triple.gamma_hat[:8])
    print(f"gamma_hat = [{shown}{', ...' if triple.gamma_hat.size > 8 else ''}] (per step, 1 - rho_k^2)")
    return 0
