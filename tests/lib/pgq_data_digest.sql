-- SPDX-License-Identifier: PostgreSQL
-- The data of schema pgq as a few digest lines (queues, consumers,
-- subscriptions, ticks, retries, events, sequences): two databases hold the
-- same queue data exactly when this prints the same. Run with psql -At.
select string_agg(line, E'\n' order by line) from (
    select 'queue ' || md5(string_agg(t::text, ',' order by t::text)) as line from pgq.queue t
    union all select 'consumer ' || md5(string_agg(t::text, ',' order by t::text)) from pgq.consumer t
    union all select 'subscription ' || md5(string_agg(t::text, ',' order by t::text)) from pgq.subscription t
    union all select 'tick ' || md5(string_agg(t::text, ',' order by t::text)) from pgq.tick t
    union all select 'retry ' || md5(string_agg(t::text, ',' order by t::text)) from pgq.retry_queue t
    union all select 'events ' || md5(string_agg(t::text, ',' order by t::text)) from pgq.event_template t
    union all select 'seq ' || sequencename || ' ' || coalesce(last_value::text, '-')
      from pg_sequences where schemaname = 'pgq') s;
