// SPDX-License-Identifier: PostgreSQL
// The one place the extension includes PostgreSQL's C headers.
//
// PostgreSQL 15 leaves PGDLLEXPORT empty on Linux; we build with hidden
// visibility, so the entry points (PG_FUNCTION_INFO_V1, PG_MODULE_MAGIC)
// must be marked visible explicitly.
#pragma once

#ifdef PGQPP_PURE_CORE
#error "src/core is pure C++: it must not include PostgreSQL headers"
#endif

#define PGDLLEXPORT __attribute__((visibility("default")))

extern "C" {
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "storage/lmgr.h"
#include "tcop/dest.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
}

// PostgreSQL defines these as macros; they collide with the C++ library.
#undef printf
#undef sprintf
#undef snprintf
#undef vsnprintf
#undef fprintf
#undef vfprintf
