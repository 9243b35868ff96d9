"""The PostgreSQL parameter group's parameters: names, values in each parameter's base unit, apply methods.

No provider import: tests check every parameter against a real PostgreSQL's pg_settings.

Logging is chosen so that no setting writes the text of a role change (`CREATE/ALTER ROLE ... PASSWORD`)
to the server log, which RDS exports to CloudWatch:
- statement logging is off (`log_statement = none`); DDL and role changes are audited by pgaudit instead,
  whose ROLE class writes `PASSWORD <REDACTED>` (tests/components/postgres/test_logging.py proves it);
- `log_min_error_statement = panic`: the statement that caused an error (a failing `ALTER ROLE`, a typo
  next to a password) is never attached to the error's log line;
- duration logging is off (`log_min_duration_statement = -1`): it would log the full text of any slow
  statement. Slow queries are visible in pg_stat_statements and Performance Insights, which stay in the
  database.

Known limit: pgaudit redacts role passwords only. Its DDL class logs other DDL verbatim, so a password
written into DDL (`CREATE USER MAPPING ... OPTIONS (password '...')` for postgres_fdw, `CREATE
SUBSCRIPTION ... CONNECTION '... password=...'`) reaches the log, as it did with `log_statement = ddl`.
Nothing in this stack writes such DDL; apps that need foreign servers should authenticate them otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from components.postgres.config import DatabaseConfig

ApplyMethod = Literal["immediate", "pending-reboot"]

# Static parameters: PostgreSQL's context 'postmaster' (read only at server start), for which RDS accepts only
# apply_method 'pending-reboot'. Every other parameter is dynamic and applies 'immediate'. The PostgreSQL 15
# names are checked against a real server's pg_settings (tests/components/postgres/test_parameters.py); the
# names PostgreSQL 16 and 17 added are listed from their release notes and docs.
STATIC_PARAMETERS = frozenset({
    # PostgreSQL 15 (and later), context 'postmaster'.
    "archive_mode", "autovacuum_freeze_max_age", "autovacuum_max_workers", "autovacuum_multixact_freeze_max_age",
    "bonjour", "bonjour_name", "cluster_name", "config_file", "data_directory", "data_sync_retry",
    "dynamic_shared_memory_type", "event_source", "external_pid_file", "hba_file", "hot_standby",
    "huge_page_size", "huge_pages", "ident_file", "ignore_invalid_pages", "jit_provider", "listen_addresses",
    "logging_collector", "max_connections", "max_files_per_process", "max_locks_per_transaction",
    "max_logical_replication_workers", "max_pred_locks_per_transaction", "max_prepared_transactions",
    "max_replication_slots", "max_wal_senders", "max_worker_processes", "min_dynamic_shared_memory",
    "old_snapshot_threshold", "port", "recovery_target", "recovery_target_action", "recovery_target_inclusive",
    "recovery_target_lsn", "recovery_target_name", "recovery_target_time", "recovery_target_timeline",
    "recovery_target_xid", "shared_buffers", "shared_memory_type", "shared_preload_libraries",
    "superuser_reserved_connections", "track_activity_query_size", "track_commit_timestamp",
    "unix_socket_directories", "unix_socket_group", "unix_socket_permissions", "wal_buffers",
    "wal_decode_buffer_size", "wal_level", "wal_log_hints",
    # Added in PostgreSQL 16.
    "reserved_connections", "debug_io_direct",
    # Added in PostgreSQL 17.
    "commit_timestamp_buffers", "multixact_member_buffers", "multixact_offset_buffers", "notify_buffers",
    "serializable_buffers", "subtransaction_buffers", "transaction_buffers", "max_notify_queue_pages",
    # Extensions RDS offers whose parameters are read at start.
    "pg_stat_statements.max", "cron.database_name", "cron.max_running_jobs", "cron.use_background_workers",
    # RDS-only static parameters (AWS RDS User Guide, PostgreSQL parameters).
    "rds.logical_replication", "rds.rds_superuser_reserved_connections", "rds.restrict_password_commands",
})

# Parameters that would write statement text (and so a role's password) to the server log. The component
# sets the safe value of those it needs; extra_parameters may set none of them.
STATEMENT_TEXT_PARAMETERS = frozenset({
    "log_statement", "log_min_error_statement", "log_min_duration_statement", "log_min_duration_sample",
    "log_statement_sample_rate", "log_transaction_sample_rate", "debug_print_parse", "debug_print_rewritten",
    "debug_print_plan", "pgaudit.log_parameter", "auto_explain.log_min_duration", "session_preload_libraries",
    "local_preload_libraries",
})

# The preloaded libraries: query statistics, and pgaudit (available on RDS for PostgreSQL and as Debian's
# postgresql-<version>-pgaudit).
PRELOAD_LIBRARIES = "pg_stat_statements,pgaudit"


def apply_method(name: str) -> ApplyMethod:
    """'pending-reboot' for a static parameter (RDS refuses 'immediate' for it), else 'immediate', so a
    dynamic parameter takes effect without waiting for a reboot that may never come."""
    return "pending-reboot" if name in STATIC_PARAMETERS else "immediate"


def postgres_parameters(config: DatabaseConfig) -> list[dict[str, str]]:
    """The parameter group's parameters. Values are in each parameter's base unit, as RDS expects."""
    parameters = [
        # CKV2_AWS_69: the server refuses non-TLS connections.
        ("rds.force_ssl", "1"),
        ("password_encryption", "scram-sha-256"),
        ("shared_preload_libraries", PRELOAD_LIBRARIES),
        ("pg_stat_statements.track", "all"),
        ("track_io_timing", "1"),
        # Audit DDL and role changes with pgaudit (passwords redacted), never with statement logging.
        ("pgaudit.log", "role,ddl"),
        ("pgaudit.log_parameter", "0"),
        ("log_statement", "none"),
        ("log_min_error_statement", "panic"),
        ("log_min_duration_statement", str(config.log_min_duration_statement_ms)),
        # Lock waits, temp-file spills and slow autovacuum are logged; none of them carries statement text
        # once log_min_error_statement is panic.
        ("log_lock_waits", "1"),
        ("log_temp_files", "10240"),  # kB: spills over 10 MB
        ("log_autovacuum_min_duration", "10000"),  # ms
        # Timeouts that keep one bad client from holding locks or connections forever.
        ("statement_timeout", str(config.statement_timeout_ms)),
        ("idle_in_transaction_session_timeout", str(config.idle_in_transaction_session_timeout_ms)),
        ("lock_timeout", str(config.lock_timeout_ms)),
    ]
    parameters += sorted(config.extra_parameters.items())
    return [{"name": name, "value": value, "apply_method": apply_method(name)} for name, value in parameters]
