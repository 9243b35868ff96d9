"""The PostgreSQL parameter group's parameters: names, values in each parameter's base unit, apply methods.

No provider import: tests check every parameter against a real PostgreSQL's pg_settings.
"""

from __future__ import annotations

from components.postgres.config import DatabaseConfig


def postgres_parameters(config: DatabaseConfig) -> list[dict[str, str]]:
    """The parameter group's parameters. Values are in each parameter's base unit, as RDS expects.

    Static parameters (context 'postmaster') must use apply_method 'pending-reboot'; RDS rejects
    'immediate' for them. tests/test_postgres_parameters.py checks every name, value and apply method
    against a real PostgreSQL's pg_settings.
    """
    immediate = "immediate"
    reboot = "pending-reboot"
    parameters = [
        # CKV2_AWS_69: the server refuses non-TLS connections.
        ("rds.force_ssl", "1", immediate),
        ("password_encryption", "scram-sha-256", immediate),
        # Query statistics for Performance Insights' SQL view and for humans.
        ("shared_preload_libraries", "pg_stat_statements", reboot),
        ("pg_stat_statements.track", "all", immediate),
        ("track_io_timing", "1", immediate),
        # CKV2_AWS_30: slow queries, DDL, lock waits, temp-file spills and slow autovacuum are logged.
        ("log_min_duration_statement", str(config.log_min_duration_statement_ms), immediate),
        ("log_statement", "ddl", immediate),
        ("log_lock_waits", "1", immediate),
        ("log_temp_files", "10240", immediate),  # kB: spills over 10 MB
        ("log_autovacuum_min_duration", "10000", immediate),  # ms
        # Timeouts that keep one bad client from holding locks or connections forever.
        ("statement_timeout", str(config.statement_timeout_ms), immediate),
        ("idle_in_transaction_session_timeout", str(config.idle_in_transaction_session_timeout_ms), immediate),
        ("lock_timeout", str(config.lock_timeout_ms), immediate),
    ]
    # Extra parameters may be static or dynamic; pending-reboot is accepted for both.
    parameters += [(name, value, reboot) for name, value in sorted(config.extra_parameters.items())]
    return [{"name": name, "value": value, "apply_method": method} for name, value, method in parameters]
