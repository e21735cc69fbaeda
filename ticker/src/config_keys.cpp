// SPDX-License-Identifier: PostgreSQL
// The table of config keys (each declared once, here) and what reads it:
// set, get, compare, defaults, the sample file and the key listing.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "config.hpp"

namespace pgqpp::ticker {

const std::vector<KeyInfo>& config_keys() {
  // name, member, default, reloadable, help (one line, plain text: it is a
  // flag's help, a comment in --ini and a cell of docs/ticker.md).
  static const std::vector<KeyInfo> keys = {
      {"logfile", &Config::logfile, "", true,
       "file to log to, besides standard error (empty: none)"},
      {"pidfile", &Config::pidfile, "", false,
       "file holding the daemon's pid; required with --daemon"},
      {"base_connstr", &Config::base_connstr, "", true,
       "libpq connect string without dbname (empty: the PG* environment variables)"},
      {"initial_database", &Config::initial_database, "template1", true,
       "database the list of databases is read from"},
      {"database_list", &Config::database_list, "", true,
       "databases to serve, comma-separated (empty: all)"},
      {"syslog", &Config::syslog, "1", true, "also log to syslog (0 or 1)"},
      {"syslog_ident", &Config::syslog_ident, "pgqd", true, "program name in syslog"},
      {"check_period", &Config::check_period, "60", true,
       "seconds between looks for new databases (and for PgQ in them)"},
      {"retry_period", &Config::retry_period, "30", true,
       "seconds between pgq.maint_retry_events() runs (repeated while it moves events)"},
      {"maint_period", &Config::maint_period, "120", true,
       "seconds between maintenance runs (pgq.maint_operations(): rotation, vacuum)"},
      {"ticker_period", &Config::ticker_period, "1", true, "seconds between pgq.ticker() runs"},
      {"stats_period", &Config::stats_period, "30", true, "seconds between statistics log lines"},
      {"connection_lifetime", &Config::connection_lifetime, "3600", true,
       "seconds before a database connection is renewed"},
      {"min_tick_interval", &Config::min_tick_interval, "0.005", true,
       "pgqpp, wake-up path: the shortest time in seconds between two ticks of one queue "
       "(wider for busy queues, so that a batch holds many events)"},
      {"idle_ticker_period", &Config::idle_ticker_period, "3", true,
       "pgqpp, wake-up path: seconds between runs of the full pgq.ticker() (idle ticks, events "
       "that bypassed the wake-up)"},
      {"sqlonly_idle_poll", &Config::sqlonly_idle_poll, "0.01", true,
       "SQL-only edition, wake-up path: seconds between the server's looks for producers' "
       "commits once a whole wait (1 s) found none (it looks every 0.01 s otherwise); "
       "longer costs less while idle, and the first event after a quiet second waits up to "
       "this long"},
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

// Overloads picked by the member's type: one per key kind.
void assign(std::string& to, const std::string& value, const std::string&, const std::string&) {
  to = value;
}
void assign(std::vector<std::string>& to, const std::string& value, const std::string&,
            const std::string&) {
  to = parse_list(value);
}
void assign(bool& to, const std::string& value, const std::string& key, const std::string& where) {
  to = parse_bool(value, key, where);
}
void assign(double& to, const std::string& value, const std::string& key,
            const std::string& where) {
  to = parse_seconds(value, key, where);
}

std::string text(const std::string& v) { return v; }
std::string text(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& item : v) out += (out.empty() ? "" : ",") + item;
  return out;
}
std::string text(bool v) { return v ? "1" : "0"; }
std::string text(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

const char* kind_of(std::string Config::*) { return "string"; }
const char* kind_of(std::vector<std::string> Config::*) { return "list"; }
const char* kind_of(bool Config::*) { return "bool"; }
const char* kind_of(double Config::*) { return "seconds"; }

}  // namespace

const char* KeyInfo::kind() const {
  return std::visit([](auto member) { return kind_of(member); }, field);
}

Config::Config() {
  for (const auto& k : config_keys()) set_key(*this, k.name, k.default_value, "default");
}

const KeyInfo* find_key(const std::string& name) {
  for (const auto& k : config_keys())
    if (name == k.name) return &k;
  return nullptr;
}

void set_key(Config& c, const std::string& key, const std::string& value,
             const std::string& where) {
  const KeyInfo* info = find_key(key);
  if (info == nullptr)
    throw ConfigError(where + ": unknown key '" + key + "' (known keys: " + known_keys() + ")");
  std::visit([&](auto member) { assign(c.*member, value, key, where); }, info->field);
  // The one key that has no meaning empty: the databases are listed from it.
  if (key == "initial_database" && value.empty())
    throw ConfigError(where + ": initial_database must not be empty");
}

std::string get_key(const Config& c, const std::string& key) {
  const KeyInfo* info = find_key(key);
  if (info == nullptr) throw ConfigError("unknown key '" + key + "'");
  return std::visit([&](auto member) { return text(c.*member); }, info->field);
}

std::vector<std::string> changed_keys(const Config& a, const Config& b) {
  std::vector<std::string> out;
  for (const auto& k : config_keys())
    if (get_key(a, k.name) != get_key(b, k.name)) out.push_back(k.name);
  return out;
}

std::string sample_config() {
  std::ostringstream out;
  out << "[pgqd]\n";
  for (const auto& k : config_keys())
    out << "\n# " << k.help << (k.reloadable ? "" : " (read at start only)") << "\n#" << k.name
        << " = " << k.default_value << "\n";
  return out.str();
}

std::string keys_table() {
  std::ostringstream out;
  for (const auto& k : config_keys())
    out << k.name << '\t' << k.kind() << '\t' << k.default_value << '\t'
        << (k.reloadable ? "reload" : "restart") << '\t' << k.help << '\n';
  return out.str();
}

}  // namespace pgqpp::ticker
