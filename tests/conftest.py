"""Shared test configuration: Hypothesis profiles.

``ci`` (selected when the CI variable is set) is derandomized with fixed example counts and no deadline,
so a CI run is reproducible; ``dev`` explores more. Select explicitly with ``--hypothesis-profile``.
"""

import os

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
