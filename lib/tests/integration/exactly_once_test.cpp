// SPDX-License-Identifier: PostgreSQL
// ExactlyOnceConsumer: every event lands in the target once, whatever
// moment the consumer dies at.
#include <csignal>
#include <string>

#include "fixture.hpp"
#include "worker_process.hpp"

namespace pgqpp_it {
namespace {

using namespace std::chrono_literals;

class ExactlyOnceTest : public QueueTest {
 protected:
  void SetUp() override {
    QueueTest::SetUp();
    target.exec("create table if not exists applied (queue text, ev_id bigint, ev_data text)");
  }
  pgqpp::ExactlyOnceOptions eo_options() {
    pgqpp::ExactlyOnceOptions o;
    o.consumer = options();
    return o;
  }
  // Events of this queue in the target: total rows, and distinct ids.
  std::pair<int, int> applied() {
    pgqpp::Rows r = target.exec(
        "select count(*), count(distinct ev_id) from applied where queue = $1", {queue});
    return {std::stoi(std::string(r.value(0, 0))), std::stoi(std::string(r.value(0, 1)))};
  }
  static void apply(const pgqpp::Event& ev, pgqpp::Transaction& tx, const std::string& queue) {
    tx.exec("insert into applied (queue, ev_id, ev_data) values ($1, $2, $3)",
            {queue, ev.id, ev.data});
  }

