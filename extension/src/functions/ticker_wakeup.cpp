// SPDX-License-Identifier: PostgreSQL
// The wake-up path: see ticker_wakeup.hpp. The producer-side functions own no
// C++ objects and take no locks; the ticker-side function waits on its latch.
#include "functions/ticker_wakeup.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/tick_spacing.hpp"
#include "functions/consumer_notify.hpp"
#include "functions/delayed_move.hpp"
#include "functions/tick_many.hpp"
#include "pg/bridge.hpp"
#include "pg/compat.hpp"
#include "pg/shared_area.hpp"
#include "pg/spi.hpp"
#include "pg/utility_hook.hpp"

extern "C" {
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/wait_event.h"
}

namespace pgqpp::ext {
namespace {

constexpr int kQueueBits = 4096;         // queues per database, modulo
constexpr int kWords = kQueueBits / 64;  // 64 words: one uint64 mask covers them
constexpr int kDbSlots = 128;            // databases with a waiting ticker

struct DbSlot {
  pg_atomic_uint32 dboid;         // InvalidOid: free
  pg_atomic_uint32 waiter;        // pgprocno + 1 of the waiting ticker, 0: none
  pg_atomic_uint32 max_queue_id;  // highest queue id ever noted: bit b stands
                                  // for queue ids b, b + 4096, ... up to it
  pg_atomic_uint64 bits[kWords];
  pg_atomic_uint64 next_due;  // earliest deliver_at known (due_code), kNoDue: none
};

struct WakeupShmem {
  slock_t mutex;                // taken only to claim a slot
  pg_atomic_uint32 generation;  // bumped when a slot is claimed
  DbSlot slots[kDbSlots];
};

WakeupShmem* shared = nullptr;

// A deliver_at as stored in DbSlot::next_due: times before 2000 are 0, which
// is also what a newly claimed slot holds (look at pgq.delayed_event now).
constexpr uint64 kNoDue = PG_UINT64_MAX;
uint64 due_code(TimestampTz at) { return at <= 0 ? 0 : static_cast<uint64>(at); }

// Lowers the slot's next_due to `code`; true if it was later.
bool lower_due(DbSlot& slot, uint64 code) {
  uint64 known = pg_atomic_read_u64(&slot.next_due);
  while (code < known)
    if (pg_atomic_compare_exchange_u64(&slot.next_due, &known, code)) return true;
  return false;
}

// This backend's transaction: queues written (bitmap) and which words are
// used; the earliest deliver_at of its delayed events (kNoDue: none).
uint64 local_bits[kWords];
uint64 local_words = 0;
uint32 local_max_queue_id = 0;
uint64 local_due = kNoDue;

// This backend's view of its database's slot.
uint32 cached_generation = UINT32_MAX;
int cached_slot = -1;

Size shmem_size() { return sizeof(WakeupShmem); }

void init_shmem(void* area) {
  auto* s = static_cast<WakeupShmem*>(area);
  SpinLockInit(&s->mutex);
  pg_atomic_init_u32(&s->generation, 0);
  for (auto& slot : s->slots) {
    pg_atomic_init_u32(&slot.dboid, InvalidOid);
    pg_atomic_init_u32(&slot.waiter, 0);
    pg_atomic_init_u32(&slot.max_queue_id, 0);
    for (auto& w : slot.bits) pg_atomic_init_u64(&w, 0);
    pg_atomic_init_u64(&slot.next_due, 0);
  }
}

int find_slot(Oid db) {
  for (int i = 0; i < kDbSlots; ++i)
    if (pg_atomic_read_u32(&shared->slots[i].dboid) == db) return i;
  return -1;
}

// The slot of this database, claiming a free one if needed (ticker side).
int claim_slot(Oid db) {
  SpinLockAcquire(&shared->mutex);
  int slot = find_slot(db);
  if (slot < 0) slot = find_slot(InvalidOid);
  if (slot >= 0 && pg_atomic_read_u32(&shared->slots[slot].dboid) == InvalidOid) {
    pg_atomic_write_u64(&shared->slots[slot].next_due, 0);
    pg_atomic_write_u32(&shared->slots[slot].dboid, db);
    pg_atomic_fetch_add_u32(&shared->generation, 1);
  }
  SpinLockRelease(&shared->mutex);
  return slot;
}

// After a commit is visible: publish the queues written and wake the ticker.
void on_xact(XactEvent event, void*) {
  if (local_words == 0 && local_due == kNoDue) return;
  if (event == XACT_EVENT_COMMIT && shared != nullptr) {
    uint32 generation = pg_atomic_read_u32(&shared->generation);
    if (generation != cached_generation) {
      cached_slot = find_slot(MyDatabaseId);
      cached_generation = generation;
    }
    if (cached_slot >= 0) {
      DbSlot& slot = shared->slots[cached_slot];
      uint32 known = pg_atomic_read_u32(&slot.max_queue_id);
      while (local_max_queue_id > known &&
             !pg_atomic_compare_exchange_u32(&slot.max_queue_id, &known, local_max_queue_id)) {
      }
      bool news = false;
      // Orders the commit before reading the bits, as the ticker orders
      // taking the bits before its snapshot: a bit seen raised here is
      // taken by a tick whose snapshot has this commit.
      pg_memory_barrier();
      for (int w = 0; w < kWords; ++w) {
        if (!(local_words & (UINT64CONST(1) << w))) continue;
        // Raised already (the usual case at high rates): no write, so the
        // producers' cores keep sharing the cache line instead of taking
        // turns owning it.
        if ((pg_atomic_read_u64(&slot.bits[w]) & local_bits[w]) == local_bits[w]) continue;
        uint64 before = pg_atomic_fetch_or_u64(&slot.bits[w], local_bits[w]);
        news |= (before & local_bits[w]) != local_bits[w];
      }
      // A delayed event due before the ticker's next due time wakes it so
      // that it sleeps less; the commit is visible before the lowering, as
      // the ticker clears the time before the snapshot that looks again.
      if (local_due != kNoDue) news |= lower_due(slot, local_due);
      // Only the commit that raises a bit wakes the ticker: at high rates
      // most commits find their bits set already and make no system call.
      uint32 waiter = pg_atomic_read_u32(&slot.waiter);
      if (news && waiter != 0) SetLatch(&ProcGlobal->allProcs[waiter - 1].procLatch);
    }
  }
  if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
      event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PREPARE) {
    for (int w = 0; w < kWords; ++w) local_bits[w] = 0;
    local_words = 0;
    local_max_queue_id = 0;
    local_due = kNoDue;
  }
}

// COMMIT PREPARED: the prepared transaction's delayed events become visible
// now, but the PREPARE cleared what this backend knew of them, and the
// committing backend may be another one, after a restart too. So every
// COMMIT PREPARED in a database with a waiting ticker makes it look at once:
// one move (nothing due, usually) and one lookup of the earliest deliver_at,
// which now sees the committed rows. Runs after the commit is visible, as
// on_xact does (utility_hook.hpp: after the statement, no C++ objects).
void after_utility(PlannedStmt* stmt) {
  Node* node = stmt->utilityStmt;
  if (node == nullptr || !IsA(node, TransactionStmt) ||
      castNode(TransactionStmt, node)->kind != TRANS_STMT_COMMIT_PREPARED)
    return;
  int slot_index = find_slot(MyDatabaseId);
  if (slot_index < 0) return;  // no ticker waits here: it looks when it starts
  DbSlot& slot = shared->slots[slot_index];
  if (!lower_due(slot, 0)) return;  // it looks at once already
  uint32 waiter = pg_atomic_read_u32(&slot.waiter);
  if (waiter != 0) SetLatch(&ProcGlobal->allProcs[waiter - 1].procLatch);
}

// Takes this database's raised bits (clearing them) into `out`.
bool take_bits(DbSlot& slot, uint64* out) {
  bool any = false;
  for (int w = 0; w < kWords; ++w) {
    out[w] = pg_atomic_read_u64(&slot.bits[w]) ? pg_atomic_exchange_u64(&slot.bits[w], 0) : 0;
    any |= out[w] != 0;
  }
  return any;
}

// When this (long-lived) waiting backend may next move delayed events: the
// moves, each followed by ticks, are spaced by i_min_interval_ms, so that
// events due a millisecond apart share a batch instead of making a thousand
// batches a second that consumers cannot keep up with.
TimestampTz next_move_allowed = 0;

// The slot's earliest deliver_at, or the next allowed move if later.
uint64 move_time(DbSlot& slot) {
  uint64 due = pg_atomic_read_u64(&slot.next_due);
  return due == kNoDue ? kNoDue : std::max(due, due_code(next_move_allowed));
}

// True when delayed events may be due and may be moved now.
bool delayed_due(DbSlot& slot, TimestampTz now) { return move_time(slot) <= due_code(now); }

// Milliseconds (rounded up) until delayed events may be moved, at most
// `limit`.
long ms_until_due(DbSlot& slot, TimestampTz now, long limit) {
  uint64 at = move_time(slot);
  if (at == kNoDue) return limit;
  if (at <= due_code(now)) return 0;
  return std::min<long>(limit, static_cast<long>((at - due_code(now) + 999) / 1000));
}

// Waits up to timeout_ms for raised bits, or until delayed events are due;
// owns no C++ objects (interrupts may longjmp out of here). True if bits
// were taken.
bool wait_for_bits(DbSlot& slot, int timeout_ms, uint64* out) {
  pg_atomic_write_u32(&slot.waiter, compat::proc_number(MyProc) + 1);
  pg_memory_barrier();
  TimestampTz deadline = GetCurrentTimestamp() + static_cast<int64>(timeout_ms) * 1000;
  bool any = false;
  while (!(any = take_bits(slot, out))) {
    TimestampTz now = GetCurrentTimestamp();
    long remaining = ms_until_due(slot, now, static_cast<long>((deadline - now) / 1000));
    if (remaining <= 0) break;
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, remaining,
                    PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
    CHECK_FOR_INTERRUPTS();
  }
  return any;
}

// The queue ids the raised bits stand for: bit b is queue ids b, b + 4096,
// ... up to the highest queue id noted in this database.
std::vector<int32> queue_ids_of(const uint64* bits, uint32 max_queue_id) {
  std::vector<int32> ids;
  for (int w = 0; w < kWords; ++w)
    for (int b = 0; bits[w] != 0 && b < 64; ++b)
      if (bits[w] & (UINT64CONST(1) << b))
        for (uint32 id = w * 64 + b; id <= max_queue_id; id += kQueueBits)
          ids.push_back(static_cast<int32>(id));
  return ids;
}

// Sleeps up to ms on the latch (new commits still wake it). No C++ objects.
void nap(long ms) {
  (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms, PG_WAIT_EXTENSION);
  ResetLatch(MyLatch);
  CHECK_FOR_INTERRUPTS();
}

// What this backend knows of the queue behind each bit from its own woken
// ticks: when it last ticked it, how fast its events come, and its limits.
// The waiting ticker is one long-lived backend, so it needs no query to space
// its ticks (ticks by others only make it tick sooner). When queue ids share
// a bit (more than kQueueBits queues), the bit follows the queue ticked last.
struct WokenQueue {
  int32 queue_id = 0;
  TimestampTz ticked_at = 0;
  core::RateEstimate rate;
  core::LaggingConsumers lagging;
  core::SpacingLimits limits;
};
WokenQueue woken[kQueueBits];

// The time the queue behind `bit` should wait since its last woken tick.
int64 spacing_of(WokenQueue& q, TimestampTz now, int32 min_interval_ms) {
  q.limits.min_interval_us = static_cast<int64>(min_interval_ms) * 1000;
  q.limits.lagging_consumers = q.lagging.at(now);
  return core::tick_spacing_us(q.rate.events_per_second(now), q.limits);
}

// Keeps in `bits` the woken queues that may tick now: their last woken tick
// is at least their spacing old (tick_spacing.hpp). The others' bits are
// raised again, and *next_ms says when the first of them may tick. True if
// any may tick now.
bool eligible_bits(DbSlot& slot, uint64* bits, int32 min_interval_ms, long* next_ms) {
  TimestampTz now = GetCurrentTimestamp();
  bool any = false;
  *next_ms = 0;
  for (int w = 0; w < kWords; ++w) {
    for (int b = 0; bits[w] != 0 && b < 64; ++b) {
      uint64 mask = UINT64CONST(1) << b;
      if (!(bits[w] & mask)) continue;
      WokenQueue& q = woken[w * 64 + b];
      int64 wait_us = spacing_of(q, now, min_interval_ms) - (now - q.ticked_at);
      if (wait_us <= 0) {
        any = true;
        continue;
      }
      bits[w] &= ~mask;
      pg_atomic_fetch_or_u64(&slot.bits[w], mask);  // raised again, nobody woken
      long wait = static_cast<long>((wait_us + 999) / 1000);
      *next_ms = *next_ms == 0 ? wait : std::min(*next_ms, wait);
    }
  }
  return any;
}

// Moves the delayed events due now into their queues (delayed_move.hpp) and
// learns the next due time; returns the queues that got events. The slot's
// time is cleared before the statements' snapshots: a producer committing
// later lowers it again, one committing earlier is seen by them.
std::vector<int32> move_delayed(DbSlot& slot) {
  pg_atomic_exchange_u64(&slot.next_due, kNoDue);
  std::vector<int32> moved = move_due_delayed(GetCurrentTimestamp(), 0);
  if (std::optional<TimestampTz> next = earliest_delayed()) lower_due(slot, due_code(*next));
  return moved;
}

// Ticks the queues of `bits` and the queues in `extra` (waiting for their
// tick locks), wakes their consumers and returns the new ticks' rows into
// rsinfo.
void tick_queues(DbSlot& slot, const uint64* bits, const std::vector<int32>& extra,
                 ReturnSetInfo* rsinfo) {
  std::vector<int32> ids = queue_ids_of(bits, pg_atomic_read_u32(&slot.max_queue_id));
  ids.insert(ids.end(), extra.begin(), extra.end());
  TimestampTz now = GetCurrentTimestamp();
  tick_queue_ids(
      std::move(ids), TickLock::wait, LaggingCount::count,
      [&](uint64 row, int32 queue_id, int64 tick_id) {
        WokenQueue& q = woken[static_cast<uint32>(queue_id) % kQueueBits];
        if (q.queue_id != queue_id) q = WokenQueue{queue_id};
        q.ticked_at = now;
        q.rate.note_tick(now, DatumGetInt64(spi::value(row, kTickEventSeqColumn)));
        q.limits.max_count = DatumGetInt32(spi::value(row, kTickMaxCountColumn));
        q.limits.max_lag_us = DatumGetInt64(spi::value(row, kTickMaxLagColumn));
        q.lagging.note_tick(now, DatumGetInt32(spi::value(row, kTickLaggingColumn)));
        notify_tick(queue_id, tick_id);
        Datum values[2] = {spi::transfer(spi::value(row, kTickQueueNameColumn), false, -1),
                           Int64GetDatum(tick_id)};
        bool nulls[2] = {false, false};
        pg_call([&] { tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls); });
      },
      extra);
}

}  // namespace

