// SPDX-License-Identifier: PostgreSQL
// Producers' delayed events: pgq.insert_event_at (both overloads) and the
// bulk pgq.insert_events_at. An event waits in pgq.delayed_event until its
// deliver_at, when the ticker moves it into the queue (delayed_move.hpp).
//
// Like insert_event, an event takes its id from the queue's sequence before
// the queue's settings are checked (insert_checks.hpp); it keeps that id when
// delivered. The commit tells a waiting ticker the earliest deliver_at it
// wrote (ticker_wakeup_note_delayed), so the ticker sleeps until then.
#include <string>

#include "functions/event_writer.hpp"
#include "functions/insert_checks.hpp"
#include "functions/queue_cache.hpp"
#include "functions/schema_objects.hpp"
#include "functions/ticker_wakeup.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "utils/array.h"
}

namespace pgqpp::ext {
namespace {

SPIPlanPtr store_plan = nullptr;    // schema 1.2: pgq.delayed_event
SPIPlanPtr store_plans[2] = {};     // schema 1.3: pgq.delayed_event_0 / _1
SPIPlanPtr current_plan = nullptr;  // schema 1.3: which of them is current

// The columns of the INSERT below, in order.
enum StoreColumn {
  kDeliverAt,
  kQueue,
  kId,
  kTime,
  kTxid,
  kType,
  kData,
  kExtra1,
  kExtra2,
  kExtra3,
  kExtra4,
  kStoreColumns
};

struct StoreRow {
  Datum values[kStoreColumns];
  char nulls[kStoreColumns];  // SPI's ' ' / 'n'
};

constexpr const char* kStoreColumnsSql =
    " (de_deliver_at, de_queue, ev_id, ev_time, ev_txid,"
    " ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)"
    " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

// The prepared INSERT of this call: into the current child table on schema
// 1.3 (read once per call: rotation switches it, schema_objects.hpp), into
// pgq.delayed_event on 1.2.
SPIPlanPtr store_plan_now() {
  std::string table = "pgq.delayed_event";
  SPIPlanPtr* slot = &store_plan;
  if (schema_has(SchemaObject::delayed_mark)) {
    SPIPlanPtr cur = spi::prepare(current_plan, "select dm_cur_table from pgq.delayed_mark", {},
                                  spi::PlanMode::generic);
    if (spi::execute(cur, nullptr, nullptr, true, 1) != 1)
      throw Error(ERRCODE_DATA_CORRUPTED, "pgq.delayed_mark must hold one row");
    int32 n = DatumGetInt32(spi::value(0, 1)) == 1 ? 1 : 0;
    table += "_" + std::to_string(n);
    slot = &store_plans[n];
  }
  return spi::prepare(*slot, ("insert into " + table + kStoreColumnsSql).c_str(),
                      {TIMESTAMPTZOID, INT4OID, INT8OID, TIMESTAMPTZOID, INT8OID, TEXTOID, TEXTOID,
                       TEXTOID, TEXTOID, TEXTOID, TEXTOID},
                      spi::PlanMode::generic);
}

void store(SPIPlanPtr plan, const StoreRow& row) {
  spi::execute(plan, row.values, row.nulls, false, 0);
}

const char* queue_name_arg(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0)) throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "Queue name must not be NULL");
  return pg_call([&] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
}

// A deliver_at must be a finite time.
TimestampTz checked_deliver_at(bool isnull, Datum value) {
  if (isnull)
    throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "deliver_at must not be NULL", {},
                "Give the time the event is due, or use pgq.insert_event for now.");
  TimestampTz at = DatumGetTimestampTz(value);
  if (TIMESTAMP_NOT_FINITE(at))
    throw Error(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE, "deliver_at must be a finite time");
  return at;
}

// Fills the fixed columns of a row for queue q.
void start_row(StoreRow* row, const QueueInfo& q) {
  for (int c = 0; c < kStoreColumns; ++c) row->nulls[c] = ' ';
  row->values[kQueue] = Int32GetDatum(q.queue_id);
  row->values[kTime] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
  row->values[kTxid] = Int64GetDatum(current_txid());
}

Datum insert_event_at_common(FunctionCallInfo fcinfo, int ntext) {
  const char* queue_name = queue_name_arg(fcinfo);
  TimestampTz at = checked_deliver_at(PG_ARGISNULL(1), PG_GETARG_DATUM(1));
  spi::Session session;
  QueueInfo q = queue_for_insert(queue_name, false);
  int64 id = pg_call([&] { return next_event_id(q.event_seq); });
  check_insert_allowed(q, queue_name);
  StoreRow row;
  start_row(&row, q);
  row.values[kDeliverAt] = TimestampTzGetDatum(at);
  row.values[kId] = Int64GetDatum(id);
  for (int c = kType; c <= kExtra4; ++c) {
    int arg = 2 + (c - kType);
    bool present = arg < 2 + ntext && !PG_ARGISNULL(arg);
    row.nulls[c] = present ? ' ' : 'n';
    row.values[c] = present ? PG_GETARG_DATUM(arg) : 0;
  }
  store(store_plan_now(), row);
  ticker_wakeup_note_delayed(at);
  return Int64GetDatum(id);
}

