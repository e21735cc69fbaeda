// SPDX-License-Identifier: PostgreSQL
// pgqpp's one pair of shared memory hooks. Several parts of the module keep
// state in shared memory when pgqpp is in shared_preload_libraries (the
// ticker wake-up path, next_batch_wait's waiters, the held-horizon count);
// each registers an area here, and one shmem_request_hook and one
// shmem_startup_hook chain the previous hooks once and serve them all.
//
// The hooks run in the postmaster: the init callbacks own no C++ objects
// and raise nothing (plain C-style code, as PostgreSQL hooks are).
#pragma once

#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// The area's size in bytes; called from the request hook, where settings
/// such as MaxBackends are known (they are not yet in _PG_init).
using SharedAreaSize = Size (*)();

/// Fills a newly created area (zeroed memory is not assumed).
using SharedAreaInit = void (*)(void* area);

/// Reserves `size()` bytes of shared memory under `name`, calls `init` when
/// the area is created, and stores its address in `*where` in every
/// process that attaches it (nullptr until then, and without preloading).
/// From _PG_init only, and only while shared_preload_libraries are being
/// loaded; at most a handful of areas (a fixed array: FATAL when full).
void add_shared_area(const char* name, SharedAreaSize size, SharedAreaInit init, void** where);

}  // namespace pgqpp::ext
