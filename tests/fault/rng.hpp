// SPDX-License-Identifier: PostgreSQL
// The harness's seeded random choices.
#pragma once
#include <cstdint>
#include <random>

namespace pgqpp::fault {

/// A seeded generator whose choices are the same for the same seed on every
/// platform: std::mt19937_64's output is fixed by the standard, and the
/// mapping to ranges below is our own (the standard distributions are not).
class Rng {
 public:
  /// A generator for `seed`, separated per `stream` (a producer's id, ...),
  /// so that two roles with one seed make independent choices.
  Rng(std::uint64_t seed, std::uint64_t stream) : engine_(seed * 1000003u + stream * 7919u + 17u) {}
  /// A number in [lo, hi] (hi >= lo).
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(engine_() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  /// True with probability `percent` / 100.
  bool percent(int percent) { return between(0, 99) < percent; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace pgqpp::fault
