// SPDX-License-Identifier: PostgreSQL
// An event to insert into a queue.
#pragma once

#include <optional>
#include <string>

namespace pgqpp {

/// What a producer writes: the fields of pgq.insert_event(). The queue gives
/// the event its id, time and transaction id.
struct NewEvent {
  std::string type = {};  ///< ev_type: what kind of event (consumers dispatch on it)
  std::string data = {};  ///< ev_data: the payload
  std::optional<std::string> extra1 =
      std::nullopt;  ///< ev_extra1 (PgQ's triggers put the table name here)
  std::optional<std::string> extra2 = std::nullopt;  ///< ev_extra2
  std::optional<std::string> extra3 = std::nullopt;  ///< ev_extra3
  std::optional<std::string> extra4 = std::nullopt;  ///< ev_extra4
};

}  // namespace pgqpp
