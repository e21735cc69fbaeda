// SPDX-License-Identifier: PostgreSQL
// Unit tests of the fault harness's pure parts: event keys, reading the
// records back, the duplicate rule the check applies, the seeded schedule.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include "duplicates.hpp"
#include "event_key.hpp"
#include "fault_schedule.hpp"
#include "records.hpp"

using namespace pgqpp::fault;

TEST(FaultEventKey, PacksAndUnpacks) {
  EXPECT_EQ(event_key(3, 1042), "p3:1042");
  auto packed = pack_key("p3:1042");
  ASSERT_TRUE(packed);
  EXPECT_EQ(*packed, pack_key(3, 1042));
  EXPECT_EQ(key_text(*packed), "p3:1042");
  EXPECT_LT(pack_key(1, 999999), pack_key("p2:1").value());
}

TEST(FaultEventKey, RejectsWhatIsNoKey) {
  for (const char* bad : {"", "x1:2", "p1:", "p:1", "p1:2x", "p1-2", "p70000:1", "(null)"})
    EXPECT_FALSE(pack_key(bad)) << bad;
}

namespace {

std::string temp_file(const std::string& text) {
  char name[] = "/tmp/pgqpp-harness-test.XXXXXX";
  int fd = mkstemp(name);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(name) << text;
  return name;
}

ScheduleSpec spec_of(std::uint64_t seed, std::vector<std::string> targets, std::int64_t total_ms) {
  ScheduleSpec spec;
  spec.seed = seed;
  spec.targets = std::move(targets);
  spec.total_ms = total_ms;
  return spec;
}

Delivery d(int producer, std::int64_t seq, std::int64_t batch, int process) {
  return {pack_key(producer, seq), batch, process};
}

}  // namespace

TEST(FaultRecords, ReadsProducerVerdictsAsKeyRanges) {
  std::string path = temp_file(
      "C\t1\t1\t3\nR\t1\t4\t5\nL\t2\t1\t1\nD\t2\t2\t2\nE\t2\t3\t4\nT\t1\t1000\t2000\nT\t2\t900\t150"
      "0\n");
  ProducerRecords r = read_producer_logs({path});
  std::remove(path.c_str());
  EXPECT_EQ(r.committed, (KeySet{pack_key(1, 1), pack_key(1, 2), pack_key(1, 3)}));
  EXPECT_EQ(r.rolled_back, (KeySet{pack_key(1, 4), pack_key(1, 5)}));
  EXPECT_EQ(r.lost, KeySet{pack_key(2, 1)});
  EXPECT_EQ(r.in_doubt, KeySet{pack_key(2, 2)});
  EXPECT_EQ(r.failed, (KeySet{pack_key(2, 3), pack_key(2, 4)}));
  EXPECT_EQ(r.first_insert_ms, 900);
  EXPECT_EQ(r.last_commit_ms, 2000);
}

TEST(FaultRecords, RejectsABrokenProducerLine) {
  std::string path = temp_file("C\t1\t1\n");
  EXPECT_THROW(read_producer_logs({path}), std::runtime_error);
  std::remove(path.c_str());
}

TEST(FaultRecords, ReadsConsumerDeliveriesAndBatches) {
  std::string path = temp_file(
      "E\t1\t7\tp1:2\nE\t1\t7\tp1:1\nB\t1\t7\t2\t5000\nE\t2\t7\tp1:"
      "1\nE\t2\t8\tnonsense\nB\t2\t9\t0\t9000\n");
  ConsumerRecords r = read_consumer_log(path);
  std::remove(path.c_str());
  ASSERT_EQ(r.deliveries.size(), 3u);
  EXPECT_EQ(r.deliveries[0].key, pack_key(1, 1));  // sorted by key, then process
  EXPECT_EQ(r.deliveries[0].incarnation, 1);
  EXPECT_EQ(r.deliveries[1].incarnation, 2);
  EXPECT_EQ(r.bad_keys, std::vector<std::string>{"nonsense"});
  EXPECT_EQ(r.batch_incarnations[7], (std::set<int>{1, 2}));
  EXPECT_EQ(r.last_batch_ms, 5000);  // the empty batch 9 does not count
}

