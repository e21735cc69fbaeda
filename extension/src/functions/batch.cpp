// SPDX-License-Identifier: PostgreSQL
// Consumers' entry points: opening a batch (next_batch, next_batch_info,
// next_batch_custom), reading it (get_batch_events, get_batch_cursor,
// batch_event_sql, batch_event_tables) and closing it (finish_batch).
#include <string>

#include "functions/bounded_batch.hpp"
#include "functions/events_plan.hpp"
#include "functions/open_batch.hpp"
#include "functions/position_cells.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "executor/tstoreReceiver.h"
}

namespace pgqpp::ext {
namespace {

SPIPlanPtr lock_plan = nullptr;
SPIPlanPtr subscription_plan = nullptr;
SPIPlanPtr subscription_plan_v11 = nullptr;  // schema 1.1: no pgq.consumer_config
SPIPlanPtr next_tick_plan = nullptr;
SPIPlanPtr custom_tick_plan = nullptr;
SPIPlanPtr open_plan = nullptr;
SPIPlanPtr tick_plan = nullptr;
SPIPlanPtr batch_id_plan = nullptr;
SPIPlanPtr finish_plan = nullptr;
SPIPlanPtr finish_plan_v11 = nullptr;  // schema 1.1: no pgq.consumer_config

// One row of next_batch_custom's result; nulls[i] marks NULL fields.
struct BatchRow {
  Datum values[7] = {};
  bool nulls[7] = {true, true, true, true, true, true, true};
};

enum { kBatchId, kCurTick, kPrevTick, kCurTime, kPrevTime, kCurSeq, kPrevSeq };

void set(BatchRow& r, int field, Datum value) {
  r.values[field] = value;
  r.nulls[field] = false;
}

// `tmpl` with its two %s replaced by `a` and `b`.
std::string format_sql(const char* tmpl, const std::string& a, const std::string& b) {
  std::string out = tmpl;
  out.replace(out.find("%s"), 2, a);
  out.replace(out.find("%s"), 2, b);
  return out;
}

std::string text_arg(FunctionCallInfo fcinfo, int arg) {
  if (PG_ARGISNULL(arg)) return "NULL";
  char* s = pg_call([&] { return text_to_cstring(PG_GETARG_TEXT_PP(arg)); });
  return s;
}

BoundedState bounded_state();

// The subscription row the lock statement read, and its cell (for the
// position while VACUUM's horizon is held; position_cells.hpp).
struct Locked {
  RowInfo row;
  WriterView view;
};

BatchRow open_new_batch(BatchRow r, const Locked& locked, const BoundedState& bounded);
bool tick_fields(BatchRow& r, int32 queue_id, int64 tick_id, int tick, int time, int seq);

// The heart of next_batch*: the consumer's open batch, or a new one ending at
// the next suitable tick, or no batch (all fields NULL but the ticks).
BatchRow open_batch(FunctionCallInfo fcinfo) {
  BatchRow r;
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
    throw Error(ERRCODE_UNDEFINED_OBJECT,
                "Not subscriber to queue: " + text_arg(fcinfo, 0) + "/" + text_arg(fcinfo, 1));
  // Columns 10..16: the subscription's pgq.consumer_config row (bounded_batch.hpp).
  static const char kSubscriptionSql[] =
      "select s.sub_queue, s.sub_consumer, s.sub_batch,"
      "       t1.tick_id, t1.tick_time, t1.tick_event_seq,"
      "       t2.tick_id, t2.tick_time, t2.tick_event_seq,"
      "       %s"
      "  from pgq.queue q"
      "  join pgq.subscription s on s.sub_queue = q.queue_id"
      "  join pgq.consumer c on c.co_id = s.sub_consumer"
      "  left join pgq.tick t1 on t1.tick_queue = s.sub_queue and t1.tick_id = s.sub_last_tick"
      "  left join pgq.tick t2 on t2.tick_queue = s.sub_queue and t2.tick_id = s.sub_next_tick"
      "  %s"
      " where q.queue_name = $1 and c.co_name = $2";
  bool bounded_schema = has_consumer_config();
  std::string sql = bounded_schema
                        ? format_sql(kSubscriptionSql,
                                     "cc.cc_max_batch_events, cc.cc_last_tick, cc.cc_next_tick,"
                                     " cc.cc_after_id, cc.cc_upto_id, cc.cc_max_id, cc.cc_queue",
                                     "left join pgq.consumer_config cc on cc.cc_queue = s.sub_queue"
                                     " and cc.cc_consumer = s.sub_consumer")
                        : format_sql(kSubscriptionSql,
                                     "null::int4, null::int8, null::int8, null::int8, null::int8,"
                                     " null::int8, null::int4",
                                     "");
  Datum args[2] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)};
  // First the row lock, which serialises the consumer's calls; then the
  // read, in a statement of its own: in READ COMMITTED its snapshot is taken
  // after the lock, so it sees what a call we waited for committed (its
  // subscription row, the ticks it moved to, its pgq.consumer_config row).
  // Locking and joining in one statement would recheck only the new
  // subscription row against the rows joined under the old snapshot
  // (EvalPlanQual): "does not see tick <NULL>" after a concurrent finish_batch.
  static const std::string lock_sql = std::string("select ") + kRowInfoColumns +
                                      "  from pgq.queue q"
                                      "  join pgq.subscription s on s.sub_queue = q.queue_id"
                                      "  join pgq.consumer c on c.co_id = s.sub_consumer"
                                      " where q.queue_name = $1 and c.co_name = $2"
                                      "   for update of s";
  SPIPlanPtr lock = spi::prepare(lock_plan, lock_sql.c_str(), {TEXTOID, TEXTOID});
  SPIPlanPtr plan = spi::prepare(bounded_schema ? subscription_plan : subscription_plan_v11,
                                 sql.c_str(), {TEXTOID, TEXTOID});
  auto not_subscribed = [&] {
    return Error(ERRCODE_UNDEFINED_OBJECT,
                 "Not subscriber to queue: " + text_arg(fcinfo, 0) + "/" + text_arg(fcinfo, 1), {},
                 "Register the consumer with pgq.register_consumer().");
  };
  if (spi::execute(lock, args, nullptr, false, 1) == 0) throw not_subscribed();
  Locked locked;
  locked.row = row_info_at(0);
  locked.view = cell_for_writer(locked.row.queue_id, locked.row.consumer_id);
  if (spi::execute(plan, args, nullptr, false, 1) == 0) throw not_subscribed();
  // Bounded batches (bounded_batch.hpp): a consumer inside a tick interval
  // gets its next window over the same two ticks.
  BoundedState bounded = bounded_state();
  int32 queue_id = locked.row.queue_id;
  auto no_tick = [&](const std::string& tick) {
    return Error(ERRCODE_DATA_CORRUPTED, "PgQ corruption: Consumer " + text_arg(fcinfo, 1) +
                                             " on queue " + text_arg(fcinfo, 0) +
                                             " does not see tick " + tick);
  };
  bool isnull = false;
  bool has_batch = false;
  if (const auto& held = locked.view.held) {
    // The cell holds the position; the row's ticks are the hold's start.
    if (!held->last_tick) throw no_tick("<NULL>");
    if (!tick_fields(r, queue_id, *held->last_tick, kPrevTick, kPrevTime, kPrevSeq))
      throw no_tick(std::to_string(*held->last_tick));
    has_batch = held->batch.has_value();
    if (has_batch) {
      set(r, kBatchId, Int64GetDatum(*held->batch));
      if (held->next_tick) tick_fields(r, queue_id, *held->next_tick, kCurTick, kCurTime, kCurSeq);
      return r;
    }
  } else {
    Datum open_batch_id = spi::value(0, 3, &isnull);
    has_batch = !isnull;
    Datum prev = spi::value(0, 4, &isnull);
    if (isnull) throw no_tick("<NULL>");
    set(r, kPrevTick, prev);
    set(r, kPrevTime, spi::value(0, 5));
    set(r, kPrevSeq, spi::value(0, 6));
    if (has_batch) {
      set(r, kBatchId, open_batch_id);
      for (int f : {kCurTick, kCurTime, kCurSeq}) {
        int col = f == kCurTick ? 7 : f == kCurTime ? 8 : 9;
        Datum v = spi::value(0, col, &isnull);
        if (!isnull) set(r, f, v);
      }
      return r;
    }
  }

