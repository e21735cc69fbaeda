// SPDX-License-Identifier: PostgreSQL
// The ticker daemon's settings: pgqd's config keys with their meaning and
// defaults, read from an ini file (section [pgqd] or [pgqpp], nothing else) and/or set from
// command-line flags. Pure C++.
//
// Each key is declared once, as one row of config_keys() (config_keys.cpp):
// name, the Config member it sets (hence its type), default, whether SIGHUP
// may change it, and its help. The parser, the reload, `pgqpp ticker --help`,
// `--ini`, `--keys` and docs/ticker.md's key table (scripts/ticker-docs.py)
// all read that table.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace pgqpp::ticker {

/// A bad config file or value: one line naming the file, line, key and fix.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The values of every key. Its constructor sets each key's default from
/// config_keys(); the members have no defaults of their own.
struct Config {
  Config();
  std::string logfile;       // empty: no log file
  std::string pidfile;       // required with --daemon
  std::string base_connstr;  // libpq connect string without dbname
  std::string initial_database;
  std::vector<std::string> database_list;  // empty: every database
  bool syslog;
  std::string syslog_ident;
  double check_period;         // seconds between database discoveries
  double retry_period;         // seconds between retry moves
  double maint_period;         // seconds between maintenance runs
  double ticker_period;        // seconds between ticker runs
  double stats_period;         // seconds between statistics log lines
  double connection_lifetime;  // seconds before a connection is renewed
  // pgqpp's own keys, for the wake-up path (pgqpp preloaded):
  double min_tick_interval;   // shortest time between two woken ticks of a queue
  double idle_ticker_period;  // full pgq.ticker() period while woken
  double sqlonly_idle_poll;   // SQL-only edition: the wait's look period after a quiet call
};

/// The Config member a key sets; its type is the key's type.
using ConfigField = std::variant<std::string Config::*, std::vector<std::string> Config::*,
                                 bool Config::*, double Config::*>;

/// One config key: its name, the member it sets, its default (as a config
/// file would write it), whether SIGHUP may change it, and its help.
struct KeyInfo {
  const char* name;
  ConfigField field;
  const char* default_value;
  bool reloadable;
  const char* help;
  /// "string", "list", "bool" or "seconds", from the member's type.
  const char* kind() const;
};

/// Every key the daemon knows, in the order `--ini` prints them.
const std::vector<KeyInfo>& config_keys();

/// The key named `name`, or nullptr.
const KeyInfo* find_key(const std::string& name);

/// Sets one key from its text value; throws ConfigError naming `where`.
void set_key(Config& config, const std::string& key, const std::string& value,
             const std::string& where);

/// Parses ini text (`where` names the file in errors).
Config parse_config(const std::string& text, const std::string& where);

/// Reads and parses a config file; an unreadable file is a ConfigError.
Config load_config(const std::string& path);

/// The text form of one key's value (as a config file would hold it).
std::string get_key(const Config& config, const std::string& key);

/// The keys whose values differ between two configs.
std::vector<std::string> changed_keys(const Config& a, const Config& b);

/// A sample config file listing every key with its default.
std::string sample_config();

/// Every key as one tab-separated line: name, kind, default, "reload" or
/// "restart", help (`pgqpp ticker --keys`; scripts/ticker-docs.py reads it).
std::string keys_table();

}  // namespace pgqpp::ticker
