-- SPDX-License-Identifier: PostgreSQL
-- The SQL of `pgqpp migrate`, part 2 of 2 (part 1, checks.sql, describes
-- the swap): the swap's steps, in the order cmd_migrate.cpp calls them:
-- migrate_prepare, migrate_lock, migrate_swap, commit, migrate_drop_old.
-- pg_temp.migrate_lock(i_schema): the locks the swap needs on the old
-- extension's tables, now in schema i_schema (pgq_migrating after
-- migrate_prepare; pgq when migrate_prepare takes them before renaming it),
-- in the order producers take theirs (a user table with a PgQ trigger, then
-- the queue table, then the event tables), so that producers wait behind
-- the swap rather than deadlock with it. Under the caller's lock_timeout:
-- when it passes, the caller rolls back and tries again. Until then the
-- other sessions went on as before: the renamed schema and the new
-- extension are this transaction's, invisible to them. Taking a lock this
-- transaction holds already returns at once.
create function pg_temp.migrate_lock(i_schema text) returns integer as $$
declare
    r record;
    n integer := 0;
begin
    for r in select distinct tgrelid from migrate_trigger order by 1 loop
        execute format('lock table only %s in access exclusive mode', r.tgrelid::pg_catalog.regclass);
        n := n + 1;
    end loop;
    execute format('lock table only %I.queue in access exclusive mode', i_schema);
    for r in select c.oid from pg_catalog.pg_class c
              where c.relnamespace = i_schema::pg_catalog.regnamespace and c.relkind in ('r', 'p')
              order by c.oid
    loop
        execute format('lock table only %s in access exclusive mode', r.oid::pg_catalog.regclass);
        n := n + 1;
    end loop;
    return n;
