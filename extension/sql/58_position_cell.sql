-- SPDX-License-Identifier: PostgreSQL
-- pgqpp addition: consumers' positions written in place while a snapshot
-- holds back VACUUM's horizon (docs/internals.md, "The design: an in-place
-- versioned position cell"; issue 21 item 4). The C++ side is
-- src/pg/position_cell_store.cpp (the bytes) and src/core/position_cell.cpp
-- (which version counts).
--
-- pgq.subscription_cell  one fixed-width row per subscription that has been
--                        in cell mode: two versions of the position (old,
--                        new) and the transactions that decide which one a
--                        reader sees. Overwritten in place, never UPDATEd,
--                        so a held horizon leaves no dead row versions.
--                        Every column is NOT NULL and fixed-width (the row's
--                        length must never change); a position's NULLs are
--                        bits of cell_flags. The xids are xid8 values kept
--                        as int8. No SQL may read it directly: a plain scan
--                        can see half an in-place write; the extension's
--                        functions read it under the buffer lock. Not
--                        dumped: its transaction ids mean nothing in
--                        another cluster.

create table pgq.subscription_cell (
    cell_queue          int4        not null,
    cell_consumer       int4        not null,
    cell_flags          int8        not null,
    cell_writer         int8        not null,
    cell_prev           int8        not null,
    cell_since          int8        not null,
    cell_row_writer     int8        not null,
    cell_old_last_tick  int8        not null,
    cell_old_next_tick  int8        not null,
    cell_old_batch      int8        not null,
    cell_old_active     timestamptz not null,
    cell_new_last_tick  int8        not null,
    cell_new_next_tick  int8        not null,
    cell_new_batch      int8        not null,
    cell_new_active     timestamptz not null,
    constraint subscription_cell_pkey primary key (cell_queue, cell_consumer),
    constraint subscription_cell_sub_fkey foreign key (cell_queue, cell_consumer)
        references pgq.subscription (sub_queue, sub_consumer) on delete cascade
);

-- (Only its owner may touch it, as with any new table: the functions that
-- use it are SECURITY DEFINER.)

-- Function: pgq._cell_positions()
--   Internal: the consumers whose position, for the calling statement's
--   snapshot, is in their cell rather than in their pgq.subscription row
--   (queue_id, consumer_id, last_tick, next_tick, batch_id, active). Read
--   through pgq.subscription_current.
create function pgq._cell_positions(out queue_id int4, out consumer_id int4,
                                    out last_tick int8, out next_tick int8,
                                    out batch_id int8, out active timestamptz)
returns setof record
as 'MODULE_PATHNAME', 'pgqpp_cell_positions' language c stable rows 10;

-- Function: pgq._position_to_row(i_queue_id, i_consumer_id)
--   Internal: returns the consumer to row mode with its position unchanged
--   (pgq.subscription's row gets the cell's position), before SQL that
--   UPDATEs that row itself, such as re-registering at a tick.
create function pgq._position_to_row(i_queue_id int4, i_consumer_id int4) returns void
as 'MODULE_PATHNAME', 'pgqpp_position_to_row' language c;

-- View: pgq.subscription_current
--   pgq.subscription with every consumer's current position: while a
--   snapshot holds VACUUM's horizon back for long, consumers write their
--   positions in place (pgq.subscription_cell) and their rows keep the
--   position of the hold's start. Monitoring that reads positions
--   (sub_last_tick, sub_next_tick, sub_batch, sub_active) should read this
--   view; pgqpp's own functions and tools do.
create view pgq.subscription_current as
select s.sub_id, s.sub_queue, s.sub_consumer,
       case when c.queue_id is null then s.sub_last_tick else c.last_tick end as sub_last_tick,
       case when c.queue_id is null then s.sub_active else c.active end as sub_active,
       case when c.queue_id is null then s.sub_batch else c.batch_id end as sub_batch,
       case when c.queue_id is null then s.sub_next_tick else c.next_tick end as sub_next_tick
  from pgq.subscription s
  left join pgq._cell_positions() c
         on c.queue_id = s.sub_queue and c.consumer_id = s.sub_consumer;

grant select on pgq.subscription_current to public;
