-- SPDX-License-Identifier: PostgreSQL
-- A replaced pgq.insert_event: PgQ's triggers put every event in through
-- select pgq.insert_event(queue, type, data, extra1..4), so installations
-- replace that function to route, audit or filter events. pgqpp's triggers
-- call the replacement too, with what PgQ's would give it. The part up to
-- "Restored" prints what PgQ 3.5 prints for the same file (with `create
-- extension pgq`); the rest checks that the restored function brings the
-- direct write back (pgqpp only: PgQ always calls the function).
\set SHOW_CONTEXT never
-- Terse: pgqpp's errors add a DETAIL and a HINT to PgQ's messages.
\set VERBOSITY terse
set timezone = 'UTC';
set datestyle = 'ISO, MDY';
create extension pgqpp;
select pgq.create_queue('rq');
create table t (id int primary key, lo text, n int);
-- The extension's own definition, to put back at the end.
create temp table saved_def as
  select pg_get_functiondef('pgq.insert_event(text,text,text,text,text,text,text)'::regprocedure) as def;

create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint language plpgsql as $$
begin
  raise warning 'insert_event(%, %, %, %, %, %, %)', queue_name, coalesce(ev_type, '-'),
    coalesce(ev_data, '-'), coalesce(ev_extra1, '-'), coalesce(ev_extra2, '-'),
    coalesce(ev_extra3, '-'), coalesce(ev_extra4, '-');
  return 0;
end $$;

-- The three-argument form calls the seven-argument one, as PgQ's does.
select pgq.insert_event('rq', 'three', 'args');
select pgq.insert_event('rq', null, null);

-- Runs INSERT, UPDATE (with and without a change), DELETE and TRUNCATE
-- under trigger `func` with arguments `args` (`tr_args` for the TRUNCATE
-- trigger), AFTER the change or, with `timing` 'before', BEFORE it.
create function pg_temp.run(func text, args text, tr_args text, timing text default 'after')
returns void language plpgsql as $$
begin
  execute 'drop trigger if exists cap on t';
  execute 'drop trigger if exists cap_tr on t';
  execute format('create trigger cap %s insert or update or delete on t for each row execute function pgq.%s(%s)',
                 timing, func, args);
  execute format('create trigger cap_tr %s truncate on t for each statement execute function pgq.%s(%s)',
                 timing, func, tr_args);
  insert into t values (1, 'L', 7), (2, null, null);
  update t set lo = 'M' where id = 1;
  update t set n = n where id = 1;
  delete from t where id = 2;
  truncate t;
end $$;

-- Each trigger, plain.
select pg_temp.run('logutriga', $$'rq'$$, $$'rq'$$);
select pg_temp.run('sqltriga', $$'rq'$$, $$'rq'$$);
select pg_temp.run('jsontriga', $$'rq'$$, $$'rq'$$);
-- A queue that does not exist: the function decides (pgqpp's direct write
-- said "No such queue").
select pg_temp.run('logutriga', $$'no_such_queue'$$, $$'no_such_queue'$$);
-- backup: the old row in ev_extra2.
select pg_temp.run('logutriga', $$'rq', 'backup'$$, $$'rq'$$);
select pg_temp.run('jsontriga', $$'rq', 'backup'$$, $$'rq'$$);
-- ignore= and pkey=.
select pg_temp.run('logutriga', $$'rq', 'ignore=n'$$, $$'rq'$$);
select pg_temp.run('sqltriga', $$'rq', 'ignore=n'$$, $$'rq'$$);
select pg_temp.run('jsontriga', $$'rq', 'ignore=n'$$, $$'rq'$$);
select pg_temp.run('logutriga', $$'rq', 'pkey=id,n'$$, $$'rq'$$);
select pg_temp.run('sqltriga', $$'rq', 'pkey=id'$$, $$'rq'$$);
select pg_temp.run('jsontriga', $$'rq', 'pkey=n,id'$$, $$'rq'$$);
-- when= and the ev_*= fields (NULL ones arrive as NULL; an expression on
-- a TRUNCATE trigger is refused).
select pg_temp.run('logutriga', $$'rq', 'when=n is not null'$$, $$'rq'$$);
select pg_temp.run('sqltriga', $$'rq', 'ev_type=''custom''', 'ev_extra1=null', 'ev_extra2=id * 10', 'ev_extra3=lo', 'ev_extra4=n'$$,
                   $$'rq', 'ev_extra2=''tr'''$$);
