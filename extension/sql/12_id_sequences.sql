-- SPDX-License-Identifier: PostgreSQL
-- The id sequences of queues, consumers and subscriptions kept past the ids
-- in their tables, whatever put the rows there.

-- Function: pgq._ids_past_restored()
--   pgqpp internal. Moves pgq.queue_queue_id_seq, pgq.consumer_co_id_seq and
--   pgq.subscription_sub_id_seq past the highest id in their tables when a
--   sequence is behind, as after restoring a PgQ 3.5 dump (which carries the
--   rows but not these sequences) into a database with pgqpp. create_queue
--   and register_consumer_at call it before they take an id: the usual case
--   costs three index probes and a small scan of pgq.subscription; a repair
--   locks the three tables against writers (SHARE ROW EXCLUSIVE) so that
--   two callers never move a sequence back under each other. Returns the
--   number of sequences moved.
create function pgq._ids_past_restored() returns integer as $$
declare
    moved integer := 0;
    queue_max bigint;
    consumer_max bigint;
    sub_max bigint;
begin
    for attempt in 1 .. 2 loop
        queue_max := (select max(queue_id) from pgq.queue);
        consumer_max := (select max(co_id) from pgq.consumer);
        -- sub_id is not unique (pgq_coop's subconsumers share one) and
        -- retries keep the sub_id of the subscription that put them aside.
        sub_max := greatest((select max(sub_id) from pgq.subscription),
                            (select max(ev_owner) from pgq.retry_queue));
        if coalesce(pg_sequence_last_value('pgq.queue_queue_id_seq'), 0) >= coalesce(queue_max, 0)
           and coalesce(pg_sequence_last_value('pgq.consumer_co_id_seq'), 0) >= coalesce(consumer_max, 0)
           and coalesce(pg_sequence_last_value('pgq.subscription_sub_id_seq'), 0) >= coalesce(sub_max, 0)
        then
            return moved;
        end if;
        if attempt = 1 then
            -- Read again under the lock: a concurrent caller may have
            -- repaired (and taken ids) meanwhile.
            lock table pgq.queue, pgq.consumer, pgq.subscription, pgq.retry_queue
                in share row exclusive mode;
        end if;
    end loop;
    if coalesce(pg_sequence_last_value('pgq.queue_queue_id_seq'), 0) < queue_max then
        perform setval('pgq.queue_queue_id_seq', queue_max);
        moved := moved + 1;
    end if;
    if coalesce(pg_sequence_last_value('pgq.consumer_co_id_seq'), 0) < consumer_max then
        perform setval('pgq.consumer_co_id_seq', consumer_max);
        moved := moved + 1;
    end if;
    if coalesce(pg_sequence_last_value('pgq.subscription_sub_id_seq'), 0) < sub_max then
        perform setval('pgq.subscription_sub_id_seq', sub_max);
        moved := moved + 1;
    end if;
    return moved;
end;
$$ language plpgsql
    set search_path = pg_catalog, pgq, pg_temp;
