// SPDX-License-Identifier: PostgreSQL
// Bounded batches: see bounded_batch.hpp.
#include "functions/bounded_batch.hpp"

#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include "functions/open_batch.hpp"
#include "functions/schema_objects.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
}

namespace pgqpp::ext {
namespace {

SPIPlanPtr state_plan = nullptr;
SPIPlanPtr partial_plan = nullptr;
SPIPlanPtr release_plan = nullptr;

void save_state(int32 queue_id, int32 consumer_id, int64 last_tick, int64 next_tick,
                std::optional<int64> after, std::optional<int64> upto,
                std::optional<int64> max_id) {
  SPIPlanPtr p = spi::prepare(state_plan,
                              "update pgq.consumer_config"
                              "   set cc_last_tick = $3, cc_next_tick = $4, cc_after_id = $5,"
                              "       cc_upto_id = $6, cc_max_id = $7"
                              " where cc_queue = $1 and cc_consumer = $2",
                              {INT4OID, INT4OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID});
  Datum a[7] = {Int32GetDatum(queue_id),          Int32GetDatum(consumer_id),
                Int64GetDatum(last_tick),         Int64GetDatum(next_tick),
                Int64GetDatum(after.value_or(0)), Int64GetDatum(upto.value_or(0)),
                Int64GetDatum(max_id.value_or(0))};
  char nulls[8] = {' ', ' ', ' ', ' ', after ? ' ' : 'n', upto ? ' ' : 'n', max_id ? ' ' : 'n', 0};
  spi::execute(p, a, nulls, false, 0);
}

// For its lifetime, plans read in index order instead of sorting: a window's
// end is the N-th event after its start, which the ev_id index finds after
// about N rows, while a sort would read every event up to the interval's end
// (the planner, seeing a wide id range and no estimate for the txid
// conditions, prefers that). jit: a plan without an ev_id index then costs
// enough to be compiled, for nothing. Set like a
// function's SET clause: restored at the end, or by the error's abort.
class IdOrderPlans {
 public:
  IdOrderPlans()
      : nest_level_(pg_call([] {
          int level = NewGUCNestLevel();
          for (const char* name : {"enable_sort", "enable_seqscan", "enable_bitmapscan", "jit"})
            (void)set_config_option(name, "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true,
                                    0, false);
          return level;
        })),
        exceptions_at_entry_(std::uncaught_exceptions()) {}
  ~IdOrderPlans() {
    if (std::uncaught_exceptions() != exceptions_at_entry_) return;
    AtEOXact_GUC(true, nest_level_);  // plain boolean settings: cannot fail
  }
  IdOrderPlans(const IdOrderPlans&) = delete;
  IdOrderPlans& operator=(const IdOrderPlans&) = delete;

 private:
  int nest_level_;
  int exceptions_at_entry_;
};

std::optional<int64> int8_at(uint64 row, int col) {
  bool null = false;
  Datum v = spi::value(row, col, &null);
  if (null) return std::nullopt;
  return DatumGetInt64(v);
}

}  // namespace

bool has_consumer_config() { return schema_has(SchemaObject::consumer_config); }

void plan_bounded_batch(int64 batch_id, int32 queue_id, int32 consumer_id,
                        const BoundedState& state, int64 last_tick, int64 next_tick) {
  auto batch = load_open_batch(batch_id);
  if (!batch) throw Error(ERRCODE_INTERNAL_ERROR, "bounded batch vanished while opening it");
  std::optional<int64> after;
  std::optional<int64> max_id;
  if (state.in_progress(last_tick) && *state.next_tick == next_tick) {
    after = state.after_id;
    max_id = state.max_id;
  } else {
    // A new interval: one pass over its ev_ids (through the ev_txid index,
    // no rows leave the server) tells whether it fits and where it ends.
    std::string sql = "select count(*), min(ev_id), max(ev_id) from (" +
                      core::batch_ids_sql(batch->tables, batch->filter, batch->sub_id) + ") _ids";
    spi::execute(sql.c_str(), false, 0);
    int64 count = DatumGetInt64(spi::value(0, 1));
    if (!state.max_events || count <= *state.max_events) {
      save_state(queue_id, consumer_id, last_tick, next_tick, {}, {}, {});  // the whole interval
      return;
    }
    after = *int8_at(0, 2) - 1;
    max_id = int8_at(0, 3);
  }
  // The window: the next max_events events after `after`, read in ev_id
  // order through the ev_id index of each table (one query per table: the
  // planner sorts a union instead of merging ordered scans); the last window
  // ends at the interval's end.
  std::optional<int64> upto = max_id;
  if (state.max_events) {
    const int64 n = *state.max_events;
    core::IdWindow rest{after, max_id};
    std::vector<int64> ids;
    IdOrderPlans in_id_order;
    for (const auto& table : batch->tables) {
      std::string sql = core::batch_ids_sql({table}, batch->filter, batch->sub_id, rest) +
                        " order by ev_id limit " + std::to_string(n + 1);
      uint64 rows = spi::execute(sql.c_str(), false, 0);
      for (uint64 i = 0; i < rows; ++i) ids.push_back(*int8_at(i, 1));
    }
    if (static_cast<int64>(ids.size()) > n) {
      std::nth_element(ids.begin(), ids.begin() + (n - 1), ids.end());
      upto = ids[n - 1];
    }
  }
  save_state(queue_id, consumer_id, last_tick, next_tick, after, upto, max_id);
}

bool finish_partial_batch(int64 batch_id) {
  if (!has_consumer_config()) return false;
  SPIPlanPtr p = spi::prepare(partial_plan,
                              "update pgq.consumer_config cc"
                              "   set cc_after_id = cc.cc_upto_id, cc_upto_id = null"
                              "  from pgq.subscription s"
                              " where s.sub_batch = $1 and cc.cc_queue = s.sub_queue"
                              "   and cc.cc_consumer = s.sub_consumer"
                              "   and cc.cc_last_tick = s.sub_last_tick"
                              "   and cc.cc_next_tick = s.sub_next_tick"
                              "   and cc.cc_upto_id < cc.cc_max_id",
                              {INT8OID});
  Datum arg = Int64GetDatum(batch_id);
  if (spi::execute(p, &arg, nullptr, false, 0) == 0) return false;
  SPIPlanPtr r = spi::prepare(release_plan,
                              "update pgq.subscription"
                              "   set sub_active = now(), sub_batch = null, sub_next_tick = null"
                              " where sub_batch = $1",
                              {INT8OID});
  spi::execute(r, &arg, nullptr, false, 0);
  return true;
}

}  // namespace pgqpp::ext
