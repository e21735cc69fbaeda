-- SPDX-License-Identifier: PostgreSQL
-- Internal helpers: names, sequences, permissions, storage, version.

-- Function: pgq.upgrade_schema()
--   Brings an older pgq schema up to this version's table shape and makes
--   sure the three roles exist. Returns the number of changes made (0 on a
--   current schema).
create function pgq.upgrade_schema() returns int4 as $$
declare
    changes int4 := 0;
begin
    if exists (select 1 from information_schema.columns
                where table_schema = 'pgq' and table_name = 'subscription'
                  and column_name = 'sub_last_tick' and is_nullable = 'NO') then
        alter table pgq.subscription alter column sub_last_tick drop not null;
        changes := changes + 1;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_reader') then
        create role pgq_reader;
        changes := changes + 1;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_writer') then
        create role pgq_writer;
        changes := changes + 1;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_admin') then
        create role pgq_admin in role pgq_reader, pgq_writer;
        changes := changes + 1;
    end if;
    if not exists (select 1 from pg_catalog.pg_attribute
                    where attrelid = 'pgq.queue'::regclass and attname = 'queue_extra_maint') then
        alter table pgq.queue add column queue_extra_maint text[];
        changes := changes + 1;
    end if;
    return changes;
end;
$$ language plpgsql;

-- Function: pgq.quote_fqname(i_name)
--   Quotes "schema.name" as a qualified identifier; a name without a dot
--   means schema public.
create function pgq.quote_fqname(i_name text) returns text as $$
    select case when position('.' in i_name) > 0
        then quote_ident(split_part(i_name, '.', 1)) || '.'
             || quote_ident(substr(i_name, position('.' in i_name) + 1))
        else 'public.' || quote_ident(i_name) end;
$$ language sql strict immutable;

-- Function: pgq.seq_getval(i_seq_name)
--   The last value of a sequence, read without advancing it ("schema.name";
--   no dot means public).
create function pgq.seq_getval(i_seq_name text) returns bigint as $$
declare
    res int8;
begin
    execute 'select last_value from ' || pgq.quote_fqname(i_seq_name) into res;
    return res;
end;
$$ language plpgsql strict;

-- Function: pgq.seq_setval(i_seq_name, i_new_value)
--   Moves a sequence forward to i_new_value; never moves it back. Returns the
--   sequence's value afterwards.
create function pgq.seq_setval(i_seq_name text, i_new_value int8) returns bigint as $$
declare
    cur int8;
begin
    cur := pgq.seq_getval(i_seq_name);
    if cur < i_new_value then
        perform pg_catalog.setval(pgq.quote_fqname(i_seq_name), i_new_value);
        return i_new_value;
    end if;
    return cur;
end;
$$ language plpgsql strict;

-- Function: pgq.version()
--   The PgQ API version this schema provides: '3.5'. Tools that check
--   pgq.version() (skytools, londiste) see PgQ 3.5; pgqpp's own version is
--   the extension's version in pg_extension.
create function pgq.version() returns text as $$
    select '3.5'::text;
$$ language sql immutable;

-- Function: pgq._grant_perms_from(src_schema, src_table, dst_schema, dst_table)
--   Copies the table privileges of src onto dst (each queue's event tables
--   get the privileges of pgq.event_template). Returns 1.
create function pgq._grant_perms_from(src_schema text, src_table text, dst_schema text, dst_table text)
returns integer as $$
declare
    g record;
begin
    for g in
        select grantee, privilege_type, is_grantable
          from information_schema.table_privileges
         where table_schema = src_schema and table_name = src_table
    loop
        execute 'grant ' || g.privilege_type || ' on '
            || quote_ident(dst_schema) || '.' || quote_ident(dst_table) || ' to '
            || case when g.grantee = 'PUBLIC' then 'public' else quote_ident(g.grantee) end
            || case when g.is_grantable = 'YES' then ' with grant option' else '' end;
    end loop;
    return 1;
end;
$$ language plpgsql strict;

-- Function: pgq.grant_perms(x_queue_name)
--   Gives a queue's event tables and sequences the privileges PgQ gives them:
--   those of pgq.event_template, sequences readable by all, the event id
--   sequence usable by pgq_admin. Returns 1.
create function pgq.grant_perms(x_queue_name text) returns integer as $$
declare
    q record;
    schema_name text;
    table_name text;
begin
    select * into q from pgq.queue where queue_name = x_queue_name;
    if not found then
        raise exception 'Queue not found' using errcode = '42704';
    end if;
    if position('.' in q.queue_data_pfx) > 0 then
        schema_name := split_part(q.queue_data_pfx, '.', 1);
        table_name := substr(q.queue_data_pfx, position('.' in q.queue_data_pfx) + 1);
    else
        schema_name := 'public';
        table_name := q.queue_data_pfx;
    end if;
    execute 'grant select on ' || pgq.quote_fqname(q.queue_tick_seq) || ' to public';
    execute 'grant select on ' || pgq.quote_fqname(q.queue_event_seq) || ' to public';
    execute 'grant usage on ' || pgq.quote_fqname(q.queue_event_seq) || ' to pgq_admin';
    perform pgq._grant_perms_from('pgq', 'event_template', schema_name, table_name);
    for i in 0 .. q.queue_ntables - 1 loop
        perform pgq._grant_perms_from('pgq', 'event_template', schema_name, table_name || '_' || i);
    end loop;
    return 1;
end;
$$ language plpgsql security definer
    set search_path = pg_catalog, pgq, pg_temp;

-- Function: pgq.tune_storage(i_queue_name)
--   Sets the storage options of a queue's event tables: fillfactor 100 and no
--   autovacuum (they are only ever inserted into and truncated). Returns 1, or
--   0 for an unknown queue.
create function pgq.tune_storage(i_queue_name text) returns integer as $$
declare
    q record;
begin
    select * into q from pgq.queue where queue_name = i_queue_name;
    if not found then
        return 0;
    end if;
    for i in 0 .. q.queue_ntables - 1 loop
        execute 'alter table ' || pgq.quote_fqname(q.queue_data_pfx || '_' || i)
            || ' set (fillfactor = 100, autovacuum_enabled = off, toast.autovacuum_enabled = off)';
    end loop;
    return 1;
end;
$$ language plpgsql strict;

-- Function: pgq._queue_changed()
--   pgqpp internal. Statement trigger on pgq.queue: any committed change to
--   a queue's row makes every backend drop its cached queue metadata, so
--   inserts follow rotations and setting changes at once.
create function pgq._queue_changed() returns trigger
    as 'MODULE_PATHNAME', 'pgqpp_queue_changed' language c;

create trigger queue_changed after insert or update or delete or truncate on pgq.queue
    for each statement execute function pgq._queue_changed();
