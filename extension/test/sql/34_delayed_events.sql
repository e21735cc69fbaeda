-- SPDX-License-Identifier: PostgreSQL
-- Delayed events: insert_event_at / insert_events_at store an event that
-- the ticker moves into the queue once deliver_at has come; the batch ending
-- at that tick holds it, never an earlier one. Delivery deletes nothing
-- (pgq.delayed_mark says what is delivered) and the storage rotates by
-- TRUNCATE, keeping the pending rows; pgq.get_delayed_info counts them.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('qd');
update pgq.queue set queue_ticker_max_count = 1000, queue_ticker_max_lag = '1 hour',
                     queue_ticker_idle_period = '1 hour';
select pgq.register_consumer('qd', 'c1');
select pgq.register_consumer('qd', 'c2');

-- Bad input: clear SQLSTATEs, nothing stored.
select try($$select pgq.insert_event_at('nosuch', now(), 't', 'd')$$);
select try($$select pgq.insert_event_at(null, now(), 't', 'd')$$);
select try($$select pgq.insert_event_at('qd', null, 't', 'd')$$);
select try($$select pgq.insert_event_at('qd', 'infinity', 't', 'd')$$);
select try($$select pgq.insert_events_at('qd', null, array['t'], array['d'])$$);
select try($$select pgq.insert_events_at('qd', array[now(), null], array['t'], array['a', 'b'])$$);
select try($$select pgq.insert_events_at('qd', array[now(), now()], array['t'], array['a', 'b', 'c'])$$);
select try($$select pgq.insert_events_at('qd', array[now()], array['t'], null)$$);
update pgq.queue set queue_disable_insert = true where queue_name = 'qd';
select try($$select pgq.insert_event_at('qd', now(), 't', 'd')$$);
select try($$select pgq.insert_events_at('qd', array[now()], array['t'], array['d'])$$);
update pgq.queue set queue_disable_insert = false where queue_name = 'qd';
update pgq.queue set queue_per_tx_limit = 1 where queue_name = 'qd';
select try($$select pgq.insert_event_at('qd', now(), 't', 'a'), pgq.insert_event_at('qd', now(), 't', 'b')$$);
update pgq.queue set queue_per_tx_limit = null where queue_name = 'qd';
select count(*) as stored_after_bad_input from pgq.delayed_event;
select pgq.insert_events_at('qd', array[]::timestamptz[], array['t'], array[]::text[]);

-- One far in the future, one in the past (due at the next tick), one in the
-- past with extras, two by the bulk form (one due, one not), and one rolled
-- back.
select pgq.insert_event_at('qd', now() + interval '30 days', 'later', 'month') as later_id \gset
select pgq.insert_event_at('qd', now() - interval '1 second', 'now', 'past') as past_id \gset
select pgq.insert_event_at('qd', now() - interval '1 hour', 'now', 'extra', 'x1', 'x2', 'x3', 'x4') > :past_id;
select pgq.insert_events_at('qd', array[now() - interval '1 ms', now() + interval '1 day'],
                            array['bulk'], array['b-due', 'b-later'], array['e1', 'e2']);
begin;
select pgq.insert_event_at('qd', now() - interval '1 minute', 'rolled', 'back') > 0;
rollback;
select de_queue, ev_type, ev_data, ev_extra1, ev_time = now() as ev_time_is_insert_time
  from pgq.delayed_event order by ev_id;
-- Nothing is in the queue's event tables yet.
select count(*) from pgq.event_1;

-- The tick moves the due events and ticks: they are in the batch ending at
-- that tick, for every consumer, with their ids and ev_time = deliver_at.
select pgq.ticker('qd') is not null as ticked;
select pgq.next_batch('qd', 'c1') as b1 \gset
select ev_id = :past_id as is_past_id, ev_type, ev_data, ev_extra1, ev_extra4,
       ev_time < now() as ev_time_is_deliver_at
  from pgq.get_batch_events(:b1) order by ev_id;
select pgq.finish_batch(:b1);
select pgq.next_batch('qd', 'c2') as b2 \gset
select ev_type, ev_data from pgq.get_batch_events(:b2) order by ev_id;
select pgq.finish_batch(:b2);
select ev_type, ev_data from pgq.delayed_pending order by ev_id;
-- The delivered rows stay (until rotation): delivery deleted none.
select count(*) as stored_rows from pgq.delayed_event;
select queue_name, pending, next_due = (select min(de_deliver_at) from pgq.delayed_pending) as next_due_ok
  from pgq.get_delayed_info('qd');

-- Not delivered before deliver_at: more ticks bring nothing.
select pgq.force_tick('qd') > 0;
select pgq.ticker() as ticked_queues;
select pgq.next_batch('qd', 'c1') as b3 \gset
select count(*) as delivered_early from pgq.get_batch_events(:b3);
select pgq.finish_batch(:b3);

