// SPDX-License-Identifier: PostgreSQL
// Ticking many queues in one statement: see tick_many.hpp.
#include "functions/tick_many.hpp"

#include <algorithm>
#include <string>

#include "functions/delayed_move.hpp"
#include "functions/consumer_wait.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "storage/lock.h"
}

namespace pgqpp::ext {
namespace {

SPIPlanPtr insert_plan = nullptr;

Datum int4_array(const std::vector<Datum>& ids) {
  return pg_call([&] {
    return PointerGetDatum(construct_array(const_cast<Datum*>(ids.data()),
                                           static_cast<int>(ids.size()), INT4OID, 4, true,
                                           TYPALIGN_INT));
  });
}

}  // namespace

bool lock_queue_ticks(int32 queue_id, TickLock lock) {
  LOCKTAG tag;
  // Two int4 keys, as pg_advisory_xact_lock(int4, int4) sets them.
  SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, static_cast<uint32>(kTickLockKey),
                       static_cast<uint32>(queue_id), 2);
  return pg_call([&] {
    return LockAcquire(&tag, ExclusiveLock, false, lock == TickLock::skip) != LOCKACQUIRE_NOT_AVAIL;
  });
}

uint64 tick_queue_ids(std::vector<int32> queue_ids, TickLock lock, const TickVisitor& visit,
                      const std::vector<int32>& moved_delayed) {
  // Waiting locks in queue id order, so that two waiting tickers never
  // deadlock.
  std::sort(queue_ids.begin(), queue_ids.end());
  queue_ids.erase(std::unique(queue_ids.begin(), queue_ids.end()), queue_ids.end());
  std::vector<Datum> locked;
  for (int32 id : queue_ids)
    if (lock_queue_ticks(id, lock)) locked.push_back(Int32GetDatum(id));
  if (locked.empty()) return 0;
  std::vector<Datum> moved;
  for (int32 id : moved_delayed) moved.push_back(Int32GetDatum(id));
  Datum args[2] = {int4_array(locked), int4_array(moved)};
  // One statement, after the locks: its snapshot, the tick's, is newer than
  // any tick of these queues made before the locks were had. The columns
  // are those of tick_many.hpp's kTick*Column constants. A generic plan:
  // this runs per wake-up, and the plan cache would otherwise re-plan it on
  // every call (a one-element array looks cheaper).
  static const std::string sql =
      std::string(
          "with t as (insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq,"
          "                                 tick_snapshot)"
          "   select q.queue_id, nextval(q.queue_tick_seq::regclass), clock_timestamp(),"
          "          coalesce(pg_catalog.pg_sequence_last_value(q.queue_event_seq::regclass), 1),"
          "          case when q.queue_id = any($2) then ") +
      kTickSnapshotWithOwnTxid +
      " else txid_current_snapshot() end"
      "     from pgq.queue q"
      "    where q.queue_id = any($1) and not q.queue_external_ticker and not q.queue_ticker_paused"
      "   returning tick_queue, tick_id, tick_event_seq)"
      " select t.tick_queue, t.tick_id, q.queue_name, t.tick_event_seq,"
      "        q.queue_ticker_max_count,"
      "        (extract(epoch from q.queue_ticker_max_lag) * 1000000)::int8"
      "   from t join pgq.queue q on q.queue_id = t.tick_queue";
  SPIPlanPtr insert =
      spi::prepare(insert_plan, sql.c_str(), {INT4ARRAYOID, INT4ARRAYOID}, spi::PlanMode::generic);
  uint64 n = spi::execute(insert, args, nullptr, false, 0);
  for (uint64 i = 0; i < n; ++i) {
    consumer_wait_note_tick(DatumGetInt32(spi::value(i, 1)));
    visit(i, DatumGetInt32(spi::value(i, 1)), DatumGetInt64(spi::value(i, 2)));
  }
  return n;
}

}  // namespace pgqpp::ext
