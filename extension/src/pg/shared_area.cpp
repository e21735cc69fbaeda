// SPDX-License-Identifier: PostgreSQL
// pgqpp's one pair of shared memory hooks: see shared_area.hpp. Owns no
// C++ objects: the hooks run in the postmaster, where an error is FATAL.
#include "pg/shared_area.hpp"

extern "C" {
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
}

namespace pgqpp::ext {

namespace {

struct Area {
  const char* name;
  SharedAreaSize size;
  SharedAreaInit init;
  void** where;
};

constexpr int kMaxAreas = 4;
Area areas[kMaxAreas];
int area_count = 0;
shmem_request_hook_type prev_request_hook = nullptr;
shmem_startup_hook_type prev_startup_hook = nullptr;

void request_areas() {
  if (prev_request_hook) prev_request_hook();
  for (int i = 0; i < area_count; ++i) RequestAddinShmemSpace(areas[i].size());
}

void attach_areas() {
  if (prev_startup_hook) prev_startup_hook();
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  for (int i = 0; i < area_count; ++i) {
    bool found = false;
    void* area = ShmemInitStruct(areas[i].name, areas[i].size(), &found);
    if (!found) areas[i].init(area);
    *areas[i].where = area;
  }
  LWLockRelease(AddinShmemInitLock);
}

}  // namespace

void add_shared_area(const char* name, SharedAreaSize size, SharedAreaInit init, void** where) {
  if (area_count == kMaxAreas) elog(FATAL, "pgqpp: too many shared memory areas");
  if (area_count == 0) {
    prev_request_hook = shmem_request_hook;
    shmem_request_hook = request_areas;
    prev_startup_hook = shmem_startup_hook;
    shmem_startup_hook = attach_areas;
  }
  areas[area_count++] = {name, size, init, where};
}

}  // namespace pgqpp::ext
