// SPDX-License-Identifier: PostgreSQL
// What the server says of a 64-bit transaction id (xid8) kept as data: the
// position cell's writers (docs/internals.md, "The design: an in-place
// versioned position cell"). VACUUM never freezes such ids, so each lookup
// first checks that the commit log still covers the id, the way
// pg_xact_status() does, and raises rather than guess when it does not.
#pragma once

#include <cstdint>

#include "core/position_cell.hpp"
#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// The status of `xid8` in the order that decides a writer's view: this
/// (sub)transaction, running elsewhere, committed, else aborted. Raises
/// (through pg_call) when the commit log no longer covers it.
core::XidStatus xid8_status(std::uint64_t xid8);

/// Whether `snapshot` sees the effects of `xid8`: this transaction's own
/// (live) work, or committed and not running when the snapshot was taken.
/// Raises like xid8_status.
bool xid8_visible(std::uint64_t xid8, Snapshot snapshot);

/// Whether no snapshot of any backend can predate `xid8`'s end: VACUUM may
/// remove what it deleted from relation `rel` (its horizon has passed it).
/// The caller holds a lock on `rel`.
bool xid8_settled(Oid rel, std::uint64_t xid8);

/// The current (sub)transaction's xid8, assigning one if it has none.
std::uint64_t current_xid8();

}  // namespace pgqpp::ext
