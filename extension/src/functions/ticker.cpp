// SPDX-License-Identifier: PostgreSQL
// The ticker: pgq.ticker() for every queue, pgq.ticker(queue) for one, and
// pgq.ticker(queue, tick_id, time, event_seq) for externally ticked queues.
// A tick is a row in pgq.tick holding the transaction snapshot of the moment
// and the event sequence's value; batches are the events between two ticks.
#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/tick_policy.hpp"
#include "functions/consumer_notify.hpp"
#include "functions/consumer_wait.hpp"
#include "functions/delayed_move.hpp"
#include "functions/position_cells.hpp"
#include "functions/tick_many.hpp"
#include "functions/tick_state_cache.hpp"
#include "functions/ticker_wakeup.hpp"
#include "pg/bridge.hpp"
#include "pg/datum_array.hpp"
#include "pg/sequence_peek.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "access/xact.h"
#include "storage/lock.h"
}

namespace pgqpp::ext {
namespace {

SPIPlanPtr queue_plan = nullptr;
SPIPlanPtr state_plan = nullptr;
SPIPlanPtr insert_plan = nullptr;
SPIPlanPtr queues_plan = nullptr;
SPIPlanPtr candidates_plan = nullptr;
SPIPlanPtr full_plan = nullptr;
SPIPlanPtr external_plan = nullptr;
SPIPlanPtr external_seq_plan = nullptr;

int64 interval_us(Datum interval) {
  const Interval* i = DatumGetIntervalP(interval);
  return i->time + (static_cast<int64>(i->day) + static_cast<int64>(i->month) * DAYS_PER_MONTH) *
                       USECS_PER_DAY;
}

// A queue's tick state, read by both forms of pgq.ticker in the same
// columns: its settings, the event sequence's name (resolved through
// event_seq_value's cache, tick_many.hpp; its value is read by
// read_state, as PgQ's seq_getval() reads it: last_value, which is 1, the
// start, while no event has used the sequence; without keeping a lock per
// queue, see sequence_peek.hpp), its newest tick (NULL when it has none), the gap
// before that tick, the newest tick's snapshot bounds and this
// transaction's id. The txid is taken here, after whatever lock the caller
// holds, so that a tick another ticker made before that lock never looks
// newer than this transaction (PgQ's "Dubious" warning).
const char kStateColumns[] =
    "q.queue_id, q.queue_ticker_max_count, q.queue_ticker_max_lag, q.queue_ticker_idle_period,"
    " q.queue_event_seq,"
    " t.tick_event_seq, now() - t.tick_time,"
    " (select t.tick_time - p.tick_time from pgq.tick p"
    "   where p.tick_queue = q.queue_id and p.tick_id < t.tick_id"
    "   order by p.tick_queue desc, p.tick_id desc limit 1),"
    " txid_snapshot_xmin(t.tick_snapshot), txid_snapshot_xmax(t.tick_snapshot), txid_current()";
const char kStateFrom[] =
    " from pgq.queue q"
    " left join lateral (select * from pgq.tick"
    "      where tick_queue = q.queue_id"
    "      order by tick_queue desc, tick_id desc limit 1) t on true";

struct QueueTickState {
  int32 queue_id = 0;
  Oid event_seq_oid = InvalidOid;
  int64 event_seq = 0;
  core::TickSettings settings;
  std::optional<core::LastTick> last;  // none: the queue has no tick yet
};

// How many queues one pgq.ticker() call ticks at most. Each tick holds
// two locks until commit (the queue's tick lock and its tick sequence),
// and the shared lock table has room for max_locks_per_transaction per
// backend: ticking 10,000 due queues at once (after a ticker outage, or
// when they were created together) would fail with "out of shared memory"
// on every call and never tick any. The rest wait for the next call.
std::size_t ticks_per_call() {
  return static_cast<std::size_t>(std::max(16, max_locks_per_xact * 2));
}

// Keeps ticks_per_call() of the due queues: those with new events first
// (their consumers wait for the tick; an idle tick can wait a call), then
// the longest without a tick (`age_us`: queues without a tick count as
// oldest), so that every due queue gets its turn.
void cap_due(std::vector<int32>& due, const std::unordered_set<int32>& with_events,
             const std::unordered_map<int32, int64>& age_us) {
  if (due.size() <= ticks_per_call()) return;
  auto age = [&](int32 id) {
    auto it = age_us.find(id);
    return it == age_us.end() ? std::numeric_limits<int64>::max() : it->second;
  };
  std::stable_sort(due.begin(), due.end(), [&](int32 a, int32 b) {
    bool ea = with_events.count(a) != 0, eb = with_events.count(b) != 0;
    if (ea != eb) return ea;
    return age(a) > age(b);
  });
  due.resize(ticks_per_call());
}

void warn(const std::string& msg) {
  pg_call([&] { ereport(WARNING, (errmsg_internal("%s", msg.c_str()))); });
}

// Decodes row `row` of a state query (kStateColumns) and makes PgQ's checks
// of the newest tick: a snapshot from the future is an error (ticking on
// would make wrong batches), a going-back event sequence and a snapshot
// newer than this transaction are warnings, all with PgQ's texts. Nothing
// when the queue's event sequence is gone (the queue was dropped by a
// transaction that committed after this query's snapshot).
// Decodes the first five columns of row `row` (kStateColumns' and
// kQueueColumns'): the queue, its settings and its event sequence's value.
// False when the sequence is gone.
bool read_queue(uint64 row, QueueTickState& st) {
  st.queue_id = DatumGetInt32(spi::value(row, 1));
  st.settings.max_count = DatumGetInt32(spi::value(row, 2));
  st.settings.max_lag_us = interval_us(spi::value(row, 3));
  st.settings.idle_period_us = interval_us(spi::value(row, 4));
  std::optional<int64> event_seq = event_seq_value(st.queue_id, row, 5, &st.event_seq_oid);
  if (!event_seq) return false;
  st.event_seq = *event_seq;
  return true;
}

std::optional<QueueTickState> read_state(uint64 row) {
  QueueTickState st;
  if (!read_queue(row, st)) return std::nullopt;
  bool no_tick = false;
  Datum last_seq = spi::value(row, 6, &no_tick);
  if (no_tick) return st;
  core::LastTick t;
  t.new_events = st.event_seq - DatumGetInt64(last_seq);
  t.age_us = interval_us(spi::value(row, 7));
  bool no_prev = false;
  Datum gap = spi::value(row, 8, &no_prev);
  if (!no_prev) t.previous_gap_us = interval_us(gap);
  int64 xmin = DatumGetInt64(spi::value(row, 9));
  int64 xmax = DatumGetInt64(spi::value(row, 10));
  int64 txid = DatumGetInt64(spi::value(row, 11));
  if (xmin > txid)
    throw Error(ERRCODE_DATA_CORRUPTED, "Invalid PgQ state: old xmin=" + std::to_string(xmin) +
                                            ", old xmax=" + std::to_string(xmax) +
                                            ", cur txid=" + std::to_string(txid));
  if (t.new_events < 0)
    warn("Negative new_events?  old=" + std::to_string(DatumGetInt64(last_seq)) +
         " cur=" + std::to_string(st.event_seq));
  if (xmax > txid)
    warn("Dubious PgQ state: old xmax=" + std::to_string(xmax) +
         ", cur txid=" + std::to_string(txid));
  st.last = t;
  return st;
}

// Ticks the named queue if a tick is due, waiting for its tick lock;
// returns the new tick id or nullopt. A missing, external or paused queue
// is an error, with PgQ's texts.
std::optional<int64> tick_queue(Datum queue_name) {
  SPIPlanPtr queue =
      spi::prepare(queue_plan,
                   "select queue_id, queue_tick_seq, queue_external_ticker, queue_ticker_paused"
                   "  from pgq.queue where queue_name = $1",
                   {TEXTOID}, spi::PlanMode::generic);
  if (spi::execute(queue, &queue_name, nullptr, true, 1) == 0)
    throw Error(ERRCODE_UNDEFINED_OBJECT, "no such queue");
  int32 queue_id = DatumGetInt32(spi::value(0, 1));
  Datum tick_seq = spi::transfer(spi::value(0, 2), false, -1);
  if (DatumGetBool(spi::value(0, 3)))
    throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "This queue has external tick source.");
  if (DatumGetBool(spi::value(0, 4)))
    throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "Ticker has been paused for this queue");
  // The state is read after the lock, so no other ticker's tick can slip in
  // between it and the INSERT (tick_many.hpp: ever newer snapshots).
  lock_queue_ticks(queue_id, TickLock::wait);
  // Delayed events now due go into the queue first; then it ticks whatever
  // the rule says, and this tick's batch holds them (delayed_move.hpp).
  // The move takes every queue's due events (one delivered-up-to mark for
  // all); the other queues that got some are noted for the waiting ticker,
  // which ticks them at this commit (ticker_wakeup.hpp).
  bool delayed = false;
  for (int32 moved : move_due_delayed(GetCurrentTimestamp(), queue_id)) {
    if (moved == queue_id)
      delayed = true;
    else
      ticker_wakeup_note(moved);
  }
  static const std::string state_sql =
      std::string("select ") + kStateColumns + kStateFrom + " where q.queue_id = $1";
  SPIPlanPtr state = spi::prepare(state_plan, state_sql.c_str(), {INT4OID}, spi::PlanMode::generic);
  Datum id = Int32GetDatum(queue_id);
  if (spi::execute(state, &id, nullptr, false, 1) == 0)
    throw Error(ERRCODE_UNDEFINED_OBJECT, "no such queue");  // dropped meanwhile
  std::optional<QueueTickState> state_row = read_state(0);
  if (!state_row) throw Error(ERRCODE_UNDEFINED_OBJECT, "no such queue");
  const QueueTickState& st = *state_row;
  if (!delayed && !core::tick_due(st.settings, st.last)) return std::nullopt;

