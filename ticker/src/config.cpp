// SPDX-License-Identifier: PostgreSQL
// Config keys, parsing and validation: see config.hpp.
#include "config.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pgqpp::ticker {

const std::vector<KeyInfo>& config_keys() {
  static const std::vector<KeyInfo> keys = {
      {"logfile", "string", true, "file to log to (empty: standard error only)"},
      {"pidfile", "string", false, "file to hold the daemon's pid (required with --daemon)"},
      {"base_connstr", "string", true, "libpq connect string without dbname"},
      {"initial_database", "string", true, "database to list the other databases from"},
      {"database_list", "list", true, "databases to serve, comma-separated (empty: all)"},
      {"syslog", "bool", true, "also log to syslog (0 or 1)"},
      {"syslog_ident", "string", true, "program name in syslog"},
      {"check_period", "seconds", true, "how often to look for new databases"},
      {"retry_period", "seconds", true, "how often to move due retry events back"},
      {"maint_period", "seconds", true, "how often to run maintenance (rotation, vacuum)"},
      {"ticker_period", "seconds", true, "how often to run the ticker"},
      {"stats_period", "seconds", true, "how often to log statistics"},
      {"connection_lifetime", "seconds", true, "how long a database connection is kept"},
      {"min_tick_interval", "seconds", true,
       "wake-up path: shortest time between two ticks of one queue (so that at high rates a "
       "batch holds many events)"},
      {"idle_ticker_period", "seconds", true,
       "wake-up path: how often the full pgq.ticker() still runs (idle ticks, events that bypassed "
       "it)"},
  };
  return keys;
}

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

const KeyInfo* find_key(const std::string& key) {
  for (const auto& k : config_keys())
    if (key == k.name) return &k;
  return nullptr;
}

std::string known_keys() {
  std::string out;
  for (const auto& k : config_keys()) out += (out.empty() ? "" : ", ") + std::string(k.name);
  return out;
}

double parse_seconds(const std::string& value, const std::string& key, const std::string& where) {
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || errno != 0 || !std::isfinite(v) || v <= 0)
    throw ConfigError(where + ": " + key + " = '" + value +
                      "' is not a positive number of seconds (e.g. 1 or 0.5)");
  return v;
}

bool parse_bool(const std::string& value, const std::string& key, const std::string& where) {
  if (value == "1" || value == "true" || value == "on" || value == "yes") return true;
  if (value == "0" || value == "false" || value == "off" || value == "no") return false;
  throw ConfigError(where + ": " + key + " = '" + value + "' is not a boolean (use 0 or 1)");
}

std::vector<std::string> parse_list(const std::string& value) {
  std::vector<std::string> out;
  std::stringstream ss(value);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!trim(item).empty()) out.push_back(trim(item));
  return out;
}

}  // namespace

void set_key(Config& c, const std::string& key, const std::string& value,
             const std::string& where) {
  const KeyInfo* info = find_key(key);
  if (info == nullptr)
    throw ConfigError(where + ": unknown key '" + key + "' (known keys: " + known_keys() + ")");
  if (key == "logfile")
    c.logfile = value;
  else if (key == "pidfile")
    c.pidfile = value;
  else if (key == "base_connstr")
    c.base_connstr = value;
  else if (key == "initial_database")
    c.initial_database = value;
  else if (key == "database_list")
    c.database_list = parse_list(value);
  else if (key == "syslog")
    c.syslog = parse_bool(value, key, where);
  else if (key == "syslog_ident")
    c.syslog_ident = value;
  else if (key == "check_period")
    c.check_period = parse_seconds(value, key, where);
  else if (key == "retry_period")
    c.retry_period = parse_seconds(value, key, where);
  else if (key == "maint_period")
    c.maint_period = parse_seconds(value, key, where);
  else if (key == "ticker_period")
    c.ticker_period = parse_seconds(value, key, where);
  else if (key == "stats_period")
    c.stats_period = parse_seconds(value, key, where);
  else if (key == "connection_lifetime")
    c.connection_lifetime = parse_seconds(value, key, where);
  else if (key == "min_tick_interval")
    c.min_tick_interval = parse_seconds(value, key, where);
  else if (key == "idle_ticker_period")
    c.idle_ticker_period = parse_seconds(value, key, where);
  if (key == "initial_database" && value.empty())
    throw ConfigError(where + ": initial_database must not be empty");
}

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

std::string get_key(const Config& c, const std::string& key) {
  auto seconds = [](double v) {
    std::ostringstream o;
    o << v;
    return o.str();
  };
  if (key == "logfile") return c.logfile;
  if (key == "pidfile") return c.pidfile;
  if (key == "base_connstr") return c.base_connstr;
  if (key == "initial_database") return c.initial_database;
  if (key == "database_list") {
    std::string out;
    for (const auto& d : c.database_list) out += (out.empty() ? "" : ",") + d;
    return out;
  }
  if (key == "syslog") return c.syslog ? "1" : "0";
  if (key == "syslog_ident") return c.syslog_ident;
  if (key == "check_period") return seconds(c.check_period);
  if (key == "retry_period") return seconds(c.retry_period);
  if (key == "maint_period") return seconds(c.maint_period);
  if (key == "ticker_period") return seconds(c.ticker_period);
  if (key == "stats_period") return seconds(c.stats_period);
  if (key == "connection_lifetime") return seconds(c.connection_lifetime);
  if (key == "min_tick_interval") return seconds(c.min_tick_interval);
  if (key == "idle_ticker_period") return seconds(c.idle_ticker_period);
  throw ConfigError("unknown key '" + key + "'");
}

std::vector<std::string> changed_keys(const Config& a, const Config& b) {
  std::vector<std::string> out;
  for (const auto& k : config_keys())
    if (get_key(a, k.name) != get_key(b, k.name)) out.push_back(k.name);
  return out;
}

std::string sample_config() {
  Config defaults;
  std::ostringstream out;
  out << "[pgqd]\n";
  for (const auto& k : config_keys())
    out << "\n# " << k.help << (k.reloadable ? "" : " (read at start only)") << "\n#" << k.name
        << " = " << get_key(defaults, k.name) << "\n";
  return out.str();
}

}  // namespace pgqpp::ticker
