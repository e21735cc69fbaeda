// SPDX-License-Identifier: PostgreSQL
// Moving due delayed events into their queues: see delayed_move.hpp.
#include "functions/delayed_move.hpp"

#include <algorithm>
#include <string>

#include "functions/event_writer.hpp"
#include "functions/queue_cache.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "utils/lsyscache.h"
}

namespace pgqpp::ext {
namespace {

SPIPlanPtr move_plan = nullptr;
SPIPlanPtr earliest_plan = nullptr;

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

// Whether pgq.delayed_event exists: the library also serves databases whose
// pgqpp is still an older version (before 1.2, until ALTER EXTENSION UPDATE),
// where ticking must go on without delayed events. Two syscache lookups.
bool have_delayed_table() {
  return pg_call([] {
    Oid pgq = get_namespace_oid("pgq", true);
    return pgq != InvalidOid && get_relname_relid("delayed_event", pgq) != InvalidOid;
  });
}

}  // namespace

std::vector<int32> move_due_delayed(TimestampTz now, int32 queue_id) {
  if (!have_delayed_table()) return {};
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
      "   returning d.*)"
      " select q.queue_name, due.de_queue, due.ev_id, due.de_deliver_at, due.ev_txid,"
      "        due.ev_owner, due.ev_retry, due.ev_type, due.ev_data,"
      "        due.ev_extra1, due.ev_extra2, due.ev_extra3, due.ev_extra4"
      "   from due left join pgq.queue q on q.queue_id = due.de_queue"
      "  order by due.de_queue, due.ev_id";
  SPIPlanPtr plan =
      spi::prepare(move_plan, sql.c_str(), {TIMESTAMPTZOID, INT4OID}, spi::PlanMode::generic);
  Datum args[2] = {TimestampTzGetDatum(now), Int32GetDatum(queue_id)};
  uint64 n = spi::execute(plan, args, nullptr, false, 0);
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

std::optional<TimestampTz> earliest_delayed() {
  if (!have_delayed_table()) return std::nullopt;
  SPIPlanPtr plan = spi::prepare(earliest_plan, "select min(de_deliver_at) from pgq.delayed_event",
                                 {}, spi::PlanMode::generic);
  spi::execute(plan, nullptr, nullptr, false, 1);
  bool isnull = false;
  Datum at = spi::value(0, 1, &isnull);
  if (isnull) return std::nullopt;
  return DatumGetTimestampTz(at);
}

}  // namespace pgqpp::ext
