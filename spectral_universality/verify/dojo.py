"""Optional cross-check with LeanDojo (extra ``dojo``): trace the Lake package, compare theorem lists.

LeanDojo needs a native Lean toolchain (elan/lake) and a git repository whose root is the Lake package;
CI never depends on this module. Its verdict is a second opinion on the inventory's theorem list, not on
the proofs (the checker in :mod:`~spectral_universality.verify.check` decides those).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from spectral_universality.errors import ToolchainError


@dataclass(frozen=True)
class DojoComparison:
    """Theorem names seen by only one side (empty sets: the lists agree)."""

    only_in_dojo: frozenset[str]
    only_in_inventory: frozenset[str]

    @property
    def agree(self) -> bool:
        return not self.only_in_dojo and not self.only_in_inventory


def dojo_unavailable_reason() -> str | None:
    """Why the LeanDojo cross-check cannot run here, or ``None`` if it can."""
    if shutil.which("lake") is None:
        return "no native Lean toolchain (`lake` not on PATH); LeanDojo cannot trace without one"
    try:
        import lean_dojo  # noqa: F401
    except ImportError:
        return "lean-dojo is not installed (pip install 'spectral-universality[dojo]')"
    return None


def traced_theorem_names(repo_dir: Path, commit: str | None = None) -> frozenset[str]:
    """Full names of the theorems LeanDojo traces in the git repository ``repo_dir`` (a Lake package).

    Parameters
    ----------
    repo_dir : Path
        Root of a git repository that is itself the Lake package.
    commit : str, optional
        Commit to trace; default the checked-out ``HEAD``.
    """
    reason = dojo_unavailable_reason()
    if reason:
        raise ToolchainError(reason)
    import lean_dojo

    repo = (lean_dojo.LeanGitRepo.from_path(str(repo_dir)) if hasattr(lean_dojo.LeanGitRepo, "from_path")
            else lean_dojo.LeanGitRepo(str(repo_dir), commit or "HEAD"))
    traced = lean_dojo.trace(repo)
    return frozenset(t.theorem.full_name for t in traced.get_traced_theorems())


def compare_with_inventory(dojo_names: frozenset[str], inventory: dict) -> DojoComparison:
    """Compare LeanDojo's theorem names with the inventory's public theorems and lemmas."""
    inv = frozenset(d["name"] for d in inventory["declarations"]
                    if d["kind"] in ("theorem", "lemma") and d["name"] and not d["private"])
    return DojoComparison(frozenset(dojo_names - inv), frozenset(inv - dojo_names))
