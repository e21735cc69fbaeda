// SPDX-License-Identifier: PostgreSQL
// Command-line options of the fault harness: "--name value" pairs.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pgqpp::fault {

/// The "--name value" options of one role, read once and queried by name.
/// A bad or missing value throws std::runtime_error naming the option, so
/// every role reports wrong input with one clear line.
class Args {
 public:
  /// Parses argv[first..argc); every option must be "--name value".
  Args(int argc, char** argv, int first);
  /// The value of --name; throws when it is missing.
  std::string text(const std::string& name) const;
  /// The value of --name, or `fallback` when it was not given.
  std::string text(const std::string& name, const std::string& fallback) const;
  /// The integer value of --name, or `fallback` when it was not given.
  std::int64_t integer(const std::string& name, std::int64_t fallback) const;
  /// The integer value of --name; throws when it is missing.
  std::int64_t integer(const std::string& name) const;
  /// Every value of a repeated --name, in order.
  std::vector<std::string> all(const std::string& name) const;

 private:
  std::multimap<std::string, std::string> values_;
};

}  // namespace pgqpp::fault
