// SPDX-License-Identifier: PostgreSQL
// Which version of a consumer's position a position cell holds for a given
// reader or writer, as pure C++ (docs/internals.md, "The design: an
// in-place versioned position cell"; issue 21 item 4).
//
// While a snapshot holds back VACUUM's horizon, every UPDATE of
// pgq.subscription leaves a tuple version that cannot be removed, and each
// next_batch walks all of them. In cell mode a consumer's position is
// written in place into a fixed-width row instead: two versions, `old` and
// `new`, and the transaction ids that decide which one counts. The server
// side (reading xid status, the buffer lock, the in-place write) lives in
// extension/src/pg/; this file only decides, from what the server says of
// each xid, which version a caller sees, so that every rule has a unit test.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

namespace pgqpp::ext::core {

/// What the server says of a transaction id, in the order that decides it:
/// this transaction (or a live subtransaction of it) first, then running
/// elsewhere, then committed; anything else (aborted, or crashed before
/// its commit record) is `aborted`. Asking "running" before "committed"
/// matters: a committing transaction is marked in the commit log before it
/// leaves the process array.
enum class XidStatus { current, running, committed, aborted };

/// The cell's transaction ids; 0 means none.
struct CellXids {
  std::uint64_t writer = 0;  // wrote `new`
  std::uint64_t prev = 0;    // wrote `old` (0: `old` is the row's state)
  std::uint64_t since = 0;   // made the hold's first cell write
  // Made the row authoritative again before this hold (the write that ended
  // the previous hold); 0 when every snapshot sees that or there was none.
  std::uint64_t row_writer = 0;

  bool operator==(const CellXids&) const = default;
};

/// The version of the position a caller is to see.
enum class CellVersion {
  row,      // the pgq.subscription row as read through the caller's snapshot
  old_pos,  // the cell's `old`
  new_pos,  // the cell's `new`
  newest,   // the newest committed version: the cell cannot answer for the
            // caller's snapshot (a repeatable-read reader older than two
            // writes of the consumer; a documented difference from PgQ)
};

/// The newest committed state, for a writer that holds the subscription row
/// lock: `new` when its writer committed or is this transaction, else `old`.
/// A writer running elsewhere cannot exist (it held the row lock to its
/// end); it is reported as an error by returning false.
bool resolve_for_writer(const CellXids& cell, const std::function<XidStatus(std::uint64_t)>& status,
                        CellVersion& out);

/// The version a reader's snapshot sees. `visible(xid)` says whether the
/// snapshot sees the transaction's effects (committed before the snapshot
/// and not running in it, or this very transaction). A snapshot that does
/// not see the hold's first write reads the row, which held the position
/// then, unless it also predates the write that ended the previous hold
/// (`row_writer`): then the row is stale for it and only the newest state
/// is left.
CellVersion resolve_for_reader(const CellXids& cell,
                               const std::function<bool(std::uint64_t)>& visible);

/// One version of a consumer's position as the cell keeps it. `in_row`
/// says that this version is "whatever pgq.subscription's row says" (the
/// write that returned the consumer to row mode); the other fields are then
/// unused.
struct CellPosition {
  bool in_row = false;
  std::optional<std::int64_t> last_tick, next_tick, batch;
  std::int64_t active = 0;  // TimestampTz: microseconds since 2000-01-01

  bool operator==(const CellPosition&) const = default;
};

/// A cell's whole content.
struct CellContent {
  std::int32_t queue_id = 0, consumer_id = 0;
  CellXids xids;
  CellPosition old_pos, new_pos;

  bool operator==(const CellContent&) const = default;
};

/// The cell's row as it lies on the page (pgq.subscription_cell, whose
/// columns are NOT NULL, fixed-width and declared in this order, without
/// padding). NULLs and `in_row` are bits of `flags`.
struct CellRow {
  std::int32_t queue_id, consumer_id;
  std::int64_t flags, writer, prev, since, row_writer;
  std::int64_t old_last_tick, old_next_tick, old_batch, old_active;
  std::int64_t new_last_tick, new_next_tick, new_batch, new_active;
};
static_assert(sizeof(CellRow) == 8 + 13 * 8, "CellRow must have the table's layout");

/// The row for `content`, and back. Unknown flag bits make from_row fail
/// (a row written by a later version of the extension).
CellRow to_row(const CellContent& content);
std::optional<CellContent> from_row(const CellRow& row);

/// The cell a writer leaves. `current` is the cell as found (nothing: no
/// cell row yet, the consumer enters cell mode now with `row_state`, the
/// position its row holds); `resolved` is resolve_for_writer's answer for
/// it; `self` is the writing (sub)transaction's xid8; `next` the position
/// written. When the cell's writer is `self` already (a second write in the
/// same subtransaction), only `new` changes; otherwise the resolved state
/// becomes `old`, its writer `prev`, and `self` the writer. A cell whose
/// resolved state is "in the row" starts a new hold: `since` becomes `self`,
/// `old` the row's state, and `row_writer` the xid that put the state in the
/// row, unless `everyone_sees` it (no snapshot can predate it).
CellContent next_cell(std::int32_t queue_id, std::int32_t consumer_id,
                      const std::optional<CellContent>& current, CellVersion resolved,
                      const CellPosition& row_state, std::uint64_t self, const CellPosition& next,
                      const std::function<bool(std::uint64_t)>& everyone_sees);

/// Whether a write of the consumer's position goes to the cell.
/// `horizon_passed_row` says whether VACUUM's horizon has passed the xmin of
/// the consumer's current row version (an UPDATE now leaves a removable
/// version); `horizon_passed_since`, whether it has passed the cell's
/// `since` (every version the hold spared would be removable). Row mode
/// switches to cell mode as soon as the horizon lags; cell mode returns to
/// row mode only once the whole hold is over, so that busy consumers whose
/// horizon is always a few milliseconds behind do not flap between modes.
bool write_to_cell(bool in_cell_mode, bool horizon_passed_row, bool horizon_passed_since);

}  // namespace pgqpp::ext::core
