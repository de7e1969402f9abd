"""Fixtures shared by the Lean checker's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from spectral_universality.verify.toolchain import default_cache_dir


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    """The shared cache (toolchain installed once); skipped, with the reason, when no toolchain can exist."""
    cache = default_cache_dir()
    if not (shutil.which("npm") or (cache / "toolchain" / "toolchain.json").exists()):
        pytest.skip("no npm on PATH and no installed WebAssembly Lean: the checker cannot run here")
    return cache
