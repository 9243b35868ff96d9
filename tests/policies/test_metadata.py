"""Every policy of the pack, as the engine receives it, carries the review metadata: severity, remediation steps,
exactly one compliance framework (name, reference, specification), a url, and every control it cites (FSBP,
Checkov, AWSGuard, baselines) as a tag and in its description. Generic over the pack: new policies are covered."""

from __future__ import annotations

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import PolicyComplianceFramework, Severity

from tests.policies.harness import Pack

from baseline.common import CATALOG  # isort: skip
from baseline.pack import all_policies  # isort: skip

INFO = Pack().info
NAMES = [p.name for p in INFO.policies]


@pytest.fixture(scope="module", params=NAMES)
def served(request: pytest.FixtureRequest) -> analyzer_pb2.PolicyInfo:
    return next(p for p in INFO.policies if p.name == request.param)


def test_served_metadata_is_complete(served: analyzer_pb2.PolicyInfo) -> None:
    assert served.severity != analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED
    assert served.remediation_steps.strip()
    assert served.url.startswith("https://")
    assert served.HasField("framework")  # a single message field: exactly one framework per policy
    assert served.framework.name
    assert served.framework.reference
    assert served.framework.specification.strip()


def test_every_cited_control_is_a_tag_and_in_the_description(served: analyzer_pb2.PolicyInfo) -> None:
    about = CATALOG[served.name]
    for ref in about.refs:
        assert ref.tag in served.tags, f"{served.name}: tag {ref.tag}"
        assert ref.tag in served.description, f"{served.name}: description lacks {ref.tag}"
    assert (served.framework.name, served.framework.reference) == (about.primary.framework, about.primary.control)


def test_the_sdk_objects_carry_the_same_metadata() -> None:
    for policy in all_policies():
        assert isinstance(policy.severity, Severity), policy.name
        assert isinstance(policy.framework, PolicyComplianceFramework), policy.name
        assert policy.remediation_steps, policy.name
        assert policy.url, policy.name
        assert policy.name in CATALOG
