"""The project's own checker of the Lean library: compile, audit axioms, write the inventory.

Public API: :func:`verify_library`, :func:`load_inventory` and :class:`VerifyResult`
(see :mod:`spectral_universality.verify.check`); the CLI is ``spectral-universality verify``.
"""

from .check import LeanError, ModuleTiming, VerifyResult, load_inventory, verify_library, write_inventory

__all__ = ["LeanError", "ModuleTiming", "VerifyResult", "load_inventory", "verify_library", "write_inventory"]
