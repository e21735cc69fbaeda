// SPDX-License-Identifier: PostgreSQL
// Ticking many queues in one statement instead of two per queue: first the
// queues' tick locks (taken directly, no statement), then one INSERT into
// pgq.tick for the locked ones. The INSERT's snapshot is taken after the
// locks, so a queue's ticks keep ever newer snapshots in tick id order (see
// ticker.cpp). Used by
// pgq.wakeup_ticker() for the woken queues and by pgq.ticker() for the
// queues that are due a tick.
#pragma once

#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// How the queues' tick locks are taken: `wait` for them (in queue id order,
/// so two such callers never deadlock), or `skip` the queues another ticker
/// is ticking right now.
enum class TickLock { wait, skip };

/// First key of the advisory transaction lock that serializes one queue's
/// ticks; the second is the queue id: the lock that
/// pg_advisory_xact_lock(1885827440, queue_id) takes (0x70677170, "pgqp").
constexpr int32 kTickLockKey = 0x70677170;

/// Takes queue `queue_id`'s tick lock until the transaction ends: waits for
/// it, or with `skip` returns false when another transaction holds it.
bool lock_queue_ticks(int32 queue_id, TickLock lock);

/// The columns of a new tick's row, for spi::value in a TickVisitor.
constexpr int kTickQueueNameColumn = 3;  // text
constexpr int kTickEventSeqColumn = 4;   // int8: the tick's tick_event_seq
constexpr int kTickMaxCountColumn = 5;   // int4: queue_ticker_max_count
constexpr int kTickMaxLagColumn = 6;     // int8: queue_ticker_max_lag in microseconds
constexpr int kTickLaggingColumn = 7;    // int4: consumers not past the queue's previous tick
                                         // (NULL unless LaggingCount::count)

/// Whether the ticks' rows count the queue's lagging consumers (column
/// kTickLaggingColumn): only the wake-up path spaces its ticks by them
/// (core/tick_spacing.hpp), so pgq.ticker() skips the two lookups per tick.
enum class LaggingCount { skip, count };

/// Called once per new tick, while the INSERT's rows are the current SPI
/// result: `row` can be read with spi::value (columns: kTick*Column).
using TickVisitor = std::function<void(uint64 row, int32 queue_id, int64 tick_id)>;

/// Event sequence OIDs by queue id (pgq.queue.queue_event_seq resolved), as
/// a caller that has read them passes them on.
using EventSeqOids = std::unordered_map<int32, Oid>;

/// Queue `queue_id`'s event sequence's last_value, read without keeping a
/// lock (sequence_peek.hpp), and its OID in `seq`. The sequence is found in
/// a backend-local cache that any change to pgq.queue empties, else by its
/// name in column `col` of row `row` of the current SPI result
/// (pgq.queue.queue_event_seq, text; an error, as the cast to regclass
/// raises, when no relation has that name). Nothing when the sequence was
/// dropped after the name was read. Saves pgq.ticker() a name lookup per
/// queue and call.
std::optional<int64> event_seq_value(int32 queue_id, uint64 row, int col, Oid* seq);

/// Ticks the unpaused, not externally ticked queues among `queue_ids` whose
/// tick lock is had, calling `visit` per new tick. Each tick's
/// tick_event_seq is its event sequence's last_value, read after the lock
/// without keeping a lock on the sequence (sequence_peek.hpp); the
/// sequences are found in `event_seqs`, else in a backend-local cache that
/// any change to pgq.queue empties, else by one query. The queues in
/// `moved_delayed` (delayed events moved in by this transaction) get a
/// snapshot that counts this transaction (delayed_move.hpp). Ids of queues that do
/// not exist are ignored. Sends no NOTIFY: the caller decides which ticks
/// wake listening consumers; every new tick wakes pgq.next_batch_wait's
/// waiters at commit (consumer_wait.hpp). `lagging` says whether the rows
/// visited count the lagging consumers. Must run inside an spi::Session.
/// Returns how many queues got a tick.
uint64 tick_queue_ids(std::vector<int32> queue_ids, TickLock lock, LaggingCount lagging,
                      const TickVisitor& visit, const std::vector<int32>& moved_delayed = {},
                      const EventSeqOids& event_seqs = {});

}  // namespace pgqpp::ext
