// SPDX-License-Identifier: PostgreSQL
// payload_preview (payload_preview.hpp).
#include "payload_preview.hpp"

#include <cstdio>
#include <string>

namespace pgqpp::cli {

namespace {

// The length of the valid UTF-8 sequence starting at s[i], 0 if invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80           ? 1
                  : (b >> 5) == 0x6  ? 2
                  : (b >> 4) == 0xe  ? 3
                  : (b >> 3) == 0x1e ? 4
                                     : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  return n;
}

bool is_text(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f) return false;
    const std::size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string escaped_bytes(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f && b != '\\') {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      out += buf;
    }
  }
  return out;
}

}  // namespace

nlohmann::json payload_preview(std::optional<std::string_view> payload, std::size_t limit) {
  if (!payload) return nullptr;
  const std::string_view p = *payload;
  const bool binary = !is_text(p);
  std::size_t cut = std::min(limit, p.size());
  if (!binary)  // back to the start of a character
    while (cut > 0 && cut < p.size() && (static_cast<unsigned char>(p[cut]) >> 6) == 0x2) --cut;
  const std::string_view head = p.substr(0, cut);
  return {{"text", binary ? escaped_bytes(head) : std::string(head)},
          {"bytes", p.size()},
          {"truncated", cut < p.size()},
          {"binary", binary}};
}

}  // namespace pgqpp::cli
