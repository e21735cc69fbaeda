-- SPDX-License-Identifier: PostgreSQL
-- SQL-only replacement of 58_position_cell.sql's C function.

-- Function: pgq._cell_positions()
--   Returns nothing: PL/pgSQL cannot write a row in place, so the SQL-only
--   consumers always write their pgq.subscription rows (as PgQ does) and no
--   position is ever in a cell.
create function pgq._cell_positions(out queue_id int4, out consumer_id int4,
                                    out last_tick int8, out next_tick int8,
                                    out batch_id int8, out active timestamptz)
returns setof record
as $$
    select null::int4, null::int4, null::int8, null::int8, null::int8, null::timestamptz
     where false;
$$ language sql stable rows 10;

-- Function: pgq._position_to_row(i_queue_id, i_consumer_id)
--   Does nothing: no SQL-only consumer ever leaves row mode.
create function pgq._position_to_row(i_queue_id int4, i_consumer_id int4) returns void
as $$
begin
end;
$$ language plpgsql;
