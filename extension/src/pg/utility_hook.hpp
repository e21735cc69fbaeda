// SPDX-License-Identifier: PostgreSQL
// pgqpp's one ProcessUtility_hook. Several parts of the module need to act
// after a utility statement (the event writer cache closes its writer,
// since TRUNCATE and COPY fire triggers outside the executor; the ticker
// wake-up path looks at COMMIT PREPARED); one hook chains the previous hook
// once and calls them in the order they were added.
//
// standard_ProcessUtility may longjmp: the hook owns no C++ objects, and
// the callbacks must not either (plain C-style code, as PostgreSQL hooks
// are).
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "nodes/plannodes.h"
}

namespace pgqpp::ext {

/// Called after a utility statement ran without error. No C++ objects with
/// destructors: an error inside longjmps through it.
using AfterUtility = void (*)(PlannedStmt* stmt);

/// Adds `callback`, installing the hook at the first call; from _PG_init
/// only. At most a handful of callbacks (a fixed array: FATAL when full).
void add_after_utility(AfterUtility callback);

}  // namespace pgqpp::ext
