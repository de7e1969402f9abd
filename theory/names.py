"""Names of the optimizers ``derive`` knows, without importing SymPy (for a fast ``--help``).

Hand derivations (their own modules: SGD's exact and continuous moments, Adam's nonlinear second moment and
its noise-dominated limit, heavy ball's extra forms) come first, then every built-in spec (``specs/*.toml``)
that has no hand derivation of its own.
"""

from __future__ import annotations

from pathlib import Path

#: optimizers with a derivation module of their own (sgd and momentum are also specs; the tests check the two
#: routes agree)
HAND_DERIVED: tuple[str, ...] = ("sgd", "sgd-continuous", "momentum", "adam", "adam-noise")
SPEC_DIR = Path(__file__).with_name("specs")


def builtin_spec_names() -> tuple[str, ...]:
    """The built-in specs, one ``*.toml`` file each."""
    return tuple(sorted(p.stem for p in SPEC_DIR.glob("*.toml")))


def optimizer_names() -> tuple[str, ...]:
    """Every name ``derive(name)`` accepts."""
    return HAND_DERIVED + tuple(n for n in builtin_spec_names() if n not in HAND_DERIVED)
