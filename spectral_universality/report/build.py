"""Assemble the universality report: run each stage, keep every number, derive the claim verdicts.

A stage is a function ``(ctx) -> dict`` whose result goes verbatim into ``report.json`` under its name;
figures are written by :mod:`.plots` from those results only, so every number shown is in the JSON.
"""

from __future__ import annotations

import json
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .claims import judge_claims
from .companions import COMPANIONS, section
from .html import write_html
from . import stages


@dataclass(frozen=True)
class Context:
    """What every stage may read: sizes, device, seed, where the Lean package is."""

    quick: bool
    device: str
    seed: int
    lean: str  # "check" | "cached" | "skip"
    lean_dir: Path | None
    out: Path


STAGES: tuple[tuple[str, str, Callable[[Context], dict]], ...] = (
    ("closed_forms", "Closed forms (SymPy)", stages.closed_forms),
    ("lean", "Lean library", stages.lean_verdict),
    ("perturbation", "Adam's deviation from the class drift", stages.perturbation),
    ("benchmark_5_1", "§5.1 planted-spectrum benchmark", stages.benchmark_5_1),
    ("transition_5_3", "§5.3 transition scan", stages.transition_5_3),
    ("benchmark_5_2", "§5.2 real models (digits)", stages.benchmark_5_2),
) + tuple((key, title, lambda ctx, m=module: section(m).stage(ctx)) for key, title, module in COMPANIONS)


def _resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda") and not device.startswith("cuda:"):
        from ..errors import InputError

        raise InputError(f"--device must be auto, cpu or cuda, not {device!r}")
    if device.startswith("cuda") and not torch.cuda.is_available():
        from ..errors import InputError

        raise InputError("--device cuda was asked for but torch sees no CUDA device")
    return device


def build_report(
    out: Path, quick: bool = False, device: str = "auto", seed: int = 0, lean: str = "check",
    lean_dir: Path | None = None,
) -> dict[str, Any]:
    """Run every stage, judge the claims, write ``out/report.json``, PNG plots, ``out/index.html`` and
    ``out/blueprint.html``."""
    from tqdm.auto import tqdm

    from .plots import make_figures

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ctx = Context(quick=quick, device=_resolve_device(device), seed=seed, lean=lean, lean_dir=lean_dir, out=out)
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    bar = tqdm(STAGES, desc="report", unit="stage")
    for key, title, fn in bar:
        bar.set_postfix_str(title)
        t0 = time.perf_counter()
        results[key] = fn(ctx)
        timings[key] = round(time.perf_counter() - t0, 2)
    report = {
        "meta": {
            "quick": quick,
            "device": ctx.device,
            "seed": seed,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "stage_seconds": timings,
        },
        "results": results,
        "claims": judge_claims(results),
    }
    report["figures"] = make_figures(results, out)
    (out / "report.json").write_text(json.dumps(report, indent=2, default=_jsonable))
    write_html(report, out / "index.html")
    from .blueprint import write_blueprint

    write_blueprint(report, out / "blueprint.html")
    return report


def _jsonable(x: Any) -> Any:
    """numpy scalars/arrays and Paths into JSON."""
    if hasattr(x, "tolist"):
        return x.tolist()
    if isinstance(x, Path):
        return str(x)
    raise TypeError(f"not JSON-serialisable: {type(x).__name__}")
