// SPDX-License-Identifier: PostgreSQL
// How an exactly-once consumer records its progress.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "pgqpp/consumer_options.hpp"
#include "pgqpp/exactly_once_step.hpp"

namespace pgqpp {

/// The settings of an ExactlyOnceConsumer.
struct ExactlyOnceOptions {
  /// Queue, consumer name, batch limits, stop: as for a Consumer.
  ConsumerOptions consumer;
  /// The table in the target database that holds, per queue and consumer,
  /// the last batch applied there; created when missing. A plain or
  /// schema-qualified name of lower-case letters, digits and underscores.
  std::string progress_table = "pgqpp_consumer_progress";
  /// Called at each step of each batch with the batch id (for tests and
  /// tracing); may be empty.
  std::function<void(ExactlyOnceStep, std::int64_t batch_id)> on_step;
};

}  // namespace pgqpp
