"""``derive(optimizer)``: the cached entry point to every per-optimizer derivation."""

from __future__ import annotations

from functools import lru_cache

from spectral_universality.errors import InputError
from spectral_universality.theory.core import Derivation
from spectral_universality.theory.names import HAND_DERIVED, optimizer_names

OPTIMIZERS: tuple[str, ...] = optimizer_names()


@lru_cache(maxsize=None)
def derive(optimizer: str) -> Derivation:
    """Closed forms of ``optimizer`` (one of :data:`OPTIMIZERS`); derived once per process, then cached.

    A name with no derivation module of its own is a built-in spec (:mod:`.spec`). Raises InputError for an
    unknown name.
    """
    from spectral_universality.theory import adam, momentum, sgd, spec

    builders = {
        "sgd": sgd.derive_discrete,
        "sgd-continuous": sgd.derive_continuous,
        "momentum": momentum.derive_momentum,
        "adam": adam.derive_adam,
        "adam-noise": adam.derive_adam_noise,
    }
    assert set(builders) == set(HAND_DERIVED)
    if optimizer in builders:
        return builders[optimizer]()
    if optimizer in OPTIMIZERS:
        return spec.derive_spec(spec.builtin(optimizer))
    raise InputError(f"unknown optimizer {optimizer!r}; choose one of {list(OPTIMIZERS)}")
