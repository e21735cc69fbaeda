// SPDX-License-Identifier: PostgreSQL
// Trigger events into queues: see event_sink.hpp.
#include "triggers/event_sink.hpp"

#include "functions/event_writer_cache.hpp"
#include "functions/insert_checks.hpp"
#include "functions/queue_cache.hpp"
#include "pg/as_user.hpp"
#include "pg/bridge.hpp"
#include "pg/compat.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "parser/parse_func.h"
#include "utils/syscache.h"

// pgqpp's own pgq.insert_event(text x 7) (functions/insert.cpp).
PGDLLEXPORT Datum pgqpp_insert_event_extra(PG_FUNCTION_ARGS);
}

namespace pgqpp::ext::triggers {

namespace {

// What the triggers know of pgq.insert_event(text x 7): whether it is still
// pgqpp's own function exactly as the extension creates it (then the event
// is written directly, with its owner's rights) or has been replaced (then
// it is called through SQL, as PgQ's triggers always call it).
struct InsertEventFunction {
  bool own = false;
  Oid oid = InvalidOid;
  Oid owner = InvalidOid;
};
InsertEventFunction insert_event_fn;

// Any change to pg_proc (CREATE OR REPLACE, ALTER, DROP of any function)
// forgets what was learnt; a change during a lookup makes its result
// unfit for keeping.
uint64 proc_changes = 1;
uint64 looked_up_at = 0;

// A syscache callback: it only changes plain data, so it needs no bridge.
void on_proc_change(Datum, int, uint32) { ++proc_changes; }

const char* const kInsertEventSql = "select pgq.insert_event($1, $2, $3, $4, $5, $6, $7)";

// Runs inside pg_call. The function is pgqpp's own when it is the C entry
// point of this library, SECURITY DEFINER, not STRICT and without SET
// options: then calling it would do exactly what the direct write does.
InsertEventFunction lookup_insert_event() {
  Oid types[7] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
  List* name = list_make2(makeString(pstrdup("pgq")), makeString(pstrdup("insert_event")));
  InsertEventFunction fn;
  Oid oid = LookupFuncName(name, 7, types, true);
  // Missing: the SQL call then fails with PostgreSQL's own error, as PgQ's.
  if (!OidIsValid(oid)) return fn;
  HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(oid));
  if (!HeapTupleIsValid(tuple)) return fn;
  auto* proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
  bool candidate = proc->prolang == ClanguageId && proc->prosecdef && !proc->proisstrict &&
                   !proc->proretset && heap_attisnull(tuple, Anum_pg_proc_proconfig, nullptr);
  char* library = nullptr;
  if (candidate) {
    bool src_null = true, bin_null = true;
    Datum src = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_prosrc, &src_null);
    Datum bin = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_probin, &bin_null);
    candidate =
        !src_null && !bin_null && strcmp(TextDatumGetCString(src), "pgqpp_insert_event_extra") == 0;
    if (candidate) library = TextDatumGetCString(bin);
  }
  fn.oid = oid;
  fn.owner = proc->proowner;
  ReleaseSysCache(tuple);
  // The symbol's name alone could belong to another library: resolve it as
  // a call would (this library is loaded already).
  if (candidate)
    fn.own = load_external_function(library, "pgqpp_insert_event_extra", false, nullptr) ==
             reinterpret_cast<void*>(pgqpp_insert_event_extra);
  return fn;
}

// Looks pgq.insert_event(text x 7) up again after a change to pg_proc.
// Runs inside pg_call.
void refresh_insert_event() {
  if (looked_up_at != proc_changes) {
    uint64 before = proc_changes;
    insert_event_fn = lookup_insert_event();
    looked_up_at = before;
  }
}

// Whether the event may be written directly; if so, checks that the caller
// may produce events (EXECUTE on pgq.insert_event, which pgq_writer has)
// and returns the function's owner, else InvalidOid. Runs inside pg_call.
Oid direct_write_owner() {
  refresh_insert_event();
  if (!insert_event_fn.own) return InvalidOid;
  if (compat::function_aclcheck(insert_event_fn.oid, GetUserId()) != ACLCHECK_OK)
    aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION, "insert_event");
  return insert_event_fn.owner;
}

// Writes the event with the id taken. Runs inside pg_call, as the user
// insert_trigger_event switched to.
void write_event(const QueueInfo& q, int64 id, const EventFields& fields) {
  EventRow row;
  row.values[kEvId] = Int64GetDatum(id);
  row.values[kEvTime] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
  row.values[kEvTxid] = Int64GetDatum(current_txid());
  row.values[kEvOwner] = row.values[kEvRetry] = 0;
  row.nulls[kEvId] = row.nulls[kEvTime] = row.nulls[kEvTxid] = false;
  row.nulls[kEvOwner] = row.nulls[kEvRetry] = true;
  for (int f = 0; f < core::kEventFields; ++f) {
    row.values[kEvType + f] = fields.values[f];
    row.nulls[kEvType + f] = fields.nulls[f];
  }
  cached_event_write(q.event_table, &row);
}

// PgQ's way: select pgq.insert_event(queue, type, data, extra1..4) through
// SPI, with the caller's rights; whatever the function does is done.
SPIPlanPtr insert_event_plan = nullptr;

void insert_through_sql(const std::string& queue_name, const EventFields& fields) {
  spi::Session session;
  SPIPlanPtr plan = spi::prepare(insert_event_plan, kInsertEventSql,
                                 {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID});
  Datum values[7];
  char nulls[7];
  values[0] = pg_call([&] { return PointerGetDatum(cstring_to_text(queue_name.c_str())); });
  nulls[0] = ' ';
  for (int f = 0; f < core::kEventFields; ++f) {
    values[f + 1] = fields.values[f];
    nulls[f + 1] = fields.nulls[f] ? 'n' : ' ';
  }
  spi::execute(plan, values, nulls, false);
}

}  // namespace

void event_sink_init() { CacheRegisterSyscacheCallback(PROCOID, on_proc_change, 0); }

bool insert_event_replaced() {
  return pg_call([] {
    refresh_insert_event();
    return !insert_event_fn.own;
  });
}

void insert_trigger_event(const std::string& queue_name, const EventFields& fields) {
  Oid owner = pg_call([] { return direct_write_owner(); });
  if (!OidIsValid(owner)) {
    insert_through_sql(queue_name, fields);
    return;
  }
  QueueInfo q = queue_for_insert(queue_name.c_str());
  // PgQ's order: the id first, then the queue's settings.
  int64 id = pg_call([&] { return next_event_id(q.event_seq); });
  check_insert_allowed(q, queue_name.c_str());
  AsUser as_owner(owner, SECURITY_LOCAL_USERID_CHANGE);
  pg_call([&] { write_event(q, id, fields); });
}

}  // namespace pgqpp::ext::triggers
