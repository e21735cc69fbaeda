// SPDX-License-Identifier: PostgreSQL
// The statement-scoped event writer: see event_writer_cache.hpp. The hooks
// and callbacks here own no C++ objects: PostgreSQL errors may longjmp
// through them.
#include "functions/event_writer_cache.hpp"

#include "pg/utility_hook.hpp"

extern "C" {
#include "executor/executor.h"
#include "utils/resowner.h"
}

namespace pgqpp::ext {

namespace {

struct CachedWriter {
  EventWriter w;
  Oid table = InvalidOid;
  MemoryContext cxt = nullptr;  // child of TopTransactionContext
  bool open = false;
  bool in_use = false;  // a write is under way (an index expression may nest another)
};

CachedWriter cached;
ExecutorFinish_hook_type prev_executor_finish = nullptr;

void forget() { cached = CachedWriter(); }

// References are released to the owner they were taken from.
void close_cached() {
  if (!cached.open || cached.in_use) return;
  ResourceOwner old_owner = CurrentResourceOwner;
  CurrentResourceOwner = TopTransactionResourceOwner;
  PG_TRY();
  { event_writer_close(&cached.w); }
  PG_FINALLY();
  { CurrentResourceOwner = old_owner; }
  PG_END_TRY();
  MemoryContextDelete(cached.cxt);
  forget();
}

// Opens the writer with the top transaction's resource owner and memory, so
// that it survives the statement's portal and any subtransaction.
void open_cached(Oid table) {
  MemoryContext cxt =
      AllocSetContextCreate(TopTransactionContext, "pgqpp event writer", ALLOCSET_SMALL_SIZES);
  MemoryContext old_cxt = MemoryContextSwitchTo(cxt);
  ResourceOwner old_owner = CurrentResourceOwner;
  CurrentResourceOwner = TopTransactionResourceOwner;
  PG_TRY();
  { event_writer_open(&cached.w, table, false); }
  PG_FINALLY();
  {
    CurrentResourceOwner = old_owner;
    MemoryContextSwitchTo(old_cxt);
  }
  PG_END_TRY();
  cached.table = table;
  cached.cxt = cxt;
  cached.open = true;
}

void write_uncached(Oid table, const EventRow* row) {
  EventWriter w;
  event_writer_open(&w, table, false);
  event_writer_write(&w, row);
  event_writer_close(&w);
}

void on_executor_finish(QueryDesc* query) {
  if (prev_executor_finish != nullptr) {
    prev_executor_finish(query);
  } else {
    standard_ExecutorFinish(query);
  }
  close_cached();  // the statement's AFTER triggers have all fired
}

// TRUNCATE and COPY fire triggers outside the executor.
void after_utility(PlannedStmt*) { close_cached(); }

void on_xact(XactEvent event, void*) {
  switch (event) {
    case XACT_EVENT_PRE_COMMIT:
    case XACT_EVENT_PARALLEL_PRE_COMMIT:
    case XACT_EVENT_PRE_PREPARE:
      cached.in_use = false;
      close_cached();
      break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
      forget();
      break;
    default:
      break;
  }
}

// A subtransaction abort may have interrupted a write. The writer stays
// valid: its references and memory are the top transaction's, and it holds
// no buffer pin between writes (the abort released those of the write).
// Nothing here may fail: an error inside abort processing is a PANIC.
void on_subxact(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
  if (event == SUBXACT_EVENT_ABORT_SUB) cached.in_use = false;
}

}  // namespace

void event_writer_cache_init() {
  prev_executor_finish = ExecutorFinish_hook;
  ExecutorFinish_hook = on_executor_finish;
  add_after_utility(after_utility);
  RegisterXactCallback(on_xact, nullptr);
  RegisterSubXactCallback(on_subxact, nullptr);
}

void cached_event_write(Oid table, const EventRow* row) {
  if (cached.in_use) return write_uncached(table, row);
  if (cached.open && cached.table != table) close_cached();
  if (!cached.open) open_cached(table);
  cached.in_use = true;
  cached.w.cid = GetCurrentCommandId(true);
  event_writer_write(&cached.w, row);
  cached.in_use = false;
}

}  // namespace pgqpp::ext
