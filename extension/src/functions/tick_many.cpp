// SPDX-License-Identifier: PostgreSQL
// Ticking many queues in one statement: see tick_many.hpp.
#include "functions/tick_many.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "functions/consumer_wait.hpp"
#include "functions/delayed_move.hpp"
#include "pg/bridge.hpp"
#include "pg/compat.hpp"
#include "pg/datum_array.hpp"
#include "pg/sequence_peek.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "storage/lock.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
}

namespace pgqpp::ext {
namespace {

SPIPlanPtr insert_plan = nullptr;
SPIPlanPtr seq_lookup_plan = nullptr;

// Queue id -> event sequence OID, for the wake-up path (which knows only
// queue ids) and pgq.ticker(): looked up once per queue and backend,
// emptied on any change to pgq.queue (its statement trigger sends a
// relcache invalidation for it, queue_cache.hpp) and when pgq.queue itself
// is dropped (DROP EXTENSION: queue ids start again at 1), so a dropped or
// re-created queue is looked up again.
EventSeqOids seq_cache;
Oid queue_table = InvalidOid;  // the pgq.queue the cache's entries belong to

void on_relcache_invalidation(Datum, Oid relid) {
  if (relid != InvalidOid && relid != queue_table) return;
  seq_cache.clear();
  queue_table = InvalidOid;  // looked up again: it may be a new pgq.queue
}

// Registers the callback once per backend and notes which pgq.queue the
// entries added next belong to.
void watch_queue_table() {
  static bool registered = false;
  if (!registered) {
    pg_call([&] { CacheRegisterRelcacheCallback(on_relcache_invalidation, 0); });
    registered = true;
  }
  if (queue_table != InvalidOid) return;
  seq_cache.clear();
  queue_table =
      pg_call([&] { return get_relname_relid("queue", get_namespace_oid("pgq", false)); });
}

// As the cast to regclass resolves it, with its error when it is missing.
Oid resolve_name(const char* qualified_name) {
  return pg_call([&] {
    List* names = compat::qualified_name_list(qualified_name);
    return RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, false);
  });
}

// The last_value of each of `ids`' event sequences (nothing for a queue
// that is gone), their OIDs taken from `known` or the cache; those not
// there, or no longer valid, are looked up by one query (which fills the
// cache).
std::vector<std::optional<int64>> event_seq_values(const std::vector<int32>& ids,
                                                   const EventSeqOids& known) {
  watch_queue_table();
  std::vector<std::optional<int64>> values(ids.size());
  std::vector<std::size_t> retry;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto k = known.find(ids[i]);
    Oid seq = InvalidOid;
    if (k != known.end()) {
      seq = k->second;
    } else if (auto c = seq_cache.find(ids[i]); c != seq_cache.end()) {
      seq = c->second;
    }
    if (seq != InvalidOid) values[i] = sequence_last_value_if_exists(seq);
    if (!values[i]) retry.push_back(i);
  }
  if (retry.empty()) return values;
  std::vector<Datum> missing;
  for (std::size_t i : retry) missing.push_back(Int32GetDatum(ids[i]));
  SPIPlanPtr plan = spi::prepare(seq_lookup_plan,
                                 "select queue_id, queue_event_seq::regclass::oid"
                                 "  from pgq.queue where queue_id = any($1)",
                                 {INT4ARRAYOID}, spi::PlanMode::generic);
  Datum arg = pg_array::int4_array(missing);
  uint64 n = spi::execute(plan, &arg, nullptr, true, 0);
  EventSeqOids found;
  for (uint64 r = 0; r < n; ++r)
    found.emplace(DatumGetInt32(spi::value(r, 1)), DatumGetObjectId(spi::value(r, 2)));
  watch_queue_table();  // the query may have processed invalidations
  for (std::size_t i : retry) {
    auto f = found.find(ids[i]);
    if (f == found.end()) continue;  // the queue is gone
    values[i] = sequence_last_value_if_exists(f->second);
    if (values[i]) seq_cache.insert_or_assign(ids[i], f->second);
  }
  return values;
}

}  // namespace

std::optional<int64> event_seq_value(int32 queue_id, uint64 row, int col, Oid* seq) {
  watch_queue_table();
  auto it = seq_cache.find(queue_id);
  if (it != seq_cache.end()) {
    *seq = it->second;
    std::optional<int64> value = sequence_last_value_if_exists(*seq);
    if (value) return value;
    seq_cache.erase(queue_id);  // gone: resolved again from the name
  }
  *seq = resolve_name(spi::text_value(row, col));
  std::optional<int64> value = sequence_last_value_if_exists(*seq);
  if (value) {
    watch_queue_table();  // the read may have processed invalidations
    seq_cache.insert_or_assign(queue_id, *seq);
  }
  return value;
}

