"""The companion diagnostics (seeds 001–004) in the report: one section module each, with the same three
entry points, ``stage(ctx) -> dict``, ``figure(result, path) -> caption | None`` and ``claims(result) -> list``."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

#: (result key, title, section module under ``spectral_universality.report``)
COMPANIONS: tuple[tuple[str, str, str], ...] = (
    ("transfer", "Seed 001: spectral transfer identity s = αγ", "sec_transfer"),
    ("gradient_manifold", "Seed 001: predictable gradient manifolds", "sec_gradient_manifold"),
    ("shells", "Seed 002: spectral-shell energy dynamics", "sec_shells"),
    ("alignment", "Seed 003: spectral alignment of SGD", "sec_alignment"),
    ("certificate", "Seed 004: spectral certificate", "sec_certificate"),
)


def section(module: str) -> ModuleType:
    """The section module (imported on first use: each pulls in torch and its experiment)."""
    return import_module(f"{__package__}.{module}")
