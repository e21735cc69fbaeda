// SPDX-License-Identifier: PostgreSQL
// Column lists in trigger arguments (ignore=, pkey=), read the way PgQ 3.5
// reads them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgqpp::ext::core {

/// The names in a list separated by commas and/or whitespace ("a,b",
/// "a, b", "a b"); empty items are dropped. Names are taken as written:
/// PgQ compares them with column names exactly, without case folding.
std::vector<std::string> split_names(std::string_view list);

/// The items between commas, kept verbatim (spaces included), as PgQ's
/// jsontriga lists a pkey= value in its ev_type; "" gives no items.
std::vector<std::string> split_on_commas(std::string_view list);

}  // namespace pgqpp::ext::core
