// SPDX-License-Identifier: PostgreSQL
// Bounded batches at scale (was tests/integration/bounded_batches.sh):
// 100,000 events in one tick interval (one transaction of 50,000 and 500 of
// 100, their ids interleaved by a second session), a consumer with
// max_batch_events 1000. It must get 100 batches of at most 1,000 events,
// every event exactly once, in ev_id order, and each batch's query must read
// about its 1,000 rows (EXPLAIN ANALYZE of pgq.batch_event_sql by
// tests/lib/rows_read.sql), not the interval again; a next_batch after the
// first fetches at most 3,000 rows from the event tables
// (pg_stat_user_tables). A consumer without the setting gets PgQ's one batch
// of 100,000.
#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>

#include "database_test.hpp"
#include "process.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

class BoundedBatches : public DatabaseTest {
 protected:
  // Runs `sql` in a session of its own, closed at once: a closing session
  // flushes its statistics, so each lands in the window it belongs to.
  std::string once(const std::string& sql) {
    pgqpp::Connection c(conninfo(dbname));
    return q(sql, &c);
  }
  // Rows fetched from the event tables so far (flushed at session end).
  long fetched() {
    return std::stol(
        q("select coalesce(sum(coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0)), 0) "
          "from pg_stat_user_tables where schemaname = 'pgq' and relname like 'event_1_%'"));
  }
};

TEST_F(BoundedBatches, HundredThousandInOneIntervalGoInBatchesOfAThousand) {
  db->exec("select pgq.create_queue('big')");
  db->exec("select pgq.register_consumer('big', 'bounded')");
  db->exec("select pgq.register_consumer('big', 'whole')");
  db->exec("select pgq.set_consumer_config('big', 'bounded', 'max_batch_events', '1000')");
  db->exec("create table seen (batch_id bigint, ev_id bigint, ev_data text, pos bigserial)");
  db->exec(read_file(cluster_env("PGQPP_SOURCE_DIR") + "/tests/lib/rows_read.sql"));

  // The big transaction stays open while another session commits 500
  // transactions of 100: their ids interleave.
  {
    pgqpp::Connection hold(conninfo(dbname));
    pgqpp::Transaction big(hold);
    for (int i = 0; i < 10; ++i) {
      big.exec(
          "select pgq.insert_events('big', array['big'], array(select 'big' || g "
          "from generate_series($1::int * 5000, $1::int * 5000 + 4999) g))",
          {i});
      for (int k = i * 50; k < i * 50 + 50; ++k)
        db->exec(
            "select pgq.insert_events('big', array['small'], array(select 'small' || g "
            "from generate_series($1::int * 100, $1::int * 100 + 99) g))",
            {k});
    }
    big.commit();
  }
  tick("big");
  once("analyze pgq.event_1_0");
  ASSERT_EQ(once("select count(*) from pgq.event_1"), "100000");

  // Consume with the bounded consumer, one batch per session.
  long batches = 0, max_read = 0, max_fetch = 0;
  std::string fetch_report;
  for (;;) {
    const long before = fetched();
    const std::string batch = once("select pgq.next_batch('big', 'bounded')");
    std::this_thread::sleep_for(600ms);  // the closed session's statistics reach the counters
    const long after = fetched();
    if (batch.empty()) break;
    ASSERT_LE(++batches, 101) << "more than 101 batches";
    const long n = std::stol(once("select count(*) from pgq.get_batch_events(" + batch + ")"));
    ASSERT_LE(n, 1000) << "batch " << batch << " holds " << n << " events";
    if (batches <= 3 || batches % 25 == 0 || n < 1000) {
      const std::string sql = once("select pgq.batch_event_sql(" + batch + ")");
      const long read = std::stol(once("select rows_read($rr$" + sql + "$rr$)"));
      EXPECT_LE(read, 2000) << "batch " << batch << " (" << n << " events): its query read " << read
                            << " rows\n"
                            << rows("explain (analyze) " + sql);
      max_read = std::max(max_read, read);
      fetch_report += " batch#" + std::to_string(batches) + ":" + std::to_string(after - before);
      if (batches > 1) max_fetch = std::max(max_fetch, after - before);
    }
    once("insert into seen (batch_id, ev_id, ev_data) select " + batch +
         ", ev_id, ev_data from pgq.get_batch_events(" + batch + ") order by ev_id");
    once("select pgq.finish_batch(" + batch + ")");
  }
  std::printf("bounded: %ld batches; batch queries read at most %ld rows (EXPLAIN ANALYZE)\n",
              batches, max_read);
  std::printf("rows fetched by next_batch (pg_stat_user_tables):%s\n", fetch_report.c_str());
  EXPECT_EQ(batches, 100) << "expected 100 batches of 1,000";
  EXPECT_EQ(rows("select count(*), count(distinct ev_id), count(distinct ev_data) from seen"),
            "100000|100000|100000\n")
      << "events seen (all, distinct ids, distinct data)";
  // In ev_id order across the batches, as in PgQ's one batch.
  EXPECT_EQ(q("select count(*) from (select ev_id < lag(ev_id) over (order by pos) as back "
              "from seen) s where back"),
            "0")
      << "the bounded batches are not in ev_id order";
  EXPECT_LE(max_fetch, 3000) << "a next_batch after the first fetched " << max_fetch << " rows";

  // The consumer without the setting: one batch of all 100,000.
  const std::string batch = q("select pgq.next_batch('big', 'whole')");
  EXPECT_EQ(q("select count(*) from pgq.get_batch_events(" + batch + ")"), "100000")
      << "the consumer without the setting did not get one batch of 100,000";
  db->exec("select pgq.finish_batch(" + batch + ")");
}

}  // namespace
}  // namespace pgqpp_cluster
