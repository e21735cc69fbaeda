-- SPDX-License-Identifier: PostgreSQL
-- The SQL of `pgqpp migrate` (cli/cmd_migrate.cpp): PgQ 3.5 (extension
-- pgq) to pgqpp in place, and back with --to-pgq. The tool creates these
-- functions in pg_temp (they vanish with its session) and calls them; the
-- statements are separated by lines holding only ";" (the tool splits there).
--
-- The swap runs in one transaction whose time does not depend on the number
-- of events: the schema pgq of the old extension is renamed pgq_migrating,
-- the new extension is created (a fresh, empty schema pgq), the rows of the
-- old extension's own tables (queues, consumers, subscriptions, ticks,
-- retries: a few rows per queue and consumer) are copied into the new
-- extension's tables of the same name, its sequences set to the old values,
-- and everything the old extension does not own (the queues' event tables
-- and sequences) is moved, untouched, into the new schema pgq and hung under
-- the new pgq.event_template. User triggers on the old trigger functions are
-- recreated on the new ones, and the old extension is dropped. Which tables
-- the new extension has is read from the catalog after it is created, so a
-- later version's additional tables simply start empty.
--
-- pg_temp.migrate_members(i_ext): the objects extension i_ext owns.
create function pg_temp.migrate_members(i_ext text) returns table (classid oid, objid oid) as $$
    select d.classid, d.objid
      from pg_catalog.pg_depend d join pg_catalog.pg_extension e on e.oid = d.refobjid
     where d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
       and d.deptype = 'e' and e.extname = i_ext
$$ language sql stable
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
    lost text[] := '{}';
    pgq35_tables constant text[] := array['queue', 'consumer', 'tick', 'subscription',
                                          'event_template', 'retry_queue'];
    pgq35_triggers constant text[] := array['logutriga', 'sqltriga', 'jsontriga'];
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
        if src.oid is null then
            return next format('database %s has no PgQ (no extension pgq): nothing to migrate'
                               ' (pgqpp install creates pgqpp)', db);
            return;
        end if;
        if src.is_pgqpp then
            return next format('database %s runs pgqpp %s under the name pgq, not PgQ: nothing to migrate',
                               db, src.extversion);
            return;
        end if;
        if src.extversion !~ '^3\.5(\.|$)' then
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
              where t.proname <> all (pgq35_triggers)
    loop
        return next format('trigger %s on %s calls pgq.%s, which %s does not have: drop it first',
                           r.tgname, r.rel, r.proname, i_to);
    end loop;
    -- Going back to PgQ 3.5: rows in tables it does not have are lost.
    if i_to = 'pgq' and not i_discard then
        for r in select c.relname from pg_catalog.pg_class c
                  where c.relnamespace = 'pgq'::pg_catalog.regnamespace and c.relkind = 'r'
                    and c.oid in (select objid from pg_temp.migrate_members(i_from))
                    and c.relname <> all (pgq35_tables)
                  order by 1
        loop
            execute format('select count(*) from only pgq.%I', r.relname) into n;
            if n > 0 then
                lost := lost || format('%s in pgq.%s', n, r.relname);
            end if;
        end loop;
        if cardinality(lost) > 0 then
            return next format('pgqpp-only data would be lost (rows: %s): PgQ 3.5 has no place for it;'
                               ' add --discard-pgqpp-data to drop it', array_to_string(lost, ', '));
        end if;
    end if;
end;
$$ language plpgsql
;
-- pg_temp.migrate_plan(i_from, i_to, i_discard): what the swap will do, as
-- lines for --dry-run.
create function pg_temp.migrate_plan(i_from text, i_to text, i_discard boolean) returns setof text as $$
declare
    src_version text := (select extversion from pg_catalog.pg_extension where extname = i_from);
    src_name text := case i_from when 'pgq' then 'PgQ ' else 'pgqpp ' end || src_version;
    dst_version text := (select default_version from pg_catalog.pg_available_extensions where name = i_to);
    dst_name text := case i_to when 'pgq' then 'PgQ ' else 'pgqpp ' end || dst_version;
    r record;
    n bigint;
    rows text[] := '{}';
