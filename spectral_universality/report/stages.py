"""The report's stages. Each takes the :class:`~.build.Context` and returns plain data (its ``summary``
holds the few numbers the page prints); the numbers come from ``theory``, ``numerics`` and ``verify``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .build import Context

#: A representative mode, used only to print numeric values beside each closed form.
EXAMPLE_POINT = {"alpha": 0.1, "lam": 2.0, "sigma": 0.5, "mu": 0.9, "beta1": 0.9, "beta2": 0.999, "wd": 0.01,
                 "p": 0.5, "beta": 0.9}


def closed_forms(ctx: "Context") -> dict[str, Any]:
    """Every optimizer's steady state, contraction factor and stability region, with values at one point."""
    from ..theory import OPTIMIZERS, derive

    table = {}
    for name in OPTIMIZERS:
        d = derive(name)
        table[name] = {
            "steady_state": str(d.steady_state),
            "contraction_factor": str(d.contraction_factor),
            "stability": d.stability_text,
            "values": d.evaluate(**{k: v for k, v in EXAMPLE_POINT.items() if k in d.parameter_names()}),
        }
    return {"optimizers": table, "at": EXAMPLE_POINT, "summary": {n: t["values"] for n, t in table.items()}}


def lean_verdict(ctx: "Context") -> dict[str, Any]:
    """The Lean checker's verdict and inventory (``check``: reuse the verdict cached for these sources, or
    build; ``skip``: none)."""
    if ctx.lean == "skip":
        return {"checked": False, "summary": {"checked": False, "why": "--lean skip"}}
    from ..verify import load_inventory
    from ..verify.cli import default_lean_dir

    import sys

    from tqdm.auto import tqdm

    # the first check on a machine compiles the library: show what runs and for how long above the stage bar
    inv = load_inventory(ctx.lean_dir or default_lean_dir(), log=lambda msg: tqdm.write(msg, file=sys.stderr))
    theorems = [d for d in inv["declarations"] if d["kind"] in ("theorem", "lemma")]
    # definitions too: a claim may cite a construction (e.g. a run's energy law as a map between structures),
    # which type-checks only if the proofs inside it do
    definitions = [d for d in inv["declarations"] if d["kind"] in ("def", "abbrev", "instance") and d.get("name")
                   and not d.get("private")]
    return {
        "checked": True,
        "ok": inv["ok"],
        "toolchain": inv.get("toolchain"),
        "audit": inv.get("audit"),
        "theorems": {d["name"]: d.get("statement", "") for d in theorems},
        "definitions": {d["name"]: d.get("statement", "") for d in definitions},
        "axioms": {d["name"]: d.get("axioms") for d in theorems + definitions},
        # which library declarations each one's proof term uses (read from the compiled proofs)
        "dependencies": {d["name"]: d.get("uses", []) for d in theorems + definitions},
        "audit_method": inv.get("audit_method"),
        "summary": {"ok": inv["ok"], "toolchain": inv.get("toolchain"), "audit": inv.get("audit"),
                    "theorems": len(theorems), "declarations": len(inv["declarations"])},
    }


def perturbation(ctx: "Context") -> dict[str, Any]:
    """Adam's drift minus the class drift, mode by mode along ``lam_k = k^-s``, at the flat profile
    ``e_k = E`` (the worst case for a given ``||e||_inf``), against the proved per-mode bounds, the proved
    weighted bound ``C w_k E`` (``w_k = lam_k^2``) and the seed's shape ``k^(-(s+1)/2)``."""
    import numpy as np
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
    slope = float(np.polyfit(np.log(k[tail]), np.log(np.abs(delta[tail])), 1)[0])
    within = bool(np.all((lower <= delta + 1e-15) & (delta <= upper + 1e-15) & (np.abs(delta) <= weighted + 1e-15)
                         & (np.abs(delta) <= proved_seed_shape + 1e-15)))
    return {
        "s": s_exp, "alpha": alpha, "sigma": sigma, "E": E, "k": k, "delta": delta, "lower": lower,
        "upper": upper, "weighted_bound": weighted, "seed_shape_bound": proved_seed_shape, "seed_shape": seed_shape,
        "summary": {"fitted_decay_exponent": slope, "proved_exponent": -2 * s_exp,
                    "seed_exponent": -(s_exp + 1) / 2, "all_modes_within_bounds": within,
                    "max_delta_over_weighted_bound": float(np.max(np.abs(delta) / weighted))},
    }


def benchmark_5_1(ctx: "Context") -> dict[str, Any]:
    """§5.1: planted s × optimizer; does ŝ cluster by s rather than by optimizer?"""
    from ..numerics.experiments import benchmark_5_1 as run

    return run(quick=ctx.quick, device=ctx.device, seed=ctx.seed)


def transition_5_3(ctx: "Context") -> dict[str, Any]:
    """§5.3: learning rate × batch size scan against the theory's boundaries; its divergence scan runs through
    the sweep code (local engine), its cells kept in ``<out>/sweep_5_3`` so a repeated report reuses them."""
    from ..numerics.experiments import transition_scan_5_3 as run

    return run(quick=ctx.quick, device=ctx.device, seed=ctx.seed, store_dir=ctx.out / "sweep_5_3")


def benchmark_5_2(ctx: "Context") -> dict[str, Any]:
    """§5.2: Hessian spectra of small real networks on digits, class agreement across optimizers."""
    from ..numerics.real_benchmark import benchmark_5_2 as run

    # One torch thread: with two, HVPs on a loaded 2-core machine ran up to 100x slower (measured).
    return run(quick=ctx.quick, device=ctx.device, seed=ctx.seed, threads=1)
