"""RDS for PostgreSQL instances (`aws:rds/instance:Instance`), and the stack join to their parameter group.

Provider defaults used for absent inputs (pulumi_aws 7.x `rds.Instance` docstrings): `publiclyAccessible`
false, `storageEncrypted` false, `backupRetentionPeriod` 0, `multiAz` false, `deletionProtection` false,
`skipFinalSnapshot` false, `iamDatabaseAuthenticationEnabled` false, `autoMinorVersionUpgrade` true,
`enabledCloudwatchLogsExports` none, `copyTagsToSnapshot` false, `performanceInsightsEnabled` false,
`monitoringInterval` 0.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from ...common import (
    RDS_INSTANCE,
    RDS_PARAMETER_GROUP,
    UNKNOWN,
    Family,
    StackIndex,
    as_list,
    as_number,
    as_str,
    flag,
    fmt_number,
    get,
    is_set,
    is_unknown,
    known,
    lower_str,
    resource_policy,
    stack_policy,
)
from ...factories import flag_policy, minimum_policy, protected_policy
from ...refs import aws_docs, awsguard, ckv, fsbp, platform
from ...thresholds import RDS_BACKUP_RETENTION
from ..cloudwatch.log_group import missing_log_groups
from .parameter_group import SSL_URL, force_ssl_state

_TAGS = ("aws", "rds")
# CKV_AWS_211: the CA certificates that are current (the rds-ca-2019 chain expired in 2024).
CURRENT_CA_CERTIFICATES = frozenset({"rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"})
# FSBP RDS.25: engine default / well-known admin names.
DEFAULT_MASTER_USERNAMES = frozenset({"postgres", "admin", "root", "rdsadmin", "rds_superuser", "administrator"})
# Engines that support IAM database authentication (AWS RDS User Guide, "IAM database authentication").
_IAM_AUTH_ENGINES = frozenset({"postgres", "mysql", "mariadb"})
_ENHANCED_MONITORING_INTERVALS = frozenset({1.0, 5.0, 10.0, 15.0, 30.0, 60.0})
_BURSTABLE_PREFIX = "db.t"  # db.t3, db.t4g, ...: CPU credits run out under sustained load
_PROTECT_URL = "https://www.pulumi.com/docs/iac/concepts/options/protect/"
_RDS_GUIDE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide"
_PG_LOGS = "USER_LogAccess.Concepts.PostgreSQL.html"


_about = Family("aws-rds-instance", _TAGS).about


def _engine(args: ResourceValidationArgs) -> str | None:
    """The engine name, lower-cased; None when absent (replicas and snapshot restores may omit it)."""
    return lower_str(args, "engine")


def _supports_iam_auth(args: ResourceValidationArgs) -> bool:
    engine = _engine(args)
    return engine is None or engine in _IAM_AUTH_ENGINES


# --------------------------------------------------------------------------------------------------
# Checks beyond the factories
# --------------------------------------------------------------------------------------------------
def _customer_managed_key(args: ResourceValidationArgs) -> Iterator[str]:
    key = get(args.props, "kmsKeyId")
    if not is_set(key):
        yield "kmsKeyId is not set: storage would use the AWS-managed key aws/rds instead of a customer-managed key."
    elif isinstance(key, str) and not is_unknown(key) and "alias/aws/" in key:
        yield "kmsKeyId names an AWS-managed key alias; use a customer-managed KMS key."


def _final_snapshot(args: ResourceValidationArgs) -> Iterator[str]:
    if flag(args, "skipFinalSnapshot", default=False):
        yield "skipFinalSnapshot is true: deleting the instance would not take a final snapshot."
    elif not is_set(get(args.props, "finalSnapshotIdentifier")):
        yield (
            "finalSnapshotIdentifier is not set: with skipFinalSnapshot false the provider needs it, "
            "otherwise deleting the instance fails or (on replacement) no final snapshot is taken."
        )


def _logs_exported(args: ResourceValidationArgs) -> Iterator[str]:
    exports = known(as_list(get(args.props, "enabledCloudwatchLogsExports")), "enabledCloudwatchLogsExports")
    items = exports if isinstance(exports, list) else []
    names = {v.strip().lower() for v in items if isinstance(v, str) and not is_unknown(v)}
    postgres = _engine(args) == "postgres"
    if ("postgresql" in names) if postgres else bool(names):
        return
    if any(v is UNKNOWN for v in items):
        known(UNKNOWN, "enabledCloudwatchLogsExports")  # an unknown entry may be the missing one
    if postgres:
        yield "enabledCloudwatchLogsExports does not include 'postgresql': PostgreSQL logs stay off CloudWatch."
    else:
        yield "enabledCloudwatchLogsExports is empty: no database logs are exported to CloudWatch."


def _managed_master_password(args: ResourceValidationArgs) -> Iterator[str]:
    # Values of these properties are secrets: only their presence is ever read or reported.
    for prop in ("password", "passwordWo"):
        if is_set(get(args.props, prop)):
            yield f"'{prop}' is set: the master password is a program input and ends up in state or logs."
    replica = is_set(get(args.props, "replicateSourceDb"))
    if not replica and not flag(args, "manageMasterUserPassword", default=False):
        yield (
            "manageMasterUserPassword is not true: RDS must generate and rotate the master password in Secrets Manager."
        )


def _burstable_class(args: ResourceValidationArgs) -> Iterator[str]:
    instance_class = lower_str(args, "instanceClass")
    if instance_class is not None and instance_class.startswith(_BURSTABLE_PREFIX):
        yield (
            f"instanceClass '{instance_class}' is burstable: once its CPU credits are spent the database is "
            "throttled (or billed for unlimited credits); prod needs a fixed-performance class such as db.m7g."
        )


def _performance_insights_cmk(args: ResourceValidationArgs) -> Iterator[str]:
    if not flag(args, "performanceInsightsEnabled", default=False):
        return  # CKV_AWS_354 only applies when Performance Insights is on
    if not is_set(get(args.props, "performanceInsightsKmsKeyId")):
        yield "performanceInsightsKmsKeyId is not set: Performance Insights data uses the AWS-managed key."


def _enhanced_monitoring(args: ResourceValidationArgs) -> Iterator[str]:
    interval = known(as_number(get(args.props, "monitoringInterval")), "monitoringInterval")
    if interval not in _ENHANCED_MONITORING_INTERVALS:
        shown = "absent (provider default 0)" if interval is None else fmt_number(interval)
        yield f"monitoringInterval is {shown}; Enhanced Monitoring needs one of 1, 5, 10, 15, 30, 60."
    elif not is_set(get(args.props, "monitoringRoleArn")):
        yield "monitoringRoleArn is not set: Enhanced Monitoring needs a role to publish metrics."


def _admin_username(args: ResourceValidationArgs) -> Iterator[str]:
    name = lower_str(args, "username")
    if name is not None and name in DEFAULT_MASTER_USERNAMES:
        yield f"username '{name}' is a default/well-known admin name; choose a custom one."


def _ca_certificate(args: ResourceValidationArgs) -> Iterator[str]:
    cert = known(as_str(get(args.props, "caCertIdentifier")), "caCertIdentifier")
    if isinstance(cert, str) and cert.strip() not in CURRENT_CA_CERTIFICATES:
        yield f"caCertIdentifier '{cert}' is not a current CA ({', '.join(sorted(CURRENT_CA_CERTIFICATES))})."


# --------------------------------------------------------------------------------------------------
# Stack: TLS enforced through a parameter group declared in the stack
# --------------------------------------------------------------------------------------------------
def _force_ssl(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    for db in index.of_type(RDS_INSTANCE):
        engine = as_str(get(db.props, "engine"))
        if not isinstance(engine, str) or engine.strip().lower() != "postgres":
            continue
        group_name = get(db.props, "parameterGroupName")
        if not is_set(group_name):
            yield (
                f"{db.name}: no parameterGroupName, so the instance uses the engine's default parameter group; "
                "declare an aws.rds.ParameterGroup that sets rds.force_ssl = 1.",
                db.urn,
            )
            continue
        groups = index.property_deps(db, "parameterGroupName", RDS_PARAMETER_GROUP) or index.with_literal(
            (RDS_PARAMETER_GROUP,), ("name", "id"), group_name
        )
        if not groups:
            yield (
                f"{db.name}: parameterGroupName does not refer to a parameter group declared in this stack, "
                "so rds.force_ssl = 1 cannot be verified.",
                db.urn,
            )
            continue
        for group in groups:
            state = force_ssl_state(group.props)
            if state in {"off", "unset"}:
                detail = "is not 1" if state == "off" else "is not set"
                yield (f"{db.name}: parameter group {group.name} rds.force_ssl {detail}.", db.urn)


# --------------------------------------------------------------------------------------------------
# Stack: the log groups the exported logs go to are declared, and created first
# --------------------------------------------------------------------------------------------------
def _log_groups(args: StackValidationArgs) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(args.resources)
    for db in index.of_type(RDS_INSTANCE):
        exports = as_list(get(db.props, "enabledCloudwatchLogsExports"))
        if not isinstance(exports, list) or not exports:
            continue  # nothing exported (reported by aws-rds-instance-enable-cloudwatch-logs-exports)
        identifier = as_str(get(db.props, "identifier"))
        if not isinstance(identifier, str) or not identifier.strip():
            yield (
                f"{db.name}: identifier is not a known string, so the log groups /aws/rds/instance/<identifier>/<log> "
                "cannot be declared in advance (or verified); set `identifier` explicitly.",
                db.urn,
            )
            continue
        names = [f"/aws/rds/instance/{identifier}/{e}" for e in exports if isinstance(e, str) and not is_unknown(e)]
        if len(names) < len(exports):
            yield (
                f"{db.name}: an enabledCloudwatchLogsExports entry is not known, so its log group cannot be verified.",
                db.urn,
            )
        for message in missing_log_groups(index, db, names):
            yield message, db.urn


# --------------------------------------------------------------------------------------------------
RESOURCE_TYPE = RDS_INSTANCE
"""The resource type this module's policies are about (stack joins report on resources of this type)."""

