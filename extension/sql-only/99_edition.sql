-- SPDX-License-Identifier: PostgreSQL
-- SQL-only edition: the mark tools read. pgq.version() stays '3.5' (PgQ's
-- API version, which skytools and londiste check); the edition and its
-- pgqpp version are pgq.sqlonly_version() and the comment on schema pgq.

-- Function: pgq.sqlonly_version()
--   SQL-only edition only: the pgqpp schema version this SQL-only install
--   provides (the C++ extension's version in pg_extension, which it lacks).
--   The ticker and `pgqpp status` call it to detect the edition: where it
--   exists, pgq.wakeup_ticker and the commit-time wake-up are not there.
create function pgq.sqlonly_version() returns text as $$
    select '@VERSION@'::text;
$$ language sql immutable;
grant execute on function pgq.sqlonly_version() to public;

comment on schema pgq is 'pgqpp @VERSION@ SQL-only edition (docs/managed.md)';

-- The SQL-only helpers (pgq._so_*) run with their callers' rights (none is
-- SECURITY DEFINER): EXECUTE on them grants nothing the tables' privileges
-- do not. Triggers (writers) and batch readers (pgq_reader) call them from
-- functions that are not SECURITY DEFINER, as PgQ's own are not.
do $$
declare
    f regprocedure;
begin
    for f in select p.oid::regprocedure from pg_catalog.pg_proc p
              where p.pronamespace = 'pgq'::regnamespace and p.proname like '\_so\_%'
    loop
        execute 'grant execute on function ' || f || ' to public';
    end loop;
end $$;
