// SPDX-License-Identifier: PostgreSQL
// Moving due delayed events into their queues: see delayed_move.hpp.
#include "functions/delayed_move.hpp"

#include <algorithm>
#include <string>

#include "functions/event_writer.hpp"
#include "functions/queue_cache.hpp"
#include "functions/schema_objects.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "storage/lmgr.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
}

namespace pgqpp::ext {
namespace {

SPIPlanPtr move_plan = nullptr;       // 1.2 schema: DELETE ... RETURNING
SPIPlanPtr earliest_plan = nullptr;   // 1.2 schema
SPIPlanPtr lock_plan = nullptr;       // 1.3: the mark, locked
SPIPlanPtr mark_move_plan = nullptr;  // 1.3: the rows the mark says are due
SPIPlanPtr mark_earliest_plan = nullptr;
SPIPlanPtr switch_plan = nullptr;

// Writes result row `i` of the move (columns: queue name, de_queue, then the
// event columns) into the queue's current table. Owns no C++ objects:
// PostgreSQL errors may pass through.
void write_moved(const QueueInfo& q, SPITupleTable* rows, uint64 i) {
  EventRow row;
  for (int c = 0; c < kEventColumns; ++c)
    row.values[c] = SPI_getbinval(rows->vals[i], rows->tupdesc, c + 3, &row.nulls[c]);
  row.values[kEvTxid] = Int64GetDatum(current_txid());
  row.nulls[kEvTxid] = false;
  EventWriter w;
  event_writer_open(&w, q.event_table, false);
  event_writer_write(&w, &row);
  event_writer_close(&w);
}

// Writes the rows of the last statement (queue name, de_queue, event columns;
// ordered by de_queue) into their queues; returns the queues, each once.
std::vector<int32> write_all_moved(uint64 n) {
  SPITupleTable* rows = SPI_tuptable;
  std::vector<int32> queues;
  QueueInfo q;
  int32 current = 0;
  for (uint64 i = 0; i < n; ++i) {
    char* name = pg_call([&] { return SPI_getvalue(rows->vals[i], rows->tupdesc, 1); });
    if (name == nullptr) continue;  // the queue was dropped
    int32 id = DatumGetInt32(spi::value(i, 2));
    if (id != current) {
      q = queue_for_insert(name, false);
      current = id;
      queues.push_back(id);
    }
    pg_call([&] { write_moved(q, rows, i); });
  }
  return queues;
}

// The columns every move returns, from CTE `due`.
constexpr const char* kMovedColumns =
    " select q.queue_name, due.de_queue, due.ev_id, due.de_deliver_at, due.ev_txid,"
    "        due.ev_owner, due.ev_retry, due.ev_type, due.ev_data,"
    "        due.ev_extra1, due.ev_extra2, due.ev_extra3, due.ev_extra4"
    "   from due left join pgq.queue q on q.queue_id = due.de_queue"
    "  order by due.de_queue, due.ev_id";

// Schema 1.2: delivered rows are deleted.
std::vector<int32> move_and_delete(TimestampTz now, int32 queue_id) {
  // The ctid list picks and locks the earliest due rows, skipping those a
  // concurrent mover holds (it moves them; waiting for it would only delay
  // this tick), so no event moves twice. ev_time becomes deliver_at.
  static const std::string sql =
      "with due as (delete from pgq.delayed_event d"
      "   where d.ctid = any (array(select x.ctid from pgq.delayed_event x"
      "                               where x.de_deliver_at <= $1 and ($2 = 0 or x.de_queue = $2)"
      "                               order by x.de_deliver_at limit " +
      std::to_string(kDelayedMoveLimit) +
      "                               for update skip locked))"
      "   returning d.*)" +
      kMovedColumns;
  SPIPlanPtr plan =
      spi::prepare(move_plan, sql.c_str(), {TIMESTAMPTZOID, INT4OID}, spi::PlanMode::generic);
  Datum args[2] = {TimestampTzGetDatum(now), Int32GetDatum(queue_id)};
  return write_all_moved(spi::execute(plan, args, nullptr, false, 0));
}

// The rows of pgq.delayed_event that the mark m (dm_time, dm_snapshot)
// does not count as delivered although due at or before dm_time: their
// transaction committed after the mark's snapshot. Probes ev_txid's index
// with the snapshot's running list and its xmax (LATERAL: an index scan per
// probe), so that neither the delivered rows waiting for rotation nor a
// long transaction make it a scan. FROM m and this, then a WHERE.
constexpr const char* kLateRows =
    " cross join lateral (select x.* from pgq.delayed_event x where x.ev_txid = any (m.xip)"
    "                     union all"
    "                     select x.* from pgq.delayed_event x where x.ev_txid >= m.xmax) d"
    " where d.de_deliver_at <= m.t_old and not txid_visible_in_snapshot(d.ev_txid, m.s_old)";

// The mark as CTE m (one row; LIMIT 1 tells the planner so).
constexpr const char* kMarkColumns =
    " dm_time t_old, dm_snapshot s_old, array(select txid_snapshot_xip(dm_snapshot)) xip,"
    " txid_snapshot_xmax(dm_snapshot) xmax";

// JIT off for this object's statements: their costs (estimated over the
// delivered rows waiting for rotation) can pass jit_above_cost, and
// compiling them took ~0.5 s per call on a loaded machine, for statements
// that read a few index entries. Restored when it goes out of scope (an
// error's abort restores it too).
class NoJit {
 public:
  NoJit()
      : level_(pg_call([] {
          int level = NewGUCNestLevel();
          (void)set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true,
                                  0, false);
          return level;
        })) {}
  ~NoJit() { AtEOXact_GUC(true, level_); }
  NoJit(const NoJit&) = delete;
  NoJit& operator=(const NoJit&) = delete;