end;
$$ language plpgsql
;
-- pg_temp.migrate_capture(i_from, i_to): right after the new extension
-- was created, what its own definition of every object the two extensions
-- share by name (pgq.queue, pgq.tick, ..., pgq.batch_id_seq) looks like,
-- into temporary tables: the old objects, moved in instead, are made to
-- look the same (migrate_reconcile). Also the new extension's
-- pg_extension_config_dump list, by name.
create function pg_temp.migrate_capture(i_from text, i_to text) returns void as $$
begin
    -- Tables, and sequences that are not a column's (those go with their table).
    create temp table migrate_shared on commit drop as
        select n.relname::text as relname, n.relkind, n.oid as new_oid, o.oid as old_oid
          from pg_catalog.pg_class n
          join pg_catalog.pg_class o on o.relname = n.relname and o.relkind = n.relkind
         where n.relnamespace = 'pgq'::pg_catalog.regnamespace
           and o.relnamespace = 'pgq_migrating'::pg_catalog.regnamespace
           and n.relkind in ('r', 'S')
           and n.oid in (select objid from pg_temp.migrate_members(i_to))
           and o.oid in (select objid from pg_temp.migrate_members(i_from))
           and not exists (select 1 from pg_catalog.pg_depend d
                            where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                              and d.objid = n.oid and d.deptype = 'a');
    -- Sequences owned by a shared table's columns, in either extension.
    create temp table migrate_owned on commit drop as
        select s.relname as table_name, c.relname::text as seq_name,
               c.relnamespace = 'pgq'::pg_catalog.regnamespace as is_new
          from migrate_shared s
          join pg_catalog.pg_depend d on d.refobjid in (s.new_oid, s.old_oid) and d.deptype = 'a'
               and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
               and d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
          join pg_catalog.pg_class c on c.oid = d.objid and c.relkind = 'S'
         where s.relkind = 'r';
    create temp table migrate_column on commit drop as
        select s.relname, a.attnum, a.attname::text as attname,
               pg_catalog.format_type(a.atttypid, a.atttypmod) as type, a.attnotnull,
               pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) as def,
               pg_catalog.col_description(s.new_oid, a.attnum) as comment
          from migrate_shared s
          join pg_catalog.pg_attribute a on a.attrelid = s.new_oid and a.attnum > 0 and not a.attisdropped
          left join pg_catalog.pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
         where s.relkind = 'r';
    create temp table migrate_constraint on commit drop as
        select s.relname, k.conname::text as conname, pg_catalog.pg_get_constraintdef(k.oid) as def
          from migrate_shared s join pg_catalog.pg_constraint k on k.conrelid = s.new_oid
         where k.contype <> 'n';
    create temp table migrate_index on commit drop as
        select s.relname, c.relname::text as indexname, pg_catalog.pg_get_indexdef(i.indexrelid) as def
          from migrate_shared s
          join pg_catalog.pg_index i on i.indrelid = s.new_oid
          join pg_catalog.pg_class c on c.oid = i.indexrelid
         where not exists (select 1 from pg_catalog.pg_constraint k where k.conindid = i.indexrelid
                                                                      and k.conrelid = s.new_oid);
    create temp table migrate_table_trigger on commit drop as
        select s.relname, t.tgname::text as tgname, pg_catalog.pg_get_triggerdef(t.oid) as def, t.tgenabled
          from migrate_shared s join pg_catalog.pg_trigger t on t.tgrelid = s.new_oid
         where not t.tgisinternal;
    -- Foreign keys of the new extension's other tables that point at a shared one.
    create temp table migrate_foreign_key on commit drop as
        select k.conrelid::pg_catalog.regclass::text as table_name, k.conname::text as conname,
               pg_catalog.pg_get_constraintdef(k.oid) as def
          from pg_catalog.pg_constraint k
         where k.contype = 'f' and k.confrelid in (select new_oid from migrate_shared)
           and k.conrelid not in (select new_oid from migrate_shared);
    create temp table migrate_privileges on commit drop as
        select s.relname, case s.relkind when 'S' then 'sequence' else 'table' end as kind,
               c.relowner, c.relacl, pg_catalog.obj_description(c.oid, 'pg_class') as comment
          from migrate_shared s join pg_catalog.pg_class c on c.oid = s.new_oid
        union all  -- owned sequences, by their name
        select o.seq_name, 'sequence', c.relowner, c.relacl, pg_catalog.obj_description(c.oid, 'pg_class')
          from migrate_owned o join pg_catalog.pg_class c on c.relname = o.seq_name
               and c.relnamespace = 'pgq'::pg_catalog.regnamespace
         where o.is_new;
    -- The new extension's views over shared tables (pgq.delayed_event, for
    -- the SQL-only edition): dropped with the empty tables, made again over
    -- the old ones.
    create temp table migrate_view on commit drop as
        select v.relname::text as relname, pg_catalog.pg_get_viewdef(v.oid) as def, v.reloptions,
               v.relowner, v.relacl, pg_catalog.obj_description(v.oid, 'pg_class') as comment
          from pg_catalog.pg_class v
         where v.relkind = 'v' and v.relnamespace = 'pgq'::pg_catalog.regnamespace
           and v.oid in (select objid from pg_temp.migrate_members(i_to))
           and exists (select 1 from pg_catalog.pg_rewrite w
                         join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                              and d.objid = w.oid and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                        where w.ev_class = v.oid and d.refobjid in (select new_oid from migrate_shared));
    create temp table migrate_config_dump on commit drop as
        select c.n as position, c.cfg::pg_catalog.regclass::text as name, e.extcondition[c.n] as condition
          from pg_catalog.pg_extension e, unnest(e.extconfig) with ordinality as c(cfg, n)
         where e.extname = i_to;
end;
$$ language plpgsql
;
-- pg_temp.migrate_grant(i_kind, i_object, i_owner, i_acl): gives
-- i_object (a table or sequence) the owner and privileges the new
-- extension's object had.
create function pg_temp.migrate_grant(i_kind text, i_object text, i_owner oid, i_acl aclitem[])
returns void as $$
declare
    g record;
begin
    if (select relowner from pg_catalog.pg_class where oid = i_object::pg_catalog.regclass) <> i_owner then
        execute format('alter %s %s owner to %I', i_kind, i_object, pg_catalog.pg_get_userbyid(i_owner));
    end if;
    if (select relacl from pg_catalog.pg_class where oid = i_object::pg_catalog.regclass)
       is not distinct from i_acl then
        return;
    end if;
    for g in select distinct x.grantee
               from pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) x
              where c.oid = i_object::pg_catalog.regclass and x.grantee <> i_owner
    loop
        execute format('revoke all on %s %s from %s', i_kind, i_object,
                       case when g.grantee = 0 then 'public'
                            else pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) end);
    end loop;
    for g in select x.grantee, x.privilege_type, x.is_grantable
               from pg_catalog.aclexplode(i_acl) x where x.grantee <> i_owner
    loop
        execute format('grant %s on %s %s to %s%s', g.privilege_type, i_kind, i_object,
                       case when g.grantee = 0 then 'public'
                            else pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) end,
                       case when g.is_grantable then ' with grant option' else '' end);
    end loop;
