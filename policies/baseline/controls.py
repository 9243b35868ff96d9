"""The security baseline's Required controls, each with the policies that enforce it.

The controls are the rows marked Required in the team's security baseline (`security-baseline.md`, kept beside
the repository in `shared/reference/`; its sources are FSBP, Checkov, AWSGuard, Cloudflare and GitHub). A
control is enforced when at least one mandatory-in-prod policy of the pack implements it;
tests/policies/test_controls.py checks that every policy named here exists and is mandatory in prod, and that the
all-insecure fixture program (tests/fixtures/insecure_program) breaks every control with at least one mandatory
violation of its policies.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Control:
    id: str
    area: str
    text: str
    sources: str
    policies: tuple[str, ...]


def _c(id_: str, area: str, text: str, sources: str, *policies: str) -> Control:
    return Control(id_, area, text, sources, tuple(policies))


REQUIRED_CONTROLS: tuple[Control, ...] = (
    # RDS PostgreSQL
    _c(
        "rds-not-public",
        "rds",
        "not publicly accessible",
        "FSBP RDS.2, CKV_AWS_17",
        "aws-rds-instance-disallow-public-access",
    ),
    _c(
        "rds-encrypted-cmk",
        "rds",
        "storage encrypted with a customer-managed KMS key",
        "FSBP RDS.3, CKV_AWS_16, CKV_AWS_327",
        "aws-rds-instance-disallow-unencrypted-storage",
        "aws-rds-instance-configure-customer-managed-key",
    ),
    _c(
        "rds-backup-retention",
        "rds",
        "automated backups, retention >= 7 days (prod: >= 14)",
        "FSBP RDS.11, CKV_AWS_133",
        "aws-rds-instance-configure-backup-retention",
    ),
    _c("rds-multi-az", "rds", "Multi-AZ in prod", "FSBP RDS.5, CKV_AWS_157", "aws-rds-instance-enable-multi-az"),
    _c(
        "rds-deletion-protection",
        "rds",
        "deletion protection in prod",
        "FSBP RDS.8, CKV_AWS_293",
        "aws-rds-instance-enable-deletion-protection",
    ),
    _c(
        "rds-final-snapshot",
        "rds",
        "final snapshot on delete",
        "data-loss baseline",
        "aws-rds-instance-require-final-snapshot",
    ),
    _c(
        "rds-iam-auth",
        "rds",
        "IAM database authentication enabled",
        "FSBP RDS.10, CKV_AWS_161",
        "aws-rds-instance-enable-iam-authentication",
    ),
    _c(
        "rds-minor-upgrades",
        "rds",
        "automatic minor version upgrades",
        "FSBP RDS.13, CKV_AWS_226",
        "aws-rds-instance-enable-auto-minor-version-upgrade",
    ),
    _c(
        "rds-log-exports",
        "rds",
        "PostgreSQL logs exported to CloudWatch",
        "FSBP RDS.9, CKV_AWS_129",
        "aws-rds-instance-enable-cloudwatch-logs-exports",
    ),
    _c(
        "rds-force-ssl",
        "rds",
        "TLS enforced in the parameter group",
        "CKV2_AWS_69",
        "aws-rds-parameter-group-enable-force-ssl",
        "aws-rds-instance-enable-force-ssl",
    ),
    _c(
        "rds-copy-tags",
        "rds",
        "copy tags to snapshots",
        "FSBP RDS.17, CKV2_AWS_60",
        "aws-rds-instance-enable-copy-tags-to-snapshot",
    ),
    # RDS Proxy
    _c("proxy-require-tls", "rds-proxy", "require_tls = true", "FSBP RDS.43", "aws-rds-proxy-require-tls"),
    _c(
        "proxy-no-inline-credentials",
        "rds-proxy",
        "credentials from Secrets Manager or IAM auth",
        "RDS Proxy docs",
        "aws-rds-proxy-disallow-inline-credentials",
    ),
    _c(
        "proxy-no-debug-logging",
        "rds-proxy",
        "debug_logging off",
        "RDS Proxy docs",
        "aws-rds-proxy-disallow-debug-logging",
    ),
    # ElastiCache Serverless
    _c(
        "cache-snapshots",
        "elasticache",
        "snapshots kept with a daily snapshot time",
        "like FSBP ElastiCache.1, CKV_AWS_134",
        "aws-elasticache-serverless-cache-configure-snapshot-retention",
        "aws-elasticache-serverless-cache-configure-daily-snapshot-time",
    ),
    _c(
        "cache-private-restrictive",
        "elasticache",
        "private subnets and a restrictive security group",
        "like FSBP ElastiCache.7, CKV_AWS_323",
        "aws-elasticache-serverless-cache-disallow-public-subnets",
        "aws-elasticache-serverless-cache-configure-restrictive-security-groups",
    ),
    _c(
        "cache-access-control",
        "elasticache",
        "user group; the default user disabled",
        "like FSBP ElastiCache.6, CKV_AWS_31",
        "aws-elasticache-serverless-cache-require-user-group",
        "aws-elasticache-user-disallow-passwordless-default-user",
        "aws-elasticache-user-group-disallow-builtin-default-user",
    ),
    # KMS
    _c("kms-rotation", "kms", "KMS keys rotate", "CKV_AWS_7", "aws-kms-key-enable-key-rotation"),
    # S3 backup buckets
    _c(
        "s3-public-access-block",
        "s3",
        "all four block-public-access flags set",
        "FSBP S3.8, CKV2_AWS_6",
        "aws-s3-bucket-disallow-public-access",
    ),
    _c(
        "s3-sse-kms-cmk",
        "s3",
        "default encryption SSE-KMS with a customer-managed key",
        "CKV_AWS_19, CKV_AWS_145",
        "aws-s3-bucket-configure-customer-managed-key",
    ),
    _c(
        "s3-secure-transport",
        "s3",
        "bucket policy denies insecure transport and TLS < 1.2",
        "FSBP S3.5",
        "aws-s3-bucket-require-secure-transport",
    ),
    _c("s3-versioning", "s3", "versioning enabled", "CKV_AWS_21", "aws-s3-bucket-enable-versioning"),
    _c(
        "s3-lifecycle",
        "s3",
        "lifecycle configuration present",
        "FSBP S3.13, CKV2_AWS_61",
        "aws-s3-bucket-configure-lifecycle",
    ),
    _c(
        "s3-abort-multipart",
        "s3",
        "lifecycle aborts incomplete multipart uploads",
        "CKV_AWS_300",
        "aws-s3-bucket-configure-abort-incomplete-multipart-upload",
    ),
    _c(
        "s3-acls-disabled",
        "s3",
        "ACLs disabled (BucketOwnerEnforced), no public ACL",
        "FSBP S3.12, CKV2_AWS_65",
        "aws-s3-bucket-disallow-acls",
        "aws-s3-bucket-disallow-public-acl",
    ),
    _c(
        "s3-no-wildcard-principal",
        "s3",
        "no wildcard principal in the bucket policy",
        "FSBP S3.6, CKV_AWS_70",
        "aws-s3-bucket-policy-disallow-wildcard-principal",
    ),
    # AWS Backup, EventBridge Scheduler
    _c(
        "backup-vault-cmk",
        "backup",
        "backup vault encrypted with a customer-managed key",
        "FSBP Backup.1, CKV_AWS_166",
        "aws-backup-vault-configure-customer-managed-key",
    ),
    _c(
        "backup-database-covered",
        "backup",
        "every database is covered by a backup selection",
        "CKV2_AWS_8",
        "aws-backup-selection-require-database-coverage",
    ),
    _c(
        "backup-plan-retention",
        "backup",
        "daily >= 7, weekly >= 28, monthly >= 365 days (prod)",
        "seed backup policy",
        "aws-backup-plan-configure-daily-retention",
        "aws-backup-plan-configure-weekly-retention",
        "aws-backup-plan-configure-monthly-retention",
    ),
    _c(
        "schedule-retry-dlq",
        "scheduler",
        "every schedule has a retry policy and a dead-letter queue",
        "AWS Scheduler docs",
        "aws-scheduler-schedule-configure-retry-and-dead-letter-queue",
        "aws-cloudwatch-event-target-configure-retry-and-dead-letter-queue",
    ),
    # IAM, KMS, GitHub OIDC
    _c(
        "oidc-trust-pinned",
        "iam",
        "OIDC trust pins sub to repository and environment/branch, aud to sts",
        "CKV_AWS_358",
        "aws-iam-role-configure-oidc-trust-conditions",
    ),
    _c(
        "iam-no-star-principal",
        "iam",
        "no `*` principal in assume-role policies",
        "CKV_AWS_60, CKV_AWS_61",
        "aws-iam-role-disallow-broad-assume-role-principals",
    ),
    _c(
        "iam-no-admin",
        "iam",
        "no `*:*` admin statements; no AdministratorAccess / IAMFullAccess attached",
        "FSBP IAM.1, CKV_AWS_62, CKV_AWS_274",
        "aws-iam-policy-disallow-wildcard-actions",
        "aws-iam-role-disallow-admin-managed-policies",
    ),
    _c(
        "iam-no-wildcard-actions-on-star",
        "iam",
        "no wildcard actions on `*` resources",
        "FSBP IAM.21, CKV_AWS_355",
        "aws-iam-role-policy-disallow-wildcard-actions-on-all-resources",
    ),
    # Azure Storage (off-site copy)
    _c("azure-https-only", "azure-storage", "HTTPS only", "CKV_AZURE_3", "azure-storage-account-require-https-only"),
    _c(
        "azure-min-tls",
        "azure-storage",
        "minimum TLS 1.2",
        "CKV_AZURE_44",
        "azure-storage-account-configure-minimum-tls",
    ),
    _c(
        "azure-no-public-blobs",
        "azure-storage",
        "no anonymous blob access; containers private",
        "CKV_AZURE_190, CKV2_AZURE_47, CKV_AZURE_34",
        "azure-storage-account-disallow-blob-public-access",
        "azure-storage-blob-container-disallow-public-access",
    ),
    _c(
        "azure-soft-delete-versioning",
        "azure-storage",
        "blob soft delete and versioning",
        "CKV2_AZURE_38",
        "azure-storage-account-enable-blob-soft-delete-and-versioning",
    ),
    _c(
        "azure-no-shared-key",
        "azure-storage",
        "shared-key authorization disabled",
        "CKV2_AZURE_40",
        "azure-storage-account-disallow-shared-key-access",
    ),
    _c(
        "azure-lifecycle",
        "azure-storage",
        "lifecycle management policy present",
        "seed backup policy",
        "azure-storage-account-configure-lifecycle-management",
    ),
    # Cloudflare zone
    _c("cf-ssl-strict", "cloudflare", "SSL mode Full (strict)", "CF", "cloudflare-zone-configure-ssl-full-strict"),
    _c("cf-min-tls", "cloudflare", "minimum TLS 1.2", "CF", "cloudflare-zone-configure-min-tls-version"),
    _c("cf-always-https", "cloudflare", "Always Use HTTPS", "CF", "cloudflare-zone-enable-always-use-https"),
    _c(
        "cf-hsts", "cloudflare", "HSTS on (max-age >= 6 months, includeSubDomains)", "CF", "cloudflare-zone-enable-hsts"
    ),
    _c("cf-tls-1-3", "cloudflare", "TLS 1.3 on", "CF", "cloudflare-zone-enable-tls-1-3"),
    _c("cf-waf-custom", "cloudflare", "WAF custom rules deployed", "CF", "cloudflare-zone-require-waf-custom-rules"),
    _c(
        "cf-rate-limits",
        "cloudflare",
        "rate limiting rules on API and auth paths",
        "CF",
        "cloudflare-zone-require-rate-limiting",
    ),
    _c(
        "cf-cache-bypass",
        "cloudflare",
        "cache bypass for API / authenticated paths",
        "CF",
        "cloudflare-zone-configure-cache-bypass",
    ),
    _c(
        "cf-no-legacy-apis",
        "cloudflare",
        "no FirewallRule, Filter, RateLimit, PageRule",
        "Cloudflare deprecations",
        "cloudflare-zone-disallow-legacy-apis",
    ),
    # GitHub
    _c(
        "gh-secrets-from-pulumi",
        "github",
        "no plaintext_value / literal secrets; values from Pulumi secrets",
        "CKV_GIT_4",
        "github-actions-environment-secret-disallow-plaintext-value",
        "github-actions-environment-secret-require-pulumi-secret-value",
    ),
    _c(
        "gh-environment-protection",
        "github",
        "prod environment has required reviewers and a deployment-branch policy",
        "GH",
        "github-repository-environment-require-reviewers",
        "github-repository-environment-require-deployment-branch-policy",
    ),
    _c(
        "gh-no-long-lived-keys",
        "github",
        "no long-lived cloud keys in secrets when OIDC is possible",
        "GH",
        "github-actions-environment-secret-disallow-long-lived-cloud-keys",
        "aws-iam-access-key-disallow-long-lived-keys",
    ),
    # Stack-wide
    _c(
        "stack-protect-stateful",
        "stack",
        "every stateful resource is protected in prod",
        "data-loss baseline",
        "stack-require-protect-stateful-resources",
    ),
    _c(
        "stack-required-tags",
        "stack",
        "every taggable AWS resource carries the required tags",
        "tagging baseline",
        "stack-require-tags",
    ),
    _c(
        "stack-no-plaintext-secret-outputs",
        "stack",
        "no secret-looking value in plaintext stack outputs",
        "data-exposure baseline",
        "stack-disallow-plaintext-secrets",
    ),
)
