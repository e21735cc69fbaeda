// SPDX-License-Identifier: PostgreSQL
// The two ways to stop a consumer.
#pragma once

namespace pgqpp {

/// How a consumer stops.
enum class StopMode {
  none,         ///< keep running
  after_batch,  ///< finish the batch being processed, then return
  now,          ///< return as soon as the current event's handler returns; the
                ///< open batch stays unfinished and is delivered again later
};

}  // namespace pgqpp