POLICIES = [
    flag_policy(
        _about(
            "disallow-public-access",
            description="RDS instances must not be publicly accessible.",
            refs=(fsbp("RDS.2"), ckv("CKV_AWS_17"), awsguard("rds-instance-public-access")),
            control="not publicly accessible",
            severity=Severity.CRITICAL,
            remediation="Set `publicly_accessible=False` (or omit it) and reach the database through private subnets, "
            "RDS Proxy or a bastion.",
            tags=("network",),
        ),
        RDS_INSTANCE, "publiclyAccessible", required=False, default=False,
        consequence="the instance gets a public DNS name and address",
    ),
    flag_policy(
        _about(
            "disallow-unencrypted-storage",
            description="RDS instance storage must be encrypted at rest.",
            refs=(fsbp("RDS.3"), ckv("CKV_AWS_16"), awsguard("rds-storage-encrypted")),
            control="storage encrypted with a customer-managed KMS key",
            severity=Severity.HIGH,
            remediation="Set `storage_encrypted=True`. An existing unencrypted instance must be restored from an "
            "encrypted snapshot copy.",
            tags=("encryption",),
        ),
        RDS_INSTANCE, "storageEncrypted", required=True, default=False,
        consequence="storage is not encrypted at rest",
    ),
    resource_policy(
        _about(
            "configure-customer-managed-key",
            description="RDS instance storage must be encrypted with a customer-managed KMS key.",
            refs=(fsbp("RDS.3"), ckv("CKV_AWS_327", analogue=True)),
            control="storage encrypted with a customer-managed KMS key",
            severity=Severity.MEDIUM,
            remediation="Set `kms_key_id` to the ARN of an `aws.kms.Key` with rotation enabled.",
            tags=("encryption", "kms"),
        ),
        (RDS_INSTANCE,),
        _customer_managed_key,
    ),
    minimum_policy(
        _about(
            "configure-backup-retention",
            description="RDS instances must keep automated backups for at least the stack's minimum number of days "
            "(policy config minimumRetentionDays).",
            refs=(fsbp("RDS.11"), ckv("CKV_AWS_133"), awsguard("rds-instance-backup-enabled")),
            control="automated backups, retention >= 7 days (prod: >= 14)",
            severity=Severity.HIGH,
            remediation="Set `backup_retention_period` to at least the stack's minimum (policies/config/<stack>.json).",
            tags=("backup",),
        ),
        RDS_INSTANCE, "backupRetentionPeriod", RDS_BACKUP_RETENTION,
        absent="provider default 0: automated backups off",
    ),
    flag_policy(
        _about(
            "enable-multi-az",
            description="RDS instances must be Multi-AZ (prod).",
            refs=(fsbp("RDS.5"), ckv("CKV_AWS_157"), awsguard("rds-instance-multi-az-enabled")),
            control="Multi-AZ in prod",
            severity=Severity.MEDIUM,
            remediation="Set `multi_az=True` for prod stacks.",
            tags=("availability", "prod-only"),
        ),
        RDS_INSTANCE, "multiAz", required=True, default=False,
        consequence="the instance has no standby in a second Availability Zone",
    ),
    flag_policy(
        _about(
            "enable-deletion-protection",
            description="RDS instances must have deletion protection enabled (prod).",
            refs=(fsbp("RDS.8"), ckv("CKV_AWS_293")),
            control="deletion protection in prod",
            severity=Severity.HIGH,
            remediation="Set `deletion_protection=True` for prod stacks.",
            tags=("data-loss", "prod-only"),
        ),
        RDS_INSTANCE, "deletionProtection", required=True, default=False,
        consequence="the instance can be deleted through the API",
    ),
    resource_policy(
        _about(
            "require-final-snapshot",
            description="RDS instances must take a final snapshot when deleted (never skip_final_snapshot in prod).",
            refs=(platform("data-loss baseline"),),
            control="final snapshot on delete (never skip_final_snapshot in prod)",
            severity=Severity.HIGH,
            remediation="Leave `skip_final_snapshot` false and set `final_snapshot_identifier`.",
            tags=("data-loss", "backup"),
            url=f"{_RDS_GUIDE}/USER_DeleteInstance.html",
        ),
        (RDS_INSTANCE,),
        _final_snapshot,
    ),
    flag_policy(
        _about(
            "enable-iam-authentication",
            description="RDS instances must have IAM database authentication enabled.",
            refs=(fsbp("RDS.10"), ckv("CKV_AWS_161")),
            control="IAM database authentication enabled",
            severity=Severity.MEDIUM,
            remediation="Set `iam_database_authentication_enabled=True`.",
            tags=("iam", "authentication"),
        ),
        RDS_INSTANCE, "iamDatabaseAuthenticationEnabled", required=True, default=False,
        consequence="IAM database authentication is off", applies=_supports_iam_auth,
    ),
    flag_policy(
        _about(
            "enable-auto-minor-version-upgrade",
            description="RDS instances must apply minor engine upgrades automatically.",
            refs=(fsbp("RDS.13"), ckv("CKV_AWS_226")),
            control="automatic minor version upgrades",
            severity=Severity.MEDIUM,
            remediation="Set `auto_minor_version_upgrade=True` (or omit it; the provider default is true).",
            tags=("patching",),
        ),
        RDS_INSTANCE, "autoMinorVersionUpgrade", required=True, default=True,
        consequence="minor engine versions (security fixes) are not applied",
    ),
    resource_policy(
        _about(
            "enable-cloudwatch-logs-exports",
            description="RDS instances must export their database logs to CloudWatch Logs ('postgresql' for "
            "PostgreSQL).",
            refs=(fsbp("RDS.9"), fsbp("RDS.36"), ckv("CKV_AWS_129")),
            control="PostgreSQL logs exported to CloudWatch",
            severity=Severity.MEDIUM,
            remediation='Set `enabled_cloudwatch_logs_exports=["postgresql", "upgrade"]`.',
            tags=("logging",),
        ),
        (RDS_INSTANCE,),
        _logs_exported,
    ),
    flag_policy(
        _about(
            "enable-copy-tags-to-snapshot",
            description="RDS instances must copy their tags to snapshots.",
            refs=(fsbp("RDS.17"), ckv("CKV2_AWS_60")),
            control="copy tags to snapshots",
            severity=Severity.LOW,
            remediation="Set `copy_tags_to_snapshot=True`.",
            tags=("tagging", "backup"),
        ),
        RDS_INSTANCE, "copyTagsToSnapshot", required=True, default=False,
        consequence="snapshots lose the instance's ownership and cost tags",
    ),
    resource_policy(
        _about(
            "disallow-plaintext-master-password",
            description="RDS instances must not take the master password as an input; RDS must manage it in Secrets "
            "Manager (manageMasterUserPassword).",
            refs=(platform("data-exposure baseline"),
             aws_docs("RDS password management with Secrets Manager", f"{_RDS_GUIDE}/rds-secrets-manager.html")),
            control="no plaintext master password; manageMasterUserPassword = true",
            severity=Severity.HIGH,
            remediation="Remove `password` / `password_wo` and set `manage_master_user_password=True`; read the "
            "secret ARN from `master_user_secrets[0].secret_arn`.",
            tags=("secrets",),
            url=f"{_RDS_GUIDE}/rds-secrets-manager.html",
        ),
        (RDS_INSTANCE,),
        _managed_master_password,
    ),
    protected_policy(
        _about(
            "require-protect",
            description="RDS instances must be `protect`ed Pulumi resources (prod).",
            refs=(platform("data-loss baseline"),),
            control="every stateful resource is protected in prod",
            severity=Severity.HIGH,
            remediation="Pass `opts=pulumi.ResourceOptions(protect=True)` for prod stacks.",
            tags=("data-loss", "prod-only"),
            url=_PROTECT_URL,
        ),
        RDS_INSTANCE, "database",
    ),
    resource_policy(
        _about(
            "disallow-burstable-class",
            description="RDS instances must not use a burstable (db.t*) instance class (prod).",
            refs=(platform("prod sizing baseline"),
             aws_docs("DB instance classes: burstable performance", f"{_RDS_GUIDE}/Concepts.DBInstanceClass.html")),
            control="DB instance class: burstable refused in prod",
            severity=Severity.MEDIUM,
            remediation="Set `instance_class` to a fixed-performance class (e.g. db.m7g.large) for prod stacks.",
            tags=("availability", "prod-only"),
            url=f"{_RDS_GUIDE}/Concepts.DBInstanceClass.html",
        ),
        (RDS_INSTANCE,),
        _burstable_class,
    ),
    stack_policy(
        _about(
            "enable-force-ssl",
            description="PostgreSQL RDS instances must use a parameter group declared in the stack that sets "
            "rds.force_ssl = 1.",
            refs=(ckv("CKV2_AWS_69"),),
            control="TLS enforced in the parameter group (rds.force_ssl = 1)",
            severity=Severity.HIGH,
            remediation="Declare an `aws.rds.ParameterGroup` (family postgresNN) with "
            '`{"name": "rds.force_ssl", "value": "1"}` and pass its `name` as `parameter_group_name`.',
            tags=("encryption-in-transit", "tls"),
            url=SSL_URL,
        ),
        _force_ssl,
    ),
    stack_policy(
        _about(
            "require-log-groups",
            description="The CloudWatch log groups an RDS instance exports to (/aws/rds/instance/<identifier>/<log>) "
            "must be declared in the stack and created before the instance, so their retention and key apply.",
            refs=(aws_docs("Publishing PostgreSQL logs to CloudWatch Logs", f"{_RDS_GUIDE}/{_PG_LOGS}"),
                  ckv("CKV_AWS_338", analogue=True), ckv("CKV_AWS_158", analogue=True)),
            control="log groups RDS writes to are pre-created with retention and a CMK",
            severity=Severity.MEDIUM,
            remediation="Declare an `aws.cloudwatch.LogGroup(name=f\"/aws/rds/instance/{identifier}/{log}\", "
            "retention_in_days=..., kms_key_id=...)` per exported log and pass them in the instance's `depends_on`.",
            tags=("logging",),
        ),
        _log_groups,
    ),
    # ---- expected controls (advisory) ----
    flag_policy(
        _about(
            "enable-performance-insights",
            description="RDS instances should have Performance Insights enabled.",
            refs=(ckv("CKV_AWS_353"),),
            control="Performance Insights on, encrypted with a CMK",
            severity=Severity.LOW,
            remediation="Set `performance_insights_enabled=True`.",
            tags=("monitoring",),
            url=f"{_RDS_GUIDE}/USER_PerfInsights.html",
            advisory=True,
        ),
        RDS_INSTANCE, "performanceInsightsEnabled", required=True, default=False,
        consequence="no Performance Insights",
    ),
    resource_policy(
        _about(
            "configure-performance-insights-customer-managed-key",
            description="RDS Performance Insights data should be encrypted with a customer-managed KMS key.",
            refs=(ckv("CKV_AWS_354"),),
            control="Performance Insights on, encrypted with a CMK",
            severity=Severity.LOW,
            remediation="Set `performance_insights_kms_key_id` to a customer-managed key ARN (it cannot be changed "
            "later).",
            tags=("monitoring", "encryption", "kms"),
            url=f"{_RDS_GUIDE}/USER_PerfInsights.html",
            advisory=True,
        ),
        (RDS_INSTANCE,),
        _performance_insights_cmk,
    ),
    resource_policy(
        _about(
            "enable-enhanced-monitoring",
            description="RDS instances should have Enhanced Monitoring enabled.",
            refs=(fsbp("RDS.6"), ckv("CKV_AWS_118")),
            control="enhanced monitoring",
            severity=Severity.LOW,
            remediation="Set `monitoring_interval` (1, 5, 10, 15, 30 or 60) and `monitoring_role_arn`.",
            tags=("monitoring",),
            advisory=True,
        ),
        (RDS_INSTANCE,),
        _enhanced_monitoring,
    ),
    resource_policy(
        _about(
            "disallow-default-master-username",
            description="RDS instances should not use a default or well-known admin user name.",
            refs=(fsbp("RDS.25"),),
            control="non-default admin user name",
            severity=Severity.MEDIUM,
            remediation="Set `username` to a custom name (not postgres/admin/root).",
            tags=("authentication",),
            advisory=True,
        ),
        (RDS_INSTANCE,),
        _admin_username,
    ),
    resource_policy(
        _about(
            "require-current-ca-certificate",
            description="RDS instances should use a current CA certificate.",
            refs=(ckv("CKV_AWS_211"),),
            control="current CA certificate (ca_cert_identifier)",
            severity=Severity.LOW,
            remediation="Set `ca_cert_identifier` to rds-ca-rsa2048-g1, rds-ca-rsa4096-g1 or rds-ca-ecc384-g1 (or "
            "omit it to get the region default).",
            tags=("tls",),
            url=f"{_RDS_GUIDE}/UsingWithRDS.SSL-certificate-rotation.html",
            advisory=True,
        ),
        (RDS_INSTANCE,),
        _ca_certificate,
    ),
]
