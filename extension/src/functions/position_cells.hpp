// SPDX-License-Identifier: PostgreSQL
// Consumers' positions while VACUUM's horizon is held: when a consumer's
// position is in its cell (pgq.subscription_cell) rather than its
// pgq.subscription row, and writing it there (docs/internals.md, "The
// design: an in-place versioned position cell"; issue 21 item 4).
//
// Readers ask cell_positions() for the consumers whose position they must
// take from a cell; writers ask cell_for_writer() under the subscription
// row's lock and hand their new position to write_position(). Without the
// cell table (a schema before 1.4) every answer is "the row", as in PgQ.
// Call inside an open spi::Session.
#pragma once

#include <optional>
#include <vector>

#include "core/position_cell.hpp"
#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// A consumer whose position, for some reader or writer, is its cell's.
struct CellHeld {
  int32 queue_id = 0;
  int32 consumer_id = 0;
  core::CellPosition pos;
};

/// The consumers whose position a reader with `snapshot` takes from their
/// cell; every other consumer's position is its row as the reader sees it.
std::vector<CellHeld> cell_positions(Snapshot snapshot);

/// The consumer whose cell holds batch `batch_id` open for the current
/// statement's view (the transaction snapshot, as a non-read-only SPI
/// statement takes it), if any.
std::optional<CellHeld> cell_holding_batch(int64 batch_id);

/// What a writer holding the subscription row's lock finds.
struct WriterView {
  std::optional<core::CellContent> cell;  // the cell as found, if any
  core::CellVersion resolved = core::CellVersion::row;
  std::optional<core::CellPosition> held;  // the position, when the cell holds it
};

/// The cell of the consumer for a writer. Raises when the cell's writer is
/// running in another transaction (it cannot be: it held the row lock).
WriterView cell_for_writer(int32 queue_id, int32 consumer_id);

/// The subscription row as the writer's lock statement read it.
struct RowInfo {
  int32 queue_id = 0;
  int32 consumer_id = 0;
  Oid relation = InvalidOid;  // pgq.subscription
  TransactionId xmin = InvalidTransactionId;
  core::CellPosition state;
};

/// The columns a writer's lock statement selects, in the order
/// row_info_at() reads them, for a subscription aliased `s`.
constexpr const char* kRowInfoColumns =
    "s.sub_queue, s.sub_consumer, s.tableoid, s.xmin, s.sub_last_tick, s.sub_next_tick,"
    " s.sub_batch, s.sub_active";

/// The RowInfo in row `row` of the last SPI result, columns `first` on.
RowInfo row_info_at(uint64 row, int first = 1);

/// Where a writer's new position goes.
enum class PositionMode {
  row,          // the consumer is in row mode: the caller UPDATEs as PgQ does
  cell,         // to the cell: the horizon is held behind the row's last write
  back_to_row,  // the hold is over: the row whole, and the cell says so
};

/// Decides where the position goes. `row_only` (a consumer whose bounded
/// batches keep it in row mode) never answers `cell`.
PositionMode position_mode(const WriterView& view, const RowInfo& row, bool row_only = false);

/// Writes `next` as `mode` (cell or back_to_row) says.
void write_position(const WriterView& view, const RowInfo& row, PositionMode mode,
                    const core::CellPosition& next);

/// Returns the consumer to row mode, its position unchanged: for writers
/// that UPDATE pgq.subscription themselves (re-registering at a tick).
/// Locks the subscription row; nothing when there is none.
void position_to_row(int32 queue_id, int32 consumer_id);

/// finish_batch for a batch that a cell holds open: moves the consumer past
/// it and returns true; false when no cell holds batch `batch_id` (the
/// caller's row path then finishes it, or says it is not found). A consumer
/// with bounded batches goes back to its row first and returns false.
bool finish_cell_batch(int64 batch_id);

/// The ticker's upkeep, at most once a second per session: consumers whose
/// cell still holds their position after the hold is over (an idle
/// consumer writes nothing that would return it) go back to their rows, and
/// cells that every snapshot agrees are settled in the row are deleted, so
/// that the table holds only consumers in or just after a hold. A consumer
/// whose row is locked (busy in a transaction) is left for the next time.
void settle_position_cells();

/// Defines the setting pgqpp.position_cell_after; called once from _PG_init.
void position_cells_init();

}  // namespace pgqpp::ext
