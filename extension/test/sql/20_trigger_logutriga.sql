-- SPDX-License-Identifier: PostgreSQL
-- pgq.logutriga: URL-encoded rows, as PgQ 3.5 writes them. Every type with
-- a text form, NULLs, names and values that need encoding, non-ASCII,
-- long values; INSERT/UPDATE/DELETE/TRUNCATE, BEFORE and AFTER, backup.
\set SHOW_CONTEXT never
set timezone = 'UTC';
set datestyle = 'ISO, MDY';
set intervalstyle = 'postgres';
set extra_float_digits = 1;
create extension pgqpp;
select pgq.create_queue('lq');
-- The events of the test's queue, newest last.
create function pg_temp.events() returns table (ev_id bigint, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
language sql as $$
  select ev_id, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
    from pgq.event_template order by ev_id
$$;
create function pg_temp.last_data() returns text language sql as $$
  select ev_data from pgq.event_template order by ev_id desc limit 1
$$;

-- Every kind of value.
create type mood as enum ('sad', 'ok', 'happy');
create type pair as (a int, b text);
create domain posint as int check (value > 0);
create table typed (
    id int primary key, i2 int2, i8 int8, n numeric, f4 float4, f8 float8, t text, vc varchar(10),
    ch char(4), by bytea, b bool, d date, tm time, tz timetz, ts timestamp, tstz timestamptz,
    iv interval, j json, jb jsonb, u uuid, ia int[], ta text[], c pair, m mood, p posint,
    ip inet, pt point, nm name, o oid);
create trigger cap after insert or update or delete on typed
    for each row execute function pgq.logutriga('lq');
insert into typed values (1, -32768, 9223372036854775807, -1.50, 1.5, 1e300, 'plain', 'v',
    'ab', '\x00ff7f', true, '2024-02-29', '23:59:59.5', '01:02:03+04:30', '2024-01-02 03:04:05.123456',
    '2024-01-02 03:04:05+02', '1 year 2 mons -3 days 04:05:06', '{"a": [1, "x"]}', '{"b": null}',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,NULL,3}', '{"a b","c,d","e\"f",NULL}',
    '(7,"x y")', 'happy', 42, '192.168.0.1/24', '(1.5,-2)', 'nm', 4000000000);
insert into typed (id) values (2);
insert into typed (id, f4, f8, n, d, ts, tstz) values
    (3, 'NaN', '-Infinity', 'NaN', 'infinity', '-infinity', 'infinity'),
    (4, 0.1, 3.141592653589793, 1e-10, '0044-03-15 BC', '0001-01-01 00:00:00 BC', '1900-01-01 00:00:00.000001+00');
select ev_id, ev_type, ev_data, ev_extra1 from pg_temp.events();

-- Text that needs encoding: every ASCII byte, non-ASCII, empty strings.
create table texts (id int primary key, "Mixed Case" text, "select" text, "a&b=c d" text, "ünï" text);
create trigger cap after insert or update or delete on texts
    for each row execute function pgq.logutriga('lq');
insert into texts values (1, (select string_agg(chr(g), '' order by g) from generate_series(1, 127) g),
    'a b&c=d%e+f/g?h#i', E'tab\there\nnew\\back''quote"dq', 'äöü € 😀 ünïcödé');
insert into texts values (2, '', ' ', '+', '%');
select ev_type, ev_data from pg_temp.events() where ev_extra1 = 'public.texts';

-- skytools' db_urldecode turns '+' into ' ' and %xx back; so does this.
create function pg_temp.urldecode(s text) returns text language sql as $$
  select coalesce(convert_from(decode(string_agg(case when p ~ '^%' then substr(p, 2)
                                             when p = '+' then '20'
                                             else encode(convert_to(p, 'UTF8'), 'hex') end, '' order by o), 'hex'), 'UTF8'), '')
    from regexp_matches(s, '%[0-9a-f]{2}|\+|[^%+]', 'g') with ordinality as m(a, o), lateral (select a[1] as p) x
$$;
select id, pg_temp.urldecode(split_part(split_part(ev_data, '&', 2), '=', 2)) = "Mixed Case" as col2_roundtrip,
       pg_temp.urldecode(split_part(split_part(ev_data, '&', 4), '=', 2)) = "a&b=c d" as col4_roundtrip,
       pg_temp.urldecode(split_part(split_part(ev_data, '&', 5), '=', 2)) = "ünï" as col5_roundtrip
  from pg_temp.events() e join texts on ev_data like 'id=' || id || '&%' where ev_extra1 = 'public.texts';

