"""RDS for PostgreSQL (`aws:rds/instance:Instance` and its parameter group).

Provider defaults used for absent inputs (pulumi_aws 7.x `rds.Instance` docstrings): `publiclyAccessible`
false, `storageEncrypted` false, `backupRetentionPeriod` 0, `multiAz` false, `deletionProtection` false,
`skipFinalSnapshot` false, `iamDatabaseAuthenticationEnabled` false, `autoMinorVersionUpgrade` true,
`enabledCloudwatchLogsExports` none, `copyTagsToSnapshot` false, `performanceInsightsEnabled` false,
`monitoringInterval` 0.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from .common import (
    RDS_INSTANCE,
    RDS_PARAMETER_GROUP,
    UNKNOWN,
    StackIndex,
    as_bool,
    as_list,
    as_number,
    as_str,
    config_number,
    fmt_number,
    get,
    has_key,
    is_set,
    is_unknown,
    known,
    protected_check,
    resource_policy,
    stack_policy,
)

_TAGS = ("aws", "rds")
_INSTANCE = (RDS_INSTANCE,)

MINIMUM_RETENTION_DAYS_DEFAULT = 7
# CKV_AWS_211: the CA certificates that are current (the rds-ca-2019 chain expired in 2024).
CURRENT_CA_CERTIFICATES = frozenset({"rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"})
# FSBP RDS.25: engine default / well-known admin names.
DEFAULT_MASTER_USERNAMES = frozenset({"postgres", "admin", "root", "rdsadmin", "rds_superuser", "administrator"})
# Engines that support IAM database authentication (AWS RDS User Guide, "IAM database authentication").
_IAM_AUTH_ENGINES = frozenset({"postgres", "mysql", "mariadb"})
_ENHANCED_MONITORING_INTERVALS = frozenset({1.0, 5.0, 10.0, 15.0, 30.0, 60.0})


def _engine(args: ResourceValidationArgs) -> str | None:
    """The engine name, lower-cased; None when absent (replicas and snapshot restores may omit it)."""
    engine = known(as_str(get(args.props, "engine")), "engine")
    return engine.strip().lower() if isinstance(engine, str) else None


def _flag(args: ResourceValidationArgs, prop: str, *, default: bool) -> bool:
    return bool(known(as_bool(get(args.props, prop), default=default), prop))


# --------------------------------------------------------------------------------------------------
# Required
# --------------------------------------------------------------------------------------------------
def _public_access(args: ResourceValidationArgs) -> Iterator[str]:
    if _flag(args, "publiclyAccessible", default=False):
        yield "publiclyAccessible is true: the instance gets a public DNS name and address."


def _storage_encrypted(args: ResourceValidationArgs) -> Iterator[str]:
    if not _flag(args, "storageEncrypted", default=False):
        yield "storageEncrypted is not true (the provider default is false): storage is not encrypted at rest."


def _storage_cmk(args: ResourceValidationArgs) -> Iterator[str]:
    key = get(args.props, "kmsKeyId")
    if not is_set(key):
        yield "kmsKeyId is not set: storage would use the AWS-managed key aws/rds instead of a customer-managed key."
    elif isinstance(key, str) and not is_unknown(key) and "alias/aws/" in key:
        yield "kmsKeyId names an AWS-managed key alias; use a customer-managed KMS key."


def _backup_retention(args: ResourceValidationArgs) -> Iterator[str]:
    minimum = config_number(args.get_config(), "minimumRetentionDays", MINIMUM_RETENTION_DAYS_DEFAULT, minimum=1)
    raw = get(args.props, "backupRetentionPeriod")
    days = known(as_number(raw), "backupRetentionPeriod")
    if days is None:
        days = 0.0  # provider default: 0 = automated backups off
    if days < minimum:
        shown = "absent (provider default 0)" if not has_key(args.props, "backupRetentionPeriod") else fmt_number(days)
        yield f"backupRetentionPeriod is {shown}; at least {fmt_number(minimum)} days are required."


def _multi_az(args: ResourceValidationArgs) -> Iterator[str]:
    if not _flag(args, "multiAz", default=False):
        yield "multiAz is not true: the instance has no standby in a second Availability Zone."


def _deletion_protection(args: ResourceValidationArgs) -> Iterator[str]:
    if not _flag(args, "deletionProtection", default=False):
        yield "deletionProtection is not true: the instance can be deleted through the API."


def _final_snapshot(args: ResourceValidationArgs) -> Iterator[str]:
    if _flag(args, "skipFinalSnapshot", default=False):
        yield "skipFinalSnapshot is true: deleting the instance would not take a final snapshot."
    elif not is_set(get(args.props, "finalSnapshotIdentifier")):
        yield (
            "finalSnapshotIdentifier is not set: with skipFinalSnapshot false the provider needs it, "
            "otherwise deleting the instance fails or (on replacement) no final snapshot is taken."
        )


def _iam_auth(args: ResourceValidationArgs) -> Iterator[str]:
    engine = _engine(args)
    if engine is not None and engine not in _IAM_AUTH_ENGINES:
        return
    if not _flag(args, "iamDatabaseAuthenticationEnabled", default=False):
        yield "iamDatabaseAuthenticationEnabled is not true: IAM database authentication is off."


def _minor_upgrades(args: ResourceValidationArgs) -> Iterator[str]:
    if not _flag(args, "autoMinorVersionUpgrade", default=True):
        yield "autoMinorVersionUpgrade is false: minor engine versions (security fixes) are not applied."


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


def _copy_tags(args: ResourceValidationArgs) -> Iterator[str]:
    if not _flag(args, "copyTagsToSnapshot", default=False):
        yield "copyTagsToSnapshot is not true: snapshots lose the instance's ownership and cost tags."


def _managed_master_password(args: ResourceValidationArgs) -> Iterator[str]:
    # Values of these properties are secrets: only their presence is ever read or reported.
    for prop in ("password", "passwordWo"):
        if is_set(get(args.props, prop)):
            yield f"'{prop}' is set: the master password is a program input and ends up in state or logs."
    replica = is_set(get(args.props, "replicateSourceDb"))
    if not replica and not _flag(args, "manageMasterUserPassword", default=False):
        yield (
            "manageMasterUserPassword is not true: RDS must generate and rotate the master password in Secrets Manager."
        )


# --------------------------------------------------------------------------------------------------
# Expected (advisory)
# --------------------------------------------------------------------------------------------------
def _performance_insights(args: ResourceValidationArgs) -> Iterator[str]:
    if not _flag(args, "performanceInsightsEnabled", default=False):
        yield "performanceInsightsEnabled is not true."


def _performance_insights_cmk(args: ResourceValidationArgs) -> Iterator[str]:
    if not _flag(args, "performanceInsightsEnabled", default=False):
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
    name = known(as_str(get(args.props, "username")), "username")
    if isinstance(name, str) and name.strip().lower() in DEFAULT_MASTER_USERNAMES:
        yield f"username '{name.strip().lower()}' is a default/well-known admin name; choose a custom one."


def _ca_certificate(args: ResourceValidationArgs) -> Iterator[str]:
    cert = known(as_str(get(args.props, "caCertIdentifier")), "caCertIdentifier")
    if isinstance(cert, str) and cert.strip() not in CURRENT_CA_CERTIFICATES:
        yield f"caCertIdentifier '{cert}' is not a current CA ({', '.join(sorted(CURRENT_CA_CERTIFICATES))})."


# --------------------------------------------------------------------------------------------------
# Stack: TLS enforced through a parameter group declared in the stack
# --------------------------------------------------------------------------------------------------
def _force_ssl_value(group_props: object) -> str:
    """'on', 'off', 'unset' or 'unknown' for rds.force_ssl in a parameter group's `parameters`."""
    params = as_list(get(group_props, "parameters"))
    if params is UNKNOWN:
        return "unknown"
    state = "unset"
    for param in params if isinstance(params, list) else []:
        if param is UNKNOWN:
            state = "unknown" if state == "unset" else state
            continue
        name = as_str(get(param, "name"))
        if name is UNKNOWN:
            state = "unknown" if state == "unset" else state
            continue
        if not isinstance(name, str) or name.strip().lower() != "rds.force_ssl":
            continue
        value = get(param, "value")
        if is_unknown(value):
            return "unknown"
        number = as_number(value)
        return "on" if number == 1.0 else "off"
    return state


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
            state = _force_ssl_value(group.props)
            if state in {"off", "unset"}:
                detail = "is not 1" if state == "off" else "is not set"
                yield (f"{db.name}: parameter group {group.name} rds.force_ssl {detail}.", db.urn)


