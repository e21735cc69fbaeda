// SPDX-License-Identifier: PostgreSQL
// Loading a batch's description: see open_batch.hpp.
#include "functions/open_batch.hpp"

#include "core/batch_query.hpp"
#include "functions/bounded_batch.hpp"
#include "functions/position_cells.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

namespace pgqpp::ext {

namespace {

SPIPlanPtr batch_plan = nullptr;
SPIPlanPtr batch_plan_v11 = nullptr;   // schema 1.1: no pgq.consumer_config
SPIPlanPtr cell_batch_plan = nullptr;  // a batch a position cell holds open

// `sql` with every `from` replaced by `to`.
std::string replace_all(std::string sql, const std::string& from, const std::string& to) {
  for (auto at = sql.find(from); at != std::string::npos; at = sql.find(from, at + to.size()))
    sql.replace(at, from.size(), to);
  return sql;
}

core::Snapshot snapshot_at(int col) {
  const char* text = spi::text_value(0, col);
  auto snap = core::parse_snapshot(text ? text : "");
  if (!snap)
    throw Error(ERRCODE_DATA_CORRUPTED,
                std::string("bad tick snapshot: ") + (text ? text : "NULL"));
  return *snap;
}

}  // namespace

std::optional<OpenBatch> load_open_batch(int64 batch_id, const std::string& extra_where) {
  static const char kBatchSql[] =
      "select s.sub_id, s.sub_queue, last.tick_snapshot::text, cur.tick_snapshot::text,"
      "       q.queue_data_pfx, q.queue_ntables, q.queue_cur_table,"
      "       q.queue_switch_step1, q.queue_switch_step2, %s"
      "  from pgq.subscription s"
      "  join pgq.tick last on last.tick_queue = s.sub_queue and last.tick_id = s.sub_last_tick"
      "  join pgq.tick cur on cur.tick_queue = s.sub_queue and cur.tick_id = s.sub_next_tick"
      "  join pgq.queue q on q.queue_id = s.sub_queue"
      "  %s"
      " where s.sub_batch = $1";
  bool bounded_schema = has_consumer_config();
  std::string sql = kBatchSql;
  auto put = [&sql](const std::string& part) { sql.replace(sql.find("%s"), 2, part); };
  put(bounded_schema ? "cc.cc_after_id, cc.cc_upto_id" : "null::int8, null::int8");
  put(bounded_schema ? "left join pgq.consumer_config cc on cc.cc_queue = s.sub_queue"
                       " and cc.cc_consumer = s.sub_consumer and cc.cc_last_tick = s.sub_last_tick"
                       " and cc.cc_next_tick = s.sub_next_tick"
                     : "");
  // Not read-only: a fresh snapshot sees a batch that next_batch opened
  // earlier in the same statement, e.g. get_batch_events(next_batch(q, c)).
  if (auto held = cell_holding_batch(batch_id)) {
    // Opened while VACUUM's horizon was held: the position is the cell's.
    sql = replace_all(replace_all(sql, "s.sub_last_tick", "$2"), "s.sub_next_tick", "$3");
    sql = replace_all(sql, "s.sub_batch = $1", "s.sub_queue = $4 and s.sub_consumer = $5");
    SPIPlanPtr plan =
        spi::prepare(cell_batch_plan, sql.c_str(), {INT8OID, INT8OID, INT8OID, INT4OID, INT4OID});
    Datum args[5] = {Int64GetDatum(batch_id), Int64GetDatum(held->pos.last_tick.value_or(0)),
                     Int64GetDatum(held->pos.next_tick.value_or(0)), Int32GetDatum(held->queue_id),
                     Int32GetDatum(held->consumer_id)};
    if (spi::execute(plan, args, nullptr, false, 1) == 0) return std::nullopt;
  } else {
    SPIPlanPtr plan =
        spi::prepare(bounded_schema ? batch_plan : batch_plan_v11, sql.c_str(), {INT8OID});
    Datum arg = Int64GetDatum(batch_id);
    if (spi::execute(plan, &arg, nullptr, false, 1) == 0) return std::nullopt;
  }

  OpenBatch b;
  b.sub_id = DatumGetInt32(spi::value(0, 1));
  b.queue_id = DatumGetInt32(spi::value(0, 2));
  core::Snapshot last = snapshot_at(3);
  core::Snapshot cur = snapshot_at(4);
  core::Rotation rot;
  rot.data_pfx = spi::text_value(0, 5);
  rot.ntables = DatumGetInt32(spi::value(0, 6));
  rot.cur_table = DatumGetInt32(spi::value(0, 7));
  rot.switch_step1 = static_cast<core::Txid>(DatumGetInt64(spi::value(0, 8)));
  bool step2_null = false;
  Datum step2 = spi::value(0, 9, &step2_null);
  if (!step2_null) rot.switch_step2 = static_cast<core::Txid>(DatumGetInt64(step2));

  bool null = false;
  Datum after = spi::value(0, 10, &null);
  if (!null) b.window.after = DatumGetInt64(after);
  Datum upto = spi::value(0, 11, &null);
  if (!null) b.window.upto = DatumGetInt64(upto);

  b.tables = core::batch_tables(rot, last, cur);
  b.filter = core::batch_filter(last, cur);
  b.events_sql = core::batch_events_sql(b.tables, b.filter, b.sub_id, extra_where, b.window);
  return b;
}

}  // namespace pgqpp::ext
