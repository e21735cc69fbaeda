-- SPDX-License-Identifier: PostgreSQL
-- pgq.jsontriga: rows as JSON objects and a JSON ev_type, as PgQ 3.5
-- writes them. Every payload parses as JSON and turns back into the row.
\set SHOW_CONTEXT never
set timezone = 'UTC';
set datestyle = 'ISO, MDY';
set intervalstyle = 'postgres';
set extra_float_digits = 1;
create extension pgqpp;
select pgq.create_queue('jq');
create function pg_temp.events() returns table (ev_id bigint, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
language sql as $$
  select ev_id, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
    from pgq.event_template order by ev_id
$$;

create type pair as (a int, b text);
create domain posint as int check (value > 0);
create table typed (
    id int primary key, i2 int2, i8 int8, n numeric, f8 float8, t text, by bytea, b bool,
    d date, tm time, ts timestamp, tstz timestamptz, iv interval, j json, jb jsonb, u uuid,
    ia int[], ta text[], c pair, p posint, "Odd ""key""" text);
create trigger cap after insert or update or delete on typed
    for each row execute function pgq.jsontriga('jq');
insert into typed values (1, -32768, 9223372036854775807, -1.50, 1e300, 'plain', '\x00ff', true,
    '2024-02-29', '23:59:59.5', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05+02',
    '1 day -02:00', '{"a": [1, "x"]}', '{"b": null}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    '{1,NULL}', '{"x y","q\"uote",NULL}', '(1,"a,b")', 42, 'v');
insert into typed (id) values (2);
insert into typed (id, n, f8, d, ts, tstz, t) values
    (3, 'NaN', '-Infinity', 'infinity', '-infinity', 'infinity', ''),
    (4, 1e-10, 0.1, '0044-03-15 BC', '0001-01-01 00:00:00 BC', '1900-01-01 00:00:00.000001+00',
     (select string_agg(chr(g), '' order by g) from generate_series(1, 127) g) || 'äöü € 😀');
select ev_id, ev_type, ev_data, ev_extra1 from pg_temp.events() where ev_id < 4;
select ev_data from pg_temp.events() where ev_id = 4;
-- Timestamps with time zone in the session's zone, dates and timestamps
-- in ISO 8601 whatever the DateStyle.
set timezone = 'America/New_York';
set datestyle = 'German, DMY';
update typed set tstz = '2024-07-01 12:00:00+00', ts = '2024-07-01 12:00:00', d = '2024-07-01' where id = 2;
reset datestyle;
set timezone = 'UTC';
select ev_type, ev_data from pg_temp.events() order by ev_id desc limit 1;

-- Every payload is JSON and gives the row back.
select count(*) as events, bool_and(ev_data::jsonb is not null) as all_json,
       bool_and((ev_type::jsonb) ? 'op') as typed
  from pg_temp.events();
-- (json and jsonb columns travel as strings of their text, as in PgQ, so
-- they come back as JSON strings: compared apart.)
select r.id, to_jsonb(r) - 'j' - 'jb' = to_jsonb(x) - 'j' - 'jb' as same_row,
       (x.j #>> '{}')::jsonb = r.j::jsonb and (x.jb #>> '{}')::jsonb = r.jb as same_json
  from pg_temp.events() e, typed r, json_populate_record(null::typed, e.ev_data::json) x
 where (e.ev_type::json)->>'op' = 'INSERT' and r.id = x.id and r.id <> 2 order by r.id;

-- ev_type names the operation, the table and the key; backup puts the old
-- row as JSON in ev_extra2; TRUNCATE is {} with op TRUNCATE.
create schema "Odd Schema";
create table "Odd Schema"."T ""1""" (b int, a text, v text, primary key (a, b));
create trigger cap after insert or update or delete on "Odd Schema"."T ""1"""
    for each row execute function pgq.jsontriga('jq', 'backup');
create trigger cap_truncate after truncate on "Odd Schema"."T ""1"""
    for each statement execute function pgq.jsontriga('jq');
insert into "Odd Schema"."T ""1""" values (1, 'x', 'old');
update "Odd Schema"."T ""1""" set v = 'new';
delete from "Odd Schema"."T ""1""";
truncate "Odd Schema"."T ""1""";
select ev_type, ev_data, ev_extra1, ev_extra2 from pg_temp.events() where ev_extra1 like 'Odd%';

-- No primary key: INSERT works with an empty key list.
create table unkeyed (a int);
create trigger cap after insert on unkeyed for each row execute function pgq.jsontriga('jq');
insert into unkeyed values (1);
select ev_type, ev_data from pg_temp.events() where ev_extra1 = 'public.unkeyed';

drop extension pgqpp cascade;
drop table typed, unkeyed;
drop schema "Odd Schema" cascade;
drop type pair;
drop domain posint;
