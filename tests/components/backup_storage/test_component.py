"""Backup storage as planned: S3 lifecycle per prefix, the Azure mirror of it, writers that cannot delete,
protection in prod, and the outputs the backup and copy jobs are given."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from components.backup_storage.azure import COPY_WRITER_ACTIONS, COPY_WRITER_DATA_ACTIONS, stable_guid
from components.backup_storage.component import WRITER_KMS_ACTIONS, key_use_policy
from tests.support.plans import PlanView, plan_stack
from tests.support.stacks import load_stack
from tests.support.wire import is_unknown

BUCKET = "aws:s3/bucket:Bucket"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGEMENT_POLICY = "azure-native:storage:ManagementPolicy"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
ACCOUNT = "azure-native:storage:StorageAccount"
BUCKET_ARN = "arn:aws:s3:::platform-prod-backups-123456789012"


def rules_by_id(plan: PlanView, name: str = "backups-lifecycle") -> dict[str, dict[str, Any]]:
    return {rule["id"]: rule for rule in plan.one(LIFECYCLE, name).inputs["rules"]}


def document(plan: PlanView, type_: str, name: str, prop: str) -> dict[str, Any]:
    return json.loads(plan.one(type_, name).inputs[prop])


def test_s3_lifecycle_per_prefix_with_the_exact_day_counts(prod: PlanView) -> None:
    rules = rules_by_id(prod)
    assert set(rules) == {"daily-dumps", "weekly-dumps", "monthly-dumps", "housekeeping"}
    glacier = [{"storageClass": "GLACIER_IR", "days": 30}]
    # Noncurrent versions: prod's 30 days, raised to the tier's retention (a dump overwritten or deleted the day it
    # was written still outlives its tier).
    expected = {"daily": (7, None, 30), "weekly": (28, None, 30), "monthly": (365, glacier, 365)}
    for tier, (days, transitions, noncurrent) in expected.items():
        rule = rules[f"{tier}-dumps"]
        assert rule["status"] == "Enabled"
        assert rule["filter"] == {"prefix": f"{tier}/"}
        assert rule["expiration"] == {"days": days}
        assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": noncurrent}
        assert rule.get("transitions") == transitions
    # Delete-marker cleanup never shares an expiration with `days` (S3 refuses that combination).
    assert rules["housekeeping"]["filter"] == {"prefix": ""}
    assert rules["housekeeping"]["expiration"] == {"expiredObjectDeleteMarker": True}
    assert rules["housekeeping"]["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 2}
    assert prod.one(LIFECYCLE, "backups-lifecycle").inputs["transitionDefaultMinimumObjectSize"] == (
        "all_storage_classes_128K"
    )


def test_retentions_and_tiers_come_from_config() -> None:
    plan = plan_stack("prod", backup_storage={
        "daily": {"retention_days": 10}, "weekly": {"retention_days": 70, "s3_storage_class": "STANDARD_IA"},
        "monthly": {"retention_days": 400, "s3_storage_class": None, "azure_tier": "Cool", "azure_tier_days": 60},
        "noncurrent_version_days": 14,
    })
    rules = rules_by_id(plan)
    assert rules["daily-dumps"]["expiration"] == {"days": 10}
    assert rules["weekly-dumps"]["transitions"] == [{"storageClass": "STANDARD_IA", "days": 30}]
    assert "transitions" not in rules["monthly-dumps"]
    assert rules["daily-dumps"]["noncurrentVersionExpiration"] == {"noncurrentDays": 14}
    assert rules["weekly-dumps"]["noncurrentVersionExpiration"] == {"noncurrentDays": 70}
    assert rules["monthly-dumps"]["noncurrentVersionExpiration"] == {"noncurrentDays": 400}
    azure = azure_rules(plan)
    assert azure["monthly-dumps"]["baseBlob"] == {"delete": {"daysAfterModificationGreaterThan": 400},
                                                  "tierToCool": {"daysAfterModificationGreaterThan": 60}}


def azure_rules(plan: PlanView) -> dict[str, dict[str, Any]]:
    policy = plan.one(MANAGEMENT_POLICY).inputs
    assert policy["managementPolicyName"] == "default"
    return {r["name"]: {**r["definition"]["actions"], "filters": r["definition"]["filters"], "enabled": r["enabled"]}
            for r in policy["policy"]["rules"]}


def test_azure_lifecycle_mirrors_the_s3_tiers(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    config = load_stack(stack).backup_storage
    azure, s3 = azure_rules(plan), rules_by_id(plan)
    assert set(azure) == {"daily-dumps", "weekly-dumps", "monthly-dumps"}
    for name, tier in config.tiers().items():
        rule = azure[f"{name}-dumps"]
        assert rule["enabled"] is True
        assert rule["filters"] == {"blobTypes": ["blockBlob"], "prefixMatch": [f"backups/{name}/"]}
        assert rule["baseBlob"]["delete"] == {"daysAfterModificationGreaterThan": tier.retention_days}
        assert rule["version"] == {"delete": {"daysAfterCreationGreaterThan": tier.retention_days}}
        assert s3[f"{name}-dumps"]["expiration"]["days"] == tier.retention_days
    # Cold only for the monthly dumps: 335 days after tiering, well past Cold's 90-day early-deletion period.
    assert azure["monthly-dumps"]["baseBlob"]["tierToCold"] == {"daysAfterModificationGreaterThan": 30}
    assert "tierToCold" not in azure["weekly-dumps"]["baseBlob"]


def test_the_writer_can_only_put_objects_under_the_prefixes(prod: PlanView) -> None:
    policy = document(prod, ROLE_POLICY, "backups-writer-s3", "policy")
    create, parts = policy["Statement"]
    for statement in (create, parts):
        assert statement["Effect"] == "Allow"
        assert statement["Action"] == ["s3:PutObject"]
        assert statement["Resource"] == [f"{BUCKET_ARN}/{p}*" for p in ("daily/", "weekly/", "monthly/")]
    # Only a conditional create, or a multipart step that stages parts (the S3 User Guide's example 1).
    assert create["Condition"] == {"StringEquals": {"s3:if-none-match": "*"}}
    assert parts["Condition"] == {"Bool": {"s3:ObjectCreationOperation": "false"}}
    trust = document(prod, ROLE, "backups-writer", "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    # The key statement names the bucket's key (unknown at preview), computed from it.
    kms = prod.one(ROLE_POLICY, "backups-writer-kms")
    assert is_unknown(kms.inputs["policy"])
    assert kms.property_dependencies["policy"] == [prod.urn("aws:kms/key:Key", "backups-key")]


def test_no_role_can_delete_or_write_elsewhere(prod: PlanView) -> None:
    for name in ("backups-writer-s3", "backups-offsite-copy-s3"):
        for statement in document(prod, ROLE_POLICY, name, "policy")["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not [a for a in actions if "Delete" in a or "*" in a]
            if "copy" in name:
                assert not [a for a in actions if a.startswith("s3:Put")]
    copy = document(prod, ROLE_POLICY, "backups-offsite-copy-s3", "policy")["Statement"]
    assert [s["Action"] for s in copy] == ["s3:ListBucket", ["s3:GetObject"]]
    assert copy[0]["Condition"] == {"StringLike": {"s3:prefix": ["daily/*", "weekly/*", "monthly/*"]}}


def test_the_key_is_used_only_through_s3_for_the_bucket() -> None:
    key = "arn:aws:kms:eu-west-1:123456789012:key/k"
    (statement,) = json.loads(key_use_policy(key, WRITER_KMS_ACTIONS, region="eu-west-1", bucket_arn=BUCKET_ARN))[
        "Statement"]
    assert statement["Action"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert statement["Resource"] == key
    assert statement["Condition"]["StringEquals"] == {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
    assert statement["Condition"]["StringLike"] == {"kms:EncryptionContext:aws:s3:arn": [BUCKET_ARN, f"{BUCKET_ARN}/*"]}


@pytest.mark.parametrize("stack", ["preview", "prod"])
def test_the_copy_role_trusts_one_repository_and_environment(stack: str, preview: PlanView, prod: PlanView) -> None:
    plan = {"preview": preview, "prod": prod}[stack]
    (statement,) = document(plan, ROLE, "backups-offsite-copy", "assumeRolePolicy")["Statement"]
    assert statement["Principal"] == {
        "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {"StringEquals": {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": f"repo:example-org/web-app:environment:backup-copy-{stack}",
    }}
    credential = plan.one("azure-native:managedidentity:FederatedIdentityCredential").inputs
    assert credential["issuer"] == "https://token.actions.githubusercontent.com"
    assert credential["subject"] == f"repo:example-org/web-app:environment:backup-copy-{stack}"
    assert credential["audiences"] == ["api://AzureADTokenExchange"]
    assert credential["federatedIdentityCredentialResourceName"] == f"github-backup-copy-{stack}"
    # Not the app's environment: no app job (deploy, migrations) can assume the copy identities.
    app_role = json.loads(plan.one(ROLE, "github-actions").inputs["assumeRolePolicy"])
    app_subject = app_role["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]
    assert app_subject != credential["subject"]


def test_a_named_github_environment_is_pinned_in_both_clouds() -> None:
    plan = plan_stack("preview", backup_storage={"github_environment": "offsite-copy"})
    trust = document(plan, ROLE, "backups-offsite-copy", "assumeRolePolicy")["Statement"][0]
    subject = "repo:example-org/web-app:environment:offsite-copy"
    assert trust["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == subject
    assert plan.one("azure-native:managedidentity:FederatedIdentityCredential").inputs["subject"] == subject


def test_the_copy_identity_can_write_but_not_delete(prod: PlanView) -> None:
    (permissions,) = prod.one(ROLE_DEFINITION).inputs["permissions"]
    assert permissions == {"actions": COPY_WRITER_ACTIONS, "dataActions": COPY_WRITER_DATA_ACTIONS}
    granted = permissions["actions"] + permissions["dataActions"]
    assert not [a for a in granted if "delete" in a.lower() or "*" in a]
    assert any(a.endswith("/blobs/write") for a in granted)
    assignment = prod.one(ROLE_ASSIGNMENT)
    assert assignment.inputs["principalType"] == "ServicePrincipal"
    # Scoped to the one container, granted the custom role, to the copy identity.
    assert assignment.property_dependencies["scope"] == [
        prod.urn("azure-native:storage:BlobContainer", "offsite-backups-container")]
    assert assignment.property_dependencies["roleDefinitionId"] == [prod.urn(ROLE_DEFINITION)]
    assert assignment.property_dependencies["principalId"] == [
        prod.urn("azure-native:managedidentity:UserAssignedIdentity")]


def test_role_guids_are_deterministic(prod: PlanView, preview: PlanView) -> None:
    names = {p.one(ROLE_ASSIGNMENT).inputs["roleAssignmentName"] for p in (prod, plan_stack("prod"))}
    assert len(names) == 1
    (name,) = names
    assert str(uuid.UUID(name)) == name
    assert name != preview.one(ROLE_ASSIGNMENT).inputs["roleAssignmentName"]
    assert stable_guid("a", "b") == stable_guid("a", "b") != stable_guid("a", "c")


def test_the_storage_account_is_locked_down(each_stack: tuple[str, PlanView]) -> None:
    stack, plan = each_stack
    account = plan.one(ACCOUNT).inputs
    assert account["enableHttpsTrafficOnly"] is True
    assert account["minimumTlsVersion"] == "TLS1_2"
    assert account["allowBlobPublicAccess"] is False
    assert account["allowSharedKeyAccess"] is False
    assert account["location"] == "westeurope"
    assert account["sku"] == {"name": "Standard_GRS" if stack == "prod" else "Standard_LRS"}
    service = plan.one("azure-native:storage:BlobServiceProperties").inputs
    days = 30 if stack == "prod" else 7
    assert service["isVersioningEnabled"] is True
    assert service["deleteRetentionPolicy"] == {"enabled": True, "days": days}
    assert service["containerDeleteRetentionPolicy"] == {"enabled": True, "days": days}
    assert plan.one("azure-native:storage:BlobContainer").inputs["publicAccess"] == "None"


def test_nothing_is_lost_in_prod(prod: PlanView) -> None:
    for type_, name in [(BUCKET, "backups-bucket"), (BUCKET, "backups-logs"), ("aws:kms/key:Key", "backups-key"),
                        (ACCOUNT, None), ("azure-native:resources:ResourceGroup", None),
                        ("azure-native:storage:BlobContainer", None)]:
        assert prod.one(type_, name).protect, (type_, name)
    assert prod.one("aws:kms/key:Key", "backups-key").retain_on_delete
    assert all(b.inputs["forceDestroy"] is False for b in prod.of_type(BUCKET))
    lock = prod.one("azure-native:authorization:ManagementLockByScope")
    assert lock.inputs["level"] == "CanNotDelete"
    assert lock.property_dependencies["scope"] == [prod.urn(ACCOUNT)]


def test_preview_can_be_torn_down(preview: PlanView) -> None:
    assert not any(b.protect for b in preview.of_type(BUCKET))
    assert all(b.inputs["forceDestroy"] is True for b in preview.of_type(BUCKET))
    assert not preview.one("aws:kms/key:Key", "backups-key").retain_on_delete
    assert not preview.of_type("azure-native:authorization:ManagementLockByScope")


def test_every_bucket_is_encrypted_versioned_private_and_tls_only(prod: PlanView) -> None:
    for bucket in prod.of_type(BUCKET):
        def attached(type_: str, bucket_urn: str = bucket.urn) -> dict[str, Any]:
            (config,) = [r for r in prod.of_type(type_) if r.property_dependencies.get("bucket") == [bucket_urn]]
            return config.inputs
        assert attached("aws:s3/bucketVersioning:BucketVersioning")["versioningConfiguration"] == {"status": "Enabled"}
        block = attached("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
        assert all(block[f] is True for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                              "restrictPublicBuckets"))
        assert attached("aws:s3/bucketOwnershipControls:BucketOwnershipControls")["rule"] == {
            "objectOwnership": "BucketOwnerEnforced"}
        policy = json.loads(attached("aws:s3/bucketPolicy:BucketPolicy")["policy"])
        conditions = [s["Condition"] for s in policy["Statement"] if s["Effect"] == "Deny"]
        assert {"Bool": {"aws:SecureTransport": "false"}} in conditions
        assert {"NumericLessThan": {"s3:TlsVersion": "1.2"}} in conditions
        sse = attached("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        default = sse["rules"][0]["applyServerSideEncryptionByDefault"]
        if bucket.name == "backups-bucket":
            assert default["sseAlgorithm"] == "aws:kms"
            assert sse["rules"][0]["bucketKeyEnabled"] is True
        else:  # the access-log bucket: the only encryption log delivery supports
            assert default == {"sseAlgorithm": "AES256"}
    logging = prod.one("aws:s3/bucketLogging:BucketLogging")
    assert logging.inputs["targetPrefix"] == "s3-access-logs/"
    assert logging.property_dependencies["targetBucket"] == [prod.urn(BUCKET, "backups-logs")]
    statement = json.loads(prod.one("aws:s3/bucketPolicy:BucketPolicy", "backups-logs-policy").inputs["policy"])[
        "Statement"][-1]
    assert statement["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert statement["Condition"]["ArnLike"] == {"aws:SourceArn": BUCKET_ARN}


def test_object_lock_in_compliance_mode() -> None:
    plan = plan_stack("prod", backup_storage={"object_lock_days": 7})
    assert plan.one(BUCKET, "backups-bucket").inputs["objectLockEnabled"] is True
    lock = plan.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs
    assert lock["rule"] == {"defaultRetention": {"mode": "COMPLIANCE", "days": 7}}
    assert "objectLockEnabled" not in plan_stack("prod").one(BUCKET, "backups-bucket").inputs


def test_outputs_for_the_backup_and_copy_jobs(prod: PlanView) -> None:
    outputs = prod.plan.outputs
    assert outputs["backup_bucket_name"] == "platform-prod-backups-123456789012"
    assert outputs["backup_prefixes"] == ["daily/", "weekly/", "monthly/"]
    for key in ("backup_bucket_arn", "backup_writer_role_arn", "backup_copy_role_arn", "backup_offsite_container_url",
                "backup_offsite_client_id", "backup_offsite_tenant_id"):
        assert key in outputs, key
        assert is_unknown(outputs[key]), key