end;
$$ language plpgsql
;
-- pg_temp.migrate_reconcile(i_table): the old table, now pgq.<i_table>,
-- made to look like the new extension's (migrate_capture): its columns,
-- defaults, constraints, indexes and triggers. Catalog changes only, except
-- where a column or constraint differs (none between PgQ 3.5 and pgqpp).
create function pg_temp.migrate_reconcile(i_table text) returns void as $$
declare
    rel text := format('pgq.%I', i_table);
    r record;
begin
    for r in select c.*, a.attnum as old_attnum, pg_catalog.format_type(a.atttypid, a.atttypmod) as old_type,
                    a.attnotnull as old_notnull, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) as old_def,
                    pg_catalog.col_description(a.attrelid, a.attnum) as old_comment
               from migrate_column c
               left join pg_catalog.pg_attribute a on a.attrelid = rel::pg_catalog.regclass
                    and a.attname = c.attname and a.attnum > 0 and not a.attisdropped
               left join pg_catalog.pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
              where c.relname = i_table order by c.attnum
    loop
        if r.old_attnum is null then
            execute format('alter table %s add column %I %s', rel, r.attname, r.type);
        elsif r.old_type <> r.type then
            raise exception 'column %.% is % in %, % in the new extension', rel, r.attname, r.old_type,
                            'the old extension', r.type using errcode = '55000';
        end if;
        if r.def is null and r.old_def is not null then
            execute format('alter table %s alter column %I drop default', rel, r.attname);
        elsif r.def is distinct from r.old_def then
            execute format('alter table %s alter column %I set default %s', rel, r.attname, r.def);
        end if;
        if r.attnotnull and not coalesce(r.old_notnull, false) then
            execute format('alter table %s alter column %I set not null', rel, r.attname);
        elsif not r.attnotnull and r.old_notnull then
            execute format('alter table %s alter column %I drop not null', rel, r.attname);
        end if;
        if r.comment is distinct from r.old_comment then
            execute format('comment on column %s.%I is %L', rel, r.attname, r.comment);
        end if;
    end loop;
    for r in select a.attname from pg_catalog.pg_attribute a
              where a.attrelid = rel::pg_catalog.regclass and a.attnum > 0 and not a.attisdropped
                and a.attname not in (select attname from migrate_column where relname = i_table)
    loop
        execute format('alter table %s drop column %I', rel, r.attname);
    end loop;
    -- Constraints and indexes: by name and definition.
    for r in select k.conname from pg_catalog.pg_constraint k
              where k.conrelid = rel::pg_catalog.regclass and k.contype <> 'n'
                and (k.conname, pg_catalog.pg_get_constraintdef(k.oid)) not in
                    (select conname, def from migrate_constraint where relname = i_table)
    loop
        execute format('alter table %s drop constraint %I', rel, r.conname);
    end loop;
    for r in select i.indexrelid::pg_catalog.regclass as idx from pg_catalog.pg_index i
              where i.indrelid = rel::pg_catalog.regclass
                and not exists (select 1 from pg_catalog.pg_constraint k where k.conindid = i.indexrelid
                                                                         and k.conrelid = i.indrelid)
                and pg_catalog.pg_get_indexdef(i.indexrelid) not in
                    (select def from migrate_index where relname = i_table)
    loop
        execute format('drop index %s', r.idx);
    end loop;
    for r in select * from migrate_constraint c where c.relname = i_table
                and (c.conname, c.def) not in
                    (select k.conname, pg_catalog.pg_get_constraintdef(k.oid) from pg_catalog.pg_constraint k
                      where k.conrelid = rel::pg_catalog.regclass)
    loop
        execute format('alter table %s add constraint %I %s', rel, r.conname, r.def);
    end loop;
    for r in select * from migrate_index x where x.relname = i_table
                and x.def not in (select pg_catalog.pg_get_indexdef(i.indexrelid) from pg_catalog.pg_index i
                                   where i.indrelid = rel::pg_catalog.regclass)
    loop
        execute r.def;
    end loop;
    -- Triggers: the new extension's (the old one's call its functions).
    for r in select t.tgname from pg_catalog.pg_trigger t
              where t.tgrelid = rel::pg_catalog.regclass and not t.tgisinternal
    loop
        execute format('drop trigger %I on %s', r.tgname, rel);
    end loop;
    for r in select * from migrate_table_trigger t where t.relname = i_table loop
        execute r.def;
        if r.tgenabled <> 'O' then
            execute format('alter table %s %s trigger %I', rel,
                           case r.tgenabled when 'D' then 'disable' when 'R' then 'enable replica'
                                            else 'enable always' end, r.tgname);
        end if;
    end loop;
