"""The alarms, as data: what each watches, when it fires, and what to check first. No provider import.

The component turns each `AlarmSpec` into a CloudWatch metric alarm whose alarm and OK actions notify the alert
channel; docs/alerting.md's alarm table is this list. Every "near the limit" threshold is derived here from the limit
the stack configures (the instance class's memory and max_connections, the allocated storage, the proxy's
borrow timeout, the cache's usage limits), so changing a limit moves its alarm with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from components.alerting.config import AlertsConfig, Severity
from components.alerting.limits import GIB, instance_memory_gib, max_connections
from components.cache.config import CacheConfig
from components.postgres.config import DatabaseConfig

Target = Literal["database", "proxy", "cache", "app", "offsite-copy"]
Comparison = Literal[
    "GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"
]
TreatMissing = Literal["breaching", "notBreaching", "ignore", "missing"]
# The dimension that names the watched resource, per target (CloudWatch namespaces AWS/RDS, AWS/ElastiCache,
# AWS/Route53). ElastiCache Serverless metrics carry `clusterId` (the cache's name).
DIMENSION: dict[Target, str] = {
    "database": "DBInstanceIdentifier", "proxy": "ProxyName", "cache": "clusterId", "app": "HealthCheckId",
    "offsite-copy": "Stack",
}
#: The off-site copy job's heartbeat: one data point per successful run (.github/workflows/offsite-copy.yml, put by
#: the copy role), alarmed when missing.
HEARTBEAT_NAMESPACE = "Platform/Backup"


def heartbeat_namespace(stack: str) -> str:
    """The stack's own namespace: CloudWatch has no resource policy and PutMetricData's only condition key is
    cloudwatch:namespace (Service Authorization Reference, Amazon CloudWatch), so a per-stack namespace is what keeps
    one stack's copy role from keeping another stack's heartbeat green (the Stack dimension is not a condition key)."""
    return f"{HEARTBEAT_NAMESPACE}/{stack}"
HEARTBEAT_METRIC = "OffsiteCopySucceeded"
#: A daily job: 24 h plus 6 h for a late start (GitHub's scheduled runs can start late) before the alarm fires.
HEARTBEAT_HOURS = 30
# ElastiCache Serverless usage limits are in GB; 10^9 bytes keeps the alarm on the safe side of either reading.
GB = 1000**3


@dataclass(frozen=True)
class AlarmSpec:
    key: str
    target: Target
    namespace: str
    metric: str
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    comparison: Comparison
    threshold: float
    #: Chosen per alarm: what no data means for this metric.
    treat_missing_data: TreatMissing
    severity: Severity
    #: What the alarm means (docs/alerting.md's table).
    meaning: str
    #: The runbook line: what to check first.
    check_first: str
    extended_statistic: str | None = None

    @property
    def description(self) -> str:
        return f"{self.meaning} Check first: {self.check_first}"[:1024]  # CloudWatch AlarmDescription limit


def health_check_alarm() -> AlarmSpec:
    return AlarmSpec(
        # Statistic: HealthCheckStatus is 1 healthy / 0 unhealthy per minute; Minimum catches any unhealthy minute.
        key="app-health", target="app", namespace="AWS/Route53", metric="HealthCheckStatus", statistic="Minimum",
        period=60, evaluation_periods=2, datapoints_to_alarm=2, comparison="LessThanThreshold", threshold=1,
        # No data from a health check means Route 53 stopped reporting it: treat as down, never as fine.
        treat_missing_data="breaching", severity="critical",
        meaning="The app's health endpoint failed from most Route 53 checker regions for 2 minutes (non-2xx/3xx, "
        "a timeout, or the expected text missing).",
        check_first="open the health check in the Route 53 console (us-east-1) for the failing regions' reasons, "
        "then the app's recent deploys and logs, then the Cloudflare edge (DNS, origin errors).",
    )


def database_alarms(alerts: AlertsConfig, database: DatabaseConfig) -> list[AlarmSpec]:
    """RDS instance and RDS Proxy alarms; thresholds from the instance class, storage and proxy settings."""
    limits = alerts.database
    memory_gib = instance_memory_gib(database.instance_class)
    connections = max_connections(database)
    specs = [
        AlarmSpec(
            # Statistic: CPUUtilization is a percentage of the one instance; Average over 5 minutes is its load.
            key="db-cpu", target="database", namespace="AWS/RDS", metric="CPUUtilization", statistic="Average",
            period=300, evaluation_periods=3, datapoints_to_alarm=3, comparison="GreaterThanThreshold",
            threshold=limits.cpu_percent, treat_missing_data="missing", severity="warning",
            meaning=f"Database CPU averaged above {limits.cpu_percent}% for 15 minutes.",
            check_first="Performance Insights top SQL and waits; a new query plan or a missing index after a deploy.",
        ),
        AlarmSpec(
            # Statistic: FreeStorageSpace, bytes of the one instance; Minimum catches the lowest point of the period.
            key="db-free-storage", target="database", namespace="AWS/RDS", metric="FreeStorageSpace",
            statistic="Minimum", period=300, evaluation_periods=1, datapoints_to_alarm=1,
            comparison="LessThanThreshold",
            threshold=database.allocated_storage_gb * GIB * limits.free_storage_percent // 100,
            # No data while the instance is being modified or rebooted is not free space running out.
            treat_missing_data="missing", severity="critical",
            meaning=f"Free storage fell below {limits.free_storage_percent}% of the {database.allocated_storage_gb} "
            "GiB allocated: storage autoscaling is failing or at max_allocated_storage_gb.",
            check_first="the RDS events (low storage, autoscaling at its maximum), table and WAL growth "
            "(replication slots, long transactions); raise max_allocated_storage_gb.",
        ),
    ]
    if memory_gib is not None:
        specs.append(AlarmSpec(
            # Statistic: FreeableMemory, bytes of the one instance; Minimum is the period's low point.
            key="db-freeable-memory", target="database", namespace="AWS/RDS", metric="FreeableMemory",
            statistic="Minimum", period=300, evaluation_periods=3, datapoints_to_alarm=3,
            comparison="LessThanThreshold", threshold=memory_gib * GIB * limits.freeable_memory_percent // 100,
            treat_missing_data="missing", severity="critical",
            meaning=f"Freeable memory stayed below {limits.freeable_memory_percent}% of the {memory_gib} GiB of "
            f"{database.instance_class} for 15 minutes: the next step is swapping or the OOM killer.",
            check_first="connection count (each backend costs memory), work_mem-heavy queries in Performance "
            "Insights; scale the instance class.",
        ))
    if connections is not None:
        specs.append(AlarmSpec(
            # Statistic: DatabaseConnections, a count on the one instance (not per node): Maximum is the peak.
            key="db-connections", target="database", namespace="AWS/RDS", metric="DatabaseConnections",
            statistic="Maximum", period=60, evaluation_periods=5, datapoints_to_alarm=3,
            comparison="GreaterThanOrEqualToThreshold", threshold=connections * limits.connections_percent // 100,
            treat_missing_data="missing", severity="critical",
            meaning=f"Connections reached {limits.connections_percent}% of max_connections ({connections}): new "
            "connections will soon be refused.",
            check_first="who is connected (pg_stat_activity by usename, application_name); clients bypassing "
            "RDS Proxy; idle-in-transaction sessions.",
        ))
    specs += [
        AlarmSpec(
            # Statistic: ReadLatency is already an average per I/O (seconds); Average over the period.
            key="db-read-latency", target="database", namespace="AWS/RDS", metric="ReadLatency",
            statistic="Average", period=300, evaluation_periods=3, datapoints_to_alarm=3,
            comparison="GreaterThanThreshold", threshold=limits.read_latency_ms / 1000,  # the metric is in seconds
            treat_missing_data="missing", severity="warning",
            meaning=f"Average disk read latency above {limits.read_latency_ms} ms for 15 minutes.",
            check_first="ReadIOPS and throughput against the gp3 volume's limits; sequential scans in Performance "
            "Insights.",
        ),
        AlarmSpec(
            # Statistic: WriteLatency is already an average per I/O (seconds); Average over the period.
            key="db-write-latency", target="database", namespace="AWS/RDS", metric="WriteLatency",
            statistic="Average", period=300, evaluation_periods=3, datapoints_to_alarm=3,
            comparison="GreaterThanThreshold", threshold=limits.write_latency_ms / 1000,
            treat_missing_data="missing", severity="warning",
            meaning=f"Average disk write latency above {limits.write_latency_ms} ms for 15 minutes.",
            check_first="WriteIOPS and throughput against the volume's limits; bulk loads, checkpoints, autovacuum.",
        ),
        AlarmSpec(
            # Statistic: RDS publishes the proxy metrics "for each underlying Amazon EC2 instance associated with a
            # proxy ... Use CloudWatch statistics to aggregate the values for a proxy across all the associated
            # instances" (RDS User Guide, rds-proxy.monitoring): Maximum is the busiest node's count, but the
            # threshold is the proxy's total, so Sum over a 60 s period (one one-minute sample per node: the
            # total; a longer period would add up several samples of each node), 10 periods for 10 minutes.
            key="proxy-client-connections", target="proxy", namespace="AWS/RDS", metric="ClientConnections",
            statistic="Sum", period=60, evaluation_periods=10, datapoints_to_alarm=10,
            comparison="GreaterThanThreshold", threshold=limits.proxy_client_connections,
            # The proxy publishes nothing until its first connection: no data is no clients.
            treat_missing_data="notBreaching", severity="warning",
            meaning=f"More than {limits.proxy_client_connections} client connections to RDS Proxy for 10 minutes.",
            check_first="the app's connection pool sizes and instance count; a connection leak after a deploy.",
        ),
        AlarmSpec(
            # Statistic: per proxy node like every proxy metric, but a latency: Maximum is the worst node's wait, which
            # is what a client meets (a Sum of latencies means nothing).
            key="proxy-borrow-latency", target="proxy", namespace="AWS/RDS",
            metric="DatabaseConnectionsBorrowLatency", statistic="Maximum", period=60, evaluation_periods=3,
            datapoints_to_alarm=2, comparison="GreaterThanOrEqualToThreshold",
            # Microseconds; at the borrow timeout the proxy fails the client's request.
            threshold=database.proxy.connection_borrow_timeout_seconds * 1_000_000
            * limits.proxy_borrow_latency_percent // 100,
            treat_missing_data="notBreaching", severity="critical",
            meaning=f"Borrowing a pooled connection took {limits.proxy_borrow_latency_percent}% of the proxy's "
            f"{database.proxy.connection_borrow_timeout_seconds} s borrow timeout: clients are about to time out.",
            check_first="DatabaseConnections against MaxDatabaseConnectionsAllowed, pinned sessions "
            "(DatabaseConnectionsCurrentlySessionPinned), long transactions holding connections.",
        ),
    ]
    return specs


def cache_alarms(alerts: AlertsConfig, cache: CacheConfig) -> list[AlarmSpec]:
    """ElastiCache Serverless alarms; thresholds from the cache's usage limits."""
    limits = alerts.cache
    return [
        AlarmSpec(
            # Statistic: ElastiCacheProcessingUnits counts ECPUs consumed: Sum over 60 s is ECPUs per minute.
            key="cache-ecpu", target="cache", namespace="AWS/ElastiCache", metric="ElastiCacheProcessingUnits",
            # ECPUs consumed per minute; the usage limit is per second.
            statistic="Sum", period=60, evaluation_periods=5, datapoints_to_alarm=3,
            comparison="GreaterThanOrEqualToThreshold",
            threshold=cache.max_ecpu_per_second * 60 * limits.ecpu_percent // 100,
            treat_missing_data="notBreaching", severity="warning",
            meaning=f"The cache used {limits.ecpu_percent}% of its {cache.max_ecpu_per_second} ECPU/s limit: at "
            "the limit commands are throttled.",
            check_first="the command mix (expensive commands, large values, hot keys); raise max_ecpu_per_second.",
        ),
        AlarmSpec(
            # Statistic: BytesUsedForCache, the serverless cache's total bytes (one series): Maximum is the peak.
            key="cache-data-storage", target="cache", namespace="AWS/ElastiCache", metric="BytesUsedForCache",
            statistic="Maximum", period=300, evaluation_periods=1, datapoints_to_alarm=1,
            comparison="GreaterThanOrEqualToThreshold",
            threshold=cache.max_data_storage_gb * GB * limits.data_storage_percent // 100,
            treat_missing_data="notBreaching", severity="critical",
            meaning=f"The cache holds {limits.data_storage_percent}% of its {cache.max_data_storage_gb} GB data "
            "limit: at the limit writes are throttled or keys evicted.",
            check_first="keys without a TTL, queue backlogs; raise max_data_storage_gb.",
        ),
        AlarmSpec(
            # Statistic: ThrottledCmds counts throttled requests: Sum over the period.
            key="cache-throttled", target="cache", namespace="AWS/ElastiCache", metric="ThrottledCmds",
            statistic="Sum", period=300, evaluation_periods=1, datapoints_to_alarm=1,
            comparison="GreaterThanOrEqualToThreshold", threshold=limits.throttled_commands,
            treat_missing_data="notBreaching", severity="critical",
            meaning="The cache throttled commands: it is at a usage limit (ECPU/s or data storage).",
            check_first="the ECPU and storage alarms and metrics; raise the limit that was hit.",
        ),
    ]


