-- SPDX-License-Identifier: PostgreSQL
-- Shared by every test file in this run (pg_regress uses one database).
\set SHOW_CONTEXT never
-- Reports SQLSTATE, message, detail and hint of whatever `sql` raises.
create function public.try(sql text) returns text language plpgsql as $$
declare
    state text; msg text; detail text; hint text;
begin
    execute sql;
    return 'ok';
exception when others then
    get stacked diagnostics state = returned_sqlstate, msg = message_text,
        detail = pg_exception_detail, hint = pg_exception_hint;
    return state || ': ' || msg
        || coalesce(nullif(' / detail: ' || detail, ' / detail: '), '')
        || coalesce(nullif(' / hint: ' || hint, ' / hint: '), '');
end $$;

