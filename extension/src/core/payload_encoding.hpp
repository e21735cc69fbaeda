// SPDX-License-Identifier: PostgreSQL
// Byte-level encoders for the change-capture triggers' payloads, writing
// exactly what PgQ 3.5's triggers write: URL encoding (logutriga), SQL
// literals and identifiers (sqltriga), JSON strings (jsontriga).
//
// They work on bytes, not characters: every PostgreSQL server encoding
// represents ASCII characters by single ASCII bytes and uses bytes >= 0x80
// for everything else, so no multibyte character contains a quote, a
// backslash or a control byte, and those bytes pass through unchanged.
//
// The raw encoders write into a caller-supplied buffer of at least the
// matching *_max() bytes and return the length written (no terminator), so
// that the server side can append straight into its own string buffers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pgqpp::ext::core {

/// application/x-www-form-urlencoded as PgQ writes it: [A-Za-z0-9_.-] kept,
/// space as '+', every other byte as %xx with lower-case hex digits.
constexpr std::size_t url_encode_max(std::size_t n) { return 3 * n; }
std::size_t url_encode(const char* src, std::size_t n, char* dst) noexcept;

/// A SQL string literal: quotes doubled; a value containing a backslash is
/// written as an E'' literal with the backslashes doubled, so that it reads
/// the same whatever standard_conforming_strings says.
constexpr std::size_t sql_literal_max(std::size_t n) { return 2 * n + 3; }
std::size_t sql_literal(const char* src, std::size_t n, char* dst) noexcept;

/// A JSON string with its quotes: '"' and '\\' escaped, control bytes as
/// \b \f \n \r \t or \u00xx, everything else (UTF-8 included) as is.
constexpr std::size_t json_string_max(std::size_t n) { return 6 * n + 2; }
std::size_t json_string(const char* src, std::size_t n, char* dst) noexcept;

/// How the SQL parser knows a word: the caller looks it up in PostgreSQL's
/// keyword list (src/core has no access to it). kReserved stands for every
/// category but the unreserved one (column-name, type-or-function-name and
/// fully reserved keywords): those cannot always appear as bare names.
enum class KeywordClass { kNotKeyword, kUnreserved, kReserved };

/// A SQL identifier quoted the way PostgreSQL's quote_identifier() does: left
/// bare when it is a lower-case ASCII name ([a-z_][a-z0-9_]*) and no
/// keyword other than an unreserved one, unless quote_all is set
/// (quote_all_identifiers); otherwise in double quotes with '"' doubled.
std::string sql_identifier(std::string_view name, KeywordClass keyword, bool quote_all);

/// Convenience forms for cold paths and tests.
std::string url_encoded(std::string_view text);
std::string sql_literal(std::string_view text);
std::string json_string(std::string_view text);

}  // namespace pgqpp::ext::core
