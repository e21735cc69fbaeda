-- SPDX-License-Identifier: PostgreSQL
-- The baseline of the insert rows (bench/run.sh, bench/sqlonly.sh): an
-- event table without a queue, with the columns, defaults and ev_txid index
-- of pgq.event_template, so that "a plain INSERT" does the same storage
-- work as an event insert (the sequence, the txid, the index entry).
create schema bench;
create sequence bench.event_base_id_seq;
create table bench.event_base (
    ev_id     bigint      not null default nextval('bench.event_base_id_seq'),
    ev_time   timestamptz not null default now(),
    ev_txid   bigint      not null default txid_current(),
    ev_owner  int4,
    ev_retry  int4,
    ev_type   text,
    ev_data   text,
    ev_extra1 text,
    ev_extra2 text,
    ev_extra3 text,
    ev_extra4 text
) with (fillfactor = 100, autovacuum_enabled = off, toast.autovacuum_enabled = off);
create index event_base_txid_idx on bench.event_base (ev_txid);
