-- SPDX-License-Identifier: PostgreSQL
-- pgqpp 1.2 -> 1.3

-- ---- delayed events without dead tuples, delayed events in status (issue 21
-- leftovers, helper ext13): pgq.delayed_event becomes the parent of two
-- child tables written in turn; pgq.delayed_mark says what is delivered, so
-- delivery deletes nothing and rotation truncates (extension/sql/74_delayed.sql,
-- docs/internals.md); pgq.delayed_pending and pgq.get_delayed_info(i_queue_name).
alter table pgq.delayed_event reset (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
    autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_insert_threshold);
drop index pgq.delayed_event_due_idx;
-- pgq.delayed_mark: one row, what has been delivered and which child is
-- current. A row is delivered when de_deliver_at <= dm_time and its ev_txid
-- is visible in dm_snapshot (the last move's); the next move delivers the
-- rows due then and visible in its own snapshot, minus those. dm_rotated_at
-- and dm_rotation_period: a move rotates when the period has passed.
create table pgq.delayed_mark (
    dm_time             timestamptz  not null default '-infinity',
    dm_snapshot         txid_snapshot not null default '1:1:',
    dm_cur_table        int4         not null default 0,
    dm_rotated_at       timestamptz  not null default now(),
    dm_rotation_period  interval     not null default '2 hours',
    dm_one              bool         not null default true primary key check (dm_one)
);
insert into pgq.delayed_mark default values;

create table pgq.delayed_event_0 () inherits (pgq.delayed_event);
create table pgq.delayed_event_1 () inherits (pgq.delayed_event);
create index delayed_event_0_due_idx on pgq.delayed_event_0 (de_deliver_at);
create index delayed_event_1_due_idx on pgq.delayed_event_1 (de_deliver_at);
create index delayed_event_0_txid_idx on pgq.delayed_event_0 (ev_txid);
create index delayed_event_1_txid_idx on pgq.delayed_event_1 (ev_txid);
-- A dump keeps the pending rows only; the restored mark starts empty.
select pg_catalog.pg_extension_config_dump('pgq.delayed_event_0',
    'where not (de_deliver_at <= (select dm_time from pgq.delayed_mark)'
    ' and txid_visible_in_snapshot(ev_txid, (select dm_snapshot from pgq.delayed_mark)))');
select pg_catalog.pg_extension_config_dump('pgq.delayed_event_1',
    'where not (de_deliver_at <= (select dm_time from pgq.delayed_mark)'
    ' and txid_visible_in_snapshot(ev_txid, (select dm_snapshot from pgq.delayed_mark)))');

-- pgq.delayed_pending: the delayed events not delivered yet.
create view pgq.delayed_pending as
    select d.* from pgq.delayed_event d, pgq.delayed_mark m
     where not (d.de_deliver_at <= m.dm_time and txid_visible_in_snapshot(d.ev_txid, m.dm_snapshot));

-- Function: pgq.get_delayed_info(i_queue_name)
--   pgqpp addition: the delayed events waiting per queue, one row per queue
--   (all queues when i_queue_name is NULL, the default): queue_name,
--   pending (how many are stored and not delivered yet) and next_due (the
--   earliest deliver_at among them, NULL when none waits). Delivered events
--   are not counted even while their rows wait for rotation. An unknown
--   queue name is an error (42704).
create function pgq.get_delayed_info(i_queue_name text default null,
    out queue_name text, out pending bigint, out next_due timestamptz)
returns setof record as $$
begin
    if $1 is not null and not exists (select 1 from pgq.queue q where q.queue_name = $1) then
        raise exception using errcode = '42704', message = 'No such queue',
            detail = format('There is no queue named "%s".', $1);
    end if;
    return query
        select q.queue_name::text, count(p.de_queue), min(p.de_deliver_at)
          from pgq.queue q left join pgq.delayed_pending p on p.de_queue = q.queue_id
         where $1 is null or q.queue_name = $1
         group by q.queue_name order by q.queue_name;
end;
$$ language plpgsql stable security definer set search_path = pg_catalog, pgq, pg_temp;

-- The waiting rows of 1.2 move into the current child (nothing is delivered yet
-- by the mark's reckoning: they are all pending).
insert into pgq.delayed_event_0 select * from only pgq.delayed_event;
delete from only pgq.delayed_event;
revoke all on table pgq.delayed_event_0, pgq.delayed_event_1, pgq.delayed_mark,
    pgq.delayed_pending from public;
grant select, insert, update, delete on table pgq.delayed_event_0, pgq.delayed_event_1,
    pgq.delayed_mark to pgq_admin;
grant select on table pgq.delayed_pending to pgq_admin;
revoke all on function pgq.get_delayed_info(text) from public;
grant execute on function pgq.get_delayed_info(text) to public;
-- ---- end of delayed events without dead tuples
