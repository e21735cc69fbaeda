// SPDX-License-Identifier: PostgreSQL
// Cooperative consumers in `pgqpp status`: the subconsumers (pgq_coop) of
// each consumer and the batches they hold open, as a table under the
// consumer table and as the "subconsumers" array of --json.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pgqpp::cli {

/// One subconsumer: the registration 'consumer.subconsumer' that shares
/// its consumer's subscription (pgq_coop.register_subconsumer).
struct SubconsumerStatus {
  std::string queue;
  std::string consumer;                          ///< the main consumer
  std::string subconsumer;                       ///< the part after 'consumer.'
  std::optional<double> last_seen;               ///< since its last batch or finish_batch
  std::optional<std::int64_t> open_batch_id;     ///< the batch it holds, if any
  std::optional<std::int64_t> batch_start_tick;  ///< the open batch's ticks
  std::optional<std::int64_t> batch_end_tick;
};

/// The subconsumers as the JSON array "subconsumers" (docs/cli.md).
nlohmann::json subconsumers_json(const std::vector<SubconsumerStatus>& subs);

/// The subconsumer table; empty text when there are none.
std::string subconsumer_table(const std::vector<SubconsumerStatus>& subs, bool colour);

}  // namespace pgqpp::cli
