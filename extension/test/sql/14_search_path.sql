-- SPDX-License-Identifier: PostgreSQL
-- SECURITY DEFINER functions run as their owner with the caller's
-- search_path unless they fix it. A pgq_reader or pgq_writer who can create
-- objects in public (or who creates temporary ones) and puts them first on
-- the path must not get its objects used by pgq's functions: each attacking
-- object writes current_user into public.hijack_log when it runs; anything
-- logged as another user than the attacker means the attack worked. Every
-- SECURITY DEFINER function of pgq is called below.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('qh');
select pgq.set_queue_config('qh', 'ticker_max_count', '1');

-- Every SECURITY DEFINER function sets search_path, except the three insert
-- functions, which resolve by OID (docs/internals.md, "search_path").
select p.oid::regprocedure::text as function,
       coalesce(array_to_string(p.proconfig, ';'), '-') as config
  from pg_proc p
 where p.pronamespace = 'pgq'::regnamespace and p.prosecdef
 order by 1;

create role hijack_reader login in role pgq_reader;
create role hijack_writer login in role pgq_writer;
grant create on schema public to hijack_reader, hijack_writer;
create table public.hijack_log (who name, what text);
grant select, insert on public.hijack_log to public;

-- The attacker's objects in public, named like what pgq's functions use;
-- each logs and then does what the real one does.
set role hijack_reader;
create function public.hijack(what text) returns boolean language plpgsql as $$
begin
    insert into public.hijack_log values (current_user, what);
    return true;
end $$;
create function public.h_texteq(a text, b text) returns boolean language plpgsql as $$
begin perform public.hijack('operator text = text'); return a operator(pg_catalog.=) b; end $$;
create operator public.= (leftarg = text, rightarg = text, function = public.h_texteq);
create function public.h_int4eq(a int4, b int4) returns boolean language plpgsql as $$
begin perform public.hijack('operator int4 = int4'); return a operator(pg_catalog.=) b; end $$;
create operator public.= (leftarg = int4, rightarg = int4, function = public.h_int4eq);
create function public.h_int8eq(a int8, b int8) returns boolean language plpgsql as $$
begin perform public.hijack('operator int8 = int8'); return a operator(pg_catalog.=) b; end $$;
create operator public.= (leftarg = int8, rightarg = int8, function = public.h_int8eq);
create function public.h_textcat(a text, b text) returns text language plpgsql as $$
begin perform public.hijack('operator text || text'); return a operator(pg_catalog.||) b; end $$;
create operator public.|| (leftarg = text, rightarg = text, function = public.h_textcat);
create function public.h_textcat_int(a text, b int4) returns text language plpgsql as $$
begin perform public.hijack('operator text || int4'); return a operator(pg_catalog.||) b::text; end $$;
create operator public.|| (leftarg = text, rightarg = int4, function = public.h_textcat_int);
create function public.now() returns timestamptz language plpgsql as $$
begin perform public.hijack('now()'); return pg_catalog.now(); end $$;
create function public.nextval(seq text) returns bigint language plpgsql as $$
begin perform public.hijack('nextval(text)'); return pg_catalog.nextval(seq::pg_catalog.regclass); end $$;
create function public.quote_ident(t text) returns text language plpgsql as $$
begin perform public.hijack('quote_ident(text)'); return pg_catalog.quote_ident(t); end $$;
create function public.txid_current() returns bigint language plpgsql as $$
begin perform public.hijack('txid_current()'); return pg_catalog.txid_current(); end $$;
create domain public.regclass as pg_catalog.regclass check (public.hijack('type regclass'));
reset role;

-- The reader's attack: temporary relations named like pgq's tables, first on
-- the path, then public before pg_catalog.
set role hijack_reader;
create temp view queue as select * from pgq.queue where public.hijack('temp view queue');
create temp view consumer as select * from pgq.consumer where public.hijack('temp view consumer');
create temp view subscription as select * from pgq.subscription where public.hijack('temp view subscription');
create temp view tick as select * from pgq.tick where public.hijack('temp view tick');
create temp table retry_queue (ev_retry_after timestamptz, ev_queue int4, ev_id bigint, ev_time timestamptz,
    ev_txid bigint, ev_owner int4, ev_retry int4, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text);
create function public.h_trigger() returns trigger language plpgsql as $$
begin perform public.hijack('temp table ' || tg_table_name); return null; end $$;
create trigger h before insert or update or delete on retry_queue
    for each row execute function public.h_trigger();