end;
$$ language plpgsql
;
-- pg_temp.migrate_sqlonly_leftovers(): after the SQL-only edition's tables
-- and the queues moved, what is left in pgq_migrating and
-- pgq_coop_migrating is dropped with them after the commit: it must be the
-- edition's own (a function or view the new extension also has, or a
-- pgq._so_* helper, the table pgq._so_signal, pgq.sqlonly_version()). Anything else was put there by
-- someone: the swap stops (rolls back) naming it.
create function pg_temp.migrate_sqlonly_leftovers() returns void as $$
declare
    r record;
begin
    for r in
        select p.oid::pg_catalog.regprocedure::text as what, 'function' as kind from pg_catalog.pg_proc p
         where p.pronamespace in (to_regnamespace('pgq_migrating'), to_regnamespace('pgq_coop_migrating'))
           and p.proname not like '\_so\_%' and p.proname <> 'sqlonly_version'
           and not exists (select 1 from pg_catalog.pg_proc n
                            where n.pronamespace = case when p.pronamespace = 'pgq_migrating'::pg_catalog.regnamespace
                                                        then 'pgq'::pg_catalog.regnamespace
                                                        else 'pgq_coop'::pg_catalog.regnamespace end
                              and n.proname = p.proname
                              and pg_catalog.pg_get_function_identity_arguments(n.oid)
                                  = pg_catalog.pg_get_function_identity_arguments(p.oid))
        union all
        select c.oid::pg_catalog.regclass::text, 'relation' from pg_catalog.pg_class c
         where c.relnamespace in (to_regnamespace('pgq_migrating'), to_regnamespace('pgq_coop_migrating'))
           and c.relkind not in ('i', 'I', 't', 'c')
           -- the edition's change signals (docs/managed.md)
           and not (c.relkind = 'r' and c.relnamespace = 'pgq_migrating'::pg_catalog.regnamespace
                    and c.relname = '_so_signal')
           and not (c.relkind = 'v' and c.relnamespace = 'pgq_migrating'::pg_catalog.regnamespace
                    and pg_catalog.to_regclass(format('pgq.%I', c.relname)) is not null)
        union all
        select t.oid::pg_catalog.regtype::text, 'type' from pg_catalog.pg_type t
         where t.typnamespace in (to_regnamespace('pgq_migrating'), to_regnamespace('pgq_coop_migrating'))
           and t.typtype in ('d', 'e', 'r', 'm')
        order by 1
    loop
        raise exception 'schema % holds % %, which is not the SQL-only edition''s: move it out first',
                        case when r.what like 'pgq_coop_migrating.%' then 'pgq_coop' else 'pgq' end, r.kind,
                        regexp_replace(r.what, '^pgq(_coop)?_migrating\.', 'pgq\1.')
            using errcode = '55000';
    end loop;
end;
$$ language plpgsql
;
-- pg_temp.migrate_ms(t0): "123 ms: ", the time since t0, to prefix a step.
create function pg_temp.migrate_ms(t0 timestamptz) returns text as $$
    select to_char(1000 * extract(epoch from clock_timestamp() - t0), 'FM999990') || ' ms: '
