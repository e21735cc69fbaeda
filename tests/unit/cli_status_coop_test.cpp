// SPDX-License-Identifier: PostgreSQL
// Subconsumers (pgq_coop) in `pgqpp status` (cli/format/status_coop): their
// table under the consumer table, shown only when there are any, and the
// "subconsumers" array of --json.
#include <gtest/gtest.h>

#include "status_coop.hpp"
#include "status_model.hpp"
#include "status_render.hpp"

namespace pgqpp::cli {
namespace {

StatusSnapshot with_subconsumers() {
  StatusSnapshot s;
  s.database = "app";
  s.server_time = "2026-11-25T12:00:00.000Z";
  QueueStatus q;
  q.name = "orders";
  q.tables = 3;
  s.queues.push_back(q);
  ConsumerStatus c;
  c.queue = "orders";
  c.name = "shipping";
  s.consumers.push_back(c);
  SubconsumerStatus w1;
  w1.queue = "orders";
  w1.consumer = "shipping";
  w1.subconsumer = "w1";
  w1.last_seen = 0.4;
  w1.open_batch_id = 57;
  w1.batch_start_tick = 98;
  w1.batch_end_tick = 99;
  s.subconsumers.push_back(w1);
  SubconsumerStatus w2;
  w2.queue = "orders";
  w2.consumer = "shipping";
  w2.subconsumer = "w2";
  w2.last_seen = 2.1;
  s.subconsumers.push_back(w2);
  return s;
}

TEST(CliStatusCoop, TableOfSubconsumersAndTheirBatches) {
  const auto s = with_subconsumers();
  const std::string plain = status_table(s, false);
  EXPECT_NE(plain.find("QUEUE   CONSUMER  SUBCONSUMER  LAST SEEN  BATCH   TICKS\n"
                       "orders  shipping  w1               0.40s     57  98..99\n"
                       "orders  shipping  w2               2.10s      -       -\n"),
            std::string::npos)
      << plain;
}

TEST(CliStatusCoop, NoTableWithoutSubconsumers) {
  auto s = with_subconsumers();
  s.subconsumers.clear();
  EXPECT_EQ(status_table(s, false).find("SUBCONSUMER"), std::string::npos);
  EXPECT_EQ(subconsumer_table(s.subconsumers, false), "");
  EXPECT_TRUE(status_json(s)["subconsumers"].is_array());
  EXPECT_TRUE(status_json(s)["subconsumers"].empty());
}

TEST(CliStatusCoop, JsonFields) {
  const auto j = status_json(with_subconsumers());
  ASSERT_EQ(j["subconsumers"].size(), 2u);
  const auto& w1 = j["subconsumers"][0];
  EXPECT_EQ(w1["queue"], "orders");
  EXPECT_EQ(w1["consumer"], "shipping");
  EXPECT_EQ(w1["subconsumer"], "w1");
  EXPECT_EQ(w1["last_seen_seconds"], 0.4);
  EXPECT_EQ(w1["open_batch_id"], 57);
  EXPECT_EQ(w1["batch_start_tick_id"], 98);
  EXPECT_EQ(w1["batch_end_tick_id"], 99);
  const auto& w2 = j["subconsumers"][1];
  EXPECT_TRUE(w2["open_batch_id"].is_null());
  EXPECT_TRUE(w2["batch_start_tick_id"].is_null());
}

}  // namespace
}  // namespace pgqpp::cli