set search_path = pg_temp, public, pg_catalog;
select pgq.register_consumer('qh', 'attacker');
select pgq.register_consumer_at('qh', 'attacker2', null);
select queue_name, consumer_name, current_batch from pgq.get_consumer_info('qh');
select count(*) from pgq.get_consumer_info('qh', 'attacker');
select count(*) from pgq.get_consumer_info();
select pgq.next_batch('qh', 'attacker') is null as no_batch_yet;
select * from pgq.get_consumer_config('qh', 'attacker');
reset search_path;
reset role;

-- The writer's attack, on an insert path this backend has not cached yet.
set role hijack_writer;
create temp table event_1_0 (ev_retry_after timestamptz, ev_queue int4, ev_id bigint, ev_time timestamptz,
    ev_txid bigint, ev_owner int4, ev_retry int4, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text);
create trigger h before insert on event_1_0 for each row execute function public.h_trigger();
set search_path = pg_temp, public, pg_catalog;
select pgq.insert_event('qh', 'type', 'one') > 0 as inserted;
select pgq.insert_event('qh', 'type', 'two', 'x1', 'x2', 'x3', 'x4') > 0 as inserted;
select pgq.insert_events('qh', array['type'], array['three', 'four']);
reset search_path;
reset role;

select pgq.ticker('qh') is not null as ticked;

-- The reader again: a batch, a retry, and its end.
set role hijack_reader;
set search_path = pg_temp, public, pg_catalog;
select pgq.next_batch('qh', 'attacker') as batch \gset
select batch_id = :batch as same_batch, cur_tick_id is not null as has_tick
  from pgq.next_batch_info('qh', 'attacker');
select batch_id = :batch as same_batch from pgq.next_batch_custom('qh', 'attacker', null, null, null);
select ev_type, ev_data, ev_extra1 from pgq.get_batch_events(:batch) order by ev_id;
select queue_name, consumer_name from pgq.get_batch_info(:batch);
select pgq.event_retry(:batch, (select min(ev_id) from pgq.get_batch_events(:batch)), 60);
select pgq.event_retry(:batch, (select max(ev_id) from pgq.get_batch_events(:batch)), now() + interval '1 minute');
select pgq.batch_retry(:batch, 60);
select pgq.finish_batch(:batch);
select pgq.unregister_consumer('qh', 'attacker2');
select pgq.force_tick('qh') is not null as forced;
reset search_path;
reset role;

-- An admin (not a superuser, unlike the functions' owner) tries the same on
-- the functions only pgq_admin may call.
create role hijack_admin login in role pgq_admin;
set role hijack_admin;
set search_path = pg_temp, public, pg_catalog;
select pgq.create_queue('qa');
select pgq.set_queue_config('qa', 'ticker_max_count', '2');
select pgq.grant_perms('qa');
select pgq.register_consumer('qa', 'cfg');
select pgq.set_consumer_config('qa', 'cfg', 'max_batch_events', '5');
select * from pgq.get_consumer_config('qa', 'cfg');
select (pgq.ticker('qa') is null) is not null as called;
select pgq.ticker() >= 0 as ticked_all;
select count(*) >= 0 as woken from pgq.wakeup_ticker(0, 5);
select pgq.set_queue_config('qa', 'external_ticker', 'true');
select pgq.ticker('qa', 1000, now(), 10);
select pgq.event_retry_raw('qh', 'attacker', now(), null, now(), 0, 't', 'raw', null, null, null, null) > 0 as raw_retry;
select pgq.drop_queue('qa', true);
reset search_path;
reset role;

-- The events and the retries went where they belong.
select count(*) as retries from pgq.retry_queue;
select queue_name from pgq.queue order by 1;
select ev_data from pgq.event_template order by ev_id;

-- Nothing of the attacker's ran as anyone else.
select distinct who, what from public.hijack_log
 where who not in ('hijack_reader', 'hijack_writer', 'hijack_admin') order by 1, 2;
-- And the attack is real: called directly, the attacker's objects do run.
set role hijack_reader;
set search_path = public, pg_catalog;
select 'a'::text = 'a'::text as eq, now() is not null as now;
reset search_path;
reset role;
select distinct who, what from public.hijack_log order by 1, 2;

drop extension pgqpp cascade;
drop table public.hijack_log;
drop owned by hijack_reader, hijack_writer, hijack_admin cascade;
revoke create on schema public from hijack_reader, hijack_writer;
drop role hijack_reader;
drop role hijack_writer;
drop role hijack_admin;
