-- SPDX-License-Identifier: PostgreSQL
-- Change capture: triggers that turn table changes into events (C++: src/triggers/).

-- Function: pgq.logutriga()
--   Row trigger (AFTER, or BEFORE with SKIP) that puts each change into a
--   queue with the row URL-encoded: ev_type 'I:pkey', 'U:pkey' or 'D:pkey'
--   (the operation and the key columns), ev_data the row's columns as
--   name=value&... (a NULL value as the bare name), ev_extra1 the table as
--   schema.name. As a statement trigger on TRUNCATE it puts an 'R' event.
--   Arguments: the queue name, then any of SKIP (BEFORE trigger: log the
--   change but do not make it), backup (ev_extra2 gets the old row of an
--   UPDATE), deny (refuse every change), ignore=col,... (columns left out;
--   an UPDATE of only those makes no event), pkey=col,... (key columns
--   instead of the primary key), when=EXPR (an event only when EXPR over the
--   row is true), ev_type=EXPR, ev_data=EXPR, ev_extra1=EXPR .. ev_extra4=EXPR
--   (the field is EXPR's value). Columns named _pgq_ev_type, _pgq_ev_data,
--   _pgq_ev_extra1 .. _pgq_ev_extra4 supply those fields and stay out of the
--   payload. Writers need EXECUTE on pgq.insert_event (role pgq_writer). See
--   docs/triggers.md.
create function pgq.logutriga() returns trigger
as 'MODULE_PATHNAME', 'pgqpp_logutriga' language c;

-- Function: pgq.sqltriga()
--   Row trigger that puts each change into a queue as partial SQL, for
--   replaying it elsewhere: ev_type 'I', 'U', 'D' ('R' for TRUNCATE),
--   ev_data "(cols) values (...)" for INSERT, "col='v',... where key='k'"
--   for UPDATE (only the changed columns) and "key='k' and ..." for DELETE;
--   ev_extra1 the table as schema.name. Values are string literals,
--   identifiers quoted as quote_ident() quotes them. Takes the same
--   arguments as pgq.logutriga (backup puts the URL-encoded old row in
--   ev_extra2). An UPDATE that changes no column still makes an event.
create function pgq.sqltriga() returns trigger
as 'MODULE_PATHNAME', 'pgqpp_sqltriga' language c;

-- Function: pgq.jsontriga()
--   Row trigger that puts each change into a queue with the row as a JSON
--   object: ev_type {"op":"INSERT"|"UPDATE"|"DELETE"|"TRUNCATE",
--   "table":[schema,name],"pkey":[key columns]}, ev_data {"col":value,...}
--   with integers and booleans as JSON numbers and booleans, dates and
--   timestamps in ISO 8601, NULL as null and every other value as a string
--   of its text form; ev_extra1 the table as schema.name. Takes the same
--   arguments as pgq.logutriga (backup puts the old row as JSON in
--   ev_extra2).
create function pgq.jsontriga() returns trigger
as 'MODULE_PATHNAME', 'pgqpp_jsontriga' language c;
