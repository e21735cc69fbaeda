-- SPDX-License-Identifier: PostgreSQL
-- SQL-only replacements of 55_triggers.sql's C functions: pgq.logutriga,
-- pgq.sqltriga and pgq.jsontriga in PL/pgSQL, making the same events as the
-- extension's (extension/src/triggers/, docs/triggers.md): the same
-- arguments, checks, error texts, payload encodings and event fields.
-- Values are read in their text form (the type's output function, through
-- format('%s')), key and change checks from the catalog on every call.

-- Function: pgq._so_urlencode(s)
--   SQL-only helper: URL encoding as the triggers write it: letters, digits
--   and _.- kept, space as +, every other byte as %xx (lower-case hex).
create function pgq._so_urlencode(s text) returns text as $$
    select case when s ~ '^[0-9A-Za-z_.-]*$' then s else
        (select string_agg(case when c ~ '^[0-9A-Za-z_.-]$' then c
                                when c = ' ' then '+'
                                else regexp_replace(encode(convert_to(c, pg_catalog.getdatabaseencoding()), 'hex'),
                                                    '(..)', '%\1', 'g') end, '' order by i)
           from regexp_split_to_table(s, '') with ordinality t(c, i)) end;
$$ language sql immutable strict;

-- Function: pgq._so_split_names(list)
--   SQL-only helper: the names of an ignore= or pkey= list, separated by
--   commas and white space.
create function pgq._so_split_names(list text) returns text[] as $$
    select coalesce(array_agg(x order by i), '{}')
      from regexp_split_to_table(list, '[,\s]+') with ordinality t(x, i) where x <> '';
$$ language sql immutable strict;

-- Function: pgq._so_row_texts(i_row, i_columns)
--   SQL-only helper: the text forms of the row's columns named in
--   i_columns (NULL for NULL values), in that order.
create function pgq._so_row_texts(i_row record, i_columns text[]) returns text[] as $$
declare
    vals text[];
begin
    if cardinality(i_columns) = 0 then
        return '{}';
    end if;
    execute 'select array[' || (select string_agg(format(
            'case when num_nulls(($1).%1$I) = 1 then null else format(''%%s'', ($1).%1$I) end', c), ',' order by i)
          from unnest(i_columns) with ordinality t(c, i)) || ']::text[]'
        into vals using i_row;
    return vals;
end;
$$ language plpgsql stable;

-- Function: pgq._so_row_json(i_row, i_columns, i_types)
--   SQL-only helper: the row as jsontriga writes it: {"col":value,...} with
--   booleans and integers as JSON values, dates and timestamps in ISO 8601
--   and every other value as the string of its text form.
create function pgq._so_row_json(i_row record, i_columns text[], i_types oid[]) returns text as $$
declare
    res text;
begin
    if cardinality(i_columns) = 0 then
        return '{}';
    end if;
    execute 'select ''{'' || ' || (select string_agg(format('%L || ', to_json(c)::text || ':') || format(
            case when ty = 'bool'::regtype then
                     'case when num_nulls(($1).%1$I) = 1 then ''null'' when ($1).%1$I then ''true'' else ''false'' end'
                 when ty in ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) then
                     'case when num_nulls(($1).%1$I) = 1 then ''null'' else format(''%%s'', ($1).%1$I) end'
                 when ty in ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype) then
                     'coalesce(to_json(($1).%1$I)::text, ''null'')'
                 else
                     'case when num_nulls(($1).%1$I) = 1 then ''null'' else to_json(format(''%%s'', ($1).%1$I))::text end'
            end, c), ' || '','' || ' order by i)
          from unnest(i_columns, i_types) with ordinality t(c, ty, i)) || ' || ''}'''
        into res using i_row;
    return res;
end;
$$ language plpgsql stable;

