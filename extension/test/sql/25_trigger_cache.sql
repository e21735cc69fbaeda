-- SPDX-License-Identifier: PostgreSQL
-- The per-backend table metadata follows the table: columns added,
-- dropped, renamed or retyped, the primary key added, dropped or changed,
-- the table or its schema renamed, the trigger replaced, the queue dropped
-- and created again. Each change is seen by the very next event (by
-- other sessions too: isolation/trigger_cache.spec).
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('cq');
create schema cs;
create table cs.t (id int primary key, a int);
create trigger cap after insert or update or delete on cs.t
    for each row execute function pgq.jsontriga('cq');
create function pg_temp.last_event() returns text language sql as $$
  select concat_ws(' | ', ev_type, ev_data, ev_extra1) from pgq.event_template order by ev_id desc limit 1
$$;
insert into cs.t values (1, 10);
select pg_temp.last_event();
-- Columns.
alter table cs.t add column b text default 'new';
insert into cs.t values (2, 20);
select pg_temp.last_event();
alter table cs.t drop column a;
insert into cs.t values (3);
select pg_temp.last_event();
alter table cs.t rename column b to "B b";
insert into cs.t values (4);
select pg_temp.last_event();
alter table cs.t alter column id type text;
insert into cs.t values ('5');
select pg_temp.last_event();
-- The primary key.
alter table cs.t add column c int default 0;
alter table cs.t drop constraint t_pkey;
select try($$update cs.t set c = 1$$);
alter table cs.t add primary key ("B b", id);
update cs.t set c = 2 where id = '5';
select pg_temp.last_event();
alter table cs.t drop constraint t_pkey, add constraint t_pk primary key (id);
update cs.t set "B b" = 'y' where id = '5';
select pg_temp.last_event();
-- A renamed key column: the current name (PgQ keeps the index's old one).
alter table cs.t rename column id to "ID";
update cs.t set c = 3 where "ID" = '5';
select pg_temp.last_event();
alter table cs.t rename column "ID" to id;
-- A covering primary key: its INCLUDE columns are not key columns.
alter table cs.t drop constraint t_pk, add constraint t_pk primary key (id) include (c);
update cs.t set "B b" = 'z' where id = '5';
select pg_temp.last_event();
-- Names.
alter table cs.t rename to t2;
delete from cs.t2 where id = '5';
select pg_temp.last_event();
alter schema cs rename to cs2;
delete from cs2.t2 where id = '4';
select pg_temp.last_event();
alter table cs2.t2 set schema public;
delete from t2 where id = '3';
select pg_temp.last_event();
-- The trigger replaced in place, and dropped.
create or replace trigger cap after insert or update or delete on t2
    for each row execute function pgq.logutriga('cq', 'ignore=B b');
delete from t2 where id = '2';
select pg_temp.last_event();
drop trigger cap on t2;
insert into t2 values ('7');
select pg_temp.last_event();
-- The queue dropped and created again: the trigger writes into the new one.
create trigger cap after insert on t2 for each row execute function pgq.sqltriga('cq');
select pgq.drop_queue('cq');
select try($$insert into t2 values ('8')$$);
select pgq.create_queue('cq');
insert into t2 values ('9');
select tableoid::regclass, ev_id, ev_type, ev_data from pgq.event_template;
drop extension pgqpp cascade;
drop table t2;
drop schema cs2;
