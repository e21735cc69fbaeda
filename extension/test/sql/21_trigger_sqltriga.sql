-- SPDX-License-Identifier: PostgreSQL
-- pgq.sqltriga: partial SQL, as PgQ 3.5 writes it. The events replayed on
-- a copy of the table reproduce it exactly, whatever the values.
\set SHOW_CONTEXT never
set timezone = 'UTC';
set datestyle = 'ISO, MDY';
set intervalstyle = 'postgres';
set extra_float_digits = 1;
create extension pgqpp;
select pgq.create_queue('sq');
create function pg_temp.events() returns table (ev_id bigint, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
language sql as $$
  select ev_id, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
    from pgq.event_template order by ev_id
$$;
-- Applies the table's events (ev_id > after) to `target`, as londiste
-- applies sqltriga events: "insert into T " || data, "update T set " ||
-- data, "delete from T where " || data.
create function pg_temp.replay(source text, target text, after bigint default 0) returns int
language plpgsql as $$
declare
  e record;
  n int := 0;
begin
  for e in select * from pg_temp.events() where ev_extra1 = source and ev_id > after loop
    execute case e.ev_type
      when 'I' then 'insert into ' || target || ' ' || e.ev_data
      when 'U' then 'update ' || target || ' set ' || e.ev_data
      when 'D' then 'delete from ' || target || ' where ' || e.ev_data
      when 'R' then 'truncate ' || target end;
    n := n + 1;
  end loop;
  return n;
end $$;

create type pair as (a int, b text);
create table src (
    id int, "Key 2" text, t text, "select" text, "Mixed" int, n numeric, f8 float8, by bytea,
    b bool, d date, tstz timestamptz, iv interval, j json, ia int[], ta text[], c pair, "ünï" text,
    primary key (id, "Key 2"));
create table dst (like src);
create trigger cap after insert or update or delete on src
    for each row execute function pgq.sqltriga('sq');
insert into src values (1, 'k''1', 'plain', 'sel', 5, -1.50, 1e300, '\x00ff', true, '2024-02-29',
    '2024-01-02 03:04:05.5+02', '1 day -02:00', '{"a": "b\\c"}', '{1,NULL}', '{"x y","q\"uote",NULL}',
    '(1,"a,b")', 'äöü €');
insert into src (id, "Key 2") values (2, 'k\2');
insert into src (id, "Key 2", t) values (3, 'k3', (select string_agg(chr(g), '' order by g) from generate_series(1, 127) g));
insert into src (id, "Key 2", t) values (4, 'long', repeat('''\', 200000));
select ev_id, ev_type, left(ev_data, 300) as ev_data, ev_extra1 from pg_temp.events() where ev_id < 4;
select length(ev_data) from pg_temp.events() where ev_id = 4;

-- UPDATE lists the changed columns only (NULL as NULL), keyed by the old key.
update src set t = 'changed', n = null where id = 1;
update src set t = E'back\\slash' where id = 2;
update src set "Mixed" = 6, "select" = 'x', by = '\x01' where id = 1;
-- An UPDATE that changes nothing sets the first key column to itself.
update src set t = t where id = 1;
-- Values that are equal by their type's "=" are no change (1.0 = 1.00).
update src set n = 1.0 where id = 2;
update src set n = 1.00 where id = 2;
-- Arrays and composites compare by their text.
update src set ia = '{1,NULL}', c = '(1,"a,b")' where id = 1;
update src set ia = '{1,2}' where id = 1;
delete from src where id = 3;
select ev_id, ev_type, left(ev_data, 200) as ev_data from pg_temp.events() where ev_id > 4;
select pg_temp.replay('public.src', 'dst');
-- (Compared as jsonb, whose numbers compare by value like numeric's "=":
-- the replica holds 1.0 where the source holds 1.00.)
select count(*) as rows,
       (select count(*) from (select to_jsonb(r) from src r except select to_jsonb(r) from dst r) x) as differ
  from dst;

-- A composite with a field type that has no "=" (json) compares by text too.
create type with_json as (j json);
create table composite (id int primary key, c with_json);
create trigger cap after insert or update on composite for each row execute function pgq.sqltriga('sq');
insert into composite values (1, row('{"a":1}'));
update composite set c = row('{"a":1}');
update composite set c = row('{"a":2}');
select ev_type, ev_data from pg_temp.events() where ev_extra1 = 'public.composite';

-- Identifiers are quoted as quote_ident() quotes them, also under
-- quote_all_identifiers.
create table idents (id int primary key, name int, "int" int, "user" int, "between" int, "Up" int, "1st" int, "a""q" int);
create trigger cap after insert or update or delete on idents
    for each row execute function pgq.sqltriga('sq');
insert into idents values (1, 2, 3, 4, 5, 6, 7, 8);
set quote_all_identifiers = on;
insert into idents values (2, 2, 3, 4, 5, 6, 7, 8);
update idents set "a""q" = 9 where id = 2;
reset quote_all_identifiers;
select ev_type, ev_data from pg_temp.events() where ev_extra1 = 'public.idents';

-- backup puts the URL-encoded old row in ev_extra2; TRUNCATE is 'R'.
create table small (id int primary key, v text);
create trigger cap after insert or update or delete on small
    for each row execute function pgq.sqltriga('sq', 'backup');
create trigger cap_truncate after truncate on small
    for each statement execute function pgq.sqltriga('sq');
insert into small values (1, 'a b');
update small set v = 'c';
truncate small;
select ev_type, ev_data, ev_extra1, ev_extra2 from pg_temp.events() where ev_extra1 = 'public.small';
create table small_copy (like small);
insert into small_copy values (9, 'gone after truncate');
select pg_temp.replay('public.small', 'small_copy');
select * from small_copy;

-- A BEFORE trigger with SKIP logs the change and skips it: the way to
-- redirect writes to another database.
create table redirected (id int primary key, v text);
create trigger cap before insert or update or delete on redirected
    for each row execute function pgq.sqltriga('sq', 'SKIP');
insert into redirected values (1, 'elsewhere');
select count(*) as stored from redirected;
select ev_type, ev_data from pg_temp.events() where ev_extra1 = 'public.redirected';

drop extension pgqpp cascade;
drop table src, dst, idents, small, small_copy, redirected, composite;
drop type pair, with_json;
