// SPDX-License-Identifier: PostgreSQL
// `pgqpp ticker` against the test cluster (pgqpp preloaded): it rejects bad
// configs with one clear line; it ticks, wakes on commit, moves retries
// back, rotates, finds new databases, serves PgQ 3.5 databases by periodic
// ticking, exports its figures, reloads on SIGHUP, survives a server restart
// and stops on SIGTERM with exit 0 within a second (was
// tests/integration/ticker_daemon.sh).
#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "ticker_fixture.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

using TickerDaemon = TickerTest;

TEST_F(TickerDaemon, BadConfigsGetOneClearLine) {
  std::ofstream(work + "/unknown.ini") << "[pgqd]\nticker_perid = 1\n";
  std::ofstream(work + "/badvalue.ini") << "[pgqd]\nticker_period = soon\n";
  for (auto [file, expect] : {std::pair{"unknown.ini", "unknown key 'ticker_perid'"},
                              std::pair{"badvalue.ini", "not a positive number"},
                              std::pair{"missing.ini", "cannot read config file"}}) {
    EXPECT_NE(run_ticker("'" + work + "/" + file + "'"), 0) << file << ": exit code 0";
    EXPECT_EQ(count_lines(err, ""), 1) << file << ": expected one line on stderr:\n"
                                       << read_file(err);
    EXPECT_EQ(count_lines(err, expect), 1) << file << ": expected '" << expect << "', got:\n"
                                           << read_file(err);
  }
}

