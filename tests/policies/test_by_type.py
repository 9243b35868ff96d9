"""Analyze runs only the resource policies that judge the request's type, with exactly the same diagnostics."""

from __future__ import annotations

from baseline import by_type
from baseline.common import TARGETS
from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.policy import _PolicyAnalyzerServicer

from ops.policy.analyzer import _options, _struct
from ops.values import to_engine
from tests.policies.harness import Pack, load_config
from tests.support.plans import plan_stack


def _requests(stack: str) -> list[analyzer_pb2.AnalyzeRequest]:
    plan = plan_stack(stack).plan
    return [
        analyzer_pb2.AnalyzeRequest(type=r.type, properties=_struct(to_engine(r.inputs)), urn=r.urn, name=r.name,
                                    options=_options(r))
        for r in plan.analyzed
    ]


def _diagnostics(response: analyzer_pb2.AnalyzeResponse) -> list[dict]:
    return [json_format.MessageToDict(d) for d in response.diagnostics]


def test_every_resource_policy_declares_its_types_so_the_filter_applies() -> None:
    from baseline.pack import all_policies
    from pulumi_policy import ResourceValidationPolicy

    resource = [p.name for p in all_policies() if isinstance(p, ResourceValidationPolicy)]
    assert [name for name in resource if name not in TARGETS] == []
    assert by_type.install()


def test_filtered_analyze_reports_what_the_whole_loop_reports() -> None:
    """Over both stacks, with every policy violated somewhere (the stack fixtures and a broken copy of each)."""
    pack = Pack(load_config("prod"), stack_wide=True)
    unfiltered = _PolicyAnalyzerServicer.Analyze.__wrapped__  # the SDK's own loop over every policy
    compared = 0
    for stack in ("prod", "preview"):
        for request in _requests(stack):
            # A stripped copy too, so that findings (not only passes) are compared.
            stripped = analyzer_pb2.AnalyzeRequest()
            stripped.CopyFrom(request)
            stripped.properties.Clear()
            for req in (request, stripped):
                filtered = _diagnostics(pack.servicer.Analyze(req, None))
                assert filtered == _diagnostics(unfiltered(pack.servicer, req, None)), req.type
                compared += 1
    assert compared > 400


def test_outside_analyze_the_list_is_the_whole_pack() -> None:
    policies = by_type.PoliciesByType(list(Pack().servicer._PolicyAnalyzerServicer__policies))
    everything = list(policies)
    with by_type.analyzing("aws:rds/instance:Instance"):
        rds = list(policies)
    assert len(rds) < len(everything)
    assert all(p.name not in TARGETS or "aws:rds/instance:Instance" in TARGETS[p.name] for p in rds)
    assert list(policies) == everything
