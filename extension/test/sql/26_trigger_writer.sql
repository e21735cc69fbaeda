-- SPDX-License-Identifier: PostgreSQL
-- The triggers keep one event table open from row to row of a statement.
-- It is closed when the statement ends, so the same transaction may then
-- truncate or drop the event table; rolled-back savepoints and failed
-- statements take their events with them; COPY, deferred triggers, nested
-- triggers and triggers writing to two queues all work.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('wq');
select pgq.create_queue('wq2');
create table t (id int primary key, v text check (v <> 'bad'));
create trigger cap after insert or update or delete on t
    for each row execute function pgq.logutriga('wq');
create function pg_temp.events() returns setof text language sql as $$
  select concat_ws(' | ', tableoid::regclass, ev_type, ev_data) from pgq.event_template order by ev_id
$$;

-- Savepoints: the rolled-back part's events are gone, the rest stay.
begin;
insert into t values (1, 'kept');
savepoint s;
insert into t values (2, 'rolled back'), (3, 'rolled back');
rollback to savepoint s;
insert into t values (4, 'kept too');
commit;
-- A statement that fails after some rows takes their events along.
select try($$insert into t values (5, 'ok'), (6, 'ok'), (7, 'bad')$$);
-- In a PL/pgSQL loop whose blocks fail and recover.
do $$
begin
  for i in 10..14 loop
    begin
      insert into t values (i, case when i % 2 = 0 then 'bad' else 'odd' end);
    exception when check_violation then
      null;
    end;
  end loop;
end $$;
select * from pg_temp.events();

-- The same transaction may truncate the event table after the statement.
begin;
update t set v = v || '!';
select count(*) from pgq.event_1_0;
truncate pgq.event_1_0;
insert into t values (20, 'after truncate');
select * from pg_temp.events();
commit;

-- COPY fires the triggers outside the executor; the table is closed after
-- it as well.
begin;
copy t from stdin;
30	copied
31	copied too
\.
select * from pg_temp.events() offset 1;
truncate pgq.event_1_0;
commit;

-- Deferred triggers fire at commit.
create table deferred_t (id int primary key);
create constraint trigger cap after insert on deferred_t deferrable initially deferred
    for each row execute function pgq.sqltriga('wq');
begin;
insert into deferred_t values (1), (2);
select count(*) as before_commit from pgq.event_template where ev_extra1 = 'public.deferred_t';
commit;
select ev_type, ev_data from pgq.event_template where ev_extra1 = 'public.deferred_t' order by ev_id;

-- Two triggers on one table writing to two queues, row after row.
create table two (id int primary key);
create trigger a_cap after insert on two for each row execute function pgq.logutriga('wq');
create trigger b_cap after insert on two for each row execute function pgq.jsontriga('wq2');
insert into two select generate_series(1, 3);
select tableoid::regclass, ev_type, ev_data from pgq.event_template where ev_extra1 = 'public.two'
 order by tableoid::regclass::text, ev_id;

-- A trigger whose expression writes to another table with a trigger.
create table audit (id serial primary key, note text);
create trigger cap after insert on audit for each row execute function pgq.logutriga('wq2');
create function pg_temp.note(v text) returns text language plpgsql as $$
begin
  insert into audit (note) values ('saw ' || v);
  return v;
end $$;
create table outer_t (id int primary key, v text);
create trigger cap after insert on outer_t
    for each row execute function pgq.logutriga('wq', 'ev_extra2=pg_temp.note(v)');
insert into outer_t values (1, 'x'), (2, 'y');
select ev_type, ev_data, ev_extra1, ev_extra2 from pgq.event_template
 where ev_extra1 in ('public.outer_t', 'public.audit') order by ev_extra1, ev_id;

-- The queue dropped in the transaction that wrote to it.
begin;
insert into t values (40, 'then the queue goes');
select pgq.drop_queue('wq2', true);
commit;
select queue_name from pgq.queue;

drop extension pgqpp cascade;
drop table t, deferred_t, two, audit, outer_t;
