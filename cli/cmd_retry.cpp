// SPDX-License-Identifier: PostgreSQL
// `pgqpp retry QUEUE [CONSUMER]`: moves retry events whose time has come back
// into their queues now (pgq.maint_retry_events, which the ticker otherwise
// runs every retry_period), and says how many of QUEUE's (CONSUMER's) moved.
#include <iostream>
#include <memory>

#include <pgqpp/transaction.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "pgq_lookup.hpp"

namespace pgqpp::cli {

namespace {

struct RetryArgs {
  ConnectOptions conn;
  std::string queue;
  std::string consumer;  // empty: every consumer
};

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

int retry(const RetryArgs& args) {
  auto db = connect(args.conn);
  if (!args.consumer.empty())
    require_consumer(db, args.queue, args.consumer);
  else
    require_queue(db, args.queue);
  Transaction tx(db);
  const Param consumer = args.consumer.empty() ? Param(nullptr) : Param(args.consumer);
  const Param params[] = {Param(args.queue), consumer};
  const std::string mine(tx.exec(lock_due_sql, params).value(0, 0));
  long long all = 0;
  for (;;) {
    const long long moved =
        std::stoll(std::string(tx.exec("select pgq.maint_retry_events()").value(0, 0)));
    if (moved <= 0) break;
    all += moved;
  }
  tx.commit();
  std::cout << "moved " << mine << " due retry event" << (mine == "1" ? "" : "s") << " of queue "
            << args.queue;
  if (!args.consumer.empty()) std::cout << " (consumer " << args.consumer << ")";
  std::cout << " back into the queue";
  if (all > std::stoll(mine)) std::cout << " (" << all << " in all queues)";
  std::cout << "\n";
  return exit_ok;
}

}  // namespace

/// `pgqpp retry QUEUE [CONSUMER]`: pgq.maint_retry_events until it has moved
/// every due event, reporting the count for QUEUE (and CONSUMER).
std::function<int()> setup_retry(CLI::App& app) {
  auto args = std::make_shared<RetryArgs>();
  add_connect_options(app, args->conn);
  app.add_option("QUEUE", args->queue, "name of the queue")->required();
  app.add_option("CONSUMER", args->consumer, "only count this consumer's events");
  app.footer(
      "Examples:\n"
      "  pgqpp retry orders\n"
      "  pgqpp retry orders shipping\n\n"
      "Moves the retry events that are due now (the ticker does this every retry_period);\n"
      "events of other queues that are due move too, as the ticker would move them.");
  return [args] { return run_guarded("retry", [&] { return retry(*args); }); };
}

}  // namespace pgqpp::cli
