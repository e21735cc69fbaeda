// SPDX-License-Identifier: PostgreSQL
// The unique key every test event carries in ev_data: "p<producer>:<seq>".
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgqpp::fault {

/// The text key of event `seq` of producer `producer`, e.g. "p3:1042".
std::string event_key(int producer, std::int64_t seq);

/// The key packed into one integer (producer in the top 16 bits), so that
/// millions of keys sort and compare cheaply; nullopt when `text` is not a
/// key.
std::optional<std::uint64_t> pack_key(std::string_view text);

/// The packed key of (producer, seq).
constexpr std::uint64_t pack_key(int producer, std::int64_t seq) {
  return (static_cast<std::uint64_t>(producer) << 48) | static_cast<std::uint64_t>(seq);
}

/// A packed key back in its text form.
std::string key_text(std::uint64_t packed);

}  // namespace pgqpp::fault