  int64 last_tick = DatumGetInt64(r.values[kPrevTick]);
  if (bounded.in_progress(last_tick)) {
    if (!tick_fields(r, queue_id, *bounded.next_tick, kCurTick, kCurTime, kCurSeq))
      throw no_tick(std::to_string(*bounded.next_tick));
    return open_new_batch(r, locked, bounded);
  }

  bool custom = fcinfo->nargs == 5 && (!PG_ARGISNULL(3) || !PG_ARGISNULL(4));
  if (custom) {
    SPIPlanPtr p = spi::prepare(custom_tick_plan,
                                "select next_tick_id, next_tick_time, next_tick_seq"
                                "  from pgq.find_tick_helper($1, $2, $3, $4, $5, $6)",
                                {INT4OID, INT8OID, TIMESTAMPTZOID, INT8OID, INT8OID, INTERVALOID});
    Datum a[6] = {Int32GetDatum(queue_id),
                  r.values[kPrevTick],
                  r.values[kPrevTime],
                  r.values[kPrevSeq],
                  PG_ARGISNULL(3) ? 0 : Int64GetDatum(PG_GETARG_INT32(3)),
                  PG_ARGISNULL(4) ? 0 : PG_GETARG_DATUM(4)};
    char nulls[6] = {' ', ' ', ' ', ' ', PG_ARGISNULL(3) ? 'n' : ' ', PG_ARGISNULL(4) ? 'n' : ' '};
    spi::execute(p, a, nulls, false, 1);
  } else {
    SPIPlanPtr p = spi::prepare(next_tick_plan,
                                "select tick_id, tick_time, tick_event_seq from pgq.tick"
                                " where tick_queue = $1 and tick_id > $2"
                                " order by tick_queue asc, tick_id asc limit 1",
                                {INT4OID, INT8OID});
    Datum a[2] = {Int32GetDatum(queue_id), r.values[kPrevTick]};
    spi::execute(p, a, nullptr, false, 1);
  }
  Datum cur = SPI_processed > 0 ? spi::value(0, 1, &isnull) : 0;
  bool found = SPI_processed > 0 && !isnull;
  if (found) {
    set(r, kCurTick, cur);
    set(r, kCurTime, spi::value(0, 2));
    set(r, kCurSeq, spi::value(0, 3));
  }
  // i_min_lag: the batch's end tick must be at least this old.
  if (found && fcinfo->nargs == 5 && !PG_ARGISNULL(2)) {
    TimestampTz now = GetCurrentTransactionStartTimestamp();
    Interval* min_lag = PG_GETARG_INTERVAL_P(2);
    TimestampTz limit = DatumGetTimestampTz(pg_call([&] {
      return DirectFunctionCall2(timestamptz_mi_interval, TimestampTzGetDatum(now),
                                 PointerGetDatum(min_lag));
    }));
    if (DatumGetTimestampTz(r.values[kCurTime]) > limit) found = false;
  }
  if (!found) return BatchRow{};
  return open_new_batch(r, locked, bounded);
}

