// SPDX-License-Identifier: PostgreSQL
// The SQL-only edition's change signal (docs/managed.md, "Ticking on commit
// without the library"): one row of pgq._so_signal per transaction and
// queue, whichever insert path wrote the events (insert_event with 3 and 7
// arguments, insert_event_raw, insert_events); none for a rolled-back
// transaction or savepoint, and one again for the same queue after a
// rolled-back savepoint; also after a rotation moved the queue to its next
// table. And one place writes it, pgq._so_note_signal: both insert paths
// call it, no other function body inserts into the table.
#include <memory>
#include <string>
#include <vector>

#include "../database_test.hpp"
#include "edition.hpp"

namespace pgqpp_cluster {
namespace {

class SqlOnlySignal : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    const std::string name = create_database("so");
    install_sqlonly_edition(conninfo(name));
    so = std::make_unique<pgqpp::Connection>(conninfo(name));
    q("select pgq.create_queue('qa'), pgq.create_queue('qb')", so.get());
  }

  /// The rows of pgq._so_signal for `queue`.
  std::string signals(const std::string& queue) {
    return q(
        "select count(*) from pgq._so_signal s join pgq.queue q using (queue_id)"
        " where q.queue_name = '" +
            queue + "'",
        so.get());
  }

  /// Runs `statements` on the edition's database, one at a time.
  void run(const std::vector<std::string>& statements) {
    for (const std::string& s : statements) so->exec(s);
  }

  std::unique_ptr<pgqpp::Connection> so;  ///< the database with the edition
};

TEST_F(SqlOnlySignal, OnlyNoteSignalWritesTheTable) {
  const std::string writers =
      "select coalesce(string_agg(p.oid::regprocedure::text, ',' order by p.proname), '')"
      "  from pg_proc p where p.pronamespace = 'pgq'::regnamespace"
      "   and p.prosrc ~* 'insert\\s+into\\s+pgq\\._so_signal'";
  EXPECT_EQ(q(writers, so.get()), "pgq._so_note_signal(integer)");
}

TEST_F(SqlOnlySignal, OnePerTransactionAndQueueFromEveryInsertPath) {
  run({"begin", "select pgq.insert_event('qa', 't', '1')",
       "select pgq.insert_event('qa', 't', '2', 'e1', 'e2', 'e3', 'e4')",
       "select pgq.insert_event_raw('qa', null, null, null, null, 't', '3', null, null, null, "
       "null)",
       "select pgq.insert_events('qa', '{t}', '{4,5}')", "select pgq.insert_event('qb', 't', '1')",
       "select pgq.insert_events('qb', '{t}', '{2}')", "commit"});
  EXPECT_EQ(signals("qa"), "1") << rows("select * from pgq._so_signal", so.get());
  EXPECT_EQ(signals("qb"), "1");
  EXPECT_EQ(q("select count(*) from pgq.event_" +
                  q("select queue_id from pgq.queue where queue_name = 'qa'", so.get()),
              so.get()),
            "5");
}

TEST_F(SqlOnlySignal, EachInsertPathAloneSignals) {
  for (const std::string call :
       {"pgq.insert_event('qa', 't', 'x')",
        "pgq.insert_event('qa', 't', 'x', null, null, null, null)",
        "pgq.insert_event_raw('qa', null, null, null, null, 't', 'x', null, null, null, null)",
        "pgq.insert_events('qa', '{t}', '{x}')"}) {
    so->exec("select " + call);
    EXPECT_EQ(signals("qa"), "1") << call;
    so->exec("delete from pgq._so_signal");
  }
}

TEST_F(SqlOnlySignal, NoneFromARollbackOneAfterARolledBackSavepoint) {
  run({"begin", "select pgq.insert_event('qa', 't', 'gone')", "rollback"});
  EXPECT_EQ(signals("qa"), "0") << "a signal from a rolled-back transaction";
  run({"begin", "savepoint s", "select pgq.insert_event('qa', 't', 'gone')",
       "rollback to savepoint s", "select pgq.insert_events('qa', '{t}', '{kept}')", "commit"});
  EXPECT_EQ(signals("qa"), "1") << "after a rolled-back savepoint and another insert";
}

TEST_F(SqlOnlySignal, AfterARotationFromTheNextTable) {
  run({"update pgq.queue set queue_rotation_period = '0 seconds' where queue_name = 'qa'",
       "select pgq.maint_rotate_tables_step1('qa')", "select pgq.maint_rotate_tables_step2()"});
  ASSERT_EQ(q("select queue_cur_table from pgq.queue where queue_name = 'qa'", so.get()), "1")
      << "the rotation did not move qa to its next table";
  so->exec("select pgq.insert_event('qa', 't', 'rotated')");
  EXPECT_EQ(q("select tableoid::regclass::text = (select queue_data_pfx || '_' || queue_cur_table"
              "   from pgq.queue where queue_name = 'qa')"
              "  from pgq.event_" +
                  q("select queue_id from pgq.queue where queue_name = 'qa'", so.get()) +
                  " where ev_data = 'rotated'",
              so.get()),
            "t");
  EXPECT_EQ(signals("qa"), "1");
}

}  // namespace
}  // namespace pgqpp_cluster
