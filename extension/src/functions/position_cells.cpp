// SPDX-License-Identifier: PostgreSQL
// Consumers' positions while VACUUM's horizon is held: see position_cells.hpp.
#include "functions/position_cells.hpp"

#include <string>

#include "functions/horizon_stall_shared.hpp"
#include "functions/schema_objects.hpp"
#include "pg/bridge.hpp"
#include "pg/position_cell_store.hpp"
#include "pg/spi.hpp"
#include "pg/xid_status.hpp"

extern "C" {
#include "access/transam.h"
#include "access/xact.h"
#include "storage/procarray.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

namespace pgqpp::ext {
namespace {

// pgqpp.position_cell_after: a consumer leaves its row for its cell only
// once this many batch opens in a row, of any session of the database,
// have found the horizon standing still behind them
// (horizon_stall_shared.hpp): a moving horizon, however far behind, is a
// busy server, and an UPDATE's old version goes soon. -1: never.
int cell_after_writes = 8;

SPIPlanPtr insert_plan = nullptr;
SPIPlanPtr update_plan = nullptr;
SPIPlanPtr row_plan = nullptr;
SPIPlanPtr finish_lock_plan = nullptr;
SPIPlanPtr skip_lock_plan = nullptr;
SPIPlanPtr delete_plan = nullptr;

bool has_cells() { return schema_has(SchemaObject::subscription_cell); }

// The cell table and its index, from schema_objects' cache (no catalog
// lookup per call).
PositionCellTable position_cell_table() {
  return {schema_relid(SchemaObject::subscription_cell),
          schema_relid(SchemaObject::subscription_cell_pkey)};
}

core::CellContent decode(const core::CellRow& row) {
  auto content = core::from_row(row);
  if (!content)
    throw Error(ERRCODE_DATA_CORRUPTED,
                "the position cell of consumer " + std::to_string(row.consumer_id) + " on queue " +
                    std::to_string(row.queue_id) + " has flags this version of pgqpp does not know",
                {}, "Update the extension's library to the version that wrote it.");
  return *content;
}

const core::CellPosition& state_of(const core::CellContent& c, core::CellVersion v) {
  return v == core::CellVersion::new_pos ? c.new_pos : c.old_pos;
}

// The newest committed state, for a reader the cell cannot answer for.
core::CellVersion newest(const core::CellContent& c) {
  if (c.xids.writer == 0) return core::CellVersion::old_pos;
  core::XidStatus st = xid8_status(c.xids.writer);
  return st == core::XidStatus::committed || st == core::XidStatus::current
             ? core::CellVersion::new_pos
             : core::CellVersion::old_pos;
}

// The fifteen columns of pgq.subscription_cell, in table order.
void cell_datums(const core::CellRow& r, Datum v[15]) {
  v[0] = Int32GetDatum(r.queue_id);
  v[1] = Int32GetDatum(r.consumer_id);
  const int64 rest[] = {r.flags,      r.writer,        r.prev,          r.since,
                        r.row_writer, r.old_last_tick, r.old_next_tick, r.old_batch,
                        r.old_active, r.new_last_tick, r.new_next_tick, r.new_batch,
                        r.new_active};
  for (int i = 0; i < 13; ++i) v[2 + i] = Int64GetDatum(rest[i]);
}

std::initializer_list<Oid> cell_types() {
  static const std::initializer_list<Oid> types = {
      INT4OID, INT4OID, INT8OID,        INT8OID, INT8OID, INT8OID, INT8OID,       INT8OID,
      INT8OID, INT8OID, TIMESTAMPTZOID, INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID};
  return types;
}

// Stores `next` as the consumer's cell. The first cell write inserts the
// row (an ordinary version: a rollback removes it). A write whose cell was
// last written by another part of this very transaction (an exception
// block's subtransaction after the outer next_batch) takes an ordinary
// update, because one level of history could not undo the inner part
// alone; every other write overwrites the row in place.
void store(const WriterView& view, const core::CellContent& next, std::uint64_t self) {
  core::CellRow row = core::to_row(next);
  Datum v[15];
  cell_datums(row, v);
  if (!view.cell) {
    SPIPlanPtr p =
        spi::prepare(insert_plan,
                     "insert into pgq.subscription_cell values"
                     " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                     cell_types());
    spi::execute(p, v, nullptr, false, 0);
    return;
  }
  std::uint64_t writer = view.cell->xids.writer;
  if (writer != 0 && writer != self && xid8_status(writer) == core::XidStatus::current) {
    SPIPlanPtr p = spi::prepare(
        update_plan,
        "update pgq.subscription_cell set (cell_flags, cell_writer, cell_prev, cell_since,"
        " cell_row_writer, cell_old_last_tick, cell_old_next_tick, cell_old_batch,"
        " cell_old_active, cell_new_last_tick, cell_new_next_tick, cell_new_batch,"
        " cell_new_active) = ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        " where cell_queue = $1 and cell_consumer = $2",
        cell_types());
    spi::execute(p, v, nullptr, false, 0);
    return;
  }
  if (!position_cell_overwrite(position_cell_table(), row))
    throw Error(ERRCODE_INTERNAL_ERROR, "the position cell of consumer " +
                                            std::to_string(row.consumer_id) + " on queue " +
                                            std::to_string(row.queue_id) + " vanished");
}

// Writes `pos` into the subscription row whole: the return to row mode,
// where the row still holds the position of the hold's start.
void update_row(const RowInfo& row, const core::CellPosition& pos) {
  SPIPlanPtr p = spi::prepare(row_plan,
                              "update pgq.subscription"
                              "   set sub_last_tick = $3, sub_next_tick = $4, sub_batch = $5,"
                              "       sub_active = $6"
                              " where sub_queue = $1 and sub_consumer = $2",
                              {INT4OID, INT4OID, INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID});
  auto opt = [](const std::optional<int64>& x) { return x ? Int64GetDatum(*x) : Datum(0); };
  Datum v[6] = {Int32GetDatum(row.queue_id),
                Int32GetDatum(row.consumer_id),
                opt(pos.last_tick),
                opt(pos.next_tick),
                opt(pos.batch),
                TimestampTzGetDatum(pos.active)};
  char nulls[7] = {
      ' ', ' ', pos.last_tick ? ' ' : 'n', pos.next_tick ? ' ' : 'n', pos.batch ? ' ' : 'n',
      ' ', '\0'};
  spi::execute(p, v, nulls, false, 0);
}

// Whether VACUUM's horizon for `rel` is held back behind the row version
// `xmin` wrote, and has stood still for a few writes: an UPDATE now would
// leave a version that stays until the hold ends.
bool horizon_held_behind(Oid rel, TransactionId xmin) {
  struct Horizon {
    bool passed;
    TransactionId oldest;
  };
  Horizon h{};
  Horizon* out = &h;
  pg_call([&] {
    Relation r = table_open(rel, NoLock);
    // The cached test first (cheap, and sure when it says removable);
    // computing the horizon walks the process array: only when it lags.
    out->passed = GlobalVisCheckRemovableXid(r, xmin);
    out->oldest = out->passed ? InvalidTransactionId : GetOldestNonRemovableTransactionId(r);
    if (!out->passed) out->passed = TransactionIdPrecedes(xmin, out->oldest);
    table_close(r, NoLock);
  });
  return horizon_stalled(h.oldest, h.passed, cell_after_writes);
}

// Whether either version of cell `c` names batch `batch_id` (before any
// commit status is looked up).
bool names_batch(const core::CellContent& c, int64 batch_id) {
  return c.old_pos.batch == batch_id || c.new_pos.batch == batch_id;
}

// The transaction that wrote the version of the cell a writer resolved.
std::uint64_t resolved_writer(const WriterView& view) {
  return view.resolved == core::CellVersion::new_pos ? view.cell->xids.writer
                                                     : view.cell->xids.prev;
}

// The position that `snapshot` sees in cell row `c`, when the cell (not the
// subscription row) holds it.
std::optional<CellHeld> held_for_reader(const core::CellContent& c, Snapshot snapshot) {
  core::CellVersion v =
      core::resolve_for_reader(c.xids, [&](std::uint64_t x) { return xid8_visible(x, snapshot); });
  if (v == core::CellVersion::row) return std::nullopt;
  if (v == core::CellVersion::newest) v = newest(c);
  const core::CellPosition& pos = state_of(c, v);
  if (pos.in_row) return std::nullopt;
  return CellHeld{c.queue_id, c.consumer_id, pos};
}

}  // namespace

std::vector<CellHeld> cell_positions(Snapshot snapshot) {
  std::vector<CellHeld> held;
  if (!has_cells()) return held;
  core::CellRow* rows = nullptr;
  int n = position_cell_read_all(position_cell_table(), snapshot, &rows);
  for (int i = 0; i < n; ++i)
    if (auto h = held_for_reader(decode(rows[i]), snapshot)) held.push_back(*h);
  return held;
}

std::optional<CellHeld> cell_holding_batch(int64 batch_id) {
  if (!has_cells()) return std::nullopt;
  Snapshot snapshot = pg_call([] { return GetTransactionSnapshot(); });
  core::CellRow* rows = nullptr;
  int n = position_cell_read_all(position_cell_table(), snapshot, &rows);
  for (int i = 0; i < n; ++i) {
    // Only a cell that names the batch in either version is resolved (the
    // commit status lookups): one per call, not one per consumer.
    core::CellContent c = decode(rows[i]);
    if (!names_batch(c, batch_id)) continue;
    auto h = held_for_reader(c, snapshot);
    if (h && h->pos.batch == batch_id) return h;
  }
  return std::nullopt;
}

WriterView cell_for_writer(int32 queue_id, int32 consumer_id) {
  WriterView view;
  if (!has_cells()) return view;
  core::CellRow row{};
  // The newest committed version of the cell row: the statement's snapshot
  // may predate the row lock the caller waited for.
  Snapshot latest = pg_call([] { return GetLatestSnapshot(); });
  if (!position_cell_read(position_cell_table(), {queue_id, consumer_id}, latest, row)) return view;
  view.cell = decode(row);
  if (!core::resolve_for_writer(view.cell->xids, xid8_status, view.resolved))
    throw Error(ERRCODE_INTERNAL_ERROR,
                "the position cell of consumer " + std::to_string(consumer_id) + " on queue " +
                    std::to_string(queue_id) + " is being written by another transaction",
                "Every writer of a position holds the subscription row's lock.");
  const core::CellPosition& pos = state_of(*view.cell, view.resolved);
  if (!pos.in_row) view.held = pos;
  // In REPEATABLE READ or SERIALIZABLE, PgQ's row lock fails when the row
  // changed after the transaction's snapshot; a cell written since then is
  // that change (its ticks may be newer than the snapshot, too).
  std::uint64_t writer = resolved_writer(view);
  if (view.held && writer != 0 && pg_call([] { return IsolationUsesXactSnapshot(); }) &&
      !xid8_visible(writer, pg_call([] { return GetTransactionSnapshot(); })))
    throw Error(ERRCODE_T_R_SERIALIZATION_FAILURE,
                "could not serialize access due to concurrent update");
  return view;
}

RowInfo row_info_at(uint64 r, int first) {
  RowInfo row;
  row.queue_id = DatumGetInt32(spi::value(r, first));
  row.consumer_id = DatumGetInt32(spi::value(r, first + 1));
  row.relation = DatumGetObjectId(spi::value(r, first + 2));
  row.xmin = DatumGetTransactionId(spi::value(r, first + 3));
  auto int8_at = [&](int col) -> std::optional<int64> {
    bool null = false;
    Datum v = spi::value(r, col, &null);
    return null ? std::nullopt : std::optional<int64>(DatumGetInt64(v));
  };
  row.state.last_tick = int8_at(first + 4);
  row.state.next_tick = int8_at(first + 5);
  row.state.batch = int8_at(first + 6);
  row.state.active = DatumGetTimestampTz(spi::value(r, first + 7));
  return row;
}

PositionMode position_mode(const WriterView& view, const RowInfo& row, bool row_only) {
  if (!has_cells()) return PositionMode::row;
  const bool in_cell = view.held.has_value();
  if (row_only || (cell_after_writes < 0 && !in_cell))
    return in_cell ? PositionMode::back_to_row : PositionMode::row;
  bool passed_row = !horizon_held_behind(row.relation, row.xmin);
  bool passed_since = true;
  if (in_cell && view.cell->xids.since != 0)
    passed_since = xid8_settled(row.relation, view.cell->xids.since);
  if (core::write_to_cell(in_cell, passed_row, passed_since)) return PositionMode::cell;
  return in_cell ? PositionMode::back_to_row : PositionMode::row;
}

void write_position(const WriterView& view, const RowInfo& row, PositionMode mode,
                    const core::CellPosition& next) {
  if (mode == PositionMode::row) return;
  std::uint64_t self = current_xid8();
  core::CellPosition written = next;
  if (mode == PositionMode::back_to_row) {
    update_row(row, next);
    written = core::CellPosition{};
    written.in_row = true;
  }
  Oid rel = row.relation;
  auto everyone_sees = [rel](std::uint64_t x) { return xid8_settled(rel, x); };
  core::CellContent content =
      core::next_cell(row.queue_id, row.consumer_id, view.cell, view.resolved, row.state, self,
                      written, everyone_sees);
  store(view, content, self);
}

// Locks subscription (queue_id, consumer_id) and reads its RowInfo, plus
// whether the consumer has a pgq.consumer_config row (column 9); false when
// there is no such subscription.
// `skip`: skips a row another transaction has locked (the ticker's upkeep)
// instead of waiting for it.
bool lock_row(int32 queue_id, int32 consumer_id, bool skip = false) {
  static const std::string sql = std::string("select ") + kRowInfoColumns +
                                 ", exists (select 1 from pgq.consumer_config cc"
                                 "   where cc.cc_queue = s.sub_queue"
                                 "     and cc.cc_consumer = s.sub_consumer)"
                                 "  from pgq.subscription s"
                                 " where s.sub_queue = $1 and s.sub_consumer = $2"
                                 "   for update of s";
  static const std::string skip_sql = sql + " skip locked";
  SPIPlanPtr p = spi::prepare(skip ? skip_lock_plan : finish_lock_plan,
                              (skip ? skip_sql : sql).c_str(), {INT4OID, INT4OID});
  Datum a[2] = {Int32GetDatum(queue_id), Int32GetDatum(consumer_id)};
  return spi::execute(p, a, nullptr, false, 1) > 0;
}

void position_to_row(int32 queue_id, int32 consumer_id) {
  if (!has_cells() || !lock_row(queue_id, consumer_id)) return;
  RowInfo row = row_info_at(0);
  WriterView view = cell_for_writer(queue_id, consumer_id);
  if (view.held) write_position(view, row, PositionMode::back_to_row, *view.held);
}

bool finish_cell_batch(int64 batch_id) {
  if (!has_cells()) return false;
  // The cells that may hold it (the newest committed versions; few rows).
  std::vector<std::pair<int32, int32>> candidates;
  {
    core::CellRow* rows = nullptr;
    Snapshot latest = pg_call([] { return GetLatestSnapshot(); });
    int n = position_cell_read_all(position_cell_table(), latest, &rows);
    for (int i = 0; i < n; ++i) {
      core::CellContent c = decode(rows[i]);
      if (names_batch(c, batch_id)) candidates.emplace_back(c.queue_id, c.consumer_id);
    }
  }
  for (auto [queue_id, consumer_id] : candidates) {
    if (!lock_row(queue_id, consumer_id)) continue;
    RowInfo row = row_info_at(0);
    bool bounded = DatumGetBool(spi::value(0, 9));
    WriterView view = cell_for_writer(queue_id, consumer_id);
    if (!view.held || view.held->batch != batch_id) continue;
    if (bounded) {
      // Bounded windows are kept against the row: put the position back
      // there unchanged, and let the row path finish the batch.
      write_position(view, row, PositionMode::back_to_row, *view.held);
      return false;
    }
    core::CellPosition next;
    next.last_tick = view.held->next_tick;
    next.active = pg_call([] { return GetCurrentTransactionStartTimestamp(); });
    write_position(view, row, position_mode(view, row), next);
    return true;
  }
  return false;
}

void settle_position_cells() {
  if (!has_cells()) return;
  static TimestampTz last = 0;
  TimestampTz now = pg_call([] { return GetCurrentTimestamp(); });
  if (now - last < USECS_PER_SEC) return;
  last = now;
  std::vector<core::CellContent> cells;
  {
    core::CellRow* rows = nullptr;
    Snapshot latest = pg_call([] { return GetLatestSnapshot(); });
    int n = position_cell_read_all(position_cell_table(), latest, &rows);
    for (int i = 0; i < n; ++i) cells.push_back(decode(rows[i]));
  }
  for (const core::CellContent& c : cells) {
    if (!lock_row(c.queue_id, c.consumer_id, true)) continue;
    RowInfo row = row_info_at(0);
    WriterView view = cell_for_writer(c.queue_id, c.consumer_id);
    if (!view.cell) continue;
    if (view.held) {
      if (xid8_settled(row.relation, view.cell->xids.since))
        write_position(view, row, PositionMode::back_to_row, *view.held);
      continue;
    }
    // In the row, and no snapshot can predate the write that put it there.
    std::uint64_t writer = resolved_writer(view);
    if (writer != 0 && !xid8_settled(row.relation, writer)) continue;
    SPIPlanPtr p = spi::prepare(delete_plan,
                                "delete from pgq.subscription_cell"
                                " where cell_queue = $1 and cell_consumer = $2",
                                {INT4OID, INT4OID});
    Datum a[2] = {Int32GetDatum(c.queue_id), Int32GetDatum(c.consumer_id)};
    spi::execute(p, a, nullptr, false, 0);
  }
}

void position_cells_init() {
  DefineCustomIntVariable(
      "pgqpp.position_cell_after",
      "Batch opens that must find VACUUM's horizon held before positions go in place.",
      "Consumers write their positions into pgq.subscription_cell instead of updating their "
      "pgq.subscription rows once this many consecutive batch opens (next_batch) of the "
      "database's sessions found the horizon standing still behind the rows' last versions "
      "(of one session, when pgqpp is not in shared_preload_libraries). -1 never does.",
      &cell_after_writes, 8, -1, 1000000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
}

}  // namespace pgqpp::ext
