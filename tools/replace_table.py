"""Regenerate `ops/replace_table.json`: the input properties whose change makes each provider replace a resource.

    .venv/bin/python tools/replace_table.py \\
        --aws /path/to/terraform-provider-aws@<ref> \\
        --cloudflare /path/to/terraform-provider-cloudflare@<ref> \\
        --github /path/to/terraform-provider-github@<ref> [--check]

Each provider path is a git directory (a clone or a mirror); `@<ref>` names the tag or branch read. Nothing is
built or run from those repositories: their Go source is read as text with `git show`.

What is read, per provider:
- Terraform plugin SDK v2 resources (AWS, GitHub): the resource's `Schema: map[string]*schema.Schema{...}`;
  an attribute with `ForceNew: true` forces replacement (also inside a nested block: `block.attribute`). An
  attribute whose schema is built by a function call cannot be read, and a `CustomizeDiff` that calls
  `ForceNew*` forces replacement only sometimes: both are "may replace".
- Terraform plugin framework resources (Cloudflare v5, newer AWS ones): an attribute whose `PlanModifiers` hold
  `RequiresReplace()` forces replacement; `RequiresReplaceIf*` are "may replace".
- azure-native (not Terraform): the provider replaces a resource when a parameter of its resource path changes,
  when a property marked `x-ms-mutability` without `update` changes, or one listed in `forceNewMap`
  (pulumi-azure-native `provider/pkg/provider/diff.go`, `provider/pkg/gen/replacement.go`). The path parameters
  are read from the pinned SDK (the inputs the `get_<resource>` function also takes); `forceNewMap`'s entries are
  quoted below with their source. x-ms-mutability is not read (the specs are not here): any other change is
  "may replace".

Terraform names become Pulumi names as the bridge does (snake_case to camelCase); every name is then checked
against the pinned Python SDK's input properties, and one the SDK does not have is reported, not kept.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "ops" / "replace_table.json"

# type token -> (provider, path in the provider repository, the resource's constructor or schema function).
AWS = "hashicorp/terraform-provider-aws (Pulumi's fork pulumi/terraform-provider-aws, the source pulumi-aws builds)"
SOURCES: dict[str, tuple[str, str, str]] = {
    "aws:ec2/vpc:Vpc": ("aws", "internal/service/ec2/vpc_.go", "ResourceVPC"),
    "aws:ec2/subnet:Subnet": ("aws", "internal/service/ec2/vpc_subnet.go", "ResourceSubnet"),
    "aws:ec2/securityGroup:SecurityGroup": ("aws", "internal/service/ec2/vpc_security_group.go",
                                            "ResourceSecurityGroup"),
    "aws:ec2/natGateway:NatGateway": ("aws", "internal/service/ec2/vpc_nat_gateway.go", "ResourceNATGateway"),
    "aws:ec2/eip:Eip": ("aws", "internal/service/ec2/ec2_eip.go", "ResourceEIP"),
    "aws:rds/instance:Instance": ("aws", "internal/service/rds/instance.go", "ResourceInstance"),
    "aws:rds/subnetGroup:SubnetGroup": ("aws", "internal/service/rds/subnet_group.go", "ResourceSubnetGroup"),
    "aws:rds/parameterGroup:ParameterGroup": ("aws", "internal/service/rds/parameter_group.go",
                                              "ResourceParameterGroup"),
    "aws:rds/proxy:Proxy": ("aws", "internal/service/rds/proxy.go", "ResourceProxy"),
    "aws:elasticache/user:User": ("aws", "internal/service/elasticache/user.go", "ResourceUser"),
    "aws:elasticache/userGroup:UserGroup": ("aws", "internal/service/elasticache/user_group.go",
                                            "ResourceUserGroup"),
    "aws:s3/bucket:Bucket": ("aws", "internal/service/s3/bucket.go", "ResourceBucket"),
    "aws:backup/vault:Vault": ("aws", "internal/service/backup/vault.go", "ResourceVault"),
    "aws:kms/key:Key": ("aws", "internal/service/kms/key.go", "ResourceKey"),
    "aws:sqs/queue:Queue": ("aws", "internal/service/sqs/queue.go", "ResourceQueue"),
    "aws:cloudwatch/logGroup:LogGroup": ("aws", "internal/service/logs/group.go", "resourceGroup"),
    "aws:backup/plan:Plan": ("aws", "internal/service/backup/plan.go", "ResourcePlan"),
    "aws:backup/selection:Selection": ("aws", "internal/service/backup/selection.go", "ResourceSelection"),
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": (
        "aws", "internal/service/backup/vault_lock_configuration.go", "ResourceVaultLockConfiguration"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("aws", "internal/service/cloudwatch/metric_alarm.go",
                                               "ResourceMetricAlarm"),
    "aws:ec2/flowLog:FlowLog": ("aws", "internal/service/ec2/vpc_flow_log.go", "ResourceFlowLog"),
    "aws:s3/bucketPolicy:BucketPolicy": ("aws", "internal/service/s3/bucket_policy.go", "ResourceBucketPolicy"),
    "aws:s3/bucketVersioning:BucketVersioning": ("aws", "internal/service/s3/bucket_versioning.go",
                                                 "ResourceBucketVersioning"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        "aws", "internal/service/s3/bucket_public_access_block.go", "ResourceBucketPublicAccessBlock"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws", "internal/service/s3/bucket_server_side_encryption_configuration.go",
        "ResourceBucketServerSideEncryptionConfiguration"),
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": (
        "aws", "internal/service/rds/proxy_default_target_group.go", "ResourceProxyDefaultTargetGroup"),
    "aws:rds/proxyTarget:ProxyTarget": ("aws", "internal/service/rds/proxy_target.go", "ResourceProxyTarget"),
    "aws:rds/eventSubscription:EventSubscription": ("aws", "internal/service/rds/event_subscription.go",
                                                    "ResourceEventSubscription"),
    "aws:sns/topic:Topic": ("aws", "internal/service/sns/topic.go", "ResourceTopic"),
    "aws:sns/topicSubscription:TopicSubscription": ("aws", "internal/service/sns/topic_subscription.go",
                                                    "ResourceTopicSubscription"),
    "aws:sns/topicPolicy:TopicPolicy": ("aws", "internal/service/sns/topic_policy.go", "ResourceTopicPolicy"),
    "aws:sqs/queuePolicy:QueuePolicy": ("aws", "internal/service/sqs/queue_policy.go", "ResourceQueuePolicy"),
    "aws:scheduler/schedule:Schedule": ("aws", "internal/service/scheduler/schedule.go", "resourceSchedule"),
    "aws:route53/healthCheck:HealthCheck": ("aws", "internal/service/route53/health_check.go",
                                            "ResourceHealthCheck"),
    "aws:budgets/budget:Budget": ("aws", "internal/service/budgets/budget.go", "ResourceBudget"),
    # The network around what holds data: a replaced VPC takes its route tables, their associations, the default
    # security group and every security group rule with it (their vpc_id / subnet_id / security_group_id).
    "aws:ec2/routeTable:RouteTable": ("aws", "internal/service/ec2/vpc_route_table.go", "ResourceRouteTable"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": (
        "aws", "internal/service/ec2/vpc_route_table_association.go", "ResourceRouteTableAssociation"),
    "aws:ec2/route:Route": ("aws", "internal/service/ec2/vpc_route.go", "ResourceRoute"),
    "aws:ec2/internetGateway:InternetGateway": ("aws", "internal/service/ec2/vpc_internet_gateway.go",
                                                "ResourceInternetGateway"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (
        "aws", "internal/service/ec2/vpc_default_security_group.go", "ResourceDefaultSecurityGroup"),
    # Both rule types share one framework schema (resourceSecurityGroupRule, in the ingress rule's file).
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "aws", "internal/service/ec2/vpc_security_group_ingress_rule.go", "resourceSecurityGroupRule.Schema"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "aws", "internal/service/ec2/vpc_security_group_ingress_rule.go", "resourceSecurityGroupRule.Schema"),
    # What guards, reaches or reads the data: keys' aliases, roles and policies, buckets' side resources, the jobs.
    "aws:kms/alias:Alias": ("aws", "internal/service/kms/alias.go", "ResourceAlias"),
    "aws:iam/role:Role": ("aws", "internal/service/iam/role.go", "ResourceRole"),
    "aws:iam/rolePolicy:RolePolicy": ("aws", "internal/service/iam/role_policy.go", "ResourceRolePolicy"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("aws", "internal/service/iam/role_policy_attachment.go",
                                                          "ResourceRolePolicyAttachment"),
    "aws:iam/policy:Policy": ("aws", "internal/service/iam/policy.go", "ResourcePolicy"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (
        "aws", "internal/service/iam/openid_connect_provider.go", "ResourceOpenIDConnectProvider"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        "aws", "internal/service/s3/bucket_lifecycle_configuration.go", "ResourceBucketLifecycleConfiguration"),
    "aws:s3/bucketLogging:BucketLogging": ("aws", "internal/service/s3/bucket_logging.go", "ResourceBucketLogging"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (
        "aws", "internal/service/s3/bucket_ownership_controls.go", "ResourceBucketOwnershipControls"),
    "aws:cloudwatch/eventApiDestination:EventApiDestination": ("aws", "internal/service/events/api_destination.go",
                                                               "ResourceAPIDestination"),
    "aws:cloudwatch/eventBus:EventBus": ("aws", "internal/service/events/bus.go", "ResourceBus"),
    "aws:cloudwatch/eventConnection:EventConnection": ("aws", "internal/service/events/connection.go",
                                                       "ResourceConnection"),
    "aws:cloudwatch/eventRule:EventRule": ("aws", "internal/service/events/rule.go", "ResourceRule"),
    "aws:cloudwatch/eventTarget:EventTarget": ("aws", "internal/service/events/target.go", "ResourceTarget"),
    "aws:scheduler/scheduleGroup:ScheduleGroup": ("aws", "internal/service/scheduler/schedule_group.go",
                                                  "ResourceScheduleGroup"),
    "aws:sfn/stateMachine:StateMachine": ("aws", "internal/service/sfn/state_machine.go", "ResourceStateMachine"),
    "aws:lambda/function:Function": ("aws", "internal/service/lambda/function.go", "ResourceFunction"),
    "aws:lambda/invocation:Invocation": ("aws", "internal/service/lambda/invocation.go", "ResourceInvocation"),
    "cloudflare:index/ruleset:Ruleset": ("cloudflare", "internal/services/ruleset/schema.go", "ResourceSchema"),
    "cloudflare:index/zoneSetting:ZoneSetting": ("cloudflare", "internal/services/zone_setting/schema.go",
                                                 "ResourceSchema"),
    "cloudflare:index/zoneDnssec:ZoneDnssec": ("cloudflare", "internal/services/zone_dnssec/schema.go",
                                               "ResourceSchema"),
    "cloudflare:index/zoneSubscription:ZoneSubscription": (
        "cloudflare", "internal/services/zone_subscription/schema.go", "ResourceSchema"),
    "cloudflare:index/originCaCertificate:OriginCaCertificate": (
        "cloudflare", "internal/services/origin_ca_certificate/schema.go", "ResourceSchema"),
    "cloudflare:index/notificationPolicy:NotificationPolicy": (
        "cloudflare", "internal/services/notification_policy/schema.go", "ResourceSchema"),
    "cloudflare:index/zone:Zone": ("cloudflare", "internal/services/zone/schema.go", "ResourceSchema"),
    "cloudflare:index/dnsRecord:DnsRecord": ("cloudflare", "internal/services/dns_record/schema.go",
                                             "ResourceSchema"),
    "github:index/repositoryEnvironment:RepositoryEnvironment": (
        "github", "github/resource_github_repository_environment.go", "resourceGithubRepositoryEnvironment"),
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": (
        "github", "github/resource_github_actions_environment_secret.go", "resourceGithubActionsEnvironmentSecret"),
    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": (
        "github", "github/resource_github_actions_environment_variable.go",
        "resourceGithubActionsEnvironmentVariable"),
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": (
        "github", "github/resource_github_repository_environment_deployment_policy.go",
        "resourceGithubRepositoryEnvironmentDeploymentPolicy"),
    "github:index/repositoryRuleset:RepositoryRuleset": (
        "github", "github/resource_github_repository_ruleset.go", "resourceGithubRepositoryRuleset"),
    "azure-native:resources:ResourceGroup": ("azure-native", "", ""),
    "azure-native:storage:StorageAccount": ("azure-native", "", ""),
    "azure-native:storage:BlobContainer": ("azure-native", "", ""),
    "azure-native:storage:BlobServiceProperties": ("azure-native", "", ""),
    "azure-native:storage:ManagementPolicy": ("azure-native", "", ""),
    "azure-native:authorization:ManagementLockByScope": ("azure-native", "", ""),
    "azure-native:authorization:RoleAssignment": ("azure-native", "", ""),
    "azure-native:authorization:RoleDefinition": ("azure-native", "", ""),
    "azure-native:managedidentity:UserAssignedIdentity": ("azure-native", "", ""),
    "azure-native:managedidentity:FederatedIdentityCredential": ("azure-native", "", ""),
}

# Read by hand where the source above lacks the resource (it was added after the fork's newest branch): the
# framework schema's `RequiresReplace()` attributes, with the file and commit they were read from.
READ_BY_HAND: dict[str, dict[str, Any]] = {
    "aws:elasticache/serverlessCache:ServerlessCache": {
        # resourceServerlessCache.Schema: RequiresReplace() on kms_key_id, name, snapshot_arns_to_restore and
        # subnet_ids; RequiresReplaceIf on engine (redis <-> valkey switches in place) and major_engine_version (a
        # valkey upgrade is in place); security_group_ids, daily_snapshot_time, snapshot_retention_limit,
        # user_group_id and cache_usage_limits update in place (ModifyServerlessCache).
        "forces": ["kmsKeyId", "name", "snapshotArnsToRestores", "subnetIds"],
        "mayForce": ["engine", "majorEngineVersion"],
        "source": {
            "repository": "hashicorp/terraform-provider-aws",
            "path": "internal/service/elasticache/serverless_cache.go",
            "commit": "00a919d1548eb437816d4838f320502ad34183ff (and a newer stored copy with the in-place engine "
            "switch, whose RequiresReplaceIf this row follows)",
            "how": "plan modifiers of resourceServerlessCache.Schema, read by hand: the resource postdates the fork",
        },
    },
}

_RESTORE_TESTING = "hashicorp/terraform-provider-aws"
READ_BY_HAND.update({
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": {
        # restoreTestingPlanResource.Schema: `names.AttrName: ... stringplanmodifier.RequiresReplace()`; the schedule,
        # its timezone, start_window_hours and recovery_point_selection update in place (UpdateRestoreTestingPlan).
        "forces": ["name"],
        "mayForce": [],
        "source": {
            "repository": _RESTORE_TESTING,
            "path": "internal/service/backup/restore_testing_plan.go",
            "commit": "108f85fd2bfcd9e85ed93fddb752c5cc10dba1ff",
            "how": "plan modifiers of restoreTestingPlanResource.Schema, read by hand: the resource postdates the fork",
        },
    },
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": {
        # restoreTestingSelectionResource.Schema: RequiresReplace() on name, protected_resource_type and
        # restore_testing_plan_name; iam_role_arn, protected_resource_arns/conditions, restore_metadata_overrides
        # and validation_window_hours update in place (UpdateRestoreTestingSelection).
        "forces": ["name", "protectedResourceType", "restoreTestingPlanName"],
        "mayForce": [],
        "source": {
            "repository": _RESTORE_TESTING,
            "path": "internal/service/backup/restore_testing_selection.go",
            "commit": "00a35305dc1b297a6fcdecdfbba33f1e63c3da39",
            "how": "plan modifiers of restoreTestingSelectionResource.Schema, read by hand: the resource postdates "
            "the fork",
        },
    },
})

_RANDOM = "hashicorp/terraform-provider-random"
READ_BY_HAND.update({
    # A replaced password is a new secret: the cache users' and the jobs' auth secret change, and whatever holds the
    # old one (the app, its job endpoints) fails until it follows. Every input has RequiresReplace (keepers only when
    # its values are not null; override_special unless it goes from "" to null): passwordSchemaV3.
    "random:index/randomPassword:RandomPassword": {
        "forces": ["keepers", "length", "lower", "minLower", "minNumeric", "minSpecial", "minUpper", "number",
                   "numeric", "overrideSpecial", "special", "upper"],
        "mayForce": [],
        "source": {
            "repository": _RANDOM,
            "path": "internal/provider/resource_password.go",
            "commit": "c054b4769837f07ce6dcff3eeaea47f16f1000b6",
            "how": "plan modifiers of passwordSchemaV3, read by hand: the random provider is not mirrored here",
        },
    },
    # The final snapshot's name suffix: keepers, byte_length and prefix have RequiresReplace (idResource.Schema).
    "random:index/randomId:RandomId": {
        "forces": ["byteLength", "keepers", "prefix"],
        "mayForce": [],
        "source": {
            "repository": _RANDOM,
            "path": "internal/provider/resource_id.go",
            "commit": "2ed443ca906e9909a88806c285af4b8dec43b725",
            "how": "plan modifiers of idResource.Schema, read by hand: the random provider is not mirrored here",
        },
    },
})

# pulumi-azure-native provider/pkg/gen/replacement.go, `forceNewMap` (read at commit 1b7112af33c6):
#   "Resources": {"ResourceGroup": codegen.NewStringSet("location")},
#   "Storage": {"BlobContainer": codegen.NewStringSet(), // no force-news
#               "StorageAccount": codegen.NewStringSet("isHnsEnabled", "location")},
AZURE_FORCE_NEW_MAP: dict[str, list[str]] = {
    "azure-native:resources:ResourceGroup": ["location"],
    "azure-native:storage:StorageAccount": ["isHnsEnabled", "location"],
    "azure-native:storage:BlobContainer": [],
    # Not in forceNewMap (read at the same commit): only their path parameters and "*" (any other change may
    # replace: their create-only properties, willReplaceOnChanges in the provider's schema, are not read here).
    "azure-native:storage:BlobServiceProperties": [],
    "azure-native:storage:ManagementPolicy": [],
    "azure-native:authorization:ManagementLockByScope": [],
    "azure-native:authorization:RoleAssignment": [],
    "azure-native:authorization:RoleDefinition": [],
    "azure-native:managedidentity:UserAssignedIdentity": [],
    "azure-native:managedidentity:FederatedIdentityCredential": [],
}
AZURE_SOURCE = {
    "repository": "pulumi/pulumi-azure-native",
    "path": "provider/pkg/provider/diff.go (path parameters), provider/pkg/gen/replacement.go (forceNewMap)",
    "commit": "1b7112af33c62b247daed1028686bf279f4d5e69 (replacement.go), 03707ff7fc10 (diff.go)",
    "how": "path parameters from the pinned SDK (inputs its get function also takes) plus forceNewMap; "
    "x-ms-mutability create-only properties are not read, so any other change may replace",
}

# Fields pulumi-aws renames (its resources.go): the pinned SDK's docstring names what the Terraform field is.
RENAMES: dict[tuple[str, str], str] = {
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm_name"): "name",  # "The descriptive name for the alarm"
    ("aws:sns/topicSubscription:TopicSubscription", "topic_arn"): "topic",  # "ARN of the SNS topic to subscribe to"
    ("aws:lambda/function:Function", "function_name"): "name",  # "Unique name for your Lambda Function."
}

# TF AWS v6 adds `region` to every regional resource: "Changing the value of `region` will force resource
# replacement." (hashicorp/terraform-provider-aws website/docs/guides/enhanced-region-support.html.markdown,
# read at commit 0cb788ce0d5a). The fork read above predates v6, so it is added to every type whose pinned SDK
# has a `region` input.
REGION_NOTE = "region (TF AWS v6 enhanced region support: changing it forces replacement)"


# ------------------------------------------------------------------------------------------------------------
# Go source as tokens: just enough to match braces and read `key: value` pairs.
# ------------------------------------------------------------------------------------------------------------
_TOKEN = re.compile(
    r'(?P<comment>//[^\n]*|/\*.*?\*/)|(?P<string>"(?:\\.|[^"\\])*"|`[^`]*`)|(?P<rune>\'(?:\\.|[^\'\\])+\')'
    r"|(?P<open>[{(\[])|(?P<close>[})\]])|(?P<other>[^\s{}()\[\]\"'`/:,]+|[/:,])",
    re.S,
)


@dataclass
class Token:
    kind: str
    text: str


def tokens(source: str) -> list[Token]:
    out = []
    for m in _TOKEN.finditer(source):
        kind = m.lastgroup or "other"
        if kind != "comment":
            out.append(Token(kind, m.group()))
    return out


def _close(toks: list[Token], start: int) -> int:
    """Index of the token closing the bracket opened at `start`."""
    depth = 0
    for i in range(start, len(toks)):
        if toks[i].kind == "open":
            depth += 1
        elif toks[i].kind == "close":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced brackets")


def _find(toks: list[Token], start: int, end: int, texts: tuple[str, ...]) -> int:
    """First index in [start, end) where the token texts follow one another."""
    for i in range(start, end - len(texts) + 1):
        if all(toks[i + j].text == t for j, t in enumerate(texts)):
            return i
    return -1


def _entries(toks: list[Token], open_at: int) -> list[tuple[str, int, int]]:
    """The `key: value` entries of the composite literal opened at `open_at`: (key, value start, value end)."""
    end = _close(toks, open_at)
    out: list[tuple[str, int, int]] = []
    i = open_at + 1
    while i < end:
        key_start = i
        while i < end and toks[i].text != ":":
            i = _close(toks, i) + 1 if toks[i].kind == "open" else i + 1
        if i >= end:
            break
        key = "".join(t.text for t in toks[key_start:i])
        i += 1
        value_start = i
        while i < end and toks[i].text != ",":
            i = _close(toks, i) + 1 if toks[i].kind == "open" else i + 1
        out.append((key, value_start, i))
        i += 1
    return out


def _text(toks: list[Token], start: int, end: int) -> str:
    return " ".join(t.text for t in toks[start:end])


@dataclass
class Extracted:
    forces: set[str] = field(default_factory=set)
    may_force: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


class GoPackage:
    """String constants of a package (and of `names`) so that `names.AttrName` keys resolve to "name"."""

    def __init__(self, git_dir: Path, ref: str, package_dir: str) -> None:
        self.consts: dict[str, str] = {}
        for path in (package_dir, "names"):
            listing = _git(git_dir, "ls-tree", "--name-only", f"{ref}:{path}", check=False)
            for name in listing.split():
                if name.endswith(".go") and not name.endswith("_test.go"):
                    source = _git(git_dir, "show", f"{ref}:{path}/{name}")
                    prefix = "names." if path == "names" else ""
                    for const, value in re.findall(r'^\s*(\w+)\s*(?:string\s*)?=\s*"([^"]*)"', source, re.M):
                        self.consts.setdefault(prefix + const, value)

    def key(self, raw: str) -> str | None:
        raw = raw.strip()
        if raw.startswith('"') and raw.endswith('"'):
            return raw[1:-1]
        return self.consts.get(raw)


def _sdkv2_schema(toks: list[Token], open_at: int, package: GoPackage, prefix: str, out: Extracted) -> None:
    for key, start, end in _entries(toks, open_at):
        name = package.key(key)
        if name is None:
            out.notes.append(f"unresolved key {key}")
            continue
        value = _text(toks, start, end)
        if not value.startswith("{"):
            if "Tags" not in value:  # tftags.TagsSchema*() never force replacement
                out.may_force.add(prefix + name)
                out.notes.append(f"{prefix + name}: schema built by {value[:60]}")
            continue
        fields = {k.strip(): (s, e) for k, s, e in _entries(toks, start)}
        force = fields.get("ForceNew")
        if force is not None and _text(toks, *force).strip() == "true":
            out.forces.add(prefix + name)
        elem = fields.get("Elem")
        if elem is not None:
            nested = _find(toks, elem[0], elem[1], ("map", "[", "string", "]", "*schema.Schema"))
            if nested >= 0:
                _sdkv2_schema(toks, nested + 5, package, f"{prefix}{name}.", out)


def extract_sdkv2(source: str, function: str, package: GoPackage) -> Extracted:
    toks = tokens(source)
    out = Extracted()
    at = _find(toks, 0, len(toks), ("func", function))
    if at < 0:
        raise LookupError(f"no func {function}")
    body = _find(toks, at, len(toks), ("{",))
    # The function's body: skip the parameter list and result type to the first brace at depth 0.
    body_end = _close(toks, body)
    schema = _find(toks, body, body_end, ("map", "[", "string", "]", "*schema.Schema"))
    named = _find(toks, body, body_end, ("Schema", ":"))
    if named >= 0 and toks[named + 2].kind == "other" and toks[named + 2].text != "map":
        # `Schema: queueSchema,`: a package-level variable holds the map.
        variable = toks[named + 2].text
        schema = _find(toks, 0, len(toks), (variable, "=", "map", "[", "string", "]", "*schema.Schema")) + 2
    if schema < 0:
        raise LookupError(f"no schema map in {function}")
    _sdkv2_schema(toks, schema + 5, package, "", out)
    # A diff function that calls `ForceNew("attr")` replaces only on some values (e.g. a VPC's tenancy).
    for key in re.findall(r"\.ForceNew\(\s*(\"[^\"]+\"|[\w.]+)\s*\)", source):
        name = package.key(key)
        if name and name not in out.forces:
            out.may_force.add(name)
    customize = _find(toks, body, body_end, ("CustomizeDiff", ":"))
    if customize >= 0:
        window = _text(toks, customize, min(customize + 400, body_end))
        for key in re.findall(r"ForceNewIf\w*\s*\(\s*(\"[^\"]+\"|[\w.]+)", window):
            name = package.key(key)
            if name:
                out.may_force.add(name)
    return out


_PLAN_MODIFIER = re.compile(r"(\w+planmodifier)\.(RequiresReplace\w*)\s*\(")


def _framework_attributes(toks: list[Token], open_at: int, package: GoPackage, prefix: str,
                          out: Extracted) -> None:
    for key, start, end in _entries(toks, open_at):
        name = package.key(key)
        if name is None:
            out.notes.append(f"unresolved key {key}")
            continue
        value = _text(toks, start, end)
        brace = next((i for i in range(start, end) if toks[i].text == "{"), -1)
        if brace < 0:
            if "Tags" not in value and "IDAttribute" not in value and "ARNAttribute" not in value:
                out.may_force.add(prefix + name)
                out.notes.append(f"{prefix + name}: attribute built by {value[:60]}")
            continue
        fields = {k.strip(): (s, e) for k, s, e in _entries(toks, brace)}
        modifiers = fields.get("PlanModifiers")
        if modifiers is not None:
            for _, kind in _PLAN_MODIFIER.findall(_text(toks, *modifiers).replace(" ", "")):
                (out.forces if kind == "RequiresReplace" else out.may_force).add(prefix + name)
        nested = fields.get("Attributes")
        if nested is not None:
            inner = next((i for i in range(nested[0], nested[1]) if toks[i].text == "{"), -1)
            if inner >= 0:
                _framework_attributes(toks, inner, package, f"{prefix}{name}.", out)


def extract_framework(source: str, function: str, package: GoPackage) -> Extracted:
    toks = tokens(source)
    out = Extracted()
    # `receiver.Method` names a method: `func (r *receiver) Method(...)`.
    receiver, _, method = function.rpartition(".")
    at = _find(toks, 0, len(toks), ("*" + receiver, ")", method) if receiver else ("func", function))
    if at < 0:
        raise LookupError(f"no func {function}")
    body = _find(toks, at, len(toks), ("{",))
    body_end = _close(toks, body)
    attrs = _find(toks, body, body_end, ("Attributes", ":"))
    if attrs < 0:
        raise LookupError(f"no Attributes in {function}")
    brace = next(i for i in range(attrs, body_end) if toks[i].text == "{")
    _framework_attributes(toks, brace, package, "", out)
    return out


def _git(git_dir: Path, *args: str, check: bool = True) -> str:
    run = subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, text=True, check=False)
    if check and run.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {run.stderr.strip()}")
    return run.stdout if run.returncode == 0 else ""


# ------------------------------------------------------------------------------------------------------------
# Pulumi names, checked against the pinned SDK.
# ------------------------------------------------------------------------------------------------------------
_MODULES = {"aws": "pulumi_aws", "cloudflare": "pulumi_cloudflare", "github": "pulumi_github",
            "azure-native": "pulumi_azure_native", "random": "pulumi_random"}


def _sdk_class(type_token: str) -> type:
    package, module, name = type_token.split(":")
    module_path = module.split("/")[0]
    # Python keywords get a trailing underscore in the SDK's module names (`lambda` is `pulumi_aws.lambda_`).
    module_path += "_" if module_path in ("lambda",) else ""
    path = _MODULES[package] + ("" if module_path == "index" else "." + module_path)
    return getattr(importlib.import_module(path), name)


def sdk_inputs(type_token: str) -> dict[str, str]:
    """The resource's input properties in the pinned SDK: Python name -> wire (Pulumi) name."""
    from pulumi._types import input_type_py_to_pulumi_names  # noqa: PLC0415

    cls = _sdk_class(type_token)
    module = importlib.import_module(cls.__module__)
    # Codegen names the resource's args `<Name>InitArgs` when `<Name>Args` is taken by a nested input type.
    args = getattr(module, f"{cls.__name__}InitArgs", None) or getattr(module, f"{cls.__name__}Args")
    return dict(input_type_py_to_pulumi_names(args))


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def to_pulumi(type_token: str, terraform_paths: set[str], unmapped: list[str]) -> list[str]:
    inputs = sdk_inputs(type_token)
    out = []
    for path in sorted(terraform_paths):
        top, _, rest = path.partition(".")
        if top in ("id", "arn", "tags_all"):
            continue
        # The bridge pluralizes list blocks (`selection_tag` -> `selectionTags`); a few fields are renamed.
        wire = (inputs.get(top) or inputs.get(top + "s") or inputs.get(top[:-1] + "ies")
                or inputs.get(RENAMES.get((type_token, top), "")))
        if wire is None:
            unmapped.append(path)  # computed-only in Terraform, or renamed by the bridge: not an input here
            continue
        out.append(wire + ("." + ".".join(_camel(p) for p in rest.split(".")) if rest else ""))
    return sorted(set(out))