$$ language sql volatile
;
-- pg_temp.migrate_cells_to_rows(): on the way back to PgQ 3.5, which reads
-- positions from pgq.subscription only: every consumer position held in a
-- cell (pgqpp 1.4 and later, while a snapshot holds VACUUM's horizon back;
-- docs/internals.md) is written back to its pgq.subscription row, unchanged,
-- by the extension's own pgq._position_to_row, and the cells are deleted.
-- It must run before schema pgq is renamed: the old extension's functions
-- find their tables in schema pgq by name. After migrate_lock('pgq'): its
-- locks keep every consumer from writing a position until the swap commits
-- (a writer locks its subscription row first). Returns the step's line.
create function pg_temp.migrate_cells_to_rows() returns text as $$
declare
    held bigint;
begin
    select count(*) into held from pg_temp.migrate_cell_held();
    perform pgq._position_to_row(c.cell_queue, c.cell_consumer) from pgq.subscription_cell c;
    if exists (select 1 from pg_temp.migrate_cell_held()) then
        raise exception 'consumer positions are still in pgq.subscription_cell after moving them to their rows'
            using errcode = 'XX000';
    end if;
    delete from pgq.subscription_cell;
    return format('moved %s consumer position(s) from their cells to their pgq.subscription rows', held);
end;
$$ language plpgsql
;
-- pg_temp.migrate_prepare(i_from, i_to, i_discard): the first part of the
-- swap's transaction, before any lock that producers could wait on: checks
-- again (migrate_refusals), notes the user triggers' definitions, renames
-- schema pgq to pgq_migrating, creates the new extension (its new schema
-- pgq) and notes its definitions (migrate_capture). Returns the steps.
create function pg_temp.migrate_prepare(i_from text, i_to text, i_discard boolean) returns setof text as $$
declare
    r record;
    t0 timestamptz := clock_timestamp();
begin
    if i_from = 'sqlonly' then
        perform pg_temp.migrate_note_sqlonly();
    end if;
    for r in select * from pg_temp.migrate_refusals(i_from, i_to, i_discard) as t(line) loop
        raise exception '%', r.line using errcode = '55000';
    end loop;
    -- The user triggers' definitions as they read now: "... pgq.logutriga(...)".
    create temp table migrate_trigger on commit drop as
        select t.tgrelid, t.tgname, pg_catalog.pg_get_triggerdef(t.tgoid) as def, g.tgenabled,
               pg_catalog.obj_description(t.tgoid, 'pg_trigger') as comment
          from pg_temp.migrate_user_triggers(i_from) t join pg_catalog.pg_trigger g on g.oid = t.tgoid;
    -- Back to PgQ 3.5 while cells are in use: consumers' positions leave
    -- them before the rename (migrate_cells_to_rows), under the swap's
    -- locks, taken here and in their usual order: consumers read pgq.queue
    -- before they lock their pgq.subscription row, so locking
    -- pgq.subscription alone first would deadlock with them. Writers wait
    -- from here, not from migrate_lock. (migrate_swap checks, under the
    -- locks, that no cell was taken into use after this test.)
    if i_to = 'pgq' and pg_temp.migrate_cells_in_use('pgq') then
        perform pg_temp.migrate_lock('pgq');
        return next pg_temp.migrate_ms(t0) || 'locked the tables (writers wait from here)';
        return next pg_temp.migrate_ms(t0) || pg_temp.migrate_cells_to_rows();
    end if;
    alter schema pgq rename to pgq_migrating;
    if i_from = 'sqlonly' then
        alter schema pgq_coop rename to pgq_coop_migrating;
    end if;
    execute format('create extension %I', i_to);
    return next pg_temp.migrate_ms(t0) || format('created extension %s %s', i_to,
                       (select extversion from pg_catalog.pg_extension where extname = i_to));
    perform pg_temp.migrate_capture(i_from, i_to);
    return next pg_temp.migrate_ms(t0) || 'noted its definitions';
end;
$$ language plpgsql
;
-- pg_temp.migrate_swap(i_from, i_to, i_discard): the swap itself (see the
-- top of this file), after migrate_prepare and migrate_lock in the same
-- transaction. The old extension's tables and sequences stay the same
-- objects with the same rows (a producer that waited on their lock, and
-- whose snapshot is older than this transaction, still finds its queue):
-- each replaces the new extension's empty one of the same name. Returns
-- what it did, a line a step, each with the milliseconds since it began.
create function pg_temp.migrate_swap(i_from text, i_to text, i_discard boolean) returns setof text as $$
declare
    r record;
    n bigint;
    objects text;
    t0 timestamptz := clock_timestamp();
