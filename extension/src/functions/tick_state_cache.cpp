// SPDX-License-Identifier: PostgreSQL
// The known newest ticks: see tick_state_cache.hpp.
#include "functions/tick_state_cache.hpp"

#include <unordered_map>

#include "pg/bridge.hpp"

extern "C" {
#include "access/xact.h"
}

namespace pgqpp::ext {
namespace {

struct Entry {
  Oid event_seq_oid = InvalidOid;
  KnownTick tick;
};

std::unordered_map<int32, Entry> known;
TimestampTz last_full_read = 0;  // 0: none since the cache was emptied

void forget() {
  known.clear();
  last_full_read = 0;
}

// Nothing here may fail: an error inside abort processing is a PANIC.
void on_xact(XactEvent event, void*) {
  if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) forget();
}
void on_subxact(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
  if (event == SUBXACT_EVENT_ABORT_SUB) forget();
}

// Registers the abort callbacks once per backend, before the first entry.
void watch_aborts() {
  static bool registered = false;
  if (registered) return;
  pg_call([] {
    RegisterXactCallback(on_xact, nullptr);
    RegisterSubXactCallback(on_subxact, nullptr);
  });
  registered = true;
}

}  // namespace

bool begin_full_read(TimestampTz now) {
  if (last_full_read != 0 && now - last_full_read < kFullReadEveryUs && now >= last_full_read)
    return false;
  forget();
  last_full_read = now;
  return true;
}

const KnownTick* known_tick(int32 queue_id, Oid event_seq_oid) {
  auto it = known.find(queue_id);
  if (it == known.end() || it->second.event_seq_oid != event_seq_oid) return nullptr;
  return &it->second.tick;
}

void note_known_tick(int32 queue_id, Oid event_seq_oid, const KnownTick& tick) {
  watch_aborts();
  known.insert_or_assign(queue_id, Entry{event_seq_oid, tick});
}

std::optional<core::LastTick> last_tick_from(const KnownTick& tick, int64 seq_now,
                                             TimestampTz now) {
  if (!tick.has_tick) return std::nullopt;
  core::LastTick last;
  last.new_events = seq_now - tick.event_seq;
  last.age_us = now - tick.time;
  last.previous_gap_us = tick.previous_gap_us;
  return last;
}

}  // namespace pgqpp::ext
