// Reading timestamptz values in the ISO output format.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace pgqpp::text {

/// Parses a timestamptz as the server prints it with DateStyle ISO:
/// "2024-05-06 07:08:09.123456+00", the fraction optional, the offset as
/// +HH, +HH:MM or +HH:MM:SS. Returns nullopt for anything else (BC dates,
/// 'infinity', other DateStyles).
std::optional<std::chrono::system_clock::time_point> parse_iso_timestamp(std::string_view text);

}  // namespace pgqpp::text
