// SPDX-License-Identifier: PostgreSQL
// Delayed events with the real ticker (`pgqpp ticker`, pgqpp preloaded; was
// tests/integration/delayed_events.sh): 1,000 delayed events per second for
// 4 s, each due a random 0 to 500 ms after it is sent
// (pgq.insert_events_at); libpgqpp's Consumer gets every one exactly once
// and never before its deliver_at (bench/delayed_lateness checks both and
// fails otherwise). Lateness p50/p99 and the dead tuples of
// pgq.delayed_event's storage are printed as NOTE lines, not judged (timing
// is for `make bench`). Then `pgqpp produce --delay` / `--at` store delayed
// events that arrive after their time and not before, and bad --at text
// fails with one line.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>

#include "ticker_fixture.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

class DelayedEvents : public TickerTest {
 protected:
  // Runs `pgqpp produce cli ARGS` (ARGS as the shell reads them) with
  // `line` on its standard input; returns the exit status, stderr in err.
  int produce(const std::string& line, const std::string& args) {
    return run_command("echo '" + line + "' | PGDATABASE='" + dbname + "' '" + pgqpp() +
                       "' produce cli " + args + " >'" + out + "' 2>'" + err + "'");
  }
  // Consumes the next batch of queue cli (if one is ready); true once an
  // event `data` has come in any batch taken so far.
  bool seen_cli(const std::string& data) {
    std::string b = q("select pgq.next_batch('cli', 'c')");
    if (!b.empty()) {
      got += rows("select ev_data from pgq.get_batch_events(" + b + ") order by ev_id");
      q("select pgq.finish_batch(" + b + ")");
    }
    return got.find(data + "\n") != std::string::npos;
  }
  std::string got;  // the ev_data seen by seen_cli
};

TEST_F(DelayedEvents, EveryOneOnceNeverEarlyAndThroughProduce) {
  const std::string probe = cluster_env("PGQPP_BUILD_DIR") + "/bench/delayed_lateness";
  ASSERT_TRUE(std::filesystem::exists(probe))
      << "missing " << probe << " (build the bench targets)";
  db->exec("select pgq.create_queue('dq')");
  db->exec("select pgq.create_queue('cli')");
  db->exec("select pgq.register_consumer('cli', 'c')");
  Process ticker({pgqpp(), "ticker", "-q", write_ini("ticker.ini", dbname)}, work + "/ticker.out");
  auto log_tail = [&] { return "--- ticker log:\n" + read_file(log); };

  // --- 1,000 delayed events/s for 4 s, every one once and never early ---
  const std::string conninfo = "host=" + cluster_env("PGHOST") + " port=" + cluster_env("PGPORT") +
                               " user=" + cluster_env("PGUSER") + " dbname=" + dbname;
  const std::string lateness = work + "/lateness";
  ASSERT_EQ(run_command("'" + probe + "' '" + conninfo + "' dq lateness 1000 4 500 >'" + lateness +
                        "' 2>&1"),
            0)
      << "delayed_lateness: " << read_file(lateness) << log_tail();
  std::printf("%s", read_file(lateness).c_str());
  std::istringstream fields(read_file(lateness));
  for (std::string kv; fields >> kv;)
    for (const char* key : {"p50_ms=", "p99_ms=", "max_ms="})
      if (kv.rfind(key, 0) == 0)
        std::printf("NOTE: delayed lateness %.6s %s (1,000 ev/s, 0-500 ms delays)\n", key,
                    kv.substr(std::string(key).size()).c_str());
  EXPECT_EQ(q("select count(*) from pgq.delayed_pending"), "0") << "delayed events left behind";
  std::this_thread::sleep_for(1500ms);  // the ticker's statistics reach pg_stat
  std::printf(
      "NOTE: pgq.delayed_event's child tables after 4,000 delayed events: %s (target 0)\n",
      q("select sum(n_dead_tup) || ' dead tuples, ' || sum(n_tup_del) || ' rows deleted' from "
        "pg_stat_user_tables where relid in (select inhrelid from pg_inherits where inhparent = "
        "'pgq.delayed_event'::regclass)")
          .c_str());

  // --- pgqpp produce --delay / --at ---
  ASSERT_EQ(produce("later", "--delay '2 seconds'"), 0) << "produce --delay: " << read_file(err);
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(seen_cli("later")) << "produce --delay: delivered before its time";
  ASSERT_TRUE(eventually([&] { return seen_cli("later"); }, 30s))
      << "the --delay event did not come\n"
      << log_tail();
  std::printf("produce --delay: delivered after %ld ms (due after 2000 ms), not before\n",
              static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count()));
  got.clear();
  ASSERT_EQ(produce("at-time", "--at '" + q("select now() + interval '1.5 seconds'") + "'"), 0)
      << "produce --at: " << read_file(err);
  ASSERT_TRUE(eventually([&] { return seen_cli("at-time"); }, 30s))
      << "the --at event did not come\n"
      << log_tail();
  EXPECT_EQ(q("select count(*) from pgq.delayed_pending"), "0") << "produce --at: left behind";
  EXPECT_NE(produce("x", "--at 'not a time'"), 0) << "produce --at 'not a time': exit 0";
  EXPECT_EQ(count_lines(err, ""), 1) << "produce --at 'not a time': " << read_file(err);
  std::printf("produce --at 'not a time': %s", read_file(err).c_str());

  ticker.signal(SIGTERM);
  EXPECT_EQ(ticker.wait(10s), 0) << "the ticker's exit status after SIGTERM";
}

}  // namespace
}  // namespace pgqpp_cluster
