// SPDX-License-Identifier: PostgreSQL
// `pgqpp ticker` against the SQL-only edition (docs/managed.md, "Ticking on
// commit"): with its periodic runs 10 s apart, an event reaches a consumer
// within 2 s of its commit (only the edition's change signal can have
// ticked it), also when its transaction stayed open after the insert (a
// signal visible before the commit would tick too early and leave the
// event to the periodic path); nothing is ticked while nothing
// committed, a rolled-back insert included; and after a quiet second the
// server looks every sqlonly_idle_poll, not every 10 ms.
#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../ticker_fixture.hpp"
#include "edition.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class SqlOnlyTicker : public TickerTest {
 protected:
  /// A new database with the SQL-only edition of the build installed by
  /// psql -f (as the cluster's superuser: the non-superuser install has
  /// its own test), queue q and consumer c; returns its name.
  std::string edition_database() {
    const std::string name = create_database("so");
    install_sqlonly_edition(conninfo(name));
    return name;
  }

  /// Starts `pgqpp ticker` on database `so` with its periodic runs 10 s
  /// apart (what comes sooner was ticked by the wake-up path), `extra`
  /// config lines added, and waits until its wake-up path is active.
  std::unique_ptr<Process> start_ticker(const std::string& so, const std::string& extra = "") {
    const std::string ini = work + "/ticker.ini";
    std::ofstream(ini) << "[pgqd]\nbase_connstr = host=" << cluster_env("PGHOST")
                       << " port=" << cluster_env("PGPORT") << " user=" << cluster_env("PGUSER")
                       << "\ninitial_database = postgres\ndatabase_list = " << so
                       << "\nlogfile = " << log
                       << "\nsyslog = 0\nticker_period = 10\nidle_ticker_period = 10\n"
                          "retry_period = 30\nmaint_period = 120\ncheck_period = 60\n"
                       << extra;
    auto ticker = std::make_unique<Process>(
        std::vector<std::string>{pgqpp(), "ticker", "-q", "-v", ini}, work + "/ticker.out");
    EXPECT_TRUE(wait_log("db=" + so + ": serving pgqpp .* SQL-only edition", 10)) << log_tail();
    EXPECT_TRUE(wait_log("db=" + so + ": wake-up path active", 10)) << log_tail();
    return ticker;
  }

  std::string log_tail() { return "--- ticker log:\n" + read_file(log); }
};

/// Time until a batch of q for c on `c` holds `data` (polled every 10 ms),
/// or `limit` when none did by then.
std::chrono::milliseconds time_to_batch(pgqpp::Connection& c, const std::string& data,
                                        Clock::time_point since, std::chrono::milliseconds limit) {
  while (Clock::now() - since < limit) {
    if (batch_has(c, data))
      return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since);
    std::this_thread::sleep_for(10ms);
  }
  return limit;
}

TEST_F(SqlOnlyTicker, TicksOnCommitNotBeforeAndNotWhenIdle) {
  const std::string so = edition_database();
  pgqpp::Connection c(conninfo(so));
  c.exec("select pgq.create_queue('q')");
  c.exec("select pgq.register_consumer('q', 'c')");
  auto ticker = start_ticker(so);
  if (HasFailure()) return;
  const auto started = Clock::now();

  // --- an event committed at once ---
  c.exec("select pgq.insert_event('q', 't', 'first')");
  auto took = time_to_batch(c, "first", Clock::now(), 2s);
  EXPECT_LT(took, 2s) << "the first event was not ticked within 2 s of its commit\n" << log_tail();

  // --- an event whose transaction stays open after the insert: the ticker
  //     must not take the insert for the commit ---
  pgqpp::Connection producer(conninfo(so));
  producer.exec("begin");
  producer.exec("select pgq.insert_event('q', 't', 'slow')");
  std::this_thread::sleep_for(500ms);  // the wake-up path polls every 10 ms meanwhile
  producer.exec("commit");
  took = time_to_batch(c, "slow", Clock::now(), 2s);
  EXPECT_LT(took, 2s) << "an event committed 0.5 s after its insert was not ticked within 2 s of "
                         "its commit\n"
                      << log_tail();

  // --- nothing committed, nothing ticked (a rolled-back insert included) ---
  const std::string ticks = q("select count(*) from pgq.tick", &c);
  producer.exec("begin");
  producer.exec("select pgq.insert_event('q', 't', 'rolled back')");
  producer.exec("rollback");
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(q("select count(*) from pgq.tick", &c), ticks)
      << "ticks while nothing committed:\n"
      << rows("select tick_id, tick_time, tick_event_seq from pgq.tick order by tick_id", &c)
      << "\n"
      << log_tail();
  EXPECT_EQ(q("select count(*) from pgq._so_signal", &c), "0") << "signals left behind";
  // All of it within one periodic interval: the periodic path had no turn.
  EXPECT_LT(Clock::now() - started, 9s) << "the case ran too slowly to prove anything";
}

// An idle database costs less: once a wait (one second) found no commit,
// the server looks for signals every sqlonly_idle_poll (here 0.1 s) instead
// of every 10 ms, counted as scans of pgq._so_signal by the waiting
// backend; the next commit is still ticked, and then the looks are quick
// again.
TEST_F(SqlOnlyTicker, LooksLessOftenWhenIdle) {
  const std::string so = edition_database();
  pgqpp::Connection c(conninfo(so));
  c.exec("select pgq.create_queue('q')");
  c.exec("select pgq.register_consumer('q', 'c')");
  auto ticker = start_ticker(so, "sqlonly_idle_poll = 0.1\n");
  if (HasFailure()) return;
  // The scans of pgq._so_signal the server's statistics have so far (the
  // waiting backend reports its counts about once a second).
  auto looks = [&] {
    return std::stol(q("select pg_stat_get_numscans('pgq._so_signal'::regclass)", &c));
  };
  auto looks_in = [&](std::chrono::milliseconds span) {
    c.exec("select pg_stat_clear_snapshot()");
    long before = looks();
    std::this_thread::sleep_for(span);
    c.exec("select pg_stat_clear_snapshot()");
    return looks() - before;
  };
  std::this_thread::sleep_for(2500ms);  // a quiet wait, and its report
  const long idle = looks_in(4s);
  EXPECT_LE(idle, 100) << "looks in 4 idle seconds with sqlonly_idle_poll = 0.1 (about 40 "
                          "expected; every 10 ms would be about 400)\n"
                       << log_tail();
  EXPECT_GT(idle, 0) << "no looks counted: the check cannot see the polls";
  // A commit after the quiet time is ticked, and the looks are quick again
  // while commits come.
  c.exec("select pgq.insert_event('q', 't', 'after quiet')");
  EXPECT_LT(time_to_batch(c, "after quiet", Clock::now(), 2s), 2s)
      << "an event committed after a quiet second was not ticked within 2 s\n"
      << log_tail();
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    pgqpp::Connection p(conninfo(so));
    while (!stop) {
      p.exec("select pgq.insert_event('q', 't', 'busy')");
      std::this_thread::sleep_for(200ms);
    }
  });
  std::this_thread::sleep_for(1500ms);
  const long busy = looks_in(4s);
  stop = true;
  producer.join();
  EXPECT_GT(busy, 150) << "looks in 4 s with a commit every 200 ms (every 10 ms: about 400)\n"
                       << log_tail();
}

}  // namespace
}  // namespace pgqpp_cluster
