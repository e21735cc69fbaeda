// SPDX-License-Identifier: PostgreSQL
// Snapshot parsing and visibility: see snapshot.hpp.
#include "core/snapshot.hpp"

#include <algorithm>
#include <charconv>

namespace pgqpp::ext::core {

bool Snapshot::sees(Txid txid) const {
  if (txid < xmin) return true;
  if (txid >= xmax) return false;
  return !std::binary_search(xip.begin(), xip.end(), txid);
}

static bool parse_number(std::string_view& text, Txid& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || ptr == text.data()) return false;
  text.remove_prefix(static_cast<std::size_t>(ptr - text.data()));
  return true;
}

static bool expect(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

std::optional<Snapshot> parse_snapshot(std::string_view text) {
  Snapshot s;
  if (!parse_number(text, s.xmin) || !expect(text, ':') || !parse_number(text, s.xmax) ||
      !expect(text, ':'))
    return std::nullopt;
  while (!text.empty()) {
    Txid id = 0;
    if (!parse_number(text, id)) return std::nullopt;
    s.xip.push_back(id);
    if (text.empty()) break;
    if (!expect(text, ',') || text.empty()) return std::nullopt;
  }
  if (s.xmin > s.xmax) return std::nullopt;
  std::sort(s.xip.begin(), s.xip.end());
  return s;
}

}  // namespace pgqpp::ext::core
