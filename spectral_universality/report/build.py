"""Assemble the universality report: run each section's stage, keep every number, draw its figures, derive
its claim verdicts, write the pages.

The sections are :data:`.sections.SECTIONS`, iterated in order for all three; a stage's result goes verbatim
into ``report.json`` under its key, and figures and claims are computed from the results only, so every
number shown is in the JSON.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

from .html import write_html
from .context import Context
from .sections import SECTIONS


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


def judge_claims(results: dict[str, Any]) -> list[dict]:
    """Every claim of every section whose result is present, in section order, each with its verdict and
    what it rests on (a section's ``reads`` are passed as keyword arguments, ``{}`` where absent)."""
    claims: list[dict] = []
    for s in SECTIONS:
        if s.key in results:
            claims += s.load().claims(results[s.key], **{k: results.get(k) or {} for k in s.reads})
    return claims


def make_figures(results: dict[str, Any], out: Path) -> list[dict]:
    """Write every figure of every section whose result is present and which has data to draw; returns
    ``[{file, title, caption}]``."""
    import matplotlib

    matplotlib.use("Agg")
    made = []
    for s in SECTIONS:
        if s.key not in results:
            continue
        for name, title, function in s.figures:
            caption = getattr(s.load(), function)(results[s.key], out / name)
            if caption is not None:
                made.append({"file": name, "title": title, "caption": caption})
    return made


def build_report(
    out: Path, quick: bool = False, device: str = "auto", seed: int = 0, lean: str = "check",
    lean_dir: Path | None = None,
) -> dict[str, Any]:
    """Run every stage, judge the claims, write ``out/report.json``, PNG plots, ``out/index.html`` and
    ``out/blueprint.html``."""
    from tqdm.auto import tqdm

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ctx = Context(quick=quick, device=_resolve_device(device), seed=seed, lean=lean, lean_dir=lean_dir, out=out)
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    bar = tqdm(SECTIONS, desc="report", unit="stage")
    for s in bar:
        bar.set_postfix_str(s.title)
        t0 = time.perf_counter()
        results[s.key] = s.load().stage(ctx)
        timings[s.key] = round(time.perf_counter() - t0, 2)
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
