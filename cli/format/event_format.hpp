// SPDX-License-Identifier: PostgreSQL
// How `pgqpp tail` shows an event: one readable line, or one JSON object.
// Pure functions (no I/O), unit-tested in tests/unit/cli_event_format_test.cpp.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <pgqpp/event.hpp>

namespace pgqpp::cli {

/// `time` as ISO 8601 in UTC with `digits` fractional digits (3 or 6), for
/// example "2026-11-25T11:50:01.123Z".
std::string format_utc(std::chrono::system_clock::time_point time, int digits);

/// One line for a person: "ID TIME TYPE DATA", then "extraN=..." for each
/// extra that is not NULL and "retry=N" for a retried event; no newline.
/// With `colour`, ANSI escapes set the id and time dim and the type bold.
std::string format_event_line(const Event& event, bool colour);

/// One JSON object (no newline) with the keys id, time, txid, retry, type,
/// data, extra1..extra4 (NULL fields are null). Its type, data and extras
/// are what `pgqpp produce --json` reads, which ignores the other keys, so
/// `tail --json | produce --json` copies events between queues. Invalid
/// UTF-8 is replaced by U+FFFD.
std::string format_event_json(const Event& event);

}  // namespace pgqpp::cli
