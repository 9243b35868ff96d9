"""Compliant backup-storage resources (S3 bucket and its configuration, IAM roles, Azure storage) as the engine
sends them at preview: configuration resources name their bucket/account through a property dependency."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from tests.policies.harness import UNKNOWN, Resource

BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
BLOB_CONTAINER = "azure-native:storage:BlobContainer"
MANAGEMENT_POLICY = "azure-native:storage:ManagementPolicy"

BUCKET_ARN = "arn:aws:s3:::app-backups-111122223333"
OIDC_PROVIDER = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"


#: The account's permissions boundary every role of a stack carries (components/aws/permissions_boundary.py).
BOUNDARY_ARN = "arn:aws:iam::111122223333:policy/platform-infra-boundary"
BOUNDED: dict[str, Any] = {"permissionsBoundary": BOUNDARY_ARN}


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


DENY_HTTP = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
DENY_OLD_TLS = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
                "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}}
LIFECYCLE_RULES = [
    {"id": "daily-dumps", "status": "Enabled", "filter": {"prefix": "daily/"}, "expiration": {"days": 7},
     "noncurrentVersionExpiration": {"noncurrentDays": 30}},
    {"id": "housekeeping", "status": "Enabled", "filter": {"prefix": ""},
     "expiration": {"expiredObjectDeleteMarker": True}, "abortIncompleteMultipartUpload": {"daysAfterInitiation": 2}},
]


@dataclass
class BucketStack:
    bucket: Resource
    block: Resource
    encryption: Resource
    policy: Resource
    versioning: Resource
    lifecycle: Resource
    ownership: Resource

    @property
    def resources(self) -> list[Resource]:
        return [self.bucket, self.block, self.encryption, self.policy, self.versioning, self.lifecycle, self.ownership]

    def without(self, *names: str) -> list[Resource]:
        dropped = {id(getattr(self, n)) for n in names}
        return [r for r in self.resources if id(r) not in dropped]


def bucket_stack(name: str = "backups") -> BucketStack:
    bucket = Resource(BUCKET, name, {"bucket": f"{name}-111122223333", "forceDestroy": False}, protect=True)

    def config(type_: str, suffix: str, props: dict[str, Any]) -> Resource:
        props = {"bucket": UNKNOWN, **copy.deepcopy(props)}
        return Resource(type_, f"{name}-{suffix}", props, deps={"bucket": [bucket]})

    return BucketStack(
        bucket=bucket,
        block=config(PUBLIC_ACCESS_BLOCK, "pab", {"blockPublicAcls": True, "blockPublicPolicy": True,
                                                  "ignorePublicAcls": True, "restrictPublicBuckets": True}),
        encryption=config(ENCRYPTION, "sse", {"rules": [{"applyServerSideEncryptionByDefault": {
            "sseAlgorithm": "aws:kms", "kmsMasterKeyId": UNKNOWN}, "bucketKeyEnabled": True}]}),
        policy=config(BUCKET_POLICY, "policy", {"policy": document(DENY_HTTP, DENY_OLD_TLS)}),
        versioning=config(VERSIONING, "versioning", {"versioningConfiguration": {"status": "Enabled"}}),
        lifecycle=config(LIFECYCLE, "lifecycle", {"rules": LIFECYCLE_RULES}),
        ownership=config(OWNERSHIP, "ownership", {"rule": {"objectOwnership": "BucketOwnerEnforced"}}),
    )


WRITER_TRUST = document({
    "Effect": "Allow", "Principal": {"Service": ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]},
    "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}},
})
GITHUB_TRUST_STATEMENT: dict[str, Any] = {
    "Effect": "Allow", "Principal": {"Federated": OIDC_PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                   "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:prod"}},
}
WRITER_POLICY = document({"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": [f"{BUCKET_ARN}/daily/*"]})

STORAGE_ACCOUNT_PROPS: dict[str, Any] = {
    "accountName": "appbackups1234",
    "kind": "StorageV2",
    "sku": {"name": "Standard_GRS"},
    "enableHttpsTrafficOnly": True,
    "minimumTlsVersion": "TLS1_2",
    "allowBlobPublicAccess": False,
    "allowSharedKeyAccess": False,
}


def azure_stack() -> tuple[Resource, Resource, Resource, Resource]:
    account = Resource(STORAGE_ACCOUNT, "offsite", copy.deepcopy(STORAGE_ACCOUNT_PROPS), protect=True)
    service = Resource(BLOB_SERVICE, "offsite-blob-service", {
        "accountName": UNKNOWN, "blobServicesName": "default", "isVersioningEnabled": True,
        "deleteRetentionPolicy": {"enabled": True, "days": 30},
        "containerDeleteRetentionPolicy": {"enabled": True, "days": 30},
    }, deps={"accountName": [account]})
    container = Resource(BLOB_CONTAINER, "offsite-container", {"accountName": UNKNOWN, "publicAccess": "None"},
                         deps={"accountName": [account]})
    policy = Resource(MANAGEMENT_POLICY, "offsite-lifecycle", {"accountName": UNKNOWN, "policy": {"rules": [{
        "name": "daily-dumps", "enabled": True, "type": "Lifecycle", "definition": {
            "filters": {"blobTypes": ["blockBlob"], "prefixMatch": ["backups/daily/"]},
            "actions": {"baseBlob": {"delete": {"daysAfterModificationGreaterThan": 7}}}}}]}},
        deps={"accountName": [account]})
    return account, service, container, policy
