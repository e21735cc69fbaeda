// SPDX-License-Identifier: PostgreSQL
// Event table rotation. Step 1 truncates the oldest table of a queue and makes
// it the current one, once no consumer can still need its events; step 2, in a
// later transaction, records the first transaction id that is sure to see the
// switch. Batches read both tables while a switch is recent (batch_query.hpp).
// Also the trigger that tells every backend's queue cache about changes.
#include <string>

#include "functions/schema_objects.hpp"
#include "pg/bridge.hpp"
#include "pg/compat.hpp"
#include "pg/spi.hpp"

namespace pgqpp::ext {
namespace {

SPIPlanPtr queue_plan = nullptr;
SPIPlanPtr lowest_plan = nullptr;
SPIPlanPtr lowest_plan_v13 = nullptr;  // schema before 1.4: no position cells
SPIPlanPtr switch_plan = nullptr;
SPIPlanPtr cleanup_plan = nullptr;
SPIPlanPtr step2_plan = nullptr;

// Rotates one queue if it is due and safe; returns whether it rotated.
bool rotate(Datum queue_name) {
  SPIPlanPtr plan =
      spi::prepare(queue_plan,
                   "select queue_id, queue_data_pfx, queue_cur_table, queue_ntables,"
                   "       queue_switch_step1, queue_switch_step2, txid_current(),"
                   "       txid_snapshot_xmin(txid_current_snapshot())"
                   "  from pgq.queue"
                   " where queue_name = $1 and queue_rotation_period is not null"
                   "   and queue_switch_step2 is not null"
                   "   and queue_switch_time + queue_rotation_period < current_timestamp"
                   "   for update",
                   {TEXTOID});
  if (spi::execute(plan, &queue_name, nullptr, false, 1) == 0) return false;
  int32 queue_id = DatumGetInt32(spi::value(0, 1));
  std::string pfx = spi::text_value(0, 2);
  int32 cur = DatumGetInt32(spi::value(0, 3));
  int32 ntables = DatumGetInt32(spi::value(0, 4));
  int64 step1 = DatumGetInt64(spi::value(0, 5));
  int64 step2 = DatumGetInt64(spi::value(0, 6));
  int64 txid = DatumGetInt64(spi::value(0, 7));
  int64 oldest_running = DatumGetInt64(spi::value(0, 8));
  if (txid < step1) {
    char* name = pg_call([&] { return TextDatumGetCString(queue_name); });
    throw Error(ERRCODE_DATA_CORRUPTED, std::string("queue ") + name +
                                            " maint failure: step1=" + std::to_string(step1) +
                                            ", current=" + std::to_string(txid));
  }

  // A writer that started before the previous switch completed may still
  // add events to the table that switch left: wait until it ends, so that a
  // consumer registering later cannot miss them (PgQ 3.5 does not wait).
  if (oldest_running <= step2) return false;

  // The slowest consumer's position must be past the previous switch, or
  // the table about to be emptied may still hold events it needs.
  // From 1.4 the positions come through pgq.subscription_current: while
  // VACUUM's horizon is held a consumer's row keeps the hold's start.
  static const char kLowest[] =
      "select s.sub_last_tick, txid_snapshot_xmin(t.tick_snapshot)"
      "  from %s s"
      "  left join pgq.tick t on t.tick_queue = s.sub_queue and t.tick_id = s.sub_last_tick"
      " where s.sub_queue = $1"
      " order by s.sub_last_tick limit 1";
  const bool cells = schema_has(SchemaObject::subscription_cell);
  std::string sql = kLowest;
  sql.replace(sql.find("%s"), 2, cells ? "pgq.subscription_current" : "pgq.subscription");
  SPIPlanPtr low = spi::prepare(cells ? lowest_plan : lowest_plan_v13, sql.c_str(), {INT4OID});
  Datum qid = Int32GetDatum(queue_id);
  if (spi::execute(low, &qid, nullptr, true, 1) > 0) {
    bool null_tick = false, null_xmin = false;
    Datum tick = spi::value(0, 1, &null_tick);
    Datum xmin = spi::value(0, 2, &null_xmin);
    if (!null_tick && null_xmin) {
      char* name = pg_call([&] { return TextDatumGetCString(queue_name); });
      throw Error(ERRCODE_DATA_CORRUPTED, std::string("queue ") + name + " maint failure: tick " +
                                              std::to_string(DatumGetInt64(tick)) + " not found");
    }
    if (!null_xmin && DatumGetInt64(xmin) <= step2) return false;
  }

  int32 next = cur + 1 == ntables ? 0 : cur + 1;
  std::string table = pfx + "_" + std::to_string(next);
  Oid table_oid = pg_call([&] {
    List* names = compat::qualified_name_list(table.c_str());
    return RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, false);
  });
  // A reader (e.g. a slow batch query) holds the table: try again next time.
  if (!pg_call([&] { return ConditionalLockRelationOid(table_oid, AccessExclusiveLock); }))
    return false;
  std::string truncate =
      "truncate " + std::string(pg_call([&] {
        return quote_qualified_identifier(get_namespace_name(get_rel_namespace(table_oid)),
                                          get_rel_name(table_oid));
      }));
  spi::execute(truncate.c_str(), false);

  SPIPlanPtr sw = spi::prepare(switch_plan,
                               "update pgq.queue set queue_cur_table = $2,"
                               " queue_switch_time = current_timestamp,"
                               " queue_switch_step1 = txid_current(), queue_switch_step2 = null"
                               " where queue_id = $1",
                               {INT4OID, INT4OID});
  Datum sw_args[2] = {qid, Int32GetDatum(next)};
  spi::execute(sw, sw_args, nullptr, false, 0);

  // Ticks older than the previous switch can no longer start a batch.
  SPIPlanPtr clean = spi::prepare(cleanup_plan,
                                  "delete from pgq.tick where tick_queue = $1"
                                  " and txid_snapshot_xmin(tick_snapshot) < $2",
                                  {INT4OID, INT8OID});
  Datum clean_args[2] = {qid, Int64GetDatum(step2)};
  spi::execute(clean, clean_args, nullptr, false, 0);
  return true;
}

}  // namespace
}  // namespace pgqpp::ext

using namespace pgqpp::ext;

/// pgq.maint_rotate_tables_step1(queue_name) -> integer: rotates the queue's
/// event tables if due and safe. Returns 0 like PgQ (whether or not it did).
PGQPP_FUNCTION(pgqpp_maint_rotate_tables_step1) {
  if (PG_ARGISNULL(0)) PG_RETURN_INT32(0);
  spi::Session session;
  rotate(PG_GETARG_DATUM(0));
  PG_RETURN_INT32(0);
}

/// pgq.maint_rotate_tables_step2() -> integer: completes every pending
/// rotation by recording this transaction's id. Returns 0.
PGQPP_FUNCTION(pgqpp_maint_rotate_tables_step2) {
  spi::Session session;
  SPIPlanPtr p = spi::prepare(step2_plan,
                              "update pgq.queue set queue_switch_step2 = txid_current()"
                              " where queue_switch_step2 is null",
                              {});
  spi::execute(p, nullptr, nullptr, false, 0);
  PG_RETURN_INT32(0);
}

/// pgq._queue_changed(): statement trigger on pgq.queue. Sends a relcache
/// invalidation for pgq.queue so every backend drops its cached queue
/// metadata (queue_cache.hpp) once the change commits.
PGQPP_FUNCTION(pgqpp_queue_changed) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "pgq._queue_changed must be a trigger");
  auto* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
  pg_call([&] { CacheInvalidateRelcache(trigger->tg_relation); });
  return PointerGetDatum(nullptr);
}