 private:
  int level_;
};

// Schema 1.3: one move advances the mark (delayed_move.hpp).
std::vector<int32> move_with_mark(TimestampTz now) {
  static const std::string sql =
      std::string(
          "with m as materialized ("
          "   select greatest(dm_time, $1) t_new, txid_current_snapshot() s_new,") +
      kMarkColumns +
      "     from pgq.delayed_mark limit 1),"
      " due as materialized ("
      "   select d.* from m, pgq.delayed_event d"
      "    where d.de_deliver_at > m.t_old and d.de_deliver_at <= m.t_new"
      "      and txid_visible_in_snapshot(d.ev_txid, m.s_new)"
      "   union all"
      "   select d.* from m" +
      kLateRows +
      "      and txid_visible_in_snapshot(d.ev_txid, m.s_new)),"
      " mark as (update pgq.delayed_mark set dm_time = m.t_new, dm_snapshot = m.s_new from m"
      "           where exists (select 1 from due))" +
      kMovedColumns;
  SPIPlanPtr plan =
      spi::prepare(mark_move_plan, sql.c_str(), {TIMESTAMPTZOID}, spi::PlanMode::generic);
  Datum arg = TimestampTzGetDatum(now);
  return write_all_moved(spi::execute(plan, &arg, nullptr, false, 0));
}

// Rotation (schema 1.3): the child that is not current is emptied and becomes
// current. Its pending rows are copied into the current child first, so the
// TRUNCATE loses nothing; a writer still inserting into it holds a lock that
// makes this rotation wait for the next move (never block the ticker). Runs
// under the mark's row lock, after the move has advanced the mark.
void rotate(int32 cur, TimestampTz now) {
  int32 old = 1 - cur;
  std::string old_name = "delayed_event_" + std::to_string(old);
  bool locked = pg_call([&] {
    Oid rel = get_relname_relid(old_name.c_str(), get_namespace_oid("pgq", false));
    return OidIsValid(rel) && ConditionalLockRelationOid(rel, AccessExclusiveLock);
  });
  if (!locked) return;
  std::string copy = "insert into pgq.delayed_event_" + std::to_string(cur) +
                     " select d.* from only pgq." + old_name +
                     " d, pgq.delayed_mark m where not (d.de_deliver_at <= m.dm_time"
                     " and txid_visible_in_snapshot(d.ev_txid, m.dm_snapshot))";
  spi::execute(copy.c_str(), false);
  spi::execute(("truncate pgq." + old_name).c_str(), false);
  SPIPlanPtr plan =
      spi::prepare(switch_plan, "update pgq.delayed_mark set dm_cur_table = $1, dm_rotated_at = $2",
                   {INT4OID, TIMESTAMPTZOID});
  Datum args[2] = {Int32GetDatum(old), TimestampTzGetDatum(now)};
  spi::execute(plan, args, nullptr, false, 0);
}

}  // namespace

std::vector<int32> move_due_delayed(TimestampTz now, int32 queue_id) {
  if (!schema_has(SchemaObject::delayed_mark))
    return schema_has(SchemaObject::delayed_event) ? move_and_delete(now, queue_id)
                                                   : std::vector<int32>{};
  NoJit no_jit;
  // One mover at a time: the others skip (this one moves their rows too).
  SPIPlanPtr lock = spi::prepare(lock_plan,
                                 "select dm_cur_table, dm_rotated_at + dm_rotation_period <= $1"
                                 "  from pgq.delayed_mark for update skip locked",
                                 {TIMESTAMPTZOID}, spi::PlanMode::generic);
  Datum arg = TimestampTzGetDatum(now);
  if (spi::execute(lock, &arg, nullptr, false, 0) == 0) return {};
  int32 cur = DatumGetInt32(spi::value(0, 1));
  bool rotation_due = DatumGetBool(spi::value(0, 2));
  std::vector<int32> queues = move_with_mark(now);
  if (rotation_due) rotate(cur, now);
  return queues;
}

std::optional<TimestampTz> earliest_delayed() {
  NoJit no_jit;
  SPIPlanPtr plan;
  if (schema_has(SchemaObject::delayed_mark)) {
    static const std::string sql =
        std::string("with m as materialized (select") + kMarkColumns +
        " from pgq.delayed_mark limit 1)"
        " select least((select min(d.de_deliver_at) from m, pgq.delayed_event d"
        "                where d.de_deliver_at > m.t_old),"
        "              (select min(d.de_deliver_at) from m" +
        kLateRows + "))";
    plan = spi::prepare(mark_earliest_plan, sql.c_str(), {}, spi::PlanMode::generic);
  } else if (schema_has(SchemaObject::delayed_event)) {
    plan = spi::prepare(earliest_plan, "select min(de_deliver_at) from pgq.delayed_event", {},
                        spi::PlanMode::generic);
  } else {
    return std::nullopt;
  }
  spi::execute(plan, nullptr, nullptr, false, 1);
  bool isnull = false;
  Datum at = spi::value(0, 1, &isnull);
  if (isnull) return std::nullopt;
  return DatumGetTimestampTz(at);
}

}  // namespace pgqpp::ext
