// SPDX-License-Identifier: PostgreSQL
// The spacing of woken ticks and the rate estimate behind it.
#include "core/tick_spacing.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace pgqpp::ext::core;

namespace {
const SpacingLimits kDefaults{5000, 500, 3000000};

// Ticks a queue receiving `rate` events per second, evenly spaced, every
// `spacing_us` for `seconds`; returns the estimate at the last tick.
double steady_estimate(double rate, std::int64_t spacing_us, double seconds) {
  RateEstimate r;
  double events = 0;
  std::int64_t now = 0;
  for (; now <= static_cast<std::int64_t>(seconds * 1e6); now += spacing_us) {
    r.note_tick(now, static_cast<std::int64_t>(events));
    events += rate * spacing_us / 1e6;
  }
  return r.events_per_second(now - spacing_us);
}
}  // namespace

TEST(TickSpacing, SparseEventsTickAtMinInterval) {
  EXPECT_EQ(tick_spacing_us(0, kDefaults), 5000);
  EXPECT_EQ(tick_spacing_us(100, kDefaults), 5000);
  EXPECT_EQ(tick_spacing_us(1000, kDefaults), 5000);  // five events per min_interval
}

TEST(TickSpacing, WidensWithTheSquareRootOfTheRate) {
  EXPECT_NEAR(tick_spacing_us(2000, kDefaults), 7071, 1);    // 5 ms * sqrt(10 / 5)
  EXPECT_NEAR(tick_spacing_us(10000, kDefaults), 15811, 1);  // 5 ms * sqrt(50 / 5)
  EXPECT_NEAR(tick_spacing_us(20000, kDefaults), 22360, 1);  // below 500 events' 25 ms
  EXPECT_LT(tick_spacing_us(4000, kDefaults), tick_spacing_us(8000, kDefaults));
}

TEST(TickSpacing, MaxCountForcesTicksAtHighRates) {
  EXPECT_EQ(tick_spacing_us(40000, kDefaults), 12500);   // 500 events
  EXPECT_EQ(tick_spacing_us(100000, kDefaults), 5000);   // 500 events in 5 ms
  EXPECT_EQ(tick_spacing_us(1000000, kDefaults), 5000);  // never below min_interval
  SpacingLimits big_batches{5000, 100000, 3000000};
  EXPECT_NEAR(tick_spacing_us(40000, big_batches), 31622, 1);  // sqrt rule only
}

TEST(TickSpacing, MaxLagCapsTheSpacing) {
  SpacingLimits short_lag{5000, 0, 20000};  // max_count 0: no count limit
  EXPECT_EQ(tick_spacing_us(40000, short_lag), 20000);
  SpacingLimits lag_below_min{5000, 0, 1000};
  EXPECT_EQ(tick_spacing_us(40000, lag_below_min), 5000);
}

TEST(TickSpacing, MinIntervalZeroTicksAtOnce) {
  EXPECT_EQ(tick_spacing_us(1e6, SpacingLimits{0, 500, 3000000}), 0);
}

TEST(TickSpacing, WidensWithTheLaggingConsumersBeyondFive) {
  auto with = [](double busy) {
    SpacingLimits l = kDefaults;
    l.lagging_consumers = busy;
    return l;
  };
  EXPECT_EQ(tick_spacing_us(100, with(1)), 5000);
  EXPECT_EQ(tick_spacing_us(100, with(5)), 5000);
  EXPECT_EQ(tick_spacing_us(100, with(10)), 10000);
  EXPECT_EQ(tick_spacing_us(100, with(100)), 100000);
  EXPECT_EQ(tick_spacing_us(0, with(100)), 100000);  // no rate known yet
  // The wider of the two rules: the rate's at 10,000 ev/s is 15.8 ms.
  EXPECT_NEAR(tick_spacing_us(10000, with(10)), 15811, 1);
  EXPECT_EQ(tick_spacing_us(10000, with(50)), 50000);
  // max_count and max_lag still force ticks, as in PgQ.
  EXPECT_EQ(tick_spacing_us(40000, with(100)), 12500);    // 500 events
  EXPECT_EQ(tick_spacing_us(100, with(10000)), 3000000);  // max_lag: 3 s
  SpacingLimits no_min{0, 500, 3000000, 100};
  EXPECT_EQ(tick_spacing_us(1e6, no_min), 0);  // min_interval 0: no spacing at all
}

