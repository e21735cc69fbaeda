// SPDX-License-Identifier: PostgreSQL
// Cooperative consumers (pgq_coop) with a subconsumer killed mid-batch (was
// tests/integration/coop_subconsumer_kill.sh): three subconsumers share
// consumer c over 40 batches of 25 events while the case keeps inserting
// and ticking. One of them (the victim) takes a batch, records its events
// and dies holding it: its session ends without finish_batch, as when its
// process is killed with SIGKILL. The two others, each a thread with a
// session of its own, go on with pgq_coop.next_batch(..., '5 seconds'); one
// of them takes the victim's batch over after the dead interval. In the
// end every event was handled, each exactly once by the survivors; the
// victim's batch was delivered twice in all (to the victim, then to exactly
// one other subconsumer), and no other batch more than once.
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "database_test.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

using CoopSubconsumerKill = DatabaseTest;

void survivor(const std::string& conninfo, const std::string& sub, const std::atomic<bool>& stop,
              std::string& error);

// The two surviving subconsumers w1 and w2, stopped and joined at the
// latest when the case ends.
struct Survivors {
  std::atomic<bool> stop{false};
  std::string errors[2];
  std::thread threads[2];
  void start(const std::string& conninfo) {
    for (int i = 0; i < 2; ++i)
      threads[i] = std::thread(survivor, conninfo, "w" + std::to_string(i + 1), std::cref(stop),
                               std::ref(errors[i]));
  }
  void join() {
    stop = true;
    for (std::thread& t : threads)
      if (t.joinable()) t.join();
  }
  ~Survivors() { join(); }
};

// Takes a batch for subconsumer `sub` on `c` and records its events in
// table handled with the time its next_batch ran at (now(): what the dead
// interval is measured with); returns the batch id, "" when none was ready.
std::string take_and_record(pgqpp::Connection& c, const std::string& sub) {
  pgqpp::Rows r = c.exec(
      "select pgq_coop.next_batch('q', 'c', $1, '5 seconds'), extract(epoch from now())", {sub});
  std::string batch(r.get(0, 0).value_or(""));
  if (batch.empty()) return "";
  c.exec(
      "insert into handled (sub, batch_id, ev_id, ev_data, at) select $1, $2::bigint, ev_id, "
      "ev_data, to_timestamp($3::float8) from pgq.get_batch_events($2::bigint)",
      {sub, batch, std::string(r.get(0, 1).value_or(""))});
  return batch;
}

// A surviving subconsumer: takes, records and finishes batches until `stop`
// is set and no batch is left; what went wrong in `error`.
void survivor(const std::string& conninfo, const std::string& sub, const std::atomic<bool>& stop,
              std::string& error) {
  try {
    pgqpp::Connection c(conninfo);
    for (;;) {
      std::string b = take_and_record(c, sub);
      if (b.empty()) {
        if (stop) return;
        std::this_thread::sleep_for(50ms);
        continue;
      }
      std::this_thread::sleep_for(20ms);  // the work
      pgqpp::Rows r = c.exec("select pgq_coop.finish_batch($1::bigint)", {b});
      if (r.get(0, 0).value_or("") != "1") {
        error = sub + ": finish_batch(" + b + ") did not return 1";
        return;
      }
    }
  } catch (const std::exception& e) {
    error = sub + ": " + e.what();
  }
}

TEST_F(CoopSubconsumerKill, SurvivorTakesTheDeadOnesBatchOverAfterTheDeadInterval) {
  db->exec("select pgq.create_queue('q')");
  db->exec("select pgq.set_queue_config('q', 'ticker_max_count', '100000')");
  for (const char* sub : {"victim", "w1", "w2"})
    db->exec("select pgq_coop.register_subconsumer('q', 'c', $1)", {std::string(sub)});
  db->exec(
      "create table handled (sub text, batch_id bigint, ev_id bigint, ev_data text, "
      "at timestamptz not null)");

  std::unique_ptr<pgqpp::Connection> victim;
  std::string vb;
  Survivors survivors;
  // The producer: 40 transactions of 25 events, each followed by a tick.
  for (int i = 1; i <= 40; ++i) {
    db->exec(
        "select pgq.insert_events('q', array['t'], array(select $1 || '.' || g "
        "from generate_series(1, 25) g))",
        {std::to_string(i)});
    tick("q");
    if (i == 3) {
      victim = std::make_unique<pgqpp::Connection>(conninfo(dbname));
      ASSERT_TRUE(
          eventually([&] { return !(vb = take_and_record(*victim, "victim")).empty(); }, 20s))
          << "the victim did not take a batch";
      survivors.start(conninfo(dbname));
    }
    if (i == 10) victim.reset();  // dies holding its batch
  }
  std::printf("victim killed holding batch %s\n", vb.c_str());
  auto taken_over = [&] {
    return q("select exists (select 1 from handled where batch_id = " + vb +
             " and sub <> 'victim')") == "t";
  };
  EXPECT_TRUE(q("select exists (select 1 from pgq.get_consumer_info('q', 'c.victim') "
                "where current_batch = " +
                vb + ")") == "t" ||
              taken_over())
      << "the victim no longer holds its batch, and no survivor has it";
  // The survivors stop once no batch is left; the victim's counts only
  // after the dead interval (5 s after it last took a batch), which a fast
  // machine may not have reached yet: wait for the takeover first.
  EXPECT_TRUE(eventually(taken_over, 60s)) << "no survivor took the victim's batch over";
  survivors.join();
  EXPECT_EQ(survivors.errors[0], "");
  EXPECT_EQ(survivors.errors[1], "");

  EXPECT_EQ(q("select count(*) = 1000 and count(distinct ev_id) = 1000 from handled "
              "where sub <> 'victim'"),
            "t")
      << "not all 1000 events handled by the survivors, each once:\n"
      << rows("select sub, count(*), count(distinct ev_id) from handled group by sub");
  EXPECT_EQ(q("select count(distinct sub) = 1 and count(*) = (select count(*) from handled "
              "where sub = 'victim') from handled where batch_id = " +
              vb + " and sub <> 'victim'"),
            "t")
      << "the victim's batch did not go to exactly one other subconsumer:\n"
      << rows("select sub, batch_id, count(*) from handled where batch_id = " + vb +
              " group by 1, 2");
  EXPECT_EQ(q("select not exists (select 1 from handled where batch_id <> " + vb +
              " group by batch_id having count(distinct sub) > 1)"),
            "t")
      << "a batch other than the victim's was delivered twice";
  EXPECT_EQ(q("select min(at) filter (where sub <> 'victim') - min(at) filter (where sub = "
              "'victim') >= interval '5 seconds' from handled where batch_id = " +
              vb),
            "t")
      << "the taker got the victim's batch before the dead interval";
  EXPECT_EQ(q("select not exists (select 1 from pgq.get_consumer_info('q', 'c.victim')) and "
              "(select pending_events = 0 and current_batch is null "
              "from pgq.get_consumer_info('q', 'c'))"),
            "t")
      << "the dead subconsumer is still registered, or the consumer has not everything";
}

}  // namespace
}  // namespace pgqpp_cluster
