// SPDX-License-Identifier: PostgreSQL
// A consumer's long-lived backend must read each batch through the event
// table's index however the table grew since the backend's first batches.
//
// get_batch_events runs a kept plan (functions/events_plan.cpp). Had the
// plan cache settled on a generic plan while the table held a few rows, it
// would keep that plan's sequential scan as the table grows, and every
// later batch would read the whole table: held_xmin's bench showed batch
// reads going from 4 ms to 27 ms in 100 s at 1,000 events/s. Here a
// consumer reads 10 batches of one event, then one of 50,000, then one of
// 10; that last batch must read about 10 rows of the event table, counted
// by pg_stat_xact_user_tables within the consumer's transaction.
#include <string>

#include "database_test.hpp"

namespace pgqpp_cluster {
namespace {

class BatchReadPlan : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    db->exec("select pgq.create_queue('grow')");
    db->exec("select pgq.register_consumer('grow', 'c')");
    // No ANALYZE may re-plan in the middle (an invalidation would hide a
    // plan that stopped fitting).
    for (int t = 0; t < 3; ++t)
      db->exec("alter table pgq.event_" +
               q("select queue_id from pgq.queue where queue_name = "
                 "'grow'") +
               "_" + std::to_string(t) + " set (autovacuum_enabled = false)");
  }

  // The rows `c` read from the event table `table` since its statistics
  // were last flushed. They are flushed only between transactions, and
  // not after each one: a difference within one transaction is its own.
  long rows_fetched(pgqpp::Connection& c, const std::string& table) {
    return std::stol(
        q("select coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0)"
          "  from pg_stat_xact_user_tables where schemaname = 'pgq'"
          "   and relname = '" +
              table + "'",
          &c));
  }

  // Opens, reads and finishes one batch on `c`; returns "events rows_read":
  // the batch's size and the rows the reads of the event table fetched.
  std::string consume_one(pgqpp::Connection& c, const std::string& table) {
    pgqpp::Transaction tx(c);
    long before = rows_fetched(c, table);
    std::string batch = q("select pgq.next_batch('grow', 'c')", &c);
    EXPECT_NE(batch, "") << "no batch";
    std::string events = q("select count(*) from pgq.get_batch_events(" + batch + ")", &c);
    long read = rows_fetched(c, table) - before;
    q("select pgq.finish_batch(" + batch + ")", &c);
    tx.commit();
    return events + " " + std::to_string(read);
  }
};

TEST_F(BatchReadPlan, SmallBatchReadsItsRowsAfterTheTableGrew) {
  std::string table =
      q("select substr(queue_data_pfx, 5) || '_' || queue_cur_table"
        "  from pgq.queue where queue_name = 'grow'");
  pgqpp::Connection consumer(conninfo(dbname));
  for (int i = 0; i < 10; ++i) {
    db->exec("select pgq.insert_event('grow', 'e', 'small')");
    tick("grow");
    EXPECT_EQ(consume_one(consumer, table).substr(0, 2), "1 ") << "batch " << i;
  }
  db->exec("select pgq.insert_event('grow', 'e', 'big ' || g) from generate_series(1, 50000) g");
  tick("grow");
  EXPECT_EQ(consume_one(consumer, table).substr(0, 6), "50000 ");
  db->exec("select pgq.insert_event('grow', 'e', 'after ' || g) from generate_series(1, 10) g");
  tick("grow");
  std::string got = consume_one(consumer, table);
  std::string events = got.substr(0, got.find(' '));
  long read = std::stol(got.substr(got.find(' ') + 1));
  EXPECT_EQ(events, "10");
  EXPECT_LE(read, 100) << "a batch of 10 events read " << read << " rows of " << table
                       << ", which holds 50,020: the kept plan scans the whole table";
  // The count can see a whole-table read: a sequential scan in the same
  // kind of transaction reads all 50,020 rows.
  pgqpp::Transaction tx(consumer);
  long before = rows_fetched(consumer, table);
  q("select count(*) from pgq." + table, &consumer);
  EXPECT_GE(rows_fetched(consumer, table) - before, 50020) << "the measurement is broken";
}

}  // namespace
}  // namespace pgqpp_cluster
