// Trigger events into queues: see event_sink.hpp.
#include "triggers/event_sink.hpp"

#include "functions/event_writer_cache.hpp"
#include "functions/insert_checks.hpp"
#include "functions/queue_cache.hpp"
#include "pg/bridge.hpp"
#include "pg/compat.hpp"

extern "C" {
#include "catalog/pg_proc.h"
#include "parser/parse_func.h"
#include "utils/syscache.h"
}

namespace pgqpp::ext::triggers {

namespace {

// pgq.insert_event(text x 7) and its owner, looked up once; any change to
// pg_proc forgets them (the extension may have been dropped and created).
struct InsertEventFunction {
  Oid oid = InvalidOid;
  Oid owner = InvalidOid;
};
InsertEventFunction insert_event_fn;

// A syscache callback: it only resets plain data, so it needs no bridge.
void on_proc_change(Datum, int, uint32) { insert_event_fn = InsertEventFunction(); }

// Runs inside pg_call.
InsertEventFunction lookup_insert_event() {
  Oid types[7] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
  List* name = list_make2(makeString(pstrdup("pgq")), makeString(pstrdup("insert_event")));
  InsertEventFunction fn;
  fn.oid = LookupFuncName(name, 7, types, false);
  HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn.oid));
  if (!HeapTupleIsValid(tuple))
    ereport(ERROR,
            (errcode(ERRCODE_UNDEFINED_FUNCTION), errmsg("function pgq.insert_event vanished")));
  fn.owner = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple))->proowner;
  ReleaseSysCache(tuple);
  return fn;
}

// The caller may produce events: EXECUTE on pgq.insert_event. Runs inside
// pg_call; returns the function's owner.
Oid check_execute_permission() {
  if (!OidIsValid(insert_event_fn.oid)) insert_event_fn = lookup_insert_event();
  if (compat::function_aclcheck(insert_event_fn.oid, GetUserId()) != ACLCHECK_OK)
    aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION, "insert_event");
  return insert_event_fn.owner;
}

// Writes the event with the id taken, as `owner`. Runs inside pg_call: if
// an error interrupts, (sub)transaction abort restores the user id.
void write_as(Oid owner, const QueueInfo& q, int64 id, const EventFields& fields) {
  Oid user;
  int sec;
  GetUserIdAndSecContext(&user, &sec);
  SetUserIdAndSecContext(owner, sec | SECURITY_LOCAL_USERID_CHANGE);
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
  SetUserIdAndSecContext(user, sec);
}

}  // namespace

void event_sink_init() { CacheRegisterSyscacheCallback(PROCOID, on_proc_change, 0); }

void insert_trigger_event(const std::string& queue_name, const EventFields& fields) {
  Oid owner = pg_call([] { return check_execute_permission(); });
  QueueInfo q = queue_for_insert(queue_name.c_str());
  // PgQ's order: the id first, then the queue's settings.
  int64 id = pg_call([&] { return next_event_id(q.event_seq); });
  check_insert_allowed(q, queue_name.c_str());
  pg_call([&] { write_as(owner, q, id, fields); });
}

}  // namespace pgqpp::ext::triggers
