// SPDX-License-Identifier: PostgreSQL
// Building PostgreSQL array literals, for array parameters.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pgqpp::text {

/// Accumulates the text form of a one-dimensional array, e.g.
/// {"a","b \"q\"",NULL}: every element is quoted, so no content (commas,
/// braces, spaces, the word NULL) can change its meaning.
class ArrayLiteral {
 public:
  /// Reserves room for about `bytes` bytes of elements.
  explicit ArrayLiteral(std::size_t bytes = 0);
  /// Appends an element (nullopt: NULL).
  void add(std::optional<std::string_view> element);
  /// Elements added so far.
  std::size_t size() const noexcept { return size_; }
  /// The literal; the builder is empty afterwards.
  std::string finish();

 private:
  std::string text_;
  std::size_t size_ = 0;
};

}  // namespace pgqpp::text