TEST(FaultDuplicates, NoneWhenEveryKeyCameOnce) {
  Duplicates dup = find_duplicates({d(1, 1, 5, 1), d(1, 2, 5, 1)}, {});
  EXPECT_EQ(dup.extra, 0);
  EXPECT_TRUE(dup.other_batch.empty() && dup.same_process.empty() && dup.not_killed.empty());
}

TEST(FaultDuplicates, ABatchDeliveredAgainAfterAKillIsAllowed) {
  Duplicates dup = find_duplicates({d(1, 1, 5, 1), d(1, 1, 5, 2), d(1, 1, 5, 3)}, {1, 2});
  EXPECT_EQ(dup.extra, 2);
  EXPECT_TRUE(dup.other_batch.empty() && dup.same_process.empty() && dup.not_killed.empty());
}

TEST(FaultDuplicates, AgainWithoutAKillFails) {
  Duplicates dup = find_duplicates({d(1, 1, 5, 1), d(1, 1, 5, 2), d(1, 2, 5, 1)}, {});
  EXPECT_EQ(dup.not_killed, KeySet{pack_key(1, 1)});
}

TEST(FaultDuplicates, TwiceToOneProcessFails) {
  Duplicates dup = find_duplicates({d(1, 1, 5, 1), d(1, 1, 5, 1)}, {1});
  EXPECT_EQ(dup.same_process, KeySet{pack_key(1, 1)});
}

TEST(FaultDuplicates, InTwoBatchesFails) {
  Duplicates dup = find_duplicates({d(1, 1, 5, 1), d(1, 1, 6, 2)}, {1});
  EXPECT_EQ(dup.other_batch, KeySet{pack_key(1, 1)});
}

TEST(FaultSchedule, SameSeedSameSchedule) {
  ScheduleSpec spec = spec_of(42, {"ticker", "c1", "c2", "eo"}, 90000);
  auto a = make_schedule(spec), b = make_schedule(spec);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].at_ms, b[i].at_ms);
    EXPECT_EQ(a[i].target, b[i].target);
    EXPECT_EQ(a[i].down_ms, b[i].down_ms);
  }
  spec.seed = 43;
  auto c = make_schedule(spec);
  bool differs = c.size() != a.size();
  for (std::size_t i = 0; !differs && i < a.size(); ++i)
    differs = a[i].at_ms != c[i].at_ms || a[i].target != c[i].target;
  EXPECT_TRUE(differs);
}

TEST(FaultSchedule, KillsEveryTargetAndRestartsTheServerOnceMidway) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    auto faults = make_schedule(spec_of(seed, {"ticker", "c1", "c2", "c3", "eo"}, 90000));
    int restarts = 0;
    std::set<std::string> first_round;
    std::size_t kills = 0;
    std::int64_t last = -1;
    for (const PlannedFault& f : faults) {
      EXPECT_GT(f.at_ms, last);
      EXPECT_LT(f.at_ms, 87000);
      last = f.at_ms + f.down_ms;
      if (f.target.empty()) {
        ++restarts;
        EXPECT_GE(f.at_ms, 36000);
        EXPECT_LE(f.at_ms, 54000 + 6000 + 2000);  // the first fault at or after its time
      } else if (kills++ < 5) {
        first_round.insert(f.target);
      }
    }
    EXPECT_EQ(restarts, 1) << "seed " << seed;
    EXPECT_EQ(first_round.size(), 5u) << "seed " << seed;
  }
}

TEST(FaultSchedule, RefusesARunTooShortForTheRestart) {
  EXPECT_THROW(make_schedule(spec_of(1, {"c1"}, 3000)), std::runtime_error);
  EXPECT_THROW(make_schedule(spec_of(1, {}, 90000)), std::runtime_error);
}