-- Survives rotation: three rounds of rotation, each table of the queue
-- truncated and reused, while two delayed events wait.
update pgq.queue set queue_rotation_period = '0', queue_ticker_max_count = 1;
-- One round (a procedure: each step commits, as separate statements would):
-- an event, a tick, both consumers read everything, then both rotation
-- steps; rotation_log says what each consumer read and what the steps
-- returned.
create table rotation_log (tag text, got text);
create procedure rotation_round(tag text) language plpgsql as $$
declare
    b bigint;
    c text;
    got text := '';
begin
    perform pgq.insert_event('qd', 'plain', tag);
    commit;
    if pgq.ticker('qd') is null then
        raise exception 'no tick in round %', tag;
    end if;
    commit;
    foreach c in array array['c1', 'c2'] loop
        loop
            b := pgq.next_batch('qd', c);
            exit when b is null;
            select got || coalesce(string_agg(c || ':' || ev_data, ' ' order by ev_id), '') || ' '
              into got from pgq.get_batch_events(b);
            perform pgq.finish_batch(b);
        end loop;
    end loop;
    commit;
    got := got || 'step1=' || pgq.maint_rotate_tables_step1('qd');
    commit;
    insert into rotation_log values (tag, got || ' step2=' || pgq.maint_rotate_tables_step2());
end $$;
call rotation_round('r0');
call rotation_round('r1');
call rotation_round('r2');
select * from rotation_log order by tag;
select queue_cur_table from pgq.queue;
select count(*) as waiting_after_rotation from pgq.delayed_pending;

-- When its time has come (here: moved into the past by hand), pgq.ticker()
-- over all queues delivers it, exactly once.
update pgq.delayed_event set de_deliver_at = now() - interval '1 ms' where ev_id = :later_id;
select pgq.ticker() as ticked_queues;
select pgq.next_batch('qd', 'c1') as b4 \gset
select ev_id = :later_id as is_later_id, ev_type, ev_data from pgq.get_batch_events(:b4);
select pgq.finish_batch(:b4);
select pgq.ticker('qd') is null as no_more_tick;
select count(*) as waiting from pgq.delayed_pending;

-- The delayed storage rotates: with a zero period, every move that moves
-- something empties the other child table (copying its pending rows into
-- the current one first) and makes it current. Nothing is deleted, the
-- far-future event survives two rotations and is delivered once.
create function delayed_rows() returns text language sql as $$
    select format('cur=%s rows0=%s rows1=%s pending=%s', m.dm_cur_table,
                  (select count(*) from pgq.delayed_event_0), (select count(*) from pgq.delayed_event_1),
                  (select count(*) from pgq.delayed_pending))
      from pgq.delayed_mark m
$$;
create function consume_all(c text) returns setof text language plpgsql as $$
declare
    b bigint;
begin
    loop
        b := pgq.next_batch('qd', c);
        exit when b is null;
        return query select ev_data from pgq.get_batch_events(b);
        perform pgq.finish_batch(b);
    end loop;
end $$;
update pgq.delayed_mark set dm_rotation_period = '0';
select pgq.insert_event_at('qd', now() + interval '90 days', 'far', 'far') as far_id \gset
select delayed_rows();
begin;
select pgq.insert_event_at('qd', now() - interval '1 ms', 'rot', 'rot1') > 0;
commit;
begin;
select pgq.ticker() as ticked_queues;
select pg_stat_get_xact_tuples_deleted('pgq.delayed_event_0'::regclass)
     + pg_stat_get_xact_tuples_deleted('pgq.delayed_event_1'::regclass) as deleted_by_delivery;
commit;
select delayed_rows();
select pgq.insert_event_at('qd', now() - interval '1 ms', 'rot', 'rot2') > 0;
select pgq.ticker() as ticked_queues;
select delayed_rows();
select consume_all('c1');
update pgq.delayed_event set de_deliver_at = now() - interval '1 ms' where ev_id = :far_id;
select pgq.ticker() as ticked_queues;
select delayed_rows();
select consume_all('c1');
select pgq.ticker('qd') is null as no_more_tick;

-- pgq.get_delayed_info: every queue with NULL or no argument, one queue by
-- name (0 and NULL when none waits), an unknown queue is an error.
select pgq.create_queue('qe'), pgq.create_queue('qf');
select pgq.insert_event_at('qe', '2100-01-01 00:00+00', 't', 'a') > 0;
select pgq.insert_event_at('qe', '2099-01-01 00:00+00', 't', 'b') > 0;
select queue_name, pending, next_due > now() + interval '80 days' as next_due_far,
       next_due is null as none_due from pgq.get_delayed_info();
select queue_name, pending, next_due at time zone 'UTC' from pgq.get_delayed_info(null) where queue_name = 'qe';
select queue_name, pending from pgq.get_delayed_info('qd');
select try($$select * from pgq.get_delayed_info('nosuch')$$);
select pgq.drop_queue('qe'), pgq.drop_queue('qf');

-- Dropping the queue drops its delayed events.
select pgq.unregister_consumer('qd', 'c1');
select pgq.drop_queue('qd', true);
select count(*) as left_after_drop from pgq.delayed_event;
select * from pgq.get_delayed_info();

drop extension pgqpp cascade;
