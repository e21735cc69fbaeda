// SPDX-License-Identifier: PostgreSQL
#include "text/binary_copy.hpp"

#include "text/binary_value.hpp"

namespace pgqpp::text {

namespace {

// "PGCOPY\n\377\r\n\0", then int32 flags and int32 header-extension length.
constexpr std::string_view signature("PGCOPY\n\377\r\n\0", 11);

bool skip_header(std::string_view m, std::size_t& pos) {
  if (m.substr(0, signature.size()) != signature) return false;
  pos = signature.size();
  auto flags = be_int32(m.substr(pos, 4));
  auto ext = be_int32(m.substr(pos + 4, 4));
  // Bit 16 would mean OIDs are included; we never ask for them.
  if (!flags || !ext || (*flags & (1 << 16)) || *ext < 0) return false;
  pos += 8 + static_cast<std::size_t>(*ext);
  return pos <= m.size();
}

}  // namespace

CopyMessage parse_binary_copy(std::string_view m, bool& header_seen,
                              std::span<std::optional<std::string_view>> fields) noexcept {
  std::size_t pos = 0;
  if (!header_seen) {
    if (!skip_header(m, pos)) return CopyMessage::invalid;
    header_seen = true;
  }
  auto count = be_int16(m.substr(pos, 2));
  if (!count) return CopyMessage::invalid;
  pos += 2;
  if (*count == -1) return pos == m.size() ? CopyMessage::end : CopyMessage::invalid;
  if (static_cast<std::size_t>(*count) != fields.size()) return CopyMessage::invalid;
  for (auto& field : fields) {
    auto len = be_int32(m.substr(pos, 4));
    if (!len || *len < -1) return CopyMessage::invalid;
    pos += 4;
    if (*len == -1) {
      field = std::nullopt;
      continue;
    }
    if (m.size() - pos < static_cast<std::size_t>(*len)) return CopyMessage::invalid;
    field = m.substr(pos, static_cast<std::size_t>(*len));
    pos += static_cast<std::size_t>(*len);
  }
  return pos == m.size() ? CopyMessage::row : CopyMessage::invalid;
}

}  // namespace pgqpp::text
