-- SPDX-License-Identifier: PostgreSQL
-- Dead letters, a pgqpp addition (C++: src/functions/dead_letter.cpp).
-- Events one consumer gave up on (event_dead, or retried past the queue's
-- max_retries in src/functions/retry.cpp), kept per consumer until they are
-- replayed or purged.
--
-- pgq.queue_config  pgqpp's own queue settings (max_retries), one row per
--                   queue that has any; PgQ's pgq.queue keeps its columns
-- pgq.dead_letter   the dead events, keyed like pgq.retry_queue by the
--                   owning subscription (ev_owner = sub_id) and ev_id

create table pgq.queue_config (
    qc_queue        int4    not null,
    qc_max_retries  int4,
    constraint queue_config_pkey primary key (qc_queue),
    constraint queue_config_queue_fkey foreign key (qc_queue) references pgq.queue (queue_id),
    constraint queue_config_max_retries_check check (qc_max_retries >= 0)
);

create table pgq.dead_letter (
    dead_time       timestamptz not null default now(),
    dead_reason     text,
    ev_queue        int4        not null,
    like pgq.event_template,
    constraint dl_pkey primary key (ev_owner, ev_id),
    constraint dl_queue_id_fkey foreign key (ev_queue) references pgq.queue (queue_id)
);
alter table pgq.dead_letter alter column ev_owner set not null;
alter table pgq.dead_letter alter column ev_txid drop not null;

select pg_catalog.pg_extension_config_dump('pgq.queue_config', '');
select pg_catalog.pg_extension_config_dump('pgq.dead_letter', '');

-- Function: pgq._set_max_retries(x_queue_name, x_value)
--   set_queue_config's part for max_retries: stores x_value (an integer
--   already checked to be >= 0) in pgq.queue_config, or removes the setting
--   for '' or 'none'. Returns 1.
create function pgq._set_max_retries(x_queue_name text, x_value text)
returns integer as $$
declare
    qid integer;
begin
    select queue_id into strict qid from pgq.queue where queue_name = x_queue_name;
    if lower(x_value) in ('', 'none') then
        delete from pgq.queue_config where qc_queue = qid;
    else
        insert into pgq.queue_config (qc_queue, qc_max_retries) values (qid, x_value::integer)
            on conflict (qc_queue) do update set qc_max_retries = excluded.qc_max_retries;
    end if;
    return 1;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq._dead_letter_sub(x_queue, x_consumer)
--   The subscription (sub_id) of a consumer on a queue, for the dead-letter
--   functions; an unknown queue or an unregistered consumer is an error
--   (42704) naming it.
create function pgq._dead_letter_sub(x_queue text, x_consumer text)
returns integer as $$
declare
    qid integer;
    sid integer;
begin
    if x_queue is null or x_consumer is null then
        raise exception 'queue and consumer must not be NULL' using errcode = '22004';
    end if;
    select queue_id into qid from pgq.queue where queue_name = x_queue;
    if not found then
        raise exception 'queue "%" does not exist', x_queue using errcode = '42704';
    end if;
    select s.sub_id into sid
      from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer
     where s.sub_queue = qid and c.co_name = x_consumer;
    if not found then
        raise exception 'consumer "%" is not registered on queue "%"', x_consumer, x_queue
            using errcode = '42704';
    end if;
    return sid;
end;
$$ language plpgsql stable security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.event_dead(x_batch_id, x_event_id, x_reason)
--   pgqpp addition: moves one event of an open batch into this consumer's
--   dead letters with x_reason (may be NULL), out of its retry queue if it
--   was waiting there. Other consumers still get the event as usual.
--   Returns 1, or 0 when the event is already a dead letter. A batch that
--   is not open, or an event not in it, is an error (42704).
create function pgq.event_dead(x_batch_id bigint, x_event_id bigint, x_reason text)
returns integer as 'MODULE_PATHNAME', 'pgqpp_event_dead' language c security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.dead_letters(x_queue, x_consumer)
--   pgqpp addition: the dead letters of one consumer on a queue, in ev_id
--   order: every event column, plus when the event died (dead_time) and why
--   (dead_reason). An unknown queue or consumer is an error (42704).
create function pgq.dead_letters(x_queue text, x_consumer text,
    out ev_id bigint, out ev_time timestamptz, out ev_txid bigint, out ev_owner integer,
    out ev_retry integer, out ev_type text, out ev_data text,
    out ev_extra1 text, out ev_extra2 text, out ev_extra3 text, out ev_extra4 text,
    out dead_time timestamptz, out dead_reason text)
returns setof record as $$
declare
    sid integer := pgq._dead_letter_sub(x_queue, x_consumer);
begin
    return query
        select d.ev_id, d.ev_time, d.ev_txid, d.ev_owner, d.ev_retry, d.ev_type, d.ev_data,
               d.ev_extra1, d.ev_extra2, d.ev_extra3, d.ev_extra4, d.dead_time, d.dead_reason
          from pgq.dead_letter d where d.ev_owner = sid order by d.ev_id;
end;
$$ language plpgsql stable security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.dead_letter_replay(x_queue, x_consumer, x_event_id)
--   pgqpp addition: takes a dead letter (all of the consumer's when
--   x_event_id is NULL) out of the dead letters and delivers it again to
--   that consumer only, in a batch after this transaction commits, the way
--   a due retry comes back (same ev_id, ev_retry unchanged: a replayed event
--   that is retried again dies again when the queue has max_retries).
--   Returns how many were replayed. Unknown queue or consumer: 42704.
create function pgq.dead_letter_replay(x_queue text, x_consumer text, x_event_id bigint)
returns integer as $$
declare
    sid integer := pgq._dead_letter_sub(x_queue, x_consumer);
    d record;
    n integer := 0;
begin
    for d in
        delete from pgq.dead_letter
         where ev_owner = sid and (x_event_id is null or ev_id = x_event_id)
        returning *
    loop
        perform pgq.insert_event_raw(x_queue, d.ev_id, d.ev_time, d.ev_owner, d.ev_retry,
                                     d.ev_type, d.ev_data, d.ev_extra1, d.ev_extra2,
                                     d.ev_extra3, d.ev_extra4);
        n := n + 1;
    end loop;
    return n;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.dead_letter_purge(x_queue, x_consumer, x_event_id)
--   pgqpp addition: drops a dead letter of a consumer for good (all of the
--   consumer's when x_event_id is NULL). Returns how many were dropped.
--   Unknown queue or consumer: 42704.
create function pgq.dead_letter_purge(x_queue text, x_consumer text, x_event_id bigint)
returns integer as $$
declare
    sid integer := pgq._dead_letter_sub(x_queue, x_consumer);
    n integer;
begin
    delete from pgq.dead_letter where ev_owner = sid and (x_event_id is null or ev_id = x_event_id);
    get diagnostics n = row_count;
    return n;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

revoke all on function pgq._dead_letter_sub(text, text), pgq._set_max_retries(text, text),
    pgq.event_dead(bigint, bigint, text), pgq.dead_letters(text, text),
    pgq.dead_letter_replay(text, text, bigint), pgq.dead_letter_purge(text, text, bigint)
  from public;
grant execute on function
    pgq.event_dead(bigint, bigint, text), pgq.dead_letters(text, text),
    pgq.dead_letter_replay(text, text, bigint), pgq.dead_letter_purge(text, text, bigint)
  to pgq_reader;
revoke all on table pgq.queue_config, pgq.dead_letter from public;
grant select on table pgq.queue_config, pgq.dead_letter to pgq_reader;
grant select, insert, update, delete on table pgq.queue_config, pgq.dead_letter to pgq_admin;
