// SPDX-License-Identifier: PostgreSQL
// Consumer settings on the server (pgq.set_consumer_config and
// pgq.get_consumer_config, pgqpp 1.2 and later), shared by
// `pgqpp consumer-config` and `pgqpp register --max-batch-events`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pgqpp/connection.hpp>
#include <pgqpp/transaction.hpp>

namespace pgqpp::cli {

/// Throws Failure (saying which version has them) unless the database's
/// pgq schema has consumer settings.
void require_consumer_config(Connection& db);

/// Sets `key` of the consumer to `value`, or unsets it (nullopt), in `tx`.
void set_consumer_setting(Transaction& tx, const std::string& queue, const std::string& consumer,
                          const std::string& key, std::optional<std::int32_t> value);

/// The consumer's settings as consumer_settings() lists them: each value,
/// nullopt when unset.
std::vector<std::optional<std::int32_t>> read_consumer_settings(Connection& db,
                                                                const std::string& queue,
                                                                const std::string& consumer);

}  // namespace pgqpp::cli
