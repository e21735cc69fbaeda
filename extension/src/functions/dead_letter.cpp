// SPDX-License-Identifier: PostgreSQL
// Dead letters from C++: see dead_letter.hpp. pgq.event_dead lives here;
// listing, replay and purge are PL/pgSQL (sql/72_dead_letters.sql).
#include "functions/dead_letter.hpp"

#include "functions/schema_objects.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

namespace pgqpp::ext {
namespace {

SPIPlanPtr max_retries_plan = nullptr;

// The INSERT of the batch's events matching `condition` into the consumer's
// dead letters. $1 = the reason. Events already dead are left as they are.
std::string bury_sql(const OpenBatch& b, const std::string& condition, bool skip_waiting) {
  std::string sub = std::to_string(b.sub_id);
  std::string sql =
      "insert into pgq.dead_letter (dead_time, dead_reason, ev_queue, ev_id, ev_time, ev_txid,"
      " ev_owner, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)"
      " select now(), $1, " +
      std::to_string(b.queue_id) + ", e.ev_id, e.ev_time, e.ev_txid, " + sub +
      ", e.ev_retry, e.ev_type, e.ev_data, e.ev_extra1, e.ev_extra2, e.ev_extra3, e.ev_extra4"
      " from (" +
      b.events_sql + ") e where " + condition;
  if (skip_waiting)
    sql += " and not exists (select 1 from pgq.retry_queue r where r.ev_owner = " + sub +
           " and r.ev_id = e.ev_id)";
  return sql + " on conflict (ev_owner, ev_id) do nothing";
}

uint64 run_bury(const std::string& sql, const std::string& reason, bool reason_null) {
  Oid types[1] = {TEXTOID};
  Datum values[1] = {reason_null ? Datum(0) : pg_call([&] {
    return PointerGetDatum(
        cstring_to_text_with_len(reason.data(), static_cast<int>(reason.size())));
  })};
  char nulls[2] = {reason_null ? 'n' : ' ', '\0'};
  int rc = pg_call(
      [&] { return SPI_execute_with_args(sql.c_str(), 1, types, values, nulls, false, 0); });
  if (rc < 0) throw Error(ERRCODE_INTERNAL_ERROR, "dead letter insert failed");
  return SPI_processed;
}

}  // namespace

// True once the schema has dead letters (version 1.2): a server running
// this module over an older schema (before ALTER EXTENSION ... UPDATE)
// retries as PgQ does (schema_objects.hpp: cached, no lookup per call).
bool schema_has_dead_letters() { return schema_has(SchemaObject::queue_config); }

std::optional<int32> queue_max_retries(int32 queue_id) {
  if (!schema_has_dead_letters()) return std::nullopt;
  SPIPlanPtr plan =
      spi::prepare(max_retries_plan,
                   "select qc_max_retries from pgq.queue_config where qc_queue = $1", {INT4OID});
  Datum arg = Int32GetDatum(queue_id);
  if (spi::execute(plan, &arg, nullptr, true, 1) == 0) return std::nullopt;
  bool isnull = false;
  Datum v = spi::value(0, 1, &isnull);
  if (isnull) return std::nullopt;
  return DatumGetInt32(v);
}

uint64 bury_events(const OpenBatch& b, const std::string& condition, const std::string& reason) {
  return run_bury(bury_sql(b, condition, true), reason, false);
}

}  // namespace pgqpp::ext

using namespace pgqpp::ext;

/// pgq.event_dead(batch_id, event_id, reason) -> integer: moves one event of
/// an open batch into its consumer's dead letters (and out of its retry
/// queue); 1, or 0 when it already was a dead letter.
PGQPP_FUNCTION(pgqpp_event_dead) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
    throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "event_dead: batch and event id must not be NULL");
  int64 batch_id = PG_GETARG_INT64(0);
  int64 event_id = PG_GETARG_INT64(1);
  bool reason_null = PG_ARGISNULL(2);
  std::string reason;
  if (!reason_null) {
    char* r = pg_call([&] { return text_to_cstring(PG_GETARG_TEXT_PP(2)); });
    reason = r;
  }
  uint64 n;
  {
    spi::Session session;
    auto b = load_open_batch(batch_id);
    if (!b)
      throw Error(ERRCODE_UNDEFINED_OBJECT, "batch " + std::to_string(batch_id) + " is not open",
                  "No consumer has batch " + std::to_string(batch_id) + " open.",
                  "Call event_dead between next_batch and finish_batch.");
    std::string condition = "e.ev_id = " + std::to_string(event_id);
    std::string probe = "select 1 from (" + b->events_sql + ") e where " + condition;
    if (spi::execute(probe.c_str(), true, 1) == 0)
      throw Error(ERRCODE_UNDEFINED_OBJECT, "event " + std::to_string(event_id) +
                                                " is not in batch " + std::to_string(batch_id));
    std::string forget =
        "delete from pgq.retry_queue where ev_owner = " + std::to_string(b->sub_id) +
        " and ev_id = " + std::to_string(event_id);
    spi::execute(forget.c_str(), false);
    n = run_bury(bury_sql(*b, condition, false), reason, reason_null);
  }
  PG_RETURN_INT32(n > 0 ? 1 : 0);
}
