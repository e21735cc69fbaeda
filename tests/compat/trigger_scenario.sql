-- SPDX-License-Identifier: PostgreSQL
-- The changes tests/lib/trigger_diff.sh makes under PgQ 3.5's triggers
-- and under pgqpp's (psql variable sqlonly false) or the SQL-only
-- edition's (true), in two databases of one cluster, each with queue 'q'
-- created. Only behaviour both share is here: docs/triggers.md
-- lists where pgqpp differs (it accepts some arguments PgQ rejects, and
-- rejects some PgQ accepts), and extension/test/sql/2*_trigger_*.sql
-- covers those.
\set VERBOSITY terse
set timezone = 'UTC';
set datestyle = 'ISO, MDY';
set intervalstyle = 'postgres';
set extra_float_digits = 1;
select setseed(0.42);

-- 1. Random rows of many types, under all three triggers.
create type diff_mood as enum ('sad', 'ok', 'happy');
create type diff_pair as (a int, b text);
create function diff_text(n int) returns text language sql as $$
  select string_agg(chr(case when r < 0.5 then 1 + (r * 2 * 126)::int
                             when r < 0.7 then 128 + ((r - 0.5) * 5 * 1900)::int
                             when r < 0.9 then 2048 + ((r - 0.7) * 5 * 50000)::int
                             else 65536 + ((r - 0.9) * 10 * 1000000)::int end), '')
    from (select random() as r from generate_series(1, n)) x
$$;
create table diff_values (
    id int primary key, i2 int2, i8 int8, n numeric, f4 float4, f8 float8, t text, vc varchar(40),
    ch char(5), by bytea, b bool, d date, tm time, tz timetz, ts timestamp, tstz timestamptz,
    iv interval, j json, jb jsonb, u uuid, ia int[], ta text[], c diff_pair, m diff_mood,
    "Mixed Case" text, "select" text, "ünï" text, "a&b=c d" text);
create trigger c_log after insert or update or delete on diff_values
    for each row execute procedure pgq.logutriga('q', 'backup');
create trigger c_sql after insert or update or delete on diff_values
    for each row execute procedure pgq.sqltriga('q');
create trigger c_json after insert or update or delete on diff_values
    for each row execute procedure pgq.jsontriga('q', 'backup');
create trigger c_truncate after truncate on diff_values
    for each statement execute procedure pgq.logutriga('q');
insert into diff_values
select g,
       case when random() < 0.2 then null else (random() * 60000 - 30000)::int2 end,
       case when random() < 0.2 then null else (random() * 9e18 - 4.5e18)::int8 end,
       case when random() < 0.2 then null else round((random() * 1e6 - 5e5)::numeric, (random() * 8)::int) end,
       case when random() < 0.2 then null else (random() * 1000)::float4 end,
       case when random() < 0.1 then 'NaN'::float8 when random() < 0.2 then null else random() * 1e10 end,
       case when random() < 0.1 then null when random() < 0.2 then '' else diff_text((random() * 40)::int) end,
       case when random() < 0.2 then null else left(diff_text(10), 40) end,
       case when random() < 0.2 then null else left(md5(g::text), (random() * 5)::int) end,
       case when random() < 0.2 then null else decode(md5(g::text) || '5c27', 'hex') end,
       case when random() < 0.2 then null else random() < 0.5 end,
       case when random() < 0.1 then 'infinity'::date when random() < 0.2 then null
            else date '2000-01-01' + (random() * 20000)::int - 10000 end,
       case when random() < 0.2 then null else time '00:00' + random() * interval '24 hours' end,
       case when random() < 0.2 then null else '12:34:56.789+05:30'::timetz end,
       case when random() < 0.2 then null else timestamp '2000-01-01' + random() * interval '10000 days' end,
       case when random() < 0.1 then '-infinity'::timestamptz when random() < 0.2 then null
            else timestamptz '2000-01-01 00:00:00+00' + random() * interval '10000 days' end,
       case when random() < 0.2 then null else random() * interval '1000 days' - interval '500 days' end,
       case when random() < 0.2 then null else json_build_object('k', diff_text(5), 'n', g) end,
       case when random() < 0.2 then null else jsonb_build_object('k', diff_text(5), 'a', array[g, g]) end,
       case when random() < 0.2 then null else md5(g::text)::uuid end,
       case when random() < 0.2 then null else array[g, null, -g] end,
       case when random() < 0.2 then null else array[diff_text(3), null, 'a,b', 'q"x', ''] end,
       case when random() < 0.2 then null else row(g, diff_text(4))::diff_pair end,
       case when random() < 0.2 then null else (array['sad', 'ok', 'happy'])[1 + (random() * 2)::int]::diff_mood end,
       diff_text(8), diff_text(3), diff_text(2), diff_text(6)
  from generate_series(1, 300) g;
