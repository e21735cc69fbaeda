// SPDX-License-Identifier: PostgreSQL
// Consumer positions across crashes, on a standby and in a prepared
// transaction, while a snapshot is held open (the held xmin of issue 21 item
// 4, under which positions might be kept out of new row versions:
// docs/internals.md, "Metadata under a held xmin"). Whatever stores them, a
// position must never go backwards or skip an event:
//
//   1. consumer c finishes batches 1 and 2 (committed; the standby shows the
//      position the primary has; the second is in c's cell) and then, after
//      a checkpoint, opens and finishes batch 3 in a transaction that stays
//      open (the standby must keep showing batch 2's end); consumer c2
//      finishes a batch in a prepared transaction;
//   2. immediate shutdown (crash recovery): c is at batch 2's end and gets
//      batch 3 again; c2 is where it was before the prepared transaction,
//      its next_batch waits for that transaction's row lock, and after
//      COMMIT PREPARED it has moved one batch on;
//   3. a finish committed just before a second immediate shutdown (no
//      checkpoint since) survives it;
//   4. every event reached each consumer exactly once (tables c_seen and
//      c2_seen, written in the transaction of each finish_batch), and the
//      standby ends with the primary's positions.
//
// A cluster of its own (max_prepared_transactions = 2, wal_level = replica,
// pgqpp.position_cell_after = 1: the first write behind a held snapshot
// moves a consumer's position into its cell, so that the cell is what
// crashes) with a streaming standby (own_cluster.hpp; was
// tests/integration/position_crash.sh). Skipped where the server has no
// pg_basebackup (the 17 of scripts/pg-major.sh).
#include <cstdio>
#include <memory>
#include <string>

#include "database_test.hpp"
#include "own_cluster.hpp"
#include "process.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

// Every row of `sql` as psql -At prints it (for failure messages).
std::string listing(pgqpp::Connection& c, const std::string& sql) {
  pgqpp::Rows r = c.exec(sql);
  std::string out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    for (int j = 0; j < r.columns(); ++j)
      out += (j ? "|" : "") + std::string(r.get(i, j).value_or(""));
    out += "\n";
  }
  return out;
}

// A query that is true when each event of table produced is in `table`
// (a consumer's events) exactly once.
std::string exactly_once(const std::string& table) {
  const std::string produced = "(select count(*) from produced)";
  return "select (select count(*) from " + table + ") = " + produced +
         " and (select count(distinct ev_id) from " + table + ") = " + produced +
         " and not exists (select ev_data from produced except select ev_data from " + table + ")";
}

// The last 20 lines of file `path`.
std::string tail(const std::string& path) {
  std::string text = read_file(path);
  std::size_t from = text.size();
  for (int n = 0; n < 21 && from > 0; ++n) {
    std::size_t nl = text.rfind('\n', from - 1);
    if (nl == std::string::npos) return text;
    from = nl;
  }
  return from < text.size() ? text.substr(from + 1) : text;
}

// The schema of the case: queue q with consumers c and c2, the tables of
// what was produced and what each consumer saw, and three helpers.
const char* const kSetup[] = {
    "set client_min_messages = warning",
    "create extension pgqpp",
    "select pgq.create_queue('q')",
    "select pgq.set_queue_config('q', 'ticker_max_count', '1')",
    "select pgq.register_consumer('q', 'c')",
    "select pgq.register_consumer('q', 'c2')",
    "create table c_seen (ev_id bigint, ev_data text)",
    "create table c2_seen (ev_id bigint, ev_data text)",
    "create table produced (ev_data text)",
    // Events b<N>-1 and b<N>-2, committed, then a tick: one batch each.
    R"(create procedure produce(i_n int) language plpgsql as $$
       begin
         for i in 1..i_n loop
           perform pgq.insert_event('q', 'e', 'b' || i || '-' || j), 1 from generate_series(1, 2) j;
           insert into produced select 'b' || i || '-' || j from generate_series(1, 2) j;
           commit;
           perform pgq.force_tick('q');
           perform pgq.ticker('q');
           commit;
         end loop;
       end $$)",
    // Reads the consumer's next batch into <consumer>_seen and finishes it;
    // the batch's events, or 'none'.
    R"(create function consume(i_consumer text) returns text language plpgsql as $$
       declare
         b bigint := pgq.next_batch('q', i_consumer);
         evs text;
       begin
         if b is null then return 'none'; end if;
         execute format('insert into %I select ev_id, ev_data from pgq.get_batch_events($1)',
                        i_consumer || '_seen') using b;
         select string_agg(ev_data, ',' order by ev_id) into evs from pgq.get_batch_events(b);
         perform pgq.finish_batch(b);
         return coalesce(evs, '');
       end $$)",
    // get_consumer_info's last_tick/current_batch | pgq.subscription_current's.
    R"(create function pos_of(i_consumer text) returns text language sql as $$
       select i.last_tick || '/' || coalesce(i.current_batch::text, '-') || '|'
              || s.sub_last_tick || '/' || coalesce(s.sub_batch::text, '-')
         from pgq.get_consumer_info('q', i_consumer) i
         join pgq.consumer c on c.co_name = i_consumer
         join pgq.subscription_current s on s.sub_consumer = c.co_id
       $$)",
};

class PositionCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OwnCluster::has_program("pg_basebackup"))
      GTEST_SKIP() << "NOTE: this PostgreSQL has no pg_basebackup for the standby (as the 17 of "
                      "scripts/pg-major.sh)";
    primary_ = std::make_unique<OwnCluster>(
        work_, std::vector<std::string>{"-c max_prepared_transactions=2", "-c wal_level=replica",
                                        "-c pgqpp.position_cell_after=1"});
    ASSERT_TRUE(primary_->started()) << "cannot start a cluster with max_prepared_transactions";
    standby_ = std::make_unique<OwnCluster>(work_ + "/standby", *primary_);
    ASSERT_TRUE(standby_->started()) << "the standby did not start";
    standby_db_ = std::make_unique<pgqpp::Connection>(conninfo(*standby_));
    connect();
    for (const char* sql : kSetup) db_->exec(sql);
    db_->exec("call produce(6)");
  }

  // On failure, the end of both server logs (the script's fail_context);
  // then holders first, and the standby before its primary.
  void TearDown() override {
    if (HasFailure())
      for (const auto* cluster : {primary_.get(), standby_.get()})
        if (cluster) std::printf("%s:\n%s\n", cluster->log().c_str(), tail(cluster->log()).c_str());
    open_finish_.reset();
    holder_.reset();
    standby_db_.reset();
    db_.reset();
    standby_.reset();
    primary_.reset();
  }

  // A connection string of `cluster` with the statement timeout of these tests.
  static std::string conninfo(const OwnCluster& cluster) {
    return cluster.conninfo() + " options='-c statement_timeout=120s'";
  }
  // (Re)connects db_ to the primary (after a crash).
  void connect() { db_ = std::make_unique<pgqpp::Connection>(conninfo(*primary_)); }
  std::string q(const std::string& sql) { return first_value(*db_, sql); }
  std::string sq(const std::string& sql) { return first_value(*standby_db_, sql); }

  // A repeatable-read snapshot held open (the held xmin) in holder_.
  void hold() {
    holder_ = std::make_unique<pgqpp::Connection>(conninfo(*primary_));
    holder_->exec("begin isolation level repeatable read");
    std::string pid = first_value(*holder_, "select pg_backend_pid()");
    ASSERT_EQ(q("select backend_xmin is not null from pg_stat_activity where pid = " + pid), "t")
        << "the held snapshot";
  }

  // Crashes the primary (crash_restart); its connections are gone, db_
  // reconnects.
  void crash() {
    ASSERT_TRUE(primary_->crash_restart()) << "the primary did not come back after the crash";
    open_finish_.reset();
    holder_.reset();
    connect();
  }

  // True once the standby replayed everything the primary wrote so far.
  bool caught_up() {
    std::string lsn = q("select pg_current_wal_lsn()");
    return eventually([&] { return sq("select pg_last_wal_replay_lsn() >= '" + lsn + "'") == "t"; },
                      30s);
  }

  const std::string work_ = cluster_env("PGQPP_TEST_WORK") + "/position_crash";
  std::unique_ptr<OwnCluster> primary_, standby_;
  std::unique_ptr<pgqpp::Connection> db_, standby_db_;
  std::unique_ptr<pgqpp::Connection> holder_;       // the held snapshot
  std::unique_ptr<pgqpp::Connection> open_finish_;  // c's batch 3, finished, not committed
};

