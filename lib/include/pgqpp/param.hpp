// SPDX-License-Identifier: PostgreSQL
// A statement parameter: text or NULL.
#pragma once

#include <algorithm>
#include <charconv>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pgqpp {

/// One parameter of a statement, sent as text (the server casts it to the
/// parameter's type) or as NULL. A Param only views the text it is made
/// from, so that text must outlive the call it is passed to; integers are
/// formatted into the Param itself.
class Param {
 public:
  /// SQL NULL.
  Param(std::nullptr_t) noexcept {}
  /// SQL NULL.
  Param(std::nullopt_t) noexcept {}
  /// The given text.
  Param(std::string_view text) noexcept : text_(text), null_(false) {}
  /// The given text; a null pointer is SQL NULL.
  Param(const char* text) noexcept {
    if (text) *this = Param(std::string_view(text));
  }
  /// The given text.
  Param(const std::string& text) noexcept : Param(std::string_view(text)) {}
  /// The text, or NULL when empty.
  Param(const std::optional<std::string_view>& text) noexcept {
    if (text) *this = Param(*text);
  }
  /// The text, or NULL when empty.
  Param(const std::optional<std::string>& text) noexcept {
    if (text) *this = Param(std::string_view(*text));
  }
  /// An integer, in decimal.
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>) Param(T value)
  noexcept : null_(false) {
    auto end = std::to_chars(digits_, digits_ + sizeof digits_, value).ptr;
    digits_len_ = static_cast<unsigned char>(end - digits_);
  }
  /// A boolean, as the server spells it.
  Param(bool value) noexcept : Param(value ? "true" : "false") {}

  /// A copy (integers are copied, texts still viewed).
  Param(const Param& other) noexcept { *this = other; }
  /// See the copy constructor.
  Param& operator=(const Param& other) noexcept {
    null_ = other.null_;
    digits_len_ = other.digits_len_;
    std::copy(other.digits_, other.digits_ + sizeof digits_, digits_);
    text_ = digits_len_ ? std::string_view() : other.text_;
    return *this;
  }

  /// True for SQL NULL.
  bool is_null() const noexcept { return null_; }
  /// The text sent to the server (empty for NULL).
  std::string_view text() const noexcept {
    return digits_len_ ? std::string_view(digits_, digits_len_) : text_;
  }

 private:
  std::string_view text_;
  char digits_[24] = {};
  unsigned char digits_len_ = 0;
  bool null_ = true;
};

}  // namespace pgqpp
