// SPDX-License-Identifier: PostgreSQL
// pgq.ticker() over more queues than the shared lock table has room for
// (issue 25: where the queue count becomes the limit), shared by
// ManyQueuesTicker.* (the extension) and SqlOnlyManyQueuesTicker.*
// (sqlonly/, the SQL-only edition's PL/pgSQL pgq.ticker()). A cluster of
// its own with max_locks_per_transaction = 10 and max_connections = 20: a
// lock table of a few hundred entries, against 1,500 queues that are all
// due a tick. PgQ 3.5's pgq.ticker() and pgqpp's before this check locked
// every queue's event sequence until commit and failed with "out of shared
// memory" on every call, so no queue ever ticked again. Now:
//  - one call ticks at most 2 x max_locks_per_transaction queues (20 here),
//    the queue with new events first although its id comes last;
//  - it holds about two locks per ticked queue (its tick lock and its tick
//    sequence; the event sequence is read without keeping a lock), not one
//    per queue (about four in the SQL-only edition);
//  - repeated calls tick every queue.
// (was tests/integration/many_queues_ticker.sh and sqlonly_many_queues_ticker.sh)
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "database_test.hpp"
#include "own_cluster.hpp"
#include "pgqpp/pgqpp.hpp"

namespace pgqpp_cluster {

/// The server options of the cluster: a lock table of a few hundred entries.
inline const std::vector<std::string> many_queues_options = {"-c max_locks_per_transaction=10",
                                                             "-c max_connections=20"};

/// The checks above on `db` (pgq installed, no queue yet). `per_tick`: the
/// locks a call may hold per ticked queue (2 for the extension, 4 for the
/// SQL-only edition), besides 30 of its own; `edition` names it in messages.
inline void check_many_queues_ticker(pgqpp::Connection& db, int per_tick,
                                     const std::string& edition) {
  constexpr int queues = 1500, cap = 20;
  const std::string last = "q" + std::to_string(queues);
  auto value = [&](const std::string& sql) {
    pgqpp::Rows r = db.exec(sql);
    return r.size() ? std::string(r.get(0, 0).value_or("")) : std::string();
  };
  auto ticks_of_last = [&] {
    return std::stol(
        value("select count(*) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue "
              "where q.queue_name = '" +
              last + "'"));
  };
  // Ten queues per transaction: creating one takes a dozen locks.
  for (int i = 1; i <= queues; i += 10)
    db.exec("select pgq.create_queue('q' || i) from generate_series(" + std::to_string(i) + ", " +
            std::to_string(i + 9) + ") i");
  // Every queue due an idle tick; the last one (highest id) also has an
  // event. Two events: the event sequence reads 1 before and after its
  // first value (PgQ's seq_getval), so only the second one shows as new.
  db.exec("update pgq.queue set queue_ticker_idle_period = '0'");
  db.exec("select pgq.set_queue_config('" + last + "', 'ticker_max_count', '1')");
  db.exec("select pgq.insert_event('" + last + "', 'e', 'first'), pgq.insert_event('" + last +
          "', 'e', 'second')");
  const long before = ticks_of_last();

  std::string ticked, locks;
  try {
    db.exec("begin");
    ticked = value("select pgq.ticker()");
    locks = value("select count(*) from pg_locks where pid = pg_backend_pid()");
    db.exec("commit");
  } catch (const std::exception& e) {
    FAIL() << "pgq.ticker() over " << queues << " due queues failed (" << edition
           << "): " << e.what();
  }
  EXPECT_EQ(ticked, std::to_string(cap))
      << "the first pgq.ticker() ticked " << ticked << " queues, expected " << cap
      << " (2 x max_locks_per_transaction)";
  // Two per ticked queue (its tick lock, its tick sequence) and a few more
  // (the transaction's own, pgq's tables): not one per queue, and not the
  // event sequence's (read after the tick lock without keeping a lock).
  // The SQL-only edition's PL/pgSQL takes about four per tick (each tick's
  // insert and sequence calls lock their relations): still bounded by the cap.
  EXPECT_LE(std::stoi(locks), per_tick * cap + 30)
      << "pgq.ticker() held " << locks << " locks for " << cap << " ticks (" << edition << ")";
  EXPECT_GT(ticks_of_last(), before) << "the queue with an event was not among the first ticked";

  int calls = 1;
  while (value("select count(*) from pgq.queue q "
               "where (select count(*) from pgq.tick where tick_queue = q.queue_id) < 2") != "0") {
    const int n = std::stoi(value("select pgq.ticker()"));
    ASSERT_LE(n, cap) << "pgq.ticker() ticked " << n << " queues, more than " << cap;
    ++calls;
    ASSERT_LE(calls, queues / cap + 10)
        << "after " << calls << " calls some queues still had no new tick";
  }
  std::printf("ok (%s): %d due queues ticked in %d calls of at most %d, %s locks held by a call\n",
              edition.c_str(), queues, calls, cap, locks.c_str());
}

}  // namespace pgqpp_cluster