TEST_F(PositionCrash, PositionsSurviveCrashesStandbyAndPreparedTransactions) {
  ASSERT_NO_FATAL_FAILURE(hold());

  // 1. Batches 1 and 2 of c committed, one each for c2; the standby follows.
  ASSERT_EQ(q("select consume('c')"), "b1-1,b1-2") << "c's batch 1";
  ASSERT_EQ(q("select consume('c')"), "b2-1,b2-2") << "c's batch 2";
  ASSERT_EQ(q("select consume('c2')"), "b1-1,b1-2") << "c2's batch 1";
  std::string committed = q("select pos_of('c')");
  const std::string c2_before = q("select pos_of('c2')");
  ASSERT_TRUE(caught_up()) << "the standby's replay";
  EXPECT_EQ(sq("select pos_of('c')"), committed)
      << "the standby shows c elsewhere than the primary";
  // c's second batch came behind the held snapshot: its position is in its
  // cell (c2's first was written to its row, as the horizon had passed it).
  EXPECT_EQ(q("select count(*) from pgq.subscription_cell cl join pgq.consumer co"
              " on co.co_id = cl.cell_consumer where co.co_name = 'c'"),
            "1")
      << "c's position is not in its cell:\n"
      << listing(*db_, "select * from pgq.subscription_cell");

  // c2 finishes batch 2 in a prepared transaction; c opens and finishes
  // batch 3 in a transaction that stays open over the crash.
  q("checkpoint");
  {
    pgqpp::Connection prep(conninfo(*primary_));
    prep.exec("begin");
    ASSERT_EQ(first_value(prep, "select consume('c2')"), "b2-1,b2-2") << "c2's prepared batch 2";
    prep.exec("prepare transaction 'p1'");
  }
  open_finish_ = std::make_unique<pgqpp::Connection>(conninfo(*primary_));
  open_finish_->exec("begin");
  ASSERT_EQ(first_value(*open_finish_, "select consume('c')"), "b3-1,b3-2") << "c's open batch 3";
  ASSERT_EQ(q("select backend_xid is not null from pg_stat_activity where pid = " +
              first_value(*open_finish_, "select pg_backend_pid()")),
            "t")
      << "the open finish of batch 3 has no transaction id";
  q("select pgq.insert_event('q', 'e', 'unrelated')");  // flushes the WAL
  q("insert into produced values ('unrelated')");
  ASSERT_TRUE(caught_up()) << "the standby's replay";
  EXPECT_EQ(q("select pos_of('c')"), committed) << "the open finish shows on the primary";
  EXPECT_EQ(sq("select pos_of('c')"), committed) << "the standby shows the open finish";
  EXPECT_EQ(sq("select pos_of('c2')"), c2_before) << "the standby shows the prepared finish";

  // 2. Crash with both open; another snapshot is held after the restart.
  ASSERT_NO_FATAL_FAILURE(crash());
  ASSERT_NO_FATAL_FAILURE(hold());
  EXPECT_EQ(q("select pos_of('c')"), committed) << "c after the crash";
  EXPECT_EQ(q("select pos_of('c2')"), c2_before) << "c2 after the crash, before COMMIT PREPARED";
  {
    pgqpp::Connection waiter(conninfo(*primary_));
    waiter.exec("set lock_timeout = '300ms'");
    try {
      waiter.exec("select pgq.next_batch('q', 'c2')");
      ADD_FAILURE() << "c2's next_batch did not wait for the prepared transaction";
    } catch (const pgqpp::sql_error& e) {
      EXPECT_EQ(e.sqlstate(), "55P03") << e.what();
      EXPECT_NE(std::string(e.what()).find("lock timeout"), std::string::npos) << e.what();
    }
  }
  q("commit prepared 'p1'");
  EXPECT_EQ(q("select consume('c2')"), "b3-1,b3-2") << "c2's batch after COMMIT PREPARED";
  EXPECT_EQ(q("select consume('c')"), "b3-1,b3-2") << "c's batch 3 again after the crash";

  // 3. A finish committed just before a crash (no checkpoint since).
  ASSERT_EQ(q("select consume('c')"), "b4-1,b4-2") << "c's batch 4";
  committed = q("select pos_of('c')");
  ASSERT_NO_FATAL_FAILURE(crash());
  EXPECT_EQ(q("select pos_of('c')"), committed) << "a committed finish was lost in the crash";

  // 4. The rest; every event exactly once for each consumer.
  q("select pgq.force_tick('q'), pgq.ticker('q')");
  for (const std::string c : {"c", "c2"}) {
    for (int i = 0; i < 10; ++i)
      if (q("select consume('" + c + "')") == "none") break;
    EXPECT_EQ(q(exactly_once(c + "_seen")), "t")
        << c << " did not get every event exactly once:\n"
        << listing(*db_, "select ev_data, count(*) from " + c + "_seen group by 1 order by 1");
  }
  ASSERT_TRUE(caught_up()) << "the standby's replay";
  for (const std::string c : {"c", "c2"})
    EXPECT_EQ(sq("select pos_of('" + c + "')"), q("select pos_of('" + c + "')"))
        << "the standby does not end with the primary's position of " << c;
}

}  // namespace
}  // namespace pgqpp_cluster
