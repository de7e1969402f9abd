"""spectral-universality: universality classes of spectral learning dynamics.

Four layers, each concept in exactly one place:

* ``lean/`` -- statements and machine-checked proofs (Lake package ``SpectralUniversality``);
* :mod:`spectral_universality.theory` -- SymPy closed forms, the one source of every number;
* :mod:`spectral_universality.numerics` -- torch simulations and the class-identification algorithm;
* :mod:`spectral_universality.registry` -- the link from each Lean theorem to its closed form and simulation.
"""

__version__ = "0.1.0"

__all__ = ["Diagnostics", "SpectralMonitor", "__version__"]


def __getattr__(name: str):
    """Lazy top-level API (importing the package does not import torch): ``SpectralMonitor``, ``Diagnostics``."""
    if name == "SpectralMonitor":
        from spectral_universality.numerics.monitor import SpectralMonitor

        return SpectralMonitor
    if name == "Diagnostics":
        from spectral_universality.numerics.diagnostics import Diagnostics

        return Diagnostics
    raise AttributeError(f"module 'spectral_universality' has no attribute {name!r}")
