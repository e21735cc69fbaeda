// SPDX-License-Identifier: PostgreSQL
// Reading a config file: ini sections and lines (the keys: config_keys.cpp).
#include "config.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pgqpp::ticker {

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

Config parse_config(const std::string& text, const std::string& where) {
  Config c;
  std::stringstream in(text);
  std::string line;
  std::string section;
  bool seen_section = false;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    std::string at = where + ":" + std::to_string(lineno);
    std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[') {
      if (t.back() != ']') throw ConfigError(at + ": malformed section header '" + t + "'");
      section = trim(t.substr(1, t.size() - 2));
      // A misspelt section must not leave the daemon on its defaults,
      // serving whatever server those reach.
      if (section != "pgqd" && section != "pgqpp")
        throw ConfigError(at + ": unknown section '[" + section + "]' (use [pgqd] or [pgqpp])");
      seen_section = true;
      continue;
    }
    auto eq = t.find('=');
    if (eq == std::string::npos)
      throw ConfigError(at + ": expected 'key = value', got '" + t + "'");
    if (!seen_section) throw ConfigError(at + ": a key before the [pgqd] section");
    // Values may refer to the environment as ~ for $HOME, as pgqd allows.
    std::string value = trim(t.substr(eq + 1));
    if (!value.empty() && value[0] == '~' && std::getenv("HOME"))
      value = std::string(std::getenv("HOME")) + value.substr(1);
    set_key(c, trim(t.substr(0, eq)), value, at);
  }
  if (!seen_section) throw ConfigError(where + ": no [pgqd] section");
  return c;
}

Config load_config(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw ConfigError(path + ": cannot read config file: " + std::strerror(errno));
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_config(ss.str(), path);
}

}  // namespace pgqpp::ticker
