// SPDX-License-Identifier: PostgreSQL
#include "event_key.hpp"

#include <charconv>

namespace pgqpp::fault {

std::string event_key(int producer, std::int64_t seq) {
  return "p" + std::to_string(producer) + ":" + std::to_string(seq);
}

std::optional<std::uint64_t> pack_key(std::string_view text) {
  if (text.size() < 4 || text[0] != 'p') return std::nullopt;
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  int producer = 0;
  std::int64_t seq = 0;
  auto p = std::from_chars(text.data() + 1, text.data() + colon, producer);
  auto s = std::from_chars(text.data() + colon + 1, text.data() + text.size(), seq);
  if (p.ec != std::errc() || p.ptr != text.data() + colon || s.ec != std::errc() ||
      s.ptr != text.data() + text.size() || producer < 0 || producer > 0xffff || seq < 0 ||
      seq >= (std::int64_t(1) << 48))
    return std::nullopt;
  return pack_key(producer, seq);
}

std::string key_text(std::uint64_t packed) {
  return event_key(static_cast<int>(packed >> 48),
                   static_cast<std::int64_t>(packed & ((std::uint64_t(1) << 48) - 1)));
}

}  // namespace pgqpp::fault
