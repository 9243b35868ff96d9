"""The import floor of bench/plan_benchmark.py counts every SDK the plan imports, the edge's included."""

from __future__ import annotations

from bench.plan_benchmark import SDK_PACKAGES
from tests.support.plans import plan_stack


def test_the_floor_includes_the_edges_sdks() -> None:
    assert {"pulumi_cloudflare", "pulumi_tls"} <= SDK_PACKAGES


def test_every_provider_the_plan_uses_is_in_the_floor() -> None:
    plan = plan_stack("preview")
    providers = {r.type.split(":")[2] for r in plan.plan.resources if r.type.startswith("pulumi:providers:")}
    assert {f"pulumi_{p.replace('-', '_')}" for p in providers} <= SDK_PACKAGES