// One array argument of insert_events_at, deconstructed.
struct ArrayArg {
  Datum* values = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  bool present = false;
};

ArrayArg array_arg(FunctionCallInfo fcinfo, int arg, Oid type, int len, bool byval, char align) {
  ArrayArg a;
  if (PG_ARGISNULL(arg)) return a;
  a.present = true;
  pg_call([&] {
    ArrayType* array = PG_GETARG_ARRAYTYPE_P(arg);
    if (ARR_NDIM(array) > 1)
      ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                      errmsg("insert_events_at expects one-dimensional arrays")));
    deconstruct_array(array, type, len, byval, align, &a.values, &a.nulls, &a.count);
  });
  return a;
}

// Element i of a, or element 0 when a one-element array applies to all.
int element(const ArrayArg& a, int i, bool broadcast) { return broadcast && a.count == 1 ? 0 : i; }

}  // namespace
}  // namespace pgqpp::ext

using namespace pgqpp::ext;

/// pgq.insert_event_at(queue_name, deliver_at, ev_type, ev_data) -> bigint:
/// see extension/sql/74_delayed.sql.
PGQPP_FUNCTION(pgqpp_insert_event_at) { return insert_event_at_common(fcinfo, 2); }

/// pgq.insert_event_at(queue_name, deliver_at, ev_type, ev_data, ev_extra1..4) -> bigint.
PGQPP_FUNCTION(pgqpp_insert_event_at_extra) { return insert_event_at_common(fcinfo, 6); }

/// pgq.insert_events_at(queue_name, deliver_ats, ev_types, ev_datas,
/// ev_extra1s..4s) -> bigint: the bulk form; returns how many were stored.
PGQPP_FUNCTION(pgqpp_insert_events_at) {
  const char* queue_name = queue_name_arg(fcinfo);
  ArrayArg ats = array_arg(fcinfo, 1, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
  ArrayArg columns[6];  // ev_types, ev_datas, extras
  for (int c = 0; c < 6; ++c)
    columns[c] = array_arg(fcinfo, c + 2, TEXTOID, -1, false, TYPALIGN_INT);
  if (!ats.present) throw_null_argument("deliver_ats");
  if (!columns[1].present) throw_null_argument("ev_data");
  int count = columns[1].count;
  auto check_length = [&](const ArrayArg& a, bool broadcast, int arg) {
    if (a.present && a.count != count && !(broadcast && a.count == 1))
      throw Error(ERRCODE_ARRAY_SUBSCRIPT_ERROR, "insert_events_at arrays differ in length",
                  "ev_data has " + std::to_string(count) + " elements, argument " +
                      std::to_string(arg) + " has " + std::to_string(a.count) + ".",
                  "Pass arrays of the same length, or one-element deliver_at and ev_type arrays "
                  "for all events.");
  };
  check_length(ats, true, 2);
  for (int c = 0; c < 6; ++c) check_length(columns[c], c == 0, c + 3);
  if (count == 0) return Int64GetDatum(0);
  TimestampTz earliest = DT_NOEND;
  for (int i = 0; i < ats.count; ++i)
    earliest = std::min(earliest, checked_deliver_at(ats.nulls[i], ats.values[i]));
  spi::Session session;
  QueueInfo q = queue_for_insert(queue_name, false);
  int64 ids_used = 0;
  if (std::optional<Error> refusal = insert_refusal(q, queue_name, count, &ids_used)) {
    pg_call([&] {
      for (int64 i = 0; i < ids_used; ++i) next_event_id(q.event_seq);
    });
    throw *refusal;
  }
  SPIPlanPtr plan = store_plan_now();
  StoreRow row;
  start_row(&row, q);
  for (int i = 0; i < count; ++i) {
    pg_call([] { CHECK_FOR_INTERRUPTS(); });
    row.values[kDeliverAt] = ats.values[element(ats, i, true)];
    row.values[kId] = Int64GetDatum(pg_call([&] { return next_event_id(q.event_seq); }));
    for (int c = 0; c < 6; ++c) {
      const ArrayArg& col = columns[c];
      int at = element(col, i, c == 0);
      bool null = !col.present || col.nulls[at];
      row.nulls[kType + c] = null ? 'n' : ' ';
      row.values[kType + c] = null ? 0 : col.values[at];
    }
    store(plan, row);
  }
  ticker_wakeup_note_delayed(earliest);
  return Int64GetDatum(count);
}