-- What the inserted rows hold, as their types' output functions write it,
-- for the comparer to check what skytools decodes from logutriga's events.
create table diff_expected (id int primary key, value_text json);
do $$
declare
  cols text := (select string_agg(format('%L, case when %I is null then null else format(''%%s'', %I) end',
                                         attname, attname, attname), ', ' order by attnum)
                  from pg_attribute where attrelid = 'diff_values'::regclass and attnum > 0 and not attisdropped);
begin
  execute format('insert into diff_expected select id, json_build_object(%s) from diff_values', cols);
end $$;
update diff_values set t = diff_text(12), n = null where id % 7 = 0;
update diff_values set i2 = i2 where id % 11 = 0;
update diff_values set ia = ia, c = c, j = j, f8 = f8 where id % 13 = 0;
update diff_values set "ünï" = null, b = not b where id % 17 = 0;
update diff_values set ts = ts + interval '1 second', "a&b=c d" = diff_text(30) where id % 19 = 0;
delete from diff_values where id % 23 = 0;
-- Other sessions' settings show in the text forms.
set datestyle = 'German, DMY';
set timezone = 'America/New_York';
set intervalstyle = 'iso_8601';
set extra_float_digits = 0;
update diff_values set i8 = i8 where id % 29 = 0;
reset datestyle;
set timezone = 'UTC';
reset intervalstyle;
set extra_float_digits = 1;
set quote_all_identifiers = on;
update diff_values set "select" = 'quoted' where id % 31 = 0;
reset quote_all_identifiers;
-- Long values.
update diff_values set t = repeat(diff_text(50), 2000), "a&b=c d" = repeat('\&''', 50000) where id = 1;
truncate diff_values;

-- 2. Keys: composite in index order, none, given with pkey=.
create table diff_keyed (a int, "B" text, c text, v text, primary key (c, a));
create trigger c_log after insert or update or delete on diff_keyed
    for each row execute procedure pgq.logutriga('q', 'backup');
create trigger c_sql after insert or update or delete on diff_keyed
    for each row execute procedure pgq.sqltriga('q', 'backup');
create trigger c_json after insert or update or delete on diff_keyed
    for each row execute procedure pgq.jsontriga('q');
insert into diff_keyed values (1, 'x', 'y', 'v'), (2, E'back\\slash', 'it''s', null);
update diff_keyed set "B" = 'z';
update diff_keyed set v = v;
update diff_keyed set a = 5 where a = 1;
delete from diff_keyed;
create table diff_unkeyed (a int, b text);
create trigger c_log after insert or update or delete on diff_unkeyed
    for each row execute procedure pgq.logutriga('q');
create trigger c_sql after insert or update or delete on diff_unkeyed
    for each row execute procedure pgq.sqltriga('q', 'pkey=a');
create trigger c_json after insert on diff_unkeyed
    for each row execute procedure pgq.jsontriga('q');
insert into diff_unkeyed values (1, 'x');
update diff_unkeyed set b = 'y';
drop trigger c_log on diff_unkeyed;
update diff_unkeyed set b = 'z';
delete from diff_unkeyed;
create table diff_custom_key (id int primary key, k1 text, k2 int, v text);
create trigger c_log after insert or update or delete on diff_custom_key
    for each row execute procedure pgq.logutriga('q', 'pkey=k2,k1');
create trigger c_sql after insert or update or delete on diff_custom_key
    for each row execute procedure pgq.sqltriga('q', 'pkey=k2 k1');
create trigger c_json after insert or update or delete on diff_custom_key
    for each row execute procedure pgq.jsontriga('q', 'pkey=k2, k1');
insert into diff_custom_key values (1, 'one', 1, 'v');
update diff_custom_key set v = 'w';
update diff_custom_key set id = 2;
update diff_custom_key set k1 = 'two';
delete from diff_custom_key;

-- 3. Options: ignore=, when=, ev_*=, _pgq_ev_* columns, deny, SKIP.
create table diff_opt (id int primary key, "Up" int, lo text, "two words" text, gone int, n int);
alter table diff_opt drop column gone;
create function diff_run(func text, args text) returns void language plpgsql as $$
begin
  execute 'drop trigger if exists opt on diff_opt';
  execute format('create trigger opt after insert or update or delete on diff_opt for each row execute procedure pgq.%s(%s)', func, args);
  insert into diff_opt values (1, 2, 'L', 'tw', 7);
  update diff_opt set lo = 'M';
  update diff_opt set "Up" = "Up";
  update diff_opt set n = 8;
  update diff_opt set lo = 'N', n = 9;
  delete from diff_opt;
