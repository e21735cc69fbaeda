-- SPDX-License-Identifier: PostgreSQL
-- Trigger options: ignore=, pkey=, when=, ev_*= overrides, deny, SKIP,
-- and the _pgq_ev_* columns, for all three triggers.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('oq');
create function pg_temp.events() returns table (ev_id bigint, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)
language sql as $$
  select ev_id, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
    from pgq.event_template order by ev_id
$$;
-- Runs the same changes under trigger `func` with arguments `args` and
-- shows the events they make ("-" marks a NULL field).
create table t (id int primary key, "Up" int, lo text, "two words" text, gone int, n int);
alter table t drop column gone;
create function pg_temp.run(func text, args text) returns setof text language plpgsql as $$
declare
  first bigint := (select coalesce(max(ev_id), 0) from pgq.event_template);
  e record;
begin
  execute 'drop trigger if exists opt on t';
  execute format('create trigger opt after insert or update or delete on t for each row execute function pgq.%s(%s)', func, args);
  insert into t values (1, 2, 'L', 'tw', 7);
  update t set lo = 'M';           -- a change
  update t set "Up" = "Up";        -- no change
  update t set n = 8;              -- a change
  delete from t;
  for e in select * from pg_temp.events() where ev_id > first loop
    return next concat_ws(' | ', e.ev_type, coalesce(e.ev_data, '-'), coalesce(e.ev_extra1, '-'),
                          coalesce(e.ev_extra2, '-'), coalesce(e.ev_extra3, '-'), coalesce(e.ev_extra4, '-'));
  end loop;
end $$;

-- ignore=: left out of the payload; an UPDATE of only those makes no event.
select pg_temp.run('logutriga', $$'oq', 'ignore=n,lo'$$);
select pg_temp.run('sqltriga', $$'oq', 'ignore=n lo'$$);
select pg_temp.run('jsontriga', $$'oq', 'ignore=n, lo'$$);
-- Ignoring a key column leaves it out of the payload, not out of the key.
select pg_temp.run('sqltriga', $$'oq', 'ignore=id'$$);
-- pkey=: the key, as written (in ev_type), whatever the primary key.
select pg_temp.run('logutriga', $$'oq', 'pkey=Up, id'$$);
select pg_temp.run('sqltriga', $$'oq', 'pkey=Up,id'$$);
select pg_temp.run('jsontriga', $$'oq', 'pkey=Up, id'$$);
-- when=: an event only when the expression over the row is true (the old
-- row for DELETE).
select pg_temp.run('logutriga', $$'oq', 'when=lo = ''M'''$$);
select pg_temp.run('sqltriga', $$'oq', 'when=n is null'$$);
-- ev_*=: the field is the expression's value, NULL included.
select pg_temp.run('logutriga', $$'oq', 'ev_type=''custom:'' || lo', 'ev_extra1=null', 'ev_extra2=id * 10', 'ev_extra4=n'$$);
select pg_temp.run('jsontriga', $$'oq', 'ev_data=lo || $x$ lo $x$ || ''lo''', 'ev_extra3=now() = now()'$$);
-- Expressions: quoted column names, names folded like the parser folds
-- them, constants and comments left alone, the statement's snapshot.
select pg_temp.run('sqltriga', $$'oq', 'ev_extra1="two words" || "Up"', 'ev_extra2=LO || E''\''lo''', 'ev_extra3=(select count(*) from t) /* lo */', 'ev_extra4=id::text -- lo'$$);
-- Repeated options, as in PgQ: the last ignore= or pkey= counts, the
-- first expression for a field.
select pg_temp.run('logutriga', $$'oq', 'ev_extra3=1', 'ev_extra3=2', 'ignore=lo', 'ignore=n', 'when=true', 'when=false'$$);

-- deny: every change refused, with the table, queue and operation named.
drop trigger opt on t;
create trigger opt after insert or update or delete on t for each row execute function pgq.logutriga('oq', 'deny');
select try($$insert into t values (5)$$);
drop trigger opt on t;
insert into t values (5);
create trigger opt after insert or update or delete on t for each row execute function pgq.sqltriga('oq', 'deny');
select try($$update t set lo = 'x'$$);
select try($$delete from t$$);
create trigger opt_truncate after truncate on t for each statement execute function pgq.jsontriga('oq', 'deny');
select try($$truncate t$$);
drop trigger opt on t;
drop trigger opt_truncate on t;

-- SKIP (BEFORE only): the change is logged, then skipped.
create trigger opt before insert or update or delete on t for each row execute function pgq.jsontriga('oq', 'SKIP');
select last_value as before_skip from pgq.event_1_id_seq \gset
update t set lo = 'never';
delete from t;
select * from t;
select ev_type, ev_data from pg_temp.events() where ev_id > :before_skip;
drop trigger opt on t;

-- Columns named _pgq_ev_type, _pgq_ev_data, _pgq_ev_extra1..4 set those
-- fields (NULL too) and stay out of the payload; ev_*= still wins. With
-- ignore=, a change to them alone is no change.
create table magic (id int primary key, _pgq_ev_type text, _pgq_ev_extra3 text, v text);
create function pg_temp.run_magic(func text, args text) returns setof text language plpgsql as $$
declare
  first bigint := (select coalesce(max(ev_id), 0) from pgq.event_template);
  e record;
begin
  execute 'drop trigger if exists opt on magic';
  delete from magic;
  insert into magic values (1, 'T', 'X3', 'v');
  execute format('create trigger opt after update on magic for each row execute function pgq.%s(%s)', func, args);
  update magic set _pgq_ev_type = 'T2';                 -- only a magic column
  update magic set v = 'w', _pgq_ev_extra3 = null;      -- a change, with ev_extra3 NULL
  update magic set v = v;                               -- no change
  for e in select * from pg_temp.events() where ev_id > first loop
    return next concat_ws(' | ', coalesce(e.ev_type, '-'), coalesce(e.ev_data, '-'), coalesce(e.ev_extra1, '-'),
                          coalesce(e.ev_extra3, '-'));
  end loop;
end $$;
select pg_temp.run_magic('logutriga', $$'oq'$$);
select pg_temp.run_magic('sqltriga', $$'oq'$$);
select pg_temp.run_magic('jsontriga', $$'oq', 'ignore=v'$$);
select pg_temp.run_magic('logutriga', $$'oq', 'ev_type=''over'''$$);

-- In the "local" replication role the triggers stand aside (even SKIP);
-- in "replica" they do not fire unless enabled for replicas.
create trigger opt before insert on t for each row execute function pgq.logutriga('oq', 'SKIP');
set session_replication_role = local;
insert into t (id, lo) values (10, 'local role');
set session_replication_role = replica;
insert into t (id, lo) values (11, 'replica role');
reset session_replication_role;
select id, lo from t order by id;
select count(*) as events_for_local_or_replica from pg_temp.events() where ev_data like '%role%';

drop extension pgqpp cascade;
drop table t, magic;
