-- SPDX-License-Identifier: PostgreSQL
-- Roles: pgq_reader consumes, pgq_writer produces, pgq_admin administers;
-- an ordinary role can only look.
\set SHOW_CONTEXT never
create extension pgqpp;
select pgq.create_queue('qg');
select pgq.set_queue_config('qg', 'ticker_max_count', '1');
create role regress_reader login in role pgq_reader;
create role regress_writer login in role pgq_writer;
create role regress_admin login in role pgq_admin;
create role regress_nobody login;

set role regress_writer;
select pgq.insert_event('qg', 't', 'from writer') > 0 as inserted;
select pgq.insert_events('qg', array['t'], array['bulk from writer']);
select pgq.current_event_table('qg');
select try($$select pgq.register_consumer('qg', 'w')$$);
select try($$select pgq.create_queue('by_writer')$$);
select try($$select pgq.ticker()$$);
select try($$insert into pgq.event_1_0 (ev_id, ev_time) values (1, now())$$);
reset role;

set role regress_reader;
select pgq.register_consumer('qg', 'r');
select try($$select pgq.insert_event('qg', 't', 'from reader')$$);
select try($$select pgq.create_queue('by_reader')$$);
select try($$select pgq.drop_queue('qg')$$);
select try($$select pgq.ticker('qg')$$);
select try($$select pgq.set_queue_config('qg', 'ticker_max_count', '5')$$);
reset role;

set role regress_admin;
select pgq.ticker('qg') is not null as ticked;
select pgq.create_queue('by_admin');
select pgq.insert_event_raw('qg', null, null, null, null, 't', 'raw by admin', null, null, null, null) > 0;
select pgq.maint_retry_events();
reset role;

set role regress_reader;
select pgq.next_batch('qg', 'r');
select ev_data from pgq.get_batch_events(1) order by ev_id;
select pgq.event_retry(1, 1, 0);
select pgq.finish_batch(1);
select consumer_name from pgq.get_consumer_info('qg');
select count(*) >= 0 as can_read_status from pgq.get_queue_info();
select count(*) > 0 as can_read_event_tables from pgq.event_1;
select pgq.unregister_consumer('qg', 'r');
reset role;

set role regress_nobody;
select count(*) as queues_visible from pgq.queue;
select pgq.version();
select try($$select pgq.insert_event('qg', 't', 'x')$$);
select try($$select pgq.register_consumer('qg', 'n')$$);
select try($$select count(*) from pgq.event_1$$);
select try($$select count(*) from pgq.retry_queue$$);
reset role;

-- Function privileges as PgQ 3.5 grants them (spot checks of each group).
select r.rolname, p.oid::regprocedure as function, has_function_privilege(r.rolname, p.oid, 'execute') as can_execute
  from (values ('regress_nobody'), ('regress_reader'), ('regress_writer'), ('regress_admin')) as r(rolname),
       pg_proc p
 where p.oid in ('pgq.insert_event(text,text,text)'::regprocedure, 'pgq.next_batch(text,text)'::regprocedure,
                 'pgq.ticker()'::regprocedure, 'pgq.get_queue_info()'::regprocedure,
                 'pgq.create_queue(text)'::regprocedure, 'pgq.insert_events(text,text[],text[],text[],text[],text[],text[])'::regprocedure)
 order by r.rolname, p.oid::regprocedure::text;

drop extension pgqpp cascade;
drop role regress_reader, regress_writer, regress_admin, regress_nobody;
