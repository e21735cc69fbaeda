// The ticker: pgq.ticker() for every queue, pgq.ticker(queue) for one, and
// pgq.ticker(queue, tick_id, time, event_seq) for externally ticked queues.
// A tick is a row in pgq.tick holding the transaction snapshot of the moment
// and the event sequence's value; batches are the events between two ticks.
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/tick_policy.hpp"
#include "functions/tick_many.hpp"
#include "functions/wakeup.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

namespace pgqpp::ext {
namespace {

SPIPlanPtr state_plan = nullptr;       // waits for the queue's tick lock
SPIPlanPtr state_try_plan = nullptr;   // skips the queue when it is locked
SPIPlanPtr insert_plan = nullptr;
SPIPlanPtr queues_plan = nullptr;
SPIPlanPtr external_plan = nullptr;
SPIPlanPtr external_seq_plan = nullptr;

int64 interval_us(Datum interval) {
  const Interval* i = DatumGetIntervalP(interval);
  return i->time + (static_cast<int64>(i->day) + static_cast<int64>(i->month) * DAYS_PER_MONTH) *
                       USECS_PER_DAY;
}

// The queue's settings and its last two ticks, read in one query. The event
// sequence's value is read as PgQ's seq_getval() does: last_value, which is
// 1 (the start) while no event has used the sequence yet.
const char kStateSql[] =
    "select q.queue_id, q.queue_tick_seq, q.queue_external_ticker, q.queue_ticker_paused,"
    "       q.queue_ticker_max_count, q.queue_ticker_max_lag, q.queue_ticker_idle_period,"
    "       coalesce(pg_catalog.pg_sequence_last_value(q.queue_event_seq::regclass), 1),"
    "       t.tick_id, t.tick_event_seq, now() - t.tick_time,"
    "       txid_snapshot_xmin(t.tick_snapshot), txid_snapshot_xmax(t.tick_snapshot),"
    "       txid_current(),"
    "       (select t.tick_time - p.tick_time from pgq.tick p"
    "         where p.tick_queue = q.queue_id and p.tick_id < t.tick_id"
    "         order by p.tick_queue desc, p.tick_id desc limit 1),"
    // Column 16, the queue's tick lock (see lock_sql below).
    "       %s"
    "  from pgq.queue q"
    "  left join lateral (select * from pgq.tick"
    "       where tick_queue = q.queue_id"
    "       order by tick_queue desc, tick_id desc limit 1) t on true"
    " where q.queue_name = $1";

// The state query with the tick lock: waiting for it, or trying it. Ticks of
// one queue are made one transaction at a time, and the tick's snapshot is
// taken by the next statement, after the lock: so a queue's ticks have ever
// newer snapshots in tick id order, even with several tickers at work (the
// periodic one and the woken one of pgq.wakeup_ticker).
std::string state_sql(bool wait) {
  std::string lock = std::string(wait ? "pg_advisory_xact_lock" : "pg_try_advisory_xact_lock") +
                     "(" + std::to_string(kTickLockKey) + ", q.queue_id)" + (wait ? " is null" : "");
  std::string sql = kStateSql;
  return sql.replace(sql.find("%s"), 2, lock);
}

// Ticks one queue if a tick is due; returns the new tick id or nullopt.
// `strict` (the single-queue form) reports a missing, external or paused
// queue as an error, with PgQ's texts.
std::optional<int64> tick_queue(Datum queue_name, bool strict) {
  // pgq.ticker(queue) waits for a concurrent ticker; pgq.ticker() skips a
  // queue that another ticker is ticking right now.
  static const std::string wait_sql = state_sql(true);
  static const std::string try_sql = state_sql(false);
  // Generic plans: pgq.ticker() runs this once per queue, and re-planning
  // it for each (what the plan cache would choose) costs more than the run.
  SPIPlanPtr plan = strict ? spi::prepare(state_plan, wait_sql.c_str(), {TEXTOID}, spi::PlanMode::generic)
                           : spi::prepare(state_try_plan, try_sql.c_str(), {TEXTOID}, spi::PlanMode::generic);
  if (spi::execute(plan, &queue_name, nullptr, false, 1) == 0) {
    if (strict) throw Error(ERRCODE_UNDEFINED_OBJECT, "no such queue");
    return std::nullopt;
  }
  if (!strict && !DatumGetBool(spi::value(0, 16))) return std::nullopt;
  int32 queue_id = DatumGetInt32(spi::value(0, 1));
  Datum tick_seq = spi::transfer(spi::value(0, 2), false, -1);
  if (DatumGetBool(spi::value(0, 3))) {
    if (strict) throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "This queue has external tick source.");
    return std::nullopt;
  }
  if (DatumGetBool(spi::value(0, 4))) {
    if (strict) throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "Ticker has been paused for this queue");
    return std::nullopt;
  }
  core::TickSettings settings;
  settings.max_count = DatumGetInt32(spi::value(0, 5));
  settings.max_lag_us = interval_us(spi::value(0, 6));
  settings.idle_period_us = interval_us(spi::value(0, 7));
  int64 event_seq = DatumGetInt64(spi::value(0, 8));

