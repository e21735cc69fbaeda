-- SPDX-License-Identifier: PostgreSQL
-- SQL-only replacement of 10_internal.sql's C function.

-- Function: pgq._queue_changed()
--   Does nothing: the SQL-only producers read pgq.queue on every insert and
--   keep no per-backend cache that would need dropping.
create function pgq._queue_changed() returns trigger
as $$
begin
    return null;
end;
$$ language plpgsql;
