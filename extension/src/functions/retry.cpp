// SPDX-License-Identifier: PostgreSQL
// Retries: a consumer puts events aside (event_retry, batch_retry) into
// pgq.retry_queue; maintenance (maint_retry_events) moves due ones back into
// their queue, owned by that consumer only, with ev_retry already counted.
// With the queue setting max_retries = N, an event already retried N times
// goes to the consumer's dead letters instead (dead_letter.hpp).
#include <optional>
#include <string>

#include "functions/dead_letter.hpp"
#include "functions/event_writer.hpp"
#include "functions/open_batch.hpp"
#include "functions/queue_cache.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

namespace pgqpp::ext {
namespace {

SPIPlanPtr due_plan = nullptr;

// The INSERT into pgq.retry_queue of the batch's events that pass
// `event_filter` (a WHERE clause on e, or empty), skipping events already
// waiting there. $1 = retry time.
std::string retry_insert_sql(const OpenBatch& b, const std::string& event_filter) {
  return "insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_txid,"
         " ev_owner, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)"
         " select $1, " +
         std::to_string(b.queue_id) + ", e.ev_id, e.ev_time, null, " + std::to_string(b.sub_id) +
         ", coalesce(e.ev_retry, 0) + 1, e.ev_type, e.ev_data,"
         " e.ev_extra1, e.ev_extra2, e.ev_extra3, e.ev_extra4"
         " from (" +
         b.events_sql + ") e " + event_filter + " on conflict (ev_owner, ev_id) do nothing";
}

uint64 run_with_params(const std::string& sql, int nargs, Oid* types, Datum* values) {
  int rc = pg_call(
      [&] { return SPI_execute_with_args(sql.c_str(), nargs, types, values, nullptr, false, 0); });
  if (rc < 0) throw Error(ERRCODE_INTERNAL_ERROR, "retry insert failed");
  return SPI_processed;
}

// Puts the batch's events matching `condition` (an SQL condition on e, or
// empty for all) aside: into the retry queue, or, for those past the queue's
// max_retries, into the dead letters. Returns how many were put aside.
uint64 retry_or_bury(const OpenBatch& b, const std::string& condition, Datum retry_time) {
  std::optional<int32> max = queue_max_retries(b.queue_id);
  std::string retry_filter = condition;
  uint64 dead = 0;
  if (max) {
    std::string tries = "coalesce(e.ev_retry, 0)";
    std::string past = tries + " >= " + std::to_string(*max);
    dead = bury_events(b, condition.empty() ? past : condition + " and " + past,
                       "max_retries (" + std::to_string(*max) + ") reached");
    std::string within = tries + " < " + std::to_string(*max);
    retry_filter = condition.empty() ? within : condition + " and " + within;
  }
  Oid types[1] = {TIMESTAMPTZOID};
  std::string where = retry_filter.empty() ? "" : "where " + retry_filter;
  return dead + run_with_params(retry_insert_sql(b, where), 1, types, &retry_time);
}

// event_retry's body for a given retry time; returns 1, or 0 when the event
// already waits for a retry.
int32 retry_event(int64 batch_id, int64 event_id, Datum retry_time) {
  spi::Session session;
  auto b = load_open_batch(batch_id);
  if (!b)
    throw Error(ERRCODE_UNDEFINED_OBJECT, "event not found",
                "No consumer has batch " + std::to_string(batch_id) + " open.");
  // Is the event in the batch at all?
  std::string probe =
      "select 1 from (" + b->events_sql + ") e where e.ev_id = " + std::to_string(event_id);
  if (spi::execute(probe.c_str(), true, 1) == 0)
    throw Error(
        ERRCODE_UNDEFINED_OBJECT, "event not found",
        "Event " + std::to_string(event_id) + " is not in batch " + std::to_string(batch_id) + ".");
  return retry_or_bury(*b, "e.ev_id = " + std::to_string(event_id), retry_time) > 0 ? 1 : 0;
}

Datum now_plus_seconds(int32 seconds) {
  TimestampTz t =
      GetCurrentTransactionStartTimestamp() + static_cast<int64>(seconds) * USECS_PER_SEC;
  return TimestampTzGetDatum(t);
}

}  // namespace
}  // namespace pgqpp::ext

