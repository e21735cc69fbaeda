-- SPDX-License-Identifier: PostgreSQL
-- Producers: insert_event (both forms), insert_event_raw, the bulk
-- insert_events, and the queue settings that limit inserts.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('qi');

select pgq.insert_event('qi', 'type1', 'data1');
select pgq.insert_event('qi', 'type2', 'data2', 'e1', 'e2', 'e3', 'e4');
select pgq.insert_event('qi', null, null);
select pgq.insert_event('qi', 'type4', 'data4', null, 'e2', null, 'e4');
-- ev_txid is the inserting transaction's id, ev_time its start time.
begin;
select pgq.insert_event('qi', 'same-tx', 'a') as id_a, pgq.insert_event('qi', 'same-tx', 'b') as id_b;
select count(*) = 2 as txid_ok from pgq.event_1 where ev_type = 'same-tx' and ev_txid = txid_current();
select count(*) = 2 as time_ok from pgq.event_1 where ev_type = 'same-tx' and ev_time = now();
commit;
select ev_id, ev_owner, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;
-- Everything goes into the current table.
select tableoid::regclass, count(*) from pgq.event_1 group by 1;
select pgq.current_event_table('qi');

-- insert_event_raw: explicit id, time, owner and retry count; NULLs default.
select pgq.insert_event_raw('qi', 1000, '2020-01-01 00:00:00+00', 7, 3, 'raw', 'rawdata', 'x1', null, null, 'x4');
select pgq.insert_event_raw('qi', null, null, null, null, 'raw2', null, null, null, null, null);
select ev_id, ev_time = '2020-01-01 00:00:00+00' as old_time, ev_owner, ev_retry, ev_type, ev_data, ev_extra1, ev_extra4
  from pgq.event_1 where ev_type like 'raw%' order by ev_id;

-- Bulk insert: one call, many events, ids in array order.
select pgq.insert_events('qi', array['bulk'], array['b1', 'b2', 'b3']);
select pgq.insert_events('qi', array['t1', 't2'], array['c1', 'c2'], array['x1', null], null, null, array['y1', 'y2']);
select pgq.insert_events('qi', array['t'], array[]::text[]);
select pgq.insert_events('qi', null, array['no-type']);
select ev_id, ev_type, ev_data, ev_extra1, ev_extra4 from pgq.event_1
 where ev_type in ('bulk', 't1', 't2') or ev_type is null and ev_data = 'no-type' order by ev_id;
select try($$select pgq.insert_events('qi', array['a', 'b', 'c'], array['1', '2'])$$);
select try($$select pgq.insert_events('qi', array['a'], array['1', '2'], array['only-one'])$$);
select try($$select pgq.insert_events('qi', array['a'], null)$$);
select try($$select pgq.insert_events('qi', array['a'], array[['1'], ['2']])$$);
select try($$select pgq.insert_events('no_such_queue', array['a'], array['1'])$$);

-- Unknown queue and NULL queue name: PgQ's texts, specific SQLSTATEs.
select try($$select pgq.insert_event('no_such_queue', 't', 'd')$$);
select try($$select pgq.insert_event(null, 't', 'd')$$);
select try($$select pgq.insert_event_raw('no_such_queue', null, null, null, null, 't', 'd', null, null, null, null)$$);

-- queue_per_tx_limit: counted per transaction, bulk included.
update pgq.queue set queue_per_tx_limit = 3 where queue_name = 'qi';
begin;
select pgq.insert_event('qi', 'lim', '1');
select pgq.insert_events('qi', array['lim'], array['2', '3']);
select try($$select pgq.insert_event('qi', 'lim', '4')$$);
rollback;
begin;
select pgq.insert_events('qi', array['lim'], array['1', '2', '3']);
commit;
select try($$select pgq.insert_events('qi', array['lim'], array['1', '2', '3', '4'])$$);
update pgq.queue set queue_per_tx_limit = null where queue_name = 'qi';

-- queue_disable_insert, seen at once by this backend's cached metadata;
-- session_replication_role = replica may still insert (as in PgQ).
update pgq.queue set queue_disable_insert = true where queue_name = 'qi';
select try($$select pgq.insert_event('qi', 't', 'd')$$);
select try($$select pgq.current_event_table('qi')$$);
set session_replication_role = replica;
select pgq.insert_event('qi', 'replica', 'allowed') > 0 as inserted;
select pgq.current_event_table('qi');
reset session_replication_role;
update pgq.queue set queue_disable_insert = false where queue_name = 'qi';
select pgq.insert_event('qi', 'enabled', 'again') > 0 as inserted;

-- Inserts follow a rotation at once (the cache is invalidated).
update pgq.queue set queue_cur_table = 1, queue_switch_step1 = txid_current(),
                     queue_switch_step2 = null where queue_name = 'qi';
select pgq.insert_event('qi', 'after-switch', 'x') > 0 as inserted;
select tableoid::regclass from pgq.event_1 where ev_type = 'after-switch';
select pgq.current_event_table('qi');

-- A rolled-back insert leaves no row; a subtransaction rollback neither.
begin;
select pgq.insert_event('qi', 'rolled-back', 'x') > 0 as inserted;
rollback;
begin;
savepoint s1;
select pgq.insert_event('qi', 'sub-rolled-back', 'x') > 0 as inserted;
rollback to savepoint s1;
commit;
select count(*) from pgq.event_1 where ev_type in ('rolled-back', 'sub-rolled-back');

-- A dropped and re-created queue of the same name gets its new tables.
select pgq.drop_queue('qi');
select try($$select pgq.insert_event('qi', 't', 'd')$$);
select pgq.create_queue('qi');
select pgq.insert_event('qi', 'new', 'queue');
select tableoid::regclass, ev_id, ev_type from pgq.event_2;

-- Constraints added to an event table hold for every insert path, as they
-- would for a plain INSERT.
select queue_data_pfx || '_' || queue_cur_table as cur from pgq.queue where queue_name = 'qi' \gset
delete from :cur;
alter table :cur add constraint no_forbidden check (ev_type <> 'forbidden');
alter table :cur alter column ev_extra1 set not null;
-- (the failing row's detail names its time and txid: not shown)
select split_part(try($$select pgq.insert_event('qi', 'forbidden', 'x', 'e1', null, null, null)$$), ' / detail', 1);
select split_part(try($$select pgq.insert_event('qi', 'fine', 'x')$$), ' / detail', 1);
select split_part(try($$select pgq.insert_events('qi', array['fine', 'forbidden'], array['a', 'b'], array['e1', 'e1'])$$), ' / detail', 1);
select pgq.insert_event('qi', 'fine', 'x', 'e1', null, null, null) > 0 as inserted;
select count(*) from pgq.event_2 where ev_type in ('forbidden', 'fine');

drop extension pgqpp cascade;
