// SPDX-License-Identifier: PostgreSQL
// Whether VACUUM's horizon stands still behind the position writes of a
// database, counted across its sessions (core/horizon_stall.hpp counts;
// this file says whose writes are counted together).
//
// A held snapshot stalls the horizon for every consumer at once. Counted
// per session, each of N consumers paid pgqpp.position_cell_after batches
// (two row versions each) before it moved to its cell, all in the same
// moment: with 20 consumers that was 320 versions that no VACUUM may remove,
// and 20 backends extending pgq.subscription together grew it by up to
// 1.8 MB of nearly empty pages (bench/held_xmin.sh, 2026-12-06). Counted per
// database, the first few writes after the hold began decide for all.
//
// With pgqpp in shared_preload_libraries, shared memory holds a small table
// of counters, one per database (beyond 64 databases, the least recently
// counted one starts counting again: a later engagement, never a wrong
// one). A spinlock guards a scan of the table. Without it, each session counts its
// own writes, as all did before.
#pragma once

#include <cstdint>

namespace pgqpp::ext {

/// Installs the shared memory hooks; only when loaded at server start.
void horizon_stall_init();

/// Notes a position write of this database's sessions that found the
/// horizon at `horizon` and, in `passed_row`, whether it had passed the
/// replaced row version's xmin; returns whether at least `writes` such
/// writes in a row (this one included) found it unpassed at this value.
bool horizon_stalled(std::uint64_t horizon, bool passed_row, int writes);

}  // namespace pgqpp::ext
