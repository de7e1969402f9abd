"""Simulate an optimizer on the power-law quadratic and print its class triple.

``spectral-universality simulate --optimizer sgd --modes 64 --s 1.5 --steps 20000 --seeds 16 --alpha 0.2
--sigma 1``.  ``--out run.npz`` also records seed 0's trajectory (``theta (T, modes)``, eigen-coordinates, with
``eigvals``) so ``spectral-universality classify run.npz`` can read it.

A built-in spec (``--optimizer nesterov``) or a user's spec (``--spec qhm.toml --param beta=0.9 nu=0.7``) runs
its derived one-step system; the output then also carries, per mode, the energy's standard error over the
seeds (independent replicas) and the steady state SymPy derives for that spec.
"""

from __future__ import annotations

import argparse
import json


def configure(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--optimizer", help="sgd, momentum, adam, adam-noise or a built-in spec (nesterov, sgd-wd, "
                       "adam-ema, precond, ema)")
    which.add_argument("--spec", metavar="FILE", help="an optimizer spec (.toml), see `derive --spec`")
    parser.add_argument("--param", nargs="+", metavar="NAME=VALUE", default=[],
                        help="a spec's parameters (alpha, mu, beta1 may also come from their own options)")
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


def _spec_params(spec, args: argparse.Namespace) -> dict[str, float]:
    """The spec's parameters: ``--param`` first, else the option of the same name (alpha, mu, beta1), else the
    spec's ``defaults``."""
    from spectral_universality.errors import InputError
    from spectral_universality.theory.cli import parse_assignments

    given = parse_assignments(args.param) if args.param else {}
    unknown = sorted(set(given) - set(spec.params))
    if unknown:
        raise InputError(f"--param {unknown}: not parameters of spec {spec.name!r} ({list(spec.params)})")
    out = {}
    for name in spec.params:
        if name in given:
            out[name] = given[name]
        elif name in ("alpha", "mu", "beta1"):
            out[name] = getattr(args, name)
        elif name in dict(spec.defaults):
            out[name] = dict(spec.defaults)[name]
        else:
            raise InputError(f"spec {spec.name!r} needs --param {name}=VALUE")
    return out


def _run_spec(args: argparse.Namespace, spec) -> dict:
    """Simulate a spec with one seed group per seed (the seeds are independent replicas: the s.e. of each
    mode's energy is their spread); check the whole spectrum against the spec's stability region first."""
    import numpy as np
    import torch

    from spectral_universality.errors import HypothesisViolation, InputError
    from spectral_universality.numerics.quadratic import pick_device, power_law_spectrum, simulate_spec
    from spectral_universality.theory.spec import derive_spec, stability_violation

    params = _spec_params(spec, args)
    if args.modes < 1 or args.seeds < 2 or args.steps < 3:
        raise InputError(f"need --modes >= 1, --seeds >= 2, --steps >= 3; got {args.modes}, {args.seeds}, {args.steps}")
    device = pick_device(args.device)
    lam = power_law_spectrum(args.modes, args.s, dtype=getattr(torch, args.dtype), device=device)
    derive_spec(spec).validate(sigma=args.sigma, **params)
    bad = stability_violation(spec, lam.cpu().numpy(), sigma=args.sigma, **params)
    if bad is not None:
        raise HypothesisViolation(*bad)
    burn = args.steps // 10 if args.burn_in is None else args.burn_in
    res = simulate_spec(spec, lam, params=params, sigma=args.sigma, steps=args.steps, seeds=args.seeds,
                        generator=torch.Generator(device=device).manual_seed(args.seed), burn_in=burn,
                        seed_groups=args.seeds, record=args.out is not None)
    per_seed = (res.stats.sum_sq / res.stats.n_samples).cpu().numpy()  # (seeds, modes)
    f = derive_spec(spec).lambdify("steady_state")
    values = {**params, "sigma": args.sigma, "lam": lam.cpu().double().numpy()}
    theory = np.broadcast_to(np.asarray(f(**{k: values[k] for k in f.args}), float), (args.modes,))
    return {"result": res, "lam": lam, "params": params,
            "energies_se": (per_seed.std(0, ddof=1) / np.sqrt(args.seeds)).tolist(),
            "theory_steady_state": theory.tolist()}


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
        OPTIMIZERS, check_hyper, pick_device, power_law_spectrum, simulate_quadratic)
    from spectral_universality.theory.spec import OptimizerSpec, builtin, builtin_names

    if args.out is not None and not args.out.endswith(".npz"):
        raise InputError(f"--out must name a .npz file, got {args.out!r}")
    spec = None
    if args.spec is not None:
        spec = OptimizerSpec.from_toml(args.spec)
    elif args.optimizer not in OPTIMIZERS:
        if args.optimizer not in builtin_names():
            raise InputError(f"unknown optimizer {args.optimizer!r}; choose one of "
                             f"{sorted(set(OPTIMIZERS) | set(builtin_names()))} or give --spec FILE")
        spec = builtin(args.optimizer)
    extra: dict = {}
    if spec is not None:
        out = _run_spec(args, spec)
        res, lam, name = out.pop("result"), out.pop("lam"), spec.name
        extra = {"params": out.pop("params"), **out}
    else:
        if args.param:
            raise InputError("--param is for specs (--spec FILE or a built-in spec name)")
        check_hyper(args.optimizer, args.alpha, args.sigma, args.mu, args.beta1, args.beta2, 1e-8)
        if args.modes < 1 or args.seeds < 1 or args.steps < 3:
            raise InputError(f"need --modes >= 1, --seeds >= 1, --steps >= 3; got {args.modes}, {args.seeds}, {args.steps}")
        _validate_with_theory(args)
        device = pick_device(args.device)
        lam = power_law_spectrum(args.modes, args.s, dtype=getattr(torch, args.dtype), device=device)
        gen = torch.Generator(device=device).manual_seed(args.seed)
        burn = args.steps // 10 if args.burn_in is None else args.burn_in
        res = simulate_quadratic(args.optimizer, lam, alpha=args.alpha, sigma=args.sigma, steps=args.steps,
                                 seeds=args.seeds, generator=gen, mu=args.mu, beta1=args.beta1, beta2=args.beta2,
                                 burn_in=burn, record=args.out is not None)
        name = args.optimizer
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
    payload = {"optimizer": name, "modes": args.modes, "s": args.s, "steps": args.steps,
               "seeds": args.seeds, "alpha": args.alpha, "sigma": args.sigma, "energies": energies.tolist(),
               "rho": rho.tolist(), "class_triple": triple, "class_triple_unavailable": reason, **extra}
    if args.format == "json":
        print(json.dumps(payload))
    else:
        print(f"{name}: K={args.modes} s={args.s} T={args.steps} seeds={args.seeds} alpha={args.alpha} sigma={args.sigma}")
        if extra:
            print("params: " + ", ".join(f"{k}={v:g}" for k, v in extra["params"].items()))
            for k in range(min(args.modes, 8)):
                print(f"  mode {k + 1}: e = {energies[k]:.6g} +- {extra['energies_se'][k]:.2g}  "
                      f"(theory {extra['theory_steady_state'][k]:.6g})")
        if triple is None:
            print(f"class triple unavailable: {reason}")
        else:
            eta = "None" if triple["eta_hat"] is None else f"{triple['eta_hat']:.6g}"
            print(f"s_hat = {triple['s_hat']:.4f} +- {triple['s_hat_se']:.4f} (modes {triple['mode_range']}), eta_hat = {eta}")
        if args.out:
            print(f"wrote {args.out}")
    return 0
