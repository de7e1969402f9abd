"""Optional LeanDojo cross-check of the inventory's theorem list (needs native Lean and lean-dojo)."""

import pytest

from spectral_universality.verify.dojo import DojoComparison, compare_with_inventory, dojo_unavailable_reason


def test_compare_with_inventory_reports_both_sides():
    inv = {"declarations": [
        {"name": "A.t", "kind": "theorem", "private": False},
        {"name": "A.f", "kind": "def", "private": False},
        {"name": "A.p", "kind": "theorem", "private": True},
        {"name": "A.u", "kind": "lemma", "private": False},
    ]}
    cmp = compare_with_inventory(frozenset({"A.t", "A.x"}), inv)
    assert cmp == DojoComparison(frozenset({"A.x"}), frozenset({"A.u"}))
    assert not cmp.agree
    assert compare_with_inventory(frozenset({"A.t", "A.u"}), inv).agree


@pytest.mark.native_lean
def test_dojo_theorems_match_inventory(tmp_path):
    reason = dojo_unavailable_reason()
    if reason:
        print(f"skipping the LeanDojo cross-check: {reason}")
        pytest.skip(reason)
    from pathlib import Path

    from spectral_universality.verify import load_inventory
    from spectral_universality.verify.cli import default_lean_dir
    from spectral_universality.verify.dojo import traced_theorem_names

    lean_dir = default_lean_dir()
    inventory = load_inventory(lean_dir, toolchain="native")
    cmp = compare_with_inventory(traced_theorem_names(Path(lean_dir)), inventory)
    assert cmp.agree, cmp
