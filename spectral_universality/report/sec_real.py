"""§5.2, real models: Hessian spectra of small networks (linear, MLP, CNN, ViT) trained on digits with SGD and
Adam, and whether the class assignment (a z-test on ŝ) agrees across the optimizers. No figure: the page shows
the numbers per model and checkpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .claims import experiment_claim

if TYPE_CHECKING:
    from .context import Context


def stage(ctx: "Context") -> dict[str, Any]:
    """§5.2: Hessian spectra of small real networks on digits, class agreement across optimizers."""
    from ..numerics.real_benchmark import benchmark_5_2 as run

    # One torch thread: with two, HVPs on a loaded 2-core machine ran up to 100x slower (measured).
    return run(quick=ctx.quick, device=ctx.device, seed=ctx.seed, threads=1)


def claims(result: dict[str, Any]) -> list[dict]:
    """§5.2: SGD and Adam judged one class (z-test on ŝ) at every checkpoint of every model."""
    summary = result.get("summary") or {}
    frac, n = summary.get("same_class_fraction"), summary.get("n_compared")
    holds = None if frac is None or not n else frac == 1.0
    return [experiment_claim(
        "§5.2", "Class assignment on real networks (digits: linear, MLP, CNN, ViT) is stable across optimizers",
        holds, f"same class in {frac} of {n} SGD/Adam comparisons; median R² of the log-log energy fit "
               f"{summary.get('median_energy_fit_r2')}, of the eigenvalue power law "
               f"{summary.get('median_s_lambda_r2')} "
               "(a low energy R² means ŝ summarises a profile that is not a power law)")]
