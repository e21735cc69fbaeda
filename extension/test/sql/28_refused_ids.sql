-- SPDX-License-Identifier: PostgreSQL
-- Event ids around refused inserts. PgQ takes an event's id from the
-- queue's sequence before it checks queue_disable_insert (which
-- session_replication_role = replica overrides) and queue_per_tx_limit, so
-- a refused insert still uses an id and the next event's id is one higher.
-- pgqpp numbers them the same way, through every producer: insert_event
-- (both forms), insert_event_raw (which takes an id even when given one),
-- the triggers, retry moves, and pgqpp's bulk insert_events (which uses the
-- ids the same events would have used one by one). Except for the SQLSTATEs
-- (docs/sql-api.md) and insert_events, PgQ 3.5 prints the same.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('iq');
-- Only the message: PgQ's SQLSTATEs are generic.
create function pg_temp.refused(sql text) returns text language plpgsql as $$
begin
  execute sql;
  return 'ok';
exception when others then
  return sqlerrm;
end $$;

-- queue_disable_insert (PgQ's set_queue_config cannot set it, nor
-- queue_per_tx_limit).
select pgq.insert_event('iq', 'a', '1') as id;
update pgq.queue set queue_disable_insert = true where queue_name = 'iq';
select pg_temp.refused($$select pgq.insert_event('iq', 'b', '2')$$);
select pg_temp.refused($$select pgq.insert_event('iq', 'b', '2', 'x', null, null, null)$$);
select pg_temp.refused($$select pgq.insert_event_raw('iq', null, null, null, null, 'b', '2', null, null, null, null)$$);
select pg_temp.refused($$select pgq.insert_event_raw('iq', 900, null, null, null, 'b', '2', null, null, null, null)$$);
-- Four refusals, four ids: the next one is 6. The replica role may insert.
set session_replication_role = replica;
select pgq.insert_event('iq', 'c', '3') as id;
reset session_replication_role;
update pgq.queue set queue_disable_insert = false where queue_name = 'iq';
select pgq.insert_event('iq', 'd', '4') as id;
-- A given ev_id is used, and the sequence moves all the same (8).
select pgq.insert_event_raw('iq', 900, null, null, null, 'e', '5', null, null, null, null) as id;
select pgq.insert_event('iq', 'f', '6') as id;

-- queue_per_tx_limit: two per transaction.
update pgq.queue set queue_per_tx_limit = 2 where queue_name = 'iq';
begin;
select pgq.insert_event('iq', 'g', '7') as id;
select pgq.insert_event('iq', 'g', '8') as id;
select pg_temp.refused($$select pgq.insert_event('iq', 'g', '9')$$);
select pg_temp.refused($$select pgq.insert_event_raw('iq', null, null, null, null, 'g', '10', null, null, null, null)$$);
commit;
-- Two refusals: ids 12 and 13 were used, the next one is 14.
select pgq.insert_event('iq', 'h', '11') as id;
update pgq.queue set queue_per_tx_limit = null where queue_name = 'iq';

-- The triggers: their refused events use ids too (15, 16; then 19).
create table t (id int primary key, v text);
create trigger cap after insert on t for each row execute function pgq.logutriga('iq');
update pgq.queue set queue_disable_insert = true where queue_name = 'iq';
select pg_temp.refused($$insert into t values (1, 'x')$$);
select pg_temp.refused($$insert into t values (2, 'x')$$);
update pgq.queue set queue_disable_insert = false where queue_name = 'iq';
select pgq.insert_event('iq', 'i', '16') as id;
update pgq.queue set queue_per_tx_limit = 1 where queue_name = 'iq';
begin;
insert into t values (3, 'y');
select pg_temp.refused($$insert into t values (4, 'y')$$);
commit;
update pgq.queue set queue_per_tx_limit = null where queue_name = 'iq';
select pgq.insert_event('iq', 'j', '19') as id;
select ev_id, ev_type, ev_data from pgq.event_template where ev_type like 'I%' order by ev_id;

-- Retry moves: a moved event keeps its id and uses a new one (22).
select pgq.set_queue_config('iq', 'ticker_max_count', '1');
select pgq.register_consumer('iq', 'c1');
select pgq.insert_event('iq', 'k', '20') as retried \gset
select :retried as id;
select pgq.ticker('iq') is not null as ticked;
select pgq.next_batch('iq', 'c1') as batch \gset
select pgq.event_retry(:batch, :retried, 0);
select pgq.finish_batch(:batch);
select pgq.maint_retry_events();
select ev_id, ev_owner is not null as owned, ev_retry from pgq.event_template where ev_id = :retried order by ev_retry nulls first;
select pgq.insert_event('iq', 'l', '22') as id;

-- pgqpp's bulk insert_events (PgQ has none): a refusal uses the ids that the same events
-- inserted one by one with insert_event would have used (up to and
-- including the first refused one), so the numbering afterwards does not
-- depend on the form. Here one (24).
update pgq.queue set queue_disable_insert = true where queue_name = 'iq';
select pg_temp.refused($$select pgq.insert_events('iq', array['m'], array['1', '2', '3'])$$);
update pgq.queue set queue_disable_insert = false where queue_name = 'iq';
select pgq.insert_event('iq', 'n', '24') as id;
update pgq.queue set queue_per_tx_limit = 3 where queue_name = 'iq';
begin;
select pgq.insert_event('iq', 'o', '25') as id;
-- Two more would fit, then the third of the four is refused: three ids
-- (27 to 29).
select pg_temp.refused($$select pgq.insert_events('iq', array['p'], array['1', '2', '3', '4'])$$);
-- The refused attempt counts, as PgQ counts it: nothing more fits (30).
select pg_temp.refused($$select pgq.insert_event('iq', 'q', '29')$$);
commit;
select pgq.insert_event('iq', 'r', '30') as id;
select pgq.insert_events('iq', array['s'], array['31', '32', '33']);
select pgq.insert_event('iq', 't', '34') as id;

drop extension pgqpp cascade;
drop table t;
