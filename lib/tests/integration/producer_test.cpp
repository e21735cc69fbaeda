// SPDX-License-Identifier: PostgreSQL
// Producer: single and bulk inserts, in the caller's transaction or alone.
#include <chrono>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace pgqpp_it {
namespace {

struct Seen {
  std::string type, data;
  std::optional<std::string> extra1, extra2, extra3, extra4;
};

std::optional<std::string> copy(std::optional<std::string_view> v) {
  if (!v) return std::nullopt;
  return std::string(*v);
}

class ProducerTest : public QueueTest {
 protected:
  // Everything consumer "c" gets now, in order.
  std::vector<Seen> consume_all() {
    std::vector<Seen> seen;
    pgqpp::Consumer c(db_conninfo(), options());
    c.run([&](const pgqpp::Event& ev) {
      seen.push_back({std::string(ev.type.value_or("")), std::string(ev.data.value_or("")),
                      copy(ev.extra1), copy(ev.extra2), copy(ev.extra3), copy(ev.extra4)});
    });
    return seen;
  }
};

TEST_F(ProducerTest, InsertAloneArrivesWithItsFields) {
  pgqpp::Producer p(db, queue);
  std::int64_t id = p.insert({"created", "payload", "tbl", std::nullopt, "x3", "x4"});
  EXPECT_GT(id, 0);
  tick();
  auto seen = consume_all();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].type, "created");
  EXPECT_EQ(seen[0].data, "payload");
  EXPECT_EQ(seen[0].extra1, "tbl");
  EXPECT_EQ(seen[0].extra2, std::nullopt);
  EXPECT_EQ(seen[0].extra4, "x4");
}

// Delayed delivery (pgq.insert_event_at / insert_events_at): nothing before
// the time, everything in the first batch after it, with the id insert()
// returned; rolled back delayed events never come.
TEST_F(ProducerTest, DeliveryAtATimeAndAfterADelay) {
  pgqpp::Producer p(db, queue);
  if (!testing_pgqpp()) {
    // PgQ 3.5 has no delayed events: the write fails with the server's error.
    p.set_delivery(pgqpp::Delivery::after(std::chrono::seconds(1)));
    EXPECT_THROW(p.insert({"t", "d"}), pgqpp::error);
    return;
  }
  p.set_delivery(pgqpp::Delivery::after(std::chrono::hours(1)));
  p.insert({"t", "in an hour"});
  p.set_delivery(pgqpp::Delivery::at(std::chrono::system_clock::now() - std::chrono::seconds(1)));
  std::int64_t id = p.insert({"t", "past", "x1"});
  std::vector<pgqpp::NewEvent> many{{"t", "bulk 1"}, {"t", "bulk 2"}};
  EXPECT_EQ(p.insert_many(many), 2);
  {
    pgqpp::Transaction tx(db);
    p.insert(tx, {"t", "rolled back"});
    tx.rollback();
  }
  p.set_delivery(pgqpp::Delivery());
  EXPECT_EQ(scalar("select count(*) from pgq.delayed_event"), "4");
  tick();
  auto seen = consume_all();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].data, "past");
  EXPECT_EQ(seen[0].extra1, "x1");
  EXPECT_EQ(seen[1].data, "bulk 1");
  EXPECT_EQ(seen[2].data, "bulk 2");
  EXPECT_EQ(scalar("select ev_data from pgq.delayed_pending"), "in an hour");
  EXPECT_EQ(scalar("select count(*) from pgq.event_" +
                   scalar("select queue_id from pgq.queue where queue_name = '" + queue + "'") +
                   " where ev_id = " + std::to_string(id)),
            "1");
  scalar("delete from pgq.delayed_event");
}

TEST_F(ProducerTest, RolledBackTransactionDeliversNothing) {
  pgqpp::Producer p(db, queue);
  {
    pgqpp::Transaction tx(db);
    p.insert(tx, {"t", "rolled back single"});
    std::vector<pgqpp::NewEvent> many(50, {"t", "rolled back bulk"});
    EXPECT_EQ(p.insert_many(tx, many), 50);
    tx.rollback();
  }
  {
    pgqpp::Transaction tx(db);
    p.insert(tx, {"t", "dropped with the transaction object"});
  }  // destructor rolls back
  {
    pgqpp::Transaction tx(db);
    p.insert(tx, {"t", "committed"});
    tx.commit();
  }
  tick();
  auto seen = consume_all();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].data, "committed");
}

