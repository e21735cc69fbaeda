// SPDX-License-Identifier: PostgreSQL
// The ticker's Prometheus endpoint tells the truth (issue 18): it passes
// `promtool check metrics`; a database without PgQ has no series and is not
// counted; dead letters and delayed events are counted; a consumer's
// max_batch_events is a gauge only for consumers that have one, and goes
// when it is unset; pgq.force_tick's jump of the event sequence is not
// reported as events; a failed refresh of the queue and consumer figures is
// retried, so they move again once the cause is gone, and each database
// exports the time of its last good refresh; a dropped database's series go
// at once, not at the next check_period (was
// tests/integration/ticker_metrics.sh).
#include <csignal>
#include <fstream>
#include <string>
#include <thread>

#include "ticker_fixture.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

using TickerMetrics = TickerTest;

TEST_F(TickerMetrics, TellTheTruth) {
  ASSERT_EQ(run_command("command -v promtool >/dev/null"), 0)
      << "promtool not found: install Debian's prometheus package (scripts/install-deps.sh)";
  const std::string main = dbname, plain = create_database("plain"), drop = create_database("drop");
  pgqpp::Connection drop_db(conninfo(drop));
  drop_db.exec("create extension pgqpp");
  for (pgqpp::Connection* c : {db.get(), &drop_db}) {
    c->exec("select pgq.create_queue('q')");
    c->exec("select pgq.register_consumer('q', 'c')");
  }
  // One delayed event an hour away, so the first scrape (linted below) has
  // the delayed-event gauges; bounded batches for a second consumer.
  db->exec("select pgq.insert_event_at('q', now() + interval '1 hour', 't', 'later')");
  db->exec(
      "select pgq.register_consumer('q', 'cb'), "
      "pgq.set_consumer_config('q', 'cb', 'max_batch_events', '50')");

  // A long check_period: whatever goes must go without waiting for discovery.
  const int port = free_port();
  Process ticker(
      {pgqpp(), "ticker", "-q", "-v", "--metrics", "127.0.0.1:" + std::to_string(port),
       "--check-period", "600", write_ini("ticker.ini", main + ", " + plain + ", " + drop)},
      work + "/ticker.out");
  auto context = [&] {
    return "--- metrics:\n" + scrape(port) + "--- ticker log:\n" + read_file(log);
  };
  auto value = [&](const std::string& name, const std::string& labels) {
    return metric(scrape(port), name, labels);
  };
  auto has_series = [&](const std::string& d) {
    return scrape(port).find("db=\"" + d + "\"") != std::string::npos;
  };
  const std::string q_labels = "db=\"" + main + "\",queue=\"q\"";
  const std::string c_labels = q_labels + ",consumer=\"c\"",
                    cb_labels = q_labels + ",consumer=\"cb\"";
  ASSERT_TRUE(
      eventually([&] { return value("pgqpp_queue_last_tick_age_seconds", q_labels) != ""; }, 15s))
      << "no queue figures of the main database\n"
      << context();
  ASSERT_TRUE(eventually([&] { return has_series(drop); }, 15s)) << context();
  ASSERT_TRUE(wait_log("db=" + plain + ": no pgq schema", 10)) << context();
  ASSERT_TRUE(
      eventually([&] { return value("pgqpp_consumer_max_batch_events", cb_labels) != ""; }, 15s))
      << "no max_batch_events of cb\n"
      << context();

  // --- the linter: names, types, units, help texts ---
  const std::string first = scrape(port);
  std::ofstream(work + "/metrics.txt") << first;
  EXPECT_EQ(run_command("promtool check metrics <'" + work + "/metrics.txt' >'" + work +
                        "/promtool.out' 2>&1"),
            0)
      << "promtool check metrics:\n"
      << read_file(work + "/promtool.out");
  auto has_line = [&](const std::string& line) {
    return ("\n" + first).find("\n" + line + "\n") != std::string::npos;
  };

  // --- a database without PgQ is neither a series nor counted ---
  EXPECT_FALSE(has_series(plain)) << "series for the database without PgQ\n" << context();
  // (polled: a scrape that meets the metrics server busy can come back empty)
  EXPECT_TRUE(eventually([&] { return value("pgqpp_ticker_databases", "") == "2"; }, 10s))
      << "pgqpp_ticker_databases is not 2\n"
      << context();
  EXPECT_TRUE(has_line("# TYPE pgqpp_queue_last_tick_id gauge"));

  // --- dead letters per consumer ---
  EXPECT_TRUE(has_line("pgqpp_consumer_dead_letters{" + c_labels + "} 0"))
      << "no pgqpp_consumer_dead_letters 0 for c\n"
      << first;
  db->exec(
      "insert into pgq.dead_letter (dead_reason, ev_queue, ev_id, ev_time, ev_owner) "
      "select 'test', sub_queue, 1, now(), sub_id from pgq.subscription");
  EXPECT_TRUE(
      eventually([&] { return value("pgqpp_consumer_dead_letters", c_labels) == "1"; }, 15s))
      << "c's dead letter not counted\n"
      << context();

  // --- delayed events waiting per queue ---
  EXPECT_EQ(metric(first, "pgqpp_queue_delayed_pending", q_labels), "1") << first;
  const std::string due_in = metric(first, "pgqpp_queue_delayed_next_due_seconds", q_labels);
  EXPECT_TRUE(!due_in.empty() && std::stod(due_in) > 3000 && std::stod(due_in) <= 3600)
      << "pgqpp_queue_delayed_next_due_seconds is not about an hour: '" << due_in << "'";
  EXPECT_TRUE(has_line("# TYPE pgqpp_queue_delayed_pending gauge"));
  db->exec("select pgq.insert_event_at('q', now() + interval '1 hour', 't', 'later')");
  EXPECT_TRUE(
      eventually([&] { return value("pgqpp_queue_delayed_pending", q_labels) == "2"; }, 15s))
      << "the second delayed event not counted\n"
      << context();

  // --- max_batch_events: only consumers that have it, gone once unset ---
  EXPECT_TRUE(has_line("pgqpp_consumer_max_batch_events{" + cb_labels + "} 50")) << first;
  EXPECT_TRUE(has_line("# TYPE pgqpp_consumer_max_batch_events gauge"));
  EXPECT_EQ(metric(first, "pgqpp_consumer_max_batch_events", c_labels), "")
      << "pgqpp_consumer_max_batch_events for c, which has none";
  db->exec("select pgq.set_consumer_config('q', 'cb', 'max_batch_events', null)");
  EXPECT_TRUE(
      eventually([&] { return value("pgqpp_consumer_max_batch_events", cb_labels) == ""; }, 15s))
      << "cb's max_batch_events series did not go once unset\n"
      << context();

  // --- force_tick jumps the event sequence: no events counter may move ---
  const std::string main_db = "db=\"" + main + "\"";
  auto stamp = [&] { return value("pgqpp_ticker_last_refresh_timestamp_seconds", main_db); };
  EXPECT_NE(stamp(), "") << "no pgqpp_ticker_last_refresh_timestamp_seconds\n" << context();
  db->exec("select pgq.insert_event('q', 't', 'one')");
  db->exec("select pgq.force_tick('q')");
  const std::string before_force = stamp();
  EXPECT_TRUE(eventually([&] { return stamp() != before_force; }, 15s))
      << "no refresh after force_tick";
  EXPECT_EQ(scrape(port).find("\npgqpp_queue_events_total"), std::string::npos)
      << "pgqpp_queue_events_total is still exported";

  // --- a failed refresh is retried: the figures move again afterwards ---
  db->exec("alter function pgq.get_consumer_info() rename to get_consumer_info_away");
  EXPECT_TRUE(wait_log("get_consumer_info\\(\\) does not exist", 15)) << context();
  std::this_thread::sleep_for(3s);
  const std::string frozen_stamp = stamp(),
                    frozen_age = value("pgqpp_queue_last_tick_age_seconds", q_labels);
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(stamp(), frozen_stamp) << "the refresh time moved while refreshes failed";
  db->exec("alter function pgq.get_consumer_info_away() rename to get_consumer_info");
  EXPECT_TRUE(eventually(
      [&] {
        return stamp() != frozen_stamp &&
               value("pgqpp_queue_last_tick_age_seconds", q_labels) != frozen_age;
      },
      45s))
      << "the figures did not move again after the failure\n"
      << context();

  // --- a dropped database's series go with it ---
  pgqpp::Connection(conninfo("postgres")).exec("drop database \"" + drop + "\" with (force)");
  EXPECT_TRUE(eventually([&] { return !has_series(drop); }, 15s))
      << "the dropped database's series did not go\n"
      << context();
  EXPECT_TRUE(eventually([&] { return value("pgqpp_ticker_databases", "") == "1"; }, 5s))
      << "pgqpp_ticker_databases is not 1 after the drop\n"
      << context();

  ticker.signal(SIGTERM);
  EXPECT_EQ(ticker.wait(10s), 0) << "the exit code after SIGTERM";
}

}  // namespace
}  // namespace pgqpp_cluster
