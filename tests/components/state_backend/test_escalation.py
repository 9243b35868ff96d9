"""The deploy role cannot escalate, and legitimate updates keep working: each case of `escalation.CASES` is
evaluated (ops.iam) against the planned bootstrap's documents, and the boundary admits what the main stacks' roles
do. docs/state-backend.md carries the rendered table; a change to a document that changes an outcome fails here."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from components.aws.kms import key_policy as key_policy_document
from components.backup.checker import starter_policy, topic_key_policy
from components.backup_storage.component import WRITER_KMS_ACTIONS, key_use_policy
from components.postgres.component import bootstrap_policy, proxy_connect_policy
from ops.iam import Context, Outcome, Principal, Request, evaluate, plan_policy
from tests.components.state_backend.escalation import (
    ACCOUNT,
    ADMINISTRATOR_ACCESS,
    CASES,
    IAM,
    POWER_USER_ACCESS,
    Case,
    decide,
    deploy,
    render_markdown,
)
from tests.components.state_backend.plans import bootstrap_plan
from tests.support.plans import plan_stack
from tests.support.stacks import ROOT

SLACK = {"slack": {"workspace_id": "T07EA123LEP", "channel_id": "C07EZ1ABC23"}}
MANAGED_POLICY_REFERENCE = "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.title)
def test_each_case_has_its_required_outcome(case: Case) -> None:
    decision = decide(case)
    assert not decision.unknown, decision.explain()
    assert decision.allowed is case.allowed, decision.explain()


def test_every_escalation_path_of_the_issue_is_a_case() -> None:
    denied = {(c.action, c.identity, c.account) for c in CASES if not c.allowed}
    assert {("iam:TagRole", "deploy", "prod"), ("iam:CreateRole", "deploy", "prod"),
            ("iam:AttachRolePolicy", "deploy", "prod"), ("iam:PutRolePermissionsBoundary", "deploy", "prod"),
            ("iam:DeleteRolePermissionsBoundary", "deploy", "prod"), ("iam:UntagRole", "deploy", "prod"),
            ("iam:UpdateAssumeRolePolicy", "deploy", "prod"), ("sts:AssumeRole", "created", "prod"),
            ("s3:GetObject", "created", "prod"), ("s3:DeleteObjectVersion", "deploy", "prod"),
            ("iam:PutRolePolicy", "deploy", "shared")} <= denied
    allowed = {c.action for c in CASES if c.allowed}
    assert {"iam:TagRole", "iam:CreatePolicyVersion", "iam:CreateRole", "iam:AttachRolePolicy",
            "s3:DeleteObjectVersion"} <= allowed


def test_the_docs_carry_the_evaluated_table() -> None:
    text = (ROOT / "docs" / "state-backend.md").read_text()
    found = re.search(r"<!-- escalation-table -->\n(.*?)<!-- /escalation-table -->", text, re.DOTALL)
    assert found, "docs/state-backend.md lacks the escalation-table block"
    assert found.group(1) == render_markdown(), (
        "docs/state-backend.md's escalation table is stale: paste `python -m tests.components.state_backend."
        "escalation`'s table between the markers")


# ------------------------------------------------------------------------ the boundary admits the stacks' roles
def _main_stack_documents() -> list[tuple[str, dict[str, Any]]]:
    """Every identity policy the main stacks give their roles: the plans' known documents (prod with Slack, so the
    Chatbot role is there, and preview), the builders of those the plan cannot know yet, and the AWS managed
    policies' actions the stacks rely on (RDS enhanced monitoring; AWS Backup for RDS)."""
    documents: list[tuple[str, dict[str, Any]]] = []
    for plan in (plan_stack("prod", alerts=SLACK).plan, plan_stack("preview").plan):
        for resource in plan.resources:
            if resource.type in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"):
                text = resource.inputs.get("policy")
                if isinstance(text, str) and text.startswith("{"):
                    documents.append((resource.name, json.loads(text)))
    arn = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/k"
    for name, text in (
        ("postgres-proxy", proxy_connect_policy(region="eu-west-1", account_id=ACCOUNT, db_resource_id="prx-1",
                                                db_users=["app_user"])),
        ("postgres-bootstrap", bootstrap_policy(
            secret_arn=f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:s", key_arn=arn,
            log_group_arn=f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/lambda/f:*", region="eu-west-1")),
        ("backups-writer-kms", key_use_policy(arn, WRITER_KMS_ACTIONS, region="eu-west-1",
                                              bucket_arn="arn:aws:s3:::b")),
        # The backup checker's key use and its schedule's role (the role policy naming the vault, the restore
        # testing plan and the topic is in the plan above).
        ("backup-checker-topic-key", topic_key_policy(key_arn=arn, region="eu-west-1")),
        ("backup-checker-start", starter_policy(
            state_machine_arn=f"arn:aws:states:eu-west-1:{ACCOUNT}:stateMachine:platform-prod-backup-checker",
            queue_arn=f"arn:aws:sqs:eu-west-1:{ACCOUNT}:platform-prod-backup-checker-dlq", key_arn=arn)),
    ):
        documents.append((name, json.loads(text)))
    documents.append(("jobs", {"Statement": [
        {"Effect": "Allow", "Action": ["events:PutEvents"],
         "Resource": f"arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/b"},
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": f"arn:aws:sqs:eu-west-1:{ACCOUNT}:q"},
        {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": arn},
        {"Effect": "Allow", "Action": ["events:InvokeApiDestination"],
         "Resource": f"arn:aws:events:eu-west-1:{ACCOUNT}:api-destination/d/x"}]}))
    documents.append(("AmazonRDSEnhancedMonitoringRole (" + MANAGED_POLICY_REFERENCE + ")", {"Statement": [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:CreateLogStream",
                                       "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"],
         "Resource": f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:RDSOSMetrics"}]}))
    documents.append(("AWSBackupServiceRolePolicyForBackup/ForRestores, RDS part (" + MANAGED_POLICY_REFERENCE + ")",
                      {"Statement": [
        {"Effect": "Allow", "Action": ["rds:CreateDBSnapshot", "rds:CopyDBSnapshot", "rds:AddTagsToResource",
                                       "rds:RestoreDBInstanceFromDBSnapshot", "rds:DeleteDBInstance",
                                       "rds:DescribeDBSnapshots"],
         "Resource": f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:platform-prod"},
        {"Effect": "Allow", "Action": ["backup:CopyIntoBackupVault", "backup:DescribeBackupVault"],
         "Resource": f"arn:aws:backup:eu-central-1:{ACCOUNT}:backup-vault:v"},
        {"Effect": "Allow", "Action": ["tag:GetResources"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["kms:CreateGrant", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext",
                                       "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant"],
         "Resource": arn}]}))
    return documents


# Concrete actions for the wildcards the stacks' policies use.
_CONCRETE = {"cloudwatch:Describe*": "cloudwatch:DescribeAlarms", "cloudwatch:Get*": "cloudwatch:GetMetricData",
             "cloudwatch:List*": "cloudwatch:ListMetrics"}


def test_the_boundary_admits_every_action_of_the_stacks_roles() -> None:
    boundary = plan_policy(bootstrap_plan("prod").doc, "state-boundary")
    role = Principal.role_session(f"{IAM}:role/platform-prod-role")
    refused = []
    for name, document in _main_stack_documents():
        for statement in document["Statement"]:
            if statement["Effect"] != "Allow":
                continue
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement.get("Resource", "*")
            resource = resources[0] if isinstance(resources, list) else resources
            for pattern in actions:
                action = _CONCRETE.get(pattern, pattern.replace("*", ""))
                request = Request(action, resource, role, Context(), resource_account=ACCOUNT)
                # The stacks' keys delegate to IAM through the root statement (components/aws/kms.py).
                key_policy = json.loads(key_policy_document(account_id=ACCOUNT, region="eu-west-1"))
                decision = evaluate(request, identity_policies=[ADMINISTRATOR_ACCESS], boundary=boundary,
                                    resource_policy=key_policy if action.startswith("kms:") else None)
                if not decision.allowed:
                    refused.append(f"{name}: {action} on {resource}: {decision.outcome.value}")
    assert not refused, "the boundary refuses what a stack's role does:\n" + "\n".join(refused)


def test_the_boundary_names_no_unknown_and_denies_iam_even_if_attached_everything() -> None:
    boundary = plan_policy(bootstrap_plan("prod").doc, "state-boundary")
    assert boundary.unknown is None
    role = Principal.role_session(f"{IAM}:role/platform-prod-role")
    for action in ("iam:CreateUser", "iam:AttachRolePolicy", "organizations:LeaveOrganization"):
        decision = evaluate(Request(action, "*", role), identity_policies=[ADMINISTRATOR_ACCESS], boundary=boundary)
        assert decision.outcome == Outcome.EXPLICIT_DENY, decision.explain()


# Roles another identity hands to its service: the app team's deploy passes the backup writer role to its compute.
PASSED_BY_OTHERS = {"backups-writer"}


def test_the_deploy_role_may_pass_each_stack_role_to_the_service_that_assumes_it() -> None:
    """Creating a state machine, a schedule, a function, ... passes its role (iam:PassRole with iam:PassedToService,
    IAM User Guide, "Granting a user permissions to pass a role to an AWS service"): the deploy role must be allowed
    it for every service a main stack's role trusts."""
    refused = []
    for stack, plan in (("prod", plan_stack("prod", alerts=SLACK).plan), ("preview", plan_stack("preview").plan)):
        deploy_iam = plan_policy(bootstrap_plan(stack).doc, f"state-deploy-{stack}-iam")
        for role in plan.resources:
            if role.type != "aws:iam/role:Role" or role.name in PASSED_BY_OTHERS:
                continue
            for statement in json.loads(role.inputs["assumeRolePolicy"])["Statement"]:
                services = statement.get("Principal", {}).get("Service", [])
                for service in [services] if isinstance(services, str) else services:
                    request = Request("iam:PassRole", f"{IAM}:role/{role.inputs['name']}", deploy(stack),
                                      Context({"iam:PassedToService": (service, "Service Authorization Reference, "
                                                                       "IAM, iam:PassedToService")}),
                                      resource_account=ACCOUNT)
                    decision = evaluate(request, identity_policies=[POWER_USER_ACCESS, deploy_iam])
                    if not decision.allowed:
                        refused.append(f"{stack} {role.name} -> {service}: {decision.outcome.value}")
    assert not refused, "the deploy role cannot pass:\n" + "\n".join(refused)
