"""The registry against the Lean library: every theorem linked or explained, every link a real,
axiom-clean theorem, every closed form a link uses equal to its Lean definition.

The inventory comes from the project's checker once per source state (cached by content hash)."""

import pytest

from spectral_universality.registry import LINKS, UNLINKED
from spectral_universality.theory import LEAN_SIGNATURES

NAMESPACE = "SpectralUniversality."
ALLOWED_AXIOMS = {"propext", "Classical.choice", "Quot.sound"}


@pytest.fixture(scope="session")
def inventory():
    from spectral_universality.verify import load_inventory
    from spectral_universality.verify.cli import default_lean_dir

    inv = load_inventory(default_lean_dir(), log=lambda msg: None)
    assert inv["ok"], f"the Lean library does not check: {inv.get('errors')}"
    return inv


def _short(name: str) -> str:
    return name[len(NAMESPACE):] if name.startswith(NAMESPACE) else name


@pytest.fixture(scope="session")
def theorems(inventory):
    # Private helper lemmas are not part of the library's statements; everything public must be accounted for.
    return {_short(d["name"]): d for d in inventory["declarations"]
            if d["kind"] in ("theorem", "lemma") and not d.get("private")}


@pytest.mark.lean
def test_every_theorem_is_linked_or_explained(theorems):
    linked = {e.theorem for e in LINKS}
    missing = sorted(set(theorems) - linked - set(UNLINKED))
    assert not missing, f"Lean theorems neither linked in the registry nor listed in UNLINKED: {missing}"


@pytest.mark.lean
def test_every_link_names_an_axiom_clean_theorem(theorems, inventory):
    for entry in LINKS:
        assert entry.theorem in theorems, f"registry names {entry.theorem}, which the Lean library does not have"
        decl = theorems[entry.theorem]
        axioms = decl.get("axioms")
        # the axioms come from the compiled proof term on every path
        assert isinstance(axioms, list) and decl["axiom_audit"].startswith("proof term"), (entry.theorem, decl)
        assert set(axioms) <= ALLOWED_AXIOMS, f"{entry.theorem} uses {axioms}"


@pytest.mark.lean
def test_unlinked_entries_exist(theorems):
    stale = sorted(set(UNLINKED) - set(theorems))
    assert not stale, f"UNLINKED names theorems that no longer exist: {stale}"


def test_link_forms_are_lean_closed_forms():
    for entry in LINKS:
        unknown = [f for f in entry.forms if f not in LEAN_SIGNATURES]
        assert not unknown, f"{entry.theorem} uses forms with no Lean definition: {unknown}"
