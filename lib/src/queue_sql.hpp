// SPDX-License-Identifier: PostgreSQL
// The SQL libpgqpp sends: PgQ 3.5's API, plus pgqpp's additions where the
// server has them.
#pragma once

namespace pgqpp::detail::sql {

/// True when the server has pgqpp's additions (bulk insert, tick
/// notifications): pgq.insert_events exists only there.
inline constexpr const char* has_pgqpp_api =
    "select to_regprocedure('pgq.insert_events(text,text[],text[],text[],text[],text[],text[])')"
    " is not null";

inline constexpr const char* insert_event = "select pgq.insert_event($1, $2, $3, $4, $5, $6, $7)";

/// pgqpp's bulk path: a one-element type array applies to every event.
inline constexpr const char* insert_events =
    "select pgq.insert_events($1, $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
    " $7::text[])";

/// The same for PgQ 3.5: insert_event per array element, in array order,
/// in one statement (NULL extra arrays read as all NULL).
inline constexpr const char* insert_events_compat =
    "select count(pgq.insert_event($1, t.ty, t.d, t.e1, t.e2, t.e3, t.e4))"
    " from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])"
    " as t(ty, d, e1, e2, e3, e4)";

/// Delayed events (pgqpp 1.2): $2 is microseconds since the Unix epoch
/// (_at) or of delay after the statement (_after); the rest as above.
inline constexpr const char* insert_event_at =
    "select pgq.insert_event_at($1, 'epoch'::timestamptz + $2::int8 * interval '1 microsecond',"
    " $3, $4, $5, $6, $7, $8)";
inline constexpr const char* insert_event_after =
    "select pgq.insert_event_at($1, statement_timestamp() + $2::int8 * interval '1 microsecond',"
    " $3, $4, $5, $6, $7, $8)";
inline constexpr const char* insert_events_at =
    "select pgq.insert_events_at($1,"
    " array['epoch'::timestamptz + $2::int8 * interval '1 microsecond'], $3::text[], $4::text[],"
    " $5::text[], $6::text[], $7::text[], $8::text[])";
inline constexpr const char* insert_events_after =
    "select pgq.insert_events_at($1,"
    " array[statement_timestamp() + $2::int8 * interval '1 microsecond'], $3::text[], $4::text[],"
    " $5::text[], $6::text[], $7::text[], $8::text[])";

inline constexpr const char* register_consumer = "select pgq.register_consumer($1, $2)";
inline constexpr const char* unregister_consumer = "select pgq.unregister_consumer($1, $2)";
/// Bounded batches (pgqpp 1.2): pgq.set_consumer_config exists.
inline constexpr const char* has_consumer_config =
    "select to_regprocedure('pgq.set_consumer_config(text,text,text,text)') is not null";
/// Sets ($3: a positive integer) or clears ($3 NULL) max_batch_events.
inline constexpr const char* set_max_batch_events =
    "select pgq.set_consumer_config($1, $2, 'max_batch_events', $3)";

inline constexpr const char* queue_id = "select queue_id from pgq.queue where queue_name = $1";

/// The open (or next) batch, with the SELECT that reads it, in one round
/// trip. The limits are NULL when unused.
inline constexpr const char* next_batch =
    "select b.batch_id, b.cur_tick_id, b.prev_tick_id,"
    " case when b.batch_id is not null then pgq.batch_event_sql(b.batch_id) end"
    " from pgq.next_batch_custom($1, $2, $3::interval, $4::int4, $5::interval) b";

/// pgqpp 1.2's wait inside the server (for consumers behind a pooler).
inline constexpr const char* has_next_batch_wait =
    "select to_regprocedure('pgq.next_batch_wait(text,text,integer)') is not null";

/// Waits up to $3 ms for a batch inside the server, then returns it as
/// next_batch does (all NULL when none came). next_batch_info (which
/// returns the open batch, and is not called when none came) and
/// batch_event_sql take their own snapshots, which see the batch the wait
/// opened; OFFSET 0 keeps the wait a subquery that runs first. Not
/// get_batch_info: an SQL function, planned at every call (1.2 ms of the
/// 2.2 ms from a tick's commit to the consumer, measured 2026-12-07).
inline constexpr const char* next_batch_wait =
    "select w.id, i.cur_tick_id, i.prev_tick_id,"
    " case when w.id is not null then pgq.batch_event_sql(w.id) end"
    " from (select pgq.next_batch_wait($1, $2, $3::int4) as id offset 0) w"
    " left join lateral (select b.batch_id, b.cur_tick_id, b.prev_tick_id"
    "                      from pgq.next_batch_info($1, $2) b where w.id is not null) i"
    "   on i.batch_id = w.id";

/// Retries of one batch: parallel arrays of event ids and delays.
inline constexpr const char* event_retries =
    "select count(pgq.event_retry($1, t.id, t.s))"
    " from unnest($2::int8[], $3::int4[]) as t(id, s)";

/// Dead letters of one batch: parallel arrays of event ids and reasons
/// (pgqpp servers only).
inline constexpr const char* event_deads =
    "select count(pgq.event_dead($1, t.id, t.r))"
    " from unnest($2::int8[], $3::text[]) as t(id, r)";

inline constexpr const char* finish_batch = "select pgq.finish_batch($1)";

/// Cooperative consumers (pgq_coop): the same for a subconsumer ($3). The
/// batch comes from pgq_coop.next_batch_custom (its last argument: the dead
/// interval), its ticks from get_batch_info, as for next_batch_wait.
inline constexpr const char* coop_next_batch =
    "select w.id, i.tick_id, i.prev_tick_id,"
    " case when w.id is not null then pgq.batch_event_sql(w.id) end"
    " from (select pgq_coop.next_batch_custom($1, $2, $3, $4::interval, $5::int4,"
    "                                         $6::interval, $7::interval) as id offset 0) w"
    " left join lateral pgq.get_batch_info(w.id) i on true";
inline constexpr const char* coop_finish_batch = "select pgq_coop.finish_batch($1)";
inline constexpr const char* coop_register = "select pgq_coop.register_subconsumer($1, $2, $3)";
/// Unregistering drops an open batch (i_batch_handling 1), as
/// pgq.unregister_consumer does.
inline constexpr const char* coop_unregister =
    "select pgq_coop.unregister_subconsumer($1, $2, $3, 1)";

}  // namespace pgqpp::detail::sql
