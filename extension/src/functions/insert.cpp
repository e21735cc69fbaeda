// SPDX-License-Identifier: PostgreSQL
// Producers' entry points: pgq.insert_event (both overloads),
// pgq.insert_event_raw and pgqpp's bulk pgq.insert_events.
//
// The hot path runs no SQL: the queue's metadata comes from the backend-local
// cache, the id from the sequence directly, and the row goes straight into
// the current event table and its index. As in PgQ, an event's id is taken
// before the queue's settings are checked (insert_checks.hpp), and
// insert_event_raw takes one even when it is given the event's id.
#include "functions/event_writer.hpp"
#include "functions/insert_checks.hpp"
#include "functions/queue_cache.hpp"
#include "pg/as_user.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"
#include "triggers/event_sink.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/array.h"
}

namespace pgqpp::ext {
namespace {

const char* queue_name_arg(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0)) throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "Queue name must not be NULL");
  return pg_call([&] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
}

// The queue, and the id taken for one event, before the queue's settings are
// checked (PgQ's order: a refused insert still uses an id).
QueueInfo open_queue_for_one(const char* queue_name, int64* id) {
  QueueInfo q = queue_for_insert(queue_name);
  *id = pg_call([&] { return next_event_id(q.event_seq); });
  check_insert_allowed(q, queue_name);
  return q;
}

// Fills the row's text columns from arguments first_arg.. (type, data,
// extra1..4; fewer when the overload has fewer).
void set_text_columns(EventRow* row, FunctionCallInfo fcinfo, int first_arg, int nargs) {
  for (int col = kEvType; col <= kEvExtra4; ++col) {
    int arg = first_arg + (col - kEvType);
    bool present = arg < first_arg + nargs && !PG_ARGISNULL(arg);
    row->nulls[col] = !present;
    row->values[col] = present ? PG_GETARG_DATUM(arg) : 0;
  }
}

// Writes one event with the id in row. Owns no C++ objects: PostgreSQL
// errors may pass through.
void write_one(const QueueInfo& q, EventRow* row) {
  EventWriter w;
  event_writer_open(&w, q.event_table, false);
  row->nulls[kEvId] = false;
  row->values[kEvTxid] = Int64GetDatum(current_txid());
  row->nulls[kEvTxid] = false;
  event_writer_write(&w, row);
  event_writer_close(&w);
}

Datum insert_event_common(FunctionCallInfo fcinfo, int ntext) {
  const char* queue_name = queue_name_arg(fcinfo);
  int64 id = 0;
  QueueInfo q = open_queue_for_one(queue_name, &id);
  EventRow row;
  row.values[kEvId] = Int64GetDatum(id);
  row.values[kEvTime] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
  row.nulls[kEvTime] = false;
  row.nulls[kEvOwner] = row.nulls[kEvRetry] = true;
  row.values[kEvOwner] = row.values[kEvRetry] = 0;
  set_text_columns(&row, fcinfo, 1, ntext);
  pg_call([&] { write_one(q, &row); });
  return Int64GetDatum(id);
}

SPIPlanPtr replaced_plan = nullptr;

// PgQ 3.5's pgq.insert_event(3) is PL/pgSQL returning
// pgq.insert_event(queue, type, data, null, null, null, null), and it is not
// SECURITY DEFINER: a replaced seven-argument function sees these events too,
// called with the caller's rights (the outer user: the session's role or SET
// ROLE's). Only when the function was replaced (event_sink.hpp).
Datum insert_through_replaced(FunctionCallInfo fcinfo) {
  spi::Session session;
  Datum values[3];
  char nulls[3];
  for (int i = 0; i < 3; ++i) {
    nulls[i] = PG_ARGISNULL(i) ? 'n' : ' ';
    values[i] = PG_ARGISNULL(i) ? 0 : PG_GETARG_DATUM(i);
  }
  bool isnull = false;
  Datum id = 0;
  try {
    AsUser caller(GetOuterUserId());
    SPIPlanPtr plan =
        spi::prepare(replaced_plan, "select pgq.insert_event($1, $2, $3, null, null, null, null)",
                     {TEXTOID, TEXTOID, TEXTOID});
    spi::execute(plan, values, nulls, false, 1);
    id = spi::value(0, 1, &isnull);
  } catch (const PgError& e) {
    // PgQ's PL/pgSQL parses the call as an expression, without our
    // "select ": an error's position in it (a missing function) counts
    // from there.
    constexpr int kSelect = sizeof("select ") - 1;
    if (e.data()->cursorpos > kSelect) e.data()->cursorpos -= kSelect;
    if (e.data()->internalpos > kSelect) e.data()->internalpos -= kSelect;
    throw;
  }
  if (isnull) {
    fcinfo->isnull = true;
    return 0;
  }
  return id;  // int8 is passed by value
}

}  // namespace
}  // namespace pgqpp::ext

using namespace pgqpp::ext;

/// pgq.insert_event(queue_name, ev_type, ev_data) -> bigint: see SQL docs.
/// Calls a replaced seven-argument pgq.insert_event as PgQ's does.
PGQPP_FUNCTION(pgqpp_insert_event) {
  if (triggers::insert_event_replaced()) return insert_through_replaced(fcinfo);
  return insert_event_common(fcinfo, 2);
}

