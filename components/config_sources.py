"""Which stack config key sets which resource input or option: the one map from a policy finding back to the key
that fixes it (`ops plan` names the key, its value and what to set, instead of the Python resource option), and
from a replacement back to the key whose change causes it (`ops diff`).

One row per key and the resources it reaches, keyed by the component that owns them (the type in the resource's
URN) and the resource type; a property is the engine's (camelCase) input name, or `(option) protect` for the
resource option. Policies are not listed: a finding is matched to a row by its resource and the property its
message names, so a new policy on a mapped property needs no entry here. tests/components/test_config_sources.py
changes each key in a real plan and checks that exactly these properties change.

No provider imports: `ops plan` reads this without the SDKs.
"""

from __future__ import annotations

from dataclasses import dataclass

PROTECT = "(option) protect"

POSTGRES = "platform:data:PostgresDatabase"
CACHE = "platform:data:RedisCache"
BACKUP_BUCKET = "platform:data:BackupBucket"
OFFSITE = "platform:data:OffsiteBackupCopy"
BACKUP = "platform:data:DatabaseBackup"
NETWORK = "platform:network:Network"
EDGE = "platform:edge:CloudflareEdge"

RDS = "aws:rds/instance:Instance"
KMS = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
BUCKET = "aws:s3/bucket:Bucket"
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"


@dataclass(frozen=True)
class ConfigSource:
    """`key` (under `platform:`) sets `prop` of the `resource_type` resources inside `component`."""

    key: str
    component: str
    resource_type: str
    prop: str


def _rows(key: str, component: str, *targets: tuple[str, str]) -> tuple[ConfigSource, ...]:
    return tuple(ConfigSource(key, component, type_, prop) for type_, prop in targets)


CONFIG_SOURCES: tuple[ConfigSource, ...] = (
    *_rows("database.protect", POSTGRES, (RDS, PROTECT), (KMS, PROTECT), (LOG_GROUP, PROTECT)),
    *_rows("database.deletion_protection", POSTGRES, (RDS, "deletionProtection")),
    *_rows("database.multi_az", POSTGRES, (RDS, "multiAz")),
    *_rows("database.instance_class", POSTGRES, (RDS, "instanceClass")),
    *_rows("database.backup_retention_days", POSTGRES, (RDS, "backupRetentionPeriod")),
    *_rows("database.apply_immediately", POSTGRES, (RDS, "applyImmediately")),
    *_rows("database.allocated_storage_gb", POSTGRES, (RDS, "allocatedStorage")),
    *_rows("database.max_allocated_storage_gb", POSTGRES, (RDS, "maxAllocatedStorage")),
    *_rows("database.log_retention_days", POSTGRES, (LOG_GROUP, "retentionInDays")),
    *_rows("cache.protect", CACHE, ("aws:elasticache/serverlessCache:ServerlessCache", PROTECT), (KMS, PROTECT)),
    *_rows("cache.snapshot_retention_limit", CACHE,
           ("aws:elasticache/serverlessCache:ServerlessCache", "snapshotRetentionLimit")),
    *_rows("backup_storage.protect", BACKUP_BUCKET, (BUCKET, PROTECT), (KMS, PROTECT)),
    *_rows("backup_storage.protect", OFFSITE, ("azure-native:storage:StorageAccount", PROTECT),
           ("azure-native:storage:BlobContainer", PROTECT)),
    *_rows("backup_storage.force_destroy", BACKUP_BUCKET, (BUCKET, "forceDestroy")),
    *_rows("backup.protect", BACKUP, ("aws:backup/vault:Vault", PROTECT), (KMS, PROTECT)),
    *_rows("network.protect_flow_logs", NETWORK, (LOG_GROUP, PROTECT), (KMS, PROTECT)),
    *_rows("network.flow_log_retention_days", NETWORK, (LOG_GROUP, "retentionInDays")),
    *_rows("edge.protect", EDGE, ("cloudflare:index/zone:Zone", PROTECT)),
    # Keys whose change replaces what they set (ops diff names them on the replacement it causes).
    *_rows("network.cidr_block", NETWORK, (VPC, "cidrBlock"), (SUBNET, "cidrBlock")),
    *_rows("network.app_subnet_cidrs", NETWORK, (SUBNET, "cidrBlock")),
    *_rows("edge.domain", EDGE, ("cloudflare:index/zone:Zone", "name"),
           ("cloudflare:index/dnsRecord:DnsRecord", "name")),
)


#: Stack policies whose finding is the absence of a resource (no property to name): the key that creates it.
POLICY_KEYS: dict[str, str] = {
    "aws-backup-vault-require-vault-lock": "backup.vault_lock",
}


def sources_for(urn: str, resource_type: str) -> list[ConfigSource]:
    """The rows that reach the resource with this URN: its type, inside the component its URN names."""
    chain = urn.split("::")[2] if urn.count("::") >= 3 else ""
    components = set(chain.split("$")[:-1])
    return [s for s in CONFIG_SOURCES if s.resource_type == resource_type and s.component in components]
