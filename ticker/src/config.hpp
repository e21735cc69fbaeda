// SPDX-License-Identifier: PostgreSQL
// The ticker daemon's settings: pgqd's config keys with their meaning and
// defaults, read from an ini file (section [pgqd] or [pgqpp], nothing else) and/or set from
// command-line flags. Pure C++.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgqpp::ticker {

/// A bad config file or value: one line naming the file, line, key and fix.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Config {
  std::string logfile;       // empty: no log file
  std::string pidfile;       // required with --daemon
  std::string base_connstr;  // libpq connect string without dbname
  std::string initial_database = "template1";
  std::vector<std::string> database_list;  // empty: every database
  bool syslog = true;
  std::string syslog_ident = "pgqd";
  double check_period = 60;           // seconds between database discoveries
  double retry_period = 30;           // seconds between retry moves
  double maint_period = 120;          // seconds between maintenance runs
  double ticker_period = 1;           // seconds between ticker runs
  double stats_period = 30;           // seconds between statistics log lines
  double connection_lifetime = 3600;  // seconds before a connection is renewed
  // pgqpp's own keys, for the wake-up path (pgqpp preloaded):
  double min_tick_interval = 0.005;  // shortest time between two woken ticks of a queue
  double idle_ticker_period = 3;     // full pgq.ticker() period while woken
};

/// One config key: its name, what it takes, and whether SIGHUP may change it.
struct KeyInfo {
  const char* name;
  const char* kind;  // "string", "list", "bool", "seconds"
  bool reloadable;
  const char* help;
};

/// Every key the daemon knows, in the order `--ini` prints them.
const std::vector<KeyInfo>& config_keys();

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

}  // namespace pgqpp::ticker
