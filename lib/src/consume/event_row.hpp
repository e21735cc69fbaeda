// SPDX-License-Identifier: PostgreSQL
// The ten columns of a batch row, as an Event.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "pgqpp/event.hpp"

namespace pgqpp::detail {

/// Columns of pgq.get_batch_events() and pgq.batch_event_sql(), in order.
inline constexpr std::size_t event_columns = 10;
using EventFields = std::span<const std::optional<std::string_view>, event_columns>;

/// Fills `ev` from a row's fields in binary format (text views are kept,
/// not copied). Throws sql_error when a column the queue never leaves NULL
/// is NULL or a value has the wrong size: the statement was not a batch
/// query.
void event_from_fields(EventFields fields, Event& ev);

/// sql_error saying a batch row was not what a batch query returns.
[[noreturn]] void throw_bad_batch_row(const std::string& what);

}  // namespace pgqpp::detail
