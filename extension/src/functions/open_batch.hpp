// SPDX-License-Identifier: PostgreSQL
// What a batch is made of: its subscription, and the SQL that reads its
// events. Shared by get_batch_events, get_batch_cursor, batch_event_sql,
// event_retry and batch_retry. Call inside an open spi::Session.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/batch_query.hpp"
#include "pg/postgres.hpp"

namespace pgqpp::ext {

struct OpenBatch {
  int32 sub_id = 0;
  int32 queue_id = 0;
  std::vector<std::string> tables;  // event tables that may hold the events
  core::BatchFilter filter;         // the tick interval's transactions
  core::IdWindow window;            // a bounded batch's ev_id window, else empty
  std::string events_sql;           // SELECT of the batch's events, ev_id order
};

/// Loads open batch `batch_id`; nullopt if no subscription has it open.
/// `extra_where` (may be empty) filters the events further. A bounded batch
/// (pgq.consumer_config holds a window for it) holds only its window's events.
std::optional<OpenBatch> load_open_batch(int64 batch_id, const std::string& extra_where = {});

}  // namespace pgqpp::ext