begin
    if i_to = 'pgq' and pg_temp.migrate_cells_in_use('pgq_migrating') then
        -- A consumer took a cell into use after migrate_prepare looked: its
        -- position is out of reach now (the schema is renamed). Roll back;
        -- the next attempt moves it (the caller retries on this code).
        raise exception 'a consumer''s position moved into its cell during the swap; trying again'
            using errcode = '55P03';
    end if;

    -- Out with the new extension's empty objects ...
    for r in select * from migrate_view loop
        execute format('alter extension %I drop view pgq.%I', i_to, r.relname);
        execute format('drop view pgq.%I', r.relname);
    end loop;
    for r in select * from migrate_foreign_key loop
        execute format('alter table %s drop constraint %I', r.table_name, r.conname);
    end loop;
    for r in select relname, relkind from migrate_shared
             union all select seq_name, 'S' from migrate_owned where is_new
    loop
        execute format('alter extension %I drop %s pgq.%I', i_to,
                       case r.relkind when 'S' then 'sequence' else 'table' end, r.relname);
    end loop;
    select string_agg(format('pgq.%I', relname), ', ') into objects from migrate_shared where relkind = 'r';
    execute 'drop table ' || objects;
    select string_agg(format('pgq.%I', relname), ', ') into objects from migrate_shared where relkind = 'S';
    if objects is not null then
        execute 'drop sequence ' || objects;
    end if;
    -- ... in with the old extension's, rows and all.
    for r in select relname, relkind from migrate_shared
             union all select seq_name, 'S' from migrate_owned where not is_new
    loop
        continue when i_from = 'sqlonly';  -- no extension to leave
        execute format('alter extension %I drop %s pgq_migrating.%I', i_from,
                       case r.relkind when 'S' then 'sequence' else 'table' end, r.relname);
    end loop;
    for r in select relname from migrate_shared order by relkind, relname loop
        execute format('alter table pgq_migrating.%I set schema pgq', r.relname);
    end loop;
    for r in select relname from migrate_shared where relkind = 'r' loop
        perform pg_temp.migrate_reconcile(r.relname);
    end loop;
    -- Privileges before membership: ALTER EXTENSION ADD records them as the
    -- initial ones (pg_init_privs), as CREATE EXTENSION would have.
    for r in select * from migrate_privileges loop
        objects := format('pgq.%I', r.relname);
        perform pg_temp.migrate_grant(r.kind, objects, r.relowner, r.relacl);
        if r.comment is distinct from pg_catalog.obj_description(objects::pg_catalog.regclass, 'pg_class') then
            execute format('comment on %s %s is %L', r.kind, objects, r.comment);
        end if;
        execute format('alter extension %I add %s %s', i_to, r.kind, objects);
    end loop;
    for r in select * from migrate_foreign_key loop
        execute format('alter table %s add constraint %I %s', r.table_name, r.conname, r.def);
    end loop;
    for r in select * from migrate_view loop
        objects := format('pgq.%I', r.relname);
        execute format('create view %s%s as %s', objects,
                       coalesce(' with (' || array_to_string(r.reloptions, ', ') || ')', ''), r.def);
        perform pg_temp.migrate_grant('table', objects, r.relowner, r.relacl);
        if r.comment is not null then
            execute format('comment on view %s is %L', objects, r.comment);
        end if;
        execute format('alter extension %I add view %s', i_to, objects);
    end loop;
    -- The tables and sequences pg_dump keeps: the new extension's list, by name.
    update pg_catalog.pg_extension
       set extconfig = (select array_agg(name::pg_catalog.regclass::oid order by position) from migrate_config_dump),
           extcondition = (select array_agg(condition order by position) from migrate_config_dump)
     where extname = i_to;
    return next pg_temp.migrate_ms(t0) || format('swapped in %s table(s) and sequence(s) with their rows: %s',
                       (select count(*) from migrate_shared),
                       (select string_agg(relname, ', ' order by relname) from migrate_shared));
    -- Rows the new extension has no table for (the tables shared by name
    -- are in schema pgq now).
    for r in select * from pg_temp.migrate_unplaced_rows('pgq_migrating', i_from, i_to) loop
        if not i_discard then
            raise exception 'pgq.% has % row(s) and extension % has no such table', r.what, r.n, i_to
                using errcode = '55000';
        end if;
        return next pg_temp.migrate_ms(t0) || format('dropped %s row(s) of pgq.%s', r.n, r.what);
    end loop;
    -- The queues' event tables (under the swapped pgq.event_template) and
    -- sequences move unchanged (an owned sequence moves with its table).
    n := 0;
    for r in select c.oid, c.relname from pg_catalog.pg_class c
              where c.relnamespace = 'pgq_migrating'::pg_catalog.regnamespace and c.relkind in ('r', 'p', 'S')
                and c.oid not in (select objid from pg_temp.migrate_members(i_from))
                and not exists (select 1 from pg_catalog.pg_depend d
                                 where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                   and d.objid = c.oid and d.deptype in ('a', 'i')
                                   and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass)
              order by c.oid
    loop
        execute format('alter table pgq_migrating.%I set schema pgq', r.relname);
        n := n + 1;
    end loop;
    if i_from = 'sqlonly' then
        perform pg_temp.migrate_sqlonly_leftovers();
        -- The edition's functions stay callable until migrate_drop_old: a
        -- statement that waited on the swap inside one (a ticker, an
        -- insert), or a plan cached on one, goes on with the same tables,
        -- now in the new schema pgq, and finds its pgq._so_* helpers there.
        for r in select p.oid::pg_catalog.regprocedure as f, n.nspname from pg_catalog.pg_proc p
                   join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                  where n.nspname in ('pgq_migrating', 'pgq_coop_migrating') and p.proname like '\_so\_%'
        loop
            execute format('alter function %s set schema %I', r.f,
                           case r.nspname when 'pgq_migrating' then 'pgq' else 'pgq_coop' end);
        end loop;
        -- So does its change-signal table: a ticker statement that waited
        -- deletes the signals it ticked from pgq._so_signal by name, and an
        -- insert that waited adds one (dropped by migrate_drop_old too).
        if pg_catalog.to_regclass('pgq_migrating._so_signal') is not null then
            alter table pgq_migrating._so_signal set schema pgq;
        end if;
        -- Most of them are SECURITY DEFINER, running as the role that
        -- installed the edition, which owned its tables: until then that
        -- role may use the tables it no longer owns (noted in
        -- pgq_migrating.migrate_granted, revoked by migrate_drop_old).
        create table pgq_migrating.migrate_granted (kind text, rel text, grantee name);
        insert into pgq_migrating.migrate_granted
        select case c.relkind when 'S' then 'sequence' else 'table' end, c.oid::pg_catalog.regclass::text,
               pg_catalog.pg_get_userbyid(n.nspowner)
          from pg_catalog.pg_class c, pg_catalog.pg_namespace n
         where n.nspname = 'pgq_migrating' and c.relnamespace = 'pgq'::pg_catalog.regnamespace
           and c.relkind in ('r', 'S', 'v') and c.relowner <> n.nspowner
           and c.oid in (select objid from pg_temp.migrate_members(i_to))
           and not exists (select 1 from pg_catalog.aclexplode(c.relacl) x where x.grantee = n.nspowner);
        for r in select * from pgq_migrating.migrate_granted loop
            execute format('grant all on %s %s to %I', r.kind, r.rel, r.grantee);
        end loop;
    end if;
    return next pg_temp.migrate_ms(t0) || format('moved %s event table(s) and sequence(s)', n);
    -- User triggers: same name (hence order), table, definition and state.
    for r in select * from migrate_trigger loop
        execute format('drop trigger %I on %s', r.tgname, r.tgrelid::pg_catalog.regclass);
        execute r.def;
        if r.tgenabled <> 'O' then
            execute format('alter table %s %s trigger %I', r.tgrelid::pg_catalog.regclass,
                           case r.tgenabled when 'D' then 'disable' when 'R' then 'enable replica'
                                            else 'enable always' end, r.tgname);
        end if;
        if r.comment is not null then
            execute format('comment on trigger %I on %s is %L', r.tgname, r.tgrelid::pg_catalog.regclass,
                           r.comment);
        end if;
        return next pg_temp.migrate_ms(t0) || format('recreated trigger %s on %s', r.tgname, r.tgrelid::pg_catalog.regclass);
    end loop;
    -- pgqpp keeps its id sequences past the ids in its tables.
    if pg_catalog.to_regprocedure('pgq._ids_past_restored()') is not null then
        execute 'select pgq._ids_past_restored()' into n;
        if n > 0 then
            return next pg_temp.migrate_ms(t0) || format('moved %s id sequence(s) past the ids in their tables', n);
        end if;
    end if;