  static const std::string insert_sql =
      std::string(
          "insert into pgq.tick (tick_queue, tick_id, tick_event_seq, tick_snapshot)"
          " values ($1, nextval($2::text::regclass), $3, case when $4 then ") +
      kTickSnapshotWithOwnTxid + " else txid_current_snapshot() end) returning tick_id";
  SPIPlanPtr ins = spi::prepare(insert_plan, insert_sql.c_str(),
                                {INT4OID, TEXTOID, INT8OID, BOOLOID}, spi::PlanMode::generic);
  Datum args[4] = {Int32GetDatum(queue_id), tick_seq, Int64GetDatum(st.event_seq),
                   BoolGetDatum(delayed)};
  spi::execute(ins, args, nullptr, false, 0);
  int64 tick_id = DatumGetInt64(spi::value(0, 1));
  consumer_wait_note_tick(queue_id);  // every tick wakes next_batch_wait
  // Only ticks that close a batch with new events wake consumers: idle ticks
  // of many queues would only make listeners read notifications for nothing.
  if (delayed || (st.last && st.last->new_events > 0)) notify_tick(queue_id, tick_id);
  return tick_id;
}

// The columns of pgq.queue that read_queue decodes, of the queues
// pgq.ticker() ticks.
const char kQueueColumns[] =
    "select q.queue_id, q.queue_ticker_max_count, q.queue_ticker_max_lag,"
    "       q.queue_ticker_idle_period, q.queue_event_seq"
    "  from pgq.queue q where not q.queue_external_ticker and not q.queue_ticker_paused";

