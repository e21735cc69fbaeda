// SPDX-License-Identifier: PostgreSQL
// The woken ticks of a queue whose consumers lag (are not past its previous
// tick) are spaced by how many do (extension/src/core/tick_spacing.hpp):
// ticking consumers that have not finished the last batch only queues up
// batches. pgq.wakeup_ticker is called directly, in one session, as the
// ticker daemon's waiting connection does.
#include <string>
#include <thread>

#include "database_test.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

class WakeupSpacing : public DatabaseTest {
 protected:
  // A queue with 100 registered consumers and a woken tick; `caught_up` of
  // them read and finish their batch up to it; then a second woken tick,
  // which counts the others as lagging.
  void queue_with_consumers(int caught_up) {
    // The first call claims the database's slot: commits before it wake nothing.
    q("select count(*) from pgq.wakeup_ticker(0, 0)");
    q("select pgq.create_queue('fan')");
    q("select count(pgq.register_consumer('fan', 'c' || i)) from generate_series(1, 100) i");
    q("select pgq.insert_event('fan', 't', 'first')");
    ASSERT_EQ(q("select string_agg(queue_name, ',') from pgq.wakeup_ticker(0, 0)"), "fan");
    q("select count(pgq.finish_batch(pgq.next_batch('fan', 'c' || i)))"
      " from generate_series(1, " +
      std::to_string(caught_up) + ") i");
    q("select pgq.insert_event('fan', 't', 'second')");
    ASSERT_EQ(q("select string_agg(queue_name, ',') from pgq.wakeup_ticker(0, 0)"), "fan");
  }

  // After a new event and 150 ms: what a call with i_min_interval_ms 100
  // ticks, then what one that allows any spacing ticks.
  std::pair<std::string, std::string> next_event_after_150_ms() {
    q("select pgq.insert_event('fan', 't', 'third')");
    std::this_thread::sleep_for(150ms);
    std::string spaced = q("select string_agg(queue_name, ',') from pgq.wakeup_ticker(0, 100)");
    std::string any = q("select string_agg(queue_name, ',') from pgq.wakeup_ticker(0, 0)");
    return {spaced, any};
  }
};

// Consumers that keep up, however many: 100 ms apart, so the event 150 ms
// later is ticked at once.
TEST_F(WakeupSpacing, ConsumersThatKeepUpTickAtMinInterval) {
  queue_with_consumers(100);
  auto [spaced, any] = next_event_after_150_ms();
  EXPECT_EQ(spaced, "fan");
  EXPECT_EQ(any, "");
}

// 100 lagging consumers: 100 ms * 100 / 5 = 2 s apart. The event 150 ms
// later waits, its queue still woken, for a call that allows it.
TEST_F(WakeupSpacing, LaggingConsumersWidenTheSpacing) {
  queue_with_consumers(0);
  auto [spaced, any] = next_event_after_150_ms();
  EXPECT_EQ(spaced, "") << "ticked although its 100 lagging consumers space it by 2 s";
  EXPECT_EQ(any, "fan") << "no longer woken";
}

// Only the wake-up path spaces ticks by lagging consumers, so only its ticks
// count them: pgq.ticker()'s ticks of five queues with consumers read
// pgq.subscription not once, the woken ticks of the same queues once each
// (the control: the count is seen where it is made). Counted within one
// transaction, as the statistics of earlier ones may not be flushed yet.
TEST_F(WakeupSpacing, OnlyWokenTicksCountLaggingConsumers) {
  q("select count(*) from pgq.wakeup_ticker(0, 0)");  // claims the slot
  q("select count(pgq.create_queue('q' || i)) from generate_series(1, 5) i");
  q("select count(pgq.register_consumer('q' || i, 'c' || j))"
    "  from generate_series(1, 5) i, generate_series(1, 3) j");
  q("select count(*) from pgq.wakeup_ticker(0, 0)");  // the queues' first ticks
  const std::string scans =
      "select coalesce(seq_scan, 0) + coalesce(idx_scan, 0) from pg_stat_xact_user_tables"
      " where relid = 'pgq.subscription'::regclass";
  auto scans_by = [&](const std::string& ticks) {
    q("select count(pgq.insert_event('q' || i, 't', 'x')) from generate_series(1, 5) i");
    db->exec("begin");
    const long before = std::stol(q(scans));
    const std::string ticked = q(ticks);
    const long after = std::stol(q(scans));
    db->exec("commit");
    EXPECT_EQ(ticked, "5") << ticks;
    return after - before;
  };
  EXPECT_EQ(scans_by("select count(*) from pgq.wakeup_ticker(0, 0)"), 5);
  q("select count(pgq.force_tick('q' || i)) from generate_series(1, 5) i");
  EXPECT_EQ(scans_by("select pgq.ticker()"), 0);
}

}  // namespace
}  // namespace pgqpp_cluster
