-- SPDX-License-Identifier: PostgreSQL
-- The SQL of `pgqpp migrate` (cli/cmd_migrate.cpp), part 1 of 2: what the
-- database holds, what cannot be carried over (migrate_refusals) and the
-- plan (--dry-run); part 2 is swap.sql. PgQ 3.5 (extension pgq) to pgqpp in
-- place, and back with --to-pgq. The tool creates these functions in
-- pg_temp (they vanish with its session) and calls them; the statements are
-- separated by lines holding only ";" (the tool splits there).
--
-- The swap runs in one transaction whose time does not depend on the number
-- of events: the schema pgq of the old extension is renamed pgq_migrating
-- and the new extension created (a fresh, empty schema pgq), both unseen by
-- other sessions; then, under locks that make producers wait, each table
-- and sequence the two extensions share by name (queue, consumer,
-- subscription, tick, retry_queue, event_template, the id sequences)
-- replaces the new extension's empty one: the old object itself, rows and
-- all, changes extension and takes on the new one's defaults, constraints,
-- indexes, triggers, privileges and pg_dump registration. Everything the
-- old extension does not own (the queues' event tables, under the swapped
-- event_template, and their sequences) moves, untouched, into the new schema
-- pgq. User triggers on the old trigger functions are recreated on the new
-- ones. After the commit, the old extension (by then its functions only)
-- is dropped in a transaction of its own. Which tables the new extension
-- has is read from the catalog after it is created, so a later version's
-- additional tables simply start empty.
--
--
-- pgqpp's SQL-only edition (docs/managed.md; i_from 'sqlonly') moves to the
-- extension the same way. It is no extension: migrate_note_sqlonly notes
-- its objects by oid (oids survive the renames), and migrate_members
-- ('sqlonly') returns those. Its schema pgq_coop is renamed
-- pgq_coop_migrating beside pgq, and what is left of both once the swap is
-- done (functions, a view) is dropped with the schemas.
--
-- migrate_sqlonly_member: the SQL-only edition's objects, by oid.
create temp table migrate_sqlonly_member (classid oid, objid oid)
;
-- pg_temp.migrate_members(i_ext): the objects extension i_ext owns (for
-- 'sqlonly': the SQL-only edition's, as migrate_note_sqlonly noted them).
create function pg_temp.migrate_members(i_ext text) returns table (classid oid, objid oid) as $$
    select d.classid, d.objid
      from pg_catalog.pg_depend d join pg_catalog.pg_extension e on e.oid = d.refobjid
     where d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
       and d.deptype = 'e' and e.extname = i_ext
    union all
    select m.classid, m.objid from pg_temp.migrate_sqlonly_member m where i_ext = 'sqlonly'
$$ language sql stable
;
-- pg_temp.migrate_source(): what `pgqpp migrate` (towards pgqpp) moves
-- here: 'sqlonly' where the SQL-only edition is installed (or its
-- functions are left from an interrupted migration), else 'pgq'.
create function pg_temp.migrate_source() returns text as $$
    select case when (pg_catalog.to_regprocedure('pgq.sqlonly_version()') is not null
                      and not exists (select 1 from pg_catalog.pg_extension where extname in ('pgq', 'pgqpp')))
                     or pg_catalog.to_regprocedure('pgq_migrating.sqlonly_version()') is not null
                then 'sqlonly' else 'pgq' end
$$ language sql stable
;
-- pg_temp.migrate_note_sqlonly(): notes the SQL-only edition's objects in
-- migrate_sqlonly_member: schemas pgq and pgq_coop, their functions, and
-- the tables, sequences, views and types of schema pgq except the queues'
-- (event tables under pgq.event_template, their sequences). Returns how
-- many; 0 without the edition.
create function pg_temp.migrate_note_sqlonly() returns bigint as $$
declare
    n bigint;
begin
    truncate pg_temp.migrate_sqlonly_member;
    if pg_catalog.to_regprocedure('pgq.sqlonly_version()') is null then
        return 0;
    end if;
    insert into pg_temp.migrate_sqlonly_member
    with recursive events(oid) as (
        select i.inhrelid from pg_catalog.pg_inherits i where i.inhparent = 'pgq.event_template'::pg_catalog.regclass
        union
        select i.inhrelid from pg_catalog.pg_inherits i join events e on i.inhparent = e.oid)
    select 'pg_catalog.pg_namespace'::pg_catalog.regclass::oid, n.oid from pg_catalog.pg_namespace n
     where n.nspname in ('pgq', 'pgq_coop')
    union all
    select 'pg_catalog.pg_class'::pg_catalog.regclass::oid, c.oid from pg_catalog.pg_class c
     where c.relnamespace = 'pgq'::pg_catalog.regnamespace and c.relkind in ('r', 'p', 'S', 'v', 'm')
       and c.oid not in (select oid from events)
       and not (c.relkind = 'S' and 'pgq.' || c.relname in (select queue_event_seq from pgq.queue
                                                           union all select queue_tick_seq from pgq.queue))
    union all
    select 'pg_catalog.pg_proc'::pg_catalog.regclass::oid, p.oid from pg_catalog.pg_proc p
     where p.pronamespace in (select oid from pg_catalog.pg_namespace where nspname in ('pgq', 'pgq_coop'))
    union all
    select 'pg_catalog.pg_type'::pg_catalog.regclass::oid, t.oid from pg_catalog.pg_type t
     where t.typnamespace = 'pgq'::pg_catalog.regnamespace
       and (t.typtype in ('d', 'e', 'r', 'm')
            or (t.typtype = 'c' and (select relkind from pg_catalog.pg_class where oid = t.typrelid) = 'c'));
    get diagnostics n = row_count;
    return n;
end;
$$ language plpgsql
;
-- pg_temp.migrate_found(i_ext): what the database has, as the messages
-- name it: "PgQ 3.5", "pgqpp 1.3", "pgqpp 1.3 SQL-only edition".
create function pg_temp.migrate_found(i_ext text) returns text as $$
declare
    v text;
begin
    if i_ext = 'sqlonly' then
        execute 'select pgq.sqlonly_version()' into v;
        return format('pgqpp %s SQL-only edition', v);
    end if;
    return case i_ext when 'pgq' then 'PgQ ' else 'pgqpp ' end
           || (select extversion from pg_catalog.pg_extension where extname = i_ext);
end;
$$ language plpgsql
;
-- pg_temp.migrate_schema_of(classid, objid): the schema an object lives in,
-- for the kinds that can depend on PgQ's objects (a table's parts count as
-- the table's); NULL for others.
create function pg_temp.migrate_schema_of(i_classid oid, i_objid oid) returns oid as $$
    select case i_classid
        when 'pg_catalog.pg_class'::pg_catalog.regclass then
            (select relnamespace from pg_catalog.pg_class where oid = i_objid)
        when 'pg_catalog.pg_attrdef'::pg_catalog.regclass then
            (select c.relnamespace from pg_catalog.pg_attrdef a
               join pg_catalog.pg_class c on c.oid = a.adrelid where a.oid = i_objid)
        when 'pg_catalog.pg_constraint'::pg_catalog.regclass then
            (select connamespace from pg_catalog.pg_constraint where oid = i_objid)
        when 'pg_catalog.pg_trigger'::pg_catalog.regclass then
            (select c.relnamespace from pg_catalog.pg_trigger t
               join pg_catalog.pg_class c on c.oid = t.tgrelid where t.oid = i_objid)
        when 'pg_catalog.pg_rewrite'::pg_catalog.regclass then
            (select c.relnamespace from pg_catalog.pg_rewrite w
               join pg_catalog.pg_class c on c.oid = w.ev_class where w.oid = i_objid)
        when 'pg_catalog.pg_type'::pg_catalog.regclass then
            (select typnamespace from pg_catalog.pg_type where oid = i_objid)
        when 'pg_catalog.pg_proc'::pg_catalog.regclass then
            (select pronamespace from pg_catalog.pg_proc where oid = i_objid)
    end
$$ language sql stable
;
-- pg_temp.migrate_user_triggers(i_ext): user triggers (on tables outside
-- schema pgq) that call a trigger function of extension i_ext.
create function pg_temp.migrate_user_triggers(i_ext text)
returns table (tgoid oid, tgrelid oid, tgname name, proname name) as $$
    select t.oid, t.tgrelid, t.tgname, p.proname
      from pg_catalog.pg_trigger t
      join pg_catalog.pg_proc p on p.oid = t.tgfoid
      join pg_catalog.pg_class c on c.oid = t.tgrelid
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where not t.tgisinternal and n.nspname <> 'pgq'
       and p.oid in (select objid from pg_temp.migrate_members(i_ext)
                      where classid = 'pg_catalog.pg_proc'::pg_catalog.regclass)
     order by t.tgrelid, t.tgname
$$ language sql stable
;
-- pg_temp.migrate_unplaced_rows(i_schema, i_from, i_to): the data that
-- extension i_to has no table for, in extension i_from's tables in schema
-- i_schema (pgq before the swap, pgq_migrating during it): a row per table
-- with rows, (table name, rows). Bookkeeping is not data: delayed events
-- count by the view delayed_pending (1.3 and later; their tables also keep
-- delivered rows until rotation, and delayed_mark only marks), positions in
-- subscription_cell are moved to their rows by the swap
-- (migrate_cells_to_rows), and _so_signal holds the SQL-only edition's
-- change signals (the extension's ticker ticks those queues by its
-- periodic run).
create function pg_temp.migrate_unplaced_rows(i_schema text, i_from text, i_to text)
returns table (what text, n bigint) as $$
declare
    pgq35_tables constant text[] := array['queue', 'consumer', 'tick', 'subscription',
                                          'event_template', 'retry_queue'];
    -- (The SQL-only edition's delayed tables move to the extension's.)
    delayed boolean := i_to = 'pgq'
                       and pg_catalog.to_regclass(pg_catalog.quote_ident(i_schema) || '.delayed_pending') is not null;
    r record;
begin
    if delayed then
        what := 'delayed_pending';
        execute format('select count(*) from %I.delayed_pending', i_schema) into n;
        if n > 0 then
            return next;
        end if;
    end if;
    for r in select c.relname from pg_catalog.pg_class c
              where c.relnamespace = i_schema::pg_catalog.regnamespace and c.relkind = 'r'
                and c.oid in (select objid from pg_temp.migrate_members(i_from))
                and (i_to <> 'pgq' or c.relname <> all (pgq35_tables))
                and c.relname not in ('subscription_cell', '_so_signal')
                and not (delayed and c.relname in ('delayed_mark', 'delayed_event_0', 'delayed_event_1'))
              order by 1
    loop
        what := r.relname;
        execute format('select count(*) from only %I.%I', i_schema, r.relname) into n;
        if n > 0 then
            return next;
        end if;
    end loop;
end;
$$ language plpgsql
;
-- pg_temp.migrate_refusals(i_from, i_to, i_discard): why this database
-- cannot be moved from extension i_from to i_to, one line a reason, the
-- most basic first; none when it can.
create function pg_temp.migrate_refusals(i_from text, i_to text, i_discard boolean)
returns setof text as $$
declare
    db text := pg_catalog.current_database();
    src record;
    dst record;
    r record;
    n bigint;
    pgq35_triggers constant text[] := array['logutriga', 'sqltriga', 'jsontriga'];
    -- The SQL-only editions this swap knows: the first (1.3) and this
    -- build's (cli/CMakeLists.txt fills it in), whose tables are those of
    -- the extension it installs.
    sqlonly_known constant text[] := array(select distinct v from unnest(array['1.3', '@PGQPP_SQLONLY_VERSION@']) v
                                            order by 1);
    v text;
begin
    select e.oid, e.extversion,
           coalesce(pg_catalog.obj_description(e.oid, 'pg_extension'), '') like 'pgqpp:%' as is_pgqpp
      into src from pg_catalog.pg_extension e where e.extname = i_from;
    select e.oid, e.extversion into dst from pg_catalog.pg_extension e where e.extname = i_to;
    if i_to = 'pgqpp' then
        if dst.oid is not null then
            return next format('database %s already runs pgqpp %s (extension pgqpp): nothing to migrate',
                               db, dst.extversion);
            return;
        end if;
        if i_from = 'sqlonly' then
            if pg_catalog.to_regprocedure('pgq.sqlonly_version()') is null then
                return next format('database %s has no SQL-only edition of pgqpp (no pgq.sqlonly_version()):'
                                   ' nothing to migrate', db);
                return;
            end if;
            execute 'select pgq.sqlonly_version()' into v;
            if v is null or v <> all (sqlonly_known) then
                return next format('database %s has the pgqpp SQL-only edition %s, which this pgqpp migrate'
                                   ' does not know (it moves %s): use the pgqpp tool of that version',
                                   db, coalesce(v, 'NULL'), array_to_string(sqlonly_known, ', '));
                return;
            end if;
        elsif src.oid is null then
            return next format('database %s has no PgQ (no extension pgq): nothing to migrate'
                               ' (pgqpp install creates pgqpp)', db);
            return;
        elsif src.is_pgqpp then
            return next format('database %s runs pgqpp %s under the name pgq, not PgQ: nothing to migrate',
                               db, src.extversion);
            return;
        end if;
        if i_from <> 'sqlonly' and src.extversion !~ '^3\.5(\.|$)' then
            return next format('database %s has PgQ %s; pgqpp migrate moves PgQ 3.5:'
                               ' run ALTER EXTENSION pgq UPDATE TO ''3.5'' first', db, src.extversion);
            return;
        end if;
        if not exists (select 1 from pg_catalog.pg_available_extensions
                        where name = 'pgqpp' and comment like 'pgqpp:%') then
            return next 'the server has no pgqpp extension files: install them on the database server'
                        ' (make install, as root) first';
            return;
        end if;
    else
        if src.oid is null then
            return next format('database %s has no pgqpp (no extension pgqpp): nothing to take back to PgQ', db);
            return;
        end if;
        if dst.oid is not null then
            return next format('database %s already has an extension pgq (%s): nothing to take back',
                               db, dst.extversion);
            return;
        end if;
        if not exists (select 1 from pg_catalog.pg_available_extension_versions
                        where name = 'pgq' and version ~ '^3\.5(\.|$)'
                          and coalesce(comment, '') not like 'pgqpp:%') then
            return next format('the server has no PgQ 3.5 extension files: install Debian''s'
                               ' postgresql-%s-pgq3 on the database server first',
                               current_setting('server_version_num')::int / 10000);
            return;
        end if;
    end if;
    -- Add-ons on top: their objects refer to the old extension's by oid.
    for r in select e.extname from pg_catalog.pg_depend d
               join pg_catalog.pg_extension e on e.oid = d.objid
              where d.classid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                and d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                and d.refobjid = src.oid
              order by 1
    loop
        if i_to = 'pgqpp' then
            return next format('extension %s is installed on top of pgq: pgqpp migrate cannot carry it over;'
                               ' use ALTER EXTENSION pgq UPDATE, see docs/migration.md', r.extname);
        else
            return next format('extension %s is installed on top of pgqpp: drop it first', r.extname);
        end if;
    end loop;
    for r in select n.nspname from pg_catalog.pg_namespace n
              where n.nspname in ('pgq_node', 'londiste', 'pgq_coop', 'pgq_ext')
                and not (i_from = 'sqlonly' and n.nspname = 'pgq_coop')
                and not exists (select 1 from pg_catalog.pg_depend d
                                 where d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                                   and d.objid = n.oid and d.deptype = 'e')
              order by 1
    loop
        return next format('schema %s (a PgQ add-on such as pgq_node or londiste) uses pgq: pgqpp migrate'
                           ' cannot carry it over; use ALTER EXTENSION pgq UPDATE, see docs/migration.md',
                           r.nspname);
    end loop;
    if to_regnamespace('pgq_migrating') is not null then
        return next format('database %s has a schema pgq_migrating (left from an earlier attempt?):'
                           ' pgqpp migrate needs that name: look at it, then drop or rename it', db);
    end if;
    if i_from = 'sqlonly' and to_regnamespace('pgq_coop_migrating') is not null then
        return next format('database %s has a schema pgq_coop_migrating (left from an earlier attempt?):'
                           ' pgqpp migrate needs that name: look at it, then drop or rename it', db);
    end if;
    if to_regnamespace('pgq') is null
       or to_regnamespace('pgq') not in (select objid from pg_temp.migrate_members(i_from)) then
        return next format('schema pgq does not belong to extension %s: pgqpp migrate only moves a whole install',
                           i_from);
        return;
    end if;
    -- Whatever lives in schema pgq must be the extension's or a queue's.
    for r in
        with recursive events(oid) as (
            select 'pgq.event_template'::pg_catalog.regclass::oid
            union
            select i.inhrelid from pg_catalog.pg_inherits i join events e on i.inhparent = e.oid)
        select c.oid::pg_catalog.regclass::text as what,
               case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view'
                              when 'f' then 'foreign table' else 'table' end as kind
          from pg_catalog.pg_class c
         where c.relnamespace = 'pgq'::pg_catalog.regnamespace and c.relkind in ('r', 'p', 'S', 'v', 'm', 'f')
           and c.oid not in (select objid from pg_temp.migrate_members(i_from))
           and c.oid not in (select oid from events)
           and not (c.relkind = 'S' and 'pgq.' || c.relname in (select queue_event_seq from pgq.queue
                                                               union all select queue_tick_seq from pgq.queue))
        union all
        select p.oid::pg_catalog.regprocedure::text, 'function' from pg_catalog.pg_proc p
         where p.pronamespace = 'pgq'::pg_catalog.regnamespace
           and p.oid not in (select objid from pg_temp.migrate_members(i_from))
        union all
        select t.oid::pg_catalog.regtype::text, 'type' from pg_catalog.pg_type t
         where t.typnamespace = 'pgq'::pg_catalog.regnamespace and t.typtype in ('d', 'e', 'r', 'm')
           and t.oid not in (select objid from pg_temp.migrate_members(i_from))
        order by 1
    loop
        return next format('schema pgq holds %s %s, which is neither %s''s nor a queue''s:'
                           ' move it out of schema pgq first', r.kind, r.what, i_from);
    end loop;
    -- Objects elsewhere that depend on the extension's (views, columns,
    -- defaults): they would be dropped with it. Triggers are recreated.
    for r in
        select distinct
               case when d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass  -- a view's rule: the view
                    then pg_catalog.pg_describe_object('pg_catalog.pg_class'::pg_catalog.regclass,
                             (select ev_class from pg_catalog.pg_rewrite where oid = d.objid), 0)
                    else pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) end as what,
               pg_catalog.pg_describe_object(d.refclassid, d.refobjid, 0) as on_what
          from pg_catalog.pg_depend d
          join pg_temp.migrate_members(i_from) m on m.classid = d.refclassid and m.objid = d.refobjid
         where d.deptype in ('n', 'a')
           and d.classid not in ('pg_catalog.pg_extension'::pg_catalog.regclass,
                                 'pg_catalog.pg_trigger'::pg_catalog.regclass)
           and (d.classid, d.objid) not in (select classid, objid from pg_temp.migrate_members(i_from))
           and pg_temp.migrate_schema_of(d.classid, d.objid) is distinct from 'pgq'::pg_catalog.regnamespace
         order by 1, 2
    loop
        return next format('%s depends on %s: pgqpp migrate cannot carry it over; drop it first and'
                           ' create it again afterwards', r.what, r.on_what);
    end loop;
    for r in select t.tgname, t.tgrelid::pg_catalog.regclass::text as rel, t.proname
               from pg_temp.migrate_user_triggers(i_from) t
              where t.proname <> all (pgq35_triggers) and i_from <> 'sqlonly'
    loop
        return next format('trigger %s on %s calls pgq.%s, which %s does not have: drop it first',
                           r.tgname, r.rel, r.proname, i_to);
    end loop;
    -- Going back to PgQ 3.5: rows in tables it does not have are lost.
    if i_to = 'pgq' and not i_discard then
        select string_agg(format('%s in pgq.%s', u.n, u.what), ', ' order by u.what) into v
          from pg_temp.migrate_unplaced_rows('pgq', i_from, i_to) u;
        if v is not null then
            return next format('pgqpp-only data would be lost (rows: %s): PgQ 3.5 has no place for it;'
                               ' add --discard-pgqpp-data to drop it', v);
        end if;
    end if;