// Notes a queue's newest tick as a state read found it (tick_state_cache.hpp),
// the read's age and new events taken back to a time and a sequence value.
void note_state(const QueueTickState& st, TimestampTz now) {
  KnownTick t;
  if (st.last) {
    t.has_tick = true;
    t.event_seq = st.event_seq - st.last->new_events;
    t.time = now - st.last->age_us;
    t.previous_gap_us = st.last->previous_gap_us;
  }
  note_known_tick(st.queue_id, st.event_seq_oid, t);
}

// The queues pgq.ticker() must read the tick state of: those whose newest
// tick this backend does not know, and those its known tick says are due
// (a superset of the due ones, tick_state_cache.hpp). One scan of pgq.queue
// and a look at each event sequence; no read of pgq.tick.
std::vector<int32> may_be_due(TimestampTz now) {
  SPIPlanPtr plan = spi::prepare(candidates_plan, kQueueColumns, {}, spi::PlanMode::generic);
  uint64 n = spi::execute(plan, nullptr, nullptr, true, 0);
  std::vector<int32> ids;
  for (uint64 i = 0; i < n; ++i) {
    QueueTickState st;
    if (!read_queue(i, st)) continue;
    const KnownTick* known = known_tick(st.queue_id, st.event_seq_oid);
    if (known == nullptr || core::tick_due(st.settings, last_tick_from(*known, st.event_seq, now)))
      ids.push_back(st.queue_id);
  }
  return ids;
}

