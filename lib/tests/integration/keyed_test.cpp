// SPDX-License-Identifier: PostgreSQL
// Keyed parallelism (KeyedConsumer, ExactlyOnceConsumer::run_keyed): per-key
// order under a random handler delay, every event once, different keys at
// the same time, verdicts per event, a handler's exception and a stop "now"
// leaving the batch open, the exactly-once batch committed once.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "fixture.hpp"

namespace pgqpp_it {
namespace {

using namespace std::chrono_literals;

// Events "k<key>:<seq>" for 8 keys, interleaved in the queue.
constexpr int keys = 8;

std::string key_of(const pgqpp::Event& ev) {
  auto d = *ev.data;
  return std::string(d.substr(0, d.find(':')));
}
int seq_of(const pgqpp::Event& ev) {
  auto d = *ev.data;
  return std::stoi(std::string(d.substr(d.find(':') + 1)));
}

class KeyedTest : public QueueTest {
 protected:
  // `per_key` events of each key, interleaved, over `ticks` batches.
  int produce_keyed(int per_key, int ticks) {
    int n = per_key * keys, each = n / ticks, from = 0;
    for (int t = 0; t < ticks; ++t) {
      int to = t + 1 == ticks ? n : from + each;
      db.exec(
          "select pgq.insert_event($1, 't', 'k' || (i % 8) || ':' || (i / 8))"
          " from generate_series($2::int, $3::int - 1) i",
          {queue, from, to});
      tick();
      from = to;
    }
    return n;
  }
  pgqpp::KeyedOptions keyed(int workers) {
    pgqpp::KeyedOptions k;
    k.workers = workers;
    k.key = key_of;
    return k;
  }
};

// Watches the handler: per-key order, overlap of one key (never) and of
// different keys (must happen).
struct Watch {
  std::mutex m;
  std::map<std::string, std::vector<int>> seqs;
  std::map<std::string, int> active;
  int active_keys = 0, max_active_keys = 0, same_key_overlaps = 0;
  std::atomic<int> calls{0};

