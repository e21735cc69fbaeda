#include "text/timestamp.hpp"

#include <charconv>

namespace pgqpp::text {

namespace {

// Reads exactly `digits` decimal digits at `pos`.
bool read_fixed(std::string_view text, std::size_t& pos, int digits, int& out) {
  if (pos + static_cast<std::size_t>(digits) > text.size()) return false;
  const char* first = text.data() + pos;
  auto [end, ec] = std::from_chars(first, first + digits, out);
  if (ec != std::errc() || end != first + digits) return false;
  pos += static_cast<std::size_t>(digits);
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// "+HH", "+HH:MM" or "+HH:MM:SS" as seconds east of UTC.
std::optional<int> read_offset(std::string_view text, std::size_t& pos) {
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
  int sign = text[pos++] == '-' ? -1 : 1;
  int part = 0, seconds = 0;
  if (!read_fixed(text, pos, 2, part)) return std::nullopt;
  seconds = part * 3600;
  for (int scale : {60, 1}) {
    if (pos == text.size()) break;
    if (!expect(text, pos, ':') || !read_fixed(text, pos, 2, part)) return std::nullopt;
    seconds += part * scale;
  }
  return sign * seconds;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_iso_timestamp(std::string_view text) {
  using namespace std::chrono;
  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!read_fixed(text, pos, 4, y) || !expect(text, pos, '-') || !read_fixed(text, pos, 2, mo) ||
      !expect(text, pos, '-') || !read_fixed(text, pos, 2, d) || !expect(text, pos, ' ') ||
      !read_fixed(text, pos, 2, h) || !expect(text, pos, ':') || !read_fixed(text, pos, 2, mi) ||
      !expect(text, pos, ':') || !read_fixed(text, pos, 2, s))
    return std::nullopt;
  microseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    long value = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits)
      if (digits < 6) value = value * 10 + (text[pos] - '0');
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 6; ++i) value *= 10;
    fraction = microseconds(value);
  }
  auto offset = read_offset(text, pos);
  if (!offset || pos != text.size()) return std::nullopt;
  year_month_day date{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  auto local = sys_days(date) + hours(h) + minutes(mi) + seconds(s) + fraction;
  return time_point_cast<system_clock::duration>(local - seconds(*offset));
}

}  // namespace pgqpp::text
