-- SPDX-License-Identifier: PostgreSQL
-- SQL-only replacement of 66_wait.sql's C function. Without the library's
-- shared memory no ticker can wake the waiting backend: it looks for a new
-- tick every 10 ms, as the extension does when pgqpp is not preloaded.

-- Function: pgq._so_batch_ready(i_queue_name, i_consumer_name)
--   SQL-only helper: NULL for an unknown subscription, else whether
--   next_batch would return a batch now (one open, or a newer tick).
create function pgq._so_batch_ready(i_queue_name text, i_consumer_name text) returns boolean as $$
    select s.sub_batch is not null
           or exists (select 1 from pgq.tick t
                       where t.tick_queue = s.sub_queue and t.tick_id > s.sub_last_tick)
      from pgq.queue q
      join pgq.subscription s on s.sub_queue = q.queue_id
      join pgq.consumer c on c.co_id = s.sub_consumer
     where q.queue_name = i_queue_name and c.co_name = i_consumer_name;
$$ language sql volatile;

create function pgq.next_batch_wait(i_queue_name text, i_consumer_name text, i_timeout_ms integer)
returns int8 as $$
declare
    deadline timestamptz;
    ready boolean;
begin
    if i_timeout_ms is null then
        raise exception 'i_timeout_ms must not be NULL' using errcode = '22004';
    end if;
    if i_timeout_ms < 0 or i_timeout_ms > 60000 then
        raise exception 'i_timeout_ms must be between 0 and 60000' using errcode = '22023',
            detail = format('It was %s.', i_timeout_ms),
            hint = 'Call pgq.next_batch_wait again in a loop for longer waits.';
    end if;
    if i_timeout_ms > 0 and current_setting('transaction_isolation') in ('repeatable read', 'serializable') then
        raise exception 'pgq.next_batch_wait cannot wait in a REPEATABLE READ or SERIALIZABLE transaction'
            using errcode = '25000',
            detail = 'Its snapshot never shows a tick committed after the transaction started.',
            hint = 'Call it in a READ COMMITTED transaction, or with i_timeout_ms 0.';
    end if;
    deadline := clock_timestamp() + i_timeout_ms * interval '1 millisecond';
    loop
        ready := pgq._so_batch_ready(i_queue_name, i_consumer_name);
        if ready is null or ready or i_timeout_ms = 0 then
            return pgq.next_batch(i_queue_name, i_consumer_name);
        end if;
        if clock_timestamp() >= deadline then
            return null;
        end if;
        perform pg_sleep(least(0.01, extract(epoch from deadline - clock_timestamp())));
    end loop;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;