end $$;
select diff_run(f, a) from unnest(array['logutriga', 'sqltriga', 'jsontriga']) f,
  unnest(array[$$'q'$$, $$'q', 'ignore=n,lo'$$, $$'q', 'ignore=n lo'$$, $$'q', 'ignore=id'$$,
               $$'q', 'ignore=Up'$$, $$'q', 'backup', 'ignore=n'$$,
               $$'q', 'when=lo = ''M'''$$, $$'q', 'when=n is null'$$, $$'q', 'when=true'$$,
               $$'q', 'ev_type=''custom:'' || lo', 'ev_extra1=null', 'ev_extra2=id * 10', 'ev_extra4=n'$$,
               $$'q', 'ev_data=lo || $x$ lo $x$ || ''lo''', 'ev_extra3=now() = now()'$$,
               $$'q', 'ev_extra1=lo || E''\\x''', 'ev_extra2=lo||''a''''b''', 'ev_extra3=-1.5e3'$$,
               $$'q', 'ev_extra1=upper(lo)::text', 'ev_extra2=lo -- c', 'ev_extra3=lo /* c */'$$,
               $$'q', 'ev_type=id', 'ev_extra3=1', 'ev_extra3=2'$$, $$'q', 'pkey=Up, id'$$]) a;
-- An ev_*= subquery counting the table: the SQL-only edition's PL/pgSQL
-- triggers run it in a new snapshot (docs/managed.md), so its run leaves it out.
\if :sqlonly
\else
select diff_run(f, $$'q', 'ev_extra1=(select count(*) from diff_opt)', 'ev_extra4=id::text||lo'$$)
  from unnest(array['logutriga', 'sqltriga', 'jsontriga']) f;
\endif
create table diff_magic (id int primary key, _pgq_ev_type text, _pgq_ev_data text, _pgq_ev_extra3 text, v text);
create function diff_run_magic(func text, args text) returns void language plpgsql as $$
begin
  execute 'drop trigger if exists opt on diff_magic';
  delete from diff_magic;
  insert into diff_magic values (1, 'T', 'D', 'X3', 'v');
  execute format('create trigger opt after update or delete on diff_magic for each row execute procedure pgq.%s(%s)', func, args);
  update diff_magic set _pgq_ev_type = 'T2';
  update diff_magic set v = 'w', _pgq_ev_extra3 = null;
  update diff_magic set v = v, _pgq_ev_data = null;
  delete from diff_magic;
end $$;
select diff_run_magic(f, a) from unnest(array['logutriga', 'sqltriga', 'jsontriga']) f,
  unnest(array[$$'q'$$, $$'q', 'ignore=v'$$, $$'q', 'ev_type=''over'''$$]) a;
create table diff_before (id int primary key, v text);
create trigger opt before insert or update or delete on diff_before
    for each row execute procedure pgq.sqltriga('q');
insert into diff_before values (1, 'kept');
update diff_before set v = 'updated';
drop trigger opt on diff_before;
create trigger opt before insert or update or delete on diff_before
    for each row execute procedure pgq.logutriga('q', 'SKIP');
insert into diff_before values (2, 'skipped');
update diff_before set v = 'not updated';
delete from diff_before;
select * from diff_before;
set session_replication_role = local;
insert into diff_before values (3, 'local role');
reset session_replication_role;
select * from diff_before order by id;
create schema "Diff Schema";
create table "Diff Schema"."Tbl ""x""" (id int primary key, "int" int, "between" int, name int, "user" int, "1st" int);
create trigger c_log after insert on "Diff Schema"."Tbl ""x""" for each row execute procedure pgq.logutriga('q');
create trigger c_sql after insert on "Diff Schema"."Tbl ""x""" for each row execute procedure pgq.sqltriga('q');
create trigger c_json after insert on "Diff Schema"."Tbl ""x""" for each row execute procedure pgq.jsontriga('q');
create trigger c_truncate before truncate on "Diff Schema"."Tbl ""x""" for each statement execute procedure pgq.jsontriga('q');
insert into "Diff Schema"."Tbl ""x""" values (1, 2, 3, 4, 5, 6);
truncate "Diff Schema"."Tbl ""x""";

-- Views (INSTEAD OF), generated columns, partitions, inheritance.
create table diff_base (id int primary key, v text);
create view diff_view as select * from diff_base;
create trigger c_log instead of insert or update or delete on diff_view
    for each row execute procedure pgq.logutriga('q');
