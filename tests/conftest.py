"""Shared test configuration: Hypothesis profiles, and torch run single-threaded in every test module.

``ci`` (selected when the CI variable is set) is derandomized with fixed example counts and no deadline,
so a CI run is reproducible; ``dev`` explores more. Select explicitly with ``--hypothesis-profile``.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=30,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True, scope="module")
def _single_thread_torch():
    """Run torch single-threaded, restored after each test module: the package's thread policy
    (``numerics/threads.py`` says why). Results do not depend on the thread count."""
    from spectral_universality.numerics.threads import single_thread

    with single_thread():
        yield