// Runs the state query (kStateColumns) for the queues pgq.ticker() must
// decide on: every one on a full read (begin_full_read), else those that
// may be due. Returns how many rows the SPI result holds.
uint64 read_tick_states(TimestampTz now) {
  uint64 n = 0;
  if (begin_full_read(now)) {
    static const std::string sql =
        std::string("select ") + kStateColumns + kStateFrom +
        " where not q.queue_external_ticker and not q.queue_ticker_paused";
    SPIPlanPtr plan = spi::prepare(full_plan, sql.c_str(), {}, spi::PlanMode::generic);
    n = spi::execute(plan, nullptr, nullptr, false, 0);
  } else if (std::vector<int32> candidates = may_be_due(now); !candidates.empty()) {
    static const std::string sql = std::string("select ") + kStateColumns + kStateFrom +
                                   " where q.queue_id = any($1) and not q.queue_external_ticker"
                                   " and not q.queue_ticker_paused";
    SPIPlanPtr plan =
        spi::prepare(queues_plan, sql.c_str(), {INT4ARRAYOID}, spi::PlanMode::generic);
    std::vector<Datum> ids;
    ids.reserve(candidates.size());
    for (int32 id : candidates) ids.push_back(Int32GetDatum(id));
    Datum arg = pg_array::int4_array(ids);
    n = spi::execute(plan, &arg, nullptr, false, 0);
  }
  return n;
}

}  // namespace
}  // namespace pgqpp::ext

using namespace pgqpp::ext;

/// pgq.ticker(i_queue_name) -> bigint: ticks one queue if a tick is due.
PGQPP_FUNCTION(pgqpp_ticker_queue) {
  if (PG_ARGISNULL(0)) throw Error(ERRCODE_UNDEFINED_OBJECT, "no such queue");
  spi::Session session;
  auto tick = tick_queue(PG_GETARG_DATUM(0));
  if (!tick) PG_RETURN_NULL();
  return Int64GetDatum(*tick);
}

