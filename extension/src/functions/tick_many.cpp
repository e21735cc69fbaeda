// Ticking many queues in two statements: see tick_many.hpp.
#include "functions/tick_many.hpp"

#include <string>

#include "functions/wakeup.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

namespace pgqpp::ext {
namespace {

SPIPlanPtr wait_lock_plan = nullptr;
SPIPlanPtr skip_lock_plan = nullptr;
SPIPlanPtr insert_plan = nullptr;

// The locked queue ids as an int4[] (NULL when none). Waiting locks are
// taken in queue id order; skipping locks may be taken in any order.
std::string lock_sql(TickLock lock) {
  const std::string key = std::to_string(kTickLockKey);
  const std::string eligible =
      "q.queue_id = any($1) and not q.queue_external_ticker and not q.queue_ticker_paused";
  if (lock == TickLock::wait)
    return "select array_agg(queue_id order by queue_id) from ("
           " select q.queue_id, pg_advisory_xact_lock(" + key + ", q.queue_id)"
           "   from pgq.queue q where " + eligible + " order by q.queue_id) locked";
  return "select array_agg(queue_id order by queue_id) from ("
         " select q.queue_id from pgq.queue q where " + eligible +
         " offset 0) candidates"  // the filter first, the lock only for these
         " where pg_try_advisory_xact_lock(" + key + ", queue_id)";
}

}  // namespace

uint64 tick_queue_ids(Datum queue_ids, TickLock lock, const TickVisitor& visit) {
  static const std::string wait_sql = lock_sql(TickLock::wait);
  static const std::string skip_sql = lock_sql(TickLock::skip);
  // Generic plans: these run per wake-up; the plan cache would otherwise
  // re-plan them on every call (a one-element array looks cheaper).
  SPIPlanPtr lock_plan =
      lock == TickLock::wait
          ? spi::prepare(wait_lock_plan, wait_sql.c_str(), {INT4ARRAYOID}, spi::PlanMode::generic)
          : spi::prepare(skip_lock_plan, skip_sql.c_str(), {INT4ARRAYOID}, spi::PlanMode::generic);
  spi::execute(lock_plan, &queue_ids, nullptr, false, 0);
  bool none = false;
  Datum locked = spi::value(0, 1, &none);
  if (none) return 0;  // no queue to tick (paused, external, or locked)
  locked = spi::transfer(locked, false, -1);
  SPIPlanPtr insert = spi::prepare(
      insert_plan,
      "insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq)"
      " select q.queue_id, nextval(q.queue_tick_seq::regclass), clock_timestamp(),"
      "        coalesce(pg_catalog.pg_sequence_last_value(q.queue_event_seq::regclass), 1)"
      "   from pgq.queue q where q.queue_id = any($1)"
      " returning tick_queue, tick_id,"
      "           (select queue_name from pgq.queue where queue_id = tick_queue)",
      {INT4ARRAYOID}, spi::PlanMode::generic);
  uint64 n = spi::execute(insert, &locked, nullptr, false, 0);
  for (uint64 i = 0; i < n; ++i)
    visit(i, DatumGetInt32(spi::value(i, 1)), DatumGetInt64(spi::value(i, 2)));
  return n;
}

}  // namespace pgqpp::ext
