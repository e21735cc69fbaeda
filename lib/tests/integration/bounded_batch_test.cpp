// SPDX-License-Identifier: PostgreSQL
// ConsumerOptions::max_batch_events: the consumer sets pgqpp's bounded
// batches (pgq.set_consumer_config) when it starts, and then gets one tick
// interval of 10,000 events in batches of at most 100, each event once, in
// ev_id order; 0 clears the setting (PgQ's one batch per interval); unset
// leaves the server's setting alone. Against PgQ 3.5 a positive value is a
// usage error naming the pgqpp version needed.
#include <set>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace pgqpp_it {
namespace {

// What a consumer received: the size of each batch and every event id.
struct Received {
  std::vector<std::size_t> batch_sizes;
  std::vector<std::int64_t> ids;
};

Received consume(pgqpp::Consumer& c) {
  Received got;
  c.run_batches([&](pgqpp::Batch& batch) {
    std::size_t n = 0;
    for (const pgqpp::Event& ev : batch) {
      got.ids.push_back(ev.id);
      ++n;
    }
    got.batch_sizes.push_back(n);
  });
  return got;
}

class BoundedBatchTest : public QueueTest {
 protected:
  // The consumer's max_batch_events on the server ("" when unset).
  std::string server_setting(const std::string& consumer = "c") {
    return scalar("select value from pgq.get_consumer_config('" + queue + "', '" + consumer +
                  "') where key = 'max_batch_events'");
  }
};

TEST_F(BoundedBatchTest, TenThousandEventsOfOneIntervalInBatchesOfAtMostHundred) {
  if (!testing_pgqpp()) GTEST_SKIP() << "bounded batches are a pgqpp addition";
  db.exec("select pgq.register_consumer($1, 'whole')", {queue});
  produce(10000);  // one transaction: one tick interval
  tick();
  pgqpp::ConsumerOptions o = options();
  o.max_batch_events = 100;
  pgqpp::Consumer c(db_conninfo(), o);
  Received got = consume(c);
  EXPECT_EQ(server_setting(), "100");
  ASSERT_EQ(got.ids.size(), 10000u);
  EXPECT_EQ(got.batch_sizes.size(), 100u);
  for (std::size_t n : got.batch_sizes) EXPECT_LE(n, 100u);
  for (std::size_t i = 1; i < got.ids.size(); ++i)
    ASSERT_LT(got.ids[i - 1], got.ids[i]) << "not in ev_id order at event " << i;
  EXPECT_EQ(std::set<std::int64_t>(got.ids.begin(), got.ids.end()).size(), 10000u);

  // A consumer without the option gets PgQ's one batch of the interval.
  pgqpp::Consumer whole(db_conninfo(), options("whole"));
  Received all = consume(whole);
  EXPECT_EQ(all.batch_sizes, std::vector<std::size_t>{10000});
  EXPECT_EQ(server_setting("whole"), "");

  // 0 clears the setting: the same consumer gets the next interval whole.
  produce(10000);
  tick();
  o.max_batch_events = 0;
  pgqpp::Consumer cleared(db_conninfo(), o);
  Received again = consume(cleared);
  EXPECT_EQ(again.batch_sizes, std::vector<std::size_t>{10000});
  EXPECT_EQ(server_setting(), "");
}

TEST_F(BoundedBatchTest, UnsetLeavesTheServerSettingAlone) {
  if (!testing_pgqpp()) GTEST_SKIP() << "bounded batches are a pgqpp addition";
  db.exec("select pgq.set_consumer_config($1, 'c', 'max_batch_events', '7')", {queue});
  produce(20);
  tick();
  pgqpp::Consumer c(db_conninfo(), options());
  Received got = consume(c);
  EXPECT_EQ(got.batch_sizes, (std::vector<std::size_t>{7, 7, 6}));
  EXPECT_EQ(server_setting(), "7");
}

TEST_F(BoundedBatchTest, AppliedWhenRegisteringToo) {
  if (!testing_pgqpp()) GTEST_SKIP() << "bounded batches are a pgqpp addition";
  pgqpp::ConsumerOptions o = options("fresh");
  o.register_consumer = false;  // registered by the call below, not on connecting
  o.max_batch_events = 3;
  pgqpp::Consumer c(db_conninfo(), o);
  EXPECT_TRUE(c.register_consumer());
  EXPECT_EQ(server_setting("fresh"), "3");
}

TEST_F(BoundedBatchTest, NegativeIsAUsageError) {
  pgqpp::ConsumerOptions o = options();
  o.max_batch_events = -1;
  EXPECT_THROW({ pgqpp::Consumer c(db_conninfo(), o); }, pgqpp::usage_error);
}

TEST_F(BoundedBatchTest, ServerWithoutBoundedBatchesSaysWhichVersion) {
  if (testing_pgqpp()) GTEST_SKIP() << "PgQ 3.5 has no bounded batches; pgqpp does";
  produce(3);
  tick();
  pgqpp::ConsumerOptions o = options();
  o.max_batch_events = 100;
  pgqpp::Consumer c(db_conninfo(), o);
  try {
    c.run([](const pgqpp::Event&) { ADD_FAILURE() << "an event came without bounded batches"; });
    ADD_FAILURE() << "no usage_error";
  } catch (const pgqpp::usage_error& e) {
    EXPECT_NE(std::string(e.what()).find("pgqpp 1.2 or later"), std::string::npos) << e.what();
  }
  // 0 (PgQ's batches) is what PgQ 3.5 has anyway: no error.
  o.max_batch_events = 0;
  pgqpp::Consumer plain(db_conninfo(), o);
  Received got = consume(plain);
  EXPECT_EQ(got.batch_sizes, std::vector<std::size_t>{3});
}

}  // namespace
}  // namespace pgqpp_it
