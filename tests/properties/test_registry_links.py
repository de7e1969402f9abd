"""Every registry link, inside its theorem's hypotheses (the simulation agrees with the proved conclusion)
and just outside them (the conclusion fails in simulation, so each hypothesis matters)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spectral_universality.registry import LINKS

SEEDS = st.integers(0, 2**31 - 1)


@pytest.mark.parametrize("entry", LINKS, ids=lambda e: e.theorem)
@settings(max_examples=8)
@given(data=st.data())
def test_inside_hypotheses_conclusion_holds(entry, data):
    params = data.draw(entry.inside(), label="params")
    assert entry.holds(params), f"strategy produced parameters outside {entry.hypotheses}: {params}"
    verdict = entry.check(params, data.draw(SEEDS, label="seed"))
    assert verdict.holds, f"{entry.theorem}: {verdict.detail}"


OUTSIDE = [e for e in LINKS if e.outside is not None]


@pytest.mark.parametrize("entry", OUTSIDE, ids=lambda e: e.theorem)
@settings(max_examples=5)
@given(data=st.data())
def test_outside_hypotheses_conclusion_fails(entry, data):
    params = data.draw(entry.outside(), label="params")
    assert not entry.holds(params), f"outside strategy produced parameters inside {entry.hypotheses}: {params}"
    verdict = entry.check(params, data.draw(SEEDS, label="seed"))
    assert not verdict.holds, f"{entry.theorem}: {entry.outside_note}, yet the conclusion held: {verdict.detail}"


def test_every_unlinked_entry_has_outside_reason():
    for entry in LINKS:
        if entry.outside is None:
            assert len(entry.outside_note) > 20, entry.theorem
