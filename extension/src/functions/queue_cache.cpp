// SPDX-License-Identifier: PostgreSQL
// The backend-local queue metadata cache: see queue_cache.hpp.
#include "functions/queue_cache.hpp"

#include <string>
#include <unordered_map>

#include "functions/ticker_wakeup.hpp"
#include "pg/bridge.hpp"
#include "pg/compat.hpp"
#include "pg/search_path.hpp"
#include "pg/spi.hpp"

namespace pgqpp::ext {

namespace {

std::unordered_map<std::string, QueueInfo> cache;
std::uint64_t generation = 0;
Oid queue_table_oid = InvalidOid;  // pgq.queue, once known

void on_relcache_invalidation(Datum, Oid relid) {
  if (relid == InvalidOid || relid == queue_table_oid) {
    cache.clear();
    ++generation;
  }
}

SPIPlanPtr lookup_plan = nullptr;

Oid resolve(const char* qualified_name) {
  return pg_call([&] {
    List* names = compat::qualified_name_list(qualified_name);
    return RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, true);
  });
}

// The one place the insert path (SECURITY DEFINER, no SET clause) resolves
// names: under a fixed search_path, so that neither the query's operators
// and types nor the event table's and sequence's names can resolve to a
// caller's objects. Everything after it works on the OIDs found here.
QueueInfo load(const std::string& name) {
  FixedSearchPath fixed_path;
  spi::Session session;
  SPIPlanPtr plan =
      spi::prepare(lookup_plan,
                   "select queue_id, queue_data_pfx || '_' || queue_cur_table, queue_event_seq,"
                   " queue_disable_insert, queue_per_tx_limit, 'pgq.queue'::regclass::oid"
                   " from pgq.queue where queue_name = $1",
                   {TEXTOID});
  Datum arg = pg_call([&] { return CStringGetTextDatum(name.c_str()); });
  if (spi::execute(plan, &arg, nullptr, true, 1) == 0)
    throw Error(ERRCODE_UNDEFINED_OBJECT, "No such queue",
                "There is no queue named \"" + name + "\".", "Create it with pgq.create_queue().");
  QueueInfo q;
  q.queue_id = DatumGetInt32(spi::value(0, 1));
  std::string table = spi::text_value(0, 2);
  std::string seq = spi::text_value(0, 3);
  q.disable_insert = DatumGetBool(spi::value(0, 4));
  bool isnull = false;
  Datum limit = spi::value(0, 5, &isnull);
  q.per_tx_limit = isnull ? -1 : DatumGetInt32(limit);
  queue_table_oid = DatumGetObjectId(spi::value(0, 6));
  q.event_table = resolve(table.c_str());
  q.event_seq = resolve(seq.c_str());
  if (q.event_table == InvalidOid || q.event_seq == InvalidOid)
    throw Error(ERRCODE_UNDEFINED_TABLE,
                "event table or sequence of queue \"" + name + "\" is missing",
                "Expected table " + table + " and sequence " + seq + ".");
  return q;
}

}  // namespace

void queue_cache_init() { CacheRegisterRelcacheCallback(on_relcache_invalidation, 0); }

QueueInfo queue_for_insert(const char* queue_name, bool wake_ticker) {
  std::string name(queue_name);
  for (int attempt = 0;; ++attempt) {
    std::uint64_t seen = generation;
    auto it = cache.find(name);
    QueueInfo q = it != cache.end() ? it->second : load(name);
    // Taking the lock processes pending invalidations: if the queue changed
    // meanwhile, the generation moved and the metadata is read again.
    pg_call([&] { LockRelationOid(q.event_table, RowExclusiveLock); });
    if (seen == generation) {
      cache.insert_or_assign(name, q);
      // Every writer comes here: the ticker is woken when this commits.
      if (wake_ticker) ticker_wakeup_note(q.queue_id);
      return q;
    }
    if (attempt > 100)
      throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                  "queue \"" + name + "\" keeps changing under insert");
  }
}

}  // namespace pgqpp::ext
