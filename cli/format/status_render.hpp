// SPDX-License-Identifier: PostgreSQL
// The two forms of a status snapshot: the aligned table people read and the
// JSON document scripts read (its shape is documented in docs/cli.md and
// checked against tests/cli/status.schema.json by the tests).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "status_model.hpp"

namespace pgqpp::cli {

/// The version of the JSON shape, in its "format" field: raised only when a
/// field changes meaning or goes away (new fields may appear in any version).
inline constexpr int status_json_format = 1;

/// The snapshot as JSON (see docs/cli.md, "status --json").
nlohmann::json status_json(const StatusSnapshot& snapshot);

/// The snapshot as text: a heading line, the queue table, the consumer
/// table and the problems, if any. With `colour`, ANSI colours mark
/// headers, lagging consumers and late tickers.
std::string status_table(const StatusSnapshot& snapshot, bool colour);

}  // namespace pgqpp::cli
