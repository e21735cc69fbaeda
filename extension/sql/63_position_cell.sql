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

revoke all on table pgq.subscription_cell from public;
