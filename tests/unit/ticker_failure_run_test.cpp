// SPDX-License-Identifier: PostgreSQL
// The ticker's handling of a repeating failure: backoff and sparse logging.
#include "failure_run.hpp"

#include <gtest/gtest.h>

using namespace pgqpp::ticker;
using namespace std::chrono_literals;

namespace {
const FailureRun::Clock::time_point t0{};
const auto kQuiet = std::chrono::duration_cast<FailureRun::Clock::duration>(60s);
}  // namespace

TEST(FailureRun, HealthyJobWaitsItsPeriod) {
  FailureRun run;
  EXPECT_FALSE(run.failing());
  EXPECT_EQ(run.next_try(200ms), 200ms);
  EXPECT_EQ(run.succeeded(), 0);
}

TEST(FailureRun, BackoffDoublesFromOneSecondToThirty) {
  FailureRun run;
  std::vector<std::chrono::seconds> waits;
  for (int i = 0; i < 8; ++i) {
    run.failed(t0 + i * 1s, "permission denied", kQuiet);
    waits.push_back(std::chrono::duration_cast<std::chrono::seconds>(run.next_try(0s)));
  }
  EXPECT_EQ(waits, (std::vector<std::chrono::seconds>{1s, 2s, 4s, 8s, 16s, 30s, 30s, 30s}));
  // A period longer than the backoff is kept.
  EXPECT_EQ(run.next_try(120s), 120s);
}

TEST(FailureRun, ThousandsOfFailuresStayAtTheCap) {
  FailureRun run;
  for (int i = 0; i < 100000; ++i) run.failed(t0, "x", kQuiet);
  EXPECT_EQ(run.next_try(0s), 30s);
}

TEST(FailureRun, SameErrorLoggedOnceThenOncePerQuietPeriod) {
  FailureRun run;
  int logged = 0;
  // One failure a second for ten minutes.
  for (int i = 0; i < 600; ++i) logged += run.failed(t0 + i * 1s, "permission denied", kQuiet);
  EXPECT_EQ(logged, 10);  // at 0 s, 60 s, ... 540 s
  EXPECT_EQ(run.failures(), 600);
}

TEST(FailureRun, NewMessageIsLoggedAtOnce) {
  FailureRun run;
  EXPECT_TRUE(run.failed(t0, "permission denied", kQuiet));
  EXPECT_FALSE(run.failed(t0 + 1s, "permission denied", kQuiet));
  EXPECT_TRUE(run.failed(t0 + 2s, "invalid PgQ state", kQuiet));
  EXPECT_FALSE(run.failed(t0 + 3s, "invalid PgQ state", kQuiet));
}

TEST(FailureRun, SuccessEndsTheRunAndReportsIt) {
  FailureRun run;
  for (int i = 0; i < 5; ++i) run.failed(t0 + i * 1s, "x", kQuiet);
  EXPECT_EQ(run.succeeded(), 5);
  EXPECT_FALSE(run.failing());
  EXPECT_EQ(run.next_try(1s), 1s);
  // The next failure starts a new run: logged, backoff from 1 s.
  EXPECT_TRUE(run.failed(t0 + 6s, "x", kQuiet));
  EXPECT_EQ(run.next_try(0s), 1s);
}

TEST(FailureRun, CountInRepeatedLines) {
  EXPECT_EQ(with_count("permission denied", 1), "permission denied");
  EXPECT_EQ(with_count("permission denied", 61), "permission denied (61 failures in a row)");
}
