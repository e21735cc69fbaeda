-- SPDX-License-Identifier: PostgreSQL
-- The database a `pgqpp migrate` test moves under load
-- (tests/lib/migrate_load.sh), on PgQ 3.5 or the SQL-only edition: queues
-- qa and qb; on qa a consumer that will hold a batch open across the
-- migration (c_open), one with pending retries (c_retry), one consuming all
-- along (c_live); on qb a consumer (c_b) of a table's logutriga trigger.
-- `readers` lists who must get every committed event (a test adds its own,
-- a cooperative consumer by the subconsumer that reads the rest), `not_for`
-- the events one of them must not get (a dead letter).
select pgq.create_queue('qa'), pgq.create_queue('qb');
select pgq.register_consumer('qa', c) from unnest(array['c_open', 'c_retry', 'c_live']) c;
select pgq.register_consumer('qb', 'c_b');
select pgq.set_queue_config(q, 'ticker_max_lag', '0.05') from unnest(array['qa', 'qb']) q;
create table readers (queue text, consumer text, sub text);
insert into readers values ('qa', 'c_open', null), ('qa', 'c_retry', null), ('qa', 'c_live', null),
                           ('qb', 'c_b', null);
create table not_for (consumer text, id bigint);
create sequence produced_seq;
create table produced (queue text, id bigint primary key);
create table orders (id bigint primary key, note text);
create trigger orders_to_qb after insert on orders for each row execute function pgq.logutriga('qb');
create table got (consumer text, queue text, id bigint, batch bigint, phase text);
-- One event into qa (pgq.insert_event) or qb (the trigger), recorded in
-- `produced` by the same transaction.
create function produce(i_q int) returns void language plpgsql as $$
declare
    id bigint := nextval('produced_seq');
begin
    if i_q = 1 then
        perform pgq.insert_event('qa', 'e', id::text);
        insert into produced values ('qa', id);
    else
        insert into orders values (id, 'n' || id);
        insert into produced values ('qb', id);
    end if;
end $$;
create function event_id(i_queue text, i_data text) returns bigint language sql as $$
    select case when i_queue = 'qa' then i_data::bigint
                else substring(i_data from '(?:^|&)id=([0-9]+)')::bigint end
$$;
-- One batch of consumer i_consumer (subconsumer i_sub of a cooperative
-- one when given): finished and recorded in `got` (returns its id), or
-- left open and not recorded ('open'), or finished with every event whose
-- id ends in 0 or 5 put aside for retry ('retry'; those are not recorded
-- now).
create function consume(i_queue text, i_consumer text, i_phase text, i_how text default 'finish',
                        i_sub text default null)
returns bigint language plpgsql as $$
declare
    b bigint;
begin
    if i_sub is null then
        b := pgq.next_batch(i_queue, i_consumer);
    else
        b := pgq_coop.next_batch(i_queue, i_consumer, i_sub);
    end if;
    if b is null or i_how = 'open' then
        return b;
    end if;
    insert into got select i_consumer, i_queue, event_id(i_queue, ev_data), b, i_phase
      from pgq.get_batch_events(b)
     where i_how <> 'retry' or event_id(i_queue, ev_data) % 5 <> 0;
    if i_how = 'retry' then
        perform pgq.event_retry(b, ev_id, 0) from pgq.get_batch_events(b)
          where event_id(i_queue, ev_data) % 5 = 0;
    end if;
    if i_sub is null then
        perform pgq.finish_batch(b);
    else
        perform pgq_coop.finish_batch(b);
    end if;
    return b;
end $$;
-- Every batch ready for a consumer, in one call (one transaction).
create function drain(i_queue text, i_consumer text, i_sub text default null) returns integer
language plpgsql as $$
declare
    n integer := 0;
begin
    while consume(i_queue, i_consumer, 'drain', 'finish', i_sub) is not null loop
        n := n + 1;
    end loop;
    return n;
end $$;
