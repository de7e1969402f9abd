"""``derive(optimizer)``: the cached entry point to every per-optimizer derivation."""

from __future__ import annotations

from functools import lru_cache

from spectral_universality.errors import InputError
from spectral_universality.theory.core import Derivation

OPTIMIZERS: tuple[str, ...] = ("sgd", "sgd-continuous", "momentum", "adam", "adam-noise")


@lru_cache(maxsize=None)
def derive(optimizer: str) -> Derivation:
    """Closed forms of ``optimizer`` (one of :data:`OPTIMIZERS`); derived once per process, then cached.

    Raises InputError for an unknown optimizer name.
    """
    from spectral_universality.theory import adam, momentum, sgd

    builders = {
        "sgd": sgd.derive_discrete,
        "sgd-continuous": sgd.derive_continuous,
        "momentum": momentum.derive_momentum,
        "adam": adam.derive_adam,
        "adam-noise": adam.derive_adam_noise,
    }
    if optimizer not in builders:
        raise InputError(f"unknown optimizer {optimizer!r}; choose one of {list(OPTIMIZERS)}")
    return builders[optimizer]()
