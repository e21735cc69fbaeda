// COPY text format: fields split by tab, rows end with newline, NULL is \N,
// and backslash escapes stand for the tab, newline and backslash a value
// holds (https://www.postgresql.org/docs/15/sql-copy.html, "Text Format").
#include "text/copy_row.hpp"

#include <cstring>

namespace pgqpp::text {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_octal(char c) noexcept { return c >= '0' && c <= '7'; }

// Decodes the escapes of [begin, end) in place; returns the decoded length.
std::size_t unescape(char* begin, char* end) noexcept {
  char* out = begin;
  for (char* in = begin; in < end;) {
    if (*in != '\\' || in + 1 == end) {
      *out++ = *in++;
      continue;
    }
    char c = in[1];
    in += 2;
    switch (c) {
      case 'b': *out++ = '\b'; break;
      case 'f': *out++ = '\f'; break;
      case 'n': *out++ = '\n'; break;
      case 'r': *out++ = '\r'; break;
      case 't': *out++ = '\t'; break;
      case 'v': *out++ = '\v'; break;
      case 'x': {
        int value = 0, digits = 0;
        for (int h; digits < 2 && in < end && (h = hex_value(*in)) >= 0; ++in, ++digits)
          value = value * 16 + h;
        // "\x" without hex digits is a plain "x", as the server reads it.
        *out++ = digits ? static_cast<char>(value) : 'x';
        break;
      }
      default:
        if (is_octal(c)) {
          int value = c - '0';
          for (int digits = 1; digits < 3 && in < end && is_octal(*in); ++in, ++digits)
            value = value * 8 + (*in - '0');
          *out++ = static_cast<char>(value);
        } else {
          *out++ = c;  // \\ and any other escaped character stand for themselves
        }
    }
  }
  return static_cast<std::size_t>(out - begin);
}

}  // namespace

bool split_copy_row(char* row, std::size_t len,
                    std::span<std::optional<std::string_view>> fields) noexcept {
  if (len > 0 && row[len - 1] == '\n') --len;
  char* const row_end = row + len;
  char* pos = row;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    char* tab = static_cast<char*>(std::memchr(pos, '\t', static_cast<std::size_t>(row_end - pos)));
    char* end = tab ? tab : row_end;
    if ((tab == nullptr) != (i + 1 == fields.size())) return false;  // too few or too many
    std::size_t n = static_cast<std::size_t>(end - pos);
    if (n == 2 && pos[0] == '\\' && pos[1] == 'N') {
      fields[i] = std::nullopt;
    } else if (std::memchr(pos, '\\', n) == nullptr) {
      fields[i] = std::string_view(pos, n);
    } else {
      fields[i] = std::string_view(pos, unescape(pos, end));
    }
    pos = end + 1;
  }
  return true;
}

}  // namespace pgqpp::text
