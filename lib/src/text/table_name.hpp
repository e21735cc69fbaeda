// SPDX-License-Identifier: PostgreSQL
// Table names given in options, made safe to put into SQL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pgqpp::text {

/// `name` or `schema.name`, each part lower-case letters, digits and
/// underscores, not starting with a digit, at most 63 bytes: returns it
/// quoted ("schema"."name"), or nullopt when it breaks these rules.
std::optional<std::string> quoted_table_name(std::string_view name);

}  // namespace pgqpp::text
