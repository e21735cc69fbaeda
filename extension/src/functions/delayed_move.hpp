// SPDX-License-Identifier: PostgreSQL
// Delivering delayed events: the ticking transaction moves the events whose
// deliver_at has come from pgq.delayed_event into their queues' current event
// tables, then ticks those queues. The moved rows carry the ticking
// transaction's txid; the tick of such a queue takes the snapshot of
// kTickSnapshotWithOwnTxid, which counts that transaction as committed (it
// is, whenever a consumer can read the tick), so the batch ending at that
// tick holds them: the first batch after deliver_at. The next batch starts
// above that txid, so they come once.
//
// Which rows are delivered (schema 1.3): pgq.delayed_mark holds the last
// move's time T and snapshot S; a row is delivered when de_deliver_at <= T
// and its ev_txid is visible in S. A move, holding the mark's row lock,
// takes the rows due at its time and visible in its own snapshot minus
// those, then stores its time and snapshot: like a batch between two ticks,
// each row once, a late-committing transaction's rows in the first move
// that sees them. Nothing is deleted; rotation (every dm_rotation_period)
// copies the pending rows of the other child table into the current one and
// truncates it. docs/internals.md has the reasoning. Schema 1.2 deletes
// delivered rows instead (schema_objects.hpp).
#pragma once

#include <optional>
#include <vector>

#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// The tick snapshot of a queue whose delayed events this transaction moved:
/// txid_current_snapshot() with this transaction's own txid visible (a
/// snapshot normally treats its own transaction as running). xmax rises to
/// txid + 1 if needed; the ids between the old xmax and the txid, none of
/// which had completed, join the running list. Same visibility for every
/// other transaction.
constexpr const char* kTickSnapshotWithOwnTxid =
    "(select (txid_snapshot_xmin(s) || ':' || greatest(txid_snapshot_xmax(s), txid_current() + 1)"
    "         || ':' || array_to_string(array(select x from txid_snapshot_xip(s) x"
    "                                           where x <> txid_current()"
    "                                         union all"
    "                                         select generate_series(txid_snapshot_xmax(s),"
    "                                                                txid_current() - 1)"
    "                                         order by 1), ','))::txid_snapshot"
    "   from (select txid_current_snapshot() s) own)";

/// How many delayed events one call moves at most on schema 1.2; the rest
/// stay due and the next tick takes them. Schema 1.3 moves every due row:
/// the mark cannot stop in the middle of events due at the same instant.
constexpr long kDelayedMoveLimit = 10000;

/// Moves the delayed events due at `now` (de_deliver_at <= now), of all
/// queues (schema 1.2: of one queue, or of all with queue_id 0), into their queues' current tables,
/// keeping their ev_id, with ev_time = deliver_at and this transaction's txid. Events of queues
/// dropped meanwhile are discarded. Returns the ids of the queues that got events, each once. Must
/// run inside an spi::Session.
std::vector<int32> move_due_delayed(TimestampTz now, int32 queue_id);

/// The earliest deliver_at waiting in pgq.delayed_event, in a new snapshot;
/// nothing when none waits. Must run inside an spi::Session.
std::optional<TimestampTz> earliest_delayed();

}  // namespace pgqpp::ext
