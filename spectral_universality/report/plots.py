"""What the core sections' figures share: one colour per optimizer, one marker per model, one way to save."""

from __future__ import annotations

from pathlib import Path
from typing import Any

_OPT_COLORS = {"sgd": "#1f77b4", "adam": "#d62728", "linear-attention": "#2ca02c", "attention": "#2ca02c",
               "momentum": "#9467bd", "adam-noise": "#ff7f0e"}
_MODEL_MARKERS = {"quadratic": "o", "teacher-student": "s", "linear-attention": "^"}


def color(optimizer: str) -> str:
    """The optimizer's colour in every core figure (grey for one without its own)."""
    return _OPT_COLORS.get(optimizer, "#555555")


def marker(model: str) -> str:
    """The model's marker in every core figure (a diamond for one without its own)."""
    return _MODEL_MARKERS.get(model, "D")


def save(fig: Any, path: Path) -> None:
    """Lay out, write the PNG at the report's resolution and free the figure."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