end;
$$ language plpgsql
;
-- pg_temp.migrate_waiting(): the sessions of this database waiting on a
-- lock now, with the start of the statement that waits: just before the
-- swap commits, those that wait on it. Some are inside a function of the
-- old extension (a consumer's next_batch): it must not be dropped under them.
create function pg_temp.migrate_waiting(out pids integer[], out starts timestamptz[]) as $$
    select coalesce(array_agg(pid order by pid), '{}'), coalesce(array_agg(query_start order by pid), '{}')
      from pg_catalog.pg_stat_activity
     where datname = pg_catalog.current_database() and wait_event_type = 'Lock'
       and pid <> pg_catalog.pg_backend_pid()
$$ language sql
;
-- pg_temp.migrate_still_running(i_pids, i_starts): how many of those
-- sessions still run the statement they were waiting in.
create function pg_temp.migrate_still_running(i_pids integer[], i_starts timestamptz[]) returns bigint as $$
    select count(*) from pg_catalog.pg_stat_activity a
      join unnest(i_pids, i_starts) as w(pid, query_start) on w.pid = a.pid
     where a.query_start = w.query_start and a.state = 'active'
$$ language sql
;
-- pg_temp.migrate_drop_old(i_from): the last step, in a transaction of its
-- own once the statements that waited on the swap are done: drops what is
-- left of the old extension (its functions, in schema pgq_migrating; for
-- the SQL-only edition its schemas pgq_migrating and pgq_coop_migrating and
-- its pgq._so_* helpers). Also finishes a migration interrupted after its
-- swap. NULL when there is nothing to drop.
create function pg_temp.migrate_drop_old(i_from text) returns text as $$
declare
    r record;
begin
    if i_from = 'sqlonly' then
        if pg_catalog.to_regprocedure('pgq_migrating.sqlonly_version()') is null
           or to_regnamespace('pgq_migrating') in (select d.objid from pg_catalog.pg_depend d
                                                    where d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                                                      and d.deptype = 'e') then
            return null;
        end if;
        if pg_catalog.to_regclass('pgq_migrating.migrate_granted') is not null then
            for r in execute 'select * from pgq_migrating.migrate_granted' loop
                execute format('revoke all on %s %s from %I', r.kind, r.rel, r.grantee);
                -- An ACL that was the default (NULL) before the grant is again.
                update pg_catalog.pg_class c set relacl = null
                 where c.oid = r.rel::pg_catalog.regclass
                   and c.relacl = pg_catalog.acldefault((case r.kind when 'sequence' then 's' else 'r' end)::"char",
                                                        c.relowner);
            end loop;
        end if;
        for r in select p.oid::pg_catalog.regprocedure as f from pg_catalog.pg_proc p
                  where p.pronamespace in (to_regnamespace('pgq'), to_regnamespace('pgq_coop'))
                    and p.proname like '\_so\_%'
                    and p.oid not in (select d.objid from pg_catalog.pg_depend d
                                       where d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                                         and d.deptype = 'e')
        loop
            execute format('drop function %s', r.f);
        end loop;
        if pg_catalog.to_regclass('pgq._so_signal') is not null
           and 'pgq._so_signal'::pg_catalog.regclass not in (
                   select d.objid from pg_catalog.pg_depend d
                    where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.deptype = 'e') then
            drop table pgq._so_signal;
        end if;
        drop schema pgq_migrating cascade;
        drop schema if exists pgq_coop_migrating cascade;
        return 'dropped the SQL-only edition''s functions (schemas pgq_migrating and pgq_coop_migrating)';
    end if;
    if to_regnamespace('pgq_migrating') is null
       or to_regnamespace('pgq_migrating') not in (select objid from pg_temp.migrate_members(i_from)) then
        return null;
    end if;
    execute format('drop extension %I', i_from);
    return format('dropped extension %s (its functions, in schema pgq_migrating)', i_from);
end;
$$ language plpgsql
;
