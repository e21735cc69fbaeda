-- SPDX-License-Identifier: PostgreSQL
-- 1.3 -> 1.4: the steps of several features, each in a section of its own.

-- ---- the position cell (issue 21 item 4): extension/sql/63_position_cell.sql

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
