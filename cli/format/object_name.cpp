// SPDX-License-Identifier: PostgreSQL
// The tool's name check (see object_name.hpp).
#include "object_name.hpp"

#include <stdexcept>
#include <string>

namespace pgqpp::cli {

void check_name(std::string_view kind, std::string_view name) {
  const std::string what(kind);
  if (name.empty()) throw std::invalid_argument(what + " name must not be empty");
  if (name.size() > max_name_bytes)
    throw std::invalid_argument(what + " name is too long (" + std::to_string(name.size()) +
                                " bytes; the limit is " + std::to_string(max_name_bytes) + ")");
}

}  // namespace pgqpp::cli