/// pgq.insert_event(queue_name, ev_type, ev_data, ev_extra1..4) -> bigint.
PGQPP_FUNCTION(pgqpp_insert_event_extra) { return insert_event_common(fcinfo, 6); }

/// pgq.insert_event_raw(queue_name, ev_id, ev_time, ev_owner, ev_retry,
/// ev_type, ev_data, ev_extra1..4) -> bigint.
PGQPP_FUNCTION(pgqpp_insert_event_raw) {
  const char* queue_name = queue_name_arg(fcinfo);
  // PgQ takes an id from the sequence even when ev_id is given, so that the
  // ticker sees that events arrived.
  int64 seq_id = 0;
  QueueInfo q = open_queue_for_one(queue_name, &seq_id);
  EventRow row;
  int64 id = PG_ARGISNULL(1) ? seq_id : PG_GETARG_INT64(1);
  row.values[kEvId] = Int64GetDatum(id);
  row.values[kEvTime] = PG_ARGISNULL(2) ? TimestampTzGetDatum(GetCurrentTransactionStartTimestamp())
                                        : PG_GETARG_DATUM(2);
  row.nulls[kEvTime] = false;
  row.nulls[kEvOwner] = PG_ARGISNULL(3);
  row.values[kEvOwner] = PG_ARGISNULL(3) ? 0 : PG_GETARG_DATUM(3);
  row.nulls[kEvRetry] = PG_ARGISNULL(4);
  row.values[kEvRetry] = PG_ARGISNULL(4) ? 0 : PG_GETARG_DATUM(4);
  set_text_columns(&row, fcinfo, 5, 6);
  pg_call([&] { write_one(q, &row); });
  return Int64GetDatum(id);
}

namespace pgqpp::ext {
namespace {

// One text[] argument of insert_events, deconstructed.
struct TextArray {
  Datum* values = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  bool present = false;
};

TextArray text_array_arg(FunctionCallInfo fcinfo, int arg) {
  TextArray a;
  if (PG_ARGISNULL(arg)) return a;
  a.present = true;
  pg_call([&] {
    ArrayType* array = PG_GETARG_ARRAYTYPE_P(arg);
    if (ARR_NDIM(array) > 1)
      ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                      errmsg("insert_events expects one-dimensional arrays")));
    deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &a.values, &a.nulls, &a.count);
  });
  return a;
}

// Writes `count` events from the columns; owns no C++ objects.
void write_many(const QueueInfo& q, const TextArray* columns, int count) {
  EventWriter w;
  event_writer_open(&w, q.event_table, true);
  EventRow row;
  row.values[kEvTime] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
  row.values[kEvTxid] = Int64GetDatum(current_txid());
  row.nulls[kEvId] = row.nulls[kEvTime] = row.nulls[kEvTxid] = false;
  row.nulls[kEvOwner] = row.nulls[kEvRetry] = true;
  row.values[kEvOwner] = row.values[kEvRetry] = 0;
  for (int i = 0; i < count; ++i) {
    CHECK_FOR_INTERRUPTS();
    for (int c = 0; c < 6; ++c) {
      const TextArray& col = columns[c];
      // A one-element type array applies to every event.
      int at = (c == 0 && col.count == 1) ? 0 : i;
      bool null = !col.present || col.nulls[at];
      row.nulls[kEvType + c] = null;
      row.values[kEvType + c] = null ? 0 : col.values[at];
    }
    row.values[kEvId] = Int64GetDatum(next_event_id(q.event_seq));
    event_writer_write(&w, &row);
  }
  event_writer_close(&w);
}

}  // namespace
}  // namespace pgqpp::ext

/// pgq.insert_events(queue_name, ev_types, ev_datas, ev_extra1s..4s) -> bigint:
/// pgqpp's bulk insert; see extension/sql/20_insert.sql.
PGQPP_FUNCTION(pgqpp_insert_events) {
  const char* queue_name = queue_name_arg(fcinfo);
  TextArray columns[6];
  for (int c = 0; c < 6; ++c) columns[c] = text_array_arg(fcinfo, c + 1);
  if (!columns[1].present) throw_null_argument("ev_data");
  int count = columns[1].count;
  for (int c = 0; c < 6; ++c) {
    bool broadcast_type = c == 0 && columns[c].count == 1;
    if (columns[c].present && columns[c].count != count && !broadcast_type)
      throw Error(ERRCODE_ARRAY_SUBSCRIPT_ERROR, "insert_events arrays differ in length",
                  "ev_data has " + std::to_string(count) + " elements, argument " +
                      std::to_string(c + 2) + " has " + std::to_string(columns[c].count) + ".",
                  "Pass arrays of the same length, or a one-element ev_type array for all events.");
  }
  if (count == 0) return Int64GetDatum(0);
  QueueInfo q = queue_for_insert(queue_name);
  // A refusal uses the ids that inserting the same events one by one with
  // insert_event would have used (each takes its id before the checks), so
  // ids after a refusal do not depend on which form was called.
  int64 ids_used = 0;
  if (std::optional<Error> refusal = insert_refusal(q, queue_name, count, &ids_used)) {
    pg_call([&] {
      for (int64 i = 0; i < ids_used; ++i) next_event_id(q.event_seq);
    });
    throw *refusal;
  }
  pg_call([&] { write_many(q, columns, count); });
  return Int64GetDatum(count);
}