# --------------------------------------------------------------------------------------------------
POLICIES = [
    resource_policy(
        name="aws-rds-instance-disallow-public-access",
        description="RDS instances must not be publicly accessible.",
        sources=("FSBP RDS.2", "CKV_AWS_17", "AWSGuard rds-instance-public-access"),
        control="not publicly accessible",
        severity=Severity.CRITICAL,
        remediation="Set `publicly_accessible=False` (or omit it) and reach the database through private "
        "subnets, RDS Proxy or a bastion.",
        resource_types=_INSTANCE,
        check=_public_access,
        tags=(*_TAGS, "network"),
    ),
    resource_policy(
        name="aws-rds-instance-storage-encrypted",
        description="RDS instance storage must be encrypted at rest.",
        sources=("FSBP RDS.3", "CKV_AWS_16", "AWSGuard rds-storage-encrypted"),
        control="storage encrypted with a customer-managed KMS key",
        severity=Severity.HIGH,
        remediation="Set `storage_encrypted=True`. An existing unencrypted instance must be restored from an "
        "encrypted snapshot copy.",
        resource_types=_INSTANCE,
        check=_storage_encrypted,
        tags=(*_TAGS, "encryption"),
    ),
    resource_policy(
        name="aws-rds-instance-storage-encrypted-with-customer-managed-key",
        description="RDS instance storage must be encrypted with a customer-managed KMS key.",
        sources=("FSBP RDS.3", "CKV_AWS_327 (cluster analogue)"),
        control="storage encrypted with a customer-managed KMS key",
        severity=Severity.MEDIUM,
        remediation="Set `kms_key_id` to the ARN of an `aws.kms.Key` with rotation enabled.",
        resource_types=_INSTANCE,
        check=_storage_cmk,
        tags=(*_TAGS, "encryption", "kms"),
    ),
    resource_policy(
        name="aws-rds-instance-backup-retention",
        description="RDS instances must keep automated backups for at least the configured number of days "
        "(minimumRetentionDays; default 7, prod 14).",
        sources=("FSBP RDS.11", "CKV_AWS_133", "AWSGuard rds-instance-backup-enabled"),
        control="automated backups, retention >= 7 days (prod: >= 14)",
        severity=Severity.HIGH,
        remediation="Set `backup_retention_period` to at least the stack's minimum (7 days; 14 in prod).",
        resource_types=_INSTANCE,
        check=_backup_retention,
        tags=(*_TAGS, "backup"),
        config_schema=PolicyConfigSchema(
            properties={
                "minimumRetentionDays": {
                    "type": "integer",
                    "default": MINIMUM_RETENTION_DAYS_DEFAULT,
                    "minimum": 1,
                    "maximum": 35,
                    "description": "Minimum backupRetentionPeriod in days.",
                }
            }
        ),
    ),
    resource_policy(
        name="aws-rds-instance-multi-az-enabled",
        description="RDS instances must be Multi-AZ (prod).",
        sources=("FSBP RDS.5", "CKV_AWS_157", "AWSGuard rds-instance-multi-az-enabled"),
        control="Multi-AZ in prod",
        severity=Severity.MEDIUM,
        remediation="Set `multi_az=True` for prod stacks.",
        resource_types=_INSTANCE,
        check=_multi_az,
        tags=(*_TAGS, "availability", "prod-only"),
    ),
    resource_policy(
        name="aws-rds-instance-deletion-protection-enabled",
        description="RDS instances must have deletion protection enabled (prod).",
        sources=("FSBP RDS.8", "CKV_AWS_293"),
        control="deletion protection in prod",
        severity=Severity.HIGH,
        remediation="Set `deletion_protection=True` for prod stacks.",
        resource_types=_INSTANCE,
        check=_deletion_protection,
        tags=(*_TAGS, "data-loss", "prod-only"),
    ),
    resource_policy(
        name="aws-rds-instance-final-snapshot-on-delete",
        description="RDS instances must take a final snapshot when deleted (never skip_final_snapshot in prod).",
        sources=("data-loss baseline",),
        control="final snapshot on delete (never skip_final_snapshot in prod)",
        severity=Severity.HIGH,
        remediation="Leave `skip_final_snapshot` false and set `final_snapshot_identifier`.",
        resource_types=_INSTANCE,
        check=_final_snapshot,
        tags=(*_TAGS, "data-loss", "backup"),
    ),
    resource_policy(
        name="aws-rds-instance-iam-authentication-enabled",
        description="RDS instances must have IAM database authentication enabled.",
        sources=("FSBP RDS.10", "CKV_AWS_161"),
        control="IAM database authentication enabled",
        severity=Severity.MEDIUM,
        remediation="Set `iam_database_authentication_enabled=True`.",
        resource_types=_INSTANCE,
        check=_iam_auth,
        tags=(*_TAGS, "iam", "authentication"),
    ),
    resource_policy(
        name="aws-rds-instance-auto-minor-version-upgrade-enabled",
        description="RDS instances must apply minor engine upgrades automatically.",
        sources=("FSBP RDS.13", "CKV_AWS_226"),
        control="automatic minor version upgrades",
        severity=Severity.MEDIUM,
        remediation="Set `auto_minor_version_upgrade=True` (or omit it; the provider default is true).",
        resource_types=_INSTANCE,
        check=_minor_upgrades,
        tags=(*_TAGS, "patching"),
    ),
    resource_policy(
        name="aws-rds-instance-cloudwatch-logs-exported",
        description="RDS instances must export their database logs to CloudWatch Logs ('postgresql' for PostgreSQL).",
        sources=("FSBP RDS.9", "FSBP RDS.36", "CKV_AWS_129"),
        control="PostgreSQL logs exported to CloudWatch",
        severity=Severity.MEDIUM,
        remediation='Set `enabled_cloudwatch_logs_exports=["postgresql", "upgrade"]`.',
        resource_types=_INSTANCE,
        check=_logs_exported,
        tags=(*_TAGS, "logging"),
    ),
    resource_policy(
        name="aws-rds-instance-copy-tags-to-snapshot-enabled",
        description="RDS instances must copy their tags to snapshots.",
        sources=("FSBP RDS.17", "CKV2_AWS_60"),
        control="copy tags to snapshots",
        severity=Severity.LOW,
        remediation="Set `copy_tags_to_snapshot=True`.",
        resource_types=_INSTANCE,
        check=_copy_tags,
        tags=(*_TAGS, "tagging", "backup"),
    ),
    resource_policy(
        name="aws-rds-instance-disallow-plaintext-master-password",
        description="RDS instances must not take the master password as an input; RDS must manage it in "
        "Secrets Manager (manageMasterUserPassword).",
        sources=("data-exposure baseline", "AWS RDS User Guide: password management with Secrets Manager"),
        control="no plaintext master password; manageMasterUserPassword = true",
        severity=Severity.HIGH,
        remediation="Remove `password` / `password_wo` and set `manage_master_user_password=True`; read the "
        "secret ARN from `master_user_secrets[0].secret_arn`.",
        resource_types=_INSTANCE,
        check=_managed_master_password,
        tags=(*_TAGS, "secrets"),
    ),
    resource_policy(
        name="aws-rds-instance-protected",
        description="RDS instances must be `protect`ed Pulumi resources (prod).",
        sources=("data-loss baseline",),
        control="every stateful resource is protected in prod",
        severity=Severity.HIGH,
        remediation="Pass `opts=pulumi.ResourceOptions(protect=True)` for prod stacks.",
        resource_types=_INSTANCE,
        check=protected_check("database"),
        tags=(*_TAGS, "data-loss", "prod-only"),
    ),
    stack_policy(
        name="aws-rds-instance-parameter-group-force-ssl",
        description="PostgreSQL RDS instances must use a parameter group declared in the stack that sets "
        "rds.force_ssl = 1.",
        sources=("CKV2_AWS_69",),
        control="TLS enforced in the parameter group (rds.force_ssl = 1)",
        severity=Severity.HIGH,
        remediation="Declare an `aws.rds.ParameterGroup` (family postgresNN) with "
        '`{"name": "rds.force_ssl", "value": "1"}` and pass its `name` as `parameter_group_name`.',
        check=_force_ssl,
        tags=(*_TAGS, "encryption-in-transit", "tls"),
    ),
    # ---- expected controls (advisory) ----
    resource_policy(
        name="aws-rds-instance-performance-insights-enabled",
        description="RDS instances should have Performance Insights enabled.",
        sources=("CKV_AWS_353",),
        control="Performance Insights on, encrypted with a CMK",
        severity=Severity.LOW,
        remediation="Set `performance_insights_enabled=True`.",
        resource_types=_INSTANCE,
        check=_performance_insights,
        tags=(*_TAGS, "monitoring"),
        enforcement_level=EnforcementLevel.ADVISORY,
    ),
    resource_policy(
        name="aws-rds-instance-performance-insights-encrypted-with-customer-managed-key",
        description="RDS Performance Insights data should be encrypted with a customer-managed KMS key.",
        sources=("CKV_AWS_354",),
        control="Performance Insights on, encrypted with a CMK",
        severity=Severity.LOW,
        remediation="Set `performance_insights_kms_key_id` to a customer-managed key ARN (it cannot be changed later).",
        resource_types=_INSTANCE,
        check=_performance_insights_cmk,
        tags=(*_TAGS, "monitoring", "encryption", "kms"),
        enforcement_level=EnforcementLevel.ADVISORY,
    ),
    resource_policy(
        name="aws-rds-instance-enhanced-monitoring-enabled",
        description="RDS instances should have Enhanced Monitoring enabled.",
        sources=("FSBP RDS.6", "CKV_AWS_118"),
        control="enhanced monitoring",
        severity=Severity.LOW,
        remediation="Set `monitoring_interval` (1, 5, 10, 15, 30 or 60) and `monitoring_role_arn`.",
        resource_types=_INSTANCE,
        check=_enhanced_monitoring,
        tags=(*_TAGS, "monitoring"),
        enforcement_level=EnforcementLevel.ADVISORY,
    ),
    resource_policy(
        name="aws-rds-instance-disallow-default-master-username",
        description="RDS instances should not use a default or well-known admin user name.",
        sources=("FSBP RDS.25",),
        control="non-default admin user name",
        severity=Severity.MEDIUM,
        remediation="Set `username` to a custom name (not postgres/admin/root).",
        resource_types=_INSTANCE,
        check=_admin_username,
        tags=(*_TAGS, "authentication"),
        enforcement_level=EnforcementLevel.ADVISORY,
    ),
    resource_policy(
        name="aws-rds-instance-current-ca-certificate",
        description="RDS instances should use a current CA certificate.",
        sources=("CKV_AWS_211",),
        control="current CA certificate (ca_cert_identifier)",
        severity=Severity.LOW,
        remediation="Set `ca_cert_identifier` to rds-ca-rsa2048-g1, rds-ca-rsa4096-g1 or rds-ca-ecc384-g1 (or omit "
        "it to get the region default).",
        resource_types=_INSTANCE,
        check=_ca_certificate,
        tags=(*_TAGS, "tls"),
        enforcement_level=EnforcementLevel.ADVISORY,
    ),
]