// The subscription row's pgq.consumer_config columns (10..16).
BoundedState bounded_state() {
  BoundedState st;
  bool null = false;
  spi::value(0, 16, &null);
  if (null) return st;  // no row
  st.has_row = true;
  auto int8_at = [](int col) -> std::optional<int64> {
    bool n = false;
    Datum v = spi::value(0, col, &n);
    return n ? std::nullopt : std::optional<int64>(DatumGetInt64(v));
  };
  Datum max = spi::value(0, 10, &null);
  if (!null) st.max_events = DatumGetInt32(max);
  st.last_tick = int8_at(11);
  st.next_tick = int8_at(12);
  st.after_id = int8_at(13);
  st.upto_id = int8_at(14);
  st.max_id = int8_at(15);
  return st;
}

// Sets r's fields tick, time and seq from tick `tick_id` of the queue;
// false when there is no such tick.
bool tick_fields(BatchRow& r, int32 queue_id, int64 tick_id, int tick, int time, int seq) {
  SPIPlanPtr p = spi::prepare(tick_plan,
                              "select tick_id, tick_time, tick_event_seq from pgq.tick"
                              " where tick_queue = $1 and tick_id = $2",
                              {INT4OID, INT8OID});
  Datum a[2] = {Int32GetDatum(queue_id), Int64GetDatum(tick_id)};
  if (spi::execute(p, a, nullptr, false, 1) == 0) return false;
  set(r, tick, spi::value(0, 1));
  set(r, time, spi::value(0, 2));
  set(r, seq, spi::value(0, 3));
  return true;
}