def azure_path_parameters(type_token: str) -> list[str]:
    """Inputs the resource's `get_<name>` function also takes: the parameters of its resource path."""
    cls = _sdk_class(type_token)
    module = importlib.import_module(cls.__module__.rsplit(".", 1)[0])
    getter = getattr(module, "get_" + re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower())
    inputs = sdk_inputs(type_token)
    return sorted(inputs[p] for p in inspect.signature(getter).parameters if p in inputs)


def build(sources: dict[str, tuple[Path, str]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    packages: dict[tuple[str, str], GoPackage] = {}
    for type_token, (provider, path, function) in sorted(SOURCES.items()):
        unmapped: list[str] = []
        if provider == "azure-native":
            forces = sorted(set(azure_path_parameters(type_token)) | set(AZURE_FORCE_NEW_MAP[type_token]))
            table[type_token] = {"forces": forces, "mayForce": ["*"], "source": AZURE_SOURCE}
            continue
        git_dir, ref = sources[provider]
        commit = _git(git_dir, "rev-parse", f"{ref}^{{commit}}").strip()
        package_dir = path.rsplit("/", 1)[0]
        package = packages.setdefault((provider, package_dir), GoPackage(git_dir, ref, package_dir))
        source = _git(git_dir, "show", f"{ref}:{path}")
        framework = "planmodifier" in source and "map[string]*schema.Schema" not in source
        extracted = (extract_framework if framework else extract_sdkv2)(source, function, package)
        forces = to_pulumi(type_token, extracted.forces, unmapped)
        may = [p for p in to_pulumi(type_token, extracted.may_force, unmapped) if p not in forces]
        if provider == "aws" and "region" in sdk_inputs(type_token):
            forces = sorted({*forces, "region"})
        entry: dict[str, Any] = {
            "forces": forces,
            "mayForce": may,
            "source": {
                "repository": {"aws": "pulumi/terraform-provider-aws", "cloudflare":
                               "cloudflare/terraform-provider-cloudflare", "github":
                               "integrations/terraform-provider-github"}[provider],
                "ref": ref,
                "commit": commit,
                "path": path,
                "how": "RequiresReplace plan modifiers" if framework else "ForceNew schema attributes",
            },
        }
        if unmapped:
            entry["notAnInput"] = sorted(set(unmapped))
        table[type_token] = entry
    for type_token, entry in READ_BY_HAND.items():
        inputs = set(sdk_inputs(type_token).values())
        missing = [p for p in entry["forces"] if p.split(".")[0] not in inputs]
        if missing:
            raise SystemExit(f"{type_token}: not inputs of the pinned SDK: {missing}")
        table[type_token] = {**entry, "forces": sorted({*entry["forces"], "region"} if "region" in inputs
                                                       else entry["forces"])}
    return {
        "about": "Input properties whose change makes the provider replace the resource (delete and create). "
        "Generated by tools/replace_table.py; do not edit. `forces`: always replaces; `mayForce`: replaces "
        "depending on the values (or not readable offline; '*' = any other property).",
        "region": REGION_NOTE,
        "types": table,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for provider in ("aws", "cloudflare", "github"):
        parser.add_argument(f"--{provider}", required=True, help="git directory@ref")
    parser.add_argument("--check", action="store_true", help="fail if ops/replace_table.json differs")
    options = parser.parse_args()
    sources = {}
    for provider in ("aws", "cloudflare", "github"):
        location, _, ref = getattr(options, provider).partition("@")
        sources[provider] = (Path(location), ref or "HEAD")
    text = json.dumps(build(sources), indent=2, sort_keys=True) + "\n"
    if options.check:
        if OUTPUT.read_text() != text:
            sys.exit(f"{OUTPUT} is stale: run tools/replace_table.py without --check")
        return
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
