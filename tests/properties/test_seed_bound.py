"""A Hypothesis search against the seed's Theorem Candidate 1 read literally (one optimizer-independent
drift f_s within C k^(-(s+1)/2) ||e||_inf of every optimizer's drift). The search runs live, and the shrunk
counterexamples it found are kept below as explicit examples, so they are checked on every run."""


import pytest
from hypothesis import find, settings
from hypothesis import strategies as st

from spectral_universality.seedbound import seed_bound_ratio

# lam_k = k^-s as the seed assumes; ||e||_inf bounded away from 0 so the right-hand side never vanishes.
CASES = st.fixed_dictionaries({
    "alpha": st.floats(1e-3, 1.0), "sigma": st.floats(0.1, 10.0), "e": st.floats(0.0, 10.0),
    "e_inf": st.floats(1.0, 10.0), "k": st.integers(1, 10**6), "s": st.floats(1.01, 4.0),
})


def ratio(p: dict) -> float:
    return seed_bound_ratio(p["alpha"], p["sigma"], p["k"] ** -p["s"], min(p["e"], p["e_inf"]), p["e_inf"],
                            p["k"], p["s"])


#: Shrunk by hypothesis.find from CASES (kept so every run re-checks them).
KEPT = [
    # (from a search allowing ||e||_inf = 0) the right-hand side vanishes, the drifts differ (alpha^2 sigma^2 vs (alpha/sigma)^2 sigma^2).
    ({"alpha": 1.0, "sigma": 0.5, "e": 0.0, "e_inf": 0.0, "k": 1, "s": 2.0}, 1e300),
    # ||e||_inf = 1 and a mode at zero energy: the needed C grows like k^((s+1)/2).
    ({"alpha": 1.0, "sigma": 3.0, "e": 0.0, "e_inf": 1.0, "k": 7, "s": 4.0}, 1e3),
    ({"alpha": 1.0, "sigma": 2.0, "e": 0.0, "e_inf": 1.0, "k": 162, "s": 4.0}, 1e6),
]


@pytest.mark.parametrize("case,c", KEPT)
def test_kept_counterexample_violates_seed_bound(case, c):
    assert ratio(case) > c


@pytest.mark.parametrize("c", [1e3, 1e6])
def test_search_breaks_seed_bound_for_any_constant(c):
    found = find(CASES, lambda p: ratio(p) > c, settings=settings(database=None, max_examples=5000, deadline=None))
    assert ratio(found) > c


def test_seed_bound_holds_when_rates_coincide():
    # Control: with sigma = 1 the two rates coincide and nothing can break the bound.
    assert ratio({"alpha": 0.3, "sigma": 1.0, "e": 0.0, "e_inf": 1.0, "k": 10**5, "s": 3.0}) == 0.0
