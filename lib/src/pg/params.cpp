// SPDX-License-Identifier: PostgreSQL
#include "pg/params.hpp"

namespace pgqpp::detail {

PackedParams::PackedParams(std::span<const Param> params) {
  std::size_t bytes = 0;
  for (const Param& p : params) bytes += p.text().size() + 1;
  buffer_.reserve(bytes);
  std::vector<std::size_t> offsets;
  offsets.reserve(params.size());
  for (const Param& p : params) {
    offsets.push_back(buffer_.size());
    buffer_.append(p.text());
    buffer_.push_back('\0');
  }
  // Pointers only after the last append: the buffer no longer moves.
  values_.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i)
    values_.push_back(params[i].is_null() ? nullptr : buffer_.data() + offsets[i]);
}

}  // namespace pgqpp::detail
