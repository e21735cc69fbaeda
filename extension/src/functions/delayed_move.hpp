// SPDX-License-Identifier: PostgreSQL
// Delivering delayed events: the ticking transaction moves the events whose
// deliver_at has come from pgq.delayed_event into their queues' current event
// tables, then ticks those queues. The moved rows carry the ticking
// transaction's txid; the tick of such a queue takes the snapshot of
// kTickSnapshotWithOwnTxid, which counts that transaction as committed (it
// is, whenever a consumer can read the tick), so the batch ending at that
// tick holds them: the first batch after deliver_at. The next batch starts
// above that txid, so they come once.
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

/// How many delayed events one call moves at most; the rest stay due and
/// the next tick takes them.
constexpr long kDelayedMoveLimit = 10000;

/// Moves the delayed events due at `now` (de_deliver_at <= now), of one
/// queue or (queue_id 0) of all, into their queues' current tables, keeping
/// their ev_id, with ev_time = deliver_at and this transaction's txid.
/// Events of queues dropped meanwhile are discarded. Returns the ids of the
/// queues that got events, each once. Must run inside an spi::Session.
std::vector<int32> move_due_delayed(TimestampTz now, int32 queue_id);

/// The earliest deliver_at waiting in pgq.delayed_event, in a new snapshot;
/// nothing when none waits. Must run inside an spi::Session.
std::optional<TimestampTz> earliest_delayed();

}  // namespace pgqpp::ext