select pg_temp.run('jsontriga', $$'rq', 'ev_data=lo', 'ev_extra1=''x'''$$, $$'rq'$$);
-- SKIP in a BEFORE trigger: the event is made, the change skipped.
select pg_temp.run('logutriga', $$'rq', 'SKIP'$$, $$'rq', 'SKIP'$$, 'before');
select pg_temp.run('jsontriga', $$'rq', 'SKIP'$$, $$'rq', 'SKIP'$$, 'before');
select pg_temp.run('sqltriga', $$'rq'$$, $$'rq'$$, 'before');
-- deny: refused before the function is called.
drop trigger cap on t;
create trigger cap after insert on t for each row execute function pgq.logutriga('rq', 'deny');
insert into t values (3, 'x', 3);

-- A second replacement replaces the first one at once.
create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint language plpgsql as $$
begin
  raise warning 'second replacement: % %', ev_type, ev_data;
  return 0;
end $$;
drop trigger cap on t;
create trigger cap after insert on t for each row execute function pgq.sqltriga('rq');
insert into t values (4, 'y', 4);
-- The replacement's errors are the statement's errors.
create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint language plpgsql as $$
begin
  raise exception 'filtered: %', ev_data using errcode = '22023';
end $$;
insert into t values (5, 'z', 5);
select count(*) from t where id = 5;
-- Routing: a replacement that sends every event to another queue.
select pgq.create_queue('routed');
create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
returns bigint language plpgsql security definer as $$
begin
  return pgq.insert_event_raw('routed', null, now(), null, null,
                              ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, queue_name);
end $$;
insert into t values (20, 'r', 20);
select tableoid::regclass, ev_id, ev_type, ev_data, ev_extra1, ev_extra4 from pgq.event_template;
select pgq.drop_queue('routed');
-- No function at all: PostgreSQL's error, as for PgQ's statement.
alter extension pgqpp drop function pgq.insert_event(text,text,text,text,text,text,text);
drop function pgq.insert_event(text,text,text,text,text,text,text);
insert into t values (21, 's', 21);
select pgq.insert_event('rq', 'three', 'args');
-- Nothing went into the queue while the function was replaced.
select count(*) from pgq.event_template;

-- Restored: the extension's own function again. Calls of pgq.insert_event
-- are counted (track_functions) to see which path the triggers take.
do $$ begin execute (select def from saved_def); end $$;
alter extension pgqpp add function pgq.insert_event(text,text,text,text,text,text,text);
set track_functions = 'all';
drop trigger cap on t;
create trigger cap after insert or update or delete on t for each row execute function pgq.sqltriga('rq');
create function pg_temp.calls() returns bigint language sql as $$
  select coalesce(pg_stat_get_xact_function_calls(
    'pgq.insert_event(text,text,text,text,text,text,text)'::regprocedure), 0)
$$;
begin;
insert into t values (6, 'a', 6);
update t set lo = 'b' where id = 6;
delete from t where id = 6;
select pgq.insert_event('rq', 'three', 'direct') > 0 as stored;
-- Four events written, no call of the function: the direct write is back
-- (for the three-argument form too).
select pg_temp.calls() as calls, (select count(*) from pgq.event_template) as events;
-- An alteration (here a SET option) makes it a function PgQ's way must call.
alter function pgq.insert_event(text,text,text,text,text,text,text) set work_mem = '2MB';
insert into t values (7, 'c', 7);
select pg_temp.calls() as calls, (select count(*) from pgq.event_template) as events;
alter function pgq.insert_event(text,text,text,text,text,text,text) reset all;
insert into t values (8, 'd', 8);
select pg_temp.calls() as calls, (select count(*) from pgq.event_template) as events;
-- So does SECURITY INVOKER.
alter function pgq.insert_event(text,text,text,text,text,text,text) security invoker;
insert into t values (9, 'e', 9);
select pg_temp.calls() as calls, (select count(*) from pgq.event_template) as events;
alter function pgq.insert_event(text,text,text,text,text,text,text) security definer;
insert into t values (10, 'f', 10);
select pg_temp.calls() as calls, (select count(*) from pgq.event_template) as events;
commit;
select ev_id, ev_type, ev_data, ev_extra1 from pgq.event_template order by ev_id;
-- The unknown queue is PgQ's error again.
drop trigger cap on t;
create trigger cap after insert on t for each row execute function pgq.logutriga('no_such_queue');
insert into t values (11, 'g', 11);

drop extension pgqpp cascade;
drop table t;