/// pgq.ticker() -> bigint: ticks every queue that is neither paused nor
/// externally ticked and is due a tick; returns how many queues got one.
///
/// Set-based, so that a ticker may call it every second over thousands of
/// queues: one scan of pgq.queue and a look at each event sequence find the
/// queues that may be due by the newest ticks this backend knows
/// (tick_state_cache.hpp); one query reads the tick state of those only
/// (with the checks of the one-queue form), the tick rule picks the due
/// queues, and one statement ticks all of them (tick_many.hpp). A backend's
/// first call, and one a minute, read every queue's state. A queue another ticker is ticking
/// right now is skipped. Only ticks that close a batch with new events send
/// the queue's NOTIFY. Delayed events now due are moved into their queues
/// first, and those queues tick whatever the rule says (delayed_move.hpp).
/// Consumers whose hold of VACUUM's horizon is over go back to their rows
/// afterwards (position_cells.hpp).
/// One call ticks at most ticks_per_call() queues, those with new events
/// first; the event sequences are read without keeping their locks
/// (sequence_peek.hpp), so the number of queues is not bounded by the
/// shared lock table.
PGQPP_FUNCTION(pgqpp_ticker_all) {
  spi::Session session;
  // As the state query's now(): ages are measured from the same moment.
  const TimestampTz now = pg_call([] { return GetCurrentTransactionStartTimestamp(); });
  uint64 n = read_tick_states(now);
  std::vector<int32> due;
  std::unordered_set<int32> with_events;
  std::unordered_map<int32, int64> age_us;
  EventSeqOids event_seqs;
  for (uint64 i = 0; i < n; ++i) {
    std::optional<QueueTickState> row = read_state(i);
    if (!row) continue;
    const QueueTickState& st = *row;
    note_state(st, now);
    if (!pgqpp::ext::core::tick_due(st.settings, st.last)) continue;
    due.push_back(st.queue_id);
    event_seqs.emplace(st.queue_id, st.event_seq_oid);
    if (st.last && st.last->new_events > 0) with_events.insert(st.queue_id);
    if (st.last) age_us[st.queue_id] = st.last->age_us;
  }
  // After the state query, which takes this transaction's txid: moving
  // first would take it earlier, and a tick another ticker made meanwhile
  // would then look newer than this transaction (PgQ's "Dubious" warning).
  // (With no state read there is no such check in this call.)
  std::vector<int32> delayed = move_due_delayed(GetCurrentTimestamp(), 0);
  due.insert(due.end(), delayed.begin(), delayed.end());
  with_events.insert(delayed.begin(), delayed.end());
  cap_due(due, with_events, age_us);
  uint64 ticked = 0;
  if (!due.empty())
    ticked = tick_queue_ids(
        std::move(due), TickLock::skip, LaggingCount::skip,
        [&](uint64, int32 queue_id, int64 tick_id) {
          if (with_events.count(queue_id) != 0) notify_tick(queue_id, tick_id);
        },
        delayed, event_seqs);
  // After the ticks, for the same reason as the delayed events' move.
  settle_position_cells();
  return Int64GetDatum(static_cast<int64>(ticked));
}

/// pgq.ticker(i_queue_name, i_tick_id, i_orig_timestamp, i_event_seq) -> bigint:
/// inserts a tick given by an external source (e.g. a cascaded provider).
PGQPP_FUNCTION(pgqpp_ticker_external) {
  for (int i = 0; i < 4; ++i)
    if (PG_ARGISNULL(i)) throw_null_argument("ticker argument");
  spi::Session session;
  SPIPlanPtr plan =
      spi::prepare(external_plan,
                   "insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq)"
                   " select queue_id, $2, $3, $4 from pgq.queue"
                   " where queue_name = $1 and queue_external_ticker and not queue_ticker_paused"
                   " returning (select queue_tick_seq from pgq.queue where queue_name = $1),"
                   "           (select queue_event_seq from pgq.queue where queue_name = $1)",
                   {TEXTOID, INT8OID, TIMESTAMPTZOID, INT8OID});
  Datum args[4] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), PG_GETARG_DATUM(2), PG_GETARG_DATUM(3)};
  if (spi::execute(plan, args, nullptr, false, 0) == 0) {
    char* name = pg_call([&] { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
    throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                std::string("queue not found or ticker disabled: ") + name);
  }
  Datum seqs[2] = {spi::transfer(spi::value(0, 1), false, -1),
                   spi::transfer(spi::value(0, 2), false, -1)};
  SPIPlanPtr setval =
      spi::prepare(external_seq_plan, "select pgq.seq_setval($1, $3), pgq.seq_setval($2, $4)",
                   {TEXTOID, TEXTOID, INT8OID, INT8OID});
  Datum setval_args[4] = {seqs[0], seqs[1], PG_GETARG_DATUM(1), PG_GETARG_DATUM(3)};
  spi::execute(setval, setval_args, nullptr, false, 0);
  int32 queue_id = queue_id_of(PG_GETARG_DATUM(0));
  consumer_wait_note_tick(queue_id);
  notify_tick(queue_id, PG_GETARG_INT64(1));
  return PG_GETARG_DATUM(1);
}