  bool no_tick = false;
  spi::value(0, 9, &no_tick);
  std::optional<core::LastTick> last;
  if (!no_tick) {
    core::LastTick t;
    int64 last_seq = DatumGetInt64(spi::value(0, 10));
    t.new_events = event_seq - last_seq;
    t.age_us = interval_us(spi::value(0, 11));
    int64 xmin = DatumGetInt64(spi::value(0, 12));
    int64 xmax = DatumGetInt64(spi::value(0, 13));
    int64 txid = DatumGetInt64(spi::value(0, 14));
    bool no_prev = false;
    Datum gap = spi::value(0, 15, &no_prev);
    if (!no_prev) t.previous_gap_us = interval_us(gap);
    if (xmin > txid)
      throw Error(ERRCODE_DATA_CORRUPTED, "Invalid PgQ state: old xmin=" + std::to_string(xmin) +
                                              ", old xmax=" + std::to_string(xmax) +
                                              ", cur txid=" + std::to_string(txid));
    if (t.new_events < 0) {
      std::string msg = "Negative new_events?  old=" + std::to_string(last_seq) +
                        " cur=" + std::to_string(event_seq);
      pg_call([&] { ereport(WARNING, (errmsg_internal("%s", msg.c_str()))); });
    }
    if (xmax > txid) {
      std::string msg = "Dubious PgQ state: old xmax=" + std::to_string(xmax) +
                        ", cur txid=" + std::to_string(txid);
      pg_call([&] { ereport(WARNING, (errmsg_internal("%s", msg.c_str()))); });
    }
    last = t;
  }
  if (!core::tick_due(settings, last)) return std::nullopt;

  SPIPlanPtr ins = spi::prepare(
      insert_plan,
      "insert into pgq.tick (tick_queue, tick_id, tick_event_seq)"
      " values ($1, nextval($2::text::regclass), $3) returning tick_id",
      {INT4OID, TEXTOID, INT8OID}, spi::PlanMode::generic);
  Datum args[3] = {Int32GetDatum(queue_id), tick_seq, Int64GetDatum(event_seq)};
  spi::execute(ins, args, nullptr, false, 0);
  int64 tick_id = DatumGetInt64(spi::value(0, 1));
  // Only ticks that close a batch with new events wake consumers: idle ticks
  // of many queues would only make listeners read notifications for nothing.
  if (last && last->new_events > 0) notify_tick(queue_id, tick_id);
  return tick_id;
}

}  // namespace
}  // namespace pgqpp::ext

using namespace pgqpp::ext;

/// pgq.ticker(i_queue_name) -> bigint: ticks one queue if a tick is due.
PGQPP_FUNCTION(pgqpp_ticker_queue) {
  if (PG_ARGISNULL(0)) throw Error(ERRCODE_UNDEFINED_OBJECT, "no such queue");
  spi::Session session;
  auto tick = tick_queue(PG_GETARG_DATUM(0), true);
  if (!tick) PG_RETURN_NULL();
  return Int64GetDatum(*tick);
}

