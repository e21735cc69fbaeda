// Parsing one row of COPY's text format, in place.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace pgqpp::text {

/// Splits the row `row[0..len)` (with or without its final newline) into
/// exactly `fields.size()` tab-separated fields, decoding backslash escapes
/// in place (a decoded field is never longer than its escaped form, so the
/// buffer is reused). A field that is exactly \N becomes nullopt. Fields
/// without a backslash are views into `row` untouched: the common case costs
/// one scan. Returns false when the row has another number of fields.
bool split_copy_row(char* row, std::size_t len,
                    std::span<std::optional<std::string_view>> fields) noexcept;

}  // namespace pgqpp::text
