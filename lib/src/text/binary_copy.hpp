// SPDX-License-Identifier: PostgreSQL
// Parsing COPY's binary format, one CopyData message at a time.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace pgqpp::text {

/// What one message of a binary COPY held.
enum class CopyMessage {
  row,      ///< a tuple: the fields are filled
  end,      ///< the trailer: no more tuples
  invalid,  ///< not the binary COPY format, or another number of fields
};

/// Parses one CopyData message of COPY ... TO STDOUT (FORMAT binary). The
/// server sends one tuple per message; the file header comes in front of
/// the first one (`header_seen` tracks it) and the trailer (field count -1)
/// alone at the end. Fields are views into `message` (nullopt for NULL), in
/// the binary form of their types.
/// https://www.postgresql.org/docs/15/sql-copy.html ("Binary Format")
CopyMessage parse_binary_copy(std::string_view message, bool& header_seen,
                              std::span<std::optional<std::string_view>> fields) noexcept;

}  // namespace pgqpp::text
