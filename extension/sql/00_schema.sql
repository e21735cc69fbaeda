-- SPDX-License-Identifier: PostgreSQL
-- Schema pgq: the tables, sequences and roles of PgQ 3.5, column for column.
--
-- pgq.queue         one row per queue: its settings and rotation state
-- pgq.consumer      consumer names
-- pgq.subscription  a consumer's registration on a queue and its position
-- pgq.tick          per-queue transaction snapshots that delimit batches
-- pgq.event_template parent of every queue's event tables pgq.event_<id>_<n>
-- pgq.retry_queue   events put aside by one consumer until their retry time

set client_min_messages = warning;

-- The roles are cluster-wide: create them only if an earlier install (of
-- pgqpp or of PgQ) has not.
do $$
begin
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_reader') then
        create role pgq_reader;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_writer') then
        create role pgq_writer;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_admin') then
        create role pgq_admin in role pgq_reader, pgq_writer;
    end if;
end $$;

create schema pgq;

create table pgq.consumer (
    co_id       serial,
    co_name     text not null,
    constraint consumer_pkey primary key (co_id),
    constraint consumer_name_uq unique (co_name)
);

create table pgq.queue (
    queue_id                    serial,
    queue_name                  text        not null,
    queue_ntables               integer     not null default 3,
    queue_cur_table             integer     not null default 0,
    queue_rotation_period       interval    not null default '2 hours',
    queue_switch_step1          bigint      not null default txid_current(),
    queue_switch_step2          bigint               default txid_current(),
    queue_switch_time           timestamptz not null default now(),
    queue_external_ticker       boolean     not null default false,
    queue_disable_insert        boolean     not null default false,
    queue_ticker_paused         boolean     not null default false,
    queue_ticker_max_count      integer     not null default 500,
    queue_ticker_max_lag        interval    not null default '3 seconds',
    queue_ticker_idle_period    interval    not null default '1 minute',
    queue_per_tx_limit          integer,
    queue_data_pfx              text        not null,
    queue_event_seq             text        not null,
    queue_tick_seq              text        not null,
    queue_extra_maint           text[],
    constraint queue_pkey primary key (queue_id),
    constraint queue_name_uq unique (queue_name)
);

create table pgq.tick (
    tick_queue      int4          not null,
    tick_id         bigint        not null,
    tick_time       timestamptz   not null default now(),
    tick_snapshot   txid_snapshot not null default txid_current_snapshot(),
    tick_event_seq  bigint        not null,
    constraint tick_pkey primary key (tick_queue, tick_id),
    constraint tick_queue_fkey foreign key (tick_queue) references pgq.queue (queue_id)
);

create sequence pgq.batch_id_seq;

create table pgq.subscription (
    sub_id          serial      not null,
    sub_queue       int4        not null,
    sub_consumer    int4        not null,
    sub_last_tick   bigint,
    sub_active      timestamptz not null default now(),
    sub_batch       bigint,
    sub_next_tick   bigint,
    constraint subscription_pkey primary key (sub_queue, sub_consumer),
    constraint subscription_batch_idx unique (sub_batch),
    constraint sub_queue_fkey foreign key (sub_queue) references pgq.queue (queue_id),
    constraint sub_consumer_fkey foreign key (sub_consumer) references pgq.consumer (co_id)
);

create table pgq.event_template (
    ev_id       bigint      not null,
    ev_time     timestamptz not null,
    ev_txid     bigint      not null default txid_current(),
    ev_owner    int4,
    ev_retry    int4,
    ev_type     text,
    ev_data     text,
    ev_extra1   text,
    ev_extra2   text,
    ev_extra3   text,
    ev_extra4   text
);

create table pgq.retry_queue (
    ev_retry_after  timestamptz not null,
    ev_queue        int4        not null,
    like pgq.event_template,
    constraint rq_pkey primary key (ev_owner, ev_id),
    constraint rq_queue_id_fkey foreign key (ev_queue) references pgq.queue (queue_id)
);
alter table pgq.retry_queue alter column ev_owner set not null;
alter table pgq.retry_queue alter column ev_txid drop not null;
create index rq_retry_idx on pgq.retry_queue (ev_retry_after);

-- pg_dump keeps the contents of these tables (queues, consumers, positions,
-- pending retries); the event tables are created by create_queue() and are
-- ordinary tables, dumped with their rows.
select pg_catalog.pg_extension_config_dump('pgq.queue', '');
select pg_catalog.pg_extension_config_dump('pgq.consumer', '');
select pg_catalog.pg_extension_config_dump('pgq.tick', '');
select pg_catalog.pg_extension_config_dump('pgq.subscription', '');
select pg_catalog.pg_extension_config_dump('pgq.event_template', '');
select pg_catalog.pg_extension_config_dump('pgq.retry_queue', '');
select pg_catalog.pg_extension_config_dump('pgq.batch_id_seq', '');
select pg_catalog.pg_extension_config_dump('pgq.queue_queue_id_seq', '');
select pg_catalog.pg_extension_config_dump('pgq.consumer_co_id_seq', '');
select pg_catalog.pg_extension_config_dump('pgq.subscription_sub_id_seq', '');
