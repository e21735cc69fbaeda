// SPDX-License-Identifier: PostgreSQL
// The daemon's log: one line per event worth knowing, in a stable format
//   2026-11-25 10:00:00.123 UTC [12345] LEVEL db=NAME queue=NAME: message
// to standard error (unless quiet), to the log file and to syslog when set.
#pragma once

#include <cstdio>
#include <string>

namespace pgqpp::ticker {

enum class Level { debug, info, warning, error };

class Log {
 public:
  Log() = default;
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  /// Applies the log settings; reopens the log file (also after rotation by
  /// logrotate, on SIGHUP). Returns false, with the reason, if it cannot.
  bool configure(const std::string& logfile, bool syslog, const std::string& ident, bool quiet,
                 bool verbose, std::string* error);

  /// Writes one line. `db` and `queue` may be empty.
  void write(Level level, const std::string& db, const std::string& message,
             const std::string& queue = {});

  void info(const std::string& db, const std::string& m) { write(Level::info, db, m); }
  void warning(const std::string& db, const std::string& m) { write(Level::warning, db, m); }
  void error(const std::string& db, const std::string& m) { write(Level::error, db, m); }
  void debug(const std::string& db, const std::string& m) { write(Level::debug, db, m); }

 private:
  std::FILE* file_ = nullptr;
  bool syslog_ = false;
  bool quiet_ = false;
  bool verbose_ = false;
  std::string ident_;
};

}  // namespace pgqpp::ticker
