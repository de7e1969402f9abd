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
    """Run torch single-threaded, restored after each test module. The tensors in these tests are small, so
    OpenMP fork/join costs dominate, and on a loaded 2-core machine contended threads ran kernels 10-100x
    slower (measured: a 1M-element addcmul took 11.7 ms with 2 threads, 0.42 ms with 1). Results do not
    depend on the thread count."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
