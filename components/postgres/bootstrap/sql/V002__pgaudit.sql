-- V002: pgaudit's extension objects. The parameter group preloads pgaudit and sets pgaudit.log =
-- 'role,ddl'; the extension adds the event triggers that name the objects a DDL statement touched.
-- Idempotent.
CREATE EXTENSION IF NOT EXISTS pgaudit;