bool lock_queue_ticks(int32 queue_id, TickLock lock) {
  LOCKTAG tag;
  // Two int4 keys, as pg_advisory_xact_lock(int4, int4) sets them.
  SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, static_cast<uint32>(kTickLockKey),
                       static_cast<uint32>(queue_id), 2);
  return pg_call([&] {
    return LockAcquire(&tag, ExclusiveLock, false, lock == TickLock::skip) != LOCKACQUIRE_NOT_AVAIL;
  });
}

uint64 tick_queue_ids(std::vector<int32> queue_ids, TickLock lock, LaggingCount lagging,
                      const TickVisitor& visit, const std::vector<int32>& moved_delayed,
                      const EventSeqOids& event_seqs) {
  // Waiting locks in queue id order, so that two waiting tickers never
  // deadlock.
  std::sort(queue_ids.begin(), queue_ids.end());
  queue_ids.erase(std::unique(queue_ids.begin(), queue_ids.end()), queue_ids.end());
  std::vector<int32> locked_ids;
  for (int32 id : queue_ids)
    if (lock_queue_ticks(id, lock)) locked_ids.push_back(id);
  if (locked_ids.empty()) return 0;
  // The event sequences are read after the locks, so that no tick another
  // ticker made before them has a higher tick_event_seq than this one.
  // Queues whose sequence is gone (dropped meanwhile) are left out.
  std::vector<std::optional<int64>> values = event_seq_values(locked_ids, event_seqs);
  std::vector<Datum> locked, last_values;
  for (std::size_t i = 0; i < locked_ids.size(); ++i) {
    if (!values[i]) continue;
    locked.push_back(Int32GetDatum(locked_ids[i]));
    last_values.push_back(Int64GetDatum(*values[i]));
  }
  if (locked.empty()) return 0;
  std::vector<Datum> moved;
  for (int32 id : moved_delayed) moved.push_back(Int32GetDatum(id));
  Datum args[4] = {pg_array::int4_array(locked), pg_array::int4_array(moved),
                   pg_array::int8_array(last_values), BoolGetDatum(lagging == LaggingCount::count)};
  // One statement, after the locks: its snapshot, the tick's, is newer than
  // any tick of these queues made before the locks were had. The columns
  // are those of tick_many.hpp's kTick*Column constants. A generic plan:
  // this runs per wake-up, and the plan cache would otherwise re-plan it on
  // every call (a one-element array looks cheaper). The queues are read by
  // their primary key, one per id (OFFSET 0 keeps each lateral subquery a
  // nested loop): joined plainly, the generic plan hashes the array and
  // scans every queue on every wake-up. The last column counts the
  // consumers that have not finished the queue's previous tick (this
  // statement's own ticks are not visible to its outer query), when $4
  // asks for it: CASE evaluates the subquery only then.
  static const std::string sql =
      std::string(
          "with t as (insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq,"
          "                                 tick_snapshot)"
          "   select q.queue_id, nextval(q.queue_tick_seq::regclass), clock_timestamp(),"
          "          u.event_seq,"
          "          case when q.queue_id = any($2) then ") +
      kTickSnapshotWithOwnTxid +
      " else txid_current_snapshot() end"
      "     from unnest($1::int4[], $3::int8[]) u(queue_id, event_seq)"
      "     cross join lateral (select * from pgq.queue q where q.queue_id = u.queue_id"
      "                            and not q.queue_external_ticker and not q.queue_ticker_paused"
      "                         offset 0) q"
      "   returning tick_queue, tick_id, tick_event_seq)"
      " select t.tick_queue, t.tick_id, q.queue_name, t.tick_event_seq,"
      "        q.queue_ticker_max_count,"
      "        (extract(epoch from q.queue_ticker_max_lag) * 1000000)::int8,"
      "        case when $4 then"
      "          (select count(*) from pgq.subscription s"
      "            where s.sub_queue = t.tick_queue"
      "              and s.sub_last_tick < (select max(p.tick_id) from pgq.tick p"
      "                                      where p.tick_queue = t.tick_queue))::int4 end"
      "   from t cross join lateral (select * from pgq.queue q where q.queue_id = t.tick_queue"
      "                              offset 0) q";
  SPIPlanPtr insert =
      spi::prepare(insert_plan, sql.c_str(), {INT4ARRAYOID, INT4ARRAYOID, INT8ARRAYOID, BOOLOID},
                   spi::PlanMode::generic);
  uint64 n = spi::execute(insert, args, nullptr, false, 0);
  for (uint64 i = 0; i < n; ++i) {
    consumer_wait_note_tick(DatumGetInt32(spi::value(i, 1)));
    visit(i, DatumGetInt32(spi::value(i, 1)), DatumGetInt64(spi::value(i, 2)));
  }
  return n;
}

}  // namespace pgqpp::ext
