// SPDX-License-Identifier: PostgreSQL
// Counting a held horizon per database: see horizon_stall_shared.hpp. The
// shared side owns no C++ objects and raises nothing while it holds its
// spinlock.
#include "functions/horizon_stall_shared.hpp"

#include "core/horizon_stall.hpp"
#include "pg/postgres.hpp"
#include "pg/shared_area.hpp"

extern "C" {
#include "miscadmin.h"
#include "storage/spin.h"
}

namespace pgqpp::ext {
namespace {

// Databases with writing consumers at one time; with more, the least
// recently counted one starts again.
constexpr int kSlots = 64;

struct StallSlot {
  Oid database;  // InvalidOid: free
  uint64 used;   // StallShmem::uses when it last counted a write
  core::HorizonStall stall;
};

struct StallShmem {
  slock_t mutex;
  uint64 uses;
  StallSlot slots[kSlots];
};

StallShmem* shared = nullptr;

Size shmem_size() { return sizeof(StallShmem); }

void init_shmem(void* area) {
  auto* s = static_cast<StallShmem*>(area);
  SpinLockInit(&s->mutex);
  s->uses = 0;
  for (StallSlot& slot : s->slots) {
    slot.database = InvalidOid;
    slot.used = 0;
    slot.stall = core::HorizonStall{};
  }
}

// The slot of database `db`: its own, else a free one, else the one least
// recently used (a dropped database's, or an idle one's). Under the mutex.
StallSlot& slot_of(StallShmem* s, Oid db) {
  StallSlot* lru = &s->slots[0];
  for (StallSlot& slot : s->slots) {
    if (slot.database == db) return slot;
    if (lru->database != InvalidOid && (slot.database == InvalidOid || slot.used < lru->used))
      lru = &slot;
  }
  lru->database = db;
  lru->stall = core::HorizonStall{};
  return *lru;
}

}  // namespace

void horizon_stall_init() {
  if (!process_shared_preload_libraries_in_progress) return;
  add_shared_area("pgqpp horizon stall", shmem_size, init_shmem, reinterpret_cast<void**>(&shared));
}

bool horizon_stalled(std::uint64_t horizon, bool passed_row, int writes) {
  if (shared == nullptr) {
    static core::HorizonStall own;
    return own.stalled(horizon, passed_row, writes);
  }
  SpinLockAcquire(&shared->mutex);
  StallSlot& slot = slot_of(shared, MyDatabaseId);
  slot.used = ++shared->uses;
  bool stalled = slot.stall.stalled(horizon, passed_row, writes);
  SpinLockRelease(&shared->mutex);
  return stalled;
}

}  // namespace pgqpp::ext