// Opens a batch from r's prev tick to its cur tick: an UPDATE of the
// subscription row as PgQ makes it, or, while VACUUM's horizon is held, a
// write of the consumer's position cell (position_cells.hpp). Bounded
// batches keep their consumer in row mode.
BatchRow open_new_batch(BatchRow r, const Locked& locked, const BoundedState& bounded) {
  const int32 queue_id = locked.row.queue_id;
  const int32 consumer_id = locked.row.consumer_id;
  const bool bounded_batch =
      bounded.max_events || bounded.in_progress(DatumGetInt64(r.values[kPrevTick]));
  PositionMode mode = position_mode(locked.view, locked.row, bounded.has_row);
  if (mode == PositionMode::row) {
    SPIPlanPtr p = spi::prepare(open_plan,
                                "update pgq.subscription"
                                "   set sub_batch = nextval('pgq.batch_id_seq'),"
                                "       sub_next_tick = $3, sub_active = now()"
                                " where sub_queue = $1 and sub_consumer = $2"
                                " returning sub_batch",
                                {INT4OID, INT4OID, INT8OID});
    Datum a[3] = {Int32GetDatum(queue_id), Int32GetDatum(consumer_id), r.values[kCurTick]};
    spi::execute(p, a, nullptr, false, 0);
    set(r, kBatchId, spi::value(0, 1));
  } else {
    SPIPlanPtr p = spi::prepare(batch_id_plan, "select nextval('pgq.batch_id_seq')", {});
    spi::execute(p, nullptr, nullptr, false, 0);
    set(r, kBatchId, spi::value(0, 1));
    core::CellPosition next;
    next.last_tick = DatumGetInt64(r.values[kPrevTick]);
    next.next_tick = DatumGetInt64(r.values[kCurTick]);
    next.batch = DatumGetInt64(r.values[kBatchId]);
    next.active = pg_call([] { return GetCurrentTransactionStartTimestamp(); });
    write_position(locked.view, locked.row, mode, next);
  }
  if (bounded_batch)
    plan_bounded_batch(DatumGetInt64(r.values[kBatchId]), queue_id, consumer_id, bounded,
                       DatumGetInt64(r.values[kPrevTick]), DatumGetInt64(r.values[kCurTick]));
  return r;
}

// The batch row as the function's composite result. Called after the SPI
// session has ended: while it is open, CurrentMemoryContext is SPI's
// procedure context, which SPI_finish frees, and a tuple formed there is
// freed before the executor reads it.
Datum batch_record(FunctionCallInfo fcinfo, const BatchRow& r) {
  return pg_call([&] {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
      ereport(ERROR,
              (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("return type must be a row type")));
    desc = BlessTupleDesc(desc);
    HeapTuple tuple =
        heap_form_tuple(desc, const_cast<Datum*>(r.values), const_cast<bool*>(r.nulls));
    return HeapTupleGetDatum(tuple);
  });
}

// next_batch_custom and next_batch_info: open_batch's row as the result,
// formed once the SPI session has ended (see batch_record).
Datum batch_row_result(FunctionCallInfo fcinfo) {
  BatchRow r;
  {
    spi::Session session;
    r = open_batch(fcinfo);
  }
  return batch_record(fcinfo, r);
}

