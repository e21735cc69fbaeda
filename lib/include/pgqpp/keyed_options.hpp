// SPDX-License-Identifier: PostgreSQL
// How a keyed consumer spreads a batch's events over worker threads.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "pgqpp/event.hpp"

namespace pgqpp {

/// The settings of keyed parallelism (KeyedConsumer,
/// ExactlyOnceConsumer::run_keyed): `workers` threads call the handler;
/// events whose `key` is equal are handled one at a time in batch order,
/// events of different keys at the same time. The key function is required
/// (there is no key every application would want: use the entity the
/// events are about, e.g. `std::string(ev.extra1.value_or(""))` for
/// pgqpp's table triggers, or the data's account id); it runs on the
/// reading thread and must not keep the Event's views.
struct KeyedOptions {
  /// Worker threads calling the handler (1 to 1024).
  int workers = 4;
  /// The key of an event. Required.
  std::function<std::string(const Event&)> key;
  /// How many events the reader keeps ahead of the handlers at most (queued
  /// or being handled; each a copy in memory). Reading waits at that many.
  std::size_t max_in_flight = 1024;
};

}  // namespace pgqpp