TEST_F(ProducerTest, BulkKeepsOrderTypesAndAwkwardText) {
  const std::vector<std::string> awkward = {
      "",          "NULL",      "a,b",          "{x}", "say \"hi\"", "back\\slash",
      "tab\there", "new\nline", "ünïcödé 日本", "\\N"};
  std::vector<pgqpp::NewEvent> events;
  for (int i = 0; i < 2500; ++i) {
    pgqpp::NewEvent e{i % 3 ? "other" : "third", awkward[i % awkward.size()] + std::to_string(i)};
    if (i % 4 == 0) e.extra1 = awkward[(i / 4) % awkward.size()];
    if (i == 7) e.extra3 = "only one";
    events.push_back(e);
  }
  pgqpp::Producer p(db, queue, 300);  // 9 chunks, one pipeline
  EXPECT_EQ(p.insert_many(events), 2500);
  tick();
  auto seen = consume_all();
  ASSERT_EQ(seen.size(), events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(seen[i].type, events[i].type) << i;
    EXPECT_EQ(seen[i].data, events[i].data) << i;
    EXPECT_EQ(seen[i].extra1, events[i].extra1) << i;
    EXPECT_EQ(seen[i].extra2, std::nullopt) << i;
    EXPECT_EQ(seen[i].extra3, events[i].extra3) << i;
  }
}

TEST_F(ProducerTest, BulkAloneIsAllOrNothing) {
  // The third chunk is not valid UTF-8: the chunks before it must vanish too.
  std::vector<pgqpp::NewEvent> events(100, {"t", "fine"});
  events[75].data = "bad . byte";
  events[75].data[4] = '\xff';
  pgqpp::Producer p(db, queue, 30);
  try {
    p.insert_many(events);
    FAIL() << "invalid UTF-8 was accepted";
  } catch (const pgqpp::sql_error& e) {
    EXPECT_EQ(e.sqlstate(), "22021");  // character_not_in_repertoire
    EXPECT_TRUE(e.connection_usable());
  }
  EXPECT_FALSE(db.in_transaction());
  tick();
  EXPECT_EQ(consume_all().size(), 0u);
}

TEST_F(ProducerTest, AloneFormRefusesAnOpenTransaction) {
  pgqpp::Producer p(db, queue);
  pgqpp::Transaction tx(db);
  EXPECT_THROW(p.insert({"t", "x"}), pgqpp::usage_error);
  std::vector<pgqpp::NewEvent> one{{"t", "x"}};
  EXPECT_THROW(p.insert_many(one), pgqpp::usage_error);
  EXPECT_GT(p.insert(tx, {"t", "inside"}), 0);  // the transaction is unharmed
  tx.commit();
}

TEST_F(ProducerTest, TransactionMustBeOpenOnTheProducersConnection) {
  pgqpp::Producer p(db, queue);
  pgqpp::Connection other(db_conninfo());
  pgqpp::Transaction foreign(other);
  EXPECT_THROW(p.insert(foreign, {"t", "x"}), pgqpp::usage_error);
  pgqpp::Transaction ended(db);
  ended.rollback();
  EXPECT_THROW(p.insert(ended, {"t", "x"}), pgqpp::usage_error);
}

TEST_F(ProducerTest, UnknownQueueIsAnSqlError) {
  pgqpp::Producer p(db, "no_such_queue");
  try {
    p.insert({"t", "x"});
    FAIL() << "insert into a missing queue succeeded";
  } catch (const pgqpp::sql_error& e) {
    EXPECT_FALSE(e.sqlstate().empty());
    EXPECT_NE(e.query().find("insert_event"), std::string::npos);
  }
}

}  // namespace
}  // namespace pgqpp_it