  pgqpp::Connection target{target_conninfo()};
};

TEST_F(ExactlyOnceTest, AppliesEveryEventOnceAndRecordsTheBatch) {
  produce(30);
  tick();
  produce(20);
  tick();
  pgqpp::ExactlyOnceConsumer c(db_conninfo(), target_conninfo(), eo_options());
  c.run([&](const pgqpp::Event& ev, pgqpp::Transaction& tx) { apply(ev, tx, queue); });
  EXPECT_EQ(applied(), std::make_pair(50, 50));
  pgqpp::Rows r = target.exec(
      "select last_batch_id is not null, last_tick_id from pgqpp_consumer_progress"
      " where queue_name = $1 and consumer_name = 'c'",
      {queue});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r.value(0, 0), "t");
  EXPECT_EQ(std::string(r.value(0, 1)),
            scalar("select last_tick from pgq.get_consumer_info('" + queue + "', 'c')"));
}

TEST_F(ExactlyOnceTest, TargetMayBeTheQueuesOwnDatabase) {
  db.exec("create table if not exists applied (queue text, ev_id bigint, ev_data text)");
  produce(10);
  tick();
  auto o = eo_options();
  o.progress_table = "public.same_db_progress";
  pgqpp::ExactlyOnceConsumer c(db_conninfo(), db_conninfo(), o);
  c.run([&](const pgqpp::Event& ev, pgqpp::Transaction& tx) { apply(ev, tx, queue); });
  EXPECT_EQ(scalar("select count(distinct ev_id) || '/' || count(*) from applied where queue = '" +
                   queue + "'"),
            "10/10");
}

TEST_F(ExactlyOnceTest, RetriedEventsComeBackAndLandOnce) {
  produce(6);
  tick();
  pgqpp::ExactlyOnceConsumer c(db_conninfo(), target_conninfo(), eo_options());
  auto handler = [&](const pgqpp::Event& ev, pgqpp::Transaction& tx) {
    if (!ev.retry && (*ev.data == "e1" || *ev.data == "e4")) return pgqpp::Tag::retry_after(0s);
    apply(ev, tx, queue);
    return pgqpp::Tag::done();
  };
  c.run(handler);
  EXPECT_EQ(applied(), std::make_pair(4, 4));
  retry_maintenance();
  c.run(handler);
  EXPECT_EQ(applied(), std::make_pair(6, 6));
}

// A crash after the target's commit, before the queue's finish: the batch is
// not applied again, and its retries are not forgotten.
TEST_F(ExactlyOnceTest, RetriesSurviveACrashAfterCommit) {
  produce(4);
  tick();
  struct Crash {};
  auto o = eo_options();
  o.on_step = [](pgqpp::ExactlyOnceStep s, std::int64_t) {
    if (s == pgqpp::ExactlyOnceStep::after_commit) throw Crash{};
  };
  auto handler = [&](const pgqpp::Event& ev, pgqpp::Transaction& tx) {
    if (!ev.retry && *ev.data == "e2") return pgqpp::Tag::retry_after(0s);
    apply(ev, tx, queue);
    return pgqpp::Tag::done();
  };
  {
    pgqpp::ExactlyOnceConsumer crashing(db_conninfo(), target_conninfo(), o);
    EXPECT_THROW(crashing.run(handler), Crash);
  }
  EXPECT_EQ(applied(), std::make_pair(3, 3));
  EXPECT_NE(scalar("select current_batch from pgq.get_consumer_info('" + queue + "', 'c')"), "");
  pgqpp::ExactlyOnceConsumer c(db_conninfo(), target_conninfo(), eo_options());
  c.run(handler);  // finishes the batch (with the retry) without applying it again
  EXPECT_EQ(applied(), std::make_pair(3, 3));
  retry_maintenance();
  c.run(handler);
  EXPECT_EQ(applied(), std::make_pair(4, 4));
}

TEST_F(ExactlyOnceTest, StopNowRollsTheTargetBack) {
  produce(20);
  tick();
  auto o = eo_options();
  o.consumer.stop_when_idle = false;
  pgqpp::ExactlyOnceConsumer c(db_conninfo(), target_conninfo(), o);
  c.run([&](const pgqpp::Event& ev, pgqpp::Transaction& tx) {
    apply(ev, tx, queue);
    if (*ev.data == "e5") c.stop(pgqpp::StopMode::now);
  });
  EXPECT_EQ(applied(), std::make_pair(0, 0));
  pgqpp::ExactlyOnceConsumer again(db_conninfo(), target_conninfo(), eo_options());
  again.run([&](const pgqpp::Event& ev, pgqpp::Transaction& tx) { apply(ev, tx, queue); });
  EXPECT_EQ(applied(), std::make_pair(20, 20));
}

TEST_F(ExactlyOnceTest, BadProgressTableNameIsAUsageError) {
  auto o = eo_options();
  o.progress_table = "x; drop table applied";
  EXPECT_THROW(pgqpp::ExactlyOnceConsumer(db_conninfo(), target_conninfo(), o), pgqpp::usage_error);
}

// The worker process dies (_exit) at one step of its first batch; a second
// run finishes the work. Every event must be in the target exactly once.
class ExactlyOnceCrashTest : public ExactlyOnceTest,
                             public ::testing::WithParamInterface<const char*> {};

TEST_P(ExactlyOnceCrashTest, CrashAtStepLeavesEveryEventOnce) {
  produce(40);
  tick();
  produce(30, "t", "f");
  tick();
  {
    WorkerProcess crash({"exactly-once", db_name(), target_db_name(), queue, "c"},
                        {{"WORKER_CRASH_AT", GetParam()}});
    ASSERT_EQ(crash.wait(60s), 3);
  }
  auto [rows, ids] = applied();
  EXPECT_EQ(rows, ids);
  EXPECT_EQ(rows, std::string(GetParam()) == "after_commit" ? 40 : 0);
  WorkerProcess rest({"exactly-once", db_name(), target_db_name(), queue, "c"},
                     {{"WORKER_IDLE_EXIT", "1"}});
  ASSERT_EQ(rest.wait(60s), 0);
  EXPECT_EQ(applied(), std::make_pair(70, 70));
  EXPECT_EQ(scalar("select current_batch from pgq.get_consumer_info('" + queue + "', 'c')"), "");
}

INSTANTIATE_TEST_SUITE_P(Steps, ExactlyOnceCrashTest,
                         ::testing::Values("before_work", "after_work", "after_commit"));

}  // namespace
}  // namespace pgqpp_it
