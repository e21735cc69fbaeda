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
/// and not running in it, or this very transaction).
CellVersion resolve_for_reader(const CellXids& cell,
                               const std::function<bool(std::uint64_t)>& visible);

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