void ticker_wakeup_init() {
  if (!process_shared_preload_libraries_in_progress) return;
  add_shared_area("pgqpp wakeup", shmem_size, init_shmem, reinterpret_cast<void**>(&shared));
  RegisterXactCallback(on_xact, nullptr);
  add_after_utility(after_utility);
}

void ticker_wakeup_note(int32 queue_id) {
  if (shared == nullptr) return;
  int bit = static_cast<int>(static_cast<uint32>(queue_id) % kQueueBits);
  local_bits[bit / 64] |= UINT64CONST(1) << (bit % 64);
  local_words |= UINT64CONST(1) << (bit / 64);
  local_max_queue_id = std::max(local_max_queue_id, static_cast<uint32>(queue_id));
}

void ticker_wakeup_note_delayed(TimestampTz deliver_at) {
  if (shared == nullptr) return;
  local_due = std::min(local_due, due_code(deliver_at));
}

}  // namespace pgqpp::ext

using namespace pgqpp::ext;

/// pgq.wakeup_ticker(i_timeout_ms, i_min_interval_ms) -> setof (queue_name,
/// tick_id): waits up to i_timeout_ms for committed events in this database's
/// queues, then ticks the woken queues (unpaused, not externally ticked) that
/// are due, and returns the new ticks. A queue is due when its last woken
/// tick is at least its spacing old: i_min_interval_ms while its events are
/// sparse and its consumers keep up, wider when they come faster or its
/// consumers lag, as tick_spacing.hpp says. The others
/// wait for their turn, so that at high rates a tick covers many events.
/// Needs pgqpp in shared_preload_libraries (SQLSTATE 55000 otherwise, so
/// that a ticker falls back to periodic ticking).
PGQPP_FUNCTION(pgqpp_wakeup_ticker) {
  if (shared == nullptr)
    throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                "the wake-up path needs pgqpp in shared_preload_libraries", {},
                "Add pgqpp to shared_preload_libraries and restart, or tick periodically.");
  int32 timeout_ms = PG_ARGISNULL(0) ? 1000 : PG_GETARG_INT32(0);
  int32 min_interval_ms = PG_ARGISNULL(1) ? 5 : PG_GETARG_INT32(1);
  if (timeout_ms < 0 || timeout_ms > 60000)
    throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "i_timeout_ms must be between 0 and 60000");
  if (min_interval_ms < 0 || min_interval_ms > 60000)
    throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "i_min_interval_ms must be between 0 and 60000");
  pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
  auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  int slot_index = pg_call([&] { return claim_slot(MyDatabaseId); });
  if (slot_index < 0)
    throw Error(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED, "too many databases with a waiting ticker");
  DbSlot& slot = shared->slots[slot_index];
  TimestampTz deadline = GetCurrentTimestamp() + static_cast<int64>(timeout_ms) * 1000;
  spi::Session session;
  for (;;) {
    // Delayed events due now are moved and their queues ticked at once,
    // whatever their spacing: their time has come.
    std::vector<int32> moved;
    if (delayed_due(slot, GetCurrentTimestamp())) {
      next_move_allowed = GetCurrentTimestamp() + static_cast<int64>(min_interval_ms) * 1000;
      moved = move_delayed(slot);
      // Due rows another mover holds (pgq.ticker() at the same moment):
      // look again in a millisecond rather than spin.
      if (moved.empty() && delayed_due(slot, GetCurrentTimestamp())) pg_call([&] { nap(1); });
      if (moved.empty()) next_move_allowed = 0;  // nothing moved, nothing ticked
    }
    long remaining = static_cast<long>((deadline - GetCurrentTimestamp()) / 1000);
    uint64 bits[kWords];
    bool any =
        moved.empty()
            ? pg_call([&] { return wait_for_bits(slot, remaining > 0 ? remaining : 0, bits); })
            : take_bits(slot, bits);
    long next_ms = 0;
    bool eligible = any && eligible_bits(slot, bits, min_interval_ms, &next_ms);
    if (!eligible)
      for (auto& w : bits) w = 0;
    if (eligible || !moved.empty()) {
      tick_queues(slot, bits, moved, rsinfo);
      return 0;
    }
    if (!any) {
      if (delayed_due(slot, GetCurrentTimestamp())) continue;
      return 0;  // timeout
    }
    TimestampTz now = GetCurrentTimestamp();
    remaining = ms_until_due(slot, now, static_cast<long>((deadline - now) / 1000));
    if (remaining <= 0) {
      if (delayed_due(slot, now)) continue;
      return 0;
    }
    pg_call([&] { nap(std::min(next_ms, remaining)); });
  }
}
