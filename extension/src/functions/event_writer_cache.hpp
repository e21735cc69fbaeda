// SPDX-License-Identifier: PostgreSQL
// One EventWriter kept open from one event to the next within a statement,
// for producers that write one event per call many times in a row (the
// change-capture triggers fire once per row). Opening a writer (executor
// state, index descriptors) costs about as much as formatting a row, so a
// bulk UPDATE under a trigger would otherwise pay it for every row.
//
// Lifetime: the writer's relation references and memory belong to the top
// transaction. It is closed at the end of every statement (ExecutorFinish
// and ProcessUtility hooks: a relation held open would make a later DROP or
// TRUNCATE of the event table in the same transaction fail), and before
// commit and prepare; an abort just forgets it (abort processing releases
// the references and the memory), a subtransaction abort leaves it open.
#pragma once

#include "functions/event_writer.hpp"

namespace pgqpp::ext {

/// Installs the hooks and callbacks; called once from _PG_init.
void event_writer_cache_init();

/// Writes `row` into `table` (already locked RowExclusive by the caller),
/// reusing the open writer when it is for the same table. Plain C-style
/// code: call it inside pg_call.
void cached_event_write(Oid table, const EventRow* row);

}  // namespace pgqpp::ext