TEST_F(TickerDaemon, TicksWakesRetriesRotatesFindsReloadsRecoversStops) {
  const std::string main = dbname, late = create_database("late"), pgq = create_database("pgq");
  db->exec("select pgq.create_queue('q')");
  db->exec("select pgq.register_consumer('q', 'c')");
  pgqpp::Connection pgq_db(conninfo(pgq));
  pgq_db.exec("create extension pgq");
  pgq_db.exec("select pgq.create_queue('q')");
  pgq_db.exec("select pgq.register_consumer('q', 'c')");
  pgq_db.exec("select pgq.set_queue_config('q', 'ticker_max_lag', '0.2 seconds')");

  const std::string ini = write_ini("ticker.ini", main + ", " + late + ", " + pgq);
  const int port = free_port();
  Process ticker(
      {pgqpp(), "ticker", "-q", "-v", "--metrics", "127.0.0.1:" + std::to_string(port), ini},
      work + "/ticker.out");
  auto log_tail = [&] { return "--- ticker log:\n" + read_file(log); };
  ASSERT_TRUE(wait_log("db=" + main + ": serving pgqpp", 10)) << log_tail();
  ASSERT_TRUE(wait_log("db=" + main + ": wake-up path active", 10)) << log_tail();

  // --- an event is ticked on commit by the wake-up path (not the 3 s max lag) ---
  db->exec("select pgq.insert_event('q', 't', 'first')");
  ASSERT_TRUE(eventually([&] { return batch_has(*db, "first"); }, 5s))
      << "the first event in a batch\n"
      << log_tail();
  EXPECT_TRUE(log_has("db=" + main + " queue=q: woken tick"))
      << "no woken tick: the wake-up path did not tick\n"
      << log_tail();

  // --- retries come back through the daemon's retry moves ---
  db->exec("select pgq.insert_event('q', 't', 'retry me')");
  ASSERT_TRUE(eventually([&] { return retry_from_batch(*db, "retry me"); }, 5s))
      << "a batch to retry from";
  EXPECT_TRUE(eventually(
      [&] {
        std::string b = q("select pgq.next_batch('q', 'c')");
        if (b.empty()) return false;
        std::string retry =
            q("select ev_retry from pgq.get_batch_events(" + b + ") where ev_data = 'retry me'");
        q("select pgq.finish_batch(" + b + ")");
        return retry == "1";
      },
      10s))
      << "the retried event did not come back with ev_retry = 1\n"
      << log_tail();

  // --- rotation with a short rotation period ---
  db->exec("select pgq.set_queue_config('q', 'rotation_period', '0.5 seconds')");
  const std::string table_before = q("select queue_cur_table from pgq.queue");
  EXPECT_TRUE(eventually(
      [&] {
        db->exec("select pgq.insert_event('q', 't', 'x')");
        batch_has(*db, "x");
        return q("select queue_cur_table from pgq.queue") != table_before;
      },
      15s))
      << "no table rotation\n"
      << log_tail();

  // --- a database created while the daemon runs is found ---
  {
    pgqpp::Connection late_db(conninfo(late));
    late_db.exec("create extension pgqpp");
    late_db.exec("select pgq.create_queue('q')");
    late_db.exec("select pgq.register_consumer('q', 'c')");
    EXPECT_TRUE(wait_log("db=" + late + ": serving pgqpp", 10)) << log_tail();
    late_db.exec("select pgq.insert_event('q', 't', 'late')");
    EXPECT_TRUE(eventually([&] { return batch_has(late_db, "late"); }, 5s))
        << "the event in the new database\n"
        << log_tail();
  }

  // --- PgQ 3.5 database: served by periodic ticks, fallback said once ---
  EXPECT_TRUE(wait_log("db=" + pgq + ": wake-up path unavailable", 10)) << log_tail();
  pgq_db.exec("select pgq.insert_event('q', 't', 'on pgq')");
  EXPECT_TRUE(eventually([&] { return batch_has(pgq_db, "on pgq"); }, 10s))
      << "the event in the PgQ 3.5 database\n"
      << log_tail();
  EXPECT_EQ(count_lines(log, "db=" + pgq + ": wake-up path unavailable"), 1)
      << "fallback logged more than once";

  // --- the metrics endpoint answers with the right figures ---
  // Register first: a consumer starts at the newest tick, so an event not yet
  // ticked when it registers would count as pending too (a race on a busy
  // machine).
  db->exec("select pgq.register_consumer('q', 'idle_reader')");
  db->exec("select pgq.insert_event('q', 't', 'pending for idle_reader')");
  auto labels = [](const std::string& d, const std::string& rest = "") {
    return "db=\"" + d + "\"" + rest;
  };
  EXPECT_TRUE(eventually(
      [&] {
        return metric(scrape(port), "pgqpp_consumer_pending_events",
                      labels(main, ",queue=\"q\",consumer=\"idle_reader\"")) == "1";
      },
      10s))
      << "idle_reader's pending events in the metrics:\n"
      << scrape(port);
  std::string s = scrape(port);
  EXPECT_EQ(metric(s, "pgqpp_ticker_wakeup_active", labels(main)), "1") << s;
  EXPECT_EQ(metric(s, "pgqpp_ticker_wakeup_active", labels(pgq)), "0") << s;
  EXPECT_EQ(metric(s, "pgqpp_ticker_connection_up", labels(late)), "1") << s;
  EXPECT_EQ(metric(s, "pgqpp_queue_last_event_id", labels(late, ",queue=\"q\"")), "1") << s;
  EXPECT_EQ(command_output("curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:" +
                           std::to_string(port) + "/nope'"),
            "404")
      << "no 404 for /nope";

  // --- SIGHUP: a changed config is reloaded and reported ---
  std::string text = read_file(ini);
  text.replace(text.find("stats_period = 1\n"), 17, "stats_period = 2\n");
  std::ofstream(ini) << text;
  ticker.signal(SIGHUP);
  EXPECT_TRUE(wait_log("config reloaded; changed: stats_period", 5)) << log_tail();

  // --- a server restart: the daemon reconnects, and waking works again ---
  ASSERT_EQ(run_command("bash -c '. \"$PGQPP_SOURCE_DIR/tests/lib/cluster.sh\" && "
                        "pg_restart \"$PGQPP_TEST_DATA\"'"),
            0)
      << "the server did not restart";
  ASSERT_TRUE(wait_log("db=" + main + ": connected again", 20)) << log_tail();
  db = std::make_unique<pgqpp::Connection>(conninfo(main));
  db->exec("select pgq.insert_event('q', 't', 'after restart')");
  EXPECT_TRUE(eventually([&] { return batch_has(*db, "after restart"); }, 10s))
      << "the event after the restart\n"
      << log_tail();
  EXPECT_LE(count_lines(log, "db=" + main + ": connection failed"), 1)
      << "the failure was logged more than once";

  // --- SIGTERM: exit 0 within a second ---
  auto t0 = std::chrono::steady_clock::now();
  ticker.signal(SIGTERM);
  EXPECT_EQ(ticker.wait(10s), 0) << "the exit code after SIGTERM";
  auto stop_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_LT(stop_ms, 1000) << "took " << stop_ms << " ms to stop";

  // The only errors: connections failing during the restart (on a loaded
  // machine a statement may also be cut by the shutdown, once per database).
  const std::regex error_line(R"(\] (ERROR|FATAL))"),
      restart_noise(
          "connection failed|cannot list databases|"
          "terminating connection due to administrator command");
  std::istringstream lines(read_file(log));
  for (std::string line; std::getline(lines, line);)
    if (std::regex_search(line, error_line) && !std::regex_search(line, restart_noise))
      ADD_FAILURE() << "unexpected error in the log: " << line;
}

}  // namespace
}  // namespace pgqpp_cluster
