// SPDX-License-Identifier: PostgreSQL
// One event of a batch, as a consumer sees it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pgqpp {

/// An event handed to a consumer's handler: the columns of
/// pgq.get_batch_events(). The text fields are views into the library's
/// read buffer, valid until the handler returns (or, when iterating a
/// Batch, until the iterator advances): copy what must live longer.
struct Event {
  std::int64_t id = 0;                ///< ev_id: unique in the queue, rising with insert order
  std::int64_t txid = 0;              ///< ev_txid: the producing transaction's id
  std::optional<std::int32_t> retry;  ///< ev_retry: how often it was retried (nullopt: never)
  std::chrono::system_clock::time_point time;  ///< ev_time: when it was inserted
  std::optional<std::string_view> type;        ///< ev_type
  std::optional<std::string_view> data;        ///< ev_data
  std::optional<std::string_view> extra1;      ///< ev_extra1
  std::optional<std::string_view> extra2;      ///< ev_extra2
  std::optional<std::string_view> extra3;      ///< ev_extra3
  std::optional<std::string_view> extra4;      ///< ev_extra4
};

}  // namespace pgqpp