-- Function: pgq._so_changed(i_old, i_new, i_columns, i_text_compare)
--   SQL-only helper: per column of i_columns, whether the UPDATE changed
--   it: NULL against a value, or "=" false (the text forms for types
--   without a plain "=": arrays, records, ...).
create function pgq._so_changed(i_old record, i_new record, i_columns text[], i_text_compare boolean[])
returns boolean[] as $$
declare
    res boolean[];
begin
    if cardinality(i_columns) = 0 then
        return '{}';
    end if;
    execute 'select array[' || (select string_agg(format(
            'case when num_nulls(($1).%1$I) + num_nulls(($2).%1$I) > 0'
            ' then num_nulls(($1).%1$I) <> num_nulls(($2).%1$I) else '
            || case when tc then 'format(''%%s'', ($1).%1$I) <> format(''%%s'', ($2).%1$I)'
                    else 'not (($1).%1$I = ($2).%1$I)' end || ' end', c), ',' order by i)
          from unnest(i_columns, i_text_compare) with ordinality t(c, tc, i)) || ']::boolean[]'
        into res using i_old, i_new;
    return res;
end;
$$ language plpgsql stable;

-- Function: pgq._so_expression(i_expr, i_row)
--   SQL-only helper: a when= or ev_*= expression over the row's columns
--   (bare column names resolve to the row's values): its text form, and
--   its type.
create function pgq._so_expression(i_expr text, i_row record, out value text, out type regtype) as $$
declare
    r record;
    n integer := 0;
    what text;
begin
    begin
        for r in execute 'select case when num_nulls(_x) = 1 then null else format(''%s'', _x) end as v,'
             || ' pg_typeof(_x) as t from (select (' || i_expr || E'\n) as _x from (select ($1).*) _row) _e'
            using i_row
        loop
            n := n + 1;
            value := r.v;
            type := r.t;
        end loop;
    exception when syntax_error then
        -- The scanner's errors for what the extension's tokenizer refuses.
        what := case when sqlerrm like 'unterminated quoted string%' then 'string constant'
                     when sqlerrm like 'unterminated quoted identifier%' then 'quoted identifier'
                     when sqlerrm like 'unterminated dollar-quoted string%' then 'dollar-quoted string'
                     when sqlerrm like 'unterminated /* comment%' then 'comment' end;
        if what is null then
            raise;
        end if;
        raise exception 'QB: syntax error' using errcode = '42601',
            detail = format('unterminated %s in "%s"', what, i_expr),
            hint = 'Check the quoting of the trigger''s when= and ev_*= expressions.';
    end;
    if n <> 1 then
        raise exception 'Expect 1 row from override query, got %', n using errcode = '21000',
            detail = format('Expression "%s" must give one value.', i_expr);
    end if;
end;
$$ language plpgsql;

-- Function: pgq._so_capture(...)
--   SQL-only helper: the body of the three triggers (trigger_functions.cpp):
--   the checks, the event in format i_format ('url', 'sql', 'json') and its
--   insert through pgq.insert_event. Returns whether the change is to be
--   skipped (the SKIP option).
create function pgq._so_capture(i_format text, i_fn text, i_when text, i_level text, i_op text,
    i_relid oid, i_schema text, i_table text, i_tgname text, i_args text[],
    i_new record, i_old record)
returns boolean as $$
declare
    full_name text := i_schema || '.' || i_table;
    truncate boolean := i_op = 'TRUNCATE';
    letter text := case i_op when 'INSERT' then 'I' when 'UPDATE' then 'U' when 'DELETE' then 'D' else 'R' end;
    queue text;
    arg text;
    skip boolean := false;
    backup boolean := false;
    deny boolean := false;
    ignore_opt text;
    pkey_opt text;
    when_expr text;
    field_expr text[] := array[null, null, null, null, null, null]::text[];
    field_names text[] := array['ev_type', 'ev_data', 'ev_extra1', 'ev_extra2', 'ev_extra3', 'ev_extra4'];
    f integer;
    taken boolean;
    cols text[];          -- live columns, in table order
    types oid[];
    text_cmp boolean[];
    is_key boolean[];
    is_skip boolean[];
    magic integer[];      -- event field (1..6) a magic column sets, else 0
    pk_names text[];
    pkey_list text;
    ignored text[];
    has_key boolean := false;
    payload_cols text[];
    payload_types oid[];
    ev text[] := array[null, null, null, null, null, null]::text[];
    row_vals text[];
    old_vals text[];
    changed boolean[];
    any_set boolean := false;
    skipped_changed boolean := false;
    other_changed boolean := false;
    data text := '';
    cond text;
    e record;
    i integer;
    the_row record;
    n integer;
begin
    if i_level <> 'ROW' and not truncate then
        raise exception 'pgq Ins/Upd/Del trigger must be fired FOR EACH ROW' using errcode = '39P01',
            detail = format('Trigger "%s" is a statement trigger.', i_tgname),
            hint = 'Create it FOR EACH ROW; only TRUNCATE triggers are FOR EACH STATEMENT.';
    end if;
    -- The arguments (trigger_args.cpp); TG_ARGV counts from 0.
    i_args := array(select unnest(i_args));
    if coalesce(cardinality(i_args), 0) = 0 then
        raise exception 'pgq trigger must have destination queue as argument' using errcode = '22023',
            detail = 'The trigger was created without arguments.',
            hint = 'Give the queue name as the first argument, e.g. EXECUTE FUNCTION pgq.logutriga(''queue_name'').';
    end if;
    queue := i_args[1];
    for a in 2 .. cardinality(i_args) loop
        arg := i_args[a];
        if arg = 'SKIP' then
            skip := true;
        elsif arg = 'backup' then
            backup := true;
        elsif arg = 'deny' then
            deny := true;
        elsif arg like 'ignore=%' then
            ignore_opt := substr(arg, 8);
        elsif arg like 'pkey=%' then
            pkey_opt := substr(arg, 6);
        else
            taken := false;
            if arg like 'when=%' then
                when_expr := coalesce(when_expr, substr(arg, 6));
                taken := true;
            else
                for f in 1 .. 6 loop
                    if left(arg, length(field_names[f]) + 1) = field_names[f] || '=' then
                        field_expr[f] := coalesce(field_expr[f], substr(arg, length(field_names[f]) + 2));
                        taken := true;
                        exit;
                    end if;
                end loop;
            end if;
            if taken and truncate then
                raise exception 'Custom expressions do not make sense for truncater trigger'
                    using errcode = '22023',
                    detail = format('Argument "%s" is an expression over the row; a TRUNCATE trigger has no row.', arg),
                    hint = 'Remove the argument, or use a separate trigger for TRUNCATE.';
            end if;
            if not taken then
                raise exception 'bad param to pgq trigger' using errcode = '22023',
                    detail = format('Trigger argument "%s" is not a known option.', arg),
                    hint = 'Trigger arguments are the queue name, then any of SKIP, backup, deny, '
                        || 'ignore=COLUMNS, pkey=COLUMNS, when=EXPR, ev_type=EXPR, ev_data=EXPR, '
                        || 'ev_extra1=EXPR .. ev_extra4=EXPR.';
            end if;
        end if;
    end loop;
    if truncate then
        if ignore_opt is not null then
            raise exception 'Column ignore does not make sense for truncate trigger' using errcode = '22023',
                detail = 'Option ignore= applies to rows; a TRUNCATE trigger has none.',
                hint = 'Remove the option, or use a separate trigger for TRUNCATE.';
        end if;
        if pkey_opt is not null then
            raise exception 'Custom pkey_list does not make sense for truncate trigger' using errcode = '22023',
                detail = 'Option pkey= applies to rows; a TRUNCATE trigger has none.',
                hint = 'Remove the option, or use a separate trigger for TRUNCATE.';
        end if;
        if backup then
            raise exception 'Backup does not make sense for truncate trigger' using errcode = '22023',
                detail = 'Option backup applies to rows; a TRUNCATE trigger has none.',
                hint = 'Remove the option, or use a separate trigger for TRUNCATE.';
        end if;
    end if;
    -- The table's columns, key and payload (table_meta.cpp, trigger_plan.cpp).
    select coalesce(array_agg(a.attname::text order by a.attnum), '{}'),
           coalesce(array_agg(a.atttypid order by a.attnum), '{}'),
           coalesce(array_agg(t.typcategory = 'A' or t.typtype not in ('b', 'e', 'r', 'm')
                              or not exists (select 1 from pg_catalog.pg_operator o
                                              where o.oprname = '=' and o.oprleft = a.atttypid
                                                and o.oprright = a.atttypid
                                                and o.oprresult = 'bool'::regtype)
                              order by a.attnum), '{}'),
           coalesce(array_agg(case when a.attname::text like '\_pgq\_ev\_%'
                                   then coalesce(array_position(array['_pgq_ev_type', '_pgq_ev_data',
                                            '_pgq_ev_extra1', '_pgq_ev_extra2', '_pgq_ev_extra3',
                                            '_pgq_ev_extra4'], a.attname::text), -1)
                                   else 0 end order by a.attnum), '{}')
      into cols, types, text_cmp, magic
      from pg_catalog.pg_attribute a join pg_catalog.pg_type t on t.oid = a.atttypid
     where a.attrelid = i_relid and a.attnum > 0 and not a.attisdropped;
    select coalesce(array_agg(a.attname::text order by k.ord), '{}') into pk_names
      from pg_catalog.pg_index x
      cross join lateral unnest(x.indkey[0:x.indnkeyatts - 1]) with ordinality k(attnum, ord)
      join pg_catalog.pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
     where x.indrelid = i_relid and x.indisprimary;
    n := cardinality(cols);
    is_key := array_fill(false, array[n]);
    is_skip := array_fill(false, array[n]);
    if pkey_opt is null then
        pkey_list := array_to_string(pk_names, ',');
        for i in 1 .. n loop
            is_key[i] := cols[i] = any(pk_names);
        end loop;
    else
        pkey_list := pkey_opt;
        foreach arg in array pgq._so_split_names(pkey_opt) loop
            i := array_position(cols, arg);
            if i is null then
                raise exception 'column "%" named in pkey= does not exist', arg using errcode = '42703',
                    detail = format('Table %s has no column "%s".', full_name, arg),
                    hint = 'List the table''s key columns in the trigger''s pkey= argument.';
            end if;
            is_key[i] := true;
        end loop;
    end if;
    ignored := coalesce(pgq._so_split_names(ignore_opt), '{}');
    payload_cols := '{}';
    payload_types := '{}';
    for i in 1 .. n loop
        if magic[i] <> 0 then
            is_key[i] := false;
        end if;
        has_key := has_key or is_key[i];
        is_skip[i] := magic[i] <> 0 or cols[i] = any(ignored);
        if not is_skip[i] then
            payload_cols := payload_cols || cols[i];
            payload_types := payload_types || types[i];
        end if;
    end loop;
    -- PgQ's checks, in PgQ's order.
    if i_op in ('UPDATE', 'DELETE') and not has_key then
        raise exception 'Update/Delete on table without pkey' using errcode = '55000',
            detail = format('Table %s has no primary key, and trigger "%s" names no pkey= columns.',
                            full_name, i_tgname),
            hint = 'Add a primary key to the table, or give the trigger a pkey= argument.';
    end if;
    if skip and i_when = 'AFTER' then
        raise exception 'SKIP does not work in AFTER trigger.' using errcode = '39P01',
            detail = format('Trigger "%s" is an AFTER trigger.', i_tgname),
            hint = 'Create the trigger BEFORE the change to skip it.';
    end if;
    if deny then
        raise exception 'Table ''%'' to queue ''%'': change not allowed (%)', full_name, queue, i_op
            using errcode = '09000', detail = format('Trigger "%s" has the deny option.', i_tgname);
    end if;
    the_row := case when i_op = 'DELETE' then i_old else i_new end;
    -- The payload (row_payload.cpp, sql_payload.cpp, row_changes.cpp).
    if i_op = 'UPDATE' then
        changed := pgq._so_changed(i_old, i_new, cols, text_cmp);
        for i in 1 .. n loop
            if changed[i] and (i_format = 'sql' or is_key[i] or ignore_opt is not null) then
                if is_key[i] then
                    raise exception 'primary key update not allowed' using errcode = '0A000',
                        detail = format('UPDATE changes key column "%s" of table %s.', cols[i], full_name),
                        hint = 'Delete the row and insert it with the new key instead.';
                end if;
                if is_skip[i] then
                    skipped_changed := true;
                else
                    other_changed := true;
                end if;
            end if;
        end loop;
        if i_format <> 'sql' and not other_changed and skipped_changed then
            return skip;
        end if;
    end if;
    if i_format = 'url' then
        if not truncate then
            row_vals := pgq._so_row_texts(the_row, payload_cols);
            data := coalesce((select string_agg(pgq._so_urlencode(c)
                                  || coalesce('=' || pgq._so_urlencode(v), ''), '&' order by k)
                                from unnest(payload_cols, row_vals) with ordinality t(c, v, k)), '');
        end if;
        ev[1] := letter || case when truncate then '' else ':' || pkey_list end;
    elsif i_format = 'json' then
        data := case when truncate then '{}' else pgq._so_row_json(the_row, payload_cols, payload_types) end;
        ev[1] := '{"op":"' || i_op || '","table":[' || to_json(i_schema)::text || ','
            || to_json(i_table)::text || '],"pkey":['
            || coalesce((select string_agg(to_json(k)::text, ',' order by o)
                           from unnest(case when pkey_list = '' then '{}'::text[]
                                            else string_to_array(pkey_list, ',') end)
                                with ordinality t(k, o)), '') || ']}';
    else
        ev[1] := letter;
        if i_op = 'INSERT' then
            row_vals := pgq._so_row_texts(the_row, payload_cols);
            data := '(' || coalesce((select string_agg(quote_ident(c), ',' order by k)
                                       from unnest(payload_cols) with ordinality t(c, k)), '')
                || ') values ('
                || coalesce((select string_agg(coalesce(quote_literal(v), 'null'), ',' order by k)
                               from unnest(row_vals) with ordinality t(v, k)), '') || ')';
        elsif i_op in ('UPDATE', 'DELETE') then
            old_vals := pgq._so_row_texts(case when i_op = 'UPDATE' then i_old else the_row end, cols);
            cond := '';
            for i in 1 .. n loop
                if is_key[i] then
                    if old_vals[i] is null then
                        raise exception 'logtriga: Unexpected NULL key value' using errcode = '22004',
                            detail = format('Key column "%s" of table %s is NULL.', cols[i], full_name),
                            hint = 'Key columns given with pkey= must not be NULL.';
                    end if;
                    cond := cond || case when cond = '' then '' else ' and ' end
                        || quote_ident(cols[i]) || '=' || quote_literal(old_vals[i]);
                end if;
            end loop;
            if i_op = 'DELETE' then
                data := cond;
            else
                row_vals := pgq._so_row_texts(i_new, cols);
                for i in 1 .. n loop
                    if changed[i] and not is_skip[i] then
                        data := data || case when any_set then ',' else '' end || quote_ident(cols[i])
                            || '=' || coalesce(quote_literal(row_vals[i]), 'NULL');
                        any_set := true;
                    end if;
                end loop;
                if not any_set then
                    if skipped_changed then
                        return skip;
                    end if;
                    i := array_position(is_key, true);
                    data := quote_ident(cols[i]) || '=' || quote_literal(old_vals[i]);
                end if;
                data := data || ' where ' || cond;
            end if;
        end if;
    end if;
    ev[2] := data;
    ev[3] := full_name;
    if backup and i_op = 'UPDATE' then
        if i_format = 'json' then
            ev[4] := pgq._so_row_json(i_old, payload_cols, payload_types);
        else
            old_vals := pgq._so_row_texts(i_old, payload_cols);
            ev[4] := coalesce((select string_agg(pgq._so_urlencode(c)
                                   || coalesce('=' || pgq._so_urlencode(v), ''), '&' order by k)
                                 from unnest(payload_cols, old_vals) with ordinality t(c, v, k)), '');
        end if;
    end if;
    -- Magic columns, then expressions (field_overrides.cpp).
    if not truncate then
        for i in 1 .. n loop
            if magic[i] = -1 then
                raise exception 'Unknown magic column: %', cols[i] using errcode = '42611',
                    detail = format('Columns named _pgq_ev_* of table %s set event fields.', full_name),
                    hint = 'Use _pgq_ev_type, _pgq_ev_data or _pgq_ev_extra1 .. _pgq_ev_extra4, or rename the column.';
            end if;
            if magic[i] > 0 then
                ev[magic[i]] := (pgq._so_row_texts(the_row, array[cols[i]]))[1];
            end if;
        end loop;
        for f in 1 .. 6 loop
            if field_expr[f] is not null then
                ev[f] := (pgq._so_expression(field_expr[f], the_row)).value;
            end if;
        end loop;
        if when_expr is not null then
            e := pgq._so_expression(when_expr, the_row);
            if e.type <> 'boolean'::regtype then
                raise exception 'when= query result must be boolean, got=%', e.type::oid
                    using errcode = '42804',
                    detail = format('Expression "%s" is of type %s.', when_expr, e.type);
            end if;
            if e.value is null then
                raise exception 'when= should not be NULL' using errcode = '22004',
                    detail = format('Expression "%s" gave NULL.', when_expr),
                    hint = 'Use coalesce() to decide what NULL means.';
            end if;
            if e.value <> 't' then
                return skip;
            end if;
        end if;
    end if;
    perform pgq.insert_event(queue, ev[1], ev[2], ev[3], ev[4], ev[5], ev[6]);
    return skip;
end;
$$ language plpgsql;

create function pgq.logutriga() returns trigger
as $$
declare
    skip boolean := false;
begin
    if current_setting('session_replication_role') <> 'local' then
        skip := pgq._so_capture('url', 'pgq.logutriga', TG_WHEN, TG_LEVEL, TG_OP, TG_RELID,
                                TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_NAME, TG_ARGV, NEW, OLD);
    end if;
    if TG_WHEN = 'AFTER' or skip or TG_LEVEL = 'STATEMENT' then
        return null;
    end if;
    if TG_OP = 'DELETE' then
        return OLD;
    end if;
    return NEW;
end;
$$ language plpgsql;

create function pgq.sqltriga() returns trigger
as $$
declare
    skip boolean := false;
begin
    if current_setting('session_replication_role') <> 'local' then
        skip := pgq._so_capture('sql', 'pgq.sqltriga', TG_WHEN, TG_LEVEL, TG_OP, TG_RELID,
                                TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_NAME, TG_ARGV, NEW, OLD);
    end if;
    if TG_WHEN = 'AFTER' or skip or TG_LEVEL = 'STATEMENT' then
        return null;
    end if;
    if TG_OP = 'DELETE' then
        return OLD;
    end if;
    return NEW;
end;
$$ language plpgsql;

create function pgq.jsontriga() returns trigger
as $$
declare
    skip boolean := false;
begin
    if current_setting('session_replication_role') <> 'local' then
        skip := pgq._so_capture('json', 'pgq.jsontriga', TG_WHEN, TG_LEVEL, TG_OP, TG_RELID,
                                TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_NAME, TG_ARGV, NEW, OLD);
    end if;
    if TG_WHEN = 'AFTER' or skip or TG_LEVEL = 'STATEMENT' then
        return null;
    end if;
    if TG_OP = 'DELETE' then
        return OLD;
    end if;
    return NEW;
end;
$$ language plpgsql;
