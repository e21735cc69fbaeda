// SPDX-License-Identifier: PostgreSQL
// pgq.next_batch_wait: see consumer_wait.hpp. The waking side (a commit
// callback) owns no C++ objects and takes no locks; the waiting side sleeps
// on its latch in a frame without C++ objects, so that an interrupt
// (statement_timeout, pg_cancel_backend) raised there reaches pg_call and
// unwinds the C++ frames above it normally.
#include "functions/consumer_wait.hpp"

#include <algorithm>
#include <string>

#include "functions/schema_objects.hpp"
#include "pg/bridge.hpp"
#include "pg/compat.hpp"
#include "pg/shared_area.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
}

namespace pgqpp::ext {
namespace {

constexpr int32 kMaxTimeoutMs = 60000;
// Without the shared memory (pgqpp not preloaded): how often a waiter looks.
constexpr long kFallbackPollMs = 10;
// Queues ticked by this transaction, as bits modulo kTickBits: a queue that
// shares a bit only gets a spurious wake-up (its waiter looks and sleeps on).
constexpr int kTickBits = 4096;
constexpr int kTickWords = kTickBits / 64;

struct WaitShmem {
  pg_atomic_uint32 waiters;  // slots in use: the committer's fast exit
  uint32 nslots;             // MaxBackends: regular backends' proc numbers
  // By proc number: (database oid << 32) | queue id; 0 while not waiting.
  pg_atomic_uint64 slots[FLEXIBLE_ARRAY_MEMBER];
};

WaitShmem* shared = nullptr;

uint64 ticked_bits[kTickWords];
bool ticked_any = false;
int my_slot = -1;  // this backend's slot while it waits
bool exit_hook_set = false;

Size shmem_size() {
  return add_size(offsetof(WaitShmem, slots), mul_size(MaxBackends, sizeof(pg_atomic_uint64)));
}

void init_shmem(void* area) {
  auto* s = static_cast<WaitShmem*>(area);
  pg_atomic_init_u32(&s->waiters, 0);
  s->nslots = static_cast<uint32>(MaxBackends);
  for (uint32 i = 0; i < s->nslots; ++i) pg_atomic_init_u64(&s->slots[i], 0);
}

uint64 slot_key(Oid db, int32 queue_id) {
  return (static_cast<uint64>(db) << 32) | static_cast<uint32>(queue_id);
}

bool ticked(uint32 queue_id) {
  uint32 bit = queue_id % kTickBits;
  return (ticked_bits[bit / 64] & (UINT64CONST(1) << (bit % 64))) != 0;
}

// After a commit with ticks is visible: wake the backends waiting on them.
void wake_waiters() {
  // Orders the commit before reading the slots, as a waiter orders taking
  // its slot before its snapshot: either the waiter's snapshot has the tick
  // or its slot is seen here.
  pg_memory_barrier();
  if (pg_atomic_read_u32(&shared->waiters) == 0) return;
  for (uint32 i = 0; i < shared->nslots; ++i) {
    uint64 key = pg_atomic_read_u64(&shared->slots[i]);
    if (key == 0 || static_cast<Oid>(key >> 32) != MyDatabaseId) continue;
    if (ticked(static_cast<uint32>(key & 0xffffffff))) SetLatch(&ProcGlobal->allProcs[i].procLatch);
  }
}

// Gives up this backend's slot; idempotent.
void leave_slot() {
  if (my_slot < 0) return;
  if (pg_atomic_exchange_u64(&shared->slots[my_slot], 0) != 0)
    pg_atomic_fetch_sub_u32(&shared->waiters, 1);
  my_slot = -1;
}

void on_exit(int, Datum) { leave_slot(); }

void on_xact(XactEvent event, void*) {
  if (event == XACT_EVENT_COMMIT && ticked_any) wake_waiters();
  if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
      event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PREPARE) {
    if (ticked_any) std::fill(std::begin(ticked_bits), std::end(ticked_bits), 0);
    ticked_any = false;
    if (event != XACT_EVENT_COMMIT) leave_slot();  // an error skipped the Registration's end
  }
}

// This backend's slot for the length of one wait: taken before the first
// look that may decide to sleep, so that no tick committed after that look
// goes unnoticed. Without the shared memory (or for a process that is not a
// regular backend) it holds nothing and the waiter polls.
class Registration {
 public:
  explicit Registration(int32 queue_id) {
    if (shared == nullptr) return;
    uint32 procno = compat::proc_number(MyProc);
    if (procno >= shared->nslots) return;
    if (!exit_hook_set) {
      pg_call([] { before_shmem_exit(on_exit, 0); });
      exit_hook_set = true;
    }
    my_slot = static_cast<int>(procno);
    pg_atomic_fetch_add_u32(&shared->waiters, 1);
    pg_atomic_write_u64(&shared->slots[my_slot], slot_key(MyDatabaseId, queue_id));
    pg_memory_barrier();
  }
  ~Registration() { leave_slot(); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;
  bool woken_by_ticks() const { return my_slot >= 0; }
};

// Sleeps up to ms on the latch, then takes interrupts. No C++ objects here:
// CHECK_FOR_INTERRUPTS may raise an error (caught by the caller's pg_call);
// postmaster death ends the process (WL_EXIT_ON_PM_DEATH).
void sleep_on_latch(long ms, uint32 wait_event) {
  (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms, wait_event);
  ResetLatch(MyLatch);
  CHECK_FOR_INTERRUPTS();
}

uint32 wait_event() {
  static uint32 event = 0;
  if (event == 0)
    event = pg_call([] { return compat::extension_wait_event("PgqppNextBatchWait"); });
  return event;
}

SPIPlanPtr probe_plan = nullptr;
SPIPlanPtr probe_plan_v13 = nullptr;  // schema before 1.4: no position cells
SPIPlanPtr next_batch_plan = nullptr;

// What a look at the subscription says, with a new snapshot.
struct Probe {
  bool found = false;  // the consumer is subscribed to the queue
  bool ready = false;  // it has an open batch, or a tick it has not read
  int32 queue_id = 0;
};

// Not read-only: SPI then takes a new snapshot for the statement (in READ
// COMMITTED), which sees ticks committed since the last look.
// From 1.4 the position comes through pgq.subscription_current: while
// VACUUM's horizon is held the row keeps the hold's start.
Probe probe(Datum* names) {
  static const char kProbe[] =
      "select s.sub_batch is not null"
      "       or exists (select 1 from pgq.tick t"
      "                   where t.tick_queue = s.sub_queue and t.tick_id > s.sub_last_tick),"
      "       s.sub_queue"
      "  from pgq.queue q"
      "  join %s s on s.sub_queue = q.queue_id"
      "  join pgq.consumer c on c.co_id = s.sub_consumer"
      " where q.queue_name = $1 and c.co_name = $2";
  const bool cells = schema_has(SchemaObject::subscription_cell);
  std::string sql = kProbe;
  sql.replace(sql.find("%s"), 2, cells ? "pgq.subscription_current" : "pgq.subscription");
  SPIPlanPtr plan = spi::prepare(cells ? probe_plan : probe_plan_v13, sql.c_str(),
                                 {TEXTOID, TEXTOID}, spi::PlanMode::generic);
  Probe p;
  if (spi::execute(plan, names, nullptr, false, 1) == 0) return p;
  p.found = true;
  p.ready = DatumGetBool(spi::value(0, 1));
  p.queue_id = DatumGetInt32(spi::value(0, 2));
  return p;
}

// pgq.next_batch itself, whatever it does (bounded batches, its errors for
// an unknown queue or consumer). Sets *isnull when no batch was opened.
// `nulls` in SPI's convention ('n' for a NULL name).
int64 next_batch(Datum* names, const char* nulls, bool* isnull) {
  SPIPlanPtr plan =
      spi::prepare(next_batch_plan, "select pgq.next_batch($1, $2)", {TEXTOID, TEXTOID});
  spi::execute(plan, names, nulls, false, 1);
  Datum id = spi::value(0, 1, isnull);
  return *isnull ? 0 : DatumGetInt64(id);
}

// Looks, sleeps until woken (or kFallbackPollMs without the shared memory),
// looks again, until a look finds a batch ready, or the subscription gone
// (next_batch then raises its error): returns what next_batch returns.
// *none when the timeout passed first.
int64 wait_for_batch(Datum* names, const char* nulls, int32 queue_id, int32 timeout_ms,
                     bool* none) {
  TimestampTz deadline = GetCurrentTimestamp() + static_cast<int64>(timeout_ms) * 1000;
  Registration registration(queue_id);
  uint32 event = wait_event();
  for (;;) {
    Probe p = probe(names);  // after the registration: no tick slips between
    if (!p.found || p.ready) return next_batch(names, nulls, none);
    long remaining = static_cast<long>((deadline - GetCurrentTimestamp()) / 1000);
    if (remaining <= 0) {
      *none = true;
      return 0;
    }
    if (!registration.woken_by_ticks()) remaining = std::min(remaining, kFallbackPollMs);
    pg_call([&] { sleep_on_latch(remaining, event); });
  }
}

int32 timeout_arg(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(2)) throw_null_argument("i_timeout_ms");
  int32 timeout_ms = PG_GETARG_INT32(2);
  if (timeout_ms < 0 || timeout_ms > kMaxTimeoutMs)
    throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                "i_timeout_ms must be between 0 and " + std::to_string(kMaxTimeoutMs),
                "It was " + std::to_string(timeout_ms) + ".",
                "Call pgq.next_batch_wait again in a loop for longer waits.");
  return timeout_ms;
}

}  // namespace

