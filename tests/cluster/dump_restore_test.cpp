// SPDX-License-Identifier: PostgreSQL
// pg_dump -Fc / pg_restore keeps queues, consumers, their positions (an open
// batch included), pending retries, dead letters and unconsumed events (was
// tests/integration/pg_dump_restore.sh).
//
// The original database gets two queues and consumers at different places;
// it is dumped and restored into a new database of the same cluster. Then
// both databases run the same continuation (move due retries, tick, drain
// every consumer) and must produce the same events, batch ids included, and
// the events expected by construction. The restored database must then take
// new events, ticks and a new queue whose ids do not collide.
#include <unistd.h>

#include <cstdio>
#include <initializer_list>
#include <string>

#include "database_test.hpp"

namespace pgqpp_cluster {
namespace {

class DumpRestore : public DatabaseTest {
 protected:
  // Runs each statement on `c`, one transaction each.
  static void run(pgqpp::Connection& c, std::initializer_list<const char*> statements) {
    for (const char* s : statements) c.exec(s);
  }
  // The events of one batch, "a1,a2".
  std::string batch_events(const std::string& batch) {
    return q("select string_agg(ev_data, ',' order by ev_id) from pgq.get_batch_events(" + batch +
             ")");
  }
  // Every row of the pgq tables that pg_dump must keep.
  std::string state(pgqpp::Connection& c) {
    std::string out;
    for (const char* s :
         {"select q.queue_name, c.co_name, s.sub_id, s.sub_last_tick, s.sub_batch, "
          "s.sub_next_tick from pgq.subscription s join pgq.queue q on q.queue_id = "
          "s.sub_queue join pgq.consumer c on c.co_id = s.sub_consumer order by 1, 2",
          "select queue_id, queue_name, queue_cur_table, queue_data_pfx from pgq.queue order "
          "by 1",
          "select tick_queue, tick_id, tick_snapshot, tick_event_seq from pgq.tick order by 1, 2",
          "select ev_owner, ev_id, ev_retry, ev_data from pgq.retry_queue order by 1, 2",
          "select ev_owner, ev_id, ev_data, ev_extra1, dead_reason, dead_time from "
          "pgq.dead_letter order by 1, 2",
          "select qc_queue, qc_max_retries from pgq.queue_config order by 1",
          "select tableoid::regclass, ev_id, ev_txid, ev_data from pgq.event_template order by 2",
          "select * from pgq.consumer_config order by 1, 2"})
      out += rows(s, &c);
    return out;
  }
  // The same continuation in both databases: move due retries, tick, drain
  // every consumer into table got.
  static void continue_work(pgqpp::Connection& c) {
    run(c, {"create table got (n serial, consumer text, batch_id bigint, ev_id bigint, "
            "ev_type text, ev_data text, ev_retry int, ev_time timestamptz, extra text)",
            R"sql(create function drain(i_queue text, i_consumer text) returns void
language plpgsql as $$
declare b bigint;
begin
  loop
    b := pgq.next_batch(i_queue, i_consumer);
    exit when b is null;
    insert into got (consumer, batch_id, ev_id, ev_type, ev_data, ev_retry, ev_time, extra)
      select i_consumer, b, ev_id, ev_type, ev_data, ev_retry, ev_time,
             concat_ws('/', ev_extra1, ev_extra2, ev_extra3, ev_extra4)
        from pgq.get_batch_events(b) order by ev_id;
    if not found then
      insert into got (consumer, batch_id) values (i_consumer, b);  -- an empty batch
    end if;
    perform pgq.finish_batch(b);
  end loop;
end $$)sql",
            "select pgq.maint_retry_events()", "select tick('qa')", "select tick('qb')",
            "select drain('qa', 'ca_open')", "select drain('qa', 'ca_retry')",
            "select drain('qa', 'ca_behind')", "select drain('qa', 'ca_bounded')",
            "select drain('qb', 'cb')"});
  }
  // New work after the restore: new events, a new queue and consumers.
  static void after_work(pgqpp::Connection& c) {
    run(c,
        {"select pgq.insert_event('qa', 'a', 'a-new')",
         "select pgq.insert_event('qb', 'b', 'b-new')", "select pgq.create_queue('qc')",
         "select pgq.register_consumer('qc', 'cc')",
         "select pgq.register_consumer('qa', 'ca_late')",
         "select pgq.insert_event('qc', 'c', 'c1')", "select tick('qa')", "select tick('qb')",
         "select tick('qc')", "truncate got", "select drain('qa', 'ca_open')",
         "select drain('qa', 'ca_retry')", "select drain('qa', 'ca_behind')",
         "select drain('qa', 'ca_late')", "select drain('qb', 'cb')", "select drain('qc', 'cc')"});
  }
  // The batches of `got` per consumer: "ca_open=[a4,a5][a6] cb=[b1]", a
  // retried event with its count, a2(r1).
  std::string summary(pgqpp::Connection& c) {
    pgqpp::Rows r = c.exec("select consumer, batch_id, ev_data, ev_retry from got order by n");
    std::string out, consumer, batch, sep;
    for (std::size_t i = 0; i < r.size(); ++i) {
      std::string co(r.value(i, 0)), b(r.value(i, 1));
      if (co != consumer) {
        out += (consumer.empty() ? "" : "] ") + co + "=[";
        consumer = co;
        sep = "";
      } else if (b != batch) {
        out += "][";
        sep = "";
      }
      if (auto data = r.get(i, 2)) {
        out += sep + std::string(*data);
        if (auto retry = r.get(i, 3)) out += "(r" + std::string(*retry) + ")";
        sep = ",";
      }
      batch = b;
    }
    return out + "]";
  }
};

TEST_F(DumpRestore, KeepsQueuesPositionsRetriesAndEvents) {
  run(*db, {"select pgq.create_queue('qa')", "select pgq.create_queue('qb')",
            "select pgq.register_consumer('qa', 'ca_open')",
            "select pgq.register_consumer('qa', 'ca_retry')",
            "select pgq.register_consumer('qa', 'ca_behind')",
            "select pgq.register_consumer('qb', 'cb')",
            // Bounded batches: two events per batch; its place inside an
            // interval must survive the dump.
            "select pgq.register_consumer('qa', 'ca_bounded')",
            "select pgq.set_consumer_config('qa', 'ca_bounded', 'max_batch_events', '2')",
            "create function tick(i_queue text) returns bigint language plpgsql as $$ "
            "begin perform pgq.force_tick(i_queue); return pgq.ticker(i_queue); end $$"});

  // --- queue qa ---
  db->exec(
      "select pgq.insert_event('qa', 'a', 'a1'), pgq.insert_event('qa', 'a', 'a2'), "
      "pgq.insert_event('qa', 'a', 'a3', 'x1', 'x2', 'x3', 'x4')");
  db->exec("select tick('qa')");
  // ca_retry reads a1..a3, puts a2 aside (due at once), a3 into its dead
  // letters (kept by pg_dump like the queue setting max_retries), finishes.
  db->exec("select pgq.set_queue_config('qa', 'max_retries', '5')");
  std::string b = q("select pgq.next_batch('qa', 'ca_retry')");
  db->exec("select pgq.event_retry(" + b + ", (select ev_id from pgq.get_batch_events(" + b +
           ") where ev_data = 'a2'), 0)");
  db->exec("select pgq.event_dead(" + b + ", (select ev_id from pgq.get_batch_events(" + b +
           ") where ev_data = 'a3'), 'dumped')");
  db->exec("select pgq.finish_batch(" + b + ")");
  db->exec("select pgq.insert_event('qa', 'a', 'a4')");
  db->exec("select pgq.insert_event('qa', 'a', 'a5')");
  db->exec("select tick('qa')");
  // ca_open finishes the first batch and leaves the second open.
  b = q("select pgq.next_batch('qa', 'ca_open')");
  EXPECT_EQ(batch_events(b), "a1,a2,a3") << "ca_open's first batch";
  db->exec("select pgq.finish_batch(" + b + ")");
  const std::string open_batch = q("select pgq.next_batch('qa', 'ca_open')");
  EXPECT_EQ(batch_events(open_batch), "a4,a5") << "ca_open's open batch";
  db->exec("select pgq.insert_event('qa', 'a', 'a6')");  // not ticked
  // ca_bounded reads the first window of a1..a3 and stops inside the interval.
  b = q("select pgq.next_batch('qa', 'ca_bounded')");
  EXPECT_EQ(batch_events(b), "a1,a2") << "ca_bounded's first window";
  db->exec("select pgq.finish_batch(" + b + ")");

  // --- queue qb: one transaction runs across its tick and commits before the dump ---
  db->exec("select pgq.insert_event('qb', 'b', 'b1')");
  {
    pgqpp::Connection hold(conninfo(dbname));
    pgqpp::Transaction tx(hold);
    tx.exec("select pgq.insert_event('qb', 'b', 'b-listed')");
    db->exec("select txid_current()");  // a later xid completes: the tick lists the open one
    db->exec("select tick('qb')");
    tx.commit();
  }
  EXPECT_EQ(q("select count(*) from pgq.tick t, pgq.event_2 e where t.tick_queue = 2 and "
              "t.tick_id = 2 and e.ev_data = 'b-listed' and e.ev_txid in "
              "(select txid_snapshot_xip(t.tick_snapshot))"),
            "1")
      << "the open transaction in qb's tick";
  b = q("select pgq.next_batch('qb', 'cb')");
  EXPECT_EQ(batch_events(b), "b1") << "cb's first batch";
  db->exec("select pgq.finish_batch(" + b + ")");
  db->exec("select pgq.insert_event('qb', 'b', 'b2')");  // not ticked
  EXPECT_EQ(q("select count(*) from pgq.retry_queue"), "1") << "pending retries";
  EXPECT_EQ(q("select count(*) from pgq.dead_letter"), "1") << "dead letters";
  const std::string src_state = state(*db);

  // --- dump and restore ---
  const std::string dst = create_database("dst");
  const std::string dump =
      cluster_env("PGQPP_TEST_WORK") + "/dump_restore_" + std::to_string(getpid()) + ".dump";
  const std::string bin = "\"$(\"$PG_CONFIG\" --bindir)\"";
  ASSERT_EQ(run_command(bin + "/pg_dump -Fc -f '" + dump + "' -d " + dbname), 0)
      << "pg_dump failed";
  ASSERT_EQ(run_command(bin + "/pg_restore --exit-on-error -d " + dst + " '" + dump + "'"), 0)
      << "pg_restore failed";
  std::remove(dump.c_str());
  pgqpp::Connection restored(conninfo(dst));
  ASSERT_EQ(state(restored), src_state) << "the restored pgq tables differ from the original's";

  // --- the same continuation in both databases (each statement its own transaction) ---
  continue_work(*db);
  continue_work(restored);
  const char* got_sql =
      "select consumer, batch_id, ev_id, ev_type, ev_data, ev_retry, ev_time, extra from got "
      "order by n";
  EXPECT_EQ(rows(got_sql, &restored), rows(got_sql))
      << "the restored database delivers other events than the original";
  // They are the events expected by construction, batch by batch.
  EXPECT_EQ(summary(restored),
            "ca_open=[a4,a5][a6] ca_retry=[a4,a5][a2(r1),a6] ca_behind=[a1,a2,a3][a4,a5][a6] "
            "ca_bounded=[a3][a4,a5][a6] cb=[b-listed,b2]")
      << "batches after the restore";
  EXPECT_EQ(q("select batch_id from got order by n limit 1", &restored), open_batch)
      << "ca_open's first batch after the restore";
  EXPECT_EQ(rows("select distinct extra from got where ev_data = 'a3'", &restored), "x1/x2/x3/x4\n")
      << "a3's extra fields";

  // --- new work after the restore, run in both databases and compared ---
  after_work(*db);
  after_work(restored);
  for (const char* s :
       {"select consumer, batch_id, ev_id, ev_type, ev_data, ev_retry from got order by n",
        "select queue_id, queue_name, queue_data_pfx from pgq.queue order by 1",
        "select co_id, co_name from pgq.consumer order by 1",
        "select sub_id, sub_queue, sub_consumer from pgq.subscription order by 1, 2, 3"})
    EXPECT_EQ(rows(s, &restored), rows(s)) << "new work in the restored database differs: " << s;
  EXPECT_EQ(rows("select consumer, ev_data from got order by n limit 6", &restored),
            "ca_open|a-new\nca_retry|a-new\nca_behind|a-new\nca_late|a-new\ncb|b-new\ncc|c1\n")
      << "new events after the restore";
  EXPECT_EQ(rows("select queue_id, queue_name, queue_data_pfx from pgq.queue "
                 "where queue_name = 'qc'",
                 &restored),
            "3|qc|pgq.event_3\n")
      << "the new queue";
  EXPECT_EQ(q("select count(*) from pg_class where relname like 'event\\_3\\_%' and relkind = 'r'",
              &restored),
            "3")
      << "the new queue's event tables are missing";
}

}  // namespace
}  // namespace pgqpp_cluster
