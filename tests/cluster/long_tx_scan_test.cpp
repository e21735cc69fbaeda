// SPDX-License-Identifier: PostgreSQL
// A long transaction must not turn batch reads into scans from its xid on
// (was tests/integration/long_tx_scan.sh).
//
// One transaction inserts an event and stays open while 100,000 other events
// are produced in 100 ticks of 1,000 and consumed. For the last batch,
// EXPLAIN ANALYZE of pgq.batch_event_sql() must show about the batch's 1,000
// rows read from the event tables, not the ~100,000 since the old
// transaction's xid. Then the old transaction commits and its event must
// arrive exactly once, in the next batch.
#include <string>

#include "database_test.hpp"
#include "process.hpp"

namespace pgqpp_cluster {
namespace {

class LongTxScan : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    db->exec("select pgq.create_queue('scan')");
    db->exec("select pgq.register_consumer('scan', 'c')");
    db->exec("create table seen (batch_id bigint, events bigint, old_events bigint)");
    // Reads and finishes every batch but the newest; records what each held.
    // The position comes through pgq.subscription_current: behind the long
    // transaction the consumer writes it into its cell, not its row.
    db->exec(R"sql(
create function consume(i_keep_last boolean) returns bigint language plpgsql as $$
declare
  b bigint;
  n bigint := 0;
begin
  loop
    if i_keep_last and not exists (
         select 1 from pgq.subscription_current s join pgq.tick t on t.tick_queue = s.sub_queue
          where t.tick_id > s.sub_last_tick + 1) then
      exit;
    end if;
    b := pgq.next_batch('scan', 'c');
    exit when b is null;
    insert into seen select b, count(*), count(*) filter (where ev_data = 'old-event')
      from pgq.get_batch_events(b);
    perform pgq.finish_batch(b);
    n := n + 1;
  end loop;
  return n;
end $$)sql");
    // rows_read(sql): rows the scans of pgq.event_* read (EXPLAIN ANALYZE).
    db->exec(read_file(cluster_env("PGQPP_SOURCE_DIR") + "/tests/lib/rows_read.sql"));
  }

  long rows_read(const std::string& sql) {
    return std::stol(std::string(db->exec("select rows_read($1)", {sql}).value(0, 0)));
  }
};

TEST_F(LongTxScan, BatchQueryReadsTheBatchNotTheLongTransactionsRange) {
  // The long transaction: inserts its event before the first tick and waits.
  pgqpp::Connection hold(conninfo(dbname));
  pgqpp::Transaction old_tx(hold);
  ASSERT_EQ(q("select pgq.insert_event('scan', 'old', 'old-event') > 0", &hold), "t");
  std::string old_xid = q("select txid_current()", &hold);

  // 100,000 events: 100 transactions of 1,000, each followed by a tick.
  for (int i = 0; i < 100; ++i) {
    db->exec(
        "select pgq.insert_events('scan', array['e'], array(select 'e' || g "
        "from generate_series($1::int * 1000, $1::int * 1000 + 999) g))",
        {i});
    tick("scan");
  }

  // Consume all batches but the last, then open the last one.
  ASSERT_EQ(q("select consume(true)"), "99") << "expected 99 batches before the last";
  std::string batch = q("select pgq.next_batch('scan', 'c')");
  ASSERT_NE(batch, "") << "no last batch";
  EXPECT_EQ(q("select count(*) from pgq.get_batch_events(" + batch + ")"), "1000")
      << "the last batch does not have 1,000 events";
  EXPECT_EQ(q("select coalesce(sum(events), 0) || ' ' || coalesce(sum(old_events), 0) from seen"),
            "99000 0")
      << "the first 99 batches did not hold 99,000 events without the old one";

  std::string sql = q("select pgq.batch_event_sql(" + batch + ")");
  long read = rows_read(sql);
  EXPECT_LE(read, 2000) << "the batch query read " << read
                        << " rows for a batch of 1,000 events: it scans from the long "
                           "transaction's xid\n  "
                        << sql << "\n"
                        << rows("explain (analyze) " + sql);
  // The measurement can see a scan from the old xid: the naive predicate reads ~100,000.
  long naive = rows_read("select * from pgq.event_1 where ev_txid >= " + old_xid +
                         " and ev_txid < txid_current()");
  EXPECT_GE(naive, 100000) << "the naive scan read only " << naive
                           << " rows: the measurement is broken";
  EXPECT_EQ(q("select pgq.finish_batch(" + batch + ")"), "1") << "finish_batch failed";

  // Commit the long transaction; the next batch must have its event, once.
  old_tx.commit();
  db->exec("select pgq.insert_event('scan', 'after', 'after-commit')");
  tick("scan");
  batch = q("select pgq.next_batch('scan', 'c')");
  ASSERT_NE(batch, "");
  // (left: a broken batch can hold 100,000 events, too many to print)
  EXPECT_EQ(q("select left(string_agg(ev_data, ',' order by ev_id), 200) "
              "from pgq.get_batch_events(" +
              batch + ")"),
            "old-event,after-commit")
      << "the batch after the commit";
  // It names the old transaction's xid: found by the index, not by a scan.
  sql = q("select pgq.batch_event_sql(" + batch + ")");
  read = rows_read(sql);
  EXPECT_LE(read, 10) << "the batch query read " << read << " rows for a batch of 2 events\n  "
                      << sql;
  db->exec("select pgq.finish_batch(" + batch + ")");

  // A later batch does not repeat it.
  tick("scan");
  batch = q("select pgq.next_batch('scan', 'c')");
  ASSERT_NE(batch, "") << "no batch after the last tick";
  EXPECT_EQ(
      q("select left(string_agg(ev_data, ','), 200) from pgq.get_batch_events(" + batch + ")"), "")
      << "a later batch repeats events";
  db->exec("select pgq.finish_batch(" + batch + ")");
}

}  // namespace
}  // namespace pgqpp_cluster
