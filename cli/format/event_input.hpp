// SPDX-License-Identifier: PostgreSQL
// How `pgqpp produce --json` reads one line of input into an event. Pure
// functions (no I/O), unit-tested in tests/unit/cli_event_input_test.cpp.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <pgqpp/new_event.hpp>

namespace pgqpp::cli {

/// A line of input that is not a valid event; what() says why, without the
/// line number (the caller adds it).
class BadInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One plain line as an event: the line is the data, `type` the type.
/// Throws BadInput when the line holds a NUL byte, which PostgreSQL's text
/// cannot store (libpq would cut the value short there).
NewEvent plain_event(std::string_view line, const std::string& type);

/// Parses one JSON line: an object with "type" (a string; `default_type`
/// when missing), "data" (required: a string is stored as it is, any other
/// JSON value except null as its JSON text), "extra1".."extra4" (optional;
/// null is NULL, a string as it is, anything else as its JSON text). The keys
/// `pgqpp tail --json` adds (id, time, txid, retry) are ignored; any other key
/// is an error, to catch misspellings. Returns nullopt for a blank line.
/// Throws BadInput for anything else, including a number out of range
/// (1e400) and a string holding \u0000 (PostgreSQL's text has no NUL).
std::optional<NewEvent> parse_json_event(std::string_view line, const std::string& default_type);

}  // namespace pgqpp::cli
