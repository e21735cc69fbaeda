-- SPDX-License-Identifier: PostgreSQL
-- Bad trigger definitions and refused changes: each gives a clear error
-- with a specific SQLSTATE (PgQ 3.5's message where PgQ has one); none
-- crashes a backend or leaves a half-made event behind.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('eq');
create table t (id int primary key, v text, n int);
insert into t values (1, 'one', 1);
-- Creates trigger "bad" on t with the given function and arguments, then
-- runs `change` and reports its error.
create function pg_temp.bad(timing text, func text, args text, change text) returns text
language plpgsql as $$
begin
  execute 'drop trigger if exists bad on t';
  execute format('create trigger bad %s on t for each row execute function pgq.%s(%s)', timing, func, args);
  return try(change);
end $$;

-- Arguments.
select pg_temp.bad('after insert', 'logutriga', '', $$insert into t values (2)$$);
select pg_temp.bad('after insert', 'sqltriga', $$'eq', 'bogus'$$, $$insert into t values (2)$$);
select pg_temp.bad('after insert', 'jsontriga', $$'eq', 'skip'$$, $$insert into t values (2)$$);
select pg_temp.bad('after insert', 'logutriga', $$'eq', 'ev_extra5=1'$$, $$insert into t values (2)$$);
select pg_temp.bad('after insert', 'logutriga', $$'eq', 'pkey=id,nosuch'$$, $$insert into t values (2)$$);
select pg_temp.bad('after insert', 'logutriga', $$'eq', 'pkey="id"'$$, $$insert into t values (2)$$);
select pg_temp.bad('after insert', 'logutriga', $$'no_such_queue'$$, $$insert into t values (2)$$);
-- Where the trigger is used.
select pg_temp.bad('after insert', 'logutriga', $$'eq', 'SKIP'$$, $$insert into t values (2)$$);
drop trigger bad on t;
create trigger bad after insert on t for each statement execute function pgq.logutriga('eq');
select try($$insert into t values (2)$$);
drop trigger bad on t;
select try($$select pgq.sqltriga()$$);
select try($$select pgq.jsontriga()$$);
create trigger bad after truncate on t for each statement execute function pgq.logutriga('eq', 'ignore=v');
select try($$truncate t$$);
drop trigger bad on t;
create trigger bad after truncate on t for each statement execute function pgq.logutriga('eq', 'pkey=id');
select try($$truncate t$$);
drop trigger bad on t;
create trigger bad after truncate on t for each statement execute function pgq.logutriga('eq', 'backup');
select try($$truncate t$$);
drop trigger bad on t;
create trigger bad after truncate on t for each statement execute function pgq.logutriga('eq', 'when=true');
select try($$truncate t$$);
drop trigger bad on t;
-- Keys.
select pg_temp.bad('after update', 'logutriga', $$'eq'$$, $$update t set id = 5$$);
select pg_temp.bad('after update', 'sqltriga', $$'eq'$$, $$update t set id = 5$$);
select pg_temp.bad('after update', 'jsontriga', $$'eq', 'pkey=v'$$, $$update t set v = 'x'$$);
-- PgQ misses a key change when ignore= is given and a column before the
-- key changed too; pgqpp refuses every one.
select pg_temp.bad('after update', 'logutriga', $$'eq', 'pkey=n', 'ignore=x'$$, $$update t set v = 'x', n = 2$$);
drop trigger bad on t;
update t set v = null;
select pg_temp.bad('after delete', 'sqltriga', $$'eq', 'pkey=v'$$, $$delete from t$$);
create table unkeyed (a int);
insert into unkeyed values (1);
create trigger bad after update or delete on unkeyed for each row execute function pgq.sqltriga('eq');
select try($$update unkeyed set a = 2$$);
select try($$delete from unkeyed$$);
drop trigger bad on unkeyed;
create trigger bad after update on unkeyed for each row execute function pgq.sqltriga('eq', 'pkey=');
select try($$update unkeyed set a = 2$$);
-- Expressions.
select pg_temp.bad('after insert', 'logutriga', $$'eq', 'when=v'$$, $$insert into t values (2, 'x')$$);
select pg_temp.bad('after insert', 'logutriga', $$'eq', 'when=null::bool'$$, $$insert into t values (2, 'x')$$);
select pg_temp.bad('after insert', 'logutriga', $$'eq', 'ev_extra1=generate_series(1, 2)'$$, $$insert into t values (2, 'x')$$);
select pg_temp.bad('after insert', 'logutriga', $$'eq', 'ev_extra1=generate_series(1, 0)'$$, $$insert into t values (2, 'x')$$);
select pg_temp.bad('after insert', 'logutriga', $$'eq', 'ev_extra1=''unterminated'$$, $$insert into t values (2, 'x')$$);
select pg_temp.bad('after insert', 'logutriga', $$'eq', 'ev_extra1=nosuch + 1'$$, $$insert into t values (2, 'x')$$);
select pg_temp.bad('after insert', 'logutriga', $$'eq', 'ev_extra1=1/0'$$, $$insert into t values (2, 'x')$$);
-- A _pgq_ev_ column that names no field.
create table magic (id int primary key, _pgq_ev_nosuch text);
create trigger bad after insert on magic for each row execute function pgq.logutriga('eq');
select try($$insert into magic values (1, 'x')$$);
-- Queue settings apply to triggers as to insert_event.
drop trigger bad on t;
create trigger bad after insert on t for each row execute function pgq.logutriga('eq');
update pgq.queue set queue_disable_insert = true where queue_name = 'eq';
select try($$insert into t values (3)$$);
update pgq.queue set queue_disable_insert = false, queue_per_tx_limit = 2 where queue_name = 'eq';
select try($$insert into t values (3), (4), (5)$$);
insert into t values (3), (4);
update pgq.queue set queue_per_tx_limit = null where queue_name = 'eq';
-- Producing needs EXECUTE on pgq.insert_event (role pgq_writer), as in
-- PgQ; the trigger then writes with that function's owner's rights.
create role trg_plain;
create role trg_writer in role pgq_writer;
grant select, insert on t to trg_plain, trg_writer;
set role trg_plain;
select try($$insert into t values (6)$$);
reset role;
set role trg_writer;
insert into t values (6);
select try($$select count(*) from pgq.event_1$$);
reset role;
-- Every refused change left no event: only the successful inserts did.
select ev_type, ev_data from pgq.event_template order by ev_id;

drop extension pgqpp cascade;
drop table t, unkeyed, magic;
drop role trg_plain, trg_writer;
