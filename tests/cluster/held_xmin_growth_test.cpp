// SPDX-License-Identifier: PostgreSQL
// The acceptance test of issue 21 item 4 (no metadata bloat under a held
// xmin), without timing: while another session holds a repeatable-read
// snapshot, 2,000 batch cycles of one consumer (next_batch and finish_batch,
// each in a transaction of its own) must not grow pgq.subscription by more
// than a few pages. PgQ's way (an UPDATE per call) makes two row versions
// and four index entries per cycle that no VACUUM may remove while the
// snapshot is held: about 400 kB here.
//
// Consumers write their positions in place (pgq.subscription_cell) once a
// few of their writes found the horizon standing still behind them.
#include <memory>
#include <string>
#include <vector>

#include "database_test.hpp"

namespace pgqpp_cluster {
namespace {

class HeldXmin : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    db->exec("select pgq.create_queue('hx')");
    db->exec("select pgq.register_consumer('hx', 'c')");
    // One tick and one batch cycle per round, each step committed apart.
    db->exec(R"sql(
create procedure cycles(i_n int) language plpgsql as $$
declare
  b bigint;
begin
  for i in 1..i_n loop
    perform pgq.force_tick('hx');
    perform pgq.ticker('hx');
    commit;
    b := pgq.next_batch('hx', 'c');
    if b is null then
      raise exception 'no batch in round %', i;
    end if;
    commit;
    perform pgq.finish_batch(b);
    commit;
  end loop;
end $$)sql");
  }

  long subscription_bytes() {
    db->exec("vacuum pgq.subscription");
    return std::stol(q("select pg_total_relation_size('pgq.subscription')"));
  }
};

TEST_F(HeldXmin, BatchCyclesDoNotGrowTheSubscriptionTable) {
  db->exec("call cycles(10)");  // warm-up: the row and its indexes at their working size
  long before = subscription_bytes();
  pgqpp::Connection hold(conninfo(dbname));
  hold.exec("begin isolation level repeatable read");
  ASSERT_EQ(q("select count(*) > 0 from pgq.subscription", &hold), "t");
  db->exec("call cycles(2000)");
  long grown = subscription_bytes() - before;
  EXPECT_LE(grown, 5 * 8192) << "pgq.subscription grew by " << grown
                             << " bytes in 2,000 batch cycles under a held snapshot";
  EXPECT_EQ(q("select count(*) from pgq.subscription_cell"), "1");
  // The held snapshot still sees the position it started with, in the
  // table and through the functions.
  EXPECT_EQ(q("select sub_last_tick from pgq.subscription", &hold), "11")
      << "the held snapshot's view of the position changed";
  EXPECT_EQ(q("select last_tick from pgq.get_consumer_info('hx', 'c')", &hold), "11");
  // Others see the position in the functions and pgq.subscription_current;
  // the row keeps the position it had when the consumer moved to its cell
  // (after a few cycles) until the hold is over.
  EXPECT_EQ(q("select last_tick from pgq.get_consumer_info('hx', 'c')"), "2011");
  EXPECT_EQ(q("select sub_last_tick from pgq.subscription_current"), "2011");
  EXPECT_LT(std::stol(q("select sub_last_tick from pgq.subscription")), 100)
      << "the consumer did not move to its cell within a few cycles";
  hold.exec("commit");
  // The hold is over: the ticker's upkeep (pgq.ticker()) puts the idle
  // consumer's position back into its row, and a second later deletes the
  // settled cell.
  db->exec("select pgq.ticker()");
  EXPECT_EQ(q("select sub_last_tick from pgq.subscription"), "2011")
      << "pgq.subscription does not show the position get_consumer_info shows; the cell: "
      << q("select row(c.*)::text from pgq.subscription_cell c");
  db->exec("select pg_sleep(1.1)");
  db->exec("select pgq.ticker()");
  EXPECT_EQ(q("select count(*) from pgq.subscription_cell"), "0");
  db->exec("call cycles(1)");
  EXPECT_EQ(q("select last_tick from pgq.get_consumer_info('hx', 'c')"), "2012");
  EXPECT_EQ(q("select sub_last_tick from pgq.subscription"), "2012");
}

// Engaging is counted per database (pgqpp is preloaded here): the first
// pgqpp.position_cell_after batch opens behind the held horizon, of any
// consumer, move every consumer to its cell. Counted per session, each of
// the five consumers below would pay that many batches, two row versions
// each (80 by default), all at once: with 20 consumers that grew
// pgq.subscription by up to 1.8 MB (bench/held_xmin.sh).
TEST_F(HeldXmin, ConsumersMoveToTheirCellsTogether) {
  constexpr int kConsumers = 5;
  const int after = std::stoi(q("select current_setting('pgqpp.position_cell_after')"));
  ASSERT_GT(after, 1);
  db->exec("create table subscription_updates (consumer int4)");
  db->exec(R"sql(
create function note_update() returns trigger language plpgsql as $$
begin
  insert into public.subscription_updates values (new.sub_consumer);
  return null;
end $$)sql");
  db->exec(
      "create trigger note_update after update on pgq.subscription"
      "  for each row execute function note_update()");
  std::vector<std::unique_ptr<pgqpp::Connection>> consumers;
  for (int i = 0; i < kConsumers; ++i) {
    db->exec("select pgq.register_consumer('hx', 'k" + std::to_string(i) + "')");
    consumers.push_back(std::make_unique<pgqpp::Connection>(conninfo(dbname)));
  }
  // Each round: a tick, every consumer opens its batch, then every one
  // finishes it; each call a transaction of its own.
  auto rounds = [&](int n) {
    for (int r = 0; r < n; ++r) {
      tick("hx");
      std::vector<std::string> batches;
      for (int i = 0; i < kConsumers; ++i)
        batches.push_back(
            q("select pgq.next_batch('hx', 'k" + std::to_string(i) + "')", consumers[i].get()));
      for (int i = 0; i < kConsumers; ++i) {
        ASSERT_NE(batches[i], "") << "consumer k" << i << " got no batch in round " << r;
        q("select pgq.finish_batch(" + batches[i] + ")", consumers[i].get());
      }
    }
  };
  rounds(2);
  db->exec("truncate subscription_updates");
  pgqpp::Connection hold(conninfo(dbname));
  hold.exec("begin isolation level repeatable read");
  ASSERT_EQ(q("select count(*) > 0 from pgq.subscription", &hold), "t");
  rounds(3 * after);
  const int updates = std::stoi(q("select count(*) from subscription_updates"));
  EXPECT_LE(updates, 2 * (after + 2 * kConsumers))
      << "UPDATEs of pgq.subscription per consumer: "
      << rows("select consumer, count(*) from subscription_updates group by 1 order by 1");
  EXPECT_GT(updates, 0);
  EXPECT_EQ(q("select count(*) from pgq.subscription_cell"), std::to_string(kConsumers));
  // Every consumer is where its batches took it.
  EXPECT_EQ(q("select count(distinct last_tick) from pgq.get_consumer_info('hx')"
              " where consumer_name like 'k%'"),
            "1");
  hold.exec("commit");
}

}  // namespace
}  // namespace pgqpp_cluster
