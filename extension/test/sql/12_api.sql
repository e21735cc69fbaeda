-- SPDX-License-Identifier: PostgreSQL
-- The SQL API: every PgQ 3.5 function with its exact signature and result,
-- the tables' columns, and pgqpp's additions (documented in docs/sql-api.md).
create extension pgqpp;
select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') -> '
       || case when p.proretset then 'SETOF ' else '' end
       || format_type(p.prorettype, null) as signature,
       case when p.prosecdef then 'security definer' else '' end as security,
       l.lanname
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
 where n.nspname = 'pgq'
 order by 1;
select c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) as column
  from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = 'pgq' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
 order by c.relname, a.attnum;
-- Tables whose contents pg_dump keeps.
select unnest(extconfig)::regclass::text as dumped from pg_extension where extname = 'pgqpp' order by 1;
drop extension pgqpp;
-- Nothing is left behind by a clean drop (no queues): schema gone, roles kept.
select count(*) from pg_namespace where nspname = 'pgq';
select rolname from pg_roles where rolname like 'pgq\_%' order by 1;
-- With queues, DROP EXTENSION needs CASCADE, as with PgQ (event tables are not members).
create extension pgqpp;
select pgq.create_queue('qd');
select try($$drop extension pgqpp$$);
drop extension pgqpp cascade;
select count(*) from pg_namespace where nspname = 'pgq';
-- And it can come back.
create extension pgqpp;
select pgq.create_queue('again');
select pgq.insert_event('again', 't', 'd');
drop extension pgqpp cascade;