end;
$$ language plpgsql
;
-- pg_temp.migrate_cells_in_use(i_schema): whether i_schema.subscription_cell
-- (pgqpp 1.4 and later) has rows: consumers' positions may be in cells.
-- Outside a hold of VACUUM's horizon the ticker keeps it empty.
create function pg_temp.migrate_cells_in_use(i_schema text) returns boolean as $$
declare
    found boolean;
begin
    if pg_catalog.to_regclass(pg_catalog.quote_ident(i_schema) || '.subscription_cell') is null then
        return false;
    end if;
    -- (No column is read: the cells' bytes change in place.)
    execute format('select exists (select 1 from %I.subscription_cell)', i_schema) into found;
    return found;
end;
$$ language plpgsql
;
-- pg_temp.migrate_cell_held(): the subscriptions whose position is in a
-- cell (pgq.subscription_current differs from the row), for this statement.
-- PL/pgSQL: the view is pgqpp's, absent when the tool creates this.
create function pg_temp.migrate_cell_held() returns setof integer as $$
begin
    return query
        select s.sub_id from pgq.subscription s join pgq.subscription_current c using (sub_id)
         where (s.sub_last_tick, s.sub_next_tick, s.sub_batch, s.sub_active)
               is distinct from (c.sub_last_tick, c.sub_next_tick, c.sub_batch, c.sub_active);
end;
$$ language plpgsql
;
-- pg_temp.migrate_plan(i_from, i_to, i_discard): what the swap will do, as
-- lines for --dry-run.
create function pg_temp.migrate_plan(i_from text, i_to text, i_discard boolean) returns setof text as $$
declare
    src_name text := pg_temp.migrate_found(i_from);
    src_what text := case i_from when 'sqlonly' then 'the SQL-only edition' else i_from end;
    dst_version text := (select default_version from pg_catalog.pg_available_extensions where name = i_to);
    dst_name text := case i_to when 'pgq' then 'PgQ ' else 'pgqpp ' end || dst_version;
    r record;
    n bigint;
    rows text[] := '{}';
begin
    return next format('found %s (%s) in database %s; %s (extension %s) will replace it',
                       src_name, case i_from when 'sqlonly' then 'schemas pgq and pgq_coop, no extension'
                                                else 'extension ' || i_from end,
                       pg_catalog.current_database(), dst_name, i_to);
    return next 'plan, in one transaction:';
    if i_to = 'pgq' and pg_temp.migrate_cells_in_use('pgq') then
        return next format('  0. take the locks of step 2 first (from here to the commit, writers and consumers'
                           ' wait) and move the %s consumer position(s) held in cells to their'
                           ' pgq.subscription rows, which PgQ 3.5 reads',
                           (select count(*) from pg_temp.migrate_cell_held()));
    end if;
    return next format('  1. rename schema %s; create extension %s %s (a new schema pgq,'
                       ' seen by no other session until the commit)',
                       case i_from when 'sqlonly' then 'pgq to pgq_migrating and pgq_coop to pgq_coop_migrating'
                                   else 'pgq to pgq_migrating' end, i_to, dst_version);
    select count(*) into n from (select distinct tgrelid from pg_temp.migrate_user_triggers(i_from)) t;
    return next format('  2. lock %s table(s) with triggers on %s''s functions, then the %s tables of the old'
                       ' schema pgq (lock_timeout 200 ms, else roll back and try again): from here to the'
                       ' commit, writers wait', n, src_what,
                       (select count(*) from pg_catalog.pg_class
                         where relnamespace = 'pgq'::pg_catalog.regnamespace and relkind in ('r', 'p')));
    for r in select c.relname, c.relkind from pg_catalog.pg_class c
              where c.relnamespace = 'pgq'::pg_catalog.regnamespace and c.relkind in ('r', 'S')
                and c.oid in (select objid from pg_temp.migrate_members(i_from))
                and c.relname <> '_so_signal'  -- the edition's change signals: left behind (swap.sql)
                and not exists (select 1 from pg_catalog.pg_depend d
                                 where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                   and d.objid = c.oid and d.deptype = 'a')
              order by 1
    loop
        if r.relkind = 'r' then
            execute format('select count(*) from only pgq.%I', r.relname) into n;
            rows := rows || format('%s (%s row(s))', r.relname, n);
        else
            rows := rows || r.relname::text;
        end if;
    end loop;
    return next format('  3. put %s''s tables and sequences, rows and all, in place of %s''s empty ones of the'
                       ' same name: %s%s', src_what, i_to, array_to_string(rows, ', '),
                       case when i_discard then '; the rows of tables PgQ 3.5 does not have are dropped' else '' end);
    return next format('  4. move the event tables and sequences of %s queue(s) (%s tables, %s sequences)'
                       ' into the new schema pgq, unchanged',
                       (select count(*) from pgq.queue),
                       (select count(*) from pg_catalog.pg_class c
                         where c.relnamespace = 'pgq'::pg_catalog.regnamespace and c.relkind in ('r', 'p')
                           and c.oid not in (select objid from pg_temp.migrate_members(i_from))),
                       (select count(*) from pg_catalog.pg_class c
                         where c.relnamespace = 'pgq'::pg_catalog.regnamespace and c.relkind = 'S'
                           and c.oid not in (select objid from pg_temp.migrate_members(i_from))));
    return next format('  5. recreate %s trigger(s) on %s''s functions%s',
                       (select count(*) from pg_temp.migrate_user_triggers(i_from)), i_to,
                       coalesce(': ' || (select string_agg(format('%s on %s (%s)', t.tgname,
                                                                   t.tgrelid::pg_catalog.regclass, t.proname), ', ')
                                          from pg_temp.migrate_user_triggers(i_from) t), ''));
    if i_from = 'sqlonly' then
        return next '  6. commit; then, once the statements that waited are done, drop schemas pgq_migrating'
                    ' and pgq_coop_migrating (the edition''s functions and view, left there)';
    else
        return next format('  6. commit; then, once the statements that waited are done, drop extension %s'
                           ' (its functions, left in pgq_migrating)', i_from);
    end if;
end;
$$ language plpgsql
;
