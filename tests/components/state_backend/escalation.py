"""The deploy role's escalation paths and the legitimate updates, as request contexts evaluated (ops.iam) against the
documents of the planned bootstrap (a prod account, and a shared account for the cross-stack case).

Each request carries the condition keys IAM sends for that action, each key citing the page that documents it;
the table these render is in docs/state-backend.md ("Escalation paths, evaluated") and is checked against it.
Run `python -m tests.components.state_backend.escalation` to print it.

The deploy role's documents: PowerUserAccess (the AWS managed policy, v12, copied below from the AWS Managed Policy
Reference) and its planned IAM policy. Its state-access policy is left out: it names the state key's ARN, unknown
offline, and holds only Allow statements on the bucket's objects and the key (test_bootstrap.py checks that), so
it can change no outcome below: every S3 case is decided by the bucket policy's Deny, every IAM case by the IAM
policy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ops.iam import Context, Decision, Policy, PolicyKind, Principal, Request, evaluate, plan_policy
from tests.components.state_backend.plans import ACCOUNT, bootstrap_plan

_IAM_UG = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
SAR_IAM = ("Service Authorization Reference, IAM actions and condition keys "
           "(https://docs.aws.amazon.com/service-authorization/latest/reference/"
           "list_awsidentityandaccessmanagementiam.html)")
SAR_S3 = ("Service Authorization Reference, Amazon S3 "
          "(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)")
TAGS = f"IAM User Guide, Controlling access to and for IAM users and roles using tags ({_IAM_UG}access_iam-tags.html)"
GLOBAL_KEYS = f"IAM User Guide, AWS global condition context keys ({_IAM_UG}reference_policies_condition-keys.html)"
BOUNDARIES = f"IAM User Guide, Permissions boundaries for IAM entities ({_IAM_UG}access_policies_boundaries.html)"
KMS_ALIASES = ("AWS KMS Developer Guide, kms:ResourceAliases "
               "(https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases)")
POWER_USER_SOURCE = "AWS Managed Policy Reference, PowerUserAccess v12 (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/PowerUserAccess.html)"

POWER_USER_ACCESS = Policy.parse({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        {"Effect": "Allow",
         "Action": ["account:GetAccountInformation", "account:GetGovCloudAccountInformation",
                    "account:GetPrimaryEmail", "account:ListRegions", "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeEffectivePolicy",
                    "organizations:DescribeOrganization"],
         "Resource": "*"},
    ],
}, name="PowerUserAccess", kind=PolicyKind.IDENTITY)
# What an administrator could attach to a role it creates: everything (the boundary is what limits it).
ADMINISTRATOR_ACCESS = Policy.parse(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    name="AdministratorAccess", kind=PolicyKind.IDENTITY)

IAM = f"arn:aws:iam::{ACCOUNT}"
BOUNDARY = f"{IAM}:policy/platform-infra-boundary"
BUCKET = f"arn:aws:s3:::platform-pulumi-state-{ACCOUNT}-eu-west-1"
STATE_KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ADMIN = f"{IAM}:role/PlatformAdmin"
# A stack key's policy (components/aws/kms.py): the account administers it through IAM.
STACK_KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0000aaaa-00aa-00aa-00aa-000000aaaaaa"
STACK_KEY_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}]}
PROD_TAGS = {"aws:ResourceTag/pulumi-project": "platform", "aws:ResourceTag/pulumi-stack": "prod"}


def deploy(stack: str) -> Principal:
    return Principal.role_session(f"{IAM}:role/platform-infra-deploy-{stack}", "github-actions")


@dataclass(frozen=True)
class Case:
    """One request and the outcome the design requires (`allowed` True: a legitimate update)."""

    title: str
    allowed: bool
    action: str
    resource: str
    principal: Principal
    keys: Mapping[str, Any] = field(default_factory=dict)
    #: Which documents apply: "deploy" (PowerUserAccess + the stack's IAM policy), "created" (AdministratorAccess
    #: within the boundary), "admin" (AdministratorAccess).
    identity: str = "deploy"
    #: The resource policy: "bucket", "key", a trust-policy resource name in the plan, or a literal document.
    resource_policy: str | dict[str, Any] | None = None
    account: str = "prod"
    stack: str = "prod"
    #: The source per key; keys not listed cite the global condition keys page.
    sources: Mapping[str, str] = field(default_factory=dict)

    def request(self) -> Request:
        context = Context({k: (v, self.sources.get(k, _default_source(k))) for k, v in self.keys.items()})
        owner = ACCOUNT if self.resource.startswith("arn:aws:s3:::") else None
        return Request(self.action, self.resource, self.principal, context, resource_account=owner, source=SAR_IAM)


def _default_source(key: str) -> str:
    if key.startswith("iam:"):
        return SAR_IAM
    if key.startswith(("aws:ResourceTag/", "aws:RequestTag/", "aws:TagKeys")):
        return TAGS
    if key.startswith("kms:"):
        return KMS_ALIASES
    return GLOBAL_KEYS


def _tagging(keys: Mapping[str, str]) -> dict[str, Any]:
    """The keys of a Tag* request: aws:TagKeys and one aws:RequestTag per tag (IAM User Guide, tags page)."""
    return {"aws:TagKeys": list(keys), **{f"aws:RequestTag/{k}": v for k, v in keys.items()}}


CREATION_TAGS = {"pulumi-project": "platform", "pulumi-stack": "prod", "component": "database"}

CASES: tuple[Case, ...] = (
    # ------------------------------------------------------------------------------------- escalation paths
    Case("TagRole on an existing non-platform role, to tag it into the deploy role's scope", False,
         "iam:TagRole", f"{IAM}:role/OrganizationAccountAccessRole", deploy("prod"),
         _tagging({"pulumi-project": "platform", "pulumi-stack": "prod"})),
    Case("CreateRole without the boundary", False, "iam:CreateRole", f"{IAM}:role/platform-prod-backdoor",
         deploy("prod"), _tagging(CREATION_TAGS)),
    Case("CreateRole outside the stack's prefix (with the boundary)", False, "iam:CreateRole",
         f"{IAM}:role/backdoor", deploy("prod"), {"iam:PermissionsBoundary": BOUNDARY, **_tagging(CREATION_TAGS)}),
    Case("AttachRolePolicy AdministratorAccess to a prefixed role that carries the boundary", False,
         "iam:AttachRolePolicy", f"{IAM}:role/platform-prod-backup", deploy("prod"),
         {"iam:PermissionsBoundary": BOUNDARY, "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess",
          **PROD_TAGS}),
    Case("PutRolePermissionsBoundary to another policy", False, "iam:PutRolePermissionsBoundary",
         f"{IAM}:role/platform-prod-backup", deploy("prod"),
         {"iam:PermissionsBoundary": f"{IAM}:policy/platform-prod-postgres-app-connect", **PROD_TAGS}),
    Case("DeleteRolePermissionsBoundary", False, "iam:DeleteRolePermissionsBoundary",
         f"{IAM}:role/platform-prod-backup", deploy("prod"), {"iam:PermissionsBoundary": BOUNDARY, **PROD_TAGS}),
    Case("UntagRole removing pulumi-project", False, "iam:UntagRole", f"{IAM}:role/platform-prod-backup",
         deploy("prod"), {"aws:TagKeys": ["pulumi-project"], **PROD_TAGS}),
    Case("TagRole changing pulumi-project", False, "iam:TagRole", f"{IAM}:role/platform-prod-backup",
         deploy("prod"), {**_tagging({"pulumi-project": "other"}), **PROD_TAGS}),
    Case("UpdateAssumeRolePolicy on a bootstrap role", False, "iam:UpdateAssumeRolePolicy",
         f"{IAM}:role/platform-infra-deploy-prod", deploy("prod"), {}),
    Case("sts:AssumeRole of a prefixed role whose trust names the deploy role (role chaining)", False,
         "sts:AssumeRole", f"{IAM}:role/platform-prod-backdoor", deploy("prod"), {},
         resource_policy={"Version": "2012-10-17", "Statement": [{
             "Effect": "Allow", "Principal": {"AWS": f"{IAM}:role/platform-infra-deploy-prod"},
             "Action": "sts:AssumeRole"}]}),
    Case("A role created with the boundary and AdministratorAccess, assumed: iam:CreateRole", False,
         "iam:CreateRole", f"{IAM}:role/anything", Principal.role_session(f"{IAM}:role/platform-prod-backdoor"),
         {"iam:PermissionsBoundary": BOUNDARY}, identity="created"),
    Case("... that role: iam:PutRolePolicy on the deploy role", False, "iam:PutRolePolicy",
         f"{IAM}:role/platform-infra-deploy-prod", Principal.role_session(f"{IAM}:role/platform-prod-backdoor"),
         {}, identity="created"),
    Case("... that role: sts:AssumeRole of the deploy role", False, "sts:AssumeRole",
         f"{IAM}:role/platform-infra-deploy-prod", Principal.role_session(f"{IAM}:role/platform-prod-backdoor"),
         {}, identity="created", resource_policy="state-deploy-prod"),
    Case("... that role: s3:GetObject of the state", False, "s3:GetObject",
         f"{BUCKET}/.pulumi/stacks/platform/prod.json", Principal.role_session(f"{IAM}:role/platform-prod-backdoor"),
         {"aws:SecureTransport": True, "s3:TlsVersion": 1.3}, identity="created", resource_policy="bucket",
         sources={"s3:TlsVersion": SAR_S3}),
    Case("... that role: kms:Decrypt with the state key", False, "kms:Decrypt", STATE_KEY,
         Principal.role_session(f"{IAM}:role/platform-prod-backdoor"),
         {"kms:ResourceAliases": ["alias/platform-pulumi-state"]}, identity="created", resource_policy="key"),
    Case("s3:DeleteObjectVersion of a state version by the deploy role", False, "s3:DeleteObjectVersion",
         f"{BUCKET}/.pulumi/stacks/platform/prod.json", deploy("prod"),
         {"aws:SecureTransport": True, "s3:TlsVersion": 1.3}, resource_policy="bucket",
         sources={"s3:TlsVersion": SAR_S3}),
    Case("Shared account: the preview deploy role puts a policy on prod's prefixed role", False,
         "iam:PutRolePolicy", f"{IAM}:role/platform-prod-backup", deploy("preview"),
         {"iam:PermissionsBoundary": BOUNDARY, **PROD_TAGS}, account="shared", stack="preview"),
    Case("Shared account: the preview deploy role creates a role under prod's prefix", False,
         "iam:CreateRole", f"{IAM}:role/platform-prod-backdoor", deploy("preview"),
         {"iam:PermissionsBoundary": BOUNDARY, **_tagging({"pulumi-project": "platform", "pulumi-stack": "prod"})},
         account="shared", stack="preview"),
    Case("Shared account: the preview deploy role disables prod's alert topic key (every alert silent)", False,
         "kms:DisableKey", STACK_KEY,
         deploy("preview"), {"aws:ResourceTag/pulumi-stack": "prod"}, resource_policy=STACK_KEY_POLICY,
         account="shared",
         stack="preview"),
    Case("Shared account: the preview deploy role schedules prod's alert topic key for deletion", False,
         "kms:ScheduleKeyDeletion", STACK_KEY,
         deploy("preview"), {"aws:ResourceTag/pulumi-stack": "prod"}, resource_policy=STACK_KEY_POLICY,
         account="shared",
         stack="preview"),
    Case("CreateRole under a path below the prefix, squatting another name (role/platform-prod-x/platform-infra-"
         "deploy-staging)", False, "iam:CreateRole", f"{IAM}:role/platform-prod-x/platform-infra-deploy-staging",
         deploy("prod"), {"iam:PermissionsBoundary": BOUNDARY, **_tagging(CREATION_TAGS)}),
    Case("Object Lock on the state bucket by the deploy role (pins every state version for good)", False,
         "s3:PutBucketObjectLockConfiguration", BUCKET, deploy("prod"),
         {"aws:SecureTransport": True, "s3:TlsVersion": 1.3}, resource_policy="bucket",
         sources={"s3:TlsVersion": SAR_S3}),
    Case("DeleteRole of an unrelated role that carries the stack's tags (not one of the four predating roles)",
         False, "iam:DeleteRole", f"{IAM}:role/app-ecs-task", deploy("prod"), PROD_TAGS),
    Case("cloudtrail:StopLogging by the deploy role (PowerUserAccess allows it)", False, "cloudtrail:StopLogging",
         f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/management", deploy("prod")),
    # ------------------------------------------------------------------------------------ legitimate updates
    Case("DeleteRole of a predating auto-named stack role (the upgrade replaces it)", True, "iam:DeleteRole",
         f"{IAM}:role/network-flow-logs-1a2b3c4", deploy("prod"), PROD_TAGS),
    Case("Tag-only change on an existing stack role (project tag unchanged)", True, "iam:TagRole",
         f"{IAM}:role/platform-prod-backup", deploy("prod"), {**_tagging({"owner": "new-team"}), **PROD_TAGS}),
    Case("CreatePolicyVersion of a prefixed managed policy (policies carry no iam:PermissionsBoundary key)", True,
         "iam:CreatePolicyVersion", f"{IAM}:policy/platform-prod-postgres-app-connect", deploy("prod"),
         PROD_TAGS),
    Case("CreateRole under the prefix with the boundary and the project tags", True, "iam:CreateRole",
         f"{IAM}:role/platform-prod-postgres-proxy", deploy("prod"),
         {"iam:PermissionsBoundary": BOUNDARY, **_tagging(CREATION_TAGS)}),
    Case("... its tags at creation (iam:TagRole, no resource tag yet)", True, "iam:TagRole",
         f"{IAM}:role/platform-prod-postgres-proxy", deploy("prod"), _tagging(CREATION_TAGS)),
    Case("PutRolePolicy on a prefixed role that carries the boundary", True, "iam:PutRolePolicy",
         f"{IAM}:role/platform-prod-postgres-proxy", deploy("prod"), {"iam:PermissionsBoundary": BOUNDARY}),
    Case("AttachRolePolicy of an allowlisted managed policy (AmazonRDSEnhancedMonitoringRole)", True,
         "iam:AttachRolePolicy", f"{IAM}:role/platform-prod-postgres-monitoring", deploy("prod"),
         {"iam:PermissionsBoundary": BOUNDARY,
          "iam:PolicyARN": "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"}),
    Case("kms:ScheduleKeyDeletion of the stack's own key (a dead-letter key the stack no longer needs)", True,
         "kms:ScheduleKeyDeletion", STACK_KEY, deploy("prod"), {"aws:ResourceTag/pulumi-stack": "prod"},
         resource_policy=STACK_KEY_POLICY),
    Case("PassRole of a prefixed role to RDS", True, "iam:PassRole", f"{IAM}:role/platform-prod-postgres-proxy",
         deploy("prod"), {"iam:PassedToService": "rds.amazonaws.com"}),
    Case("s3:DeleteObjectVersion of a state version by the administrator", True, "s3:DeleteObjectVersion",
         f"{BUCKET}/.pulumi/stacks/platform/prod.json", Principal.role_session(ADMIN),
         {"aws:SecureTransport": True, "s3:TlsVersion": 1.3}, identity="admin", resource_policy="bucket",
         sources={"s3:TlsVersion": SAR_S3}),
)


def _documents(case: Case) -> dict[str, Any]:
    plan = bootstrap_plan(case.account).doc
    policy: Callable[[str], Policy] = lambda name: plan_policy(plan, name)  # noqa: E731
    identity: list[Policy]
    boundary = None
    if case.identity == "deploy":
        identity = [POWER_USER_ACCESS, policy(f"state-deploy-{case.stack}-iam")]
    elif case.identity == "created":
        identity, boundary = [ADMINISTRATOR_ACCESS], policy("state-boundary")
    else:
        identity = [ADMINISTRATOR_ACCESS]
    resource: Policy | None = None
    if isinstance(case.resource_policy, dict):
        resource = Policy.parse(case.resource_policy, name="trust", kind=PolicyKind.RESOURCE)
    elif case.resource_policy == "bucket":
        resource = policy("state-state-policy")
    elif case.resource_policy == "key":
        resource = policy("state-key")
    elif case.resource_policy is not None:
        resource = policy(case.resource_policy)
    return {"identity_policies": identity, "boundary": boundary, "resource_policy": resource}


def decide(case: Case) -> Decision:
    return evaluate(case.request(), **_documents(case))


def _decided_by(decision: Decision) -> str:
    if decision.outcome.value == "implicit-deny":
        return "no Allow matches (implicit deny)"
    names = []
    for statement in decision.statements:
        label = f"{statement.policy.split('.')[0]}{' ' + statement.sid if statement.sid else ''}"
        if label not in names:
            names.append(label)
    return ", ".join(names) or decision.reason


def _keys(case: Case) -> str:
    shown = [f"`{k}={','.join(v) if isinstance(v, list) else str(v).replace(BOUNDARY, '<boundary>')}`"
             for k, v in case.keys.items()
             if not k.startswith(("aws:ResourceTag/", "aws:SecureTransport", "s3:TlsVersion"))]
    tags = [k for k in case.keys if k.startswith("aws:ResourceTag/")]
    if tags:
        shown.append("role/policy tagged `pulumi-project=platform, pulumi-stack=prod`")
    return "; ".join(shown) or "none"


def render_markdown(cases: tuple[Case, ...] = CASES) -> str:
    """The table docs/state-backend.md carries: every case, its expected and evaluated outcome."""
    lines = ["| # | case | principal | action on resource | keys | expected | evaluated | decided by |",
             "|---|---|---|---|---|---|---|---|"]
    for number, case in enumerate(cases, 1):
        decision = decide(case)
        who = case.principal.role_arn.rsplit("/", 1)[-1] if case.principal.role_arn else case.principal.arn
        resource = case.resource.replace(f"arn:aws:iam::{ACCOUNT}:", "").replace(f"-{ACCOUNT}-eu-west-1", "-…")
        lines.append(
            f"| {number} | {case.title} | `{who}`{' (shared account)' if case.account == 'shared' else ''} | "
            f"`{case.action}` on `{resource}` | {_keys(case)} | {'allowed' if case.allowed else 'denied'} | "
            f"{decision.outcome.value} | {_decided_by(decision)} |")
    return "\n".join(lines) + "\n"


def sources(cases: tuple[Case, ...] = CASES) -> dict[str, str]:
    """Every key the cases carry, with the page that documents it (for the closing note)."""
    found: dict[str, str] = {"PowerUserAccess": POWER_USER_SOURCE, "boundaries": BOUNDARIES}
    for case in cases:
        for key in case.request().context:
            found.setdefault(key.name, key.source)
    return found


if __name__ == "__main__":  # pragma: no cover - a printout for docs and the closing note
    print(render_markdown())
    print(json.dumps(sources(), indent=2))
