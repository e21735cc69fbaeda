// SPDX-License-Identifier: PostgreSQL
// The server side of the position cell (docs/internals.md, "The design: an
// in-place versioned position cell"): reading a cell row under its buffer's
// lock, and overwriting it in place. The only caller of the server's
// in-place API (heap_inplace_lock / heap_inplace_update_and_unlock, the
// same five-argument form in 15.10+, 17.2+ and 18), so that a difference
// between majors would live here alone.
//
// Which version of the cell a caller sees is decided in core/position_cell
// (pure C++, unit-tested); this file only moves bytes.
#pragma once

#include "core/position_cell.hpp"
#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// One row of pgq.subscription_cell as it lies on the page: core's CellRow,
/// whose layout the table declares.
using PositionCellForm = core::CellRow;

/// The cell table and its primary key index, resolved in the current
/// database (functions/schema_objects.hpp caches them).
struct PositionCellTable {
  Oid table = InvalidOid;
  Oid pkey = InvalidOid;
};

/// The subscription a cell row belongs to (the table's primary key).
struct CellKey {
  int32 queue_id;
  int32 consumer_id;
};

/// Copies the version of subscription `key`'s cell row that `snapshot`
/// sees into `out`, holding the buffer's share lock while copying so that a
/// concurrent in-place write is never seen half done (a scan alone only
/// pins the buffer). Returns false when the snapshot sees no cell row.
/// Raises through pg_call; callable from any frame that may throw PgError.
bool position_cell_read(const PositionCellTable& t, CellKey key, Snapshot snapshot,
                        PositionCellForm& out);

/// Copies every cell row that `snapshot` sees, each under its buffer's
/// share lock, into a palloc'd array in the current memory context; returns
/// how many (the table holds a row only per consumer that has been in cell
/// mode, so it is small). Raises through pg_call.
int position_cell_read_all(const PositionCellTable& t, Snapshot snapshot, PositionCellForm** out);

/// Overwrites the newest cell row of `in`'s subscription in place with `in`, WAL-logged, no new row
/// version. The caller holds the subscription row's lock, which every writer of a position takes
/// first. Waits for a concurrent MVCC update of the cell row (the rare
/// subtransaction case) and retries on the version it left. Returns false
/// when there is no cell row. Raises through pg_call.
bool position_cell_overwrite(const PositionCellTable& t, const PositionCellForm& in);

}  // namespace pgqpp::ext
