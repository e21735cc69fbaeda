// SPDX-License-Identifier: PostgreSQL
// One status snapshot from pgq.get_queue_info / get_consumer_info (see
// status_query.hpp). Durations come back as seconds (extract(epoch)) so that
// no interval text has to be parsed here.
#include "status_query.hpp"

#include <pgqpp/transaction.hpp>

#include "status_coop_query.hpp"
#include "status_consumer_settings.hpp"

namespace pgqpp::cli {

namespace {

std::optional<double> opt_double(const Rows& rows, std::size_t row, int col) {
  auto v = rows.get(row, col);
  if (!v) return std::nullopt;
  return std::stod(std::string(*v));
}

std::optional<std::int64_t> opt_int(const Rows& rows, std::size_t row, int col) {
  auto v = rows.get(row, col);
  if (!v) return std::nullopt;
  return std::stoll(std::string(*v));
}

constexpr const char* queue_sql =
    "select queue_name, ev_per_sec, ev_new, last_tick_id, extract(epoch from ticker_lag),"
    "       queue_ticker_paused, queue_external_ticker, queue_ticker_max_count,"
    "       extract(epoch from queue_ticker_max_lag), extract(epoch from queue_ticker_idle_period),"
    "       queue_cur_table, queue_ntables, extract(epoch from current_timestamp - "
    "queue_switch_time),"
    "       extract(epoch from queue_rotation_period)"
    "  from pgq.get_queue_info($1::text) order by queue_name";

constexpr const char* consumer_sql =
    "select queue_name, consumer_name, extract(epoch from lag), extract(epoch from last_seen),"
    "       last_tick, current_batch, pending_events, null"
    "  from pgq.get_consumer_info($1::text, null) order by queue_name, consumer_name";

// The same with each consumer's dead letters counted (pgqpp 1.2 and later).
constexpr const char* consumer_dead_sql =
    "select i.queue_name, i.consumer_name, extract(epoch from i.lag),"
    "       extract(epoch from i.last_seen), i.last_tick, i.current_batch, i.pending_events,"
    "       (select count(*) from pgq.dead_letter d"
    "          join pgq.subscription s on s.sub_id = d.ev_owner"
    "          join pgq.queue q on q.queue_id = s.sub_queue"
    "          join pgq.consumer c on c.co_id = s.sub_consumer"
    "         where q.queue_name = i.queue_name and c.co_name = i.consumer_name)"
    "  from pgq.get_consumer_info($1::text, null) i order by 1, 2";

}  // namespace

StatusSnapshot read_status(Connection& db, const std::optional<std::string>& queue,
                           double lag_threshold) {
  StatusSnapshot s;
  s.lag_threshold = lag_threshold;
  Transaction tx(db);
  tx.exec("set transaction isolation level repeatable read, read only");
  auto head = tx.exec(
      "select current_database(),"
      "       to_char(current_timestamp at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')");
  s.database = head.value(0, 0);
  s.server_time = head.value(0, 1);
  const Param name = queue ? Param(*queue) : Param(nullptr);
  auto q = tx.exec(queue_sql, std::span<const Param>(&name, 1));
  for (std::size_t i = 0; i < q.size(); ++i) {
    QueueStatus qs;
    qs.name = q.value(i, 0);
    qs.events_per_second = opt_double(q, i, 1);
    qs.pending_events = opt_int(q, i, 2).value_or(0);
    qs.last_tick_id = opt_int(q, i, 3);
    qs.last_tick_age = opt_double(q, i, 4);
    qs.ticker_paused = q.value(i, 5) == "t";
    qs.external_ticker = q.value(i, 6) == "t";
    qs.ticker_max_count = opt_int(q, i, 7).value_or(0);
    qs.ticker_max_lag = opt_double(q, i, 8).value_or(0);
    qs.ticker_idle_period = opt_double(q, i, 9).value_or(0);
    qs.current_table = static_cast<int>(opt_int(q, i, 10).value_or(0));
    qs.tables = static_cast<int>(opt_int(q, i, 11).value_or(0));
    qs.last_rotation_age = opt_double(q, i, 12);
    qs.rotation_period = opt_double(q, i, 13).value_or(0);
    s.queues.push_back(std::move(qs));
  }
  // Delayed events per queue (pgqpp 1.3 and later).
  if (tx.exec("select to_regprocedure('pgq.get_delayed_info(text)') is not null").value(0, 0) ==
      "t") {
    auto d = tx.exec(
        "select queue_name, pending, extract(epoch from next_due - current_timestamp)"
        "  from pgq.get_delayed_info() where $1::text is null or queue_name = $1",
        std::span<const Param>(&name, 1));
    for (std::size_t i = 0; i < d.size(); ++i)
      for (auto& qs : s.queues)
        if (qs.name == d.value(i, 0)) {
          qs.delayed_pending = opt_int(d, i, 1);
          qs.delayed_next_due = opt_double(d, i, 2);
        }
  }
  const bool has_dead =
      tx.exec("select to_regclass('pgq.dead_letter') is not null").value(0, 0) == "t";
  auto c = tx.exec(has_dead ? consumer_dead_sql : consumer_sql, std::span<const Param>(&name, 1));
  for (std::size_t i = 0; i < c.size(); ++i) {
    ConsumerStatus cs;
    cs.queue = c.value(i, 0);
    cs.name = c.value(i, 1);
    cs.lag = opt_double(c, i, 2);
    cs.last_seen = opt_double(c, i, 3);
    cs.last_tick_id = opt_int(c, i, 4);
    cs.open_batch_id = opt_int(c, i, 5);
    cs.pending_events = opt_int(c, i, 6);
    cs.dead_letters = opt_int(c, i, 7);
    s.consumers.push_back(std::move(cs));
  }
  read_subconsumers(tx, name, s);
  read_consumer_limits(tx, s);
  tx.commit();
  evaluate_status(s);
  return s;
}

}  // namespace pgqpp::cli