void consumer_wait_init() {
  if (!process_shared_preload_libraries_in_progress) return;
  add_shared_area("pgqpp consumer wait", shmem_size, init_shmem, reinterpret_cast<void**>(&shared));
  RegisterXactCallback(on_xact, nullptr);
}

void consumer_wait_note_tick(int32 queue_id) {
  if (shared == nullptr) return;
  uint32 bit = static_cast<uint32>(queue_id) % kTickBits;
  ticked_bits[bit / 64] |= UINT64CONST(1) << (bit % 64);
  ticked_any = true;
}

}  // namespace pgqpp::ext

using namespace pgqpp::ext;

/// pgq.next_batch_wait(i_queue_name, i_consumer_name, i_timeout_ms) -> bigint:
/// pgq.next_batch, but when no batch is ready it waits inside the server,
/// woken when a tick of the queue commits, up to i_timeout_ms; NULL when
/// none came. See extension/sql/66_wait.sql.
PGQPP_FUNCTION(pgqpp_next_batch_wait) {
  int32 timeout_ms = timeout_arg(fcinfo);
  if (timeout_ms > 0 && IsolationUsesXactSnapshot())
    throw Error(ERRCODE_INVALID_TRANSACTION_STATE,
                "pgq.next_batch_wait cannot wait in a REPEATABLE READ or SERIALIZABLE transaction",
                "Its snapshot never shows a tick committed after the transaction started.",
                "Call it in a READ COMMITTED transaction, or with i_timeout_ms 0.");
  Datum names[2] = {PG_ARGISNULL(0) ? 0 : PG_GETARG_DATUM(0),
                    PG_ARGISNULL(1) ? 0 : PG_GETARG_DATUM(1)};
  const char nulls[2] = {PG_ARGISNULL(0) ? 'n' : ' ', PG_ARGISNULL(1) ? 'n' : ' '};
  bool none = false;
  int64 batch_id = 0;
  {
    spi::Session session;
    Probe p;  // NULL names: not found, and next_batch raises its error
    if (!PG_ARGISNULL(0) && !PG_ARGISNULL(1)) p = probe(names);
    if (!p.found || p.ready || timeout_ms == 0)
      batch_id = next_batch(names, nulls, &none);
    else
      batch_id = wait_for_batch(names, nulls, p.queue_id, timeout_ms, &none);
  }
  if (none) PG_RETURN_NULL();
  return Int64GetDatum(batch_id);
}
