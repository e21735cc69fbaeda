// SPDX-License-Identifier: PostgreSQL
#include "args.hpp"

#include <charconv>
#include <stdexcept>

namespace pgqpp::fault {

Args::Args(int argc, char** argv, int first) {
  for (int i = first; i < argc; i += 2) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0 || i + 1 >= argc)
      throw std::runtime_error("expected '--option value', got '" + name + "'");
    values_.emplace(name.substr(2), argv[i + 1]);
  }
}

std::string Args::text(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::runtime_error("option --" + name + " is required");
  return it->second;
}

std::string Args::text(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

std::int64_t Args::integer(const std::string& name) const {
  std::string value = text(name);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size())
    throw std::runtime_error("option --" + name + " needs an integer, not '" + value + "'");
  return n;
}

std::int64_t Args::integer(const std::string& name, std::int64_t fallback) const {
  return values_.count(name) ? integer(name) : fallback;
}

std::vector<std::string> Args::all(const std::string& name) const {
  std::vector<std::string> out;
  auto [from, to] = values_.equal_range(name);
  for (auto it = from; it != to; ++it) out.push_back(it->second);
  return out;
}

}  // namespace pgqpp::fault
