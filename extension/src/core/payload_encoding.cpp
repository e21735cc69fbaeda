// SPDX-License-Identifier: PostgreSQL
// Payload encoders: see payload_encoding.hpp.
#include "core/payload_encoding.hpp"

#include <cstring>

namespace pgqpp::ext::core {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// What URL encoding does with each byte: 0 keep, 1 '+', 2 %xx. A table,
// because a 20-column row runs every byte of every value through it.
struct UrlTable {
  unsigned char action[256];
  constexpr UrlTable() : action() {
    for (int c = 0; c < 256; ++c) {
      bool keep = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  c == '_' || c == '.' || c == '-';
      action[c] = keep ? 0 : c == ' ' ? 1 : 2;
    }
  }
};
constexpr UrlTable kUrl;

// The JSON escape of control byte c, or nullptr when it takes the \u00xx form.
const char* json_short_escape(unsigned char c) {
  switch (c) {
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      return nullptr;
  }
}

template <typename Encode>
std::string encoded(std::string_view text, std::size_t max, Encode encode) {
  std::string out(max, '\0');
  out.resize(encode(text.data(), text.size(), out.data()));
  return out;
}

}  // namespace

std::size_t url_encode(const char* src, std::size_t n, char* dst) noexcept {
  char* p = dst;
  for (std::size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(src[i]);
    switch (kUrl.action[c]) {
      case 0:
        *p++ = static_cast<char>(c);
        break;
      case 1:
        *p++ = '+';
        break;
      default:
        *p++ = '%';
        *p++ = kHex[c >> 4];
        *p++ = kHex[c & 15];
    }
  }
  return static_cast<std::size_t>(p - dst);
}

std::size_t sql_literal(const char* src, std::size_t n, char* dst) noexcept {
  char* p = dst;
  if (std::memchr(src, '\\', n) != nullptr) *p++ = 'E';
  *p++ = '\'';
  for (std::size_t i = 0; i < n; ++i) {
    char c = src[i];
    if (c == '\'' || c == '\\') *p++ = c;
    *p++ = c;
  }
  *p++ = '\'';
  return static_cast<std::size_t>(p - dst);
}

std::size_t json_string(const char* src, std::size_t n, char* dst) noexcept {
  char* p = dst;
  *p++ = '"';
  for (std::size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(src[i]);
    if (c == '"' || c == '\\') {
      *p++ = '\\';
      *p++ = static_cast<char>(c);
    } else if (c >= 0x20) {
      *p++ = static_cast<char>(c);
    } else if (const char* esc = json_short_escape(c)) {
      *p++ = esc[0];
      *p++ = esc[1];
    } else {
      std::memcpy(p, "\\u00", 4);
      p += 4;
      *p++ = kHex[c >> 4];
      *p++ = kHex[c & 15];
    }
  }
  *p++ = '"';
  return static_cast<std::size_t>(p - dst);
}

std::string sql_identifier(std::string_view name, KeywordClass keyword, bool quote_all) {
  bool safe = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) safe = false;
  }
  if (keyword == KeywordClass::kReserved) safe = false;
  if (safe && !quote_all) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string url_encoded(std::string_view text) {
  return encoded(text, url_encode_max(text.size()), url_encode);
}

std::string sql_literal(std::string_view text) {
  return encoded(
      text, sql_literal_max(text.size()),
      static_cast<std::size_t (*)(const char*, std::size_t, char*) noexcept>(sql_literal));
}

std::string json_string(std::string_view text) {
  return encoded(
      text, json_string_max(text.size()),
      static_cast<std::size_t (*)(const char*, std::size_t, char*) noexcept>(json_string));
}

}  // namespace pgqpp::ext::core
