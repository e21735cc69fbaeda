// SPDX-License-Identifier: PostgreSQL
// Bounded batches: see bounded_batch.hpp.
#include "functions/bounded_batch.hpp"

#include <string>

#include "functions/open_batch.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

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

std::optional<int64> int8_at(uint64 row, int col) {
  bool null = false;
  Datum v = spi::value(row, col, &null);
  if (null) return std::nullopt;
  return DatumGetInt64(v);
}

}  // namespace

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
  // order through the ev_id index; the last window ends at the interval's end.
  std::optional<int64> upto = max_id;
  if (state.max_events) {
    core::IdWindow rest{after, max_id};
    std::string sql = "select ev_id from (" +
                      core::batch_ids_sql(batch->tables, batch->filter, batch->sub_id, rest) +
                      ") _ids order by ev_id offset " + std::to_string(*state.max_events - 1) +
                      " limit 2";
    if (spi::execute(sql.c_str(), false, 0) == 2) upto = int8_at(0, 1);
  }
  save_state(queue_id, consumer_id, last_tick, next_tick, after, upto, max_id);
}

bool finish_partial_batch(int64 batch_id) {
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
