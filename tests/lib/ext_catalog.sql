-- SPDX-License-Identifier: PostgreSQL
-- The catalog of one extension, object by object, as sorted text lines: two
-- databases have the same extension schema exactly when this prints the
-- same. Run with psql -At -v ext=NAME (pgqpp or pgq). Covered: extension
-- membership; functions with their whole definition (body, language,
-- volatility, strictness, SECURITY DEFINER, SET search_path and other
-- proconfig entries), owner and grants; member relations with kind,
-- options, owner, grants, parents; their columns (logical order, type,
-- NOT NULL, default, collation, column grants), indexes, constraints,
-- triggers; sequences' parameters and owning columns; the schemas' owners
-- and grants; standalone types; comments; the tables pg_dump keeps
-- (pg_extension_config_dump) with their conditions. Not covered: data,
-- objects created at run time (queues' event tables and sequences), and
-- cluster-wide roles. With -v ext=sqlonly, the SQL-only edition's schemas
-- pgq and pgq_coop stand for the extension.
with ext as (
    select oid, extconfig, extcondition, extnamespace from pg_catalog.pg_extension
     where extname = :'ext'
), member as (
    select d.classid, d.objid, d.objsubid
      from pg_catalog.pg_depend d, ext
     where d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
       and d.refobjid = ext.oid and d.deptype = 'e'
    union all
    -- ext=sqlonly, the SQL-only edition: no extension; its objects are
    -- schemas pgq and pgq_coop with their relations, functions and types,
    -- less the queues' event tables and sequences (made at run time).
    select 'pg_catalog.pg_namespace'::pg_catalog.regclass, n.oid, 0
      from pg_catalog.pg_namespace n
     where :'ext' = 'sqlonly' and n.nspname in ('pgq', 'pgq_coop')
    union all
    select 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid, 0
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where :'ext' = 'sqlonly' and n.nspname in ('pgq', 'pgq_coop')
       and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f', 'c') and c.relname !~ '^event_[0-9]+'
    union all
    select 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, 0
      from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
     where :'ext' = 'sqlonly' and n.nspname in ('pgq', 'pgq_coop')
), member_rel as (
    select c.* from pg_catalog.pg_class c
     where c.oid in (select objid from member where classid = 'pg_catalog.pg_class'::pg_catalog.regclass)
), member_nsp as (
    select n.* from pg_catalog.pg_namespace n
     where n.oid in (select objid from member where classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass)
), lines as (
    select 'member: ' || pg_catalog.pg_describe_object(classid, objid, objsubid) as line from member
    union all
    select 'schema: ' || n.nspname || ' owner ' || pg_catalog.pg_get_userbyid(n.nspowner)
           || ' acl ' || coalesce(n.nspacl::text, 'default')
      from member_nsp n
    union all
    select 'function: ' || p.oid::pg_catalog.regprocedure::text
           || ' owner ' || pg_catalog.pg_get_userbyid(p.proowner)
           || ' acl ' || coalesce(p.proacl::text, 'default')
           || ' security_definer ' || p.prosecdef::text
           || ' config ' || coalesce(p.proconfig::text, 'none')
           || E'\n' || pg_catalog.pg_get_functiondef(p.oid)
      from pg_catalog.pg_proc p
     where p.pronamespace in (select oid from member_nsp) and p.prokind in ('f', 'p')
    union all
    select 'relation: ' || c.oid::pg_catalog.regclass::text || ' kind ' || c.relkind::text
           || ' persistence ' || c.relpersistence::text
           || ' owner ' || pg_catalog.pg_get_userbyid(c.relowner)
           || ' acl ' || coalesce(c.relacl::text, 'default')
           || ' options ' || coalesce(c.reloptions::text, 'none')
           || ' rls ' || c.relrowsecurity::text
           || ' parents ' || coalesce((select pg_catalog.string_agg(i.inhparent::pg_catalog.regclass::text, ','
                                                                   order by i.inhseqno)
                                         from pg_catalog.pg_inherits i where i.inhrelid = c.oid), 'none')
      from member_rel c
    union all
    select 'column: ' || c.oid::pg_catalog.regclass::text || ' #'
           || pg_catalog.row_number() over (partition by c.oid order by a.attnum)
           || ' ' || pg_catalog.quote_ident(a.attname)
           || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
           || case when a.attnotnull then ' not null' else '' end
           || coalesce(' default ' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '')
           || case when a.attidentity <> '' then ' identity ' || a.attidentity::text else '' end
           || case when a.attgenerated <> '' then ' generated ' || a.attgenerated::text else '' end
           || case when a.attcollation <> 0 then ' collate ' || a.attcollation::pg_catalog.regcollation::text else '' end
           || ' acl ' || coalesce(a.attacl::text, 'default')
      from member_rel c
      join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      left join pg_catalog.pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
     where c.relkind in ('r', 'p', 'v', 'm', 'f', 'c')
    union all
    select 'index: ' || pg_catalog.pg_get_indexdef(i.indexrelid)
      from pg_catalog.pg_index i join member_rel c on c.oid = i.indrelid
    union all
    select 'constraint: ' || c.oid::pg_catalog.regclass::text || ' ' || pg_catalog.quote_ident(k.conname)
           || ' ' || pg_catalog.pg_get_constraintdef(k.oid)
           || case when k.condeferrable then ' deferrable' else '' end
      from pg_catalog.pg_constraint k join member_rel c on c.oid = k.conrelid
    union all
    select 'trigger: ' || pg_catalog.pg_get_triggerdef(t.oid)
           || ' enabled ' || t.tgenabled::text
      from pg_catalog.pg_trigger t join member_rel c on c.oid = t.tgrelid
     where not t.tgisinternal
    union all
    select 'sequence: ' || c.oid::pg_catalog.regclass::text
           || ' type ' || s.seqtypid::pg_catalog.regtype::text
           || ' start ' || s.seqstart || ' increment ' || s.seqincrement
           || ' min ' || s.seqmin || ' max ' || s.seqmax || ' cache ' || s.seqcache
           || ' cycle ' || s.seqcycle::text
           || coalesce(' owned by ' || (select d.refobjid::pg_catalog.regclass::text || '.' || a.attname
                                          from pg_catalog.pg_depend d
                                          join pg_catalog.pg_attribute a
                                            on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
                                         where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                           and d.objid = c.oid and d.deptype in ('a', 'i')
                                           and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                           and d.refobjsubid > 0), '')
      from member_rel c join pg_catalog.pg_sequence s on s.seqrelid = c.oid
    union all
    select 'type: ' || t.oid::pg_catalog.regtype::text || ' kind ' || t.typtype::text
           || ' owner ' || pg_catalog.pg_get_userbyid(t.typowner)
           || ' acl ' || coalesce(t.typacl::text, 'default')
      from pg_catalog.pg_type t
     where t.typnamespace in (select oid from member_nsp)
       and (t.typrelid = 0 or (select c.relkind from pg_catalog.pg_class c where c.oid = t.typrelid) = 'c')
       and t.typelem = 0
    union all
    select 'comment: ' || pg_catalog.pg_describe_object(d.classoid, d.objoid, d.objsubid) || ': ' || d.description
      from pg_catalog.pg_description d
     where (d.classoid, d.objoid) in (select classid, objid from member)
    union all
    select 'config_dump: ' || x.tab::pg_catalog.regclass::text || ' where ' || coalesce(x.cond, '')
      from ext, unnest(ext.extconfig, ext.extcondition) as x(tab, cond)
)
select line from lines order by line collate "C";