/// pgq.ticker() -> bigint: ticks every queue that is neither paused nor
/// externally ticked and is due a tick; returns how many queues got one.
///
/// Set-based, so that a ticker may call it every second over thousands of
/// queues: one query reads every queue's tick state, the tick rule picks the
/// due queues, and two statements lock and tick all of them (tick_many.hpp).
/// A queue another ticker is ticking right now is skipped. Only ticks that
/// close a batch with new events send the queue's NOTIFY.
PGQPP_FUNCTION(pgqpp_ticker_all) {
  spi::Session session;
  SPIPlanPtr plan = spi::prepare(
      queues_plan,
      "select q.queue_id, q.queue_ticker_max_count, q.queue_ticker_max_lag,"
      "       q.queue_ticker_idle_period,"
      "       coalesce(pg_catalog.pg_sequence_last_value(q.queue_event_seq::regclass), 1),"
      "       t.tick_event_seq, now() - t.tick_time,"
      "       (select t.tick_time - p.tick_time from pgq.tick p"
      "         where p.tick_queue = q.queue_id and p.tick_id < t.tick_id"
      "         order by p.tick_queue desc, p.tick_id desc limit 1)"
      "  from pgq.queue q"
      "  left join lateral (select * from pgq.tick"
      "       where tick_queue = q.queue_id"
      "       order by tick_queue desc, tick_id desc limit 1) t on true"
      " where not q.queue_external_ticker and not q.queue_ticker_paused",
      {}, spi::PlanMode::generic);
  uint64 n = spi::execute(plan, nullptr, nullptr, false, 0);
  std::vector<Datum> due;
  std::unordered_set<int32> with_events;
  for (uint64 i = 0; i < n; ++i) {
    bool isnull = false;
    int32 queue_id = DatumGetInt32(spi::value(i, 1));
    pgqpp::core::TickSettings settings;
    settings.max_count = DatumGetInt32(spi::value(i, 2));
    settings.max_lag_us = interval_us(spi::value(i, 3));
    settings.idle_period_us = interval_us(spi::value(i, 4));
    int64 event_seq = DatumGetInt64(spi::value(i, 5));
    std::optional<pgqpp::core::LastTick> last;
    Datum last_seq = spi::value(i, 6, &isnull);
    if (!isnull) {
      pgqpp::core::LastTick t;
      t.new_events = event_seq - DatumGetInt64(last_seq);
      t.age_us = interval_us(spi::value(i, 7));
      Datum gap = spi::value(i, 8, &isnull);
      if (!isnull) t.previous_gap_us = interval_us(gap);
      last = t;
    }
    if (!pgqpp::core::tick_due(settings, last)) continue;
    due.push_back(Int32GetDatum(queue_id));
    if (last && last->new_events > 0) with_events.insert(queue_id);
  }
  if (due.empty()) return Int64GetDatum(0);
  Datum ids = pg_call([&] {
    return PointerGetDatum(construct_array(due.data(), static_cast<int>(due.size()), INT4OID, 4,
                                           true, TYPALIGN_INT));
  });
  uint64 ticked = tick_queue_ids(ids, TickLock::skip, [&](uint64, int32 queue_id, int64 tick_id) {
    if (with_events.count(queue_id) != 0) notify_tick(queue_id, tick_id);
  });
  return Int64GetDatum(static_cast<int64>(ticked));
}

/// pgq.ticker(i_queue_name, i_tick_id, i_orig_timestamp, i_event_seq) -> bigint:
/// inserts a tick given by an external source (e.g. a cascaded provider).
PGQPP_FUNCTION(pgqpp_ticker_external) {
  for (int i = 0; i < 4; ++i)
    if (PG_ARGISNULL(i)) throw_null_argument("ticker argument");
  spi::Session session;
  SPIPlanPtr plan = spi::prepare(
      external_plan,
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
  SPIPlanPtr setval = spi::prepare(external_seq_plan,
                                   "select pgq.seq_setval($1, $3), pgq.seq_setval($2, $4)",
                                   {TEXTOID, TEXTOID, INT8OID, INT8OID});
  Datum setval_args[4] = {seqs[0], seqs[1], PG_GETARG_DATUM(1), PG_GETARG_DATUM(3)};
  spi::execute(setval, setval_args, nullptr, false, 0);
  notify_tick(queue_id_of(PG_GETARG_DATUM(0)), PG_GETARG_INT64(1));
  return PG_GETARG_DATUM(1);
}
