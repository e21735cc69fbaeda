// SPDX-License-Identifier: PostgreSQL
// The at-least-once consumer loop.
#pragma once

#include <functional>

#include "consume/batch_reader.hpp"
#include "consume/batch_source.hpp"

namespace pgqpp::detail {

/// Loops until a stop (or, with stop_when_idle, until no batch is ready):
/// next batch, `process` (which reads it through the reader), finish. A lost
/// connection is reopened; a batch whose events were all handled is then
/// only finished, a half-read one continues where it was. An exception from
/// `process` leaves the batch unfinished and propagates.
void run_consumer_loop(BatchSource& source, const std::function<void(BatchReader&)>& process);

}  // namespace pgqpp::detail