OpenBatch require_batch(int64 batch_id, const std::string& extra_where = {}) {
  auto b = load_open_batch(batch_id, extra_where);
  if (!b)
    throw Error(ERRCODE_UNDEFINED_OBJECT, "batch not found",
                "No consumer has batch " + std::to_string(batch_id) + " open.");
  return *b;
}

// Switches the SRF to materialize mode; rows then go to rsinfo->setResult.
// `scalar`: the function returns setof a base type, not of a row type.
ReturnSetInfo* materialize(FunctionCallInfo fcinfo, bool scalar = false) {
  pg_call([&] { InitMaterializedSRF(fcinfo, scalar ? MAT_SRF_USE_EXPECTED_DESC : 0); });
  return reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
}

}  // namespace
}  // namespace pgqpp::ext

using namespace pgqpp::ext;

/// pgq.next_batch_custom(queue, consumer, min_lag, min_count, min_interval)
/// -> (batch_id, cur_tick_id, prev_tick_id, cur_tick_time, prev_tick_time,
///     cur_tick_event_seq, prev_tick_event_seq).
PGQPP_FUNCTION(pgqpp_next_batch_custom) { return batch_row_result(fcinfo); }

/// pgq.next_batch_info(queue, consumer): next_batch_custom without limits.
PGQPP_FUNCTION(pgqpp_next_batch_info) { return batch_row_result(fcinfo); }

/// pgq.next_batch(queue, consumer) -> bigint: the open or a new batch id, or
/// NULL when no new tick has arrived.
PGQPP_FUNCTION(pgqpp_next_batch) {
  spi::Session session;
  BatchRow r = open_batch(fcinfo);
  if (r.nulls[kBatchId]) PG_RETURN_NULL();
  return r.values[kBatchId];
}

/// pgq.get_batch_events(batch_id): every event of the batch, streamed from
/// the event tables into the function's result without an intermediate copy,
/// through a plan kept per table set (events_plan.hpp).
PGQPP_FUNCTION(pgqpp_get_batch_events) {
  if (PG_ARGISNULL(0)) throw Error(ERRCODE_UNDEFINED_OBJECT, "batch not found");
  ReturnSetInfo* rsinfo = materialize(fcinfo);
  spi::Session session;
  OpenBatch b = require_batch(PG_GETARG_INT64(0));
  DestReceiver* dest = pg_call([&] {
    DestReceiver* d = CreateDestReceiver(DestTuplestore);
    SetTuplestoreDestReceiverParams(d, rsinfo->setResult, rsinfo->econtext->ecxt_per_query_memory,
                                    false, nullptr, nullptr);
    return d;
  });
  // A bounded batch's window reads by ev_id (batch_events_sql): its own
  // SQL; every other batch through the queue's kept plan (events_plan.hpp).
  if (b.window.empty())
    read_batch_events(b, dest);
  else
    spi::execute_into(b.events_sql.c_str(), dest);
  return 0;
}

/// pgq.get_batch_cursor(batch_id, cursor_name, quick_limit[, extra_where]):
/// opens cursor `cursor_name` over the batch's events and returns the first
/// quick_limit of them.
PGQPP_FUNCTION(pgqpp_get_batch_cursor) {
  ReturnSetInfo* rsinfo = materialize(fcinfo);
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2)) return 0;  // PgQ: no rows
  std::string extra;
  if (fcinfo->nargs > 3 && !PG_ARGISNULL(3))
    extra = pg_call([&] { return text_to_cstring(PG_GETARG_TEXT_PP(3)); });
  const char* cursor =
      pg_call([&] { return quote_identifier(text_to_cstring(PG_GETARG_TEXT_PP(1))); });
  int32 limit = PG_GETARG_INT32(2);
  spi::Session session;
  OpenBatch b = require_batch(PG_GETARG_INT64(0), extra);
  std::string declare = std::string("declare ") + cursor + " no scroll cursor for " + b.events_sql;
  spi::execute(declare.c_str(), false);
  if (limit <= 0) return 0;
  std::string fetch = "fetch " + std::to_string(limit) + " from " + cursor;
  uint64 n = spi::execute(fetch.c_str(), false);
  pg_call([&] {
    for (uint64 i = 0; i < n; ++i) tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[i]);
  });
  return 0;
}

