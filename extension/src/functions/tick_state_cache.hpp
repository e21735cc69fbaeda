// SPDX-License-Identifier: PostgreSQL
// What this backend knows of each queue's newest tick, so that pgq.ticker()
// reads pgq.tick only for the queues that may be due a tick (issue 25 item
// 1: its cost grows with the active queues, not with all of them).
//
// The tick rule (core/tick_policy.hpp) is monotone in a tick's age and in
// the events since it: a tick known here that is older than the queue's
// true newest tick (another session ticked since) only makes a queue look
// due sooner, never later. So a queue the known tick says is not due is
// not due; those it says are due are read from pgq.tick and decided as
// before. Ticks are noted only as read from pgq.tick (a tick just made is
// not: the gap before it, which the idle rule needs, would be a guess), so
// a queue ticked by the last call is read once more by the next. What
// could make a known tick newer than the truth, a read of this backend's
// own tick in a transaction that then rolled back, empties the cache
// (transaction and subtransaction abort). Entries are keyed by the queue's
// id and its event sequence, so a queue dropped and created again under the
// same id is unknown. Ticks changed by hand (an UPDATE of pgq.tick) are not
// seen: every kFullReadEveryUs the caller reads every queue's state again,
// which bounds what such a change can delay.
#pragma once

#include <optional>

#include "core/tick_policy.hpp"
#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// A queue's newest tick as this backend last read it.
struct KnownTick {
  bool has_tick = false;  // false: the queue had no tick
  int64 event_seq = 0;    // its tick_event_seq
  TimestampTz time = 0;   // its tick_time
  std::optional<int64> previous_gap_us;
};

/// How often pgq.ticker() reads every queue's tick state, at the longest.
constexpr int64 kFullReadEveryUs = 60 * USECS_PER_SEC;

/// True when the caller should read every queue's tick state: none was
/// read in the last kFullReadEveryUs (or since the cache was emptied).
/// Forgets the known ticks: the read notes them again.
bool begin_full_read(TimestampTz now);

/// The known newest tick of queue `queue_id` whose event sequence is
/// `event_seq_oid`, or nullptr.
const KnownTick* known_tick(int32 queue_id, Oid event_seq_oid);

/// Notes queue `queue_id`'s newest tick as a state read found it.
void note_known_tick(int32 queue_id, Oid event_seq_oid, const KnownTick& tick);

/// The rule's input for a queue whose event sequence is at `seq_now` at
/// time `now`, from its known tick (core::tick_due's `last`).
std::optional<core::LastTick> last_tick_from(const KnownTick& tick, int64 seq_now, TimestampTz now);

}  // namespace pgqpp::ext
