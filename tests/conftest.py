"""Hypothesis profiles: a fast local run by default, many more examples in CI (selected by CI=true)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Tests that fix their own `max_examples` (tests/policies) keep it; the others take the profile's.
settings.register_profile("local", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "local")