using namespace pgqpp::ext;

/// pgq.event_retry(batch_id, event_id, retry_time timestamptz) -> integer.
PGQPP_FUNCTION(pgqpp_event_retry_time) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
    throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "event_retry arguments must not be NULL");
  PG_RETURN_INT32(retry_event(PG_GETARG_INT64(0), PG_GETARG_INT64(1), PG_GETARG_DATUM(2)));
}

/// pgq.event_retry(batch_id, event_id, retry_seconds integer) -> integer.
PGQPP_FUNCTION(pgqpp_event_retry_seconds) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
    throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "event_retry arguments must not be NULL");
  PG_RETURN_INT32(
      retry_event(PG_GETARG_INT64(0), PG_GETARG_INT64(1), now_plus_seconds(PG_GETARG_INT32(2))));
}

/// pgq.batch_retry(batch_id, retry_seconds) -> integer: puts every event of
/// the batch aside; returns how many were added to the retry queue.
PGQPP_FUNCTION(pgqpp_batch_retry) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
    throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "batch_retry arguments must not be NULL");
  int64 batch_id = PG_GETARG_INT64(0);
  Datum when = now_plus_seconds(PG_GETARG_INT32(1));
  uint64 n;
  {
    spi::Session session;
    auto b = load_open_batch(batch_id);
    if (!b)
      throw Error(ERRCODE_UNDEFINED_OBJECT,
                  "batch_retry: batch " + std::to_string(batch_id) + " not found");
    n = retry_or_bury(*b, "", when);
  }
  PG_RETURN_INT32(static_cast<int32>(n));
}

namespace pgqpp::ext {
namespace {

// Re-inserts one due retry row (current SPI result row `i`) into its queue.
// It keeps its ev_id, but takes one from the queue's sequence all the same,
// as PgQ's move through insert_event_raw does: ids after a retry move are
// numbered as in PgQ, and the ticker sees that events arrived. Owns no C++
// objects: PostgreSQL errors may pass through.
void move_back(const QueueInfo& q, SPITupleTable* rows, uint64 i) {
  next_event_id(q.event_seq);
  EventRow row;
  for (int c = 0; c < kEventColumns; ++c)
    row.values[c] = SPI_getbinval(rows->vals[i], rows->tupdesc, c + 2, &row.nulls[c]);
  row.values[kEvTxid] = Int64GetDatum(current_txid());
  row.nulls[kEvTxid] = false;
  EventWriter w;
  event_writer_open(&w, q.event_table, false);
  event_writer_write(&w, &row);
  event_writer_close(&w);
}

}  // namespace
}  // namespace pgqpp::ext

/// pgq.maint_retry_events() -> integer: moves due retry events back into their
/// queues (up to 1000 per call; call again while it returns > 0).
PGQPP_FUNCTION(pgqpp_maint_retry_events) {
  spi::Session session;
  spi::execute("lock table pgq.retry_queue in share update exclusive mode", false);
  SPIPlanPtr plan = spi::prepare(
      due_plan,
      "with due as (select ev_owner, ev_id from pgq.retry_queue"
      "              where ev_retry_after <= current_timestamp"
      "              order by ev_retry_after limit 1000)"
      " delete from pgq.retry_queue r using due, pgq.queue q"
      "  where r.ev_owner = due.ev_owner and r.ev_id = due.ev_id and q.queue_id = r.ev_queue"
      " returning q.queue_name, r.ev_id, r.ev_time, r.ev_txid, r.ev_owner, r.ev_retry,"
      "           r.ev_type, r.ev_data, r.ev_extra1, r.ev_extra2, r.ev_extra3, r.ev_extra4",
      {});
  uint64 n = spi::execute(plan, nullptr, nullptr, false, 0);
  SPITupleTable* rows = SPI_tuptable;
  for (uint64 i = 0; i < n; ++i) {
    char* name = pg_call([&] { return SPI_getvalue(rows->vals[i], rows->tupdesc, 1); });
    QueueInfo q = queue_for_insert(name);
    pg_call([&] { move_back(q, rows, i); });
  }
  PG_RETURN_INT32(static_cast<int32>(n));
}
