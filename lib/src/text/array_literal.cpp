// SPDX-License-Identifier: PostgreSQL
// Array literal syntax: https://www.postgresql.org/docs/15/arrays.html#ARRAYS-IO
// Inside double quotes only `"` and `\` need a backslash.
#include "text/array_literal.hpp"

namespace pgqpp::text {

ArrayLiteral::ArrayLiteral(std::size_t bytes) {
  text_.reserve(bytes + 2);
  text_.push_back('{');
}

void ArrayLiteral::add(std::optional<std::string_view> element) {
  if (size_++ > 0) text_.push_back(',');
  if (!element) {
    text_.append("NULL");
    return;
  }
  text_.push_back('"');
  for (char c : *element) {
    if (c == '"' || c == '\\') text_.push_back('\\');
    text_.push_back(c);
  }
  text_.push_back('"');
}

std::string ArrayLiteral::finish() {
  text_.push_back('}');
  std::string out = std::move(text_);
  text_.assign(1, '{');
  size_ = 0;
  return out;
}

}  // namespace pgqpp::text
