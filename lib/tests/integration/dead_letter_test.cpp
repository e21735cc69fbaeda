// SPDX-License-Identifier: PostgreSQL
// Tag::dead and Batch::dead: events a handler gives up on land in this
// consumer's dead letters (pgq.event_dead, pgqpp servers only), with the
// reason, and nowhere else; retries past max_retries land there too.
#include <string>
#include <utility>
#include <vector>

#include "fixture.hpp"

namespace pgqpp_it {
namespace {

using namespace std::chrono_literals;

class DeadLetterTest : public QueueTest {
 protected:
  void SetUp() override {
    if (!testing_pgqpp()) GTEST_SKIP() << "dead letters are a pgqpp addition";
    QueueTest::SetUp();
  }
  // "data:reason" of the consumer's dead letters, in ev_id order.
  std::vector<std::string> dead(const std::string& consumer = "c") {
    pgqpp::Rows r =
        db.exec("select ev_data || ':' || coalesce(dead_reason, '-') from pgq.dead_letters($1, $2)",
                {queue, consumer});
    std::vector<std::string> out;
    for (std::size_t i = 0; i < r.size(); ++i) out.emplace_back(r.value(i, 0));
    return out;
  }
  // Events of this test's queue waiting in the retry queue.
  std::string waiting() {
    return scalar(
        "select count(*) from pgq.retry_queue r join pgq.queue q on q.queue_id = r.ev_queue"
        " where q.queue_name = '" +
        queue + "'");
  }
};

TEST_F(DeadLetterTest, DeadTagBuriesForThisConsumerOnly) {
  db.exec("select pgq.register_consumer($1, 'other')", {queue});
  produce(6);
  tick();
  pgqpp::Consumer c(db_conninfo(), options());
  c.run([&](const pgqpp::Event& ev) {
    if (*ev.data == "e1") return pgqpp::Tag::dead("bad payload");
    if (*ev.data == "e4") return pgqpp::Tag::retry_after(0s);
    return pgqpp::Tag::done();
  });
  EXPECT_EQ(c.events_seen(), 6);
  EXPECT_EQ(dead(), (std::vector<std::string>{"e1:bad payload"}));
  EXPECT_EQ(waiting(), "1");
  // Nothing comes back but the retry.
  retry_maintenance();
  std::vector<std::string> again;
  c.run([&](const pgqpp::Event& ev) { again.emplace_back(*ev.data); });
  EXPECT_EQ(again, std::vector<std::string>{"e4"});
  // The other consumer gets every event and has no dead letters.
  pgqpp::Consumer other(db_conninfo(), options("other"));
  other.run([](const pgqpp::Event&) {});
  EXPECT_EQ(other.events_seen(), 6);
  EXPECT_TRUE(dead("other").empty());
  // Replayed, it comes back once, to this consumer.
  EXPECT_EQ(scalar("select pgq.dead_letter_replay('" + queue + "', 'c', null)"), "1");
  tick();
  std::vector<std::string> replayed;
  c.run([&](const pgqpp::Event& ev) { replayed.emplace_back(*ev.data); });
  EXPECT_EQ(replayed, std::vector<std::string>{"e1"});
  other.run([](const pgqpp::Event&) { ADD_FAILURE() << "a replay reached another consumer"; });
}

TEST_F(DeadLetterTest, BatchDeadWithQuotesAndRetriesPastMaxRetries) {
  db.exec("select pgq.set_queue_config($1, 'max_retries', '1')", {queue});
  produce(3);
  tick();
  pgqpp::Consumer c(db_conninfo(), options());
  c.run_batches([](pgqpp::Batch& batch) {
    for (const pgqpp::Event& ev : batch) {
      if (*ev.data == "e0") batch.dead(ev, "it said \"no\", {twice}");
      if (*ev.data == "e2") batch.retry(ev, 0s);
    }
  });
  EXPECT_EQ(dead(), (std::vector<std::string>{"e0:it said \"no\", {twice}"}));
  // e2 comes back with retry 1; retried again, it is past max_retries.
  retry_maintenance();
  c.run([](const pgqpp::Event& ev) {
    EXPECT_EQ(ev.retry.value_or(0), 1);
    return pgqpp::Tag::retry_after(0s);
  });
  EXPECT_EQ(dead(),
            (std::vector<std::string>{"e0:it said \"no\", {twice}", "e2:max_retries (1) reached"}));
  EXPECT_EQ(waiting(), "0");
}

TEST_F(DeadLetterTest, ExactlyOnceConsumerRefusesDeadTags) {
  produce(1);
  tick();
  pgqpp::ExactlyOnceOptions o;
  o.consumer = options();
  pgqpp::ExactlyOnceConsumer c(db_conninfo(), target_conninfo(), o);
  EXPECT_THROW(
      c.run([](const pgqpp::Event&, pgqpp::Transaction&) { return pgqpp::Tag::dead("no"); }),
      pgqpp::usage_error);
  EXPECT_TRUE(dead().empty());
}

}  // namespace
}  // namespace pgqpp_it