begin
    return next format('found %s (extension %s) in database %s; %s (extension %s) will replace it',
                       src_name, i_from, pg_catalog.current_database(), dst_name, i_to);
    return next 'plan, in one transaction:';
    return next format('  1. rename schema pgq to pgq_migrating; create extension %s %s (a new schema pgq,'
                       ' seen by no other session until the commit)', i_to, dst_version);
    select count(*) into n from (select distinct tgrelid from pg_temp.migrate_user_triggers(i_from)) t;
    return next format('  2. lock %s table(s) with triggers on %s''s functions, then the %s tables of the old'
                       ' schema pgq (lock_timeout 200 ms, else roll back and try again): from here to the'
                       ' commit, writers wait', n, i_from,
                       (select count(*) from pg_catalog.pg_class
                         where relnamespace = 'pgq'::pg_catalog.regnamespace and relkind in ('r', 'p')));
    for r in select c.relname, c.relkind from pg_catalog.pg_class c
              where c.relnamespace = 'pgq'::pg_catalog.regnamespace and c.relkind in ('r', 'S')
                and c.oid in (select objid from pg_temp.migrate_members(i_from))
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
                       ' same name: %s%s', i_from, i_to, array_to_string(rows, ', '),
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
    return next format('  6. drop extension %s (what is left in pgq_migrating), commit', i_from);
end;
$$ language plpgsql
;
-- pg_temp.migrate_lock(): after migrate_prepare, the locks the swap
-- needs, in the order producers take theirs (a user table with a PgQ
-- trigger, then pgq.queue, then the event tables), so that producers wait
-- behind the swap rather than deadlock with it. Under the caller's
-- lock_timeout: when it passes, the caller rolls back and tries again.
-- Until now the other sessions went on as before: the renamed schema and
-- the new extension are this transaction's, invisible to them.
create function pg_temp.migrate_lock() returns integer as $$
declare
    r record;
    n integer := 0;
begin
    for r in select distinct tgrelid from migrate_trigger order by 1 loop
        execute format('lock table only %s in access exclusive mode', r.tgrelid::pg_catalog.regclass);
        n := n + 1;
    end loop;
    lock table only pgq_migrating.queue in access exclusive mode;
    for r in select c.oid from pg_catalog.pg_class c
              where c.relnamespace = 'pgq_migrating'::pg_catalog.regnamespace and c.relkind in ('r', 'p')
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
-- pg_temp.migrate_ms(t0): "123 ms: ", the time since t0, to prefix a step.
create function pg_temp.migrate_ms(t0 timestamptz) returns text as $$
    select to_char(1000 * extract(epoch from clock_timestamp() - t0), 'FM999990') || ' ms: '
$$ language sql volatile
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
    for r in select * from pg_temp.migrate_refusals(i_from, i_to, i_discard) as t(line) loop
        raise exception '%', r.line using errcode = '55000';
    end loop;
    -- The user triggers' definitions as they read now: "... pgq.logutriga(...)".
    create temp table migrate_trigger on commit drop as
        select t.tgrelid, t.tgname, pg_catalog.pg_get_triggerdef(t.tgoid) as def, g.tgenabled,
               pg_catalog.obj_description(t.tgoid, 'pg_trigger') as comment
          from pg_temp.migrate_user_triggers(i_from) t join pg_catalog.pg_trigger g on g.oid = t.tgoid;
    alter schema pgq rename to pgq_migrating;
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

    -- Out with the new extension's empty objects ...
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
    -- The tables and sequences pg_dump keeps: the new extension's list, by name.
    update pg_catalog.pg_extension
       set extconfig = (select array_agg(name::pg_catalog.regclass::oid order by position) from migrate_config_dump),
           extcondition = (select array_agg(condition order by position) from migrate_config_dump)
     where extname = i_to;
    return next pg_temp.migrate_ms(t0) || format('swapped in %s table(s) and sequence(s) with their rows: %s',
                       (select count(*) from migrate_shared),
                       (select string_agg(relname, ', ' order by relname) from migrate_shared));
    -- Rows the new extension has no table for.
    for r in select c.relname from pg_catalog.pg_class c
              where c.relnamespace = 'pgq_migrating'::pg_catalog.regnamespace and c.relkind = 'r'
                and c.oid in (select objid from pg_temp.migrate_members(i_from))
    loop
        execute format('select count(*) from only pgq_migrating.%I', r.relname) into n;
        continue when n = 0;
        if not i_discard then
            raise exception 'pgq.% has % row(s) and extension % has no such table', r.relname, n, i_to
                using errcode = '55000';
        end if;
        return next pg_temp.migrate_ms(t0) || format('dropped %s row(s) of pgq.%s', n, r.relname);
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
-- left of the old extension (its functions, in schema pgq_migrating). Also
-- finishes a migration interrupted after its swap. NULL when there is
-- nothing to drop.
create function pg_temp.migrate_drop_old(i_from text) returns text as $$
begin
    if to_regnamespace('pgq_migrating') is null
       or to_regnamespace('pgq_migrating') not in (select objid from pg_temp.migrate_members(i_from)) then
        return null;
    end if;
    execute format('drop extension %I', i_from);
    return format('dropped extension %s (its functions, in schema pgq_migrating)', i_from);
end;
$$ language plpgsql
;