def notifying(specs: list[AlarmSpec], minimum: Severity) -> list[AlarmSpec]:
    """The alarms a stack with `minimum_severity` creates: preview may leave the warnings out."""
    return [spec for spec in specs if minimum == "warning" or spec.severity == "critical"]


def offsite_copy_alarm(stack: str) -> AlarmSpec:
    """Silence of the off-site copy: no successful run for a day and its margin (its failures also publish)."""
    return AlarmSpec(
        # Statistic: one data point of 1 per successful run; Sum per hour, below 1 in every hour of the range.
        key="offsite-copy-heartbeat", target="offsite-copy", namespace=heartbeat_namespace(stack),
        metric=HEARTBEAT_METRIC, statistic="Sum", period=3600, evaluation_periods=HEARTBEAT_HOURS,
        datapoints_to_alarm=HEARTBEAT_HOURS, comparison="LessThanThreshold", threshold=1,
        # No data is exactly the failure this alarm is for.
        treat_missing_data="breaching", severity="critical",
        meaning=f"No successful off-site copy of the stack's dumps for {HEARTBEAT_HOURS} hours: the Azure copy is "
        "falling behind (a failed run, a run that never started, a schedule GitHub disabled, or a newest dump "
        "older than its tier allows: the dump jobs stopped).",
        check_first="the offsite-copy workflow's last runs (environment backup-copy-<stack>), then the copy role's "
        "trust and the Azure identity's federated credential.",
    )
