-- V001: the app's least-privilege role. It logs in only with IAM tokens (rds_iam): through RDS Proxy, whose
-- end-to-end IAM authentication connects as this role, so no database password exists anywhere.
-- Idempotent: every statement may run again on a database where it already ran.
-- The placeholders (the app role, the database, the app schema and its owner, the master user) are
-- substituted by the bootstrap function (handler.py), after checking each is a plain lowercase identifier.

DO $bootstrap$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${app_role}') THEN
        CREATE ROLE "${app_role}" LOGIN;
    END IF;
END
$bootstrap$;

-- Re-asserted on every run, so a hand-made change to the role is undone. SUPERUSER, REPLICATION and
-- BYPASSRLS are off by default and only a superuser (which the RDS master is not) may set or name them.
ALTER ROLE "${app_role}" WITH LOGIN NOCREATEDB NOCREATEROLE INHERIT CONNECTION LIMIT -1 PASSWORD NULL;
GRANT rds_iam TO "${app_role}";

-- The database: the app may connect and use temporary tables; nobody else gets anything by default.
REVOKE ALL ON DATABASE "${database}" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE "${database}" TO "${app_role}";

-- PostgreSQL 15+ already revokes CREATE on public from PUBLIC; restated for databases restored from older dumps.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- The app's schema, owned by the master user: the app may create its own objects in it (its migrations
-- run as the app role) but cannot drop the schema or touch objects it does not own without a grant.
CREATE SCHEMA IF NOT EXISTS "${schema}" AUTHORIZATION "${owner}";
REVOKE ALL ON SCHEMA "${schema}" FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA "${schema}" TO "${app_role}";
ALTER ROLE "${app_role}" IN DATABASE "${database}" SET search_path = "${schema}";

-- Objects the master user creates in the schema later (an operator's migration) are usable by the app.
-- (No GRANT ... ON ALL TABLES: on a re-run it would fail on the tables the app role owns, which the
-- non-superuser master may not grant on.)
ALTER DEFAULT PRIVILEGES FOR ROLE "${owner}" IN SCHEMA "${schema}"
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "${app_role}";
ALTER DEFAULT PRIVILEGES FOR ROLE "${owner}" IN SCHEMA "${schema}"
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO "${app_role}";
ALTER DEFAULT PRIVILEGES FOR ROLE "${owner}" IN SCHEMA "${schema}"
    GRANT EXECUTE ON FUNCTIONS TO "${app_role}";
