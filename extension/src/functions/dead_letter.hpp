// SPDX-License-Identifier: PostgreSQL
// Dead letters: events one consumer gave up on, kept in pgq.dead_letter
// until replayed or purged (the SQL side is in sql/72_dead_letters.sql).
// Used by event_dead and by the retry functions once an event has been
// retried max_retries times. Call inside an open spi::Session.
#pragma once

#include <optional>
#include <string>

#include "functions/open_batch.hpp"
#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// The queue's max_retries setting (pgq.queue_config), or nullopt when it is
/// unset: retry forever, as PgQ does.
std::optional<int32> queue_max_retries(int32 queue_id);

/// Moves the events of batch `b` that satisfy `condition` (an SQL condition
/// on alias e, never empty) into the batch consumer's dead letters with
/// `reason`, skipping events already dead or waiting in the retry queue.
/// Returns how many it moved.
uint64 bury_events(const OpenBatch& b, const std::string& condition, const std::string& reason);

}  // namespace pgqpp::ext
