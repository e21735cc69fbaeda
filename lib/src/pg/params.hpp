// SPDX-License-Identifier: PostgreSQL
// Parameters in the form PQsendQueryParams takes them.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "pgqpp/param.hpp"

namespace pgqpp::detail {

/// Copies parameter texts into one buffer, each NUL-terminated (libpq reads
/// text parameters as C strings), and points `values` at them (NULL stays a
/// null pointer). One allocation for the texts, however many parameters.
class PackedParams {
 public:
  explicit PackedParams(std::span<const Param> params);
  int count() const noexcept { return static_cast<int>(values_.size()); }
  const char* const* values() const noexcept { return values_.data(); }

 private:
  std::string buffer_;
  std::vector<const char*> values_;
};

}  // namespace pgqpp::detail