-- Long values: 1 MB of plain text, and 300 kB that triples when encoded.
insert into texts (id, "Mixed Case") values (3, repeat('x', 1000000));
select length(pg_temp.last_data()), pg_temp.last_data() = 'id=3&Mixed+Case=' || repeat('x', 1000000) || '&select&a%26b%3dc+d&%c3%bcn%c3%af' as exact;
insert into texts (id, "Mixed Case") values (4, repeat('&', 300000));
select length(pg_temp.last_data()), pg_temp.last_data() = 'id=4&Mixed+Case=' || repeat('%26', 300000) || '&select&a%26b%3dc+d&%c3%bcn%c3%af' as exact;
delete from texts where id in (3, 4);

-- UPDATE sends the new row (NOP updates too); DELETE the old one.
update typed set t = 'changed', i2 = null where id = 1;
update typed set t = t where id = 1;
update typed set t = 'two' where id = 2;
delete from typed where id = 2;
select ev_id, ev_type, ev_data from pg_temp.events() where ev_extra1 = 'public.typed' and ev_type <> 'I:id';
-- One event per row of a multi-row statement, each in the statement's transaction.
begin;
update texts set "select" = 'multi';
select count(*) as events_this_tx, count(distinct ev_txid) as txids, bool_and(ev_txid = txid_current()) as own_txid,
       bool_and(ev_time = now()) as tx_time, bool_and(ev_owner is null and ev_retry is null) as no_owner
  from pgq.event_template where ev_data like '%select=multi%';
commit;

-- backup: UPDATE events carry the old row in ev_extra2.
create table backed (id int primary key, v text);
create trigger cap after insert or update or delete on backed
    for each row execute function pgq.logutriga('lq', 'backup');
insert into backed values (1, 'old value');
update backed set v = 'new value';
delete from backed;
select ev_type, ev_data, ev_extra2 from pg_temp.events() where ev_extra1 = 'public.backed';

-- The key: the primary key's columns in index order, whatever their position.
create table keyed (a int, "B" text, c text, primary key (c, a));
create trigger cap after insert or update or delete on keyed
    for each row execute function pgq.logutriga('lq');
insert into keyed values (1, 'b', 'c');
-- No primary key: INSERT events list none, UPDATE and DELETE are refused.
create table unkeyed (a int, b text);
create trigger cap after insert or update or delete on unkeyed
    for each row execute function pgq.logutriga('lq');
insert into unkeyed values (1, 'x');
select try($$update unkeyed set b = 'y'$$);
select try($$delete from unkeyed$$);
select ev_type, ev_data, ev_extra1 from pg_temp.events() where ev_extra1 in ('public.keyed', 'public.unkeyed');

-- Table names: schema.table, unquoted, as PgQ writes them.
create schema "Odd Schema";
create table "Odd Schema"."Tbl ""x""" (id int primary key);
create trigger cap after insert on "Odd Schema"."Tbl ""x"""
    for each row execute function pgq.logutriga('lq');
insert into "Odd Schema"."Tbl ""x""" values (1);
select ev_type, ev_data, ev_extra1 from pg_temp.events() where ev_extra1 like 'Odd%';

-- TRUNCATE: one 'R' event with an empty payload.
create trigger cap_truncate after truncate on backed
    for each statement execute function pgq.logutriga('lq');
truncate backed;
select ev_type, ev_data = '' as empty_data, ev_extra1 from pg_temp.events() where ev_type = 'R';

-- BEFORE: the event is made and the row written; with SKIP, the row is not.
create table before_t (id int primary key, v text);
create trigger cap before insert or update or delete on before_t
    for each row execute function pgq.logutriga('lq');
insert into before_t values (1, 'kept');
update before_t set v = 'updated';
create table skipped (id int primary key, v text);
create trigger cap before insert or update or delete on skipped
    for each row execute function pgq.logutriga('lq', 'SKIP');
insert into skipped values (1, 'never stored');
select * from before_t;
select count(*) as skipped_rows from skipped;
select ev_type, ev_data, ev_extra1 from pg_temp.events() where ev_extra1 in ('public.before_t', 'public.skipped');

-- A consumer reads the events like any others.
select pgq.register_consumer('lq', 'reader');
select pgq.force_tick('lq') is not null as ticked;
select pgq.ticker('lq') > 0 as ticked;
select pgq.next_batch('lq', 'reader') as batch \gset
select ev_type, left(ev_data, 40) as ev_data, ev_extra1 from pgq.get_batch_events(:batch) order by ev_id limit 5;
select count(*) = (select count(*) from pgq.event_template) as whole_batch from pgq.get_batch_events(:batch);
select pgq.finish_batch(:batch);

drop extension pgqpp cascade;
drop table typed, texts, backed, keyed, unkeyed, before_t, skipped;
drop type mood, pair;
drop domain posint;
drop schema "Odd Schema" cascade;