/// pgq.batch_event_sql(batch_id) -> text: the SELECT that reads the batch.
PGQPP_FUNCTION(pgqpp_batch_event_sql) {
  if (PG_ARGISNULL(0)) throw Error(ERRCODE_UNDEFINED_OBJECT, "batch not found");
  std::string sql;
  {
    spi::Session session;
    sql = require_batch(PG_GETARG_INT64(0)).events_sql;
  }
  return pg_call([&] { return CStringGetTextDatum(sql.c_str()); });
}

/// pgq.batch_event_tables(batch_id) -> setof text: the event tables the
/// batch reads.
PGQPP_FUNCTION(pgqpp_batch_event_tables) {
  if (PG_ARGISNULL(0)) throw Error(ERRCODE_UNDEFINED_OBJECT, "Cannot find data for batch NULL");
  ReturnSetInfo* rsinfo = materialize(fcinfo, true);
  int64 batch_id = PG_GETARG_INT64(0);
  OpenBatch b;
  {
    spi::Session session;
    auto found = load_open_batch(batch_id);
    if (!found)
      throw Error(ERRCODE_UNDEFINED_OBJECT,
                  "Cannot find data for batch " + std::to_string(batch_id));
    b = *found;
  }
  for (const auto& table : b.tables) {
    pg_call([&] {
      Datum v = CStringGetTextDatum(table.c_str());
      bool null = false;
      tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &v, &null);
    });
  }
  return 0;
}

/// pgq.finish_batch(batch_id) -> integer: moves the consumer past the batch;
/// 1 if done, 0 with a warning when no such batch is open.
PGQPP_FUNCTION(pgqpp_finish_batch) {
  if (PG_ARGISNULL(0)) PG_RETURN_INT32(0);
  int64 batch_id = PG_GETARG_INT64(0);
  uint64 n;
  {
    spi::Session session;
    // One statement in the usual case: the subscription moves on unless a
    // bounded batch's window (pgq.consumer_config) stops inside its tick
    // interval; only then, or for an unknown batch, finish_partial_batch
    // runs its UPDATE (bounded_batch.hpp).
    // A batch opened while VACUUM's horizon was held is in its consumer's
    // position cell (position_cells.hpp), not in pgq.subscription.
    if (finish_cell_batch(batch_id)) PG_RETURN_INT32(1);
    bool bounded_schema = has_consumer_config();
    static const std::string finish_sql =
        std::string(
            "update pgq.subscription s"
            "   set sub_active = now(), sub_last_tick = sub_next_tick,"
            "       sub_next_tick = null, sub_batch = null"
            " where sub_batch = $1") +
        (" and not exists (select 1 from pgq.consumer_config cc"
         "  where cc.cc_queue = s.sub_queue and cc.cc_consumer = s.sub_consumer"
         "    and cc.cc_last_tick = s.sub_last_tick and cc.cc_next_tick = s.sub_next_tick"
         "    and cc.cc_upto_id < cc.cc_max_id)");
    static const std::string finish_sql_v11 = finish_sql.substr(0, finish_sql.find(" and not"));
    SPIPlanPtr p = spi::prepare(bounded_schema ? finish_plan : finish_plan_v11,
                                (bounded_schema ? finish_sql : finish_sql_v11).c_str(), {INT8OID});
    Datum arg = Int64GetDatum(batch_id);
    n = spi::execute(p, &arg, nullptr, false, 0);
    if (n == 0 && finish_partial_batch(batch_id)) PG_RETURN_INT32(1);
  }
  if (n == 0) {
    ereport(WARNING, (errmsg("finish_batch: batch " INT64_FORMAT " not found", batch_id)));
    PG_RETURN_INT32(0);
  }
  PG_RETURN_INT32(1);
}
