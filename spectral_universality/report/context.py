"""What every section's stage reads. A module of its own, imported by the builder and (for type hints) by the
sections, so that neither depends on the other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Context:
    """What every stage may read: sizes, device, seed, where the Lean package is, the output folder."""

    quick: bool
    device: str
    seed: int
    lean: str  # "check" | "cached" | "skip"
    lean_dir: Path | None
    out: Path