  void enter(const pgqpp::Event& ev) {
    std::lock_guard lock(m);
    ++calls;
    seqs[key_of(ev)].push_back(seq_of(ev));
    if (active[key_of(ev)]++ > 0) ++same_key_overlaps;
    max_active_keys = std::max(max_active_keys, ++active_keys);
  }
  void leave(const pgqpp::Event& ev) {
    std::lock_guard lock(m);
    --active[key_of(ev)];
    --active_keys;
  }
};

TEST_F(KeyedTest, PerKeyOrderEveryEventOnceKeysInParallel) {
  int per_key = 40;
  int n = produce_keyed(per_key, 4);
  Watch w;
  pgqpp::KeyedConsumer c(db_conninfo(), options(), keyed(4));
  c.run([&](const pgqpp::Event& ev) {
    thread_local std::mt19937 rng(std::hash<std::thread::id>()(std::this_thread::get_id()));
    w.enter(ev);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
    w.leave(ev);
  });
  EXPECT_EQ(w.calls.load(), n);
  EXPECT_EQ(c.events_seen(), n);
  EXPECT_EQ(c.batches_finished(), 4);
  std::vector<int> expect(static_cast<std::size_t>(per_key));
  for (int i = 0; i < per_key; ++i) expect[static_cast<std::size_t>(i)] = i;
  ASSERT_EQ(w.seqs.size(), static_cast<std::size_t>(keys));
  for (const auto& [k, s] : w.seqs) EXPECT_EQ(s, expect) << "key " << k;
  EXPECT_EQ(w.same_key_overlaps, 0);
  EXPECT_GE(w.max_active_keys, 2) << "different keys never ran at the same time";
  EXPECT_LE(w.max_active_keys, 4);
  EXPECT_EQ(scalar("select pending_events from pgq.get_consumer_info('" + queue + "', 'c')"), "0");
}

TEST_F(KeyedTest, OneWorkerIsSequential) {
  int n = produce_keyed(5, 1);
  Watch w;
  pgqpp::KeyedConsumer c(db_conninfo(), options(), keyed(1));
  c.run([&](const pgqpp::Event& ev) {
    w.enter(ev);
    std::this_thread::sleep_for(1ms);
    w.leave(ev);
  });
  EXPECT_EQ(w.calls.load(), n);
  EXPECT_EQ(w.max_active_keys, 1);
}

TEST_F(KeyedTest, RetryTagsHonouredPerEvent) {
  produce_keyed(3, 1);
  pgqpp::KeyedConsumer c(db_conninfo(), options(), keyed(3));
  c.run([&](const pgqpp::Event& ev) {
    return *ev.data == "k2:1" || *ev.data == "k5:0" ? pgqpp::Tag::retry_after(0s)
                                                    : pgqpp::Tag::done();
  });
  retry_maintenance();
  std::vector<std::string> again;
  std::mutex m;
  c.run([&](const pgqpp::Event& ev) {
    std::lock_guard lock(m);
    again.emplace_back(*ev.data);
    EXPECT_EQ(ev.retry, 1);
  });
  std::sort(again.begin(), again.end());
  EXPECT_EQ(again, (std::vector<std::string>{"k2:1", "k5:0"}));
}

TEST_F(KeyedTest, DeadTagsHonouredPerEvent) {
  if (!testing_pgqpp()) GTEST_SKIP() << "dead letters are a pgqpp addition";
  produce_keyed(2, 1);
  pgqpp::KeyedConsumer c(db_conninfo(), options(), keyed(2));
  c.run([&](const pgqpp::Event& ev) {
    return *ev.data == "k3:1" ? pgqpp::Tag::dead("bad") : pgqpp::Tag::done();
  });
  EXPECT_EQ(scalar("select string_agg(ev_data || ':' || dead_reason, ',') from pgq.dead_letters('" +
                   queue + "', 'c')"),
            "k3:1:bad");
}

TEST_F(KeyedTest, HandlerExceptionLeavesTheBatchOpen) {
  int n = produce_keyed(10, 1);
  pgqpp::KeyedConsumer c(db_conninfo(), options(), keyed(4));
  EXPECT_THROW(c.run([&](const pgqpp::Event& ev) {
    if (*ev.data == "k4:5") throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_EQ(c.batches_finished(), 0);
  std::atomic<int> again{0};
  c.run([&](const pgqpp::Event&) { ++again; });
  EXPECT_EQ(again.load(), n) << "the whole batch comes again";
}

TEST_F(KeyedTest, StopNowLeavesTheBatchOpen) {
  int n = produce_keyed(25, 1);
  pgqpp::KeyedConsumer c(db_conninfo(), options(), keyed(2));
  std::atomic<int> first{0};
  c.run([&](const pgqpp::Event&) {
    if (++first == 3) c.stop(pgqpp::StopMode::now);
    std::this_thread::sleep_for(5ms);
  });
  EXPECT_LT(first.load(), n) << "queued events must be dropped on a stop now";
  EXPECT_EQ(c.batches_finished(), 0);
  pgqpp::KeyedConsumer d(db_conninfo(), options(), keyed(2));
  std::atomic<int> again{0};
  d.run([&](const pgqpp::Event&) { ++again; });
  EXPECT_EQ(again.load(), n);
}

TEST_F(KeyedTest, UsageErrors) {
  pgqpp::KeyedOptions k;
  EXPECT_THROW(pgqpp::KeyedConsumer(db_conninfo(), options(), k), pgqpp::usage_error);
  k = keyed(0);
  EXPECT_THROW(pgqpp::KeyedConsumer(db_conninfo(), options(), k), pgqpp::usage_error);
}

TEST_F(KeyedTest, ExactlyOnceCommitsEachBatchOnce) {
  pgqpp::Connection target(target_conninfo());
  target.exec("create table if not exists keyed_applied (queue text, ev_id bigint, ev_data text)");
  int n = produce_keyed(20, 3);
  pgqpp::ExactlyOnceOptions o;
  o.consumer = options();
  std::vector<std::int64_t> commits;
  o.on_step = [&](pgqpp::ExactlyOnceStep s, std::int64_t id) {
    if (s == pgqpp::ExactlyOnceStep::after_commit) commits.push_back(id);
  };
  Watch w;
  pgqpp::ExactlyOnceConsumer c(db_conninfo(), target_conninfo(), o);
  c.run_keyed(keyed(4), [&](const pgqpp::Event& ev, pgqpp::SharedTransaction& tx) {
    w.enter(ev);
    std::this_thread::sleep_for(1ms);
    tx.exec("insert into keyed_applied values ($1, $2, $3)", {queue, ev.id, ev.data});
    w.leave(ev);
    return pgqpp::Tag::done();
  });
  EXPECT_EQ(commits.size(), 3u);
  EXPECT_EQ(std::set<std::int64_t>(commits.begin(), commits.end()).size(), 3u);
  pgqpp::Rows r = target.exec(
      "select count(*), count(distinct ev_id) from keyed_applied where queue = $1", {queue});
  EXPECT_EQ(std::string(r.value(0, 0)), std::to_string(n));
  EXPECT_EQ(std::string(r.value(0, 1)), std::to_string(n));
  EXPECT_EQ(w.same_key_overlaps, 0);
  EXPECT_GE(w.max_active_keys, 2);
}

TEST_F(KeyedTest, ExactlyOnceHandlerExceptionRollsTheBatchBack) {
  pgqpp::Connection target(target_conninfo());
  target.exec("create table if not exists keyed_applied (queue text, ev_id bigint, ev_data text)");
  int n = produce_keyed(5, 1);
  pgqpp::ExactlyOnceOptions o;
  o.consumer = options();
  pgqpp::ExactlyOnceConsumer c(db_conninfo(), target_conninfo(), o);
  auto write = [&](const pgqpp::Event& ev, pgqpp::SharedTransaction& tx) {
    tx.exec("insert into keyed_applied values ($1, $2, $3)", {queue, ev.id, ev.data});
    return pgqpp::Tag::done();
  };
  EXPECT_THROW(c.run_keyed(keyed(3),
                           [&](const pgqpp::Event& ev, pgqpp::SharedTransaction& tx) {
                             if (*ev.data == "k1:4") throw std::runtime_error("boom");
                             return write(ev, tx);
                           }),
               std::runtime_error);
  EXPECT_EQ(
      std::string(
          target.exec("select count(*) from keyed_applied where queue = $1", {queue}).value(0, 0)),
      "0");
  c.run_keyed(keyed(3), write);
  EXPECT_EQ(std::string(target
                            .exec("select count(distinct ev_id) from keyed_applied"
                                  " where queue = $1",
                                  {queue})
                            .value(0, 0)),
            std::to_string(n));
}

}  // namespace
}  // namespace pgqpp_it