insert into diff_view values (1, 'a');
update diff_view set v = 'b';
delete from diff_view;
select * from diff_base;
create table diff_gen (id int primary key, a int, b int generated always as (a * 2) stored);
create trigger c_sql after insert or update on diff_gen for each row execute procedure pgq.sqltriga('q');
-- A BEFORE trigger reading a stored generated column: PL/pgSQL's NEW has
-- it NULL, the C trigger sees the old value (docs/managed.md).
\if :sqlonly
create trigger c_log after insert or update on diff_gen for each row execute procedure pgq.logutriga('q');
\else
create trigger c_log before insert or update on diff_gen for each row execute procedure pgq.logutriga('q');
\endif
insert into diff_gen (id, a) values (1, 5);
update diff_gen set a = 6;
create table diff_part (id int, k int, v text, primary key (id, k)) partition by range (k);
create table diff_part_1 partition of diff_part for values from (0) to (10);
create table diff_part_2 partition of diff_part for values from (10) to (20);
create trigger c_json after insert or update or delete on diff_part
    for each row execute procedure pgq.jsontriga('q');
insert into diff_part values (1, 5, 'x'), (2, 15, 'y');
update diff_part set v = 'z';
update diff_part set k = 16 where id = 1;
delete from diff_part;
create table diff_parent (id int primary key, v text);
create table diff_child (extra int) inherits (diff_parent);
create trigger c_log after insert on diff_child for each row execute procedure pgq.logutriga('q');
insert into diff_child values (1, 'a', 2);

-- 4. Errors: the same message text (PgQ raises them all as XX000; pgqpp
-- gives each its own SQLSTATE).
create table diff_err (id int primary key, v text);
insert into diff_err values (1, 'one');
create function diff_try(func text, timing text, args text, change text) returns text language plpgsql as $$
begin
  execute 'drop trigger if exists bad on diff_err';
  execute format('create trigger bad %s on diff_err for each %s execute procedure pgq.%s(%s)',
                 timing, case when timing like '%truncate%' then 'statement' else 'row' end, func, args);
  execute change;
  return 'ok';
exception when others then
  return sqlerrm;
end $$;
select func, diff_try(func, timing, args, change) from unnest(array['logutriga', 'sqltriga', 'jsontriga']) func,
  (values ('after insert', '', 'insert into diff_err values (2)'),
          ('after insert', $$'q', 'bogus'$$, 'insert into diff_err values (2)'),
          ('after insert', $$'q', 'skip'$$, 'insert into diff_err values (2)'),
          ('after insert', $$'q', 'ev_extra5=1'$$, 'insert into diff_err values (2)'),
          ('after insert', $$'nosuchqueue'$$, 'insert into diff_err values (2)'),
          ('after insert', $$'q', 'SKIP'$$, 'insert into diff_err values (2)'),
          ('after update', $$'q', 'deny'$$, $$update diff_err set v = 'x'$$),
          ('after delete', $$'q', 'deny'$$, 'delete from diff_err'),
          ('after truncate', $$'q', 'deny'$$, 'truncate diff_err'),
          ('after truncate', $$'q', 'ignore=v'$$, 'truncate diff_err'),
          ('after truncate', $$'q', 'pkey=v'$$, 'truncate diff_err'),
          ('after truncate', $$'q', 'backup'$$, 'truncate diff_err'),
          ('after truncate', $$'q', 'backup', 'when=true'$$, 'truncate diff_err'),
          ('after update', $$'q'$$, 'update diff_err set id = 5'),
          ('after update', $$'q', 'pkey=v'$$, $$update diff_err set v = 'x'$$),
          ('after insert', $$'q', 'when=v'$$, $$insert into diff_err values (3, 'x')$$),
          ('after insert', $$'q', 'ev_extra1=generate_series(1, 2)'$$, $$insert into diff_err values (3, 'x')$$),
          ('after insert', $$'q', 'ev_extra1=generate_series(1, 0)'$$, $$insert into diff_err values (3, 'x')$$),
          ('after insert', $$'q', 'ev_extra1=1/0'$$, $$insert into diff_err values (3, 'x')$$),
          ('after insert', $$'q', 'ev_extra1=nosuch'$$, $$insert into diff_err values (3, 'x')$$)) x(timing, args, change);
drop trigger if exists bad on diff_err;
create trigger bad after insert on diff_err for each statement execute procedure pgq.logutriga('q');
insert into diff_err values (4);
drop trigger bad on diff_err;
create table diff_bad_magic (id int primary key, _pgq_ev_nosuch text);
create trigger bad after insert on diff_bad_magic for each row execute procedure pgq.logutriga('q');
insert into diff_bad_magic values (1, 'x');
update diff_err set v = null;
create trigger bad after delete on diff_err for each row execute procedure pgq.sqltriga('q', 'pkey=v');
delete from diff_err;
select pgq.logutriga();
select pgq.sqltriga();
-- (PgQ's jsontriga calls itself pgq.logutriga here; pgqpp's says jsontriga.)