TEST(LaggingConsumers, TheHighestCountSeenLatelyDecaying) {
  LaggingConsumers b;
  EXPECT_EQ(b.at(0), 0);
  b.note_tick(0, 100);
  EXPECT_EQ(b.at(0), 100);
  // A tick that finds everyone caught up 80 ms later keeps most of it.
  b.note_tick(80000, 0);
  EXPECT_NEAR(b.at(80000), 100 * std::exp(-0.08), 0.01);
  // A higher count replaces it at once.
  b.note_tick(90000, 120);
  EXPECT_EQ(b.at(90000), 120);
  // Gone after a few seconds without lagging consumers.
  EXPECT_LT(b.at(5090000), 1);
}

TEST(RateEstimate, UnknownUntilTheSecondTick) {
  RateEstimate r;
  EXPECT_EQ(r.events_per_second(0), 0);
  r.note_tick(0, 1000);  // the starting point, not 1000 events
  EXPECT_EQ(r.events_per_second(0), 0);
  r.note_tick(10000, 1010);
  EXPECT_GT(r.events_per_second(10000), 0);
}

TEST(RateEstimate, ConvergesToASteadyRate) {
  EXPECT_NEAR(steady_estimate(100, 10000, 3), 100, 5);
  EXPECT_NEAR(steady_estimate(40000, 12500, 3), 40000, 2000);
}

TEST(RateEstimate, DecaysWhenTheQueueGoesQuiet) {
  RateEstimate r;
  for (std::int64_t t = 0, seq = 0; t <= 2000000; t += 10000, seq += 400) r.note_tick(t, seq);
  double busy = r.events_per_second(2000000);
  EXPECT_GT(busy, 30000);
  // One second later the estimate is e^-4 of it: back below one event per
  // min_interval, so a lone event ticks at once again.
  EXPECT_LT(r.events_per_second(3000000), busy * 0.02);
  EXPECT_EQ(tick_spacing_us(r.events_per_second(3500000), kDefaults), 5000);
}

TEST(RateEstimate, SequenceGoingBackStartsOver) {
  RateEstimate r;
  r.note_tick(0, 0);
  r.note_tick(10000, 5000);
  EXPECT_GT(r.events_per_second(10000), 0);
  r.note_tick(20000, 10);  // another queue now, or a re-created one
  EXPECT_EQ(r.events_per_second(20000), 0);
}

// The latency target's case: 100 Poisson events per second, each ticked as
// soon as min_interval allows, never looks fast enough to widen the spacing.
TEST(RateEstimate, PoissonAtOneHundredPerSecondKeepsMinInterval) {
  std::mt19937_64 rng(42);
  std::exponential_distribution<double> gap(100.0 / 1e6);  // per microsecond
  RateEstimate r;
  double arrival = 0;
  std::int64_t last_tick = -1000000, seq = 0;
  std::int64_t widest = 0;
  for (int i = 0; i < 20000; ++i) {
    arrival += gap(rng);
    std::int64_t now = static_cast<std::int64_t>(arrival);
    std::int64_t spacing = tick_spacing_us(r.events_per_second(now), kDefaults);
    widest = std::max(widest, spacing);
    std::int64_t tick_at = std::max(now, last_tick + spacing);
    ++seq;
    r.note_tick(tick_at, seq);
    last_tick = tick_at;
  }
  EXPECT_EQ(widest, 5000);
}
