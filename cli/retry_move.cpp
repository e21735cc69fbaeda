// SPDX-License-Identifier: PostgreSQL
// move_due_retries (retry_move.hpp).
#include "retry_move.hpp"

#include <pgqpp/transaction.hpp>

#include "pgq_lookup.hpp"

namespace pgqpp::cli {

namespace {

// Locks the due retry events of the queue (and consumer) and counts them.
// The lock keeps a ticker running maint_retry_events at the same moment
// from moving them first, so the count is what this run moves: the loop
// below moves every event due at this transaction's start.
constexpr const char* lock_due_sql =
    "select count(*) from ("
    "  select 1 from pgq.retry_queue r join pgq.queue q on q.queue_id = r.ev_queue"
    "   where q.queue_name = $1 and r.ev_retry_after <= current_timestamp"
    "     and ($2::text is null or r.ev_owner in ("
    "          select s.sub_id from pgq.subscription s join pgq.consumer c on c.co_id = "
    "s.sub_consumer"
    "           where s.sub_queue = q.queue_id and c.co_name = $2))"
    "   for update of r) due";

}  // namespace

RetryMove move_due_retries(Connection& db, const std::string& queue, const std::string& consumer) {
  if (!consumer.empty())
    require_consumer(db, queue, consumer);
  else
    require_queue(db, queue);
  Transaction tx(db);
  const Param who = consumer.empty() ? Param(nullptr) : Param(consumer);
  const Param params[] = {Param(queue), who};
  RetryMove m;
  m.of_queue = std::stoll(std::string(tx.exec(lock_due_sql, params).value(0, 0)));
  for (;;) {
    const long long moved =
        std::stoll(std::string(tx.exec("select pgq.maint_retry_events()").value(0, 0)));
    if (moved <= 0) break;
    m.all += moved;
  }
  tx.commit();
  return m;
}

}  // namespace pgqpp::cli
