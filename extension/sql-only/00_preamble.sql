-- SPDX-License-Identifier: PostgreSQL
-- SQL-only edition: runs before the extension's parts. A user without
-- CREATEROLE (a managed service's database owner may lack it) cannot create
-- PgQ's roles: say so before anything is created, with what to run.
set local client_min_messages = warning;
do $$
begin
    if exists (select 1 from pg_catalog.pg_namespace where nspname = 'pgq') then
        raise exception 'database % already has a schema pgq', current_database()
            using errcode = '42P06',
                  hint = 'The SQL-only edition installs into a database without one.';
    end if;
    if (select count(*) from pg_catalog.pg_roles
         where rolname in ('pgq_reader', 'pgq_writer', 'pgq_admin')) < 3
       and not (select rolcreaterole or rolsuper from pg_catalog.pg_roles
                 where rolname = current_user) then
        raise exception 'roles pgq_reader, pgq_writer and pgq_admin are missing and % cannot create them',
            current_user using errcode = '42501',
            hint = 'Have a user with CREATEROLE run: create role pgq_reader; create role pgq_writer; '
                || 'create role pgq_admin in role pgq_reader, pgq_writer;';
    end if;
end $$;
